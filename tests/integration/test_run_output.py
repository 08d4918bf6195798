"""`toolcheck run` terminal output: quiet, verbose, NO_COLOR, usage errors (as a real process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "agent-tools" / "openapi.yaml"
SCENARIO = f"""
name: Output check
spec: {SPEC}
inputs:
  token: {{default: output-secret-5151, format: password}}
auth: {{bearerAuth: $inputs.token}}
steps:
  - id: create
    operation: create_task
    body: {{kind: export_invoices}}
    expect: {{status: 202}}
  - id: wrong
    operation: list_tasks
    expect:
      body:
        - {{path: $.has_more, eq: "not a boolean"}}
"""


def toolcheck(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "toolcheck", "run", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_quiet_verbose_and_plain_output(tmp_path: Path) -> None:
    path = tmp_path / "out.toolcheck.yaml"
    path.write_text(SCENARIO)
    quiet = toolcheck(str(path), "--mock", "--no-reports", "-q", cwd=tmp_path)
    assert quiet.returncode == 1
    assert quiet.stdout.strip().splitlines() == ["1 passed, 1 failed, 0 errors, 0 skipped in " +
                                                 quiet.stdout.split(" in ")[-1].strip()]
    verbose = toolcheck(str(path), "--mock", "--no-reports", "-v", cwd=tmp_path)
    out = verbose.stdout
    assert "Output check › create POST" in out and "→ 202" in out
    assert "expected: \"not a boolean\"" in out and "curl -sS -X GET" in out
    assert "note: --mock answered in-process; this curl reaches a server only if one listens there" in out
    assert "\x1b[" not in out  # NO_COLOR and not a terminal: plain text
    assert "output-secret-5151" not in out + verbose.stderr
    normal = toolcheck(str(path), "--mock", "--no-reports", cwd=tmp_path)
    assert "✗ Output check" in normal.stdout and "✗ wrong" in normal.stdout and "create POST" not in normal.stdout


def test_list_tags_and_fail_fast(tmp_path: Path) -> None:
    scenarios = ROOT / "scenarios"
    listed = toolcheck(str(scenarios), "--mock", "--list", "--tag", "smoke", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "Long-running task lifecycle" in listed.stdout and "Invoices" not in listed.stdout
    assert "  wait → get_task" in listed.stdout and not (tmp_path / "reports").exists()
    failing = tmp_path / "a.toolcheck.yaml"
    failing.write_text(SCENARIO)
    second = tmp_path / "b.toolcheck.yaml"
    second.write_text(SCENARIO.replace("Output check", "Second"))
    proc = toolcheck(str(tmp_path), "--mock", "--no-reports", "-x", cwd=tmp_path)
    assert proc.returncode == 1 and "Output check" in proc.stdout and "Second" not in proc.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "out.toolcheck.yaml"
    path.write_text(SCENARIO)
    for args, needle in [
        (["--mock", "--base-url", "http://127.0.0.1:1"], "exclude each other"),
        (["--mock", "--contract", "loud"], "--contract"),
        (["--mock", "--severity", "body_schema=loud"], "--severity"),
        (["--mock", "--report-format", "pdf"], "pdf"),
        (["--mock", "--input", "novalue"], "NAME=VALUE"),
    ]:
        proc = toolcheck(str(path), *args, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert needle in proc.stderr and "Traceback" not in proc.stderr
    proc = toolcheck(str(tmp_path / "missing.toolcheck.yaml"), "--mock", cwd=tmp_path)
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_the_engine_does_not_import_the_cli_layer() -> None:
    code = ("import sys, toolcheck.scenarios, toolcheck.scenarios.engine, toolcheck.pytest_plugin;"
            "print([m for m in ('typer', 'toolcheck.cli') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_pytest_plugin_with_xdist_and_the_mock(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "scenarios"), "--toolcheck-mock", "-n", "2", "-q",
                           "-p", "no:cacheprovider", "--rootdir", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "5 passed" in proc.stdout  # tasks, customers, tickets and the two invoice rows, over workers


DEPENDENT = f"""
name: Dependencies
spec: {SPEC}
auth: {{bearerAuth: t0ken-dep}}
steps:
  - id: create
    operation: create_task
    body: {{kind: export_invoices}}
    expect: {{status: 201}}
    outputs: {{task_id: $response.body#/task_id}}
  - id: read
    operation: get_task
    params: {{task_id: $steps.create.outputs.task_id}}
    outputs: {{state: $response.body#/status}}
  - id: independent
    operation: list_tasks
  - id: later
    operation: list_tasks
    if: $steps.read.outputs.state != 'nothing'
"""


def test_steps_that_do_not_use_a_failed_step_still_run(tmp_path: Path) -> None:
    import json

    path = tmp_path / "dep.toolcheck.yaml"
    path.write_text(DEPENDENT)
    proc = toolcheck(str(path), "--mock", "--reports", "out", "--report-format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    [suite] = json.loads((tmp_path / "out" / "report.json").read_text())["suites"]
    cases = {c["name"]: c for c in suite["cases"]}
    assert cases["create"]["status"] == "failed"  # the mock answers 202
    assert cases["read"]["status"] == "skipped"
    assert cases["read"]["message"] == "not run: it uses the outputs of step 'create', which did not pass"
    assert cases["later"]["status"] == "skipped"
    assert cases["later"]["message"] == ("not run: it uses the outputs of step 'create' (through 'read'), "
                                         "which did not pass")
    assert cases["independent"]["status"] == "passed"
    assert cases["independent"]["details"]["notes"] == [
        "ran after step 'create' failed: it uses none of its outputs"]
    assert "dep.toolcheck.yaml:6" in proc.stdout  # the failed step's file:line
