"""One findings vocabulary: the check registry, its generated docs, and --severity in run and fuzz."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolcheck.checks.conformance import check_response
from toolcheck.checks.registry import CHECKS, checks_for, markdown, resolve_levels
from toolcheck.cli import app
from toolcheck.cli._common import load_checks
from toolcheck.errors import UsageError
from toolcheck.findings import Finding, Severity, parse_level
from toolcheck.fuzz.checks import CONFORMANCE, make_failure
from toolcheck.fuzz.findings import Finding as Recorded
from toolcheck.fuzz.findings import FindingSet
from toolcheck.fuzz.results import finding_case
from toolcheck.results import FAILED, PASSED
from toolcheck.spec import load_spec_dict

from ..conftest import EXAMPLE_SPEC

DOCS = Path(__file__).resolve().parents[2] / "docs" / "checks.md"


def test_the_committed_checks_doc_is_generated_from_the_registry() -> None:
    load_checks()
    assert DOCS.read_text() == markdown(), "regenerate: toolcheck checks --markdown > docs/checks.md"


def test_run_and_fuzz_name_every_shared_check_the_same() -> None:
    load_checks()
    run, fuzz = {c.name for c in checks_for("run")}, {c.name for c in checks_for("fuzz")}
    assert CONFORMANCE <= run & fuzz
    assert not {"undocumented_status", "response_schema", "response_headers"} & set(CHECKS)
    assert all(c.hint and c.title for c in CHECKS.values())


def test_severity_spellings() -> None:
    assert parse_level("warn") is Severity.WARNING and parse_level("off") is None
    assert Severity.parse("note") is Severity.INFO
    assert f"{Severity.ERROR}" == str(Severity.ERROR) == "error"
    with pytest.raises(ValueError):
        parse_level("fatal")
    assert Finding("x", "m").to_dict() == {"check": "x", "message": "m", "pointer": "", "severity": "error"}


def test_resolve_levels_names_the_command_and_its_checks() -> None:
    load_checks()
    assert resolve_levels("run", {"secret_leak": "warn"})["secret_leak"] is Severity.WARNING
    with pytest.raises(UsageError, match="fuzz has no check 'secret_leak'.*server_error"):
        resolve_levels("fuzz", {"secret_leak": "off"})
    with pytest.raises(UsageError, match="off, warning, error"):
        resolve_levels("run", {"body_schema": "loud"})


def test_a_4xx_body_mismatch_is_error_schema_in_the_shared_checks() -> None:
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": {
        "operationId": "x", "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
            "400": {"description": "bad", "content": {"application/json": {"schema": {"type": "object"}}}}}}}}})
    op = spec.operation("x")
    assert [f.check for f in check_response(spec, op, 200, {"content-type": "application/json"}, [])] == ["body_schema"]
    found = check_response(spec, op, 400, {"content-type": "application/json"}, [])
    assert [(f.check, f.cause) for f in found] == [("error_schema", "body_schema")]


def _recorded(check: str) -> Recorded:
    return Recorded("op", "GET /x", make_failure(check, "500", "HTTP 500"), {}, {}, {}, "curl", "fuzz", 1)


def test_fuzz_levels_switch_a_check_off_or_to_a_warning_that_does_not_fail() -> None:
    found = FindingSet({"server_error": Severity.WARNING, "transport_error": None})
    assert not found.add(_recorded("transport_error")) and found.seen(("op", "transport_error", "500"))
    assert found.add(_recorded("server_error"))
    [kept] = found.all()
    assert kept.failure.severity is Severity.WARNING and kept.to_dict()["severity"] == "warning"
    assert finding_case(kept, "replay").status == PASSED
    assert finding_case(_recorded("server_error"), "replay").status == FAILED


@pytest.mark.parametrize("command", ["run", "fuzz"])
def test_severity_option_rejects_unknown_checks_with_exit_2(command: str, tmp_path: Path) -> None:
    args = [command, str(tmp_path) if command == "run" else str(EXAMPLE_SPEC), "--mock", "--severity", "nope=off"]
    if command == "run":
        args += ["--spec", str(EXAMPLE_SPEC)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"{command} has no check 'nope'" in result.output


def test_checks_command_lists_the_registry() -> None:
    result = CliRunner().invoke(app, ["checks"])
    assert result.exit_code == 0
    assert "status_documented" in result.output and "negative_accepted" in result.output
