"""The HTML report's structure: self-contained, readable without JS, fuzz and drift findings."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

from toolcheck.details import Details
from toolcheck.report import render_html
from toolcheck.results import CaseResult, RunResult, SuiteResult


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if not self._in_script:
            self.text.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def result() -> RunResult:
    step = CaseResult("poll task", "failed", 0.5, message="status failed", details=Details.from_json({
        "expected": {"status": "completed", "n": 1}, "actual": {"status": "failed", "n": 1, "extra": True},
        "attempts": [{"attempt": 1, "status": 200, "elapsed_ms": 3, "note": "running", "retry_after": "2",
                      "wait_s": 0.25}],
        "violations": [{"check": "body_schema", "message": "not one of the enum", "pointer": "/status"}],
        "curl": "curl http://127.0.0.1:1/tasks/1",
    }))
    fuzz = CaseResult("resource_not_readable: get_invoice 404", "failed", message="not readable", details=Details.from_json({
        "hint": "server: store it", "replay": "toolcheck replay 123 --findings f.json", "seed": 99, "count": 3,
        "steps": [{"role": "create", "operation_id": "create_invoice", "status": 201, "curl": "curl -X POST /inv"},
                  {"role": "read", "operation_id": "get_invoice", "status": 404, "curl": "curl /inv/1"}],
        "case": {"body": {"a": 1}},
    }))
    drift = CaseResult("request-property-became-required", "failed", message="now required", details=Details.from_json({
        "rule": "request-property-became-required", "level": "error", "before": {"required": []},
        "after": {"required": ["email"]}, "expected": {"required": []}, "actual": {"required": ["email"]},
        "location_old": "old.yaml:4", "location_new": "new.yaml:5", "oasdiff": ["new-required-request-property"],
    }))
    return RunResult("run", "T", suites=(SuiteResult("s", (step, fuzz, drift)),), seed=5, command_line="toolcheck run x")


def test_single_file_no_external_resources() -> None:
    page = parse(render_html(result()))
    for tag, attrs in page.tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(("#", "data:")), (tag, attrs)
        assert tag not in ("iframe", "object", "embed")
    assert [t for t, a in page.tags if t == "link" and a.get("rel") == "stylesheet"] == []


def test_csp_hash_matches_the_inline_script() -> None:
    html = render_html(result())
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None
    assert f"'sha256-{digest}'" in csp.group(1) and "default-src 'none'" in csp.group(1)


def test_content_is_static_and_js_only_enhances() -> None:
    html = render_html(result())
    page = parse(html)
    text = " ".join(page.text)
    for needle in ("poll task", "running", "/status", "curl http://127.0.0.1:1/tasks/1", "toolcheck run x"):
        assert needle in text
    # failed cases are open by default; controls that need JS start hidden
    opened = [a for t, a in page.tags if t == "details" and "case" in (a.get("class") or "")]
    assert opened and all("open" in a for a in opened)
    assert all("hidden" in a for t, a in page.tags if t == "button" and "copy" in (a.get("class") or ""))
    assert any(t == "span" and a.get("id") == "f-js" and "hidden" in a for t, a in page.tags)
    # "Failed only" needs no JS: a CSS :has() rule hides passed cases and passing suites
    assert re.search(r"body:has\(#f-failed:checked\) details\.case:is\(\.st-passed", html)


def test_expected_vs_actual_diff_and_timeline() -> None:
    html = render_html(result())
    assert re.search(r'<tr class="d-changed">.*?/status.*?completed.*?failed', html, re.S)
    assert re.search(r'<tr class="d-added">.*?/extra', html, re.S)
    assert "/n<" not in html  # equal paths are not listed
    assert "Timeline (1 attempt)" in html
    assert "Retry-After: 2" in html and "waited 0.250 s" in html


def test_fuzz_finding_shows_steps_replay_and_facts() -> None:
    html = render_html(result())
    assert "Steps (2)" in html and "create_invoice" in html and "curl /inv/1" in html
    assert "toolcheck replay 123 --findings f.json" in html
    assert re.search(r"<th>Seed</th><td>99</td>", html) and re.search(r"<th>Count</th><td>3</td>", html)
    assert "Hint:" in html and "server: store it" in html


def test_drift_finding_shows_locations_change_and_level() -> None:
    html = render_html(result())
    assert "old.yaml:4" in html and "new.yaml:5" in html
    assert 'class="level lv-error"' in html
    assert "new-required-request-property" in html
    assert "<h3>Change</h3>" in html
    # expected/actual equal to before/after are not shown twice
    assert "Expected vs actual" not in html.split("request-property-became-required", 1)[1]
    assert re.search(r'<tr class="d-added">.*?/required/0', html, re.S)


def test_huge_bodies_are_truncated() -> None:
    case = CaseResult("big", "failed", details=Details.from_json({"response": {"status": 200, "body": "x" * 500_000}}))
    html = render_html(RunResult("run", "T", suites=(SuiteResult("s", (case,)),)))
    assert len(html) < 100_000 and "more characters" in html and "Body truncated" in html


def test_interrupted_and_empty_runs_render() -> None:
    html = render_html(RunResult("run", "T", interrupted=True))
    assert "interrupted" in html.lower() and "No results" in html


def test_passing_cases_beyond_the_budget_lose_details_but_failures_never_do() -> None:
    def case(i: int, status: str) -> CaseResult:
        return CaseResult(f"case-{i}", status, details=Details.from_json({"response": {"status": 200, "body": {"marker": f"body-{i}"}}}))

    cases = tuple(case(i, "failed" if i % 5 == 0 else "passed") for i in range(20))
    html = render_html(RunResult("fuzz", "T", suites=(SuiteResult("s", cases),)), max_detailed=3)
    for i in range(20):
        assert f"case-{i}<" in html  # every case keeps its line
    detailed = [i for i in range(20) if f"body-{i}&#34;" in html]
    assert detailed == [0, 1, 2, 3, 5, 10, 15]  # three passing ones, then failures only
    assert "13 passing cases shown without details" in html


def test_expected_and_actual_show_json_types() -> None:
    case = CaseResult("types", "failed", details=Details.from_json({"expected": "1", "actual": 1}))
    html = render_html(RunResult("run", "T", suites=(SuiteResult("s", (case,)),)))
    assert '<pre class="code">&#34;1&#34;</pre>' in html and '<pre class="code">1</pre>' in html
