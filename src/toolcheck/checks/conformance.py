"""Does a response (or request body) conform to the operation's contract?

Used by `run` (every response), `fuzz` (every response), the mock's validation proxy and the
mock's own tests. Pure: takes status, headers and body, returns violations; no I/O.

Schemas are checked by a compiled yes/no check first (:mod:`toolcheck.checks._fastcheck`);
only an instance it cannot pass goes to ``jsonschema``, which writes every message. A run
whose responses conform thus never builds a jsonschema validator, nor imports the library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from toolcheck.checks._fastcheck import fast_check
from toolcheck.spec import MediaType, Operation, Spec

_MISSING = object()


@dataclass(frozen=True)
class Violation:
    """One way a response breaks its contract.

    Attributes:
        check: ``status_documented``, ``content_type``, ``body_schema``, ``body_json``,
            ``required_header`` or ``header_schema``.
        message: what is wrong, with expected vs actual.
        pointer: where in the body (JSON pointer), for schema violations.
    """

    check: str
    message: str
    pointer: str = ""
    severity: str = "error"

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check, "message": self.message, "pointer": self.pointer, "severity": self.severity}


def schema_errors(spec: Spec, schema: Any, instance: Any, *, limit: int = 20) -> list[tuple[str, str]]:
    """:func:`toolcheck.spec.jsonschema.schema_errors`, answered by the compiled check when it
    passes ``instance``: the same verdict, without jsonschema's error walk (or its import)."""
    check = fast_check(spec, schema)
    if check is not None:
        try:
            if check(instance):
                return []
        except RecursionError:
            pass  # a very deep instance: jsonschema decides (and says so)
    from toolcheck.spec.jsonschema import schema_errors as full

    return full(spec, schema, instance, limit=limit)


def media_type_of(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json") or media_type == "text/json"


def match_media(content: Mapping[str, MediaType], media_type: str) -> MediaType | None:
    """The documented media type covering ``media_type`` (exact, ``type/*``, ``*/*``)."""
    if media_type in content:
        return content[media_type]
    lowered = {k.split(";", 1)[0].strip().lower(): v for k, v in content.items()}
    if media_type in lowered:
        return lowered[media_type]
    major = media_type.split("/", 1)[0]
    for candidate in (f"{major}/*", "*/*"):
        if candidate in lowered:
            return lowered[candidate]
    if is_json(media_type):
        for key, value in lowered.items():
            if is_json(key):
                return value
    return None


def check_response(
    spec: Spec,
    operation: Operation,
    status: int,
    headers: Mapping[str, str],
    body: Any = _MISSING,
    *,
    raw: bytes | None = None,
) -> list[Violation]:
    """Check one response against ``operation``'s documented responses.

    Args:
        headers: response headers (any case).
        body: the decoded JSON body when the caller already has it.
        raw: the raw body bytes (decoded here when ``body`` is not given).
    """
    out: list[Violation] = []
    response = operation.response_for(status)
    if response is None:
        documented = ", ".join(operation.responses) or "none"
        return [Violation("status_documented", f"status {status} is not documented for {operation.key} (documented: {documented})")]
    lower = {k.lower(): v for k, v in headers.items()}
    for name, header in response.headers.items():
        value = lower.get(name.lower())
        if value is None:
            if header.required:
                out.append(Violation("required_header", f"required header {name!r} is missing"))
            continue
        if header.schema:
            coerced = _coerce_header(spec, header.schema, value)
            for pointer, message in schema_errors(spec, header.schema, coerced, limit=3):
                out.append(Violation("header_schema", f"header {name!r}: {message}", pointer))
    has_body = (raw is not None and len(raw) > 0) or (body is not _MISSING and body is not None)
    if not response.content:
        return out
    content_type = media_type_of(lower.get("content-type"))
    if not has_body:
        if status not in (204, 304) and any(m.schema for m in response.content.values()):
            # An empty body where a schema was documented: only JSON schemas that reject null count.
            pass
        return out
    media = match_media(response.content, content_type) if content_type else None
    if media is None:
        documented = ", ".join(response.content) or "none"
        out.append(Violation(
            "content_type", f"content type {content_type or '(none)'!r} is not documented for status {status} (documented: {documented})",
        ))
        return out
    if media.schema is None or not is_json(content_type):
        return out
    if body is _MISSING:
        try:
            body = orjson.loads(raw or b"")
        except orjson.JSONDecodeError as exc:
            out.append(Violation("body_json", f"the body is not valid JSON: {exc}"))
            return out
    for pointer, message in schema_errors(spec, media.schema, body):
        out.append(Violation("body_schema", message, pointer))
    return out


def check_request_body(spec: Spec, operation: Operation, media_type: str, body: Any) -> list[Violation]:
    """Validate a request body against the operation's documented request schema."""
    if operation.request_body is None:
        return []
    media = match_media(operation.request_body.content, media_type)
    if media is None:
        return [Violation("content_type", f"request content type {media_type!r} is not accepted "
                          f"(accepted: {', '.join(operation.request_body.content)})")]
    if media.schema is None:
        return []
    return [Violation("body_schema", message, pointer) for pointer, message in schema_errors(spec, media.schema, body)]


def _coerce_header(spec: Spec, schema: Any, value: str) -> Any:
    """Header values are strings on the wire; read them as the schema's type for validation."""
    resolved = spec.deref(schema)
    kind = resolved.get("type") if isinstance(resolved, dict) else None
    kinds = kind if isinstance(kind, list) else [kind]
    if "integer" in kinds:
        try:
            return int(value)
        except ValueError:
            return value
    if "number" in kinds:
        try:
            return float(value)
        except ValueError:
            return value
    if "boolean" in kinds and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if "array" in kinds:
        return [v.strip() for v in value.split(",")]
    return value
