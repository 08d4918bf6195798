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
    # `warn`, the older spelling, is read everywhere a severity is (and never written).
    assert runner.invoke(app, ["drift", old, new, "--severity", "request-max-length-decreased=warning",
                               "--fail-on", "warn"]).exit_code == 1
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
    result = runner.invoke(app, ["drift", old, new, "--ignore-file", str(ignore), "--reports",
                                 str(tmp_path / "r"), "--report-format", "junit,json"])
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


@pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="needs git on PATH")
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
               .replace("currency unit (cents). Without an Idempotency-Key",
                        "currency unit (dollars). Without an Idempotency-Key")
               .replace("                - rate_limited\n", ""))
    assert changed.count("(dollars)") == 1  # each edit must still find its text in the example
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


def _spec_dirs(tmp_path: Path) -> tuple[Path, Path]:
    """Two releases of an API split over documents: one tightened, one removed, one added, one untouched."""
    old, new = tmp_path / "old", tmp_path / "new"
    for side in (old, new):
        (side / "products").mkdir(parents=True)
        (side / "products" / "shared.yaml").write_text("components: {schemas: {Id: {type: string}}}\n")  # a part
        (side / "same.yaml").write_text(BASE.replace("Tasks", "Same"))
    (old / "tasks.yaml").write_text(BASE)
    (new / "tasks.yaml").write_text(TIGHTER)
    # JSON members in any order (Twilio sorts them): `openapi` comes last here
    (old / "products" / "gone.json").write_text(json.dumps({"paths": {}, "info": {"title": "G", "version": "1"},
                                                            "openapi": "3.1.0"}))
    (new / "products" / "added.yaml").write_text(BASE.replace("Tasks", "Added"))
    return old, new


def test_directories_of_specs_are_compared_document_by_document(tmp_path: Path) -> None:
    old, new = _spec_dirs(tmp_path)
    result = runner.invoke(app, ["drift", str(old), str(new), "-f", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    by_id = {(f["id"], f.get("spec_file")) for f in data["findings"]}
    assert ("request-max-length-decreased", "tasks.yaml") in by_id
    assert ("spec-file-removed", "products/gone.json") in by_id
    assert ("spec-file-added", "products/added.yaml") in by_id
    assert not any(f.get("spec_file") in ("same.yaml", "products/shared.yaml") for f in data["findings"])
    assert data["summary"]["spec_files_old"] == 3 and data["summary"]["spec_files_new"] == 3
    tightened = next(f for f in data["findings"] if f["id"] == "request-max-length-decreased")
    assert tightened["location"]["new"].endswith("tasks.yaml:14")
    text = runner.invoke(app, ["drift", str(old), str(new)]).output
    assert "tasks.yaml: POST /tasks" in text and "spec-file-removed products/gone.json" in text


def test_a_directory_document_that_cannot_be_loaded_is_not_a_pass(tmp_path: Path) -> None:
    old, new = _spec_dirs(tmp_path)
    (new / "tasks.yaml").write_text(BASE)  # no change left but the broken document
    (old / "broken.yaml").write_text("openapi: 3.1.0\ninfo: [unclosed\n")
    (new / "broken.yaml").write_text("openapi: 3.1.0\ninfo: [unclosed\n")
    (old / "products" / "gone.json").unlink()
    (new / "products" / "added.yaml").unlink()
    result = runner.invoke(app, ["drift", str(old), str(new), "-f", "markdown"])
    assert result.exit_code == 2
    assert "could not be compared" in result.stdout and "broken.yaml" in result.stdout
    assert "no breaking changes" not in result.stdout


def test_git_directory_source_in_a_subprocess(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid", "NO_COLOR": "1"}
    old, new = _spec_dirs(tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    (repo / "specs").mkdir()
    for path in old.rglob("*"):
        if path.is_file():
            (repo / "specs" / path.relative_to(old)).parent.mkdir(parents=True, exist_ok=True)
            (repo / "specs" / path.relative_to(old)).write_bytes(path.read_bytes())
    subprocess.run(["git", "add", "specs"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "base"], cwd=repo, check=True, env=env)
    proc = subprocess.run([sys.executable, "-m", "toolcheck", "drift", "git:HEAD:specs", str(new), "-f", "json"],
                          cwd=repo, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1, proc.stderr
    ids = {(f["id"], f.get("spec_file")) for f in json.loads(proc.stdout)["findings"]}
    assert {("request-max-length-decreased", "tasks.yaml"), ("spec-file-removed", "products/gone.json"),
            ("spec-file-added", "products/added.yaml")} <= ids
    # a revision is never an option: git is told where options end, and nothing is written
    bad = subprocess.run([sys.executable, "-m", "toolcheck", "drift", "git:--output=pwned:specs", str(new)],
                         cwd=repo, capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr + bad.stdout
    assert not (repo / "pwned").exists()


def test_directories_holding_one_spec_stay_one_spec(tmp_path: Path) -> None:
    for side, text in (("old", BASE), ("new", TIGHTER)):
        (tmp_path / side).mkdir()
        (tmp_path / side / "openapi.yaml").write_text(text)
        (tmp_path / side / "parts.yaml").write_text("components: {schemas: {Id: {type: string}}}\n")
    result = runner.invoke(app, ["drift", str(tmp_path / "old"), str(tmp_path / "new"), "-f", "json"])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert findings and not any("spec_file" in f for f in findings)  # fingerprints as with the files named
    single = runner.invoke(app, ["drift", str(tmp_path / "old" / "openapi.yaml"), str(tmp_path / "new" / "openapi.yaml"),
                                 "-f", "json"])
    assert {f["fingerprint"] for f in json.loads(single.stdout)["findings"]} == {f["fingerprint"] for f in findings}
    (tmp_path / "new" / "openapi.yaml").rename(tmp_path / "new" / "api.yaml")  # the root renamed: still one spec
    renamed = runner.invoke(app, ["drift", str(tmp_path / "old"), str(tmp_path / "new"), "-f", "json"])
    assert {f["fingerprint"] for f in json.loads(renamed.stdout)["findings"]} == {f["fingerprint"] for f in findings}


def test_directory_listing_skips_links_fifos_and_hidden_entries(tmp_path: Path) -> None:
    from toolcheck.spec import list_spec_files

    (tmp_path / "a.yaml").write_text(BASE)
    (tmp_path / "b.json").write_text(json.dumps({"info": {}, "swagger": "2.0", "paths": {}}))
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.yaml").write_text(BASE)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text(BASE)
    (tmp_path / "link.yaml").symlink_to(outside)
    os.mkfifo(tmp_path / "pipe.yaml")  # opening it would block forever
    (tmp_path / "part.yaml").write_text("components: {schemas: {}}\n")
    assert list_spec_files(str(tmp_path)) == ["a.yaml", "b.json"]
    assert list_spec_files(str(tmp_path / "a.yaml")) is None
