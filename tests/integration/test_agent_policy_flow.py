"""`init` → `run --mock` → `policy` on the example spec, and a removed auth-failure step fails it."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner, Result

from toolcheck.cli import app

runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "160"})


def test_init_run_policy_then_a_missing_auth_step_fails_naming_the_operation(example_spec_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "scenarios"
    spec = str(example_spec_path)
    made = invoke("init", spec, "--out", str(out))
    assert made.exit_code == 0, made.output
    files = sorted(p.name for p in out.glob("*.toolcheck.yaml"))
    assert files == ["customers.toolcheck.yaml", "invoices.toolcheck.yaml", "tasks.toolcheck.yaml", "tickets.toolcheck.yaml"]

    ran = invoke("run", str(out), "--mock", "--reports", str(tmp_path / "run-reports"), "--report-format", "json")
    assert ran.exit_code == 0, ran.output
    report = json.loads((tmp_path / "run-reports" / "report.json").read_text())
    assert report["totals"]["failed"] == 0 and report["totals"]["passed"] >= 15

    ok = invoke("policy", spec, "--scenarios", str(out), "--reports", str(tmp_path / "policy"),
                "--run-report", str(tmp_path / "run-reports" / "report.json"))
    assert ok.exit_code == 0, ok.output
    assert "policy met" in ok.output
    html = (tmp_path / "policy" / "report.html").read_text()
    assert "create_invoice" in html and "auth-failure" in html

    tasks = out / "tasks.toolcheck.yaml"
    doc = yaml.safe_load(tasks.read_text())
    doc["steps"] = [s for s in doc["steps"] if s["id"] != "create_task_requires_auth"]
    tasks.write_text(yaml.safe_dump(doc, sort_keys=False))
    gap = invoke("policy", spec, "--scenarios", str(out))
    assert gap.exit_code == 1
    assert "create_task (POST /tasks): auth-failure" in gap.output
    assert "cancel_task (DELETE" not in gap.output.split("policy not met")[1]  # only the removed step is missing

    as_json = invoke("policy", spec, "--scenarios", str(out), "--format", "json")
    assert json.loads(as_json.output)["gaps"] == [{"operation": "create_task", "key": "POST /tasks",
                                                    "requirement": "auth-failure"}]


def test_init_keeps_existing_files(example_spec_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "s"
    out.mkdir()
    (out / "tasks.toolcheck.yaml").write_text("# mine\n")
    result = invoke("init", str(example_spec_path), "--out", str(out), "--tag", "tasks")
    assert result.exit_code == 0 and "kept 1 existing" in result.output
    assert (out / "tasks.toolcheck.yaml").read_text() == "# mine\n"


def test_a_failed_covering_step_does_not_count_with_a_run_report(example_spec_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "scenarios"
    spec = str(example_spec_path)
    assert invoke("init", spec, "--out", str(out), "--tag", "tickets").exit_code == 0
    tickets = out / "tickets.toolcheck.yaml"
    doc = yaml.safe_load(tickets.read_text())
    for step in doc["steps"]:
        if step["id"] == "open_ticket_requires_auth":
            step["expect"]["status"] = 403  # the mock answers 401: this step now fails
    tickets.write_text(yaml.safe_dump(doc, sort_keys=False))
    ran = invoke("run", str(out), "--mock", "--reports", str(tmp_path / "r"), "--report-format", "json")
    assert ran.exit_code == 1
    without = invoke("policy", spec, "--scenarios", str(out), "--require", "auth-failure")
    assert "open_ticket (POST /tickets): auth-failure" not in without.output  # present, so counted
    with_run = invoke("policy", spec, "--scenarios", str(out), "--require", "auth-failure",
                      "--run-report", str(tmp_path / "r" / "report.json"))
    assert with_run.exit_code == 1
    assert "open_ticket (POST /tickets): auth-failure" in with_run.output
    assert "did not pass" in with_run.output
