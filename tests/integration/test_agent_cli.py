"""The agent commands through the CLI: output formats, exit codes, one-paragraph errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from typer.testing import CliRunner

from toolcheck.agent import NAME_PATTERN
from toolcheck.cli import app

runner = CliRunner()
ENV = {"NO_COLOR": "1", "COLUMNS": "100"}


def invoke(*args: str, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    if cwd is None:
        return runner.invoke(app, list(args), env=ENV)
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(app, list(args), env=ENV)
    finally:
        os.chdir(old)


def test_tools_formats(example_spec_path: Path, tmp_path: Path) -> None:
    spec = str(example_spec_path)
    openai = json.loads(invoke("tools", spec, "--format", "openai").stdout)
    assert all(NAME_PATTERN.match(t["function"]["name"]) for t in openai)
    for tool in openai:
        jsonschema.Draft202012Validator.check_schema(tool["function"]["parameters"])
    anthropic = json.loads(invoke("tools", spec, "-f", "anthropic", "--tag", "tickets").stdout)
    assert [t["name"] for t in anthropic] == ["open_ticket"]
    out = tmp_path / "mcp.json"
    result = invoke("tools", spec, "-f", "mcp", "-o", "get_task", "--out", str(out),
                    "--mapping-out", str(tmp_path / "map.json"))
    mapping = json.loads((tmp_path / "map.json").read_text())
    assert mapping["get_task"]["path"] == "/tasks/{task_id}"
    assert mapping["get_task"]["arguments"] == [{"arg": "task_id", "in": "path", "name": "task_id", "required": True}]
    assert result.exit_code == 0 and "1 tool(s) in mcp format" in result.stderr
    assert [t["name"] for t in json.loads(out.read_text())["tools"]] == ["get_task"]
    strict = invoke("tools", spec, "--strict", "--notes")
    assert strict.exit_code == 0 and "not strict" in strict.stderr  # create_task takes a free-form map
    missing = invoke("tools", spec, "-o", "get_tsk")
    assert missing.exit_code == 2 and "Did you mean get_task" in missing.stderr
    assert invoke("tools", str(tmp_path / "nope.yaml")).exit_code == 2


def test_lint_outputs_and_exit_codes(example_spec_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(example_spec_path.read_text().replace("operationId: get_task\n", "operationId: create.task\n")
                   .replace("operationId: create_task\n", "operationId: create_task\n"))
    clean = invoke("lint", str(example_spec_path))
    assert clean.exit_code == 0 and "0 finding(s)" in clean.stdout
    collided = invoke("lint", str(bad))
    assert collided.exit_code == 1 and "name-collision" in collided.stdout and "bad.yaml:" in collided.stdout
    sarif = tmp_path / "lint.sarif"
    assert invoke("lint", str(bad), "-f", "sarif", "--out", str(sarif), "--fail-on", "never").exit_code == 0
    log = json.loads(sarif.read_text())
    (hit,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "name-collision"]
    assert hit["level"] == "error" and hit["locations"][0]["physicalLocation"]["region"]["startLine"] > 1
    data = json.loads(invoke("lint", str(bad), "-f", "json", "--rule", "name-invalid").stdout)
    assert {f["rule"] for f in data["findings"]} == {"name-invalid"}

    (tmp_path / ".toolcheck.yaml").write_text("lint:\n  rules:\n    name-collision: warning\n")
    assert invoke("lint", str(bad), cwd=tmp_path).exit_code == 0  # downgraded to a warning by the config file
    assert invoke("lint", str(bad), "--fail-on", "warning", cwd=tmp_path).exit_code == 1
    assert invoke("lint", str(bad), "--fail-on", "warn", cwd=tmp_path).exit_code == 1  # the older spelling
    (tmp_path / ".toolcheck.yaml").write_text("lint:\n  rules:\n    name-colision: off\n")
    wrong = invoke("lint", str(bad), cwd=tmp_path)
    assert wrong.exit_code == 2 and "Did you mean name-collision" in wrong.stderr and "Traceback" not in wrong.output


def test_serve_mcp_rejects_bad_options(example_spec_path: Path) -> None:
    result = invoke("serve-mcp", str(example_spec_path), "--credential", "nope=1")
    assert result.exit_code == 2 and "no security scheme nope" in result.stderr
    assert invoke("serve-mcp", str(example_spec_path), "--faults", "error_rate=7").exit_code == 2
    assert invoke("serve-mcp", str(example_spec_path), "--target", "ftp://x").exit_code == 2


def test_policy_usage_errors(example_spec_path: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("policy", str(example_spec_path), "--scenarios", str(empty))
    assert result.exit_code == 2 and "no *.toolcheck.yaml" in result.stderr
    samples = str(example_spec_path.parents[2] / "scenarios")
    bad_require = invoke("policy", str(example_spec_path), "--scenarios", samples, "--require", "speed")
    assert bad_require.exit_code == 2 and "unknown requirement" in bad_require.stderr


SNAP_SPEC = """\
openapi: 3.1.0
info: {title: snap, version: '1'}
paths:
  /things:
    get:
      operationId: list
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: string}}
"""

SNAP_TEXT = """\
warning error-schema-missing spec.yaml:7: GET /things documents no 4xx response with a schema
         fix: Document 4xx responses (or `4XX`/`default`) with an error schema (code + message) so an agent can recover.
