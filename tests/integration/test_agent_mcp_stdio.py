"""The hand-written stdio protocol loop of `serve-mcp` (toolcheck.agent.mcp_stdio), as a real subprocess.

The official MCP SDK is the client wherever it can send the message; the raw-line tests cover what
a conforming client never sends (malformed JSON, requests before initialize, unknown versions).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

mcp = pytest.importorskip("mcp", reason="needs the MCP SDK: pip install 'toolcheck-cli[mcp]'")
from mcp import ClientSession, StdioServerParameters, stdio_client  # noqa: E402


def _params(spec: Path, *extra: str) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "toolcheck", "serve-mcp", str(spec), *extra])


def test_handshake_ping_and_the_modern_era_list_the_same_tools(example_spec_path: Path) -> None:
    async def handshake() -> tuple[Any, Any, Any]:
        async with stdio_client(_params(example_spec_path)) as (read, write), ClientSession(read, write) as session:
            init = await session.initialize()
            with anyio.fail_after(60):
                pong = await session.send_ping()
                return init, pong, await session.list_tools()

    async def modern() -> tuple[Any, Any, Any]:
        # 2026-07-28: no handshake, `server/discover` first; served by the SDK's own server.
        async with stdio_client(_params(example_spec_path)) as (read, write), ClientSession(read, write) as session:
            with anyio.fail_after(60):
                found = await session.discover()
                listed = await session.list_tools()
                called = await session.call_tool("search_customers", {"q": "ada"})
                return found, listed, called

    init, pong, listed = anyio.run(handshake)
    found, modern_listed, called = anyio.run(modern)
    from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, LATEST_HANDSHAKE_VERSION

    assert init.protocol_version == LATEST_HANDSHAKE_VERSION  # the SDK client's own offer, accepted
    assert LATEST_HANDSHAKE_VERSION in HANDSHAKE_PROTOCOL_VERSIONS
    assert init.capabilities.tools is not None and init.capabilities.resources is None
    assert init.server_info.name == "toolcheck" and "Agent Tools API" in (init.instructions or "")
    assert pong is not None
    assert "2026-07-28" in found.supported_versions
    dump = [t.model_dump(by_alias=True, exclude_none=True) for t in listed.tools]
    assert dump == [t.model_dump(by_alias=True, exclude_none=True) for t in modern_listed.tools]
    assert not called.is_error and "data" in called.structured_content


def _raw_session(spec: Path, lines: list[Any], *extra: str) -> list[dict[str, Any]]:
    """Send ``lines`` (objects as JSON, strings as they are), close stdin, read every answer."""
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    done = subprocess.run([sys.executable, "-m", "toolcheck", "serve-mcp", str(spec), *extra], input=text,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}


def test_raw_protocol_errors_and_version_negotiation(example_spec_path: Path) -> None:
    answers = _raw_session(example_spec_path, [
        {"jsonrpc": "2.0", "id": 0, "method": "tools/list"},  # before initialize
        {"jsonrpc": "2.0", "id": "p", "method": "ping"},  # allowed at any time
        INIT,
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        "{not json",
        "",  # a blank line is no message: no answer
        [{"jsonrpc": "2.0", "id": 9, "method": "ping"}],  # batches were removed in 2025-06-18
        {"jsonrpc": "2.0", "id": 2, "method": "resources/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "nope", "arguments": {}}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "get_invoice", "arguments": []}},
        {"jsonrpc": "2.0", "id": None, "method": "ping"},
        {"jsonrpc": "2.0", "id": 5, "method": "initialize",
         "params": {"protocolVersion": "1999-01-01", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}},
        {"jsonrpc": "2.0", "id": 6, "method": "tools/list", "params": {"cursor": "o999999"}},
    ])
    by_id = {a.get("id"): a for a in answers if a.get("id") is not None}
    assert by_id[0]["error"]["code"] == -32600 and "initialize" in by_id[0]["error"]["message"]
    assert by_id["p"]["result"] == {}
    assert by_id[1]["result"]["protocolVersion"] == "2025-06-18"
    assert by_id[1]["result"]["capabilities"] == {"tools": {"listChanged": False}}
    assert by_id[2]["error"]["code"] == -32601
    assert by_id[3]["error"]["code"] == -32602 and "nope" in by_id[3]["error"]["message"]
    assert by_id[4]["error"]["code"] == -32602
    assert by_id[5]["result"]["protocolVersion"] == "2025-11-25"  # unknown: the latest this server speaks
    assert by_id[6]["error"]["code"] == -32602 and "cursor" in by_id[6]["error"]["message"]
    null_ids = [a["error"]["code"] for a in answers if a.get("id") is None]
    assert sorted(null_ids) == [-32700, -32600, -32600]  # parse error, batch, null id
    assert len(answers) == 11  # 12 messages; the notification and the blank line got no answer


def test_a_cancelled_call_is_stopped_and_not_answered(example_spec_path: Path) -> None:
    call = {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": "search_customers", "arguments": {"q": "ada"}}}
    answers = _raw_session(example_spec_path, [
        INIT, {"jsonrpc": "2.0", "method": "notifications/initialized"}, call,
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7, "reason": "user"}},
        {"jsonrpc": "2.0", "id": 8, "method": "ping"},
    ], "--faults", "latency=120s", "--timeout", "200")
    # Had the cancellation not reached the call, it would have been answered after the latency.
    assert [a["id"] for a in answers] == [1, 8]


def test_stray_output_never_reaches_the_wire(tmp_path: Path, example_spec_path: Path) -> None:
    # A process-level print while serving goes to stderr (fd 1 points there): stdout stays protocol.
    from toolcheck.agent import mcp_stdio

    script = tmp_path / "serve.py"
    script.write_text(
        "import sys, anyio\n"
        "from toolcheck.agent import mcp_stdio\n"
        "r, w, restore = mcp_stdio.claim_stdio()\n"
        "print('stray output'); sys.stdout.flush()\n"
        "w.write(b'{}\\n'); w.flush(); restore()\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "{}\n" and "stray output" in done.stderr
    assert mcp_stdio.MAX_LINE >= 1 << 20
