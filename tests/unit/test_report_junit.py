"""JUnit XML against the content model of the Jenkins xunit ``junit-10.xsd``, parsed back."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from toolcheck.details import Details
from toolcheck.report import render_junit
from toolcheck.results import CaseResult, RunResult, SuiteResult

# junit-10.xsd, transcribed: allowed attributes (required ones first) and child elements.
SUREFIRE_TIME = re.compile(r"^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$")
MODEL: dict[str, tuple[set[str], set[str], set[str]]] = {
    # tag: (required attributes, allowed attributes, allowed children)
    "testsuites": (set(), {"name", "time", "tests", "failures", "errors"}, {"testsuite"}),
    "testsuite": ({"name", "tests", "failures", "errors"},
                  {"name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp", "hostname",
                   "id", "package", "file", "log", "url"},
                  {"testsuite", "properties", "testcase", "system-out", "system-err"}),
    "properties": (set(), set(), {"property"}),
    "property": ({"name", "value"}, {"name", "value"}, set()),
    "testcase": ({"name"}, {"name", "time", "classname", "group"},
                 {"skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure", "flakyError",
                  "system-out", "system-err"}),
    "failure": (set(), {"type", "message"}, set()),
    "error": (set(), {"type", "message"}, set()),
    "skipped": (set(), {"type", "message"}, set()),
    "system-out": (set(), set(), set()),
    "system-err": (set(), set(), set()),
}


def validate(el: ET.Element, *, testcase_properties: bool) -> None:
    assert el.tag in MODEL, el.tag
    required, allowed, children = MODEL[el.tag]
    if el.tag == "testcase" and testcase_properties:
        children = children | {"properties"}
    assert required <= set(el.attrib), (el.tag, el.attrib)
    assert set(el.attrib) <= allowed, (el.tag, set(el.attrib) - allowed)
    if "time" in el.attrib and el.tag in ("testsuites", "testsuite"):
        assert SUREFIRE_TIME.match(el.attrib["time"]), el.attrib["time"]
    for child in el:
        assert child.tag in children, (el.tag, child.tag)
        validate(child, testcase_properties=testcase_properties)


HOSTILE = "\x00\x01\x1b[31m]]></failure><x>&amp; \ud800 \"'<"


def run_result(*, interrupted: bool = False) -> RunResult:
    cases = (
        CaseResult("ok", "passed", 0.001, message="all good", properties={"attempts": "1"}),
        CaseResult(f"bad {HOSTILE}", "failed", 12.3456, message=f"expected 200 got 500 {HOSTILE}",
                   details=Details.from_json({"expected": {"a": 1}, "actual": {"a": 2, "b": HOSTILE},
                            "violations": [{"check": "status", "message": "undocumented", "pointer": "/a"}],
                            "attempts": [{"status": 202}, {"status": 500}], "curl": "curl http://x"})),
        CaseResult("crash", "error", message="connection refused", details=Details.from_json({"error_type": "TargetError"})),
        CaseResult("later", "skipped", message="if: false"),
        CaseResult("weird", "flaky"),
    )
    return RunResult("run", "T", suites=(SuiteResult("scenario A", cases, 12.5, file="a.yaml",
                                                     properties={"rows": "1"}),
                                         SuiteResult("scenario B", (CaseResult("x", "passed"),))),
                     seed=3, command_line="toolcheck run .", started_at="2026-01-01T00:00:00Z",
                     interrupted=interrupted, duration=1234.5)


@pytest.mark.parametrize("strict", [False, True])
def test_valid_against_the_junit_10_content_model(strict: bool) -> None:
    root = ET.fromstring(render_junit(run_result(), strict=strict).encode())
    validate(root, testcase_properties=not strict)


def test_counts_and_one_case_per_case() -> None:
    root = ET.fromstring(render_junit(run_result()).encode())
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["scenario A", "scenario B"]
    a = suites[0]
    assert (a.get("tests"), a.get("failures"), a.get("errors"), a.get("skipped")) == ("5", "1", "2", "1")
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "1", "2")
    assert len(a.findall("testcase")) == 5
    assert a.find("testcase[@name='weird']/error") is not None  # an unknown status never passes silently


def test_failure_carries_expected_actual_diff_and_properties() -> None:
    root = ET.fromstring(render_junit(run_result()).encode())
    bad = root.find(".//testcase[failure]")
    assert bad is not None
    failure = bad.find("failure")
    assert failure is not None and failure.get("message", "").startswith("expected 200 got 500")
    text = failure.text or ""
    assert 'expected: {"a": 1}' in text and "~ /a: 1 → 2" in text and "+ /b:" in text
    assert "[status] undocumented at /a" in text and "reproduce: curl http://x" in text
    props = {p.get("name"): p.get("value") for p in bad.iter("property")}
    assert props["attempts"] == "2" and props["duration"] == "12.346"
    assert bad.get("time") == "12.346"
    crash = root.find(".//testcase[@name='crash']/error")
    assert crash is not None and crash.get("type") == "TargetError"
    assert root.find(".//testcase[@name='later']/skipped").get("message") == "if: false"  # type: ignore[union-attr]


def test_run_facts_are_suite_properties() -> None:
    root = ET.fromstring(render_junit(run_result()).encode())
    suite = root.find("testsuite")
    assert suite is not None
    props = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
    assert props["seed"] == "3" and props["command_line"] == "toolcheck run ." and props["rows"] == "1"


def test_strict_mode_moves_case_properties_to_system_out() -> None:
    root = ET.fromstring(render_junit(run_result(), strict=True).encode())
    ok = root.find(".//testcase[@name='ok']")
    assert ok is not None and ok.find("properties") is None
    assert "[[PROPERTY|attempts=1]]" in (ok.findtext("system-out") or "")


def test_control_characters_do_not_break_the_xml() -> None:
    xml = render_junit(run_result())
    root = ET.fromstring(xml.encode())  # parses despite NUL, ESC and lone surrogates in payloads
    names = [tc.get("name") for tc in root.iter("testcase")]
    assert any(n and n.startswith("bad \ufffd\ufffd\ufffd[31m]]></failure><x>&amp;") for n in names)


def test_interrupted_run_is_an_error_in_ci() -> None:
    root = ET.fromstring(render_junit(run_result(interrupted=True)).encode())
    last = root.findall("testsuite")[-1]
    assert last.get("name") == "toolcheck"
    assert last.find("testcase/error").get("type") == "Interrupted"  # type: ignore[union-attr]
    props = {p.get("name"): p.get("value") for p in root.find("testsuite").iter("property")}  # type: ignore[union-attr]
    assert props["interrupted"] == "true"
    validate(root, testcase_properties=True)
