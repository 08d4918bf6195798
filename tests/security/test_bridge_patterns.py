"""A spec's ``pattern`` behind ``serve-mcp`` runs in bounded time, on the model's arguments and the API's answers.

Both the arguments (chosen by a model, which may be steered by a prompt injection) and the answer (from the
API) are matched against patterns from a spec that may come from a pull request. ``^(a+)+$`` against
``"a" * 40 + "!"`` takes hours on Python's backtracking ``re``; the subprocess timeout only guards the
suite against that hang (before the fix the run did not end), it is not a speed target.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

HOSTILE = "a" * 40 + "!"
EVIL = {"type": "string", "pattern": "^(a+)+$"}


_SCRIPT = """
import json, sys
import anyio, httpx
from toolcheck.agent import build_tools
from toolcheck.agent.mcp_server import ToolBridge
from toolcheck.spec import load_spec_dict
doc, answer, args = json.loads(sys.stdin.read())
spec = load_spec_dict(doc)
tools = build_tools(spec, outputs=True, defs=True)
client = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(200, json=answer)),
                           base_url="http://127.0.0.1:9")
out = anyio.run(ToolBridge(spec, tools, client, placeholders=False).call, "get_t", args)
print(json.dumps({"is_error": out.is_error, "structured": out.structured, "text": out.text()}))
"""


def _call(answer: Any, args: dict[str, Any]) -> dict[str, Any]:
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/t": {"get": {
        "operationId": "get_t",
        "parameters": [{"name": "v", "in": "query", "required": True, "schema": EVIL}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"name": EVIL, "tags": {"type": "object", "patternProperties": {
                "^(a+)+$": {"type": "integer"}}}}}}}}}}}}}
    # A subprocess: a backtracking match holds the GIL, so a thread could not even time out.
    done = subprocess.run([sys.executable, "-c", _SCRIPT], input=json.dumps([doc, answer, args]),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def test_a_hostile_argument_is_refused_in_bounded_time() -> None:
    out = _call({"name": "aaa"}, {"v": HOSTILE})
    assert out["is_error"]
    assert "v: " in out["text"] and "does not match" in out["text"]


def test_a_hostile_answer_is_checked_in_bounded_time() -> None:
    out = _call({"name": HOSTILE, "tags": {HOSTILE: "not an integer"}}, {"v": "aaa"})
    assert out["is_error"]
    # The hostile key does not match the patternProperties pattern, so its value is not checked.
    assert "name: " in out["text"] and "tags/" not in out["text"]


def test_a_matching_argument_and_answer_pass() -> None:
    out = _call({"name": "aaa", "tags": {"aa": 1}}, {"v": "aaa"})
    assert not out["is_error"], out["text"]
    assert out["structured"] == {"name": "aaa", "tags": {"aa": 1}}
