"""The shape of `toolcheck run`'s JSON report, pinned: every key of a step's details (request,
response, poll attempts, assertions, violations) as readers outside this repository see it.

Issue 11 item 4 replaces the details dict read back by string keys with typed records; this test
is the contract that refactor keeps. Values that vary (timings, generated ids) are not pinned.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from toolcheck.cli import app

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "agent-tools" / "openapi.yaml"
SCENARIO = f"""
name: Shape
spec: {SPEC}
inputs:
  token: {{default: shape-secret-7373, format: password}}
auth: {{bearerAuth: $inputs.token}}
steps:
  - id: create
    operation: create_task
    body: {{kind: export_invoices}}
    expect: {{status: 202}}
    outputs: {{task_id: $response.body#/task_id}}
  - id: wait
    operation: get_task
    params: {{task_id: $steps.create.outputs.task_id}}
    poll:
      until: $response.body#/status == 'completed' || $response.body#/status == 'failed'
      interval: 10ms
      max_attempts: 20
      max_time: 10s
  - id: wrong
    operation: list_tasks
    expect:
      body:
        - {{path: $.has_more, eq: "not a boolean"}}
"""

REQUEST = {"method", "url", "headers", "body"}
RESPONSE = {"status", "headers", "body", "elapsed_ms"}
ATTEMPT = {"attempt", "status", "elapsed_ms", "note"}
ASSERTION = {"check", "path", "operator", "expected", "actual", "message"}
VIOLATION = {"check", "message", "pointer", "severity"}
STEP = {"operation", "request", "curl", "credentials", "response", "location"}


def _report(tmp_path: Path) -> dict[str, Any]:
    scenario = tmp_path / "shape.toolcheck.yaml"
    scenario.write_text(SCENARIO)
    result = CliRunner().invoke(app, ["run", str(scenario), "--mock", "--reports", str(tmp_path / "out"),
                                      "--report-format", "json", "-q"])
    assert result.exit_code == 1, result.output  # the `wrong` step fails
    data: dict[str, Any] = json.loads((tmp_path / "out" / "report.json").read_text())
    return data


def test_the_json_report_of_a_run_keeps_its_shape(tmp_path: Path) -> None:
    report = _report(tmp_path)
    assert set(report) == {"format_version", "tool", "title", "version", "started_at", "duration", "command_line",
                           "seed", "interrupted", "incomplete", "summary", "totals", "suites"}
    (suite,) = report["suites"]
    assert set(suite) == {"name", "file", "duration", "properties", "cases"}
    cases = {c["name"]: c for c in suite["cases"]}
    assert list(cases) == ["create", "wait", "wrong"]
    for case in cases.values():
        assert set(case) == {"name", "status", "duration", "message", "classname", "details", "properties"}
        assert set(case["properties"]) == {"attempts", "line"}
        details = case["details"]
        assert set(details["request"]) == REQUEST
        assert set(details["response"]) == RESPONSE
        assert isinstance(details["response"]["status"], int)
        assert isinstance(details["response"]["elapsed_ms"], (int, float))
        assert details["credentials"] == "sent"
        assert "shape-secret-7373" not in json.dumps(details)  # redacted before it reaches a result

    create, wait, wrong = cases["create"], cases["wait"], cases["wrong"]
    assert (create["status"], set(create["details"])) == ("passed", STEP)
    assert create["details"]["request"]["method"] == "POST"
    assert create["details"]["request"]["headers"]["Authorization"] == "Bearer ***"

    assert wait["status"] == "passed" and set(wait["details"]) == STEP | {"attempts"}
    attempts = wait["details"]["attempts"]
    assert attempts and all(ATTEMPT <= set(a) <= ATTEMPT | {"retry_after", "wait_s"} for a in attempts)
    assert [a["attempt"] for a in attempts] == list(range(1, len(attempts) + 1))
    assert wait["properties"]["attempts"] == str(len(attempts))

    assert wrong["status"] == "failed"
    assert set(wrong["details"]) == STEP | {"expected", "actual", "assertions", "violations"}
    (assertion,) = wrong["details"]["assertions"]
    assert set(assertion) == ASSERTION
    assert (assertion["check"], assertion["operator"], assertion["expected"]) == ("body", "eq", "not a boolean")
    (violation,) = wrong["details"]["violations"]
    assert set(violation) == VIOLATION
    assert (violation["check"], violation["pointer"], violation["severity"]) == ("expect.body", "$.has_more", "error")
    assert (wrong["details"]["expected"], wrong["details"]["actual"]) == ("not a boolean", False)
