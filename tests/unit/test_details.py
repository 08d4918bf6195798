"""The typed case details: one JSON writer and reader, and redaction that reaches every field."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.details import Assertion, Attempt, ChainStep, Details, Request, Response
from toolcheck.findings import Finding, Severity
from toolcheck.redact import Redactor
from toolcheck.report._json import jsonable
from toolcheck.report._sanitize import sanitize_details

SECRET = "zz-secret-4242-zz"


def _request(tag: str) -> Request:
    return Request(method="POST", url=f"http://api.test/x?q={SECRET}{tag}", headers={"X-Trace": SECRET},
                   body={"note": SECRET}, extra={"query": {"q": SECRET}})


def _response(tag: str) -> Response:
    return Response(status=200, headers=(("X-Echo", SECRET + tag),), body=f"echo {SECRET}", elapsed_ms=1.5,
                    reason=f"OK {SECRET}", extra={"error": SECRET})


def full() -> Details:
    """Every field set, each carrying the secret where it can hold text."""
    return Details(
        operation=f"op {SECRET}", workflow=f"wf {SECRET}", outputs={"id": SECRET}, request=_request("r"),
        curl=f"curl -H 'X-Trace: {SECRET}' http://api.test", credentials="sent", expects_refusal=True,
        notes=(f"note {SECRET}",),
        attempts=(Attempt(1, 200, 2.0, f"state={SECRET}", retry_after=f"in {SECRET}", wait_s=0.1, duration=0.2,
                          at=f"t {SECRET}", outcome=f"o {SECRET}", extra={"value": SECRET}),),
        response=_response("s"), expected={"a": SECRET}, actual=[SECRET],
        assertions=(Assertion("body", f"$.{SECRET}", "eq", SECRET, {"x": SECRET}, f"m {SECRET}"),),
        violations=(Finding("body_schema", f"m {SECRET}", f"/{SECRET}", Severity.WARNING, location=f"f {SECRET}",
                            operation=f"o {SECRET}", cause=f"c {SECRET}", hint=f"h {SECRET}",
                            evidence=({"v": SECRET},)),),
        hint=f"h {SECRET}", location=f"l {SECRET}", replay=f"toolcheck replay {SECRET}",
        steps=(ChainStep(f"create {SECRET}", f"op{SECRET}", 201, f"curl {SECRET}", _request("c"), _response("c"),
                         extra={"case": {"body": SECRET}}),),
        check=f"c {SECRET}", rule=f"r {SECRET}", level=Severity.ERROR, before={"b": SECRET}, after=SECRET,
        location_old=f"o {SECRET}", location_new=f"n {SECRET}", fingerprint=f"f {SECRET}", error_type=f"e {SECRET}",
        message=f"m {SECRET}", extra={"seed": SECRET, "places": [SECRET]},
    )


def _unset(details: Details) -> list[str]:
    return [f.name for f in fields(details) if getattr(details, f.name) in (None, ABSENT) or getattr(details, f.name) == {}]


def test_the_fixture_sets_every_field() -> None:
    # A field added to Details must be added here too, so the redaction test below covers it.
    assert _unset(full()) == []


def test_every_field_that_reaches_a_report_is_redacted() -> None:
    redacted = sanitize_details(full(), Redactor([SECRET]))
    text = json.dumps(jsonable(redacted.to_json()))
    assert SECRET not in text
    assert text.count("***") >= 40  # masked, not dropped
    assert redacted.level is Severity.ERROR and redacted.violations and redacted.violations[0].severity is Severity.WARNING
    assert redacted.response is not None and redacted.response.status == 200


def test_json_round_trips_through_the_typed_records() -> None:
    data = jsonable(full().to_json())
    back = Details.from_json(data)
    assert jsonable(back.to_json()) == data
    assert back.request is not None and back.request.method == "POST"
    assert back.attempts is not None and back.attempts[0].wait_s == 0.1
    assert back.steps is not None and back.steps[0].status == 201 and back.steps[0].response is not None


def test_a_null_body_or_expectation_is_a_value_not_an_absence() -> None:
    details = Details(request=Request("GET", "http://a", {}, None), expected=None, actual=0)
    assert details.to_json() == {"request": {"method": "GET", "url": "http://a", "headers": {}, "body": None},
                                 "expected": None, "actual": 0}
    assert Details().to_json() == {} and Details().empty


def test_values_of_an_unexpected_shape_are_kept_not_lost_or_trusted() -> None:
    hostile: dict[str, Any] = {"request": "GET /", "attempts": "many", "level": "catastrophic", "steps": [1, 2],
                               "violations": [{"keyword": "type", "path": "/a", "message": "bad", "severity": "nope"}],
                               "response": {"status": "200", "elapsed_ms": True}, "unknown": {"x": 1}}
    details = Details.from_json(hostile)
    assert details.request is None and details.attempts is None and details.level is None and details.steps is None
    assert details.extra == {"request": "GET /", "attempts": "many", "level": "catastrophic", "steps": [1, 2],
                             "unknown": {"x": 1}}
    assert details.violations is not None
    (violation,) = details.violations
    assert (violation.check, violation.pointer, violation.severity) == ("type", "/a", Severity.ERROR)
    assert details.response == Response(extra={"status": "200", "elapsed_ms": True})
