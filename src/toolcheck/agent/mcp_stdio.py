"""MCP over stdio without the SDK: the handshake-era protocol, hand-written.

Why hand-written: importing the ``mcp`` SDK costs about 1.3 s of CPU (pydantic models of every
protocol revision), paid before ``initialize`` can be answered, while what a tools-only server
speaks over stdio is a handful of methods. This module answers them from
:class:`~toolcheck.agent.mcp_server.ToolBridge` directly, so ``serve-mcp SPEC`` answers
``initialize`` in the time it takes to load the spec; ``--http`` (Streamable HTTP, sessions,
SSE, DNS-rebinding checks) still goes through the SDK, which is not worth re-writing.

What it implements (MCP specification 2025-11-25, and the older handshake revisions):

* framing (Transports › stdio): one JSON-RPC 2.0 message per line, UTF-8, no embedded
  newline; nothing but protocol on stdout. As in the SDK's stdio transport, the wire is served
  from private copies of fd 0/1 while fd 0 reads the null device and fd 1 writes to stderr, so a
  stray ``print`` cannot corrupt a frame. Lines are bounded (:data:`MAX_LINE`).
* lifecycle (Basic › Lifecycle): ``initialize`` negotiates the version: the client's when this
  server speaks it, else the latest it speaks (the client then decides to go on or not); the
  result declares only the ``tools`` capability. ``notifications/initialized`` is accepted; any
  other request before ``initialize`` gets ``-32600``. ``ping`` is answered at any time.
* ``tools/list`` with opaque cursors (Utilities › Pagination), ``tools/call`` (Server › Tools);
  an unknown tool and a bad cursor are JSON-RPC ``-32602``, failed calls are ``isError`` results.
* ``notifications/cancelled`` (Utilities › Cancellation) stops an in-flight call and no response
  is sent for it; other notifications are ignored. Unknown methods get ``-32601``, malformed
  JSON ``-32700``, a message that is not a JSON-RPC request ``-32600`` (batches included: the
  2025-06-18 revision removed them).
* the 2026-07-28 revision (no handshake: every request carries its version in ``_meta``) is
  recognised the way the SDK does it: by the first request. Such a connection is handed to the
  SDK's server whole (the lines already read are replayed), so only that era pays its import.
  Without the SDK, ``server/discover`` gets ``-32601``, which tells the client to fall back to
  ``initialize``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from typing import IO, Any

import anyio

from toolcheck.agent.mcp_server import META_KEY, PAGE_SIZE, CallOutcome, ToolBridge, UnknownTool, page

# Revisions reachable with the initialize handshake, oldest to newest (MCP "Basic › Versioning").
HANDSHAKE_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
MODERN_VERSION_KEY = "io.modelcontextprotocol/protocolVersion"  # 2026-07-28 per-request `_meta` envelope
MAX_LINE = 16 * 1024 * 1024  # bytes in one message: larger lines are refused, not buffered
_PRE_REQUEST_FRAMES = 8  # notifications kept for replay before the first request (as the SDK)
OVERSIZED = bytes(1)  # stands for a line over MAX_LINE (compared by identity: no read line is this object)

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL_ERROR = -32700, -32600, -32601, -32602, -32603


class _ProtocolError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def _error(msg_id: Any, code: int, message: str, data: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": msg_id, "error": error}


def _is_modern(message: Any) -> bool:
    """A request carrying the 2026-07-28 envelope (``initialize`` never opens that era)."""
    if not isinstance(message, dict) or message.get("method") == "initialize" or "id" not in message:
        return False
    params = message.get("params")
    meta = params.get("_meta") if isinstance(params, dict) else None
    return isinstance(meta, dict) and MODERN_VERSION_KEY in meta


def _kind(raw: bytes) -> str:
    """``request-modern``, ``request``, ``notification`` or ``other`` (not JSON-RPC, a response)."""
    try:
        message = json.loads(raw)
    except ValueError:
        return "other"
    if not isinstance(message, dict) or not isinstance(message.get("method"), str):
        return "other"
    if "id" not in message:
        return "notification"
    return "request-modern" if _is_modern(message) else "request"


class _ReplayLines:
    """Text lines for the SDK's stdio transport: the ones already read, then the rest."""

    def __init__(self, replay: list[bytes], rest: AsyncIterator[bytes]) -> None:
        self.replay, self.rest = replay, rest

    async def __aiter__(self) -> AsyncIterator[str]:
        for raw in self.replay:
            yield raw.decode("utf-8", "replace")
        async for raw in self.rest:
            if raw is not OVERSIZED and raw.strip():
                yield raw.decode("utf-8", "replace")


