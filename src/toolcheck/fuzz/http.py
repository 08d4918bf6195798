"""Sending cases: Case → httpx request, response → a small record, and curl reproductions.

The one adapter module of ``fuzz`` that does I/O. Credentials live in :class:`Auth`, never in
a case; :func:`curl` renders what was sent with secrets masked by :mod:`toolcheck.redact`.
Every fuzz request (the phases, shrinking, replay) goes through :func:`send`, which also owns
the one retry of a 503/429 after its ``Retry-After``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
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

__all__ = ["INVALID_TOKEN", "RETRY_MAX_WAIT", "Auth", "Exchange", "build", "credential_names", "curl",
           "invalid_credentials", "make_client", "mock_credentials", "retry_delay", "send"]

# 503 Service Unavailable and 429 Too Many Requests say "not now" (RFC 9110 §15.6.4, RFC 6585 §4):
# such an answer is retried once after its Retry-After before a check judges it (Prefect answers
# 503 while sqlite is busy). Bounded: a longer Retry-After is not waited for, and the answer stands.
RETRY_STATUSES = frozenset({429, 503})
RETRY_MAX_WAIT = 5.0  # seconds
RETRY_DEFAULT_WAIT = 1.0  # seconds, when the answer names no (readable) Retry-After
_DELAY_SECONDS = re.compile(r"[0-9]{1,9}")


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
    retried: str = ""  # set when a 503/429 was retried: what the first answer was and how long we waited

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


def retry_delay(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Seconds a response's ``Retry-After`` asks to wait, or None when it has none we can read.

    RFC 9110 §10.2.3: ``Retry-After = HTTP-date / delay-seconds``. A date is read in any of the
    three forms of §5.6.7 and measured from the response's own ``Date`` when it carries one (the
    server's clock: the two hosts' clocks may disagree), else from ``now``; a past date is 0.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    value = (lower.get("retry-after") or "").strip()
    if not value or len(value) > 64:
        return None
    if _DELAY_SECONDS.fullmatch(value):
        return float(int(value))
    when = _http_date(value)
    if when is None:
        return None
    reference = _http_date(lower.get("date", "")) or now or datetime.now(timezone.utc)
    return max(0.0, (when - reference).total_seconds())


def _http_date(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)  # asctime: GMT (§5.6.7)


def send(client: httpx.Client, method: str, url: str, headers: dict[str, str], body: bytes | None, *,
         max_wait: float = RETRY_MAX_WAIT) -> Exchange:
    """Send one request; transport errors are recorded in ``Exchange.error``, not raised.

    A 503 or 429 is sent once more after its ``Retry-After`` (1 s without one) when that is at
    most ``max_wait`` seconds (the caller's bound: :data:`RETRY_MAX_WAIT`, less near a deadline);
    the second answer is the one returned, with ``Exchange.retried`` saying the retry happened.
    """
    exchange = Exchange(method=method, url=url, headers=headers, body=body)
    if client.base_url and str(client.base_url) != "/":
        try:
            url = join_url(str(client.base_url), url)
        except OriginError as exc:
            exchange.error = f"unsendable: {exc}"
            return exchange
    _attempt(client, exchange, url)
    if exchange.status in RETRY_STATUSES and not exchange.error:
        told = retry_delay(exchange.response_headers)
        wait = RETRY_DEFAULT_WAIT if told is None else told
        if wait <= min(max_wait, RETRY_MAX_WAIT):
            first = exchange.status
            time.sleep(wait)
            _attempt(client, exchange, url)
            said = "its Retry-After" if told is not None else "no Retry-After"
            exchange.retried = f"HTTP {first} retried once after {wait:g} s ({said}); this is the second answer"
    return exchange


def _attempt(client: httpx.Client, exchange: Exchange, url: str) -> None:
    """Send ``exchange``'s request to ``url``, filling in its answer (or its error) and elapsed time."""
    started = time.perf_counter()
    for _attempt in (1, 2):
        try:
            response = client.request(exchange.method, url, headers=exchange.headers, content=exchange.body)
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


def curl(base_url: str, exchange: Exchange, redactor: Any) -> str:
    """A copy-pasteable curl command for ``exchange``, secrets masked (:func:`toolcheck.wire.curl`)."""
    request = Request(method=exchange.method, path=exchange.url, headers=dict(exchange.headers), content=exchange.body)
    return render_curl(request, base_url, redactor)


def make_client(base_url: str, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An httpx client for fuzzing (:func:`toolcheck.wire.client.make_client`)."""
    return wire_client(base_url, timeout=timeout, transport=transport)
