"""The pure responder: one request in, one response out, no sockets.

``Mock(spec, ...)`` compiles what every request needs once (routes, validated examples,
inferred resources); :func:`respond` (or ``Mock.handle``) answers a :class:`MockRequest`.
Adapters (``transport.py`` for httpx, ``server.py`` for ASGI) only translate and apply the
returned delay/fault. The order of decisions follows what a real API does: route (404/405),
injected fault, authentication (401), parameters and body (400/415/422), then the answer:
``Prefer: code=`` or the lowest documented 2xx; ``Prefer: example=`` or the first valid
example, else a generated body seeded by (seed, operation, request) so different requests
get different bodies and the same request the same body. Stateful mode lives in ``_stateful``.

Answers to identical requests are memoised (a small LRU) when nothing else can change them
(no faults, no stateful resource involved): the responder is a pure function of its input.
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import orjson

from toolcheck.checks.conformance import is_json
from toolcheck.mock import faults as faults_mod
from toolcheck.mock._echo import echo_ids
from toolcheck.mock._encode import dumps_json, encode_body
from toolcheck.mock._errors import error_body, error_status
from toolcheck.mock._params import Issue, validate_params
from toolcheck.mock._routing import NoMatch, Router
from toolcheck.mock._security import check_security, subject_of
from toolcheck.mock._validate import check_body
from toolcheck.mock.examples import Examples
from toolcheck.mock.faults import Fault, FaultConfig
from toolcheck.mock.generate import GenerationError, generate_value, with_derived_totals
from toolcheck.mock.state import Store, infer_resources, items_above
from toolcheck.spec.visibility import flags_in, strip
from toolcheck.wire.auth import parse_token_option
from toolcheck.wire.read import parse_query

if TYPE_CHECKING:
    from toolcheck.spec import Operation, Response, Spec

__all__ = ["Mock", "MockRequest", "MockResponse", "respond"]

MAX_BODY = 10 * 1024 * 1024
_CACHE_SIZE = 4096
_CACHE_BYTES = 64 * 1024 * 1024
_CACHE_MAX_ANSWER = 1024 * 1024
_CACHE_MAX_BODY = 64 * 1024
_NO_CONTENT = frozenset({204, 205, 304})
# The status answered for an operation that documents only a range. For `4XX`, 404: the request is
# valid, so "400 your request is wrong" would be false, while "no such thing here" is what a spec
# documenting only failures most plausibly means (and what checkers accept for valid input).
_HOST = re.compile(r"[A-Za-z0-9.\-]{1,253}(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](?::[0-9]{1,5})?")
_RANGE_STATUS = {"2": 200, "3": 300, "4": 404, "5": 500}


@dataclass(frozen=True)
class MockRequest:
    """An HTTP request as the responder sees it.

    Attributes:
        method: ``GET``, ``POST`` ...
        path: the raw (percent-encoded) path, without the query.
        query: the raw query string, without ``?``.
        headers: header names in lower case.
        body: the raw body.
    """

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class MockResponse:
    """The answer, plus what the adapters and the request log need.

    Attributes:
        delay: seconds to wait before answering (latency faults).
        fault: the injected fault, if any (``timeout`` means: never answer).
        issues: request violations found (the log counts them).
        source: ``example``, ``generated``, ``state``, ``error``.
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    operation: str | None = None
    issues: tuple[Issue, ...] = ()
    fault: Fault | None = None
    delay: float = 0.0
    source: str = ""


def parse_prefer(value: str) -> dict[str, str]:
    """``Prefer: code=404, example=foo, dynamic=true`` → dict (RFC 7240; Prism's keys)."""
    out: dict[str, str] = {}
    for part in value.replace(";", ",").split(","):
        key, sep, raw = part.strip().partition("=")
        if key:
            out[key.strip().lower()] = raw.strip().strip('"') if sep else "true"
    return out


