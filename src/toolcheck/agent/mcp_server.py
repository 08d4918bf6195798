"""Serve a spec's tools over MCP, backed by the mock or a real API.

``tools/list`` returns exactly what ``toolcheck tools --format mcp`` prints. ``tools/call``
validates the arguments against the tool's input schema, turns the call into the HTTP request
(:func:`~toolcheck.agent.tools.tool_call_to_request`), adds credentials (the agent never sees
them), sends it through an ``httpx.AsyncClient`` (in-process :class:`~toolcheck.mock.MockTransport`
by default, so the mock's state and fault injection apply) and answers with the status and body
(``isError`` for 4xx/5xx, timeouts and invalid arguments, so an agent sees failures as failures).

The ``mcp`` SDK is an optional extra (``pip install "toolcheck-cli[mcp]"``): it pulls in pydantic,
starlette and anyio extras that no other command needs. It is imported only here, lazily, for the
Streamable HTTP transport (:func:`serve_http`) and the 2026-07-28 protocol era; stdio's handshake
era is served without it (:mod:`toolcheck.agent.mcp_stdio`, which says why). :func:`require_mcp`
turns its absence into a clear error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from toolcheck.agent._servers import operation_base
from toolcheck.agent.tools import Tool, ToolCallError, tool_call_to_wire
from toolcheck.errors import TargetError, ToolcheckError
from toolcheck.spec import Spec
from toolcheck.wire import OriginError, apply_credentials, secrets_of

MAX_TEXT = 100_000  # characters of response body returned to the agent


def require_mcp() -> Any:
    """Import the MCP SDK or raise a :class:`TargetError` saying how to install it."""
    try:
        import inspect

        import mcp.server.lowlevel
        import mcp_types
    except ImportError:
        raise TargetError(
            "serving tools over MCP needs the `mcp` SDK, an optional extra of toolcheck (the `mcp` extra); "
            "install it with `pip install 'mcp>=2.3,<3'` in this environment."
        ) from None
    if "on_call_tool" not in inspect.signature(mcp.server.lowlevel.Server.__init__).parameters:
        raise TargetError("serving tools over MCP needs mcp 2.3 or later (the v2 low-level Server API); "
                          "upgrade it with `pip install -U 'mcp>=2.3,<3'`.")
    return mcp_types


class ToolBridge:
    """Turns MCP tool calls into HTTP calls (pure of MCP: testable without the SDK).

    Args:
        spec: the spec the tools come from.
        tools: the tools to expose.
        client: where requests go (a client on a MockTransport, or on a real base URL).
        credentials: a value per security scheme name; schemes without one get a placeholder
            the mock accepts (``None`` disables placeholders for real targets).
        mock: the client is the in-process mock (default: ``placeholders``).
        allowed_origins: origins other than the target's that operations with their own
            ``servers`` may be sent to (see :mod:`toolcheck.agent._servers`).
    """

    def __init__(self, spec: Spec, tools: Sequence[Tool], client: httpx.AsyncClient,
                 credentials: Mapping[str, str] | None = None, *, placeholders: bool = True,
                 timeout: float = 30.0, mock: bool | None = None, allowed_origins: Sequence[str] = ()) -> None:
        self.spec = spec
        self.mock = placeholders if mock is None else mock  # the mock serves every documented base path
        self.allowed_origins = tuple(allowed_origins)
        self.tools = {t.name: t for t in tools}
        self.client = client
        self.credentials = dict(credentials or {})
        self.placeholders = placeholders
        self.timeout = timeout
        self._validators: dict[str, Any] = {}
        from toolcheck.redact import Redactor

        # The agent never sees the configured credentials, even if an API echoes them back.
        self.redactor = Redactor([*self.credentials.values(), *secrets_of(spec, self.credentials)])

    def listing(self) -> list[dict[str, Any]]:
        return [t.render("mcp") for t in self.tools.values()]

    def _validate(self, tool: Tool, arguments: Mapping[str, Any]) -> list[str]:
        # Imported lazily: `initialize` answers before jsonschema loads.
        from toolcheck.spec.jsonschema import OpenAPIValidator

        validator = self._validators.get(tool.name)
        if validator is None:
            # The spec's `pattern`s in bounded time: the spec may come from a pull request and the
            # arguments from a model a prompt injection can steer (plain `re` backtracks for hours).
            validator = self._validators[tool.name] = OpenAPIValidator(tool.input_schema)
        errors = sorted(validator.iter_errors(dict(arguments)), key=lambda e: list(e.path))
        return [f"{'/'.join(map(str, e.path)) or '(arguments)'}: {e.message[:200]}" for e in errors[:10]]

    async def call(self, name: str, arguments: Mapping[str, Any] | None) -> CallOutcome:
        """The result of one tool call; never raises for the agent's mistakes in arguments.

        Raises:
            UnknownTool: no tool has this name (a protocol error, not a tool result).
        """
        tool = self.tools.get(name)
        if tool is None:
            raise UnknownTool(name, sorted(self.tools))
        args = dict(arguments or {})
        problems = self._validate(tool, args)
        if problems:
            return CallOutcome.failure({"error": "the arguments do not match the tool's input schema",
                                        "problems": problems})
        try:
            req = tool_call_to_wire(tool, args)
            apply_credentials(self.spec, tool.operation, req, self.credentials, placeholder=self.placeholders)
            # The operation's own `servers` choose the base, on the target's origin unless allowed;
            # an LLM supplies the values, and join_url keeps them under that base.
            base = operation_base(self.spec, tool.operation, str(self.client.base_url), mock=self.mock,
                                  allowed_origins=self.allowed_origins)
            url = req.url(base)
        except ToolCallError as exc:
            return CallOutcome.failure({"error": exc.message})
        except OriginError as exc:
            return CallOutcome.failure({"error": exc.message})
        try:
            response = await self.client.request(
                req.method, url, headers=req.all_headers(), content=req.content, timeout=self.timeout,
                auth=req.auth if req.auth is not None else httpx.USE_CLIENT_DEFAULT)
        except httpx.TimeoutException:
            return CallOutcome.failure({"error": f"{tool.operation.key} did not answer within {self.timeout:g}s (timeout)"})
        except httpx.HTTPError as exc:
            return CallOutcome.failure({"error": f"{tool.operation.key} could not be reached: {type(exc).__name__}: {exc}"})
        return self._outcome(tool, response)

    def _outcome(self, tool: Tool, response: httpx.Response) -> CallOutcome:
        from toolcheck.agent._output import is_json_media

        media = response.headers.get("content-type", "")
        body: Any = None
        is_json = False
        if response.content:
            try:
                body, is_json = response.json(), True
            except ValueError:
                body = response.text[:MAX_TEXT]
        meta: dict[str, Any] = {"status": response.status_code}
        shown = {h: response.headers[h] for h in _META_HEADERS if h in response.headers}
        if media:
            shown["content-type"] = media
        if shown:
            meta["headers"] = shown
        meta = self.redactor.redact_known(meta)
        body = self.redactor.redact_known(body)
        if response.status_code >= 400:
            # The error body is what an agent recovers from: carry it whole, with the status.
            return CallOutcome(True, None, {"error": f"HTTP {response.status_code} from {tool.operation.key}",
                                            "status": response.status_code, "body": body}, meta)
        output = tool.output
        if output is None:
            return CallOutcome(False, None, body, meta)
        # An empty or non-JSON answer has no JSON value: null (its text is not the documented shape).
        structured = output.structured(body if is_json and (not media or is_json_media(media)) else None)
        problems = self._check_output(tool, structured)
        if problems:
            # Structured content that breaks the declared schema makes conforming clients reject
            # the whole result; say what the API did instead (the call itself did happen).
            return CallOutcome(True, None, {
                "error": f"{tool.operation.key} answered {response.status_code} with a body that does not match "
                         "its documented response schema (the request was sent and may have taken effect)",
                "problems": problems, "status": response.status_code, "body": body}, meta)
        return CallOutcome(False, structured, structured, meta)

    def _check_output(self, tool: Tool, value: Any) -> list[str]:
        from toolcheck.spec.jsonschema import OpenAPIValidator

        key = "output:" + tool.name
        validator = self._validators.get(key)
        if validator is None:
            # The stricter schema when the listed one is compact (required fields, bounds): an API
            # drifting from its spec is reported, and what passes here passes the listed one.
            schema = (tool.output.check if tool.output is not None else None) or tool.output_schema or {}
            validator = self._validators[key] = OpenAPIValidator(schema)
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
        return [f"{'/'.join(map(str, e.path)) or '(body)'}: {e.message[:200]}" for e in errors[:10]]


class LazyTransport(httpx.AsyncBaseTransport):
    """A transport built by ``factory`` on the first request (the mock's import is deferred until
    a tool is called, so ``initialize`` and ``tools/list`` do not wait for it)."""

    def __init__(self, factory: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self.factory = factory
        self.transport: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.transport is None:
            self.transport = self.factory()
        return await self.transport.handle_async_request(request)

    async def aclose(self) -> None:
        if self.transport is not None:
            await self.transport.aclose()


class UnknownTool(ToolcheckError):
    """A call to a tool that is not listed (JSON-RPC ``-32602``, MCP "Tools › Error handling")."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(f"Unknown tool: {name!r}")
        self.name = name
        self.known = list(known)


