"""Serve a spec's tools over MCP (stdio), backed by the mock or a real API.

``tools/list`` returns exactly what ``toolcheck tools --format mcp`` prints. ``tools/call``
validates the arguments against the tool's input schema, turns the call into the HTTP request
(:func:`~toolcheck.agent.tools.tool_call_to_request`), adds credentials (the agent never sees
them), sends it through an ``httpx.AsyncClient`` (in-process :class:`~toolcheck.mock.MockTransport`
by default, so the mock's state and fault injection apply) and answers with the status and body
(``isError`` for 4xx/5xx, timeouts and invalid arguments, so an agent sees failures as failures).

The ``mcp`` SDK is an optional extra (``pip install "toolcheck[mcp]"``): it pulls in pydantic,
starlette and anyio extras that no other command needs. It is imported only here, lazily;
:func:`require_mcp` turns its absence into a clear error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from toolcheck.agent.tools import Tool, ToolCallError, tool_call_to_wire
from toolcheck.errors import TargetError
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
    """

    def __init__(self, spec: Spec, tools: Sequence[Tool], client: httpx.AsyncClient,
                 credentials: Mapping[str, str] | None = None, *, placeholders: bool = True,
                 timeout: float = 30.0) -> None:
        self.spec = spec
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
        import jsonschema

        validator = self._validators.get(tool.name)
        if validator is None:
            validator = self._validators[tool.name] = jsonschema.Draft202012Validator(tool.input_schema)
        errors = sorted(validator.iter_errors(dict(arguments)), key=lambda e: list(e.path))
        return [f"{'/'.join(map(str, e.path)) or '(arguments)'}: {e.message[:200]}" for e in errors[:10]]

    async def call(self, name: str, arguments: Mapping[str, Any] | None) -> tuple[bool, dict[str, Any]]:
        """``(is_error, result)`` for one tool call; never raises for the agent's mistakes."""
        tool = self.tools.get(name)
        if tool is None:
            return True, {"error": f"no tool named {name!r}", "tools": sorted(self.tools)}
        args = dict(arguments or {})
        problems = self._validate(tool, args)
        if problems:
            return True, {"error": "the arguments do not match the tool's input schema", "problems": problems}
        try:
            req = tool_call_to_wire(tool, args)
            apply_credentials(self.spec, tool.operation, req, self.credentials, placeholder=self.placeholders)
            url = req.url(str(self.client.base_url))  # an LLM supplies the values: never off the target
        except ToolCallError as exc:
            return True, {"error": exc.message}
        except OriginError as exc:
            return True, {"error": exc.message}
        try:
            response = await self.client.request(
                req.method, url, headers=req.all_headers(), content=req.content, timeout=self.timeout,
                auth=req.auth if req.auth is not None else httpx.USE_CLIENT_DEFAULT)
        except httpx.TimeoutException:
            return True, {"error": f"{tool.operation.key} did not answer within {self.timeout:g}s (timeout)"}
        except httpx.HTTPError as exc:
            return True, {"error": f"{tool.operation.key} could not be reached: {type(exc).__name__}: {exc}"}
        try:
            body: Any = response.json() if response.content else None
        except ValueError:
            body = response.text[:MAX_TEXT]
        result: dict[str, Any] = {"status": response.status_code, "body": body}
        for header in ("location", "retry-after"):
            if header in response.headers:
                result.setdefault("headers", {})[header] = response.headers[header]
        return response.status_code >= 400, self.redactor.redact_known(result)


def build_server(bridge: ToolBridge, *, name: str = "toolcheck", version: str = "") -> Any:
    """An MCP low-level ``Server`` answering ``tools/list`` and ``tools/call`` through ``bridge``."""
    types = require_mcp()
    from mcp.server.lowlevel import Server

    listed = [types.Tool.model_validate(t) for t in bridge.listing()]

    async def list_tools(ctx: Any, params: Any) -> Any:
        return types.ListToolsResult(tools=listed)

    async def call_tool(ctx: Any, params: Any) -> Any:
        is_error, result = await bridge.call(params.name, params.arguments)
        text = json.dumps(result, ensure_ascii=False, default=str)
        if len(text) > MAX_TEXT:
            text = text[:MAX_TEXT] + "…"
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)],
                                    structured_content=result, is_error=is_error)

    return Server(name, version=version, instructions=f"Tools generated from {bridge.spec.title or bridge.spec.source}.",
                  on_list_tools=list_tools, on_call_tool=call_tool)


async def serve_stdio(bridge: ToolBridge, *, version: str = "") -> None:
    """Serve ``bridge`` over stdin/stdout until the client disconnects."""
    require_mcp()
    from mcp.server.stdio import stdio_server

    server = build_server(bridge, version=version)
    async with bridge.client, stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())
