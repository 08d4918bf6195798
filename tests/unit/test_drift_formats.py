"""Drift outputs: JSON, Markdown PR comment, GitHub annotations, changelog, shared RunResult."""

from __future__ import annotations

import json
from pathlib import Path

from toolcheck.drift import diff
from toolcheck.drift.formats import to_changelog, to_github, to_json, to_markdown, to_run_result
from toolcheck.drift.model import DriftReport, Finding
from toolcheck.findings import Severity
from toolcheck.report import write_reports
from toolcheck.spec import load_spec

OLD = """openapi: 3.0.3
info: {title: Shop, version: '1'}
paths:
  /orders:
    get:
      operationId: listOrders
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [total]
                properties:
                  total: {type: integer}
  /old:
    get:
      operationId: old
      responses: {'200': {description: ok}}
"""
NEW = OLD.replace("required: [total]", "required: []").split("  /old:")[0]


def _report(tmp_path: Path) -> DriftReport:
    (tmp_path / "old.yaml").write_text(OLD)
    (tmp_path / "new.yaml").write_text(NEW)
    return diff(load_spec(str(tmp_path / "old.yaml")), load_spec(str(tmp_path / "new.yaml")))


def test_json_has_locations_with_lines_and_fingerprints(tmp_path: Path) -> None:
    data = json.loads(to_json(_report(tmp_path)))
    by_id = {f["id"]: f for f in data["findings"]}
    assert by_id["path-removed"]["location"]["old"].endswith("old.yaml:18")
    optional = by_id["response-property-became-optional"]
    assert optional["location"]["new"].split(":")[-1].isdigit()
    assert len(optional["fingerprint"]) == 12 and optional["oasdiff"] == ["response-property-became-optional"]
    assert data["failed"] is True and data["summary"]["error"] == 2


def test_markdown_escapes_spec_text() -> None:
    evil = Finding("operation-removed", "<script>alert(1)</script> | @team **bold**", severity=Severity.ERROR, operation="GET /x")
    md = to_markdown(DriftReport("a", "b", (evil,)))
    assert "<script>" not in md and "@team" not in md and "\\|" in md
    assert "breaking changes" in md


def test_github_annotations_escape_and_point_at_lines(tmp_path: Path) -> None:
    out = to_github(_report(tmp_path))
    first = out.splitlines()[0]
    assert first.startswith("::error file=") and ",line=" in first
    evil = Finding("operation-removed", "line1\nline2 100%", severity=Severity.ERROR, operation="GET /x", location_new="spec.yaml:7")
    line = to_github(DriftReport("a", "b", (evil,))).splitlines()[0]
    assert line.startswith("::error file=spec.yaml,line=7,title=operation-removed GET /x::")
    assert "line1%0Aline2 100%25" in line


def test_changelog_lists_every_change(tmp_path: Path) -> None:
    text = to_changelog(_report(tmp_path))
    assert "## GET /old" in text and "(breaking)" in text and "## GET /orders" in text


def test_run_result_maps_findings_and_writes_shared_reports(tmp_path: Path) -> None:
    result = to_run_result(_report(tmp_path), fail_on=Severity.ERROR)
    assert result.tool == "drift"
    cases = [c for s in result.suites for c in s.cases]
    assert {c.details.rule for c in cases} >= {"path-removed", "response-property-became-optional"}
    assert all(c.status == "failed" for c in cases if c.details.level == "error")
    paths = write_reports(result, tmp_path / "reports", ["junit", "html", "json"])
    assert "path-removed" in paths["junit"].read_text()


def test_markdown_stays_under_the_github_comment_limit() -> None:
    many = tuple(Finding("response-new-optional-property", "x" * 200, severity=Severity.INFO, operation=f"GET /r{i}", after=f"p{i}")
                 for i in range(2000))
    md = to_markdown(DriftReport("a", "b", many), max_rows=2000)
    assert len(md) < 65_536 and "truncated" in md


