"""The mock over a real socket: a raw ASGI app on uvicorn, hot reload, a cheap request log.

Raw ASGI rather than Starlette: the app does one thing (turn a request into a
:class:`~toolcheck.mock.responder.MockRequest` and write the answer). Measured on the same
mock and load (wrk, 16 connections, 2 cores): the same handler behind a Starlette catch-all
route served 13-17k req/s, this app 23-26k req/s; the framework's request/response objects
and middleware stack cost a third of the throughput.

The log is an injected callable (``on_request``), so the core never prints: the CLI passes a
buffered writer that flushes a few times a second instead of once per request.
"""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from toolcheck.mock.responder import MAX_BODY, Mock, MockRequest, MockResponse

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class LogRecord:
    """One line of the request log."""

    method: str
    path: str
    status: int
    elapsed_ms: float
    issues: int
    source: str
    fault: str = ""
    operation: str = ""


class MockHolder:
    """The current :class:`Mock`, swapped atomically when the spec file changes."""

    def __init__(self, mock: Mock, build: Callable[[], Mock] | None = None, files: tuple[str, ...] = ()) -> None:
        self.mock = mock
        self.build = build
        self.files = tuple(f for f in files if os.path.isfile(f))
        self._stamp = self._stamps()

    def _stamps(self) -> tuple[float, ...]:
        out: list[float] = []
        for name in self.files:
            try:
                out.append(os.stat(name).st_mtime_ns)
            except OSError:
                out.append(-1)
        return tuple(out)

    def changed(self) -> bool:
        stamp = self._stamps()
        if stamp != self._stamp:
            self._stamp = stamp
            return True
        return False

    def reload(self) -> Mock:
        """Build a new Mock from the spec on disk (raises what loading raises); keeps the state."""
        assert self.build is not None
        mock = self.build()
        mock.store = self.mock.store
        self.mock = mock
        return mock


class MockApp:
    """The ASGI application.

    Args:
        holder: the current mock (hot-swappable).
        on_request: called with a :class:`LogRecord` after every answer (the request log).
        on_event: called with a one-line message on reload and reload failures.
        watch: seconds between spec-file checks for hot reload (0: off).
        handler: replaces the mock for proxy mode (an async ``MockRequest -> MockResponse``).
    """

    def __init__(
        self,
        holder: MockHolder,
        *,
        on_request: Callable[[LogRecord], None] | None = None,
        on_event: Callable[[str], None] | None = None,
        watch: float = 1.0,
        handler: Callable[[MockRequest], Awaitable[MockResponse]] | None = None,
    ) -> None:
        self.holder = holder
        self.on_request = on_request
        self.on_event = on_event
        self.watch = watch
        self.handler = handler
        self._watcher: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.watch and self.holder.build is not None and self.holder.files:
                    self._watcher = asyncio.get_running_loop().create_task(self._watch())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._watcher is not None:
                    self._watcher.cancel()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.watch)
            if not self.holder.changed():
                continue
            try:
                mock = await asyncio.to_thread(self.holder.reload)
            except Exception as exc:  # a broken edit keeps the old spec serving
                if self.on_event:
                    self.on_event(f"reload failed, still serving the previous spec: {exc}")
                continue
            if gc.get_freeze_count():  # the CLI froze the first spec: let the old one be collected
                gc.unfreeze()
                gc.collect()
                gc.freeze()
            if self.on_event:
                self.on_event(f"spec changed: reloaded ({len(mock.spec.operations)} operations)")

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        chunks: list[bytes] = []
        size = 0
        too_big = False
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            more = message.get("more_body", False)
            if chunk and not too_big:
                size += len(chunk)
                if size > MAX_BODY:
                    too_big = True  # keep draining, stop buffering
                    chunks = []
                else:
                    chunks.append(chunk)
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        path = raw_path.decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        request = MockRequest(scope["method"], path, query, headers, body)
        if too_big:
            answer = _too_large()
        elif self.handler is not None:
            answer = await self.handler(request)
        else:
            answer = self.holder.mock.handle(request)
        fault = answer.fault
        if fault is not None and fault.kind == "timeout":
            # Hold the request past any sane client timeout; whoever is still waiting gets a 504.
            await asyncio.sleep(fault.delay)
            answer = _gateway_timeout(answer)
        elif answer.delay:
            await asyncio.sleep(answer.delay)
        out_headers = [(k.encode("latin-1", "replace"), v.encode("latin-1", "replace")) for k, v in answer.headers]
        send_body = scope["method"] != "HEAD"
        out_headers.append((b"content-length", str(len(answer.body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": out_headers})
        await send({"type": "http.response.body", "body": answer.body if send_body else b""})
        if self.on_request is not None:
            self.on_request(LogRecord(scope["method"], path, answer.status, (time.perf_counter() - started) * 1000,
                                      len(answer.issues), answer.source, fault.kind if fault else "",
                                      answer.operation or ""))


def _too_large() -> MockResponse:
    body = (b'{"type":"about:blank","title":"Content Too Large","status":413,'
            b'"detail":"the request body is larger than ' + str(MAX_BODY).encode() + b' bytes"}')
    return MockResponse(413, (("content-type", "application/problem+json"), ("connection", "close")), body, source="error")


def _gateway_timeout(answer: MockResponse) -> MockResponse:
    body = b'{"type":"about:blank","title":"Gateway Timeout","status":504,"detail":"injected fault: timeout"}'
    return MockResponse(504, (("content-type", "application/problem+json"),), body, answer.operation,
                        fault=answer.fault, source="fault")


# The request line and headers of one request, at most (Node: 16 KiB, nginx: 4 x 8 KiB). Without
# a limit five connections held 571 MB of header bytes (issue 12); beyond it: 431 and close.
MAX_HEAD = 64 * 1024
# uvicorn imports a protocol named like this (workers are started in new processes).
LIMITED_HTTPTOOLS = "toolcheck.mock._httphead:LimitedHttpToolsProtocol"


def uvicorn_config(app: Any, host: str, port: int, **kw: Any) -> Any:
    """A uvicorn Config with the fastest available loop/parser and uvicorn's own logs quiet."""
    import uvicorn

    loop = "uvloop" if _has("uvloop") else "asyncio"
    http = LIMITED_HTTPTOOLS if _has("httptools") else "h11"
    options: dict[str, Any] = {"log_level": "warning", "access_log": False, "lifespan": "on",
                               "loop": loop, "http": http, "server_header": False, "date_header": False,
                               "h11_max_incomplete_event_size": MAX_HEAD}
    options.update(kw)
    return uvicorn.Config(app, host=host, port=port, **options)


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


@dataclass
class Running:
    """A server started by :func:`start_in_thread` (tests, the MCP server, benchmarks)."""

    server: Any
    thread: threading.Thread
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0, **kw: Any) -> Running:
    """Serve ``app`` on uvicorn in a daemon thread; ``port=0`` picks a free port (returned)."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    actual = sock.getsockname()[1]
    kw.setdefault("loop", "asyncio")
    server = uvicorn.Server(uvicorn_config(app, host, actual, **kw))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.01)
    return Running(server, thread, host, actual)
