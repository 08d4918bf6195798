"""The checks ``fuzz`` runs on every response, registered in :mod:`toolcheck.checks.registry`.

Each check is a function ``(Response) -> findings`` registered with the registry's ``@check``
decorator (its name, default severity, description and hint live there, and ``docs/checks.md``
is generated from them); :func:`evaluate` runs them in :data:`RESPONSE_CHECKS` order. The
conformance checks (status, content type, headers, body) are the ones ``run`` uses too
(:mod:`toolcheck.checks.conformance`), under the same names. Each finding carries a *cause*
(what makes two findings the same bug: the status for a 5xx, the schema location for a body
violation, the violated keyword and field for accepted invalid input). False positives are
avoided on purpose:

* a lenient negative (header/cookie value, sniffed content type) may be accepted;
* a negative in a path parameter may get 404 (routers reject unknown paths before any
  handler runs), even when 404 is not documented;
* a positive request may get 401/403/404/409/410/429 (missing data or permissions are not a
  rejection of the payload's shape);
* auth checks only run on operations whose security is required (no ``{}`` alternative).

The checks of the stateful and auth phases are decided by the runner (they span several
requests); they are registered here too, so that they are documented and switchable.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.checks.conformance import allow_header_findings, check_response, documented_methods, is_json
from toolcheck.checks.registry import FUZZ, check, hint_for, register
from toolcheck.findings import Finding, Severity
from toolcheck.fuzz.http import Exchange
from toolcheck.payloads.case import Case
from toolcheck.payloads.methods import is_probe
from toolcheck.spec import Operation, Spec

POSITIVE_REJECTIONS = frozenset({400, 405, 406, 411, 413, 414, 415, 422, 431})
_INDEX = re.compile(r"/\d+(?=/|$)")
# What varies between two responses to the same bug: ids, numbers, timestamps, echoed quoted input.
_VOLATILE = re.compile(r"[A-Za-z0-9_.:+-]*\d[A-Za-z0-9_.:+-]*|'[^'\n]{0,200}'|`[^`\n]{0,200}`")

# A fuzz finding is the shared Finding; ``Failure`` is the name the fuzz modules know it by.
Failure = Finding

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


def make_failure(check_name: str, cause: str, message: str, violations: tuple[Mapping[str, Any], ...] = (), *,
            hint: str = "", operation: str = "", severity: Severity = Severity.ERROR) -> Finding:
    """A fuzz finding: ``check_name``'s default hint unless a more specific one is given."""
    return Finding(check_name, message, cause=cause, hint=hint or hint_for(check_name), evidence=violations,
                   operation=operation, severity=severity)


def _inputs(value: Any, out: set[str], depth: int = 0) -> None:
    """Every scalar the request carried (what an error message may echo back)."""
    if isinstance(value, dict) and depth < 20:
        for item in value.values():
            _inputs(item, out, depth + 1)
    elif isinstance(value, (list, tuple)) and depth < 20:
        for item in value[:200]:
            _inputs(item, out, depth + 1)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value)
        if 3 <= len(text) <= 2000 and len(out) < 500:
            out.add(text)


def body_signature(body: bytes | str | None, echoes: Any = ()) -> str:
    """A short fingerprint of an error body, stable across the inputs that trigger the same bug.

    Two 500s of one operation are one finding only if their bodies say the same thing once the
    request's own values (``echoes``: "The 'RgJd' kernel is not available"), ids, numbers and
    quoted text are blanked ("KeyError: ..." vs "TypeError: ..." stay distinct). Empty bodies
    have no signature.
    """
    if not body:
        return ""
    text = body[:8000].decode("utf-8", "replace") if isinstance(body, bytes) else body[:8000]
    values: set[str] = set()
    _inputs(echoes, values)
    for value in sorted(values, key=len, reverse=True):
        if value in text:
            text = text.replace(value, "#")
    normal = " ".join(_VOLATILE.sub("#", text).split())
    return hashlib.sha1(normal.encode()).hexdigest()[:6] if normal else ""