_META_HEADERS = ("location", "retry-after", "etag", "last-modified", "link", "x-request-id")
META_KEY = "toolcheck/http"  # `_meta` key: a prefix label and a name (MCP "Basic › _meta")
PAGE_SIZE = 50


@dataclass(frozen=True)
class CallOutcome:
    """One tool call's answer, independent of the MCP SDK.

    Attributes:
        is_error: the call failed (invalid arguments, HTTP 4xx/5xx, unreachable, off-schema answer).
        structured: the ``structuredContent`` (conforms to the tool's ``outputSchema``), or None.
        payload: what the text content block carries (the structured value, the body, or the error).
        http: status and selected headers of the HTTP answer (for ``_meta``), empty when none came.
    """

    is_error: bool
    structured: Any
    payload: Any
    http: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def failure(cls, payload: dict[str, Any]) -> CallOutcome:
        return cls(True, None, payload)

    def text(self) -> str:
        text = self.payload if isinstance(self.payload, str) else json.dumps(self.payload, ensure_ascii=False, default=str)
        return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def page(items: Sequence[Any], cursor: str | None, size: int = PAGE_SIZE) -> tuple[list[Any], str | None]:
    """One page of ``items`` after ``cursor`` and the next cursor (None on the last page).

    Cursors are opaque to clients (MCP "Utilities › Pagination"); this one is the offset in a
    fixed alphabet, and anything else is rejected.

    Raises:
        ValueError: a cursor this server never issued.
    """
    start = 0
    if cursor is not None:
        if not cursor.startswith("o") or not cursor[1:].isdigit() or len(cursor) > 12:
            raise ValueError(f"invalid cursor {cursor[:40]!r}")
        start = int(cursor[1:])
        if not 0 < start < len(items):
            raise ValueError(f"invalid cursor {cursor[:40]!r}")
    end = start + size
    return list(items[start:end]), (f"o{end}" if end < len(items) else None)