class Mock:
    """A compiled mock of ``spec``; thread-safe for concurrent :meth:`handle` calls.

    Args:
        spec: the loaded spec.
        seed: seeds generated bodies and fault draws.
        dynamic: always generate bodies (ignore examples), like Prism's ``--dynamic``.
        stateful: keep created resources (see :mod:`toolcheck.mock.state`).
        validate: validate requests (params, body, content type, security).
        faults: server-wide fault injection.
        tokens: when given, the only accepted credentials (bearer tokens, API keys, ``user:password``),
            each ``VALUE`` or ``VALUE=SCOPE,...`` (the scopes it holds).
        strict_scopes: a credential that names no scopes holds none (default: all).
    """

    def __init__(
        self,
        spec: Spec,
        *,
        seed: int = 0,
        dynamic: bool = False,
        stateful: bool = False,
        validate: bool = True,
        faults: FaultConfig | None = None,
        tokens: Collection[str] | None = None,
        cache: bool = True,
        strict_scopes: bool = False,
    ) -> None:
        self.spec = spec
        self.seed = seed
        self.dynamic = dynamic
        self.stateful = stateful
        self.validate = validate
        self.faults = faults or FaultConfig()
        parsed = [parse_token_option(t) for t in tokens or ()]
        self.tokens = frozenset(value for value, _ in parsed) or None
        self.scope_map = {value: scopes for value, scopes in parsed if scopes is not None}
        self.strict_scopes = strict_scopes
        self.router = Router(spec)
        self.examples = Examples(spec)
        self.all_resources = infer_resources(spec)
        self.resources = self.all_resources if stateful else {}
        # Paths below an item (`/tags/{id}/sites`) answer 404 once the item is deleted: in stateful
        # mode their answers depend on the store, so they are never cached.
        self._below_items = {path for path in (op.path.rstrip("/") or "/" for op in spec.operations)
                             if items_above(self.all_resources, path)} if stateful else set()
        self.store = Store()
        self.creates = 0
        self._fault_rng = random.Random(seed)
        self.state_lock = threading.Lock()  # guards the stateful store and the create sequence (mock._stateful)
        self._cache: OrderedDict[Any, MockResponse] | None = OrderedDict() if cache else None
        self._cache_bytes = 0
        self._seeds: dict[str, set[str]] = {}

    def seeded(self, resource: Any, key: str) -> bool:
        """Whether the spec's own examples name item ``key`` of ``resource`` (its path parameter's
        examples, the id of its documented example bodies): in stateful mode such an item reads
        as existing, so a scenario written from the spec's examples can read it uncreated."""
        found = self._seeds.get(resource.item)
        if found is None:
            found = set()
            for op in self.spec.operations:
                if (op.path.rstrip("/") or "/") != resource.item:
                    continue
                param = op.parameter(resource.id_param, "path")
                if param is not None:
                    found.update(str(v) for v in [param.example, *param.examples.values()]
                                 if isinstance(v, (str, int)) and not isinstance(v, bool))
                for response in op.responses.values():
                    for media in response.content.values():
                        for value in media.examples.values():
                            _collect_ids(value, resource, found)
            self._seeds[resource.item] = found
        return key in found

    @property
    def problems(self) -> list[str]:
        """Examples in the spec that violate their own schema (they are not served)."""
        return self.examples.problems

    def handle(self, request: MockRequest) -> MockResponse:
        """Answer ``request``. Never raises; any input gets a documented or RFC 9457 answer."""
        key = None
        if self._cache is not None and not self.faults.active and len(request.body) <= _CACHE_MAX_BODY:
            key = (request.method, request.path, request.query, request.body,
                   tuple(sorted(request.headers.items())))
            hit = self._cache.get(key)
            if hit is not None:
                return hit
        try:
            response, cacheable = self._handle(request)
            if response.status == 405 and not any(k.lower() == "allow" for k, _ in response.headers):
                response = self._with_allow(response, request)  # a documented 405 the spec chose
            if "origin" in request.headers:  # CORS on, as Prism does, so browser agents can call it
                response = _with_cors(response, request)
        except Exception as exc:  # a bug of ours: say so, never crash the server
            body = orjson.dumps({"type": "about:blank", "title": "Internal Server Error", "status": 500,
                                 "detail": f"the mock failed: {type(exc).__name__}: {str(exc)[:200]}"})
            return MockResponse(500, (("content-type", "application/problem+json"),), body, source="error")
        if key is not None and cacheable and self._cache is not None and len(response.body) <= _CACHE_MAX_ANSWER:
            with self.state_lock:
                self._cache[key] = response
                self._cache_bytes += len(response.body) + len(request.body)
                while len(self._cache) > _CACHE_SIZE or self._cache_bytes > _CACHE_BYTES:
                    old_key, old = self._cache.popitem(last=False)
                    self._cache_bytes -= len(old.body) + len(old_key[3])
        return response

    # --- the pipeline --------------------------------------------------------------------
    def _handle(self, request: MockRequest) -> tuple[MockResponse, bool]:
        method = request.method.upper()
        headers = request.headers
        if method == "OPTIONS" and "access-control-request-method" in headers:  # CORS preflight
            return MockResponse(204, (), b"", source="cors"), True
        matched = self.router.match(method, request.path, request.query)
        if isinstance(matched, NoMatch):
            return self._no_match(method, request.path, matched.allowed), True
        op, path_params = matched.operation, matched.params
        prefer = parse_prefer(headers.get("prefer", "")) if "prefer" in headers else {}
        raw_query = request.query
        if "__" in raw_query:  # Prism's query form of Prefer: ?__code=404&__example=x&__dynamic=true
            kept = []
            for key, value in parse_query(raw_query):
                if key in ("__code", "__example", "__dynamic", "__fault"):
                    prefer.setdefault(key[2:], value)
                else:
                    kept.append((key, value))
            raw_query = urlencode(kept)
        rng = self._rng(op, request)

        fault, delay = self._fault(prefer)
        if fault is not None and fault.kind == "timeout":
            return MockResponse(504, (), b"", op.operation_id, fault=fault, delay=fault.delay, source="fault"), False
        if fault is not None and fault.kind == "error":
            return self._fault_error(op, fault, rng, delay), False

        if len(request.body) > MAX_BODY:
            return self.error_response(op, 413, [Issue("/body", f"the body is larger than {MAX_BODY} bytes", "body")], rng), True
        decoded: Any = None
        values: dict[str, Any] = {}
        if self.validate:
            failure = check_security(self.spec, op, headers, raw_query, self.tokens, method=request.method,
                                     path=request.path, scope_map=self.scope_map, strict_scopes=self.strict_scopes)
            if failure is not None:
                issue = Issue("/headers/authorization", failure.message, "security")
                if failure.status != 401:  # a valid credential lacking a scope: 403 (RFC 6750 §3.1)
                    return self.error_response(op, failure.status, [issue], rng,
                                       extra=(("www-authenticate", failure.challenge),)), True
                status = _auth_status(op)
                # RFC 9110 §11.6.1: a 401 carries its challenge; a 403 refuses whatever is sent.
                extra: tuple[tuple[str, str], ...] = (("www-authenticate", failure.challenge),) if status == 401 else ()
                return self.error_response(op, status, [issue], rng, extra=extra, exact=True), True
            query = parse_query(raw_query) if raw_query else []
            values, issues = validate_params(self.spec, op, path_params, query, headers)
            status, body_issues, decoded = check_body(self.spec, op, headers.get("content-type"), request.body)
            if issues or body_issues:
                status = 415 if status == 415 else 400 if issues else status or 400
                return self.error_response(op, status, issues + body_issues, rng), True
        elif request.body and "json" in headers.get("content-type", ""):
            try:
                decoded = orjson.loads(request.body)
            except orjson.JSONDecodeError:
                decoded = None

        if self.stateful and not prefer.get("code") and self.store.deleted:
            from toolcheck.mock._stateful import under_deleted

            gone = under_deleted(self, op, path_params, rng)
            if gone is not None:
                return gone, False
        stateful = self.stateful and not prefer.get("code") and (op.path.rstrip("/") or "/") in self.resources
        if stateful:
            from toolcheck.mock._stateful import answer

            subject = subject_of(self.spec, op, headers, raw_query, self.scope_map) if op.security else None
            handled = answer(self, op, path_params, decoded, rng, values, subject)
            if handled is not None:
                if fault is not None or delay:
                    handled = _with_fault(handled, fault, delay)
                return self._absolute_location(op, handled, headers.get("host", "")), False
        status, documented = self.documented_status(op, prefer)
        applied: list[tuple[str, str]] = []
        if "code" in prefer and str(status) == prefer["code"]:
            applied.append(("preference-applied", f"code={status}"))
        try:
            value, source, media_type = self._body(op, status, documented, prefer, headers, path_params, rng)
        except _CannotGenerate as exc:
            # Never a silent empty 200: the spec promises a body nobody can build (say so, and log it).
            problem = dumps_json({"type": "about:blank", "title": "Internal Server Error", "status": 500,
                                  "detail": str(exc)})
            return MockResponse(500, (("content-type", "application/problem+json"),), problem, op.operation_id,
                                (Issue(f"/responses/{status}", str(exc), "spec"),), source="unsatisfiable"), True
        except _NotAcceptable as exc:
            issue = Issue("/headers/accept", f"none of the accepted types ({headers.get('accept', '')[:100]}) "
                          f"is documented for {status} (documented: {exc})")
            return self.error_response(op, 406, [issue], rng), True
        extra = tuple(applied) + self.documented_headers(op, status, documented, rng, request.path, value)
        result = self.finish(op, status, value, extra, fault, delay, source, media_type)
        result = self._absolute_location(op, result, headers.get("host", ""))
        stored = stateful or (op.path.rstrip("/") or "/") in self._below_items
        return result, fault is None and delay == 0 and not stored

    def _absolute_location(self, op: Operation, response: MockResponse, host: str) -> MockResponse:
        """A ``Location`` the spec documents as ``format: uri`` made absolute with the request's
        host: HTTP allows a relative reference (RFC 9110 §10.2.2), a URI (RFC 3986 §3) needs a
        scheme."""
        index = next((i for i, (name, _) in enumerate(response.headers) if name == "location"), None)
        documented = op.response_for(response.status) if index is not None else None
        if index is None or documented is None or not response.headers[index][1].startswith("/"):
            return response
        schema = next((h.schema for name, h in documented.headers.items() if name.lower() == "location"), None)
        resolved = self.spec.deref(schema) if isinstance(schema, dict) else None
        if not isinstance(resolved, dict) or resolved.get("format") not in ("uri", "iri"):
            return response
        origin = host if host and _HOST.fullmatch(host) else "localhost"
        headers = list(response.headers)
        headers[index] = ("location", f"http://{origin}{headers[index][1]}")
        return MockResponse(response.status, tuple(headers), response.body, response.operation, response.issues,
                            response.fault, response.delay, response.source)

    def _rng(self, op: Operation, request: MockRequest) -> random.Random:
        digest = hashlib.blake2b(digest_size=8)
        digest.update(f"{self.seed}|{op.key}|{request.path}|{request.query}|".encode("utf-8", "surrogateescape"))
        digest.update(request.body[:65536])
        return random.Random(int.from_bytes(digest.digest(), "big"))

    def _fault(self, prefer: Mapping[str, str]) -> tuple[Fault | None, float]:
        if "fault" in prefer:
            fault = faults_mod.parse_prefer_fault(prefer["fault"])
            if fault is not None and fault.kind == "latency":
                return None, fault.delay
            return fault, 0.0
        if not self.faults.active:
            return None, 0.0
        with self.state_lock:
            return faults_mod.draw(self.faults, self._fault_rng)

    def _fault_error(self, op: Operation, fault: Fault, rng: random.Random, delay: float) -> MockResponse:
        status = fault.status
        if status is None:
            documented = [int(s) for s in op.responses if s.isdigit() and (s.startswith("5") or s == "429")]
            status = rng.choice(documented) if documented else 503
        extra: tuple[tuple[str, str], ...] = ()
        if status in (429, 503):
            extra = (("retry-after", str(rng.randint(1, 5))),)
        response = self.error_response(op, status, [], rng, extra=extra, message="injected fault: simulated failure",
                               exact=True)
        return MockResponse(response.status, response.headers, response.body, op.operation_id,
                            fault=fault, delay=delay, source="fault")

    def _with_allow(self, response: MockResponse, request: MockRequest) -> MockResponse:
        """RFC 9110 §15.5.6: a 405 lists the methods the resource supports (``Allow``), here the
        methods the spec routes to this URL."""
        allowed = [m for m in ("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE")
                   if not isinstance(self.router.match(m, request.path, request.query), NoMatch)]
        return MockResponse(response.status, response.headers + (("allow", ", ".join(allowed)),), response.body,
                            response.operation, response.issues, response.fault, response.delay, response.source)

    def _no_match(self, method: str, path: str, allowed: tuple[str, ...]) -> MockResponse:
        rng = random.Random(self.seed)
        if allowed:
            if method == "OPTIONS":
                return MockResponse(204, (("allow", ", ".join(allowed)),), b"", source="error")
            message = f"{method} is not allowed on this path (allowed: {', '.join(allowed)})"
            media_type, body = error_body(self.spec, None, 405, [Issue("/method", message)], rng, message)
            headers = (("content-type", media_type), ("allow", ", ".join(allowed)))
            return MockResponse(405, headers, body, source="error")
        safe = path if len(path) < 200 else path[:200] + "..."
        message = f"no operation matches {method} {safe}"
        media_type, body = error_body(self.spec, None, 404, [], rng, message)
        return MockResponse(404, (("content-type", media_type),), body, source="error")

    # --- the interface the stateful half (mock._stateful) answers through ------------------
    def error_response(self, op: Operation, status: int, issues: list[Issue], rng: random.Random,
                       extra: tuple[tuple[str, str], ...] = (), message: str | None = None,
                       exact: bool = False) -> MockResponse:
        """An error answer; ``status`` is nominal: the one answered is what ``op`` documents
        for that kind of rejection (``error_status``), unless ``exact``."""
        if not exact:
            status = error_status(op, status, issues)
        media_type, body = error_body(self.spec, op, status, issues, rng, message)
        documented = op.response_for(status)
        named = {name for name, _ in extra}
        # Headers the spec documents as required for this status come too (never a lie by omission).
        required = tuple(h for h in self.documented_headers(op, status, documented, rng, "", None) if h[0] not in named) \
            if documented is not None and documented.headers else ()
        headers = (("content-type", media_type), *extra, *required)
        return MockResponse(status, headers, body, op.operation_id, tuple(issues), source="error")

    def documented_status(self, op: Operation, prefer: Mapping[str, str]) -> tuple[int, Response | None]:
        """The status to answer ``op`` with (a ``Prefer: code=`` wins when documented) and its response."""
        code = prefer.get("code", "")
        if code.isdigit() and 100 <= int(code) <= 599:
            response = op.response_for(int(code))
            if response is not None:
                return int(code), response
        if op.success_statuses:
            status = op.success_statuses[0]
            return _numeric(status), op.responses[status]
        numeric = sorted(s for s in op.responses if s.isdigit())
        if "default" in op.responses:
            return 200, op.responses["default"]
        if numeric:
            return int(numeric[0]), op.responses[numeric[0]]
        ranges = sorted(s for s in op.responses if s[:1] in _RANGE_STATUS and s[1:].upper() == "XX")
        if ranges:  # only `4XX`/`5XX` documented: answer inside a documented range, never an undocumented 200
            return _RANGE_STATUS[ranges[0][0]], op.responses[ranges[0]]
        return 200, None

    def documented_body(self, op: Operation, status: int, response: Response | None,
                        rng: random.Random) -> tuple[Any, str]:
        """``(value, media type)`` of a stateless answer for ``status`` (the stateful half's body when
        the store has no JSON shape to show); ``(None, "")`` when there is none to build."""
        try:
            value, _source, media_type = self._body(op, status, response, {}, {}, {}, rng)
        except (_CannotGenerate, _NotAcceptable):
            return None, ""
        return value, media_type

    def _body(self, op: Operation, status: int, response: Response | None, prefer: Mapping[str, str],
              headers: Mapping[str, str], path_params: Mapping[str, str], rng: random.Random) -> tuple[Any, str, str]:
        if response is None or not response.content or status in _NO_CONTENT:
            return None, "empty", ""
        media_type = _negotiate(response, headers.get("accept", ""))
        media = response.content[media_type]
        dynamic = self.dynamic or prefer.get("dynamic") == "true"
        if not dynamic:
            example = self.examples.pick(op, str(status) if str(status) in op.responses else _key_for(op, status),
                                         media_type, prefer.get("example"))
            if example is not None:
                if path_params and media.schema is not None:
                    example = echo_ids(self.spec, media.schema, example, path_params, op.path)
                return example, "example", media_type
        if media.schema is None:
            # A documented type with no schema: a body of that type, shape unspecified. Say the type
            # (an empty document; `{}` for JSON, whose empty document would not parse).
            base = media_type.split(";", 1)[0].strip().lower()
            if "*" in base:  # `*/*`: no type to state
                return None, "empty", media_type
            return (b"{}" if is_json(base) else b""), "empty", media_type
        try:
            value = generate_value(self.spec, media.schema, rng=rng)
        except GenerationError as exc:
            raise _CannotGenerate(f"the spec's response schema for {status} {media_type} of {op.key} "
                                  f"cannot be satisfied, so the mock cannot answer it: {exc}") from exc
        if value is None:
            # The schema allows null and null was drawn: the body is the JSON text `null` (RFC 8259
            # §2), labelled like any other; None here would mean "no body at all".
            return (b"null" if is_json(media_type.split(";", 1)[0].strip().lower()) else b""), "generated", media_type
        value = echo_ids(self.spec, media.schema, value, path_params, op.path)
        value = with_derived_totals(self.spec, media.schema, value)
        return value, "generated", media_type

    def _location(self, op: Operation, path: str, value: Any) -> str:
        """Where the created resource lives: the item path with the body's id, else this path."""
        from toolcheck.mock.state import id_field

        resource = self.all_resources.get(op.path.rstrip("/") or "/")
        if resource is not None and resource.collection == (op.path.rstrip("/") or "/"):
            field_name = id_field(value, resource)
            if field_name is not None:
                item = quote(str(value[field_name]), safe="")
                return path.rstrip("/") + "/" + item
        return path

    def documented_headers(self, op: Operation, status: int, response: Response | None, rng: random.Random,
                           path: str, value: Any) -> tuple[tuple[str, str], ...]:
        """The response headers ``response`` documents, with generated values."""
        if response is None or not response.headers:
            return ()
        out: list[tuple[str, str]] = []
        for name, header in response.headers.items():
            lower = name.lower()
            if lower == "content-type":
                continue
            if lower == "location":
                location = self._location(op, path, value) if path else ""
                if location and location.isascii():
                    out.append(("location", location))
                continue
            if not header.required and lower not in ("retry-after", "x-request-id", "etag"):
                continue
            try:
                value = generate_value(self.spec, header.schema or {"type": "string"}, rng=rng, name=name)
            except GenerationError:
                continue
            text = value if isinstance(value, str) else orjson.dumps(value).decode()
            if isinstance(value, bool):
                text = "true" if value else "false"
            if text.isascii() and "\n" not in text and "\r" not in text:
                out.append((lower, text))
        return tuple(out)

    def finish(self, op: Operation, status: int, value: Any, extra: tuple[tuple[str, str], ...],
               fault: Fault | None, delay: float, source: str, media_type: str | None = None) -> MockResponse:
        """Encode ``value`` as the answer's body (with any fault applied) and build the response.

        Without ``media_type`` (the stateful store's answers) the body goes out as the JSON type
        the status documents (``application/scim+json``...), never an undocumented one."""
        if media_type is None:
            media_type = _documented_json(op, status)
        headers: list[tuple[str, str]] = []
        body = b""
        if isinstance(value, (dict, list)) and "writeOnly" in flags_in(self.spec):
            # Whatever the body's source (an example, the stateful store holding what a client
            # sent), a response never carries writeOnly members (OpenAPI 3.0.3 §4.7.25).
            value = strip(self.spec, _media_schema(op, status, media_type), value, "writeOnly")
        if value is not None and status not in _NO_CONTENT:
            media_type = media_type or "application/json"
            if "*" in media_type:  # documented as */* or application/*: say what it is
                media_type = "text/plain" if isinstance(value, str) and media_type.startswith("text/") else "application/json"
            if isinstance(value, (bytes, bytearray)):
                body = bytes(value)
            elif isinstance(value, str) and not is_json(media_type.split(";")[0].strip().lower()):
                body = value.encode("utf-8")
            elif media_type.startswith("text/event-stream"):
                body = b"data: " + dumps_json(value) + b"\n\n"
            else:
                body = encode_body(value, media_type)
            headers.append(("content-type", media_type if ";" in media_type or not media_type.startswith("text/")
                            else media_type + "; charset=utf-8"))
        headers.extend(extra)
        if fault is not None and fault.kind == "truncate" and body:
            body = body[: max(1, len(body) // 2)]
        elif fault is not None and fault.kind == "invalid_json":
            body = b"<html><body>502 Bad Gateway</body></html>"
        return MockResponse(status, tuple(headers), body, op.operation_id, fault=fault, delay=delay, source=source)


def respond(mock: Mock, request: MockRequest) -> MockResponse:
    """Answer one request with a compiled :class:`Mock` (see ``Mock.handle``)."""
    return mock.handle(request)


def _with_cors(response: MockResponse, request: MockRequest) -> MockResponse:
    origin = request.headers.get("origin", "*")
    extra = [("access-control-allow-origin", origin if origin.isascii() else "*"),
             ("access-control-allow-credentials", "true"), ("vary", "Origin"),
             ("access-control-expose-headers", "*")]
    if response.source == "cors":
        wanted = request.headers.get("access-control-request-headers", "")
        extra += [("access-control-allow-methods", "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"),
                  ("access-control-allow-headers", wanted if wanted.isascii() and wanted else "*"),
                  ("access-control-max-age", "600")]
    return MockResponse(response.status, response.headers + tuple(extra), response.body, response.operation,
                        response.issues, response.fault, response.delay, response.source)


def _with_fault(response: MockResponse, fault: Fault | None, delay: float) -> MockResponse:
    body = response.body
    if fault is not None and fault.kind == "truncate" and body:
        body = body[: max(1, len(body) // 2)]
    elif fault is not None and fault.kind == "invalid_json":
        body = b"<html><body>502 Bad Gateway</body></html>"
    return MockResponse(response.status, response.headers, body, response.operation, response.issues,
                        fault, delay, response.source)


def _documented_json(op: Operation, status: int) -> str:
    """The first JSON media type documented for ``status`` (else ``application/json``)."""
    response = op.response_for(status)
    for media_type in response.content if response is not None else ():
        if is_json(media_type.split(";", 1)[0].strip().lower()):
            return media_type
    return "application/json"


def _media_schema(op: Operation, status: int, media_type: str) -> Any:
    response = op.response_for(status)
    if response is None or not response.content:
        return None
    media = response.content.get(media_type) or next(iter(response.content.values()))
    return media.schema


def _numeric(status: str) -> int:
    return int(status) if status.isdigit() else 200


def _collect_ids(value: Any, resource: Any, out: set[str], depth: int = 0) -> None:
    """Ids of ``resource`` in an example body: its own, or its envelope's (``{"data": {...}}``)."""
    from toolcheck.mock.state import id_field

    if not isinstance(value, dict) or depth > 2:
        return
    name = id_field(value, resource)
    if name is not None:
        out.add(str(value[name]))
        return
    for inner in value.values():
        _collect_ids(inner, resource, out, depth + 1)


def _auth_status(op: Operation) -> int:
    """The status for missing or bad credentials: what the operation documents for it. An
    explicit ``401``, else an explicit ``403`` (a spec documenting ``403`` and ``default``
    promises 403 to whoever fails its auth), else 401 (covered by ``4XX``/``default``, or the
    protocol's own answer when nothing is documented: RFC 9110 §15.5.2)."""
    for status in ("401", "403"):
        if status in op.responses:
            return int(status)
    return 401


def _key_for(op: Operation, status: int) -> str:
    code = str(status)
    for key in (code, f"{code[0]}XX", f"{code[0]}xx", "default"):
        if key in op.responses:
            return key
    return code


class _NotAcceptable(Exception):
    pass


class _CannotGenerate(Exception):
    pass


def _negotiate(response: Response, accept: str) -> str:
    """The documented media type the ``Accept`` header asks for (RFC 9110 §12.5.1).

    Ranges are weighed by their ``q`` (RFC 9110 §12.4.2): the most specific range that covers a
    documented type gives its weight, ``q=0`` means "not acceptable", and the documented type
    with the highest weight wins (document order breaks ties). Lenient where clients are
    sloppy: a JSON ``Accept`` that names no documented type is satisfied by any JSON flavour.
    Raises _NotAcceptable when nothing documented is acceptable (a 406).
    """
    types = list(response.content)
    ranges = _accept_ranges(accept)
    if not ranges:
        for media_type in types:
            if is_json(media_type.split(";", 1)[0].strip().lower()):
                return media_type
        return types[0]
    best: tuple[float, int, int] | None = None
    chosen = ""
    for index, media_type in enumerate(types):
        base = media_type.split(";", 1)[0].strip().lower()
        weight = _weight(ranges, base)
        if weight is None:
            continue
        # Among equal weights, JSON first (the mock's richest answer), then document order.
        rank = (weight, int(is_json(base)), -index)
        if weight > 0 and (best is None or rank > best):
            best, chosen = rank, media_type
    if best is not None:
        return chosen
    for want, q in ranges:  # `Accept: application/json` for a vendor JSON type
        if q > 0 and is_json(want):
            for media_type in types:
                base = media_type.split(";", 1)[0].strip().lower()
                if is_json(base) and _weight(ranges, base) is None:
                    return media_type
    raise _NotAcceptable(", ".join(types))


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    """``Accept`` as ``(media range, q)`` pairs (RFC 9110 §12.5.1); a bad ``q`` counts as 1."""
    out: list[tuple[str, float]] = []
    for part in accept.split(",")[:64]:
        media_range, *params = (p.strip() for p in part.split(";"))
        if not media_range:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value.strip())))
                except ValueError:
                    q = 1.0
        out.append((media_range.lower(), q))
    return out


def _weight(ranges: list[tuple[str, float]], base: str) -> float | None:
    """The ``q`` of the most specific range covering ``base``; None when none covers it."""
    found: tuple[int, float] | None = None
    for want, q in ranges:
        if want == base:
            specificity = 3
        elif want.endswith("/*") and want != "*/*" and base.startswith(want[:-1]):
            specificity = 2
        elif want in ("*/*", "*"):
            specificity = 1
        else:
            continue
        if found is None or specificity > found[0]:
            found = (specificity, q)
    return None if found is None else found[1]