class _AsyncWriter:
    """The wire's stdout as the SDK's stdio transport writes it (text, then flush)."""

    def __init__(self, writer: IO[bytes]) -> None:
        self.writer = writer

    async def write(self, text: str) -> None:
        self.writer.write(text.encode("utf-8", "backslashreplace"))

    async def flush(self) -> None:
        self.writer.flush()


def call_result(outcome: CallOutcome) -> dict[str, Any]:
    """A ``CallToolResult`` (MCP "Server › Tools › Tool result") for one bridge outcome."""
    result: dict[str, Any] = {"content": [{"type": "text", "text": outcome.text()}], "isError": outcome.is_error}
    if outcome.structured is not None:
        result["structuredContent"] = outcome.structured
    if outcome.http:
        result["_meta"] = {META_KEY: dict(outcome.http)}
    return result


class StdioSession:
    """One client connection over a pair of byte streams (the process's stdio by default)."""

    def __init__(self, bridge: ToolBridge, reader: IO[bytes], writer: IO[bytes], *, version: str = "",
                 page_size: int = PAGE_SIZE) -> None:
        self.bridge = bridge
        self.reader = reader
        self.writer = writer
        self.version = version
        self.page_size = page_size
        self.initialized = False
        self.listing: list[dict[str, Any]] | None = None
        self.in_flight: dict[Any, anyio.CancelScope] = {}

    # -- framing --------------------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        """Write one frame. One event loop and a synchronous write: frames never interleave."""
        try:
            text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate in an API's answer: escape it instead
            data = json.dumps(message, separators=(",", ":")).encode("ascii")
        with suppress(BrokenPipeError, ValueError, OSError):  # the client left: nothing to tell it
            self.writer.write(data + b"\n")
            self.writer.flush()

    def _read_line(self) -> bytes | None:
        """The next line (without its end), :data:`OVERSIZED` for one over :data:`MAX_LINE`, None at EOF."""
        line = self.reader.readline(MAX_LINE + 1)
        if not line:
            return None
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while True:  # drop the rest of the oversized line
                rest = self.reader.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            return OVERSIZED
        return line.rstrip(b"\r\n")

    async def lines(self) -> AsyncIterator[bytes]:
        while True:
            line = await anyio.to_thread.run_sync(self._read_line, abandon_on_cancel=True)
            if line is None:
                return
            yield line

    # -- the loop -------------------------------------------------------------------------------

    async def run(self) -> None:
        """Serve until the client closes stdin; calls in flight then finish (bounded by the
        bridge's timeout) and are answered."""
        lines = self.lines()
        lead: list[bytes] = []  # notifications before the first request, replayed to the SDK if it takes over
        decided = False
        async with anyio.create_task_group() as tg:
            async for raw in lines:
                if not decided:
                    kind = _kind(raw)
                    if kind == "notification" and len(lead) < _PRE_REQUEST_FRAMES:
                        lead.append(raw)
                        continue
                    if kind.startswith("request"):
                        decided = True
                        if kind == "request-modern" and await self._hand_to_sdk([*lead, raw], lines):
                            return
                        for frame in lead:
                            await self._dispatch(frame, tg)
                        lead = []
                await self._dispatch(raw, tg)
            for frame in lead:  # the client left before any request
                await self._dispatch(frame, tg)

    async def _hand_to_sdk(self, replay: list[bytes], rest: AsyncIterator[bytes]) -> bool:
        """Serve the rest of the connection with the SDK's server (2026-07-28 era); False
        when the SDK is not installed (the handshake era then answers)."""
        from toolcheck.agent.mcp_server import build_server, require_mcp
        from toolcheck.errors import TargetError

        try:
            require_mcp()
        except TargetError:
            return False
        from mcp.server.stdio import stdio_server

        server = build_server(self.bridge, version=self.version)
        stdin: Any = _ReplayLines(replay, rest)
        stdout: Any = _AsyncWriter(self.writer)
        async with stdio_server(stdin=stdin, stdout=stdout) as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())
        return True

    async def _dispatch(self, raw: bytes, tg: anyio.abc.TaskGroup) -> None:
        if raw is OVERSIZED:
            self.send(_error(None, INVALID_REQUEST, f"message longer than {MAX_LINE} bytes"))
            return
        if not raw.strip():
            return  # a blank line carries no message
        try:
            message = json.loads(raw)
        except ValueError as exc:
            self.send(_error(None, PARSE_ERROR, f"Parse error: {str(exc)[:200]}"))
            return
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            what = "batches are not supported" if isinstance(message, list) else "not a JSON-RPC 2.0 message"
            self.send(_error(message.get("id") if isinstance(message, dict) else None, INVALID_REQUEST,
                             f"Invalid Request: {what}"))
            return
        method = message.get("method")
        if method is None and ("result" in message or "error" in message):
            return  # a response: this server sends no requests, so there is nothing it answers
        if not isinstance(method, str):
            self.send(_error(message.get("id"), INVALID_REQUEST, "Invalid Request: no method"))
            return
        params = message.get("params")
        if params is not None and not isinstance(params, dict):
            if "id" in message:
                self.send(_error(message["id"], INVALID_PARAMS, "params must be an object"))
            return
        if "id" not in message:
            self._notification(method, params or {})
            return
        msg_id = message["id"]
        if not isinstance(msg_id, (str, int)) or isinstance(msg_id, bool):
            # MCP "Basic › Requests": the id MUST be a string or an integer (not null).
            self.send(_error(None, INVALID_REQUEST, "Invalid Request: the id must be a string or an integer"))
            return
        if method == "tools/call":
            scope = anyio.CancelScope()
            self.in_flight[msg_id] = scope
            tg.start_soon(self._call, msg_id, params or {}, scope)
            return
        try:
            result = self._request(method, params or {})
        except _ProtocolError as exc:
            self.send(_error(msg_id, exc.code, exc.message, exc.data))
            return
        self.send({"jsonrpc": "2.0", "id": msg_id, "result": result})

    def _notification(self, method: str, params: dict[str, Any]) -> None:
        if method == "notifications/cancelled":
            scope = self.in_flight.get(params.get("requestId"))
            if scope is not None:
                scope.cancel()
        # notifications/initialized needs no action; unknown notifications are ignored (JSON-RPC §4.1).

    def _request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "ping":
            return {}
        if method == "initialize":
            return self._initialize(params)
        if method not in ("tools/list", "tools/call"):
            raise _ProtocolError(METHOD_NOT_FOUND, "Method not found", method)
        if not self.initialized:
            raise _ProtocolError(INVALID_REQUEST, f"{method} before initialize: the session is not initialized")
        meta = params.get("_meta")
        if isinstance(meta, dict) and MODERN_VERSION_KEY in meta:
            raise _ProtocolError(INVALID_REQUEST, "this connection serves the handshake protocol era; requests "
                                                  "carrying the 2026-07-28 envelope are not accepted on it")
        cursor = params.get("cursor")
        if cursor is not None and not isinstance(cursor, str):
            raise _ProtocolError(INVALID_PARAMS, "cursor must be a string")
        if self.listing is None:
            self.listing = self.bridge.listing()
        try:
            tools, next_cursor = page(self.listing, cursor, self.page_size)
        except ValueError as exc:
            raise _ProtocolError(INVALID_PARAMS, str(exc)) from None
        result: dict[str, Any] = {"tools": tools}
        if next_cursor is not None:
            result["nextCursor"] = next_cursor
        return result

    def _initialize(self, params: dict[str, Any]) -> dict[str, Any]:
        requested = params.get("protocolVersion")
        if not isinstance(requested, str) or not isinstance(params.get("capabilities", {}), dict):
            raise _ProtocolError(INVALID_PARAMS, "initialize needs protocolVersion (a string) and capabilities")
        self.initialized = True
        bridge = self.bridge
        return {
            "protocolVersion": requested if requested in HANDSHAKE_VERSIONS else HANDSHAKE_VERSIONS[-1],
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": "toolcheck", "version": self.version},
            "instructions": f"Tools generated from {bridge.spec.title or bridge.spec.source}.",
        }

    async def _call(self, msg_id: Any, params: dict[str, Any], scope: anyio.CancelScope) -> None:
        try:
            with scope:
                response = await self._call_response(msg_id, params)
            if not scope.cancel_called:  # a cancelled request gets no response (Utilities › Cancellation)
                self.send(response)
        finally:
            self.in_flight.pop(msg_id, None)

    async def _call_response(self, msg_id: Any, params: dict[str, Any]) -> dict[str, Any]:
        if not self.initialized:
            return _error(msg_id, INVALID_REQUEST, "tools/call before initialize: the session is not initialized")
        name, arguments = params.get("name"), params.get("arguments")
        if not isinstance(name, str) or not (arguments is None or isinstance(arguments, dict)):
            return _error(msg_id, INVALID_PARAMS, "tools/call needs name (a string) and arguments (an object)")
        try:
            outcome = await self.bridge.call(name, arguments)
        except UnknownTool as exc:
            return _error(msg_id, INVALID_PARAMS, exc.message, {"tools": exc.known[:100]})
        except Exception as exc:  # a defect must not end the session: the client gets an error
            sys.stderr.write(f"toolcheck serve-mcp: internal error in {name}: {type(exc).__name__}: {exc}\n")
            return _error(msg_id, INTERNAL_ERROR, f"internal error: {type(exc).__name__}")
        return {"jsonrpc": "2.0", "id": msg_id, "result": call_result(outcome)}


