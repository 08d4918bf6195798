"""`toolcheck drift` through typer's CliRunner and as a real subprocess (exit codes are a contract)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolcheck.cli import app

BASE = """openapi: 3.1.0
info: {title: Tasks, version: '1'}
paths:
  /tasks:
    post:
      operationId: createTask
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                title: {type: string, maxLength: 200}
      responses: {'201': {description: created}}
"""
TIGHTER = BASE.replace("maxLength: 200", "maxLength: 20")
RENAMED = BASE.replace("operationId: createTask", "operationId: addTask")

runner = CliRunner()


def _files(tmp_path: Path, old: str, new: str) -> tuple[str, str]:
    (tmp_path / "old.yaml").write_text(old)
    (tmp_path / "new.yaml").write_text(new)
    return str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml")


def test_exit_codes(tmp_path: Path) -> None:
    old, new = _files(tmp_path, BASE, TIGHTER)
    assert runner.invoke(app, ["drift", old, old]).exit_code == 0
    result = runner.invoke(app, ["drift", old, new])
    assert result.exit_code == 1 and "request-max-length-decreased" in result.output
    assert runner.invoke(app, ["drift", old, new, "--severity", "request-max-length-decreased=warning"]).exit_code == 0
    assert runner.invoke(app, ["drift", old, new, "--severity", "request-max-length-decreased=warning",
                               "--fail-on", "warning"]).exit_code == 1
    missing = runner.invoke(app, ["drift", old, str(tmp_path / "missing.yaml")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    assert runner.invoke(app, ["drift", old]).exit_code == 2


def test_json_output_and_changelog(tmp_path: Path) -> None:
    old, new = _files(tmp_path, BASE, RENAMED)
    result = runner.invoke(app, ["drift", old, new, "-f", "json"])
    data = json.loads(result.stdout)
    (finding,) = [f for f in data["findings"] if f["id"] == "tool-renamed"]
    assert finding["level"] == "error" and finding["location"]["new"].endswith(":6")
    log = runner.invoke(app, ["drift", old, new, "-f", "changelog"])
    assert log.exit_code == 0 and "renamed" in log.stdout


def test_ignore_file_and_report_dir(tmp_path: Path) -> None:
    old, new = _files(tmp_path, BASE, RENAMED)
    fp = json.loads(runner.invoke(app, ["drift", old, new, "-f", "json"]).stdout)["findings"][0]["fingerprint"]
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text(f"ignore:\n  - fingerprint: {fp}\n    reason: alias kept for a release\n")
    result = runner.invoke(app, ["drift", old, new, "--ignore-file", str(ignore), "--report-dir",
                                 str(tmp_path / "r"), "--reports", "junit,json"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r" / "junit.xml").is_file()
    ignore.write_text("ignore:\n  - rule: tool-renamed\n")
    bad = runner.invoke(app, ["drift", old, new, "--ignore-file", str(ignore)])
    assert bad.exit_code == 2 and "reason" in bad.output


def test_list_rules_text_and_json() -> None:
    text = runner.invoke(app, ["drift", "--list-rules"])
    assert text.exit_code == 0 and "tool-renamed" in text.stdout
    rules = json.loads(runner.invoke(app, ["drift", "--list-rules", "-f", "json"]).stdout)
    by_id = {r["id"]: r for r in rules}
    assert by_id["request-max-length-decreased"]["oasdiff"] == [
        "request-body-max-length-decreased", "request-property-max-length-decreased",
        "request-read-only-property-max-length-decreased"]
    assert {"id", "level", "direction", "description", "oasdiff"} <= set(by_id["tool-renamed"])


@pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="no git")
def test_git_revision_source_in_a_subprocess(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid", "NO_COLOR": "1"}
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, env=env)
    (tmp_path / "openapi.yaml").write_text(BASE)
    subprocess.run(["git", "add", "openapi.yaml"], cwd=tmp_path, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "base"], cwd=tmp_path, check=True, env=env)
    (tmp_path / "openapi.yaml").write_text(TIGHTER)
    proc = subprocess.run([sys.executable, "-m", "toolcheck", "drift", "git:HEAD:openapi.yaml", "openapi.yaml",
                           "-f", "github"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("::error file=openapi.yaml,line=")


def test_invalid_but_diffable_specs_are_diffed(tmp_path: Path) -> None:
    """A PR mid-edit: no responses, no info.version, a dangling $ref: still a diff, not exit 2."""
    broken = """openapi: 3.0.3
info: {title: Tasks}
paths:
  /tasks:
    post:
      operationId: createTask
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [title, owner]
              properties:
                title: {type: string}
                owner: {$ref: '#/components/schemas/Missing'}
"""
    old, new = _files(tmp_path, BASE, broken)
    result = runner.invoke(app, ["drift", old, new, "-f", "json"])
    assert result.exit_code == 1, result.output
    ids = {f["id"] for f in json.loads(result.stdout)["findings"]}
    assert "request-new-required-property" in ids and "response-success-status-removed" in ids


def test_output_file_for_every_format(tmp_path: Path) -> None:
    old, new = _files(tmp_path, BASE, TIGHTER)
    for fmt in ("text", "markdown", "json", "github", "changelog"):
        target = tmp_path / f"out.{fmt}"
        result = runner.invoke(app, ["drift", old, new, "-f", fmt, "-o", str(target)])
        assert result.exit_code == (0 if fmt == "changelog" else 1), (fmt, result.output)
        assert "max-length" in target.read_text() or "maxLength" in target.read_text(), fmt


def test_agent_findings_on_the_example_spec(tmp_path: Path, example_spec_path: Path) -> None:
    text = example_spec_path.read_text()
    changed = (text.replace("operationId: create_invoice", "operationId: createInvoice")
               .replace("currency unit (cents). Not idempotent", "currency unit (dollars). Idempotent")
               .replace("                - rate_limited\n", ""))
    assert changed != text
    (tmp_path / "new.yaml").write_text(changed)
    result = runner.invoke(app, ["drift", str(example_spec_path), str(tmp_path / "new.yaml")],
                           env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert result.exit_code == 1
    out = result.output
    assert "tool-renamed" in out and "'create_invoice' was renamed to 'createInvoice'" in out
    assert "error-code-removed" in out and "rate_limited" in out
    assert "tool-description-semantics-changed" in out and "before:" in out and "(dollars)" in out


def test_url_source_with_allow_network(tmp_path: Path) -> None:
    import functools
    import http.server
    import threading

    old, new = _files(tmp_path, BASE, TIGHTER)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/old.yaml"
        refused = runner.invoke(app, ["drift", url, new])
        assert refused.exit_code == 2 and "network" in refused.output
        result = runner.invoke(app, ["drift", url, new, "--allow-network", "-f", "json"])
        assert result.exit_code == 1, result.output
        assert any(f["id"] == "request-max-length-decreased" for f in json.loads(result.stdout)["findings"])
    finally:
        server.shutdown()
        server.server_close()


def test_text_output_groups_identical_changes(tmp_path: Path) -> None:
    twice = BASE + BASE.split("paths:\n", 1)[1].replace("/tasks:", "/jobs:").replace("createTask", "createJob")
    old, new = _files(tmp_path, twice, twice.replace("maxLength: 200", "maxLength: 20"))
    result = runner.invoke(app, ["drift", old, new])
    assert result.exit_code == 1
    assert result.output.count("request-max-length-decreased") == 1
    assert "request-max-length-decreased ×2 POST /jobs, POST /tasks" in result.output
    assert "2 error(s)" in result.output and "identical changes grouped into 1 row(s)" in result.output
