"""Findings by cause: distinct 500s stay distinct, repros keep non-secret fields, shrinking keeps formats."""

from __future__ import annotations

import json
from typing import Any

import httpx

from toolcheck.fuzz import Auth, Fuzzer, FuzzOptions
from toolcheck.fuzz.checks import Failure, body_signature, evaluate
from toolcheck.fuzz.http import Exchange
from toolcheck.fuzz.shrink import same_kind, shrink
from toolcheck.payloads.case import Case
from toolcheck.spec import load_spec_dict


def _spec() -> Any:
    body = {"type": "object", "required": ["key", "kind"], "properties": {
        "key": {"type": "string", "minLength": 1}, "kind": {"type": "string", "enum": ["a", "b"]},
        "at": {"type": "string", "format": "date-time"}, "note": {"type": "string"}}}
    return load_spec_dict({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}}, "security": [{"b": []}],
        "paths": {"/things": {"post": {
            "operationId": "create",
            "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 10}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {"201": {"description": "ok"}, "422": {"description": "bad"},
                          "501": {"description": "Kind b is not implemented yet"}}}}}})


def test_body_signature_ignores_echoed_values_but_not_the_error() -> None:
    assert body_signature(b'{"error": "no kernel 3f2a-19 found"}') == body_signature(b'{"error": "no kernel 77-b found"}')
    assert body_signature(b"KeyError: 'kernel'") == body_signature(b"KeyError: 'name'")
    assert body_signature(b"KeyError: 'kernel'") != body_signature(b"TypeError: 'NoneType' is not iterable")
    assert body_signature(b"") == ""


def test_two_different_500s_of_one_operation_are_two_findings_and_secrets_alone_are_masked() -> None:
    spec = _spec()
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.content)
        except ValueError:
            return httpx.Response(422)
        if not isinstance(body, dict):
            return httpx.Response(422)
        seen.append(body)
        if body.get("kind") == "a" and "note" in body:
            return httpx.Response(500, text="Traceback ...\nKeyError: 'owner'")
        if body.get("kind") == "a":
            return httpx.Response(500, text="Traceback ...\nTypeError: can't add int and str")
        return httpx.Response(201, json={})

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", auth=Auth(headers={"Authorization": "Bearer s3cret-token"},
                                                                   secrets=("s3cret-token",)),
                    options=FuzzOptions(seed=3, max_examples=40, phases=("examples", "boundary", "fuzz")))
    findings = [f for f in fuzzer.run([spec.operation("create")]) if f.failure.check == "server_error"]
    assert len({f.failure.cause for f in findings}) == 2, [f.failure.cause for f in findings]
    for f in findings:
        assert f.case["body"]["key"] != "***"
        assert "***" not in json.dumps(f.case["body"])  # a field called `key` is input, not a credential
        assert "s3cret-token" not in f.curl and "s3cret-token" not in json.dumps(f.request)


def test_a_documented_5xx_is_a_warning_that_names_its_documentation() -> None:
    spec = _spec()
    op = spec.operation("create")
    case = Case("create", "post", "/things", body={"key": "k", "kind": "b"}, media_type="application/json")
    failures = evaluate(spec, op, case, Exchange("POST", "/things", {}, None, status=501, response_body=b"no"))
    assert [(f.check, f.severity.value) for f in failures] == [("server_error", "warning")]
    assert "responses.501" in failures[0].message and "not implemented yet" in failures[0].message
    failures = evaluate(spec, op, case, Exchange("POST", "/things", {}, None, status=500, response_body=b"boom"))
    assert [(f.check, f.severity.value) for f in failures] == [("server_error", "error")]


def test_shrinking_keeps_formats_valid_and_never_adds_a_second_violation() -> None:
    spec = _spec()
    op = spec.operation("create")
    body = {"key": "kkkkkkkkkkkk", "kind": "a", "at": "2024-05-06T07:08:09Z", "note": "n" * 40}
    negative = Case("create", "post", "/things", body=body, query={"limit": 99}, media_type="application/json",
                    kind="negative", keyword="maximum", pointer="query/limit", label="limit above maximum")
    assert same_kind(spec, op, negative)
    assert not same_kind(spec, op, negative.with_(body={**body, "at": "20"}))  # a second, unintended violation

    def send(candidate: Case) -> Exchange:
        return Exchange("POST", "/things", {}, None, status=200)  # the server accepts everything

    def check(candidate: Case, result: Exchange) -> list[Failure]:
        return evaluate(spec, op, candidate, result)

    first = check(negative, send(negative))
    accepted = next(f for f in first if f.check == "negative_accepted")
    small, _, failure = shrink(spec, op, negative, send(negative), accepted, send=send, check=check, expired=lambda: False)
    assert failure.cause == accepted.cause
    assert small.body.get("at", "2024-05-06T07:08:09Z") == "2024-05-06T07:08:09Z"
    assert spec.validator(op.request_body.content["application/json"].schema).is_valid(small.body)
