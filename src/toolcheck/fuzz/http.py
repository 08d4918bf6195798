"""Sending cases: Case → httpx request, response → a small record, and curl reproductions.

The one adapter module of ``fuzz`` that does I/O. Credentials live in :class:`Auth`, never in
a case; :func:`curl` renders what was sent with secrets masked by :mod:`toolcheck.redact`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from toolcheck.payloads.case import Case
from toolcheck.spec import Operation, Spec
from toolcheck.wire import (
    OriginError,
    Request,
    apply_credentials,
    apply_invalid,
    build_request,
    join_url,
)
from toolcheck.wire.auth import INVALID_TOKEN, credential_names
from toolcheck.wire.client import make_client as wire_client
from toolcheck.wire.curl import curl as render_curl

__all__ = ["INVALID_TOKEN", "Auth", "Exchange", "build", "credential_names", "curl", "invalid_credentials",
           "make_client", "mock_credentials", "send"]


@dataclass(frozen=True)
class Auth:
    """Credentials added to every request (and removed or spoiled by the auth checks).

    Attributes:
        headers: extra headers as given with ``-H`` (may hold secrets).
        query: extra query parameters (API keys in the query string).
        secrets: values to mask in every output.
    """

    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()


@dataclass
class Exchange:
    """One request and its response (or the transport error)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    elapsed: float = 0.0
    error: str = ""

    def json(self) -> Any:
        try:
            return json.loads(self.response_body) if self.response_body else None
        except ValueError:
            return None


def mock_credentials(spec: Spec) -> Auth:
    """Placeholder credentials the mock accepts, for every scheme the spec's operations use
    (JWT-shaped where a bearer scheme says ``bearerFormat: JWT``): see :mod:`toolcheck.wire.auth`."""
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    cookies: dict[str, str] = {}
    for op in spec.operations:
        scratch = Request(method=op.method, path=op.path)
        apply_credentials(spec, op, scratch, {}, placeholder=True)
        headers.update(scratch.headers)
        query.update(scratch.query)
        cookies.update(scratch.cookies)
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return Auth(headers=headers, query=query)


def invalid_credentials(spec: Spec, op: Operation) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and query parameters with well-formed but wrong credentials for ``op``."""
    scratch = Request(method=op.method, path=op.path)
    apply_invalid(spec, op, scratch)
    return scratch.all_headers(), dict(scratch.query)


def build(spec: Spec, op: Operation, case: Case, auth: Auth, *,
          credentials: str | Auth = "valid") -> tuple[str, str, dict[str, str], bytes | None]:
    """``(method, path?query, headers, body)`` for ``case``; ``credentials`` is valid/none/invalid,
    or another identity's :class:`Auth` (the authz phase) sent instead of ``auth``."""
    if isinstance(credentials, Auth):
        auth, credentials = credentials, "valid"
    request = build_request(spec, op, path=case.path_params, query=case.query, headers=case.headers,
                            cookies=case.cookies, body=case.body, media_type=case.media_type, raw_body=case.raw_body)
    if case.method and case.method.lower() != op.method.lower():
        request.method = case.method.upper()  # a method probe (toolcheck.payloads.methods)
    if credentials == "valid":
        request.query.extend(auth.query.items())
        request.headers.update(auth.headers)
    elif credentials == "invalid":
        apply_invalid(spec, op, request)
    return request.method, request.target(), request.all_headers(), request.content


def send(client: httpx.Client, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Exchange:
    """Send one request; transport errors are recorded in ``Exchange.error``, not raised."""
    exchange = Exchange(method=method, url=url, headers=headers, body=body)
    if client.base_url and str(client.base_url) != "/":
        try:
            url = join_url(str(client.base_url), url)
        except OriginError as exc:
            exchange.error = f"unsendable: {exc}"
            return exchange
    started = time.perf_counter()
    for _attempt in (1, 2):
        try:
            response = client.request(method, url, headers=headers, content=body)
            exchange.status = response.status_code
            exchange.response_headers = dict(response.headers)
            exchange.response_body = response.content
            exchange.error = ""
            break
        except httpx.TimeoutException:
            exchange.error = "timeout"
            break
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            # A kept-alive connection the server closed after an earlier request (often a crash
            # on that one) fails the *next* request: retry once on a fresh connection.
            exchange.error = f"{type(exc).__name__}: {exc}"
        except (httpx.TransportError, httpx.InvalidURL, UnicodeEncodeError, ValueError) as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
            break
    exchange.elapsed = time.perf_counter() - started
    return exchange


def curl(base_url: str, exchange: Exchange, redactor: Any) -> str:
    """A copy-pasteable curl command for ``exchange``, secrets masked (:func:`toolcheck.wire.curl`)."""
    request = Request(method=exchange.method, path=exchange.url, headers=dict(exchange.headers), content=exchange.body)
    return render_curl(request, base_url, redactor)


def make_client(base_url: str, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An httpx client for fuzzing (:func:`toolcheck.wire.client.make_client`)."""
    return wire_client(base_url, timeout=timeout, transport=transport)
