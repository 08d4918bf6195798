"""`toolcheck serve-mcp` as a real subprocess, driven by the `mcp` client over stdio."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

mcp = pytest.importorskip("mcp", reason="needs the MCP SDK: pip install 'toolcheck-cli[mcp]'")
from mcp import StdioServerParameters  # noqa: E402


def _params(spec: Path, *extra: str) -> StdioServerParameters:

    return StdioServerParameters(command=sys.executable, args=["-m", "toolcheck", "serve-mcp", str(spec), *extra])


async def _session(spec: Path, body, *extra: str):  # type: ignore[no-untyped-def]
    from mcp import ClientSession, stdio_client

    async with stdio_client(_params(spec, *extra)) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        with anyio.fail_after(60):
            return await body(session)


def test_lists_tools_and_calls_one_against_the_stateful_mock(example_spec_path: Path) -> None:
    async def body(session):  # type: ignore[no-untyped-def]
        listed = await session.list_tools()
        # The SDK client validates structuredContent against the listed outputSchema and raises
        # on a mismatch, so these calls passing is the conformance check.
        create = await session.call_tool("create_invoice", {
            "customer_id": "cus_0001", "currency": "EUR",
            "line_items": [{"description": "Consulting", "quantity": 2, "unit_amount": 15000}]})
        fetched = await session.call_tool("get_invoice", {"invoice_id": create.structured_content["id"]})
        bad = await session.call_tool("create_invoice", {"currency": "EUR"})
        return listed, create, fetched, bad

    listed, create, fetched, bad = anyio.run(_session, example_spec_path, body)
    tools = {t.name: t for t in listed.tools}
    assert {"create_invoice", "get_invoice", "create_task", "search_customers"} <= set(tools)
    assert tools["get_invoice"].output_schema["type"] == "object"
    # Hints equal to MCP's defaults are left out: a DELETE is destructive by default, a create is not.
    assert tools["cancel_task"].annotations.destructive_hint is not False
    assert tools["create_invoice"].annotations.destructive_hint is False
    assert not create.is_error and create.meta["toolcheck/http"]["status"] == 201
    assert create.structured_content["line_items"][0]["quantity"] == 2
    assert json.loads(create.content[0].text) == create.structured_content  # text mirrors the structure
    assert fetched.structured_content["id"] == create.structured_content["id"]  # the mock kept it
    assert bad.is_error and "customer_id" in bad.content[0].text


def test_tools_list_pages_and_protocol_errors(tmp_path: Path) -> None:
    import mcp_types
    from mcp.shared.exceptions import MCPError

    paths = {f"/things{i}": {"get": {"operationId": f"get_things{i}", "responses": {"200": {
        "description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}}}}}
        for i in range(120)}
    spec = tmp_path / "many.json"
    spec.write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "many", "version": "1"}, "paths": paths}))

    async def body(session):  # type: ignore[no-untyped-def]
        pages = [await session.list_tools()]
        while pages[-1].next_cursor and len(pages) < 10:
            params = mcp_types.PaginatedRequestParams(cursor=pages[-1].next_cursor)
            pages.append(await session.list_tools(params=params))
        called = await session.call_tool("get_things119", {})
        errors = []
        try:
            await session.call_tool("no_such_tool", {})
        except MCPError as exc:
            errors.append(exc)
        try:
            await session.list_tools(params=mcp_types.PaginatedRequestParams(cursor="not-a-cursor"))
        except MCPError as exc:
            errors.append(exc)
        return pages, called, errors

    pages, called, errors = anyio.run(_session, spec, body)
    names = [t.name for p in pages for t in p.tools]
    assert len(pages) > 1 and sorted(names) == sorted(f"get_things{i}" for i in range(120))
    assert not called.is_error and isinstance(called.structured_content["result"], list)
    assert [e.code for e in errors] == [-32602, -32602]  # JSON-RPC invalid params, not a tool result
    assert "no_such_tool" in errors[0].message and "cursor" in errors[1].message


def test_faults_reach_the_agent_as_tool_errors(example_spec_path: Path) -> None:
    async def body(session):  # type: ignore[no-untyped-def]
        return await session.call_tool("get_customer", {"customer_id": "cus_0001"})

    result = anyio.run(_session, example_spec_path, body, "--faults", "error_rate=1", "--tag", "customers")
    assert result.is_error
    assert json.loads(result.content[0].text)["status"] >= 429
    assert result.meta["toolcheck/http"]["status"] >= 429


def test_target_mode_sends_real_http_with_the_configured_credential(example_spec_path: Path) -> None:
    from toolcheck.mock import Mock
    from toolcheck.mock.server import MockApp, MockHolder, start_in_thread
    from toolcheck.spec import load_spec

    spec = load_spec(str(example_spec_path))
    records: list[Any] = []
    running = start_in_thread(MockApp(MockHolder(Mock(spec, stateful=True)), on_request=records.append))
    try:
        async def body(session):  # type: ignore[no-untyped-def]
            return await session.call_tool("search_customers", {"q": "ada", "limit": 3})

        result = anyio.run(_session, example_spec_path, body, "--target", running.url,
                           "--credential", "bearerAuth=tok-12345")
        deadline = time.monotonic() + 5  # the mock logs just after it answers
        while not any(r.path == "/customers" for r in records) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        running.stop()
    assert not result.is_error and result.meta["toolcheck/http"]["status"] == 200
    assert "data" in result.structured_content
    assert any(r.path == "/customers" and r.status == 200 for r in records)


def test_streamable_http_transport_over_a_real_socket(example_spec_path: Path) -> None:
    import re
    import subprocess

    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    proc = subprocess.Popen([sys.executable, "-m", "toolcheck", "serve-mcp", str(example_spec_path), "--http",
                             "127.0.0.1:0"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        assert proc.stderr is not None
        line = ""
        deadline = time.monotonic() + 120
        while "/mcp" not in line and time.monotonic() < deadline and proc.poll() is None:
            line = proc.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/mcp", line)
        assert found, f"no endpoint announced: {line!r}"
        url = found.group(0)

        async def body() -> tuple[Any, Any]:
            async with streamable_http_client(url) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                with anyio.fail_after(60):
                    listed = await session.list_tools()
                    called = await session.call_tool("search_customers", {"q": "ada"})
                    return listed, called

        listed, called = anyio.run(body)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "create_invoice" in {t.name for t in listed.tools}
    assert not called.is_error and "data" in called.structured_content
    assert called.meta["toolcheck/http"]["status"] == 200
