"""The shared HTML report in a real headless browser (Debian chromium).

Renders a report holding a scenario step, a fuzz finding and a drift finding full of hostile
payloads; asserts it loads with no console errors (our one script runs under the report's CSP),
no payload executes, and a screenshot is taken. (Reading without JavaScript: tests/unit/test_report_html.py.)
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import NEEDS_CHROMIUM, chromium_path
from toolcheck.details import Details
from toolcheck.redact import Redactor
from toolcheck.report import write_reports
from toolcheck.results import CaseResult, RunResult, SuiteResult

CHROMIUM = chromium_path()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason=NEEDS_CHROMIUM),
]

SECRET = "tok-browser-SECRET-9911"
PWN_IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
PWN_SCRIPT = "<script>document.body.setAttribute('data-pwned','script')</script>"


def hostile_result() -> RunResult:
    step = CaseResult(
        name=f"poll {PWN_SCRIPT}",
        status="failed",
        duration=1.25,
        message=f"status was failed {PWN_IMG}",
        classname="tasks",
        details=Details.from_json({
            "request": {"method": "GET", "url": f"http://127.0.0.1:1/tasks/t1?token={SECRET}",
                        "headers": {"Authorization": f"Bearer {SECRET}", PWN_IMG: PWN_SCRIPT}},
            "response": {"status": 200, "headers": [["content-type", "application/json"]],
                         "body": {"status": "failed", "note": PWN_SCRIPT, "echo": SECRET}, "elapsed_ms": 2.5},
            "expected": {"status": "completed"},
            "actual": {"status": "failed", "error": {"code": PWN_IMG}},
            "violations": [{"check": "body_schema", "message": PWN_IMG, "pointer": "/error/code"}],
            "attempts": [{"attempt": 1, "status": 200, "elapsed_ms": 3, "note": "queued"},
                         {"attempt": 2, "status": 200, "elapsed_ms": 4, "note": PWN_SCRIPT}],
            "curl": f"curl -H 'Authorization: Bearer {SECRET}' 'http://127.0.0.1:1/tasks/t1'",
        }),
    )
    finding = CaseResult(
        name="server_error: 500",
        status="failed",
        message="HTTP 500",
        details=Details.from_json({"hint": PWN_IMG, "replay": "toolcheck replay abc --findings f.json", "seed": 7, "cause": "500",
                 "steps": [{"role": "create", "operation_id": "create_task", "status": 201, "curl": "curl -X POST x"}]}),
    )
    drift = CaseResult(
        name="response-property-removed",
        status="failed",
        message="a property was removed",
        details=Details.from_json({"rule": "response-property-removed", "level": "error", "before": {"type": "string"}, "after": None,
                 "location_old": "old.yaml:10", "location_new": "new.yaml:12"}),
    )
    return RunResult(
        tool="run",
        title=f"Browser {PWN_IMG}",
        suites=(SuiteResult("tasks", (step, CaseResult("ok step", "passed", 0.01))),
                SuiteResult("fuzz", (finding,)), SuiteResult("drift", (drift,)),
                SuiteResult("skips", (CaseResult("skipped step", "skipped", message="if: false"),))),
        command_line=f"toolcheck run scenarios --token {SECRET}",
        seed=42,
        duration=1.5,
        version="test",
    )


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr", "--v=0"]
    return subprocess.run([*base, *args], capture_output=True, text=True, timeout=90, cwd=tmp_path)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if "CONSOLE" in line and re.search(r"uncaught|error|refused", line, re.I)]


def test_detector_sees_a_console_error(tmp_path: Path) -> None:
    # Proves the check below can fail: a page that throws is reported.
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><title>x</title><script>throw new Error('boom-7731')</script>")
    proc = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert any("boom-7731" in line for line in console_errors(proc.stderr)), proc.stderr[-2000:]


def test_report_renders_in_chromium_without_errors(tmp_path: Path) -> None:
    redactor = Redactor([SECRET])
    paths = write_reports(hostile_result(), tmp_path / "out", redactor=redactor)
    url = paths["html"].as_uri()

    shot = tmp_path / "report.png"
    proc = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1800", url)
    assert shot.is_file(), proc.stderr[-2000:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert console_errors(proc.stderr) == []

    dom = chromium(tmp_path, "--dump-dom", url)
    assert console_errors(dom.stderr) == []
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body is not None
    assert 'data-js="ready"' in body.group(0)  # our script ran under the CSP (hash matches)
    assert "data-pwned" not in body.group(0)  # no payload ran
    assert SECRET not in dom.stdout
    assert re.search(r'<span class="js-only" id="f-js">', dom.stdout)  # JS revealed its controls
    for text in ("server_error: 500", "response-property-removed", "old.yaml:10", "toolcheck replay abc"):
        assert text in dom.stdout
