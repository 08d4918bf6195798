"""Work a scenario file can ask for is bounded: regexes, JSONPath, conditions, poll/retry counts, timeouts.

Each test is an attack from the audit of issue 12, run through the real CLI against a loopback API.
The subprocess ``timeout`` only guards against a hang (before the fixes these runs did not end).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.security.conftest import Api, toolcheck, write_scenario
from toolcheck.errors import ScenarioError
from toolcheck.scenarios import load_file


def _scenario(expect: str, *, extra_step: str = "", operation: str = "getThing") -> str:
    return f"""\
name: hostile
spec: openapi.yaml
steps:
  - id: one
    operation: {operation}
{extra_step}    expect:
{expect}
"""


def test_catastrophic_matches_runs_in_linear_time(api: Api, workspace: Path) -> None:
    api.json("/thing", {"id": "a" * 5000 + "!"})
    write_scenario(workspace, _scenario("      body:\n        - {path: $.id, matches: '^(a+)+$'}\n"))
    done = toolcheck("run", "hostile.toolcheck.yaml", "--base-url", api.url, "--no-reports", cwd=workspace, timeout=90)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "does not match" in done.stdout


def test_a_backreference_is_refused_at_load_with_its_line(workspace: Path) -> None:
    write_scenario(workspace, _scenario("      body:\n        - {path: $.id, matches: '(a+)\\1'}\n"))
    done = toolcheck("run", "hostile.toolcheck.yaml", "--mock", "--no-reports", cwd=workspace)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "hostile.toolcheck.yaml:8" in done.stderr and "backreference" in done.stderr
    assert "Traceback" not in done.stderr


def test_nested_matches_inside_each_is_checked_at_load(workspace: Path) -> None:
    write_scenario(workspace, _scenario("      body:\n        - {path: '$[*]', each: {matches: '(?=x)y'}}\n"))
    with pytest.raises(ScenarioError, match="lookahead"):
        load_file(workspace / "hostile.toolcheck.yaml")


def test_jsonpath_descendant_bomb_stops_at_the_node_budget(api: Api, workspace: Path) -> None:
    body: dict[str, object] = {}
    node = body
    for _ in range(90):  # 11 KB of nesting: `..*` four times over it is ~10^10 nodes
        child: dict[str, object] = {"k": list(range(30))}
        node["a"] = child
        node = child
    api.json("/thing", body)
    write_scenario(workspace, _scenario("      body:\n        - {path: '$..*..*..*..*', exists: true}\n"))
    done = toolcheck("run", "hostile.toolcheck.yaml", "--base-url", api.url, "--reports", "r", "--format", "json",
                     cwd=workspace, timeout=90)
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads((workspace / "r" / "report.json").read_text())
    [case] = report["suites"][0]["cases"]
    assert "node budget" in case["message"]


@pytest.mark.parametrize("step, needle", [
    ("    poll: {until: \"$statusCode == 200\", max_attempts: 100000}\n", "maximum of 1000"),
    ("    poll: {until: \"$statusCode == 200\", max_time: 5000}\n", "limit is 3600 s"),
    ("    retry: 1000\n", "maximum of 10"),
    ("    retry: {max_attempts: 1000}\n", "maximum of 11"),
])
def test_poll_and_retry_counts_are_capped(workspace: Path, step: str, needle: str) -> None:
    write_scenario(workspace, _scenario("      status: 200\n", extra_step=step))
    done = toolcheck("run", "hostile.toolcheck.yaml", "--mock", "--no-reports", cwd=workspace)
    assert done.returncode == 2, done.stdout + done.stderr
    assert needle in done.stderr and "hostile.toolcheck.yaml:" in done.stderr


def test_arazzo_retry_limit_is_capped(workspace: Path) -> None:
    (workspace / "flow.arazzo.yaml").write_text("""\
arazzo: 1.0.1
info: {title: t, version: "1"}
sourceDescriptions: [{name: api, url: openapi.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: getThing
        onFailure: [{name: again, type: retry, retryLimit: 1000000}]
""")
    with pytest.raises(ScenarioError, match="retryLimit is 1000000; the limit is 10") as caught:
        load_file(workspace / "flow.arazzo.yaml")
    assert "flow.arazzo.yaml:9" in str(caught.value.location)


def test_data_rows_are_capped(workspace: Path) -> None:
    (workspace / "rows.json").write_text(json.dumps([{"n": i} for i in range(10_001)]))
    write_scenario(workspace, "data: rows.json\n" + _scenario("      status: 200\n"))
    with pytest.raises(ScenarioError, match="10001 rows; the limit is 10000"):
        load_file(workspace / "hostile.toolcheck.yaml")


@pytest.mark.parametrize("condition", ["!" * 5000 + "true", "(" * 5000 + "true", "1 == 1 && " * 5000 + "true"])
def test_pathological_conditions_are_a_clear_error(workspace: Path, condition: str) -> None:
    write_scenario(workspace, _scenario("      status: 200\n", extra_step=f"    if: \"{condition}\"\n"))
    done = toolcheck("run", "hostile.toolcheck.yaml", "--mock", "--no-reports", cwd=workspace)
    assert done.returncode == 2, done.stdout + done.stderr[-2000:]
    assert "hostile.toolcheck.yaml:" in done.stderr and "Traceback" not in done.stderr


def test_condition_parsing_is_linear() -> None:
    # Before: every token copied the rest of the text (text[pos:].strip()). Counted, not timed:
    # the tokenizer's work is the characters its regex examines, at most a few per character.
    from toolcheck.scenarios import expressions

    calls: list[int] = []
    original = expressions._REST_IS_SPACE

    class Spy:
        def match(self, text: str, pos: int) -> object:
            calls.append(pos)
            return original.match(text, pos)

    expressions._REST_IS_SPACE = Spy()  # type: ignore[assignment]
    try:
        expressions._tokenize("$statusCode == 200 && " * 60 + "true")
    finally:
        expressions._REST_IS_SPACE = original
    assert len(calls) == 60 * 4 + 1


def test_a_step_timeout_bounds_every_retry(api: Api, workspace: Path) -> None:
    api.delay = 3.0
    write_scenario(workspace, _scenario("      status: 200\n", operation="getSlow",
                                        extra_step="    timeout: 1s\n    retry: {max_attempts: 6, interval: 0}\n"))
    done = toolcheck("run", "hostile.toolcheck.yaml", "--base-url", api.url, "--no-reports", cwd=workspace, timeout=90)
    assert done.returncode == 1, done.stdout + done.stderr
    # Before: six tries of one second each (each retry got a fresh timeout). Now the step's one
    # second covers them all, so the server sees one request.
    assert len([r for r in api.received if r["path"] == "/slow"]) == 1