@dataclass(frozen=True)
class Response:
    """What every response check reads: the operation, the case sent, and what came back."""

    spec: Spec
    op: Operation
    case: Case
    exchange: Exchange
    max_response_time: float | None = None
    anonymous: bool = False

    @property
    def what(self) -> str:
        return self.case.label or ("invalid request" if self.case.negative else "valid request")


# Registered for documentation and --severity; decided by the runner's stateful and auth phases.
register("auth_not_enforced", Severity.ERROR, "A secured operation refuses requests without valid credentials",
         commands=(FUZZ,), description="""
         The `auth` phase sends a valid request to each operation whose security is required (no `{}`
         alternative) with no credentials, then with invalid ones (not against `--mock`, which accepts
         any well-formed credential). A 2xx is a finding.""",
         hint="server: this operation is documented as secured but answered without valid credentials.")
register("resource_not_readable", Severity.ERROR, "A created resource can be read back",
         commands=(FUZZ,), description="""
         The `stateful` phase follows create → read chains (OpenAPI links, or inferred from paths and
         ids): a 404/410 when reading what a 2xx create returned is a finding.""",
         hint="server: a resource the API reported as created cannot be read back.")
register("deleted_still_readable", Severity.ERROR, "A deleted resource is gone",
         commands=(FUZZ,), description="After a 2xx delete in a stateful chain, reading the resource again "
         "must not succeed.",
         hint="server: a resource the API reported as deleted can still be read.")


def normalise_pointer(pointer: str) -> str:
    """``/data/3/id`` → ``/data/*/id``: one cause for every array index."""
    return _INDEX.sub("/*", pointer)


def conformance(spec: Spec, op: Operation, exchange: Exchange, *, tolerated: frozenset[int] = frozenset()) -> list[Failure]:
    """Status, content type, headers and body against the documented response (the checks ``run`` uses)."""
    out: list[Failure] = []
    status = exchange.status
    if status >= 500 or status == 0:
        return out
    try:
        violations = check_response(spec, op, status, exchange.response_headers, raw=exchange.response_body)
    except Exception as exc:  # an unevaluable schema is a spec problem, not a finding about the server
        return [make_failure("body_schema", "unevaluable", f"the documented schema cannot be evaluated: {exc}")]
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for v in violations:
        if v.severity is not Severity.ERROR:
            continue
        if v.check == "status_documented":
            if not op.responses or status in tolerated:
                continue
            cause = str(status)
        elif v.check in ("body_schema", "body_json", "error_schema"):
            cause = f"{status // 100}xx {normalise_pointer(v.pointer) or '/'}"
        elif "content_type" in (v.check, v.cause):
            cause = f"{status} content type"
        elif v.check == "allow_header":
            cause = v.cause
        else:
            cause = v.message.split(":", 1)[0]
        grouped.setdefault((v.check, cause), []).append(v)
    for (name, cause), items in grouped.items():
        first = items[0]
        where = f" at {first.pointer}" if first.pointer else ""
        message = f"HTTP {status}: {first.message}{where}"
        if len(items) > 1:
            message += f" (+{len(items) - 1} more)"
        out.append(make_failure(name, cause, message, tuple(v.to_dict() for v in items[:10])))
    return out


@check("transport_error", Severity.ERROR, "The target answers at all", commands=(FUZZ,), description="""
       A connection refused, reset or timed out on a request is a finding (the cause is the error's
       type). After three in a row the operation is abandoned: a hanging target does not eat the budget.""",
       hint="server: the connection failed or hung on this input (crash, timeout or reset).")
def _transport_error(r: Response) -> list[Failure]:
    error = r.exchange.error
    return [make_failure("transport_error", error.split(":", 1)[0], f"no response for {r.case.label or 'this request'}: {error}")]


