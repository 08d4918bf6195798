"""Negative cases that prove they are negative.

Hand-written. Every candidate from :mod:`mutations` (body) or the parameter mutations below is
kept only if the *original* schema's validator rejects it, as the server would parse it (query
values are compared after wire round-tripping, see :mod:`wire`), and it is labelled with the
keyword and pointer the validator reports. Request-level negatives need no schema proof: a
required body or parameter left out, malformed JSON, a content type the operation does not
accept. Negatives a server may legitimately ignore (header and cookie values, a sniffed
content type) are marked ``lenient``: accepting them is not a finding, crashing on them is.
LLM-style mistakes come first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.checks.conformance import is_json, match_media
from toolcheck.payloads.case import NEGATIVE, Case
from toolcheck.payloads.mutations import TOP, mutations
from toolcheck.payloads.positive import CaseFactory
from toolcheck.spec import Parameter, Spec
from toolcheck.spec._pointer import escape
from toolcheck.wire.params import path_key
from toolcheck.wire.read import parameter_accepts, wire_value


def _proof(spec: Spec, schema: Any, value: Any) -> tuple[str, str] | None:
    """``(keyword, pointer)`` of the first error the validator reports, or None if valid."""
    try:
        errors = list(spec.validator(schema).iter_errors(value))
    except Exception:  # unresolvable schema: nothing can be proven
        return None
    if not errors:
        return None
    errors.sort(key=lambda e: -len(e.absolute_path))
    error = errors[0]
    pointer = "".join("/" + escape(str(p)) for p in error.absolute_path)
    return str(error.validator), pointer


def body_negatives(spec: Spec, factory: CaseFactory, base: Case, *, limit: int = 200) -> Iterator[Case]:
    """Proven-invalid variants of ``base``'s body, then request-level body negatives."""
    op = factory.op
    schema = factory.body_schema
    media = factory.media_type
    if media is None:
        return
    seen: set[str] = set()
    produced = 0
    if schema is not None and base.body is not ABSENT and is_json(media.split(";")[0].strip().lower()):
        for mutation in mutations(spec, schema, base.body):
            if produced >= limit:
                break
            key = json.dumps(mutation.value, sort_keys=True, default=str)[:2000] + mutation.keyword
            if key in seen:
                continue
            seen.add(key)
            proof = _proof(spec, schema, mutation.value)
            if proof is None:
                continue
            keyword, pointer = proof
            produced += 1
            yield base.with_(body=mutation.value, kind=NEGATIVE, label=mutation.label.replace(TOP, " (whole body)"), keyword=keyword,
                             pointer="body" + pointer, llm=mutation.llm)
    if op.request_body is not None and op.request_body.required:
        yield base.with_(body=ABSENT, media_type=None, kind=NEGATIVE, label="required request body left out",
                         keyword="required", pointer="body")
    if is_json(media.split(";")[0].strip().lower()):
        text = json.dumps(base.body if base.body is not ABSENT else {}, ensure_ascii=False)
        broken = (text[:-1] if len(text) > 1 else "{") + ",}"
        yield base.with_(body=ABSENT, raw_body=broken.encode(), kind=NEGATIVE, label="malformed JSON body",
                         keyword="json", pointer="body")
        if op.request_body is not None and match_media(op.request_body.content, "text/plain") is None:
            yield base.with_(raw_body=text.encode(), body=ABSENT, media_type="text/plain", kind=NEGATIVE,
                             label="JSON sent as text/plain", keyword="contentType", pointer="header/Content-Type",
                             lenient=True)


def _param_candidates(spec: Spec, param: Parameter, value: Any) -> Iterator[tuple[Any, str, bool]]:
    schema = param.schema
    if schema is None:
        return
    if not isinstance(value, (dict, list)):
        for mutation in mutations(spec, schema, value):
            label = mutation.label.replace(TOP, f" in {param.name}").replace(" at /", f" in {param.name} /")
            yield mutation.value, label, mutation.llm
    resolved = spec.deref(schema)
    kinds = resolved.get("type") if isinstance(resolved, dict) else None
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "integer" in kinds or "number" in kinds:
        yield "ten", f"number spelled out in {param.name}", True
        yield "", f"empty value for numeric {param.name}", False
    if "boolean" in kinds:
        yield "yes", f"'yes' for boolean {param.name}", True


def param_negatives(spec: Spec, factory: CaseFactory, base: Case) -> Iterator[Case]:
    """Proven-invalid parameter values and missing required parameters."""
    slots = {"path": "path_params", "query": "query", "header": "headers", "cookie": "cookies"}
    for param in factory.params:
        slot = slots.get(param.location)
        if slot is None:
            continue
        current: dict[str, Any] = getattr(base, slot)
        lenient = param.location in ("header", "cookie")
        pointer = f"{param.location}/{param.name}"
        if param.required and param.location != "path" and param.name in current:
            reduced = {k: v for k, v in current.items() if k != param.name}
            yield base.with_(**{slot: reduced}, kind=NEGATIVE, label=f"missing required {param.location} parameter {param.name!r}",
                             keyword="required", pointer=pointer, lenient=lenient, llm=True)
        if param.name not in current:
            continue
        seen: set[str] = set()
        for value, label, llm in _param_candidates(spec, param, current[param.name]):
            if isinstance(value, (dict, list)) or value is None:
                continue
            key = repr(value)
            if key in seen:
                continue
            seen.add(key)
            if lenient and not all(32 <= ord(ch) < 127 for ch in str(value)):
                continue
            if param.location == "path" and (str(value) == "" or "/" in str(value)):
                continue
            if parameter_accepts(spec, param, value):
                continue
            # labelled by what the server reads: 12345 for a patterned path id arrives as "12345"
            proof = _proof(spec, param.schema, wire_value(spec, param, value)) or _proof(spec, param.schema, value)
            keyword = proof[0] if proof else "type"
            yield base.with_(**{slot: {**current, param.name: value}}, kind=NEGATIVE, label=label,
                             keyword=keyword, pointer=pointer, lenient=lenient, llm=llm)


def negatives(spec: Spec, factory: CaseFactory, base: Case, *, limit: int = 200) -> list[Case]:
    """All deterministic negatives derived from ``base``, LLM-style mistakes first."""
    cases = list(param_negatives(spec, factory, base)) + list(body_negatives(spec, factory, base, limit=limit))
    cases.sort(key=lambda c: not c.llm)
    _, fragment, _ = path_key(factory.op.path)
    selectors = {f"query/{name}" for name, value in fragment if value is None}
    if selectors:
        # "/{Key}#uploadId": without uploadId the request is another operation (AbortMultipartUpload
        # becomes DeleteObject), so "missing uploadId" cannot be sent to the operation it is about.
        cases = [c for c in cases if not (c.keyword == "required" and c.pointer in selectors)]
    if "#" in factory.op.path:
        # AWS-style "/{Key}#uploadId": several operations share the path and differ only by a
        # query parameter; a broken request may legitimately be routed to a sibling operation.
        cases = [c.with_(lenient=True) for c in cases]
    return [c.with_(phase="boundary") for c in cases]
