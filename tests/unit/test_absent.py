"""One "no value" sentinel (issue 11 item 6): no body, an absent member, an empty selection."""

from __future__ import annotations

import copy
import pickle

from toolcheck._absent import ABSENT
from toolcheck.payloads import Case
from toolcheck.scenarios.expressions import Context, evaluate
from toolcheck.spec import load_spec_dict
from toolcheck.wire import build_request

SPEC = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "getA", "responses": {"200": {"description": "ok"}}}}}}


def test_it_stays_one_object_through_copies_and_pickles() -> None:
    assert copy.copy(ABSENT) is ABSENT
    assert copy.deepcopy({"body": ABSENT})["body"] is ABSENT
    assert pickle.loads(pickle.dumps(ABSENT)) is ABSENT
    assert not ABSENT and ABSENT is not None


def test_a_case_without_a_body_is_a_request_without_a_body() -> None:
    # payloads, the wire and scenarios share the sentinel: nothing translates between them
    case = copy.deepcopy(Case("getA", "get", "/a"))
    assert case.body is ABSENT
    op = load_spec_dict(SPEC).operations[0]
    request = build_request(None, op, body=case.body)
    assert request.body is ABSENT
    assert not request.content


def test_an_expression_that_selects_nothing_is_absent() -> None:
    assert evaluate("$steps.nowhere.outputs.id", Context()) is ABSENT
