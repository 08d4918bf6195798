"""Error responses that tell the truth: the spec's own error shape, filled with the real violations.

When the operation documents a JSON response for the status (exact, ``4XX`` or ``default``),
the body is generated from that schema and then *filled*: message-like fields get the summary,
code-like fields the enum value closest to the status (``not_found`` for 404), status-like
integers the status, and a details-like array one entry per violation (field pointer and
message). Each fill is kept only if the body still validates, so the answer never breaks its
own spec. Without a documented JSON shape, the answer is RFC 9457 ``application/problem+json``
with an ``errors`` member listing every violation (RFC 9457 §3.2 extension, as in its example).

:func:`error_status` picks the status itself from what the operation documents, so the mock
never answers an undocumented status when a documented one fits (found by ``fuzz --mock``: a
malformed path id answered 400 on operations documenting only 401/404).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import orjson

from toolcheck.checks.conformance import is_json
from toolcheck.generate._flatten import Unsatisfiable
from toolcheck.mock._encode import dumps_json
from toolcheck.mock._params import Issue
from toolcheck.mock.generate import GenerationError, _Generator, generate_value, is_valid

if TYPE_CHECKING:
    from toolcheck.spec import Operation, Spec

_CODE_WORDS = {
    400: ("invalid_request", "bad_request", "invalid", "validation", "malformed"),
    401: ("unauthorized", "unauthenticated", "invalid_token", "authentication", "auth"),
    403: ("forbidden", "permission", "access_denied", "not_allowed"),
    404: ("not_found", "notfound", "missing", "unknown"),
    405: ("method_not_allowed", "not_allowed", "invalid_request"),
    406: ("not_acceptable", "invalid_request"),
    409: ("conflict", "already_exists", "duplicate"),
    413: ("too_large", "payload_too_large", "invalid_request"),
    415: ("unsupported_media_type", "media_type", "invalid_request", "bad_request"),
    422: ("validation_failed", "validation_error", "unprocessable", "invalid_request", "invalid"),
    429: ("rate_limited", "too_many_requests", "rate_limit", "throttled"),
    500: ("internal_error", "server_error", "internal"),
    502: ("bad_gateway", "upstream", "internal_error"),
    503: ("unavailable", "service_unavailable", "overloaded", "internal_error"),
    504: ("timeout", "gateway_timeout", "internal_error"),
}
_MESSAGE_KEYS = ("message", "detail", "details", "error_description", "description", "title", "msg", "reason", "error_message")
_CODE_KEYS = ("code", "error_code", "type", "error", "kind", "reason", "status")
_LIST_KEYS = ("details", "errors", "violations", "fields", "invalid_params", "field_errors", "issues", "problems", "causes")
_FIELD_KEYS = ("field", "pointer", "path", "name", "param", "parameter", "location", "loc", "source", "property", "key")
_PARAM_KEYS = ("param", "parameter", "field", "pointer", "invalid_field", "source")
_ITEM_MESSAGE_KEYS = ("message", "detail", "description", "reason", "msg", "error")


# The statuses that can carry each kind of rejection, best first. A path parameter that breaks
# its schema names no resource, so 404 is a truthful answer when 400 is not documented.
# Protocol-level refusals (406, 413, 415) keep their own status even when undocumented: HTTP
# clients act on them (RFC 9110 §15.5.7, §15.5.14, §15.5.16) and a 400 would hide what to fix.
_FALLBACKS: dict[int, tuple[int, ...]] = {
    400: (400, 422),
    401: (401, 403),
    404: (404, 410),  # a deleted item is as truthfully "410 Gone" when that is what the spec documents
    422: (422, 400),
}
_PATH_FALLBACK: tuple[int, ...] = (400, 404, 422)
# Words in a documented response's description that name the failure, for specs whose error
# statuses are not HTTP's own (AWS documents 480 ServiceException, 483 InvalidParameterValueException).
_DESCRIBED = {
    400: ("invalidparameter", "invalidrequest", "validation", "badrequest", "malformed", "invalidinput", "invalid"),
    401: ("unauthorized", "unauthenticated", "invalidtoken", "authentication", "credentials"),
    403: ("forbidden", "accessdenied", "permission"),
    404: ("notfound", "nosuch", "doesnotexist"),
    406: ("notacceptable",),
    413: ("toolarge", "entitytoolarge", "requesttoolarge"),
    415: ("unsupportedmediatype", "mediatype", "contenttype"),
    422: ("validation", "invalidparameter", "invalidrequest", "unprocessable", "invalid"),
}


def error_status(op: Operation, status: int, issues: Sequence[Issue] = ()) -> int:
    """The status to answer a rejection that is nominally ``status`` with.

    In order: the first of the fitting statuses the operation documents exactly (``400`` or
    ``422`` for a body, ``400`` then ``404`` for a malformed path parameter, ``401`` then
    ``403`` for missing credentials ...); else a documented status outside HTTP's registry
    whose description names the failure; else the nominal status when a ``4XX`` range or
    ``default`` covers it; else the nominal status, undocumented (the body is then RFC 9457).
    """
    if issues and all(i.kind == "parameter" and i.field.startswith("/path/") for i in issues) and status == 400:
        wanted = _PATH_FALLBACK
    else:
        wanted = _FALLBACKS.get(status, (status,))
    if status == 401 and op.response_for(401) is not None:
        return 401  # a 4XX/default answer with its challenge says more than a 403 would
    for code in wanted:
        if str(code) in op.responses:
            return code
    documented = [int(k) for k in op.responses if k.isdigit() and k.startswith("4") and not _registered(int(k))]
    if documented:
        described = {code: _squash(op.responses[str(code)].description) for code in documented}
        for want in wanted:  # S3: a malformed key is as truthfully "480 NoSuchKey" as anything
            for word in _DESCRIBED.get(want, ()):
                for code in sorted(documented):
                    if word in described[code]:
                        return code
    return status


def _registered(status: int) -> bool:
    try:
        HTTPStatus(status)
    except ValueError:
        return False
    return True


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


_SUMMARY_LIMIT = 600


def summary(status: int, issues: list[Issue]) -> str:
    """One line naming every violation when they fit in ``_SUMMARY_LIMIT`` characters, else
    as many as fit and how many more."""
    if not issues:
        return _phrase(status)
    parts: list[str] = []
    for issue in issues:
        text = issue.message
        if issue.kind in ("body", "parameter") and issue.field and issue.field not in text:
            text = f"{text} (at {issue.field})"
        parts.append(text)
    shown = [parts[0]]
    for part in parts[1:]:
        if sum(len(p) + 2 for p in shown) + len(part) > _SUMMARY_LIMIT:
            break
        shown.append(part)
    more = f" (and {len(parts) - len(shown)} more)" if len(parts) > len(shown) else ""
    return "; ".join(shown) + more


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(
    spec: Spec,
    op: Operation | None,
    status: int,
    issues: list[Issue],
    rng: random.Random,
    message: str | None = None,
) -> tuple[str, bytes]:
    """``(content type, body)`` for an error answer listing ``issues``."""
    text = message or summary(status, issues)
    response = op.response_for(status) if op is not None else None
    if response is not None:
        for media_type, media in response.content.items():
            base = media_type.split(";", 1)[0].strip().lower()
            if media.schema is None or not (is_json(base) or base in ("*/*", "application/*")):
                continue
            body = _minimal(spec, media.schema, rng)
            if body is _NOTHING:
                continue
            body = _fill(spec, media.schema, body, status, issues, text, rng)
            return (media_type if is_json(base) else "application/json"), orjson.dumps(body)
        documented = [m.split(";", 1)[0].strip().lower() for m in response.content]
        if documented and not any(is_json(m) or "*" in m for m in documented):
            # Only non-JSON types are documented (text/html, text/plain): answer in one of them.
            media_type = next(iter(response.content))
            base = documented[0]
            lines = [text] + [f"{i.field}: {i.message}" for i in issues if i.field]
            if base == "text/html":
                from html import escape

                body_text = "<!doctype html><title>Error</title>" + "".join(f"<p>{escape(x)}</p>" for x in lines)
            else:
                body_text = "\n".join(lines)
            return media_type, body_text.encode("utf-8")
    problem_type = _problem_type(op, response)
    if problem_type is None:  # the operation documents only non-JSON types: answer as text in one of them
        declared = [m for r in op.responses.values() for m in r.content] if op is not None else []
        text_type = next((m for m in declared if m.lower().startswith("text/")), declared[0] if declared else "text/plain")
        return text_type, "\n".join([text] + [f"{i.field}: {i.message}" for i in issues if i.field]).encode("utf-8")
    problem: dict[str, Any] = {
        "type": "about:blank" if not issues else "https://toolcheck.dev/problems/invalid-request",
        "title": _phrase(status),
        "status": status,
        "detail": text,
    }
    if issues:
        problem["errors"] = [{"pointer": i.field, "detail": i.message} for i in issues]
    return problem_type, dumps_json(problem)


def _problem_type(op: Operation | None, response: Any) -> str | None:
    """The media type of an RFC 9457 body for ``op``: ``application/problem+json`` unless the
    operation declares its own types (Swagger 2.0 ``produces``, an OpenAPI 3 JSON type with no
    schema). Then a JSON type it declares, this status's first, problem+json preferred (a client
    checking Content-Type against the spec must find it there); None when it declares only
    non-JSON types."""
    if op is None:
        return "application/problem+json"
    declared: list[str] = []
    for candidate in ([response] if response is not None else []) + list(op.responses.values()):
        declared.extend(m for m in candidate.content if m not in declared)
    produces = op.extensions.get("x-toolcheck-produces")  # Swagger 2.0 `produces` (spec._swagger2)
    if isinstance(produces, list):
        declared.extend(m for m in produces if isinstance(m, str) and m not in declared)
    if not declared:
        return "application/problem+json"
    bases = [m.split(";", 1)[0].strip().lower() for m in declared]
    if "application/problem+json" in bases:
        return "application/problem+json"
    for media_type, base in zip(declared, bases, strict=True):
        if is_json(base):
            return media_type
    if any("*" in base for base in bases):
        return "application/problem+json"
    return None


_NOTHING = object()


def _minimal(spec: Spec, schema: Any, rng: random.Random) -> Any:
    """An error body with only what the schema requires (then filled): no invented extras."""
    gen = _Generator(spec, rng, "response")
    gen.minimal = True
    try:
        body = gen.value(schema, "error", 0)
        if is_valid(spec, schema, body):
            return body
    except Unsatisfiable:
        pass
    try:
        return generate_value(spec, schema, rng=rng, name="error")
    except GenerationError:
        return _NOTHING


def _fill(spec: Spec, schema: Any, body: Any, status: int, issues: list[Issue], text: str, rng: random.Random) -> Any:
    if not isinstance(body, dict):
        return body
    gen = _Generator(spec, rng, "response")
    # Fill the top level and, when present, a nested error object (`{"error": {...}}`).
    targets: list[tuple[list[str], Any]] = [([], gen.flatten(schema))]
    for key in ("error", "errors", "problem", "fault"):
        if isinstance(body.get(key), dict):
            targets.append(([key], _prop_schema(gen, targets[0][1], key)))
        elif key in _props(gen, targets[0][1]) and key not in body:
            sub = _prop_schema(gen, targets[0][1], key)
            if isinstance(sub, dict) and "object" in _types(sub):
                candidate = copy.deepcopy(body)
                try:
                    candidate[key] = generate_value(spec, sub, rng=rng, name=key)
                except GenerationError:
                    continue
                if is_valid(spec, schema, candidate):
                    body = candidate
                    targets.append(([key], sub))
    for path, sub_schema in targets:
        props = _props(gen, sub_schema)
        for key in _MESSAGE_KEYS:
            if key in props and "string" in _types(gen.flatten(props[key])):
                body = _try_set(spec, schema, body, [*path, key], text)
                break
        for key in _CODE_KEYS:
            if key not in props:
                continue
            flat = gen.flatten(props[key])
            kinds = _types(flat) if isinstance(flat, dict) else []
            value: Any
            if "integer" in kinds:
                value = status
            elif isinstance(flat, dict) and isinstance(flat.get("enum"), list):
                value = _best_code(flat["enum"], status)
            elif "string" in kinds:
                value = _CODE_WORDS.get(status, ("error",))[0]
            else:
                continue
            if value is not None:
                body = _try_set(spec, schema, body, [*path, key], value)
        for key in _PARAM_KEYS:
            if key in props and issues and "string" in _types(gen.flatten(props[key])):
                body = _try_set(spec, schema, body, [*path, key], issues[0].field)
                break
        for key in _LIST_KEYS:
            if key not in props or not issues:
                continue
            flat = gen.flatten(props[key])
            if not isinstance(flat, dict) or "array" not in _types(flat):
                continue
            entries = _entries(spec, gen, flat.get("items", {}), issues, rng)
            if entries:
                body = _try_set(spec, schema, body, [*path, key], entries)
            break
    return body


def _entries(spec: Spec, gen: _Generator, items: Any, issues: list[Issue], rng: random.Random) -> list[Any]:
    flat = gen.flatten(items)
    kinds = _types(flat) if isinstance(flat, dict) else []
    out: list[Any] = []
    for issue in issues[:50]:
        if "string" in kinds:
            out.append(f"{issue.field}: {issue.message}" if issue.field else issue.message)
            continue
        try:
            entry = generate_value(spec, items, rng=rng, name="detail")
        except GenerationError:
            return []
        if not isinstance(entry, dict) or not isinstance(flat, dict):
            return []
        props = _props(gen, flat)
        # A free-form item (`items: {type: object}`) takes any member: it gets `pointer` and
        # `message` (RFC 9457 §3's names), so `[{}, {}, {}]` never hides what was wrong.
        free = flat.get("additionalProperties", True) is not False and flat.get("unevaluatedProperties") is not False
        field_key = next((k for k in _FIELD_KEYS if k in props), "pointer" if free else None)
        message_key = next((k for k in _ITEM_MESSAGE_KEYS if k in props), "message" if free else None)
        if field_key is not None and issue.field:
            entry = _try_set(spec, items, entry, [field_key], issue.field)
        if message_key is not None:
            entry = _try_set(spec, items, entry, [message_key], issue.message)
        out.append(entry)
    return out


def _props(gen: _Generator, schema: Any) -> dict[str, Any]:
    flat = gen.flatten(schema)
    props = flat.get("properties") if isinstance(flat, dict) else None
    return props if isinstance(props, dict) else {}


def _prop_schema(gen: _Generator, schema: Any, key: str) -> Any:
    return _props(gen, schema).get(key, {})


def _types(flat: Any) -> list[str]:
    from toolcheck.generate._flatten import flat_types as types_of

    return types_of(flat) if isinstance(flat, dict) else []


def _best_code(enum: list[Any], status: int) -> Any:
    words = _CODE_WORDS.get(status, ()) + _CODE_WORDS.get(status // 100 * 100, ())
    strings = [v for v in enum if isinstance(v, str)]
    for word in words:
        for value in strings:
            if value.lower() == word:
                return value
    for word in words:
        for value in strings:
            if word in value.lower().replace("-", "_").replace(" ", "_"):
                return value
    if status in enum:
        return status
    return None


def _try_set(spec: Spec, schema: Any, body: Any, path: list[str], value: Any) -> Any:
    candidate = copy.deepcopy(body)
    node = candidate
    for key in path[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(key), dict):
            return body
        node = node[key]
    if not isinstance(node, dict):
        return body
    node[path[-1]] = value
    return candidate if is_valid(spec, schema, candidate) else body
