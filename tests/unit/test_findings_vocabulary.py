"""One findings vocabulary (issue 11 item 4): lint and drift findings are the shared Finding with
the shared Severity, their reports keep their field names, older spellings still read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from toolcheck import findings
from toolcheck.agent.lint import lint, resolve_rules
from toolcheck.cli import app
from toolcheck.drift import diff
from toolcheck.drift.policy import load_ignore_file, parse_severity
from toolcheck.errors import UsageError
from toolcheck.findings import Severity
from toolcheck.spec import load_spec_dict

OLD: dict[str, Any] = {
    "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
    "paths": {"/a": {"get": {"operationId": "getA", "responses": {"200": {"description": "ok"}}}},
              "/b": {"get": {"operationId": "getB", "responses": {"200": {"description": "ok"}}}}},
}
NEW: dict[str, Any] = {**OLD, "paths": {"/b": OLD["paths"]["/b"]}}


def test_lint_and_drift_findings_are_the_shared_finding_with_the_shared_severity() -> None:
    linted = lint(load_spec_dict(OLD)).findings
    drifted = diff(load_spec_dict(OLD), load_spec_dict(NEW)).findings
    assert linted and drifted
    for f in (*linted, *drifted):
        assert isinstance(f, findings.Finding)
        assert type(f.severity) is Severity
    removed = next(f for f in drifted if f.check == "path-removed")
    assert (removed.rule, removed.level, removed.severity) == ("path-removed", "error", Severity.ERROR)
    assert all(f.rule == f.check for f in linted)


def test_report_field_names_stay_as_they_were() -> None:
    # lint: rule/severity; drift: id/level. The values are the shared words.
    lint_dict = lint(load_spec_dict(OLD)).to_dict()
    assert set(lint_dict["findings"][0]) == {"rule", "severity", "location", "pointer", "operation", "message", "hint"}
    assert set(lint_dict["summary"]) == {"error", "warning", "info"}
    assert {f["severity"] for f in lint_dict["findings"]} <= {"error", "warning", "info"}
    drift_dict = diff(load_spec_dict(OLD), load_spec_dict(NEW)).to_dict()
    finding = drift_dict["findings"][0]
    assert set(finding) == {"id", "level", "operation", "operation_id", "operations", "path", "message", "before",
                            "after", "location", "pointer", "oasdiff", "fingerprint"}
    assert (finding["id"], finding["level"]) == ("path-removed", "error")
    assert type(finding["level"]) is str  # plain text in JSON (and YAML dumpers), not an enum
    assert set(drift_dict["groups"][0]) == {"id", "level", "count", "message", "before", "after", "operations",
                                            "oasdiff", "places"}


@pytest.mark.parametrize("old, new", [("warn", Severity.WARNING), ("note", Severity.INFO), ("hint", Severity.INFO)])
def test_older_spellings_are_read_as_the_shared_words(old: str, new: Severity, tmp_path: Path) -> None:
    assert resolve_rules({"summary-missing": old})["summary-missing"].severity is new
    assert parse_severity([f"path-removed={old}"]) == {"path-removed": new}
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text(f"severity:\n  path-removed: {old}\n")
    assert load_ignore_file(ignore)[1] == {"path-removed": new}


def test_drift_severity_warn_on_the_command_line(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "old.yaml").write_text(yaml.safe_dump(OLD))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(NEW))
    args = ["drift", str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml")]
    assert CliRunner().invoke(app, args).exit_code == 1
    # was "must be one of error, warning, info, off" (exit 2); now the same as `warning`
    result = CliRunner().invoke(app, [*args, "--severity", "path-removed=warn", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"level": "warning"' in result.output and '"warn"' not in result.output


def test_lint_fail_on_warn_in_config(tmp_path: Path) -> None:
    import yaml

    doc = {**OLD, "paths": {"/a": OLD["paths"]["/a"]}}
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(doc))
    config = tmp_path / "toolcheck.yaml"
    config.write_text("lint:\n  fail-on: warn\n")
    result = CliRunner().invoke(app, ["lint", str(tmp_path / "spec.yaml"), "--config", str(config)])
    assert result.exit_code == 1, result.output  # a missing summary is a warning: fails at `warn`
    config.write_text("lint:\n  fail-on: never\n")
    assert CliRunner().invoke(app, ["lint", str(tmp_path / "spec.yaml"), "--config", str(config)]).exit_code == 0


def test_a_bad_word_is_still_refused() -> None:
    with pytest.raises(UsageError, match="must be one of error, warning, info, off"):
        parse_severity(["path-removed=fatal"])
    with pytest.raises(UsageError, match="is not one of error, warning, info, off"):
        resolve_rules({"summary-missing": "fatal"})


def test_location_is_looked_up_once_and_only_when_read() -> None:
    calls: list[str] = []

    def locate(pointer: str) -> str:
        calls.append(pointer)
        return "spec.yaml:7"

    f = findings.Finding("summary-missing", "no summary", "/paths/~1a/get", Severity.WARNING, locate=locate)
    assert calls == []
    assert f.location == "spec.yaml:7" and f.location == "spec.yaml:7"
    assert calls == ["/paths/~1a/get"]
    assert findings.Finding("x", "m", "/p", location="given.yaml:3", locate=locate).location == "given.yaml:3"
    assert findings.Finding("x", "m").location == "" and findings.Finding("x", "m").to_dict().get("location") is None

    def broken(pointer: str) -> str:
        raise RuntimeError("no index")

    assert findings.Finding("x", "m", "/p", locate=broken).location == "/p"  # never fails a report


@pytest.mark.parametrize("option", ["--contract", "--leak-check"])
def test_run_reads_warning_and_still_warn(option: str) -> None:
    scenarios = str(Path(__file__).resolve().parents[2] / "scenarios")
    for word in ("warning", "warn", "off", "error"):
        result = CliRunner().invoke(app, ["run", scenarios, "--mock", "--list", option, word])
        assert result.exit_code == 0, (word, result.output)
    refused = CliRunner().invoke(app, ["run", scenarios, "--mock", "--list", option, "loud"])
    assert refused.exit_code == 2 and "choose one of error, warning, off" in refused.output
