"""On every spec in ../shared/specs: each tool with a JSON success schema declares a valid MCP
``outputSchema``, sampled ``tools/call`` results against the mock conform to it, and no tool that
removes, cancels or rejects (nor any PUT/PATCH) is announced as non-destructive.

Bounded: a seeded sample of calls per spec.
"""

from __future__ import annotations

import random

import anyio
import httpx
import jsonschema
import pytest

from tests.conftest import SPECS, shared_specs_available
from tests.corpus.test_agent_tools_corpus import FILES, positive_arguments
from toolcheck.agent import build_tools
from toolcheck.agent._annotations import action_words
from toolcheck.agent._output import is_json_media, success_responses
from toolcheck.agent.mcp_server import ToolBridge
from toolcheck.mock import MockTransport
from toolcheck.spec import load_spec

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not shared_specs_available(), reason="../shared/specs is not beside the repo"),
]

CALL_SAMPLE = 8
REMOVAL = {"remove", "delete", "cancel", "reject", "revoke", "destroy", "purge"}


@pytest.mark.parametrize("name", FILES)
def test_output_schemas_are_valid_results_conform_and_annotations_are_not_optimistic(name: str) -> None:
    spec = load_spec(str(SPECS / name))
    rng = random.Random(name)
    tools = build_tools(spec, defs=True, outputs=True)
    for tool in tools:
        has_json = any(is_json_media(k) and m.schema is not None
                       for _, r in success_responses(tool.operation) for k, m in r.content.items())
        assert (tool.output_schema is not None) == has_json, tool.name
        if tool.output_schema is not None:
            assert tool.output_schema["type"] == "object"
            jsonschema.Draft202012Validator.check_schema(tool.output_schema)
        hints = tool.annotations
        method = tool.operation.method
        if method in ("put", "patch") or (method != "get" and action_words(tool.operation) & REMOVAL):
            assert hints["destructiveHint"] and not hints["readOnlyHint"], f"{tool.name} ({tool.operation.key})"
            listed = tool.render("mcp").get("annotations", {})
            assert listed.get("destructiveHint", True) and not listed.get("readOnlyHint", False)

    client = httpx.AsyncClient(transport=MockTransport(spec, seed=3, stateful=False), base_url="http://mock")
    bridge = ToolBridge(spec, tools, client)
    candidates = [t for t in tools if t.output_schema is not None and not t.operation.webhook]
    checked = 0

    async def calls() -> int:
        done = 0
        for tool in rng.sample(candidates, min(CALL_SAMPLE * 3, len(candidates))):
            if done >= CALL_SAMPLE:
                break
            args = positive_arguments(spec, tool, rng)
            if args is None:
                continue
            outcome = await bridge.call(tool.name, args)
            status = outcome.http.get("status", 0)
            if not 200 <= status < 300:
                continue
            assert not outcome.is_error, f"{tool.name}: {outcome.text()[:500]}"
            jsonschema.Draft202012Validator(tool.output_schema).validate(outcome.structured)
            done += 1
        return done

    checked = anyio.run(calls)
    assert checked or len(candidates) < 3, "no sampled call answered 2xx"
