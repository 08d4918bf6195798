"""Properties: hostile text anywhere in a result never becomes markup, and JSON round-trips."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from toolcheck.details import Details
from toolcheck.report import parse_json_report, render_html, render_json, render_junit
from toolcheck.results import CaseResult, RunResult, SuiteResult

FRAGMENTS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</pre>", "</td></tr>", "</details>",
             '"', "'", "&amp;", "&lt;", "]]>", "{{ 7*7 }}", "{% raw %}", "\x00", "\x1b", "|", "`", "\n", "é",
             "\u2028", "javascript:alert(1)", "<!--", "-->", "<style>", "<a href=x>"]
HOSTILE = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5), min_size=1, max_size=6).map("".join).filter(bool)
ALLOWED_TAGS = {"html", "head", "meta", "link", "title", "style", "body", "header", "h1", "h2", "h3", "h4", "span",
                "p", "strong", "dl", "div", "dt", "dd", "pre", "button", "details", "summary", "table", "tr", "th",
                "td", "form", "label", "input", "nav", "ol", "li", "a", "main", "section", "code", "b", "thead",
                "tbody", "br", "small", "footer", "script"}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)


def result(text: str) -> RunResult:
    case = CaseResult(text, "failed", message=text, classname=text, details=Details.from_json({
        "request": {"method": text, "url": text, "headers": {text: text}, "body": {text: [text]}},
        "response": {"status": text, "headers": [[text, text]], "body": text},
        "expected": {text: text}, "actual": [text], "violations": [{"check": text, "message": text, "pointer": text}],
        "attempts": [{"status": text, "note": text}], "curl": text, "hint": text, "rule": text, "level": text,
        "before": text, "after": {text: 1}, "location": text, text: text,
    }), properties={text: text})
    return RunResult("run", text, suites=(SuiteResult(text, (case,), file=text, properties={text: text}),),
                     command_line=text, summary={text: text})


@settings(max_examples=60, deadline=None)
@given(text=HOSTILE)
def test_html_never_turns_text_into_markup(text: str) -> None:
    html = render_html(result(text))
    parser = Tags()
    parser.feed(html)
    assert parser.tags <= ALLOWED_TAGS
    assert not any(a.startswith("on") for a in parser.attrs)
    assert html.count("<script") == 1
    if any(tag in text for tag in ("<script>", "<img ", "<a href")):
        assert text not in html
    if "{{ 7*7 }}" in text:
        assert "{{ 7*7 }}" in html  # shown literally, never evaluated as a template


@settings(max_examples=60, deadline=None)
@given(text=HOSTILE)
def test_junit_parses_and_json_round_trips(text: str) -> None:
    r = result(text)
    ET.fromstring(render_junit(r).encode())
    back = parse_json_report(render_json(r))
    assert back.suites[0].cases[0].message == text
    assert json.loads(render_json(back)) == json.loads(render_json(r))
