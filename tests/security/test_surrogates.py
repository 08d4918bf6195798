"""A response holding a lone surrogate (`{"id":"\\ud800"}`) does not stop report writing.

Before issue 12, UTF-8 could not encode the decoded string: `run` wrote no HTML (exit 3 after the
run) and `fuzz` wrote no report at all.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.security.conftest import Api, toolcheck, write_scenario

SURROGATE = b'{"id": "\\ud800", "note": "lone \\udfff too"}'


def _check_reports(folder: Path) -> None:
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["suites"]
    ET.parse(folder / "junit.xml")
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "</html>" in html


def test_run_writes_every_report(api: Api, workspace: Path) -> None:
    api.json("/thing", SURROGATE)
    write_scenario(workspace, """\
name: surrogate
spec: openapi.yaml
steps:
  - id: one
    operation: getThing
    expect:
      body:
        - {path: $.id, eq: x}
""")
    summary = workspace / "summary-gh.md"
    done = toolcheck("run", "hostile.toolcheck.yaml", "--base-url", api.url, "--reports", "r",
                     "--format", "html,json,junit,markdown", cwd=workspace, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "internal error" not in done.stdout + done.stderr
    _check_reports(workspace / "r")
    assert "\\ud800" in (workspace / "r" / "report.html").read_text(encoding="utf-8")  # shown as its escape
    summary.read_text(encoding="utf-8")


def test_fuzz_writes_every_report(api: Api, workspace: Path) -> None:
    api.json("/thing", SURROGATE)
    api.json("/basic", SURROGATE)
    api.json("/slow", SURROGATE)
    done = toolcheck("fuzz", "openapi.yaml", "--base-url", api.url, "--reports", "f", "--max-examples", "5",
                     "--seed", "1", cwd=workspace)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "internal error" not in done.stdout + done.stderr
    _check_reports(workspace / "f")
    json.loads((workspace / "f" / "fuzz-findings.json").read_text(encoding="utf-8"))