def claim_stdio() -> tuple[IO[bytes], IO[bytes], Callable[[], None]]:
    """The wire's private copies of fds 0 and 1, and how to give them back.

    While serving, fd 0 reads the null device and fd 1 writes to stderr (what the SDK's stdio
    transport does): a library that prints cannot corrupt a frame, nor can a child read them.
    """
    try:
        if sys.stdin.fileno() != 0 or sys.stdout.fileno() != 1:
            raise OSError("not the process's stdio")
        with suppress(ValueError):
            sys.stdout.flush()
        wire_in, wire_out = os.dup(0), os.dup(1)
    except (OSError, ValueError, AttributeError):
        return sys.stdin.buffer, sys.stdout.buffer, lambda: None
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)

    def restore() -> None:
        with suppress(OSError):
            os.dup2(wire_in, 0)
            os.dup2(wire_out, 1)

    # closefd=False: a reader thread may still block on the descriptor after the loop ends.
    return os.fdopen(wire_in, "rb", closefd=False), os.fdopen(wire_out, "wb", closefd=False), restore


async def serve_stdio(bridge: ToolBridge, *, version: str = "") -> None:
    """Serve ``bridge`` over stdin/stdout until the client disconnects."""
    reader, writer, restore = claim_stdio()
    try:
        async with bridge.client:
            await StdioSession(bridge, reader, writer, version=version).run()
    finally:
        restore()
