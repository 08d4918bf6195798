"""Defence in depth: reporters redact what producers missed, without damaging findings."""

from __future__ import annotations

import json

from toolcheck.details import Details
from toolcheck.redact import Redactor
from toolcheck.report import render_html, render_json, render_junit, render_markdown, sanitize_result
from toolcheck.results import CaseResult, RunResult, SuiteResult

TOKEN = "eyJhbGciOiJIUzI1NiJ9.payload.sig"


def login_result() -> RunResult:
    case = CaseResult(
        "login", "failed", message=f'$.access_token is not equal: expected "x", got "{TOKEN}"',
        details=Details.from_json({
            "response": {"status": 200, "headers": {"Set-Cookie": "sid=cookie-value-123456; Path=/"},
                         "body": {"access_token": TOKEN, "token_type": "bearer", "pin": "12"}},
            "expected": "x", "actual": TOKEN,
            "curl": "curl -b 'sid=cookie-value-123456' http://127.0.0.1:1/me",
            "steps": [{"role": "read", "curl": f"curl http://127.0.0.1:1/me -d '{TOKEN}'"}],
        }),
    )
    drift = CaseResult("property removed", "failed", details=Details.from_json({
        "before": {"properties": {"password": {"type": "string", "minLength": 8}}}, "after": None,
    }))
    return RunResult("run", "T", suites=(SuiteResult("auth", (case, drift)),))


def test_values_under_secret_names_are_masked_wherever_the_case_repeats_them() -> None:
    result = login_result()
    for text in (render_html(sanitize_result(result)), render_json(sanitize_result(result)),
                 render_junit(sanitize_result(result)), render_markdown(sanitize_result(result))):
        assert TOKEN not in text and "cookie-value-123456" not in text
    data = json.loads(render_json(sanitize_result(result)))
    login = data["suites"][0]["cases"][0]
    assert login["details"]["response"]["body"]["token_type"] == "bearer"
    assert login["details"]["response"]["body"]["pin"] == "***"  # masked by name, too short to hunt for


def test_schemas_in_findings_are_not_damaged() -> None:
    data = json.loads(render_json(sanitize_result(login_result(), Redactor(["unrelated-secret"]))))
    drift = data["suites"][0]["cases"][1]
    assert drift["details"]["before"] == {"properties": {"password": {"type": "string", "minLength": 8}}}


def test_the_callers_redactor_is_not_changed() -> None:
    redactor = Redactor(["known-secret-1"])
    before = redactor.generation
    sanitize_result(login_result(), redactor)
    assert redactor.generation == before
    assert redactor.copy().redact_text("a known-secret-1 b") == "a *** b"
