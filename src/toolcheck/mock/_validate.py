"""Validate an incoming request's body and content type against its operation.

Split from the responder so the rules read in one place: a missing required body is a 400,
an undocumented content type a 415, JSON that does not parse a 400 (same error shape), a body
that parses but breaks the schema a 422 when the operation documents 422, else a 400.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import orjson

from toolcheck.checks.conformance import is_json, match_media, media_type_of
from toolcheck.mock._params import Issue, coerce, request_errors

if TYPE_CHECKING:
    from toolcheck.spec import Operation, Spec

_NO_BODY = object()


def check_body(spec: Spec, op: Operation, content_type: str | None, body: bytes) -> tuple[int, list[Issue], Any]:
    """``(status, issues, decoded body)``: status is 0 when the body is acceptable."""
    rb = op.request_body
    if rb is None or not rb.content:
        return 0, [], _NO_BODY
    if not body:
        if rb.required:
            return 400, [Issue("/body", "a request body is required", "body")], _NO_BODY
        return 0, [], _NO_BODY
    media_type = media_type_of(content_type)
    if not media_type:  # no Content-Type: read it as the first documented type (curl -d habits)
        media_type = media_type_of(next(iter(rb.content)))
    media = match_media(rb.content, media_type)
    if media is None:
        accepted = ", ".join(rb.content)
        given = media_type or "(no Content-Type)"
        return 415, [Issue("/headers/content-type", f"content type {given!r} is not accepted (accepted: {accepted})",
                           "content_type")], _NO_BODY
    if is_json(media_type):
        try:
            decoded = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            return 400, [Issue("/body", f"the body is not valid JSON: {exc}", "json")], _NO_BODY
    elif media_type == "application/x-www-form-urlencoded":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return 400, [Issue("/body", "the form body is not UTF-8", "body")], _NO_BODY
        decoded = _form(spec, media.schema, text)
    else:
        return 0, [], body  # multipart, binary, text: accepted as sent
    if media.schema is None:
        return 0, [], decoded
    issues = [Issue("/body" + pointer, message, "body")
              for pointer, message in request_errors(spec, media.schema, decoded, limit=50, skip_read_only=True)]
    if issues:
        status = 422 if op.response_for(422) is not None and "422" in op.responses else 400
        return status, issues, decoded
    return 0, [], decoded


def _form(spec: Spec, schema: Any, text: str) -> dict[str, Any]:
    resolved = spec.deref(schema) if isinstance(schema, dict) else {}
    props = resolved.get("properties") if isinstance(resolved, dict) else None
    props = props if isinstance(props, dict) else {}
    out: dict[str, Any] = {}
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=1000)
    except ValueError:
        pairs = []
    for key, value in pairs:
        sub = props.get(key, {})
        sub_resolved = spec.deref(sub) if isinstance(sub, dict) else {}
        if isinstance(sub_resolved, dict) and sub_resolved.get("type") == "array":
            out.setdefault(key, []).append(coerce(spec, sub_resolved.get("items", {}), value))
        else:
            out[key] = coerce(spec, sub, value)
    return out
