"""Body edges are built on a valid request the target accepted, not on one it refused.

A maximal valid request carries every optional parameter; a server may refuse one of them
for a reason only its code knows (a version header checked against ``x.y.z``). Edges built
on that request would test only the refusal and never reach the body.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from toolcheck.fuzz import Fuzzer, FuzzOptions
from toolcheck.spec import load_spec_dict


def _spec() -> Any:
    body = {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 20},
        "interval": {"type": "number", "minimum": 0.01},
        **{f"flag{i}": {"type": "boolean"} for i in range(30)}}}
    return load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/counts": {"post": {
            "operationId": "count",
            "parameters": [{"name": "x-client-version", "in": "header", "required": False, "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {"200": {"description": "ok"}, "400": {"description": "bad version"},
                          "422": {"description": "invalid"}}}}}})


def _handler(request: httpx.Request) -> httpx.Response:
    version = request.headers.get("x-client-version")
    if version is not None and not re.fullmatch(r"\d+\.\d+\.\d+", version):
        return httpx.Response(400, json={"detail": "version must be x.y.z"})
    try:
        body = json.loads(request.content)
    except ValueError:
        return httpx.Response(422)
    if not isinstance(body, dict) or not isinstance(body.get("name"), str):
        return httpx.Response(422)
    interval = body.get("interval", 1.0)
    if isinstance(interval, (int, float)) and not isinstance(interval, bool) and interval >= 2**31:
        return httpx.Response(500, text="OverflowError: Python int too large to convert to C int")
    return httpx.Response(200, json={"count": 0})


def test_body_edges_reach_the_body_when_an_optional_header_is_refused() -> None:
    spec = _spec()
    client = httpx.Client(transport=httpx.MockTransport(_handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t",
                    options=FuzzOptions(seed=1, mode="positive", phases=("examples", "boundary")))
    findings = fuzzer.run(list(spec.operations))
    errors = [f for f in findings if f.failure.check == "server_error"]
    assert errors, [(f.failure.check, f.case.get("label")) for f in findings]
    assert "x-client-version" not in (errors[0].case.get("headers") or {})
    assert "interval" in errors[0].case["body"]


def test_a_refusal_for_a_header_is_shrunk_in_a_few_requests() -> None:
    """The failure does not depend on the body: all optional members go in one request,
    not one request each (30 here, on every operation of a service that checks the header)."""
    from toolcheck.fuzz.checks import evaluate
    from toolcheck.fuzz.http import Auth, send
    from toolcheck.fuzz.http import build as build_request
    from toolcheck.fuzz.shrink import shrink
    from toolcheck.payloads.case import Case

    spec = _spec()
    op = spec.operations[0]
    client = httpx.Client(transport=httpx.MockTransport(_handler), base_url="http://t")
    sent: list[Case] = []

    def send_case(case: Case) -> Any:
        sent.append(case)
        return send(client, *build_request(spec, op, case, Auth()))

    body = {"name": "abc", "interval": 2.5, **{f"flag{i}": True for i in range(30)}}
    case = Case(op.operation_id, "post", "/counts", headers={"x-client-version": "not-a-version"}, body=body,
                media_type="application/json", label="maximal valid request")
    exchange = send_case(case)
    failure = next(f for f in evaluate(spec, op, case, exchange) if f.check == "positive_rejected")
    sent.clear()
    small, _, kept = shrink(spec, op, case, exchange, failure, send=send_case,
                            check=lambda c, e: evaluate(spec, op, c, e), expired=lambda: False)
    assert kept.check == "positive_rejected"
    assert small.body == {"name": "abc"} and small.headers == {"x-client-version": "not-a-version"}
    assert len(sent) <= 8, [c.label for c in sent]


def test_under_a_budget_findings_are_shrunk_after_the_rounds(monkeypatch: Any) -> None:
    """Shrinking waits until every operation had its rounds; with time left it still happens.
    Each request costs one second of a fake clock (no timing)."""
    import types

    from toolcheck.fuzz import runner

    clock = [0.0]
    monkeypatch.setattr(runner, "time", types.SimpleNamespace(perf_counter=lambda: clock[0]))
    order: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        clock[0] += 1.0
        order.append(request.headers.get("x-client-version", ""))
        return _handler(request)

    spec = _spec()
    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(
        seed=1, mode="positive", phases=("examples", "boundary"), max_time=10_000))
    findings = fuzzer.run(list(spec.operations))
    refused = next(f for f in findings if f.failure.check == "positive_rejected")
    assert set(refused.case["body"]) == {"name"}  # shrunk: the header alone is refused
    assert not fuzzer.stats.budget_hit


def test_the_maximal_request_takes_the_content_branch_of_an_optional_model() -> None:
    """`anyOf: [Model, {type: null}]` in a maximal request is the model, never null."""
    import random

    from toolcheck.payloads.positive import CaseFactory
    from toolcheck.payloads.values import MAXIMAL

    text = {"type": "object", "properties": {"query": {"type": "string", "minLength": 1}}, "required": ["query"]}
    body = {"type": "object", "properties": {f"part{i}": {"anyOf": [text, {"type": "null"}]} for i in range(12)}}
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/search": {"post": {
        "operationId": "search", "requestBody": {"content": {"application/json": {"schema": body}}},
        "responses": {"200": {"description": "ok"}}}}}})
    for seed in range(5):
        case = CaseFactory(spec, spec.operations[0], random.Random(seed)).positive(MAXIMAL)
        assert all(isinstance(case.body[f"part{i}"], dict) for i in range(12)), case.body


def test_edge_kinds_take_turns_so_a_short_slice_gets_each_kind() -> None:
    """Twelve unbounded integers would fill the first 24 edges; the nullable member's null
    comes among the first three instead."""
    from toolcheck.payloads.case import Case
    from toolcheck.payloads.edges import edge_cases

    body = {"type": "object", "properties": {
        **{f"n{i}": {"type": "integer", "minimum": 0} for i in range(12)},
        "template": {"anyOf": [{"type": "object"}, {"type": "null"}]}}}
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}})
    base = Case("patch", "patch", "/pools/{name}", body={**{f"n{i}": 1 for i in range(12)}, "template": {"a": 1}},
                media_type="application/json")
    first = [c.label for c in edge_cases(spec, body, base)][:3]
    assert any(label.startswith("null for optional body/template") for label in first), first
    assert any(label.startswith("integer 2^31") for label in first), first
