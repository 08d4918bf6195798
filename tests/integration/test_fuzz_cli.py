"""`toolcheck fuzz`, `payloads` and `replay` through the CLI: mock runs, JSON lines, errors."""

from __future__ import annotations

import json
import shlex
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from toolcheck.cli import app

from ..conftest import EXAMPLE_SPEC


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_fuzz_the_mock_of_the_example_spec(tmp_path: Path) -> None:
    result = _invoke("fuzz", str(EXAMPLE_SPEC), "--mock", "--seed", "2", "--max-examples", "20",
                     "--reports", str(tmp_path), "--report-format", "json,junit")
    assert result.exit_code in (0, 1), result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["tool"] == "fuzz" and report["summary"]["requests"] > 100
    assert len(report["suites"]) == 9 and (tmp_path / "junit.xml").is_file()
    checks = {c["details"].get("check") for s in report["suites"] for c in s["cases"] if c["status"] == "failed"}
    # the mock accepts any credential by design: the invalid-credential probe is off for --mock
    assert all(c["name"] != "auth_not_enforced: invalid credentials" for s in report["suites"] for c in s["cases"])
    assert "server_error" not in checks


def test_filters_select_operations(tmp_path: Path) -> None:
    result = _invoke("fuzz", str(EXAMPLE_SPEC), "--mock", "--seed", "1", "--method", "GET", "--path", "/tasks*",
                     "--max-examples", "5", "--reports", str(tmp_path), "--report-format", "json")
    report = json.loads((tmp_path / "report.json").read_text())
    assert sorted(s["properties"]["operation"] for s in report["suites"]) == ["GET /tasks", "GET /tasks/{task_id}"]
    result = _invoke("fuzz", str(EXAMPLE_SPEC), "--mock", "--operation", "nope", "--no-reports")
    assert result.exit_code == 2
    webhooks_only = tmp_path / "hooks.json"  # no filters given: the message must not blame them
    webhooks_only.write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "h", "version": "1"}, "webhooks": {
        "ping": {"post": {"responses": {"200": {"description": "ok"}}}}}}))
    result = _invoke("fuzz", str(webhooks_only), "--mock", "--no-reports")
    assert result.exit_code == 2 and "no operations under `paths`" in result.output and "filters" not in result.output
    # parallel workers cover the same operations with the same per-operation seeds
    result = _invoke("fuzz", str(EXAMPLE_SPEC), "--mock", "--seed", "1", "--tag", "tasks", "-w", "2",
                     "--max-examples", "5", "--reports", str(tmp_path), "--report-format", "json")
    report = json.loads((tmp_path / "report.json").read_text())
    assert sorted(s["properties"]["operation"] for s in report["suites"]) == [
        "DELETE /tasks/{task_id}", "GET /tasks", "GET /tasks/{task_id}", "POST /tasks"]
    assert all(int(s["properties"]["requests"]) > 0 for s in report["suites"])


@pytest.mark.parametrize("args,needle", [
    ((), "--base-url"),
    (("--mock", "--base-url", "http://127.0.0.1:1"), "not both"),
    (("--mock", "--mode", "sideways"), "--mode"),
    (("--mock", "--phases", "examples,warp"), "unknown phase"),
    (("--mock", "-H", "no-colon"), "Name: value"),
    (("--mock", "--bearer", "$TOOLCHECK_SURELY_UNSET_VAR"), "not set"),
])
def test_usage_errors_exit_2(args: tuple[str, ...], needle: str) -> None:
    result = _invoke("fuzz", str(EXAMPLE_SPEC), "--no-reports", *args)
    assert result.exit_code == 2
    assert needle in result.output and "Traceback" not in result.output


def test_unreachable_target_exits_3() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    result = _invoke("fuzz", str(EXAMPLE_SPEC), "--base-url", f"http://127.0.0.1:{port}", "--no-reports")
    assert result.exit_code == 3 and "cannot reach" in result.output