def _inline_enum_pair(tmp_path: Path, n: int, narrowed: bool = True) -> DriftReport:
    """``n`` operations whose request bodies repeat one inline enum (Twilio's ``http-method``)."""
    def spec(methods: str) -> str:
        paths = "".join(
            f"""  /hooks{i}:
    post:
      operationId: hook{i}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                callback_method: {{type: string, enum: [{methods}]}}
                fallback_method: {{type: string, enum: [{methods}]}}
      responses: {{'200': {{description: ok}}}}
""" for i in range(n))
        return f"openapi: 3.0.3\ninfo: {{title: Hooks, version: '1'}}\npaths:\n{paths}"
    (tmp_path / "old.yaml").write_text(spec("GET, POST"))
    (tmp_path / "new.yaml").write_text(spec("POST" if narrowed else "GET, POST"))
    return diff(load_spec(str(tmp_path / "old.yaml")), load_spec(str(tmp_path / "new.yaml")))


def test_one_repeated_change_is_one_row_in_every_format(tmp_path: Path) -> None:
    report = _inline_enum_pair(tmp_path, 30)
    assert report.count(Severity.ERROR) == 60  # every place is still a finding: levels and exit codes unchanged
    groups = report.groups(report.at_least(Severity.ERROR))
    assert len(groups) == 1 and groups[0].count == 60 and len(groups[0].operations) == 30

    data = json.loads(to_json(report))
    assert data["failed"] is True and data["summary"]["error"] == 60 and data["summary"]["rows"]["error"] == 1
    [group] = [g for g in data["groups"] if g["level"] == "error"]
    assert group["id"] == "request-enum-value-removed" and group["count"] == 60 and group["before"] == "GET"
    assert len(group["places"]) == 60 and len({p["fingerprint"] for p in group["places"]}) == 60
    assert all(p["location"]["new"].rsplit(":", 1)[-1].isdigit() for p in group["places"])

    md = to_markdown(report)
    table = [line for line in md.splitlines() if line.startswith("| 🔴")]
    assert len(table) == 1 and "×60" in table[0] and "+27 more" in table[0] and "59 more places" in table[0]

    errors = [line for line in to_github(report).splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "×60" in errors[0]

    result = to_run_result(report)
    failed = [c for s in result.suites for c in s.cases if c.status == "failed"]
    assert len(failed) == 1 and failed[0].details.extra["count"] == 60 and len(failed[0].details.extra["places"]) == 60
    junit = write_reports(result, tmp_path / "reports", ["junit"])["junit"].read_text()
    assert junit.count("<failure") == 1


def test_different_before_or_after_are_different_rows() -> None:
    a = Finding("request-enum-value-removed", "a", severity=Severity.ERROR, operation="POST /a", before="GET")
    b = Finding("request-enum-value-removed", "b", severity=Severity.ERROR, operation="POST /b", before="PUT")
    c = Finding("request-enum-value-removed", "c", severity=Severity.ERROR, operation="POST /c", before="GET")
    d = Finding("request-enum-value-removed", "d", severity=Severity.WARNING, operation="POST /d", before="GET")  # severity override
    groups = DriftReport("x", "y", (a, b, c, d)).groups()
    assert [(g.level, g.first.before, g.count) for g in groups] == [
        ("error", "GET", 2), ("error", "PUT", 1), ("warning", "GET", 1)]


def test_markdown_row_cap_summarises_what_is_hidden_per_rule() -> None:
    findings = tuple(Finding("request-enum-value-removed", f"e{i}", severity=Severity.ERROR, operation=f"POST /e{i}", before=f"v{i}")
                     for i in range(7))
    findings += tuple(Finding("response-optional-property-removed", f"w{i}", severity=Severity.WARNING, operation=f"GET /w{i}",
                              before=f"p{i % 2}") for i in range(6))
    md = to_markdown(DriftReport("a", "b", findings), max_rows=3)
    assert len([line for line in md.splitlines() if line.startswith(("| 🔴", "| 🟠"))]) == 3
    assert "… and 6 more row(s) (10 change(s)) not shown" in md
    assert "| `request-enum-value-removed` | error | 4 | 4 |" in md
    assert "| `response-optional-property-removed` | warning | 2 | 6 |" in md