@check("server_error", Severity.ERROR, "No 5xx for any request", commands=(FUZZ,), description="""
       Any 5xx answer is a finding, valid request or not. The cause is the status plus a signature
       of the response body with the request's own values, ids and numbers blanked, so two
       different 500s of one operation are two findings. A 5xx other than 500 that the operation
       documents (a 501 "not implemented") is a warning naming where the spec documents it; a
       500 is "an unexpected condition" (RFC 9110 §15.6.1), a bug even when documented. A 503 (or
       429) is first sent once more after its `Retry-After` (delay-seconds or HTTP-date, RFC 9110
       §10.2.3; 1 s without one; not when it asks for more than 5 s or the budget's end is nearer):
       only one that persists is judged, and its finding says it was retried.""",
       hint="server: handle this input and answer with a documented 4xx carrying the error body; "
            "a 5xx tells the agent nothing it can fix.")
def _server_error(r: Response) -> list[Failure]:
    status = r.exchange.status
    if status < 500:
        return []
    case = r.case
    signature = body_signature(r.exchange.response_body, [case.body if case.body is not ABSENT else None, case.query,
                                                          case.path_params, case.headers, case.cookies])
    cause = f"{status} {signature}" if signature else str(status)
    documented = r.op.responses.get(str(status)) if status != 500 else None
    if documented is not None:
        # OAS 3.1 §4.8.16: the operation says it may answer this status (501, 503 ...).
        description = (getattr(documented, "description", "") or "").strip().splitlines()
        said = f": {description[0][:120]!r}" if description else ""
        return [make_failure("server_error", f"{cause} documented",
                             f"HTTP {status} for {r.what}; the spec documents it at "
                             f"paths.{r.op.path}.{r.op.method}.responses.{status}{said}",
                             hint="spec or server: the spec says this request may fail with this status; if a "
                                  "valid request should succeed, fix the server, else keep it documented.",
                             severity=Severity.WARNING)]
    return [make_failure("server_error", cause, f"HTTP {status} for {r.what}")]


def _conformance(r: Response) -> list[Failure]:
    tolerated: set[int] = set()
    if r.case.pointer.startswith("path/") and (r.case.negative or r.case.keyword == "edge"):
        # routers reject malformed path segments before any handler runs; a valid id drawn from
        # its pattern names a resource that need not exist
        tolerated.add(404)
    if r.case.negative and r.case.keyword == "contentType":
        tolerated.add(415)  # the textbook answer to a content type the operation does not accept
    if r.anonymous:
        tolerated.update((401, 403))  # no credentials configured: the auth phase reports these
    return conformance(r.spec, r.op, r.exchange, tolerated=frozenset(tolerated))


@check("negative_accepted", Severity.ERROR, "A request that violates the spec is rejected", commands=(FUZZ,),
       description="""
       Each negative case violates one documented constraint (proven: the schema's validator rejects it),
       so a 2xx means the server accepted invalid input. Lenient negatives (a header or cookie value, a
       sniffed content type) may be accepted. The cause is the keyword and the field
       (`enum at body/status`). A warning, not an error, when the 2xx answer shows the value was not
       applied: the field comes back with the server's own value of another type (the invalid one was
       ignored), or `null` sent comes back `null` (the field is nullable in practice: the spec's gap,
       also reported by `body_schema` on the answer).""",
       hint="server: validate input against the documented constraint and reject it with a 4xx; "
            "or relax the spec if the value is really allowed.")
def _negative_accepted(r: Response) -> list[Failure]:
    case, status = r.case, r.exchange.status
    if not (case.negative and 200 <= status < 300 and not case.lenient):
        return []
    field_ = normalise_pointer(case.pointer)
    why = _not_applied(case, r.exchange)
    if why is not None:
        suffix, shows, hint = why
        return [make_failure("negative_accepted", f"{case.keyword} at {field_} {suffix}",
                             f"HTTP {status} for an invalid request ({r.what}, violates `{case.keyword}` at "
                             f"{case.pointer}), but the response carries {shows}", severity=Severity.WARNING,
                             hint=hint)]
    return [make_failure("negative_accepted", f"{case.keyword} at {field_}",
                    f"HTTP {status} accepted an invalid request: {r.what} (violates `{case.keyword}` at {case.pointer})",
                    hint=_NEGATIVE_HINTS.get(case.keyword, ""))]