warning operation-id-vague spec.yaml:6: operationId 'list' of GET /things is too vague to pick a tool by
         fix: Name the action and the object (`cancel_task`, not `post1` or `deleteUsingDELETE`).
warning pagination-missing spec.yaml:5: GET /things returns a list but takes no page size or cursor
         fix: Add limit/cursor (or page) parameters and return a next cursor, so an agent never pulls an unbounded list.
warning summary-missing spec.yaml:5: GET /things has no summary
         fix: Add a one-line summary starting with a verb (`Cancel a queued or running task`).
info    description-missing spec.yaml:5: GET /things has no description (and only a short summary)
         fix: Describe when to use the tool, what it changes, and what it returns; mention side effects.
5 finding(s): 0 error, 4 warning, 1 info
"""


def test_lint_text_snapshot(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SNAP_SPEC)
    result = invoke("lint", "spec.yaml", cwd=tmp_path)  # ENV: NO_COLOR=1, wide enough not to wrap
    assert result.exit_code == 0
    assert result.stdout == SNAP_TEXT


def test_agent_core_does_not_import_cli_libraries(example_spec_path: Path) -> None:
    """Imports point downward (ARCHITECTURE.md, practice 1). mcp_server is left out: httpx itself
    imports rich for its own CLI when rich is installed."""
    import subprocess
    import sys

    code = (
        "import sys; from toolcheck.spec import load_spec;"
        "from toolcheck.agent import build_tools; from toolcheck.agent.lint import lint;"
        "from toolcheck.agent.policy import evaluate; from toolcheck.agent.init import scaffold;"
        "from toolcheck.agent.sarif import to_sarif;"
        "s = load_spec(sys.argv[1]); build_tools(s); to_sarif(lint(s)); evaluate(s, []);"
        "bad = [m for m in ('typer', 'rich') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(example_spec_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_policy_gaps_only_table(example_spec_path: Path, tmp_path: Path) -> None:
    samples = str(tmp_path / "s")
    assert invoke("init", str(example_spec_path), "--out", samples, "--tag", "customers").exit_code == 0
    full = invoke("policy", str(example_spec_path), "-s", samples)
    gaps = invoke("policy", str(example_spec_path), "-s", samples, "--gaps-only")
    assert full.exit_code == gaps.exit_code == 1
    assert "get_customer" in full.stdout and "get_customer" not in gaps.stdout
    assert "open_ticket" in gaps.stdout


def test_init_keeps_dollar_strings_of_examples_literal(tmp_path: Path) -> None:
    # An example value like "$HF_TOKEN" (DigitalOcean) or "{$x}" is data, not a runtime
    # expression: the scaffold must still load and send it as written.
    body = {"type": "object", "required": ["model"], "properties": {
        "model": {"type": "string"}, "note": {"type": "string"}}}
    spec = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "security": [{"api.key": []}],
        "components": {"securitySchemes": {"api.key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
        "paths": {"/tokens/{name}": {"put": {
            "operationId": "put_token",
            "parameters": [{"name": "name", "in": "path", "required": True,
                            "schema": {"type": "string", "enum": ["$default"]}}],
            "requestBody": {"content": {"application/json": {"schema": body, "example": {
                "model": "$HF_MODEL", "note": "costs {$amount} a month"}}}},
            "responses": {"200": {"description": "ok"}, "401": {"description": "no"}}}}},
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    assert invoke("init", "spec.json", "--out", "sc", cwd=tmp_path).exit_code == 0
    result = invoke("run", "sc", "--mock", "--reports", "reports", "--report-format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout
    report = json.loads((tmp_path / "reports" / "report.json").read_text())
    sent = report["suites"][0]["cases"][0]["details"]["request"]
    assert sent["body"] == {"model": "$HF_MODEL", "note": "costs {$amount} a month"}
    assert sent["url"].endswith("/tokens/%24default")
    assert sent["headers"].get("X-Key")  # the credential input of scheme "api.key" is found


def test_operations_that_document_no_responses_have_no_status_contract(tmp_path: Path) -> None:
    # OpenAPI 3.1 lets an operation leave out `responses` (check: info "no-responses"); the
    # fuzzer already holds such an operation to no status, `run` said "documented: none".
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/flights": {"get": {"operationId": "list_flights"}},
                      "/ping": {"get": {"operationId": "ping", "responses": {"204": {"description": "ok"}}}}}}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    assert invoke("init", "spec.json", "--out", "sc", cwd=tmp_path).exit_code == 0
    result = invoke("run", "sc", "--mock", "--no-reports", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout


def test_deleting_again_is_only_expected_to_fail_for_an_item_that_documents_it(tmp_path: Path) -> None:
    # A second DELETE that succeeds is correct HTTP unless the spec documents 404/410, and
    # a sub-resource (/star) is not an item that is gone; an item needs no collection path to be.
    ok = {"204": {"description": "done"}}
    gone = {**ok, "404": {"description": "not found"}}
    repo = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in ("owner", "repo")]
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/repos/{owner}/{repo}": {"parameters": repo, "delete": {"operationId": "delete_repo", "responses": gone}},
        "/repos/{owner}/{repo}/star": {"parameters": repo, "delete": {"operationId": "unstar", "responses": gone}},
        "/repos/{owner}/{repo}/pin": {"parameters": repo, "delete": {"operationId": "unpin", "responses": ok}},
        # GitHub: a reaction documents 410 Gone (the mock answers it for a deleted item); a
        # secret's repository documents 409 for another conflict, which a repeated DELETE is not
        "/reactions/{id}": {"delete": {"operationId": "delete_reaction", "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {**ok, "410": {"description": "Gone"}}}},
        "/secrets/{id}": {"delete": {"operationId": "delete_secret", "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {**ok, "409": {"description": "Conflict"}}}},
    }}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    assert invoke("init", "spec.json", "--out", "sc", cwd=tmp_path).exit_code == 0
    import yaml

    steps = [s for f in sorted((tmp_path / "sc").iterdir()) for s in yaml.safe_load(f.read_text())["steps"]]
    again = [s["operation"] for s in steps if "deleting it again" in s.get("description", "")]
    assert sorted(again) == ["delete_reaction", "delete_repo"]
    result = invoke("run", "sc", "--mock", "--no-reports", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout


def test_no_poll_on_a_job_the_scenario_did_not_create(tmp_path: Path) -> None:
    # OpenAI's getRunStep: a made-up step_id is never stored, so the mock answers a fresh
    # generated state on every read and the poll gave up after 50 attempts.
    job = {"type": "object", "required": ["id", "status"], "properties": {
        "id": {"type": "string"}, "status": {"type": "string", "enum": ["queued", "in_progress", "completed", "failed"]}}}
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/steps/{step_id}": {"get": {"operationId": "get_step", "parameters": [
            {"name": "step_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": job}}}}}}}}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    assert invoke("init", "spec.json", "--out", "sc", cwd=tmp_path).exit_code == 0
    assert "poll" not in (tmp_path / "sc" / "steps.toolcheck.yaml").read_text()
    result = invoke("run", "sc", "--mock", "--no-reports", "--seed", "3", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout


def test_no_poll_for_a_job_that_cannot_finish_or_is_no_item(tmp_path: Path) -> None:
    # Twilio: a message's states end at 'delivered', not at failed/canceled, so a poll for those
    # never ends. DigitalOcean: /databases/{id}/migration is a sub-resource, never stored.
    def job(states: list[str]) -> dict[str, Any]:
        return {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "required": ["id", "status"],
            "properties": {"id": {"type": "string"}, "status": {"type": "string", "enum": states}}}}}}

    message = job(["queued", "sending", "sent", "delivered", "failed", "canceled"])
    migration = job(["running", "done", "canceled"])
    pid = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/messages": {"post": {"operationId": "send", "responses": {"201": message}}},
        "/messages/{id}": {"get": {"operationId": "fetch", "parameters": pid, "responses": {"200": message}}},
        "/dbs": {"post": {"operationId": "create_db", "responses": {"201": job(["creating", "online"])}}},
        "/dbs/{id}": {"get": {"operationId": "get_db", "parameters": pid, "responses": {"200": job(["creating", "online"])}}},
        "/dbs/{id}/migration": {"get": {"operationId": "migration", "parameters": pid, "responses": {"200": migration}}},
    }}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    assert invoke("init", "spec.json", "--out", "sc", cwd=tmp_path).exit_code == 0
    assert all("poll" not in f.read_text() for f in (tmp_path / "sc").iterdir())
    result = invoke("run", "sc", "--mock", "--no-reports", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout


def test_auth_step_of_an_operation_without_a_documented_401_runs_green_with_a_warning(tmp_path: Path) -> None:
    # docs: init's files "run green against --mock"; the auth-failure step of an operation that
    # documents no 401 (OAI's tictactoe, Stripe's `default`-only errors) failed every run.
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
            "security": [{"key": []}],
            "paths": {"/board": {"put": {"operationId": "put_board", "requestBody": {"content": {"application/json": {
                "schema": {"type": "string"}, "example": "X"}}},
                "responses": {"200": {"description": "ok"}, "default": {"description": "error"}}}}}}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    assert invoke("init", "spec.json", "--out", "sc", cwd=tmp_path).exit_code == 0
    result = invoke("run", "sc", "--mock", "--reports", "reports", "--report-format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout
    report = json.loads((tmp_path / "reports" / "report.json").read_text())
    auth = next(c for c in report["suites"][0]["cases"] if c["name"] == "put_board_requires_auth")
    # which 4xx an API answers without credentials is unknown when it documents none (AWS: 495)
    assert "status: 4xx" in (tmp_path / "sc" / "board.toolcheck.yaml").read_text()
    assert [v["severity"] for v in auth["details"]["violations"] if v["check"] == "status_documented"] == ["warning"]


def test_negative_form_body_is_not_an_empty_form_when_the_body_is_optional(tmp_path: Path) -> None:
    # Twilio's CreatePayments: an optional urlencoded body with required fields. {} goes out as no
    # body at all, which is valid; the scaffold's negative expected 4xx and got 201.
    schema = {"type": "object", "required": ["amount"], "properties": {"amount": {"type": "integer"}}}
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/payments": {"post": {
        "operationId": "pay", "requestBody": {"content": {"application/x-www-form-urlencoded": {
            "schema": schema, "example": {"amount": 5}}}},
        "responses": {"201": {"description": "ok"}}}}}}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    assert invoke("init", "spec.json", "--out", "sc", cwd=tmp_path).exit_code == 0
    import yaml

    steps = {s["id"]: s for s in yaml.safe_load((tmp_path / "sc" / "payments.toolcheck.yaml").read_text())["steps"]}
    assert steps["pay_rejects_bad_request"]["body"] != {}
    result = invoke("run", "sc", "--mock", "--no-reports", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout
