"""Validation proxy: forward every request to a real backend and check both directions.

The request is checked like the mock checks it (route, security shape, parameters, body) and
forwarded *whatever the verdict* (the backend decides what to answer); the response is checked
with :func:`toolcheck.checks.conformance.check_response`. Violations are counted per
operation, attached to the answer as ``x-toolcheck-violations`` and kept as a
:class:`~toolcheck.results.RunResult` for the shared reporters.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from toolcheck.checks.conformance import check_response
from toolcheck.details import Details, Request, Response
from toolcheck.findings import Finding
from toolcheck.mock._params import Issue, validate_params
from toolcheck.mock._routing import NoMatch, Router
from toolcheck.mock._security import check_security
from toolcheck.mock._validate import check_body
from toolcheck.mock.responder import MockRequest, MockResponse
from toolcheck.results import FAILED, PASSED, CaseResult, RunResult, SuiteResult
from toolcheck.wire.read import parse_query

if TYPE_CHECKING:
    from toolcheck.spec import Spec

_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
                  "transfer-encoding", "upgrade", "host", "content-length"})


@dataclass
class ProxyStats:
    """What the proxy saw: totals and one case per request that broke the contract."""

    requests: int = 0
    request_violations: int = 0
    response_violations: int = 0
    upstream_errors: int = 0
    cases: dict[str, list[CaseResult]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def result(self, title: str, started: float) -> RunResult:
        suites = tuple(SuiteResult(name=name, cases=tuple(cases)) for name, cases in sorted(self.cases.items()))
        return RunResult(
            tool="proxy", title=title, suites=suites, duration=time.time() - started,
            summary={"requests": self.requests, "request_violations": self.request_violations,
                     "response_violations": self.response_violations, "upstream_errors": self.upstream_errors},
        )


class ValidationProxy:
    """An async handler for :class:`~toolcheck.mock.server.MockApp` (``handler=``)."""

    def __init__(self, spec: Spec, upstream: str, *, timeout: float = 30.0, keep_passed: bool = False,
                 current: Callable[[], Spec] | None = None) -> None:
        self.spec = spec
        self.upstream = upstream.rstrip("/")
        self.router = Router(spec)
        self._current = current  # hot reload: where the latest spec comes from
        self.stats = ProxyStats()
        self.keep_passed = keep_passed
        self._client: httpx.AsyncClient | None = None
        self._timeout = timeout

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def check_request(self, request: MockRequest) -> tuple[Any, list[Issue]]:
        if self._current is not None:
            latest = self._current()
            if latest is not self.spec:
                self.spec, self.router = latest, Router(latest)
        matched = self.router.match(request.method, request.path, request.query)
        if isinstance(matched, NoMatch):
            return None, [Issue("/path", f"{request.method} {request.path[:200]} is not in the spec", "route")]
        op = matched.operation
        issues: list[Issue] = []
        failure = check_security(self.spec, op, request.headers, request.query)
        if failure is not None:
            issues.append(Issue("/headers/authorization", failure.message, "security"))
        _values, param_issues = validate_params(self.spec, op, matched.params, parse_query(request.query), request.headers)
        issues.extend(param_issues)
        _status, body_issues, _decoded = check_body(self.spec, op, request.headers.get("content-type"), request.body)
        issues.extend(body_issues)
        return op, issues

    async def __call__(self, request: MockRequest) -> MockResponse:
        path = confined_path(request.path)
        if path is None:
            with self.stats.lock:
                self.stats.requests += 1
            body = (b'{"type":"about:blank","title":"Bad Request","status":400,'
                    b'"detail":"the path climbs above the upstream base path (a `..` segment); not forwarded"}')
            issue = Issue("/path", "the path climbs above the upstream base path", "route")
            return MockResponse(400, (("content-type", "application/problem+json"),), body, None, (issue,),
                                source="proxy")
        if path != request.path:
            request = MockRequest(request.method, path, request.query, request.headers, request.body)
        try:
            op, issues = self.check_request(request)
        except Exception as exc:  # checking is best effort: the request is forwarded anyway
            op, issues = None, [Issue("", f"the request could not be checked: {type(exc).__name__}", "internal")]
        url = self.upstream + request.path + (f"?{request.query}" if request.query else "")
        headers = [(k, v) for k, v in request.headers.items() if k not in _HOP]
        started = time.perf_counter()
        try:
            upstream = await self._http().request(request.method, url, headers=headers, content=request.body)
        except httpx.HTTPError as exc:
            with self.stats.lock:
                self.stats.requests += 1
                self.stats.upstream_errors += 1
            body = (f'{{"type":"about:blank","title":"Bad Gateway","status":502,'
                    f'"detail":"the upstream did not answer: {type(exc).__name__}"}}').encode()
            return MockResponse(502, (("content-type", "application/problem+json"),), body,
                                op.operation_id if op else None, tuple(issues), source="proxy")
        elapsed = time.perf_counter() - started
        content = upstream.content
        response_headers: Mapping[str, str] = upstream.headers
        try:
            violations = check_response(self.spec, op, upstream.status_code, response_headers, raw=content) if op else []
        except Exception as exc:  # a response we cannot check is reported, never turned into a 500
            violations = [Finding("internal", f"the response could not be checked: {type(exc).__name__}")]
        self._record(request, op, issues, violations, upstream.status_code, elapsed)
        out = [(k, v) for k, v in upstream.headers.items() if k.lower() not in _HOP and k.lower() != "content-encoding"]
        out.append(("x-toolcheck-violations", str(len(issues) + len(violations))))
        return MockResponse(upstream.status_code, tuple(out), content, op.operation_id if op else None,
                            tuple(issues) + tuple(Issue(v.pointer, v.message, v.check) for v in violations),
                            source="proxy")

    def _record(self, request: MockRequest, op: Any, issues: list[Issue], violations: list[Any],
                status: int, elapsed: float) -> None:
        from toolcheck.redact import redact_headers

        name = op.key if op is not None else f"{request.method} (unrouted)"
        failed = bool(issues or violations)
        with self.stats.lock:
            self.stats.requests += 1
            self.stats.request_violations += len(issues)
            self.stats.response_violations += len(violations)
            if not failed and not self.keep_passed:
                return
            details = Details(
                request=Request(method=request.method, url=request.path + (f"?{request.query}" if request.query else ""),
                                headers=redact_headers(dict(request.headers))),
                response=Response(status=status, elapsed_ms=round(elapsed * 1000, 2)),
                violations=tuple(i.to_finding() for i in issues) + tuple(violations),
            )
            message = "; ".join([i.message for i in issues[:3]] + [v.message for v in violations[:3]])
            case = CaseResult(name=f"{request.method} {request.path[:120]} → {status}", status=FAILED if failed else PASSED,
                              duration=elapsed, message=message, classname=name, details=details)
            self.stats.cases.setdefault(name, []).append(case)


def confined_path(path: str) -> str | None:
    """``path`` with its dot segments resolved (RFC 3986 §5.2.4), or None when it would climb
    above its root: glued after the upstream's base path, ``/../../admin`` must not reach
    ``/admin``. Percent-encoded dots count (``%2e%2e``: RFC 3986 §2.3 says they are the same),
    and a segment hiding a slash next to dots (``..%2f``) is refused, as some servers decode it."""
    if "." not in path and "%" not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        decoded = unquote(segment)
        if decoded in (".", ".."):
            if decoded == "..":
                if len(out) <= 1:  # out[0] is the empty segment before the leading "/"
                    return None
                out.pop()
            if index == len(segments) - 1:
                out.append("")  # `/a/..` is the folder `/`, RFC 3986 §5.2.4 keeps the trailing slash
            continue
        if ".." in decoded and ("/" in decoded or "\\" in decoded):
            return None
        out.append(segment)
    return "/".join(out) or "/"
