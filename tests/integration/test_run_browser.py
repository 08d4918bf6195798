"""The `toolcheck run` HTML report in a real headless browser: renders, no console errors."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason="needs Debian chromium")]

FAILING = """
name: Browser check
spec: {spec}
inputs:
  token: {{default: browser-secret-0042, format: password}}
auth: {{bearerAuth: $inputs.token}}
steps:
  - id: create
    operation: create_task
    body: {{kind: export_invoices}}
    expect:
      status: 202
      body:
        - {{path: $.status, eq: "<script>alert(1)</script>"}}
  - id: poll
    operation: get_task
    params: {{task_id: $steps.create.outputs.task_id}}
"""


def chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-extensions", f"--user-data-dir={cwd / 'profile'}",
            "--enable-logging=stderr", "--v=0"]
    return subprocess.run([*base, *args], cwd=cwd, capture_output=True, text=True, timeout=90)


def test_html_report_renders_without_console_errors(tmp_path: Path) -> None:
    scenario = tmp_path / "browser.toolcheck.yaml"
    scenario.write_text(FAILING.format(spec=ROOT / "examples" / "agent-tools" / "openapi.yaml"))
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "toolcheck", "run", str(scenario), "--mock", "--reports", "out"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    html = tmp_path / "out" / "report.html"
    text = html.read_text(encoding="utf-8")
    assert "browser-secret-0042" not in text and "<script>alert(1)</script>" not in text
    shot = tmp_path / "report.png"
    result = chromium(f"--screenshot={shot}", "--window-size=1280,1600", html.as_uri(), cwd=tmp_path)
    assert shot.is_file() and shot.stat().st_size > 5_000, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines()
              if "CONSOLE" in line and re.search(r"error|uncaught", line, re.I)]
    assert not errors, errors
    dom = chromium("--dump-dom", html.as_uri(), cwd=tmp_path)
    assert "Browser check" in dom.stdout and "create" in dom.stdout
    assert "browser-secret-0042" not in dom.stdout