_MISSING = object()


def _at(document: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(document, dict) and part in document:
            document = document[part]
        elif isinstance(document, list) and part.isdigit() and int(part) < len(document):
            document = document[int(part)]
        else:
            return _MISSING
    return document


def _json_kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def _not_applied(case: Case, exchange: Exchange) -> tuple[str, str, str] | None:
    """Why a 2xx to an invalid body value is not "invalid input accepted": ``(cause suffix,
    what the answer shows, hint)``, or None when it is.

    The answer (a resource representation) shows the field where the value was sent:

    * with another JSON type that is not a coercion of what was sent (``123`` sent for a string,
      ``"report.txt"`` or ``null`` answered: jupyter's PUT /api/contents/{path} takes name and
      path from the URL, and without content saves no format): the server ignored the value
      rather than applying it;
    * ``null`` sent and ``null`` answered: the server treats null as "no value", the field is
      nullable in practice and the spec's gap is the answer's schema violation (``body_schema``).

    Both are warnings. A truncated string, a case-folded enum or a coerced ``"5"`` → ``5``
    keep the error: the server applied what it was sent.
    """
    if not case.pointer.startswith("body/") or case.body is ABSENT:
        return None
    parts = case.pointer[len("body/"):].split("/")
    sent = _at(case.body, parts)
    echoed = _at(exchange.json(), parts)
    if sent is _MISSING or echoed is _MISSING:
        return None
    if sent is None and echoed is None:
        return ("null kept", "null there too: the server treats null as no value",
                "spec: the server reads and writes null for this field; declare it nullable "
                "(`nullable: true` in OpenAPI 3.0, `type: [..., \"null\"]` in 3.1).")
    if _json_kind(sent) == _json_kind(echoed) or str(sent).lower() == str(echoed).lower():
        return None
    return ("ignored", f"{clip_value(echoed)} there: the server ignored the invalid value rather than applying it",
            "server: an ignored invalid field is still worth a 4xx naming it, so an agent learns its value "
            "was not used.")


def clip_value(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


@check("positive_rejected", Severity.ERROR, "A request that satisfies the spec is not rejected as malformed",
       commands=(FUZZ,), description="""
       A valid request answered 400, 405, 406, 411, 413, 414, 415, 422 or 431 is a finding, when its wire
       form is unambiguous (a JSON or no body, a path naming one operation) and the operation documents a
       success. 401/403/404/409/410/429 are not: missing data or permissions are not a rejection of the
       payload's shape.""",
       hint="server or spec: a request that satisfies the spec was rejected; the spec promises "
            "more than the server accepts (tighten the spec or fix the server).")
def _positive_rejected(r: Response) -> list[Failure]:
    case, op, status = r.case, r.op, r.exchange.status
    documents_success = any(k.startswith("2") or k.lower() == "default" for k in op.responses)
    exact_wire = (case.media_type is None or is_json(case.media_type.split(";")[0].strip().lower())) and "#" not in op.path
    # (a lenient positive holds an extreme value the spec allows: refusing it is defensible, a 5xx is not)
    if not case.negative and not case.lenient and status in POSITIVE_REJECTIONS and documents_success and exact_wire:
        return [make_failure("positive_rejected", str(status), f"HTTP {status} rejected a request that satisfies the spec ({r.what})")]
    return []


@check("response_time", Severity.ERROR, "Each response arrives within --max-response-time", commands=(FUZZ,),
       description="Only with `--max-response-time`: a slower response is a finding.",
       hint="server: the response was slower than the --max-response-time budget.")
def _response_time(r: Response) -> list[Failure]:
    budget = r.max_response_time
    if budget is None or r.exchange.elapsed <= budget:
        return []
    return [make_failure("response_time", "slow", f"took {r.exchange.elapsed * 1000:.0f} ms (budget {budget * 1000:.0f} ms)")]


@check("unsupported_method", Severity.ERROR, "A method the path does not document is refused with 405",
       commands=(FUZZ,), description="""
       Once per path and method, `fuzz` sends a valid request of the path with each of GET, PUT, POST,
       DELETE, PATCH and TRACE the spec does not document for it (nor for a template of the same shape,
       `/flows/{id}` for `/flows/filter`). RFC 9110 §15.5.6 wants 405 with an `Allow` header (the
       `allow_header` check). A 2xx is an error: the server does something the spec does not say.
       Another 4xx (400, 404 on a path without parameters, 422) is a warning: the method is refused, with
       an imprecise status. Not findings: 501 (a method the server does not implement at all, RFC 9110
       §15.6.2), 404 on a path with parameters (the router may not know the id), 401/403 (authentication
       and CSRF layers refuse before method dispatch), 429, 3xx (a login or slash redirect), and 5xx
       (the `server_error` check reports those). The cause is the status plus a signature of the
       answer's body, whatever the method and path: one router behaviour is one finding, listing
       every operation it was seen on.""",
       hint="server: answer a method the resource does not support with 405 and an Allow header; or "
            "document the method in the spec if the server supports it.")
def _unsupported_method(r: Response) -> list[Failure]:
    status = r.exchange.status
    method = r.case.method.upper()
    if status == 405 or status == 501 or status == 429 or 300 <= status < 400 or status >= 500:
        return []
    if status == 404 and "{" in r.op.path:
        return []
    if status in (401, 403):
        return []  # authentication and CSRF layers refuse before method dispatch (jupyter's XSRF 403)
    # The router's answer, whatever the method and path: one cause (status and body signature,
    # as for 5xx) is one finding over every operation it shows on (SERVER_WIDE).
    signature = body_signature(r.exchange.response_body, [r.case.path_params, r.case.query])
    cause = f"{status} {signature}" if signature else str(status)
    if 200 <= status < 300:
        return [make_failure("unsupported_method", cause,
                             f"HTTP {status} for {method} {r.op.path}, a method the spec does not document for this path")]
    return [make_failure("unsupported_method", cause,
                         f"HTTP {status} for {method} {r.op.path} (not documented for this path): refused, but "
                         "RFC 9110 §15.5.6 answers a method the resource does not support with 405",
                         severity=Severity.WARNING)]


def _probe_checks(r: Response) -> list[Failure]:
    found = [make_failure("allow_header", v.cause, f"HTTP 405 for {r.case.method.upper()} {r.op.path}: {v.message}")
             for v in allow_header_findings(r.exchange.status, r.exchange.response_headers,
                                            documented_methods(r.spec, r.op.path), r.op.path)]
    # 501 is the answer RFC 9110 §15.6.2 gives a method the server does not implement at all
    errors = _server_error(r) if r.exchange.status != 501 else []
    return errors + found + _unsupported_method(r) + _response_time(r)


# Checks about how the server dispatches methods, not about one operation: a finding of one of
# them is keyed by its cause alone and lists every operation it showed on (toolcheck.fuzz.findings).
SERVER_WIDE = frozenset({"unsupported_method", "allow_header"})

# The conformance checks (shared with run): on a 4xx, any of them means the error is unreadable.
CONFORMANCE = frozenset({"status_documented", "content_type", "body_json", "body_schema", "error_schema",
                         "required_header", "header_schema"})

# The order findings of one response are reported in (and shrunk, first failure first).
RESPONSE_CHECKS: tuple[Callable[[Response], list[Failure]], ...] = (
    _server_error, _conformance, _negative_accepted, _positive_rejected, _response_time,
)


def evaluate(spec: Spec, op: Operation, case: Case, exchange: Exchange, *,
             max_response_time: float | None = None, anonymous: bool = False) -> list[Failure]:
    """Every check that applies to one (case, response) pair."""
    response = Response(spec, op, case, exchange, max_response_time, anonymous)
    if exchange.error:
        return _transport_error(response)
    if is_probe(case, op):  # the operation's documented responses do not describe another method's
        return _probe_checks(response)
    return [found for run in RESPONSE_CHECKS for found in run(response)]
