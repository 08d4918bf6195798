"""Does a response (or request body) conform to the operation's contract?

Used by `run` (every response), `fuzz` (every response), the mock's validation proxy and the
mock's own tests. Pure: takes status, headers and body, returns violations; no I/O.

Schemas are checked by a compiled yes/no check first (:mod:`toolcheck.checks._fastcheck`);
only an instance it cannot pass goes to ``jsonschema``, which writes every message. A run
whose responses conform thus never builds a jsonschema validator, nor imports the library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import orjson

from toolcheck.checks._fastcheck import fast_check
from toolcheck.checks.registry import FUZZ, RUN, register
from toolcheck.findings import Finding, Severity
from toolcheck.spec import MediaType, Operation, Spec

_MISSING = object()


# A response's conformance is one Finding per violation; ``Violation`` is the name its callers know.
Violation = Finding

register("status_documented", Severity.ERROR, "The response status is documented for the operation",
         commands=(RUN, FUZZ), description="""
         The status (or its `2XX`-style range, or `default`) must be among the operation's documented
         responses. An operation that documents no response at all (OpenAPI 3.1 allows it) is not held
         to any status. `fuzz` tolerates a 404 for an invalid path parameter (routers answer before any
         handler runs), a 415 for a content type the operation does not accept, and 401/403 when no
         credentials were configured (its `auth` phase reports those).""",
         hint="spec or server: document this status with its body schema, or return a documented one.")
register("content_type", Severity.ERROR, "The response content type is documented for its status",
         commands=(RUN, FUZZ), description="""
         A body's media type must match one documented for the status (exactly, by `type/*`, `*/*`, or
         any JSON media type for a `+json` one).""",
         hint="server or spec: document this content type, or send the documented one.")
register("body_json", Severity.ERROR, "A JSON response body parses as JSON",
         commands=(RUN, FUZZ), hint="server: the body is declared JSON but does not parse.")
register("body_schema", Severity.ERROR, "The response body matches its documented schema",
         commands=(RUN, FUZZ), description="""
         Validated as JSON Schema 2020-12 (OpenAPI 3.0 schemas are normalised first). In `fuzz` the
         cause is the status class and the schema location with array indexes folded (`2xx /items/*/id`),
         so a bug shows once however many responses hit it. On a 4xx, the finding says so: an agent reads
         the error body to learn what to fix.""",
         hint="server or spec: the body does not match the documented schema; fix the server, or the "
              "schema if the server is right.")
register("error_schema", Severity.ERROR, "An error (4xx) response has its documented content type and schema",
         commands=(RUN, FUZZ), description="""
         What `content_type`, `body_json` and `body_schema` check, on a 4xx response: an agent reads the
         error body to learn what to fix, so an error body that breaks its documented shape is its own
         check (switch it apart from success bodies, e.g. `--severity error_schema=warning`).""",
         hint="server: error responses must use the documented error schema so an agent can read what "
              "to fix (or document the body the server really sends).")
_ERROR_BODY_CHECKS = frozenset({"content_type", "body_json", "body_schema"})
register("required_header", Severity.ERROR, "A response header documented as required is present",
         commands=(RUN, FUZZ), hint="server or spec: send the documented header, or stop documenting it as required.")
register("header_schema", Severity.ERROR, "A documented response header matches its schema",
         commands=(RUN, FUZZ), description="Header values are read as the schema's type (integer, number, "
         "boolean, comma-separated array) before validation.",
         hint="server or spec: the header's value does not have the documented shape.")
register("allow_header", Severity.ERROR, "A 405 response says which methods the resource allows",
         commands=(RUN, FUZZ), description="""
         RFC 9110 §15.5.6: a server answering 405 Method Not Allowed MUST send an `Allow` header listing
         the methods the resource supports (§10.2.1; an empty value means none). Without it an agent
         that called the wrong method cannot learn the right one. An `Allow` that omits a method the
         spec documents for the same path is a finding too (routers that match each method's route
         apart, as Starlette does, name one route's methods only); HEAD and OPTIONS need not be
         listed (frameworks answer them for every route), and an empty `Allow` (a resource that
         allows nothing right now) is not judged. Judged on every 405, documented or not; `fuzz`
         provokes them with methods a path does not document (see `unsupported_method`).""",
         hint="server: send `Allow: GET, POST` (every method this resource supports) with every 405.")

# Methods an Allow header need not name: HEAD is GET's twin (RFC 9110 §9.3.2) and OPTIONS is
# answered by frameworks for every route (§9.3.7, CORS preflights). Schemathesis skips them too.
_IMPLICIT_METHODS = frozenset({"head", "options"})
_METHOD_ORDER = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def documented_methods(spec: Spec, path: str) -> frozenset[str]:
    """The methods the spec documents for the path template ``path`` (that template only: a
    concrete URL another template also matches may be routed to either)."""
    return frozenset(op.method.lower() for op in spec.operations if op.path == path)


def allow_header_findings(status: int, headers: Mapping[str, str], documented: frozenset[str] = frozenset(),
                          path: str = "") -> list[Finding]:
    """The ``allow_header`` check alone: a 405 without ``Allow`` (RFC 9110 §15.5.6), or whose
    ``Allow`` omits a method in ``documented`` (the methods the spec gives ``path``)."""
    if status != 405:
        return []
    value = next((v for k, v in headers.items() if k.lower() == "allow"), None)
    if value is None:
        return [Finding("allow_header", "status 405 without the Allow header RFC 9110 §15.5.6 requires", cause="405")]
    allowed = {m.strip().lower() for m in value.split(",") if m.strip()}
    if not allowed:
        return []  # "allows no methods", e.g. temporarily disabled (RFC 9110 §10.2.1)
    missing = [m for m in _METHOD_ORDER if m in documented and m not in allowed and m not in _IMPLICIT_METHODS]
    if not missing:
        return []
    return [Finding("allow_header", f"`Allow: {value[:200]}` omits {', '.join(m.upper() for m in missing)}, which "
                                    f"the spec documents for {path or 'this path'} (RFC 9110 §15.5.6: Allow lists "
                                    "the methods the resource supports)", cause="405 Allow omits documented methods")]


def schema_errors(spec: Spec, schema: Any, instance: Any, *, limit: int = 20) -> list[tuple[str, str]]:
    """:func:`toolcheck.spec.jsonschema.schema_errors`, answered by the compiled check when it
    passes ``instance``: the same verdict, without jsonschema's error walk (or its import).
    These are responses: a required ``writeOnly`` member is not required (OpenAPI 3.0.3 §4.7.25)."""
    check = fast_check(spec, schema, "response")
    if check is not None:
        try:
            if check(instance):
                return []
        except RecursionError:
            pass  # a very deep instance: jsonschema decides (and says so)
    from toolcheck.spec.jsonschema import schema_errors as full

    return full(spec, schema, instance, limit=limit, direction="response")


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


def _check_response(spec: Spec, operation: Operation, status: int, headers: Mapping[str, str], body: Any = _MISSING,
                    *, raw: bytes | None = None) -> list[Finding]:
    out: list[Finding] = allow_header_findings(status, headers, documented_methods(spec, operation.path) if status == 405
                                               else frozenset(), operation.path)
    response = operation.response_for(status)
    if response is None:
        documented = ", ".join(operation.responses) or "none"
        return out + [Finding("status_documented", f"status {status} is not documented for {operation.key} (documented: {documented})")]
    lower = {k.lower(): v for k, v in headers.items()}
    for name, header in response.headers.items():
        value = lower.get(name.lower())
        if value is None:
            if header.required:
                out.append(Finding("required_header", f"required header {name!r} is missing"))
            continue
        if header.schema:
            coerced = _coerce_header(spec, header.schema, value)
            for pointer, message in schema_errors(spec, header.schema, coerced, limit=3):
                out.append(Finding("header_schema", f"header {name!r}: {message}", pointer))
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
        out.append(Finding(
            "content_type", f"content type {content_type or '(none)'!r} is not documented for status {status} (documented: {documented})",
        ))
        return out
    if media.schema is None or not is_json(content_type):
        return out
    if body is _MISSING:
        try:
            body = orjson.loads(raw or b"")
        except orjson.JSONDecodeError as exc:
            out.append(Finding("body_json", f"the body is not valid JSON: {exc}"))
            return out
    for pointer, message in schema_errors(spec, media.schema, body):
        out.append(Finding("body_schema", message, pointer))
    return out


def check_response(
    spec: Spec,
    operation: Operation,
    status: int,
    headers: Mapping[str, str],
    body: Any = _MISSING,
    *,
    raw: bytes | None = None,
) -> list[Finding]:
    """Check one response against ``operation``'s documented responses.

    Args:
        headers: response headers (any case).
        body: the decoded JSON body when the caller already has it.
        raw: the raw body bytes (decoded here when ``body`` is not given).

    A body or content-type violation on a 4xx is named ``error_schema`` (see the registry); its
    ``cause`` keeps which of the three it was.
    """
    found = _check_response(spec, operation, status, headers, body, raw=raw)
    if 400 <= status < 500:
        return [replace(f, check="error_schema", cause=f.check) if f.check in _ERROR_BODY_CHECKS else f for f in found]
    return found


def check_request_body(spec: Spec, operation: Operation, media_type: str, body: Any) -> list[Finding]:
    """Validate a request body against the operation's documented request schema."""
    if operation.request_body is None:
        return []
    media = match_media(operation.request_body.content, media_type)
    if media is None:
        return [Finding("content_type", f"request content type {media_type!r} is not accepted "
                          f"(accepted: {', '.join(operation.request_body.content)})")]
    if media.schema is None:
        return []
    return [Finding("body_schema", message, pointer) for pointer, message in schema_errors(spec, media.schema, body)]


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