def build_server(bridge: ToolBridge, *, name: str = "toolcheck", version: str = "", page_size: int = PAGE_SIZE) -> Any:
    """An MCP low-level ``Server`` answering ``tools/list`` and ``tools/call`` through ``bridge``."""
    types = require_mcp()
    from mcp.server.lowlevel import Server
    from mcp.shared.exceptions import MCPError

    listed = [types.Tool.model_validate(t) for t in bridge.listing()]

    async def list_tools(ctx: Any, params: Any) -> Any:
        try:
            tools, next_cursor = page(listed, getattr(params, "cursor", None), page_size)
        except ValueError as exc:
            raise MCPError(types.INVALID_PARAMS, str(exc)) from None
        return types.ListToolsResult(tools=tools, next_cursor=next_cursor)

    async def call_tool(ctx: Any, params: Any) -> Any:
        try:
            outcome = await bridge.call(params.name, params.arguments)
        except UnknownTool as exc:
            raise MCPError(types.INVALID_PARAMS, exc.message, {"tools": exc.known[:100]}) from None
        meta = {META_KEY: dict(outcome.http)} if outcome.http else None
        return types.CallToolResult(content=[types.TextContent(type="text", text=outcome.text())],
                                    structured_content=outcome.structured, is_error=outcome.is_error, _meta=meta)

    return Server(name, version=version, instructions=f"Tools generated from {bridge.spec.title or bridge.spec.source}.",
                  on_list_tools=list_tools, on_call_tool=call_tool)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6, ``PORT`` alone for 127.0.0.1).

    Raises:
        UsageError: not a host and a port in 1..65535 (0 picks a free port).
    """
    from toolcheck.errors import UsageError

    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", value
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(f"--http {value!r} must be HOST:PORT (e.g. 127.0.0.1:8765)")
    return host, int(port)


async def serve_http(bridge: ToolBridge, host: str, port: int, *, version: str = "",
                     on_ready: Any = None) -> None:
    """Serve ``bridge`` over MCP's Streamable HTTP transport at ``http://HOST:PORT/mcp``.

    The SDK's app enables DNS-rebinding protection (Host and Origin checks) for loopback hosts;
    on any other host the caller has chosen to expose the tools, and the check is left to it.
    ``on_ready(url)`` is called once the socket listens (the real port when ``port`` is 0).
    """
    require_mcp()
    import uvicorn

    server = build_server(bridge, version=version)
    app = server.streamable_http_app(host=host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    web = uvicorn.Server(config)

    async def announce() -> None:
        import anyio

        while not web.started:
            await anyio.sleep(0.02)
        sockets = [s for srv in getattr(web, "servers", []) for s in srv.sockets]
        real = sockets[0].getsockname()[1] if sockets else port
        shown = f"[{host}]" if ":" in host else host
        if on_ready is not None:
            on_ready(f"http://{shown}:{real}/mcp")

    import anyio

    async with bridge.client, anyio.create_task_group() as tg:
        tg.start_soon(announce)
        await web.serve()
        tg.cancel_scope.cancel()
