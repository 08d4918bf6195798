"""The `toolcheck run` HTML report in a real headless browser: renders, no console errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import NEEDS_CHROMIUM, chromium_path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = chromium_path()

pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason=NEEDS_CHROMIUM)]

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


def _big_spec(operations: int = 250, per_tag: int = 10) -> str:
    """A spec of ``operations`` operations in tags with long names (as real specs have)."""
    lines = ["openapi: 3.0.3", "info: {title: big, version: '1'}", "servers: [{url: 'http://localhost:4010'}]",
             "paths:"]
    for n in range(operations // per_tag):
        tag = f"CustomerRelationshipManagementResourceCollectionNumber{n:02d}WithAVeryLongName"
        for k in range(per_tag):
            lines += [f"  /t{n}/items{k}/{{item_id}}:", "    get:", f"      operationId: get_t{n}_item{k}",
                      f"      tags: [{tag}]",
                      "      parameters: [{name: item_id, in: path, required: true, schema: {type: string}}]",
                      "      responses:",
                      "        '200': {description: ok, content: {application/json: {schema: {type: object, "
                      "properties: {id: {type: string}}}}}}"]
    return "\n".join(lines) + "\n"


PROBE = """<script>
addEventListener('load', () => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 1);
  const items = [...document.querySelectorAll('nav.toc li')].map(e => e.getBoundingClientRect())
                 .filter(r => r.width > 0);
  let overlaps = 0;
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
    const a = items[i], b = items[j];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps++;
  }
  const failed = document.querySelector('section.suite.bad');
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({scroll: document.documentElement.scrollWidth, width, wide: wide.length,
    overlaps, items: items.length, firstFailureTop: failed ? failed.getBoundingClientRect().top : -1,
    firstSuite: document.querySelector('section.suite').id === (failed && failed.id)});
  document.body.appendChild(out);
});
</script>"""


def test_a_big_failed_run_reads_at_1280px(tmp_path: Path) -> None:
    import json

    (tmp_path / "big.yaml").write_text(_big_spec())
    env = {**os.environ, "NO_COLOR": "1"}
    init = subprocess.run([sys.executable, "-m", "toolcheck", "init", "big.yaml", "--out", "scen"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert init.returncode == 0, init.stderr
    files = sorted((tmp_path / "scen").glob("*.toolcheck.yaml"))
    assert len(files) == 25
    last = files[-1]  # the failure is in the last suite of the run
    last.write_text(last.read_text().replace("status: 200", "status: 418", 1))
    proc = subprocess.run([sys.executable, "-m", "toolcheck", "run", "scen", "--mock", "--reports", "out", "-q"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.startswith("249 passed, 1 failed"), proc.stdout
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    # The probe needs a script the report's CSP would (rightly) refuse: measure a copy without it.
    probe = tmp_path / "probe.html"
    probe.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html).replace(
        "</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium("--window-size=1280,1000", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri(),
                   cwd=tmp_path)
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout)
    assert found, dom.stderr[-2000:]
    layout = json.loads(found.group(1).replace("&quot;", '"'))
    assert layout["width"] <= 1280 and layout["items"] == 25
    assert layout["scroll"] <= layout["width"] and layout["wide"] == 0, layout  # no sideways scrolling
    assert layout["overlaps"] == 0, layout  # contents entries do not run into each other
    assert layout["firstSuite"] and 0 < layout["firstFailureTop"] < 1000, layout  # the failure first, above the fold
    shot = tmp_path / "big.png"  # kept for a person to look at (pytest --basetemp)
    chromium(f"--screenshot={shot}", "--window-size=1280,1000", (tmp_path / "out" / "report.html").as_uri(),
             cwd=tmp_path)
    assert shot.is_file() and shot.stat().st_size > 5_000
