"""Operation- and path-level `servers` on the MCP bridge: the right base, never another origin unasked."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from toolcheck.agent import build_tools
from toolcheck.agent._servers import operation_base, origin
from toolcheck.agent.mcp_server import ToolBridge
from toolcheck.spec import Spec, load_spec_dict
from toolcheck.wire import OriginError

OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}


def _spec(files_server: str = "https://files.example.com/v1") -> Spec:
    return load_spec_dict({
        "openapi": "3.1.0", "info": {"title": "servers", "version": "1"},
        "servers": [{"url": "https://api.example.com/v1"}],
        "paths": {
            "/things": {"get": {"operationId": "list_things", "responses": OK}},
            "/files": {"servers": [{"url": files_server}],
                       "post": {"operationId": "upload_file", "responses": OK}},
            "/beta": {"get": {"operationId": "beta", "servers": [{"url": "/v2"}], "responses": OK}},
            "/regional": {"get": {"operationId": "regional", "responses": OK, "servers": [
                {"url": "https://{region}.example.com/v1", "variables": {"region": {"default": "eu"}}}]}},
            "/both": {"get": {"operationId": "both", "responses": OK, "servers": [
                {"url": "https://other.example.com"}, {"url": "https://api.example.com/v1"}]}},
            "/nodefault": {"get": {"operationId": "nodefault", "responses": OK, "servers": [{"url": "{origin}/x"}]}},
        }})


def _op(spec: Spec, op_id: str) -> Any:
    return spec.operation(op_id)


def test_the_base_follows_the_operation_servers_on_the_target_origin() -> None:
    spec = _spec()
    target = "https://api.example.com/v1"
    assert operation_base(spec, _op(spec, "list_things"), target) == target
    assert operation_base(spec, _op(spec, "both"), target) == target  # lists a document server
    assert operation_base(spec, _op(spec, "beta"), target) == "https://api.example.com/v2"
    assert operation_base(spec, _op(spec, "beta"), "http://127.0.0.1:8080/v1") == "http://127.0.0.1:8080/v2"
    same_origin = _spec("https://api.example.com:443/uploads")
    assert operation_base(same_origin, _op(same_origin, "upload_file"), target) == "https://api.example.com:443/uploads"


def test_another_origin_is_refused_unless_allowed() -> None:
    spec = _spec()
    target = "https://api.example.com/v1"
    with pytest.raises(OriginError) as refused:
        operation_base(spec, _op(spec, "upload_file"), target)
    assert "--allow-origin https://files.example.com" in refused.value.message
    allowed = ["https://FILES.example.com:443"]  # origins compare per RFC 6454 (case, default port)
    assert operation_base(spec, _op(spec, "upload_file"), target, allowed_origins=allowed) == \
        "https://files.example.com/v1"
    assert operation_base(spec, _op(spec, "regional"), target, allowed_origins=["https://eu.example.com"]) == \
        "https://eu.example.com/v1"  # the variable's default
    with pytest.raises(OriginError, match="no default"):
        operation_base(spec, _op(spec, "nodefault"), target)
    # A network-path reference (//host) is another origin too, not a path on the target.
    sneaky = _spec("//evil.example.net/v1")
    with pytest.raises(OriginError, match="evil.example.net"):
        operation_base(sneaky, _op(sneaky, "upload_file"), target)
    assert origin("HTTP://Example.com:80/x") == "http://example.com"


def test_the_mock_gets_the_operation_base_path() -> None:
    spec = _spec()
    assert operation_base(spec, _op(spec, "upload_file"), "http://mock/", mock=True) == "http://mock/v1"
    assert operation_base(spec, _op(spec, "beta"), "http://mock/", mock=True) == "http://mock/v2"
    assert operation_base(spec, _op(spec, "nodefault"), "http://mock/", mock=True) == "http://mock/"


def test_the_bridge_sends_to_the_operation_server_over_real_sockets() -> None:
    from toolcheck.mock import Mock
    from toolcheck.mock.server import MockApp, MockHolder, start_in_thread

    records: list[Any] = []
    running = start_in_thread(MockApp(MockHolder(Mock(_spec(), stateful=False)), on_request=records.append))
    try:
        port = running.url.rsplit(":", 1)[1].strip("/")
        # 127.0.0.1 and localhost are two origins (RFC 6454) on one real server.
        spec = _spec(f"http://localhost:{port}/v1")
        tools = {t.name: t for t in build_tools(spec, outputs=True, defs=True)}

        async def calls(allowed: list[str]) -> list[Any]:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/v1") as client:
                bridge = ToolBridge(spec, list(tools.values()), client, placeholders=False, mock=False,
                                    allowed_origins=allowed)
                return [await bridge.call("upload_file", {}), await bridge.call("beta", {})]

        refused, beta = anyio.run(calls, [])
        assert refused.is_error and "--allow-origin" in refused.payload["error"] and f"localhost:{port}" in refused.payload["error"]
        assert not beta.is_error
        sent, _ = anyio.run(calls, [f"http://localhost:{port}"])
        assert not sent.is_error, sent.payload
    finally:
        running.stop()
    paths = [r.path for r in records]
    assert paths.count("/v1/files") == 1 and "/v2/beta" in paths  # the refused call never left
