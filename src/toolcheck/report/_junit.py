"""JUnit XML: one ``<testsuite>`` per SuiteResult, one ``<testcase>`` per CaseResult.

Follows the Jenkins xunit ``junit-10.xsd`` (the schema most CI systems accept): ``<failure>``
carries expected vs actual, ``<error>`` a case that could not run, ``<skipped>`` a skipped one.
Run and suite facts (seed, command line, operation ...) are ``<property>`` elements of each
testsuite. Per-case properties (attempts, duration, operation ...) are written as a testcase
``<properties>`` element, the extension pytest's ``record_property``, GitLab and the Jenkins
JUnit plugin read; ``strict=True`` moves them into the testcase's ``<system-out>`` as
``[[PROPERTY|name=value]]`` lines so the file validates against the XSD unchanged.

Built with ElementTree (it escapes text and attributes); characters XML 1.0 cannot carry are
replaced first, because fuzz payloads contain NULs and control characters.
"""

from __future__ import annotations

import functools
import socket
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from toolcheck.details import Details
from toolcheck.report._text import failure_text, truncate, xml_safe
from toolcheck.results import ERROR, FAILED, PASSED, SKIPPED, CaseResult, RunResult, SuiteResult

_MESSAGE_LIMIT = 1000


def _time(seconds: float) -> str:
    return f"{max(seconds, 0.0):.3f}"


def _set(el: ET.Element, name: str, value: Any) -> None:
    el.set(name, xml_safe(str(value)))


def _properties(parent: ET.Element, props: Mapping[str, Any]) -> None:
    if not props:
        return
    holder = ET.SubElement(parent, "properties")
    for key, value in props.items():
        prop = ET.SubElement(holder, "property")
        _set(prop, "name", key)
        _set(prop, "value", truncate(str(value), 4000))


def case_properties(case: CaseResult) -> dict[str, str]:
    """A case's properties plus derived ones (attempts, status code, duration)."""
    props = {str(k): str(v) for k, v in case.properties.items()}
    details = case.details
    if details.attempts and "attempts" not in props:
        props["attempts"] = str(len(details.attempts))
    if details.response is not None and details.response.status is not None and "status_code" not in props:
        props["status_code"] = str(details.response.status)
    for key, value in (("rule", details.rule), ("level", details.level), ("operation", details.operation),
                       ("check", details.check), ("fingerprint", details.fingerprint)):
        if value and key not in props:
            props[key] = str(value)
    props.setdefault("duration", _time(case.duration))
    return props


def _testcase(parent: ET.Element, suite: SuiteResult, case: CaseResult, strict: bool) -> None:
    el = ET.SubElement(parent, "testcase")
    _set(el, "name", case.name or "(unnamed)")
    _set(el, "classname", case.classname or suite.name)
    _set(el, "time", _time(case.duration))
    props = case_properties(case)
    if not strict:
        _properties(el, props)
    message = truncate(case.message, _MESSAGE_LIMIT)
    if case.status == FAILED:
        fail = ET.SubElement(el, "failure")
        _set(fail, "message", message or "failed")
        _set(fail, "type", case.details.check or case.details.rule or "AssertionError")
        fail.text = xml_safe(failure_text(case.message, case.details))
    elif case.status == ERROR:
        err = ET.SubElement(el, "error")
        _set(err, "message", message or "error")
        _set(err, "type", case.details.error_type or "Error")
        err.text = xml_safe(failure_text(case.message, case.details))
    elif case.status == SKIPPED:
        skipped = ET.SubElement(el, "skipped")
        if message:
            _set(skipped, "message", message)
    elif case.status != PASSED:  # an unknown status must not pass silently
        err = ET.SubElement(el, "error")
        _set(err, "message", f"unknown status {case.status!r}: {message}")
        _set(err, "type", "UnknownStatus")
    out_lines: list[str] = []
    if strict and props:
        out_lines.extend(f"[[PROPERTY|{k}={v}]]" for k, v in props.items())
    if case.status == PASSED and case.message:
        out_lines.append(case.message)
    if out_lines:
        out = ET.SubElement(el, "system-out")
        out.text = xml_safe("\n".join(out_lines))