def test_payloads_writes_json_lines(tmp_path: Path) -> None:
    result = _invoke("payloads", str(EXAMPLE_SPEC), "--operation", "create_invoice", "--count", "7", "--seed", "4")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 7 and all(line["kind"] == "positive" and "body" in line for line in lines)
    first = lines[0]
    assert first["request"]["method"] == "POST" and first["request"]["path"] == "/invoices"
    assert json.loads(first["request"]["body"]) == first["body"]
    out = tmp_path / "neg.jsonl"
    result = _invoke("payloads", str(EXAMPLE_SPEC), "-o", "POST /tickets", "--negative", "--count", "30", "--out", str(out))
    negatives = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(negatives) == 30 and all(n["kind"] == "negative" and n["keyword"] and n["pointer"] for n in negatives)
    assert negatives[0]["llm"] is True


def test_replay_reports_unknown_ids_and_missing_files(tmp_path: Path) -> None:
    result = _invoke("replay", "abc", "--findings", str(tmp_path / "none.json"), "--mock")
    assert result.exit_code == 2 and "findings file" in result.output
    (tmp_path / "f.json").write_text(json.dumps({"format": "toolcheck-fuzz-findings/1", "spec": str(EXAMPLE_SPEC),
                                                 "seed": 1, "findings": []}))
    result = _invoke("replay", "abc", "--findings", str(tmp_path / "f.json"), "--mock")
    assert result.exit_code == 2 and "no finding" in result.output


def test_credentials_from_headers_and_env_are_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from toolcheck.cli.fuzz import build_auth

    monkeypatch.setenv("MY_KEY", "k-12345")
    auth = build_auth(["X-Api-Key: $MY_KEY", "X-Session-Token: t-999", "Accept: application/json"], None, "ann:pw-777")
    assert auth.headers["X-Api-Key"] == "k-12345" and auth.headers["Accept"] == "application/json"
    assert auth.headers["Authorization"].startswith("Basic ")
    assert {"k-12345", "t-999", "pw-777"} <= set(auth.secrets)
    assert "application/json" not in auth.secrets


def test_response_time_budget_is_checked() -> None:
    from toolcheck.fuzz.checks import evaluate
    from toolcheck.fuzz.http import Exchange
    from toolcheck.payloads.case import Case
    from toolcheck.spec import load_spec

    spec = load_spec(str(EXAMPLE_SPEC))
    op = spec.operation("get_customer")
    slow = Exchange("GET", "/customers/cus_0001", {}, None, status=404, elapsed=0.5,
                    response_headers={"content-type": "application/json"},
                    response_body=b'{"error": {"code": "not_found", "message": "no"}}')
    case = Case("get_customer", "get", "/customers/{customer_id}", path_params={"customer_id": "cus_0001"})
    assert [f.check for f in evaluate(spec, op, case, slow, max_response_time=0.1)] == ["response_time"]
    assert evaluate(spec, op, case, slow, max_response_time=1.0) == []


def test_replay_lines_carry_the_credential_options_without_secrets() -> None:
    from toolcheck.cli.fuzz import replay_credentials

    line = replay_credentials(["Authorization: token abc-secret-123", "X-Trace: 1", "X-Api-Key: $MY_KEY"],
                              "bearer-secret-456", "$USER_PASS")
    assert shlex.split(line) == ["-H", "Authorization: $TOOLCHECK_HEADER_AUTHORIZATION", "-H", "X-Trace: 1",
                                 "-H", "X-Api-Key: $MY_KEY", "--bearer", "$TOOLCHECK_BEARER",
                                 "--basic", "$USER_PASS"]
    assert "secret" not in line
    assert replay_credentials([], None, None) == ""
    others = replay_credentials([], None, None, ["ops team=oauth:tok-secret-9", "ci=key:$CI_KEY"], ["ops team=a:read"])
    assert shlex.split(others) == ["--identity", "ops team=oauth:$TOOLCHECK_IDENTITY_OPS_TEAM",
                                   "--identity", "ci=key:$CI_KEY", "--identity-scopes", "ops team=a:read"]
