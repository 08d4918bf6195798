"""The shared reporters: escaping, redaction, JUnit structure, atomic and interrupted writes."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolcheck.cli import app
from toolcheck.details import Details
from toolcheck.redact import Redactor
from toolcheck.report import (
    IncrementalReporter,
    json_diff,
    render_html,
    render_junit,
    render_markdown,
    write_reports,
)
from toolcheck.results import CaseResult, RunResult, SuiteResult

TOKEN = "sk-live-SECRET1234567"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def sample_result(*, interrupted: bool = False) -> RunResult:
    failing = CaseResult(
        name=f"create {XSS}",
        status="failed",
        duration=0.25,
        message=f"expected 201, got 500 {XSS}",
        classname="invoices",
        details=Details.from_json({
            "request": {
                "method": "POST",
                "url": f"http://localhost/invoices?api_key={TOKEN}",
                "headers": {"Authorization": f"Bearer {TOKEN}", "X-Note": XSS},
                "body": {"password": "hunter2-secret", "memo": XSS},
            },
            "response": {"status": 500, "headers": {"content-type": "application/json"}, "body": {"echo": TOKEN}},
            "expected": {"status": 201, "items": [1, 2]},
            "actual": {"status": 500, "items": [1, 3]},
            "violations": [{"check": "body_schema", "message": XSS, "pointer": "/memo"}],
            "attempts": [{"status": 202, "elapsed_ms": 5, "note": "queued"}, {"status": 200, "elapsed_ms": 9, "note": "done"}],
            "curl": f"curl -X POST -H 'Authorization: Bearer {TOKEN}' http://localhost/invoices",
        }),
        properties={"attempts": "2", "operation": "create_invoice"},
    )
    suites = (
        SuiteResult(
            name="Invoices | with a pipe",
            file="scenarios/invoices.toolcheck.yaml",
            duration=0.3,
            cases=(
                CaseResult(name="read", status="passed", duration=0.01),
                failing,
                CaseResult(name="boom", status="error", message="target unreachable"),
                CaseResult(name="later", status="skipped", message="`if` is false"),
            ),
        ),
        SuiteResult(name="Tasks", cases=(CaseResult(name="poll", status="passed"),)),
    )
    return RunResult(tool="run", title="scenarios", suites=suites, seed=7, command_line=f"toolcheck run --auth bearer={TOKEN}",
                     started_at="2026-11-21T00:00:00Z", duration=1.5, interrupted=interrupted, version="0.1.0")


def redactor() -> Redactor:
    r = Redactor()
    r.add(TOKEN, "bearer token")
    return r


def test_html_escapes_hostile_payloads() -> None:
    html = render_html(sample_result())
    assert "<script>alert" not in html
    assert "onerror=alert(1)>" not in html
    assert "&lt;script&gt;" in html
    assert "<script" in html  # the report's own inline script is still there
    assert "http://" not in html.split("<body", 1)[0] or "cdn" not in html.lower()  # no CDN assets


def test_secrets_never_reach_any_format(tmp_path: Path) -> None:
    paths = write_reports(sample_result(), tmp_path, ("html", "junit", "json", "markdown"), redactor=redactor())
    assert set(paths) == {"html", "junit", "json", "markdown"}
    for path in paths.values():
        text = path.read_text()
        assert "SECRET1234567" not in text, path.name
        assert "hunter2" not in text, path.name


def test_junit_has_one_suite_per_suite_and_one_case_per_case() -> None:
    root = ET.fromstring(render_junit(sample_result()))
    suites = root.findall("testsuite") if root.tag == "testsuites" else [root]
    assert [s.get("name") for s in suites] == ["Invoices | with a pipe", "Tasks"]
    first = suites[0]
    assert first.get("tests") == "4" and first.get("failures") == "1" and first.get("errors") == "1" and first.get("skipped") == "1"
    cases = first.findall("testcase")
    assert len(cases) == 4
    failure = cases[1].find("failure")
    assert failure is not None and "expected 201, got 500" in (failure.get("message") or "")
    props = {p.get("name"): p.get("value") for p in cases[1].iter("property")}
    assert props.get("attempts") == "2" and props.get("operation") == "create_invoice"
    assert cases[2].find("error") is not None
    assert cases[3].find("skipped") is not None


def test_markdown_table_survives_pipes_and_markup() -> None:
    md = render_markdown(sample_result())
    rows = [line for line in md.splitlines() if line.startswith("|")]
    assert rows, md
    widths = {line.replace("\\|", "").count("|") for line in rows}
    assert len(widths) == 1, rows  # every row of the table has the same number of cells
    outside_code = re.sub(r"```.*?```", "", md, flags=re.S)  # code fences render payloads inert
    assert "<script>" not in outside_code and "<img" not in outside_code


def test_json_diff_lists_changed_paths() -> None:
    entries = json_diff({"status": 201, "items": [1, 2], "gone": True}, {"status": 500, "items": [1, 3], "new": 1})
    by_path = {e.path: e.op for e in entries}
    assert by_path["/status"] == "changed" or by_path["/status"] in ("replace", "change")
    assert "/items/1" in by_path
    assert any(path in ("/gone",) for path in by_path)
    assert any(path in ("/new",) for path in by_path)


def test_interrupted_run_leaves_valid_reports(tmp_path: Path) -> None:
    result = sample_result()
    reporter = IncrementalReporter(tmp_path, ("html", "junit", "json"), header=RunResult(tool="run", title="t"))
    reporter.add(result.suites[0])
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["interrupted"] is True and len(data["suites"]) == 1
    ET.fromstring((tmp_path / "junit.xml").read_text())
    reporter.interrupt()
    html = (tmp_path / "report.html").read_text()
    assert "Invoices" in html
    reporter.add(result.suites[1])  # ignored after interrupt
    assert len(json.loads((tmp_path / "report.json").read_text())["suites"]) == 1


def test_a_failed_render_leaves_the_old_report_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_reports(sample_result(), tmp_path, ("json", "html"))
    before = (tmp_path / "report.json").read_text()

    def broken(_result: RunResult) -> str:
        raise RuntimeError("renderer bug")

    import toolcheck.report._writer as writer

    monkeypatch.setitem(writer._RENDERERS, "html", broken)
    with pytest.raises(RuntimeError):
        write_reports(sample_result(interrupted=True), tmp_path, ("json", "html"))
    assert (tmp_path / "report.json").read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_report_merge_joins_shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)  # never write into a real CI summary
    result = sample_result()
    a = RunResult(tool="run", title="t", suites=result.suites[:1], seed=1)
    b = RunResult(tool="run", title="t", suites=result.suites[1:], seed=1)
    write_reports(a, tmp_path / "a", ("json",))
    write_reports(b, tmp_path / "b", ("json",))
    out = tmp_path / "merged"
    runner = CliRunner()
    merged = runner.invoke(app, ["report", "merge", str(out), str(tmp_path / "a"), str(tmp_path / "b" / "report.json")])
    assert merged.exit_code == 1  # shard a holds a failure
    data = json.loads((out / "report.json").read_text())
    assert [s["name"] for s in data["suites"]] == ["Invoices | with a pipe", "Tasks"]
    assert (out / "junit.xml").exists() and (out / "report.html").exists()
    (tmp_path / "bad.json").write_text("{not json")
    bad = runner.invoke(app, ["report", "merge", str(out), str(tmp_path / "bad.json")])
    assert bad.exit_code == 2