def _run_properties(result: RunResult) -> dict[str, str]:
    props: dict[str, str] = {"tool": result.tool}
    if result.version:
        props["toolcheck_version"] = result.version
    if result.seed is not None:
        props["seed"] = str(result.seed)
    if result.command_line:
        props["command_line"] = result.command_line
    if result.interrupted:
        props["interrupted"] = "true"
    if result.incomplete:
        props["incomplete"] = result.incomplete
    return props


def _incomplete(result: RunResult) -> SuiteResult:
    """A skipped case that says what was not tested: CI shows it, it does not fail the build."""
    return SuiteResult(name="toolcheck", cases=(CaseResult(
        name="coverage incomplete", status=SKIPPED, message=f"incomplete: {result.incomplete}",
        classname="toolcheck"),))


_INTERRUPTED = SuiteResult(
    name="toolcheck",
    cases=(
        CaseResult(
            name="run interrupted",
            status=ERROR,
            message="the run was interrupted; suites after the last one reported did not run",
            classname="toolcheck",
            details=Details(error_type="Interrupted"),
        ),
    ),
)


def _errors(suite: SuiteResult) -> int:
    return len(suite.cases) - suite.count(FAILED) - suite.count(PASSED) - suite.count(SKIPPED)


@functools.lru_cache(maxsize=1)
def _hostname() -> str:
    return socket.gethostname()


def junit_suite_xml(result: RunResult, suite: SuiteResult, index: int, *, strict: bool = False) -> str:
    """One ``<testsuite>`` element as indented text (run facts of ``result`` as its properties).

    The incremental reporter caches these, so a long run does not re-render finished suites.
    """
    el = ET.Element("testsuite")
    _set(el, "name", suite.name or f"suite {index + 1}")
    _set(el, "tests", len(suite.cases))
    _set(el, "failures", suite.count(FAILED))
    _set(el, "errors", _errors(suite))
    _set(el, "skipped", suite.count(SKIPPED))
    _set(el, "time", _time(suite.duration or sum(c.duration for c in suite.cases)))
    _set(el, "id", index)
    if result.started_at:
        _set(el, "timestamp", result.started_at)
    _set(el, "hostname", _hostname())
    if suite.file:
        _set(el, "file", suite.file)
    _properties(el, {**_run_properties(result), **suite.properties})
    for case in suite.cases:
        _testcase(el, suite, case, strict)
    ET.indent(el, space="  ", level=1)
    return "  " + ET.tostring(el, encoding="unicode").rstrip() + "\n"


def junit_document(result: RunResult, suite_xml: list[str], *, strict: bool = False) -> str:
    """The whole JUnit file from ``result``'s header and pre-rendered suites (same order)."""
    suites = list(result.suites)
    parts = list(suite_xml)
    if result.interrupted:
        suites.append(_INTERRUPTED)
        parts.append(junit_suite_xml(result, _INTERRUPTED, len(suites) - 1, strict=strict))
    if result.incomplete:
        suites.append(_incomplete(result))
        parts.append(junit_suite_xml(result, suites[-1], len(suites) - 1, strict=strict))
    root = ET.Element("testsuites")
    _set(root, "name", result.title or f"toolcheck {result.tool}")
    _set(root, "tests", sum(len(s.cases) for s in suites))
    _set(root, "failures", sum(s.count(FAILED) for s in suites))
    _set(root, "errors", sum(_errors(s) for s in suites))
    _set(root, "time", _time(result.duration))
    head = ET.tostring(root, encoding="unicode")
    if not parts:
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + head + "\n"
    opening = head[:-2].rstrip() + ">" if head.endswith("/>") else head.split("</testsuites>")[0]
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + opening + "\n" + "".join(parts) + "</testsuites>\n"


def render_junit(result: RunResult, *, strict: bool = False) -> str:
    """The JUnit XML text for ``result``.

    Args:
        result: the run.
        strict: keep to junit-10.xsd exactly (testcase properties go to ``<system-out>``).
    """
    parts = [junit_suite_xml(result, s, i, strict=strict) for i, s in enumerate(result.suites)]
    return junit_document(result, parts, strict=strict)
