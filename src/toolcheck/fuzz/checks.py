"""The checks ``fuzz`` runs on every response: pure functions of (case, exchange) → failures.

Hand-written. Each :class:`Failure` names its check, a *cause* (what makes two failures the
same bug: the status for a 5xx, the schema location for a body violation, the violated
keyword and field for accepted invalid input) and a hint that says whether the fix belongs in
the spec or the server. False positives are avoided on purpose:

* a lenient negative (header/cookie value, sniffed content type) may be accepted;
* a negative in a path parameter may get 404 (routers reject unknown paths before any
  handler runs), even when 404 is not documented;
* a positive request may get 401/403/404/409/410/429 (missing data or permissions are not a
  rejection of the payload's shape);
* auth checks only run on operations whose security is required (no ``{}`` alternative).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from toolcheck.checks.conformance import check_response, is_json
from toolcheck.fuzz.http import Exchange
from toolcheck.payloads.case import Case
from toolcheck.spec import Operation, Spec

POSITIVE_REJECTIONS = frozenset({400, 405, 406, 411, 413, 414, 415, 422, 431})
_INDEX = re.compile(r"/\d+(?=/|$)")

HINTS = {
    "server_error": "server: handle this input and answer with a documented 4xx carrying the error body; "
                    "a 5xx tells the agent nothing it can fix.",
    "transport_error": "server: the connection failed or hung on this input (crash, timeout or reset).",
    "undocumented_status": "spec or server: document this status with its body schema, or return a documented one.",
    "response_schema": "server or spec: the body does not match the documented schema; fix the server, or the "
                       "schema if the server is right.",
    "error_schema": "server: error responses must use the documented error schema so an agent can read what "
                    "to fix (or document the body the server really sends).",
    "content_type": "server or spec: document this content type, or send the documented one.",
    "response_headers": "server or spec: a documented response header is missing or has the wrong shape.",
    "negative_accepted": "server: validate input against the documented constraint and reject it with a 4xx; "
                         "or relax the spec if the value is really allowed.",
    "positive_rejected": "server or spec: a request that satisfies the spec was rejected; the spec promises "
                         "more than the server accepts (tighten the spec or fix the server).",
    "auth_not_enforced": "server: this operation is documented as secured but answered without valid credentials.",
    "resource_not_readable": "server: a resource the API reported as created cannot be read back.",
    "deleted_still_readable": "server: a resource the API reported as deleted can still be read.",
    "response_time": "server: the response was slower than the --max-response-time budget.",
}


_NEGATIVE_HINTS = {
    "additionalProperties": "server: an unknown field was silently accepted, so an agent believes it was applied; "
                            "reject unknown fields with a 4xx naming them, or drop `additionalProperties: false` "
                            "from the spec if they are really ignored on purpose.",
    "enum": "server: validate the value against the documented enum and name the allowed values in the 4xx; "
            "LLMs often send near-misses ('Completed' for 'completed').",
    "type": "server: reject values of the wrong type (a number sent as a string, null for an optional field) "
            "with a 4xx that says which type is expected; or widen the schema if the server coerces on purpose.",
    "format": "server: validate the documented format (e.g. RFC 3339 dates) and say which format is expected.",
    "required": "server: reject a request that lacks a required field with a 4xx naming the field.",
}


@dataclass(frozen=True)
class Failure:
    """One failed check on one response."""

    check: str
    cause: str
    message: str
    violations: tuple[dict[str, str], ...] = field(default_factory=tuple)
    specific_hint: str = ""

    @property
    def hint(self) -> str:
        return self.specific_hint or HINTS.get(self.check, "")


def normalise_pointer(pointer: str) -> str:
    """``/data/3/id`` → ``/data/*/id``: one cause for every array index."""
    return _INDEX.sub("/*", pointer)


def conformance(spec: Spec, op: Operation, exchange: Exchange, *, tolerated: frozenset[int] = frozenset()) -> list[Failure]:
    """Status, content type, headers and body against the documented response."""
    out: list[Failure] = []
    status = exchange.status
    if status >= 500 or status == 0:
        return out
    try:
        violations = check_response(spec, op, status, exchange.response_headers, raw=exchange.response_body)
    except Exception as exc:  # an unevaluable schema is a spec problem, not a finding about the server
        return [Failure("response_schema", "unevaluable", f"the documented schema cannot be evaluated: {exc}")]
    error_status = 400 <= status < 500
    grouped: dict[tuple[str, str], list[Any]] = {}
    for v in violations:
        if v.severity != "error":
            continue
        if v.check == "status_documented":
            if not op.responses or status in tolerated:
                continue
            check, cause = "undocumented_status", str(status)
        elif v.check in ("body_schema", "body_json"):
            check = "error_schema" if error_status else "response_schema"
            cause = f"{status // 100}xx {normalise_pointer(v.pointer) or '/'}"
        elif v.check == "content_type":
            check = "error_schema" if error_status else "content_type"
            cause = f"{status} content type"
        else:
            check, cause = "response_headers", v.message.split(":", 1)[0]
        grouped.setdefault((check, cause), []).append(v)
    for (check, cause), items in grouped.items():
        first = items[0]
        where = f" at {first.pointer}" if first.pointer else ""
        message = f"HTTP {status}: {first.message}{where}"
        if len(items) > 1:
            message += f" (+{len(items) - 1} more)"
        out.append(Failure(check, cause, message, tuple(v.to_dict() for v in items[:10])))
    return out


def evaluate(spec: Spec, op: Operation, case: Case, exchange: Exchange, *,
             max_response_time: float | None = None, anonymous: bool = False) -> list[Failure]:
    """Every check that applies to one (case, response) pair."""
    if exchange.error:
        return [Failure("transport_error", exchange.error.split(":", 1)[0],
                        f"no response for {case.label or 'this request'}: {exchange.error}")]
    status = exchange.status
    out: list[Failure] = []
    what = case.label or ("invalid request" if case.negative else "valid request")
    if status >= 500:
        out.append(Failure("server_error", str(status), f"HTTP {status} for {what}"))
    tolerated: set[int] = set()
    if case.negative and case.pointer.startswith("path/"):
        tolerated.add(404)  # routers reject malformed path segments before any handler runs
    if case.negative and case.keyword == "contentType":
        tolerated.add(415)  # the textbook answer to a content type the operation does not accept
    if anonymous:
        tolerated.update((401, 403))  # no credentials configured: the auth phase reports these
    out.extend(conformance(spec, op, exchange, tolerated=frozenset(tolerated)))
    if case.negative and 200 <= status < 300 and not case.lenient:
        field_ = normalise_pointer(case.pointer)
        out.append(Failure("negative_accepted", f"{case.keyword} at {field_}",
                           f"HTTP {status} accepted an invalid request: {what} (violates `{case.keyword}` at {case.pointer})",
                           specific_hint=_NEGATIVE_HINTS.get(case.keyword, "")))
    # A positive is "rejected" only when its wire form is unambiguous: JSON (or no) body, a path
    # that names one operation, and an operation that documents success at all.
    documents_success = any(k.startswith("2") or k.lower() == "default" for k in op.responses)
    exact_wire = (case.media_type is None or is_json(case.media_type.split(";")[0].strip().lower())) and "#" not in op.path
    if not case.negative and status in POSITIVE_REJECTIONS and documents_success and exact_wire:
        out.append(Failure("positive_rejected", str(status), f"HTTP {status} rejected a request that satisfies the spec ({what})"))
    if max_response_time is not None and exchange.elapsed > max_response_time:
        out.append(Failure("response_time", "slow", f"took {exchange.elapsed * 1000:.0f} ms (budget {max_response_time * 1000:.0f} ms)"))
    return out
