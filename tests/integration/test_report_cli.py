"""`toolcheck report merge` as a real subprocess: sharded JSON in, one HTML/JUnit/JSON out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from toolcheck.report import write_reports
from toolcheck.results import CaseResult, RunResult, SuiteResult


def toolcheck(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"} | {"NO_COLOR": "1", "COLUMNS": "120"}
    return subprocess.run([sys.executable, "-m", "toolcheck", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60)


def shard(tmp_path: Path, name: str, status: str) -> Path:
    result = RunResult("run", "Sharded", suites=(SuiteResult(name, (CaseResult(f"{name} step", status, 0.2),), 0.2),),
                       seed=11, summary={"requests": 2}, duration=0.3)
    return write_reports(result, tmp_path / name, ("json",))["json"]


def test_merge_passing_shards(tmp_path: Path) -> None:
    a, b = shard(tmp_path, "a", "passed"), shard(tmp_path, "b", "passed")
    proc = toolcheck("report", "merge", "merged", str(a), str(b.parent), "--report-format", "html,junit,json,markdown",
                     cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "merged 2 report(s): 2 passed" in proc.stdout
    data = json.loads((tmp_path / "merged" / "report.json").read_text())
    assert [s["name"] for s in data["suites"]] == ["a", "b"]
    assert data["summary"] == {"requests": 4, "shards": 2} and data["seed"] == 11
    root = ET.fromstring((tmp_path / "merged" / "junit.xml").read_text())
    assert [s.get("name") for s in root.findall("testsuite")] == ["a", "b"]
    assert (tmp_path / "merged" / "summary.md").read_text().count("| ✅ |") == 2
    assert "Sharded" in (tmp_path / "merged" / "report.html").read_text()


def test_merge_with_a_failing_shard_exits_1(tmp_path: Path) -> None:
    proc = toolcheck("report", "merge", "out", str(shard(tmp_path, "a", "passed")),
                     str(shard(tmp_path, "b", "failed")), cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_unreadable_inputs_exit_2_without_traceback(tmp_path: Path) -> None:
    good = shard(tmp_path, "a", "passed")
    (tmp_path / "bad.json").write_text('{"tool": "run"')
    (tmp_path / "other.json").write_text('{"openapi": "3.1.0"}')
    for bad in ("missing.json", "bad.json", "other.json", "emptydir"):
        (tmp_path / "emptydir").mkdir(exist_ok=True)
        proc = toolcheck("report", "merge", "out", str(good), bad, cwd=tmp_path)
        assert proc.returncode == 2, (bad, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and "error:" in proc.stderr
        assert bad in proc.stderr
    assert not (tmp_path / "out").exists()  # nothing written when an input is bad


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    proc = toolcheck("report", "merge", "out", str(shard(tmp_path, "a", "passed")), "--report-format", "pdf", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown report format" in proc.stderr


def test_merge_appends_the_github_step_summary(tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    env_args = [str(shard(tmp_path, "a", "passed")), str(shard(tmp_path, "b", "failed"))]
    env = {**os.environ, "NO_COLOR": "1", "GITHUB_STEP_SUMMARY": str(summary)}
    proc = subprocess.run([sys.executable, "-m", "toolcheck", "report", "merge", "out", *env_args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    text = summary.read_text()
    assert text.startswith("earlier step\n") and "**1** failed" in text and "| ❌ | b |" in text
