"""Policy: severity overrides, ignore file (fingerprint / rule+path, reason, expiry), filters."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from toolcheck.drift.model import DriftReport, Finding
from toolcheck.drift.policy import Policy, load_ignore_file, parse_severity
from toolcheck.errors import UsageError
from toolcheck.findings import Severity


def report() -> DriftReport:
    return DriftReport("old.yaml", "new.yaml", (
        Finding("operation-removed", "GET /a was removed", severity=Severity.ERROR, operation="GET /a", operation_id="getA"),
        Finding("response-enum-value-added", "status gained 'void'", severity=Severity.WARNING, operation="GET /invoices/{id}",
                operation_id="getInvoice", path="response 200 status", key="void"),
        Finding("tool-size-changed", "bigger", severity=Severity.INFO, operation="POST /b", operation_id="postB"),
    ))


def test_fingerprint_ignores_message_wording() -> None:
    a = Finding("operation-removed", "one wording", severity=Severity.ERROR, operation="GET /a")
    b = Finding("operation-removed", "another wording", severity=Severity.ERROR, operation="GET /a")
    assert a.fingerprint == b.fingerprint and len(a.fingerprint) == 12
    assert a.fingerprint != Finding("operation-removed", "one wording", severity=Severity.ERROR, operation="GET /b").fingerprint


def test_severity_override_and_off() -> None:
    out = Policy(severity=parse_severity(["operation-removed=warning", "tool-size-*=off"])).apply(report())
    assert [(f.rule, f.level) for f in out.findings] == [
        ("operation-removed", "warning"), ("response-enum-value-added", "warning")]


def test_unknown_rule_or_level_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="did you mean|Did you mean"):
        parse_severity(["operation-removd=info"])
    with pytest.raises(UsageError, match="must be one of"):
        parse_severity(["operation-removed=fatal"])
    with pytest.raises(UsageError, match="RULE=LEVEL"):
        parse_severity(["operation-removed"])


def test_ignore_file_by_fingerprint_and_rule_path(tmp_path: Path) -> None:
    fp = report().findings[0].fingerprint
    f = tmp_path / "ignore.yaml"
    f.write_text(f"""
ignore:
  - fingerprint: {fp}
    reason: clients migrated in Q3
  - rule: response-enum-value-added
    path: "GET /invoices*"
    reason: agents treat unknown statuses as pending
    expires: 2999-01-01
severity:
  tool-size-changed: warning
""")
    entries, severity = load_ignore_file(f)
    out = Policy(severity=severity, ignores=entries).apply(report())
    assert [f.rule for f in out.findings] == ["tool-size-changed"]
    assert out.findings[0].level == "warning"
    assert {f.ignored for f in out.ignored} == {"clients migrated in Q3", "agents treat unknown statuses as pending"}


def test_expired_entry_fails(tmp_path: Path) -> None:
    f = tmp_path / "ignore.yaml"
    f.write_text("ignore:\n  - rule: operation-removed\n    reason: temporary\n    expires: 2020-01-01\n")
    entries, _ = load_ignore_file(f)
    out = Policy(ignores=entries).apply(report(), today=date(2026, 1, 1))
    expired = [x for x in out.findings if x.rule == "ignore-entry-expired"]
    assert expired and expired[0].level == "error"
    assert any(x.rule == "operation-removed" for x in out.findings)  # no longer suppressed


@pytest.mark.parametrize("text, message", [
    ("ignore:\n  - rule: operation-removed\n", "no `reason`"),
    ("ignore:\n  - reason: because\n", "needs a `fingerprint` or a `rule`"),
    ("ignore:\n  - rule: nope\n    reason: x\n", "unknown rule"),
    ("ignore:\n  - rule: operation-removed\n    reason: x\n    expires: someday\n", "must be a date"),
    ("ignore: [\n", "not valid YAML"),
    ("- 1\n- 2\n", "must be a mapping"),
    ("other: 1\n", "unknown key"),
])
def test_bad_ignore_files(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "ignore.yaml"
    f.write_text(text)
    with pytest.raises(UsageError, match=message) as info:
        load_ignore_file(f)
    assert str(f) in str(info.value)


def test_path_and_operation_filters() -> None:
    assert [f.operation for f in Policy(include_paths=("/invoices*",)).apply(report()).findings] == [
        "GET /invoices/{id}"]
    assert [f.operation for f in Policy(exclude_paths=("GET /a", "postB")).apply(report()).findings] == [
        "GET /invoices/{id}"]
    assert [f.operation for f in Policy(operations=("getA",)).apply(report()).findings] == ["GET /a"]


def test_changelog_mode_puts_everything_at_info() -> None:
    out = Policy(changelog=True).apply(report())
    assert {f.level for f in out.findings} == {"info"} and len(out.findings) == 3


def test_expired_entry_fails_even_in_changelog_mode(tmp_path: Path) -> None:
    f = tmp_path / "ignore.yaml"
    f.write_text("ignore:\n  - rule: tool-size-changed\n    reason: temporary\n    expires: 2020-01-01\n")
    entries, _ = load_ignore_file(f)
    out = Policy(ignores=entries, changelog=True).apply(report(), today=date(2026, 1, 1))
    assert [x.level for x in out.findings if x.rule == "ignore-entry-expired"] == ["error"]
    assert {x.level for x in out.findings if x.rule != "ignore-entry-expired"} == {"info"}
