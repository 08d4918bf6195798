"""Drift outputs: JSON, Markdown PR comment, GitHub annotations, changelog, shared RunResult."""

from __future__ import annotations

import json
from pathlib import Path

from toolcheck.drift import diff
from toolcheck.drift.formats import to_changelog, to_github, to_json, to_markdown, to_run_result
from toolcheck.drift.model import DriftReport, Finding
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
    evil = Finding("operation-removed", "error", "GET /x", "<script>alert(1)</script> | @team **bold**")
    md = to_markdown(DriftReport("a", "b", (evil,)))
    assert "<script>" not in md and "@team" not in md and "\\|" in md
    assert "breaking changes" in md


def test_github_annotations_escape_and_point_at_lines(tmp_path: Path) -> None:
    out = to_github(_report(tmp_path))
    first = out.splitlines()[0]
    assert first.startswith("::error file=") and ",line=" in first
    evil = Finding("operation-removed", "error", "GET /x", "line1\nline2 100%", location_new="spec.yaml:7")
    line = to_github(DriftReport("a", "b", (evil,))).splitlines()[0]
    assert line.startswith("::error file=spec.yaml,line=7,title=operation-removed GET /x::")
    assert "line1%0Aline2 100%25" in line


def test_changelog_lists_every_change(tmp_path: Path) -> None:
    text = to_changelog(_report(tmp_path))
    assert "## GET /old" in text and "(breaking)" in text and "## GET /orders" in text


def test_run_result_maps_findings_and_writes_shared_reports(tmp_path: Path) -> None:
    result = to_run_result(_report(tmp_path), fail_on="error")
    assert result.tool == "drift"
    cases = [c for s in result.suites for c in s.cases]
    assert {c.details["rule"] for c in cases} >= {"path-removed", "response-property-became-optional"}
    assert all(c.status == "failed" for c in cases if c.details["level"] == "error")
    paths = write_reports(result, tmp_path / "reports", ["junit", "html", "json"])
    assert "path-removed" in paths["junit"].read_text()


def test_markdown_stays_under_the_github_comment_limit() -> None:
    many = tuple(Finding("response-new-optional-property", "info", f"GET /r{i}", "x" * 200) for i in range(2000))
    md = to_markdown(DriftReport("a", "b", many), max_rows=2000)
    assert len(md) < 65_536 and "truncated" in md
