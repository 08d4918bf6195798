"""`toolcheck serve-mcp` as a real subprocess, driven by the `mcp` client over stdio."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

mcp = pytest.importorskip("mcp")
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
        names = {t.name for t in listed.tools}
        create = await session.call_tool("create_invoice", {
            "customer_id": "cus_0001", "currency": "EUR",
            "line_items": [{"description": "Consulting", "quantity": 2, "unit_amount": 15000}]})
        created = json.loads(create.content[0].text)
        fetched = await session.call_tool("get_invoice", {"invoice_id": created["body"]["id"]})
        bad = await session.call_tool("create_invoice", {"currency": "EUR"})
        return names, create, created, json.loads(fetched.content[0].text), bad

    names, create, created, fetched, bad = anyio.run(_session, example_spec_path, body)
    assert {"create_invoice", "get_invoice", "create_task", "search_customers"} <= names
    assert not create.is_error and created["status"] == 201
    assert created["body"]["line_items"][0]["quantity"] == 2
    assert fetched["status"] == 200 and fetched["body"]["id"] == created["body"]["id"]  # the mock kept it
    assert bad.is_error and "customer_id" in bad.content[0].text


def test_faults_reach_the_agent_as_tool_errors(example_spec_path: Path) -> None:
    async def body(session):  # type: ignore[no-untyped-def]
        return await session.call_tool("get_customer", {"customer_id": "cus_0001"})

    result = anyio.run(_session, example_spec_path, body, "--faults", "error_rate=1", "--tag", "customers")
    assert result.is_error
    assert json.loads(result.content[0].text)["status"] >= 429


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
    answer = json.loads(result.content[0].text)
    assert not result.is_error and answer["status"] == 200
    assert any(r.path == "/customers" and r.status == 200 for r in records)
