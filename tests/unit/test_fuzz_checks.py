"""The fuzz checks on synthetic exchanges, chain inference and finding dedupe (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from toolcheck.fuzz import Auth, Fuzzer, FuzzOptions, is_secured
from toolcheck.fuzz.checks import Failure, evaluate, make_failure, normalise_pointer
from toolcheck.fuzz.findings import Finding, FindingSet
from toolcheck.fuzz.http import Exchange, build, invalid_credentials
from toolcheck.fuzz.stateful import evaluate_expression, infer_chains
from toolcheck.payloads.case import Case
from toolcheck.spec import Parameter, Spec, load_spec, load_spec_dict

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}


def _spec() -> Spec:
    return load_spec_dict({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
        "paths": {
            "/items": {"post": {
                "operationId": "create", "security": [{"key": []}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}}}},
                "responses": {
                    "201": {"description": "ok", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}},
                        "links": {"get": {"operationId": "read", "parameters": {"item": "$response.body#/id"}}}},
                    "422": {"description": "bad", "content": {"application/json": {"schema": ERROR}}}}}},
            "/items/{item}": {
                "parameters": [{"name": "item", "in": "path", "required": True, "schema": {"type": "string"}}],
                "get": {"operationId": "read", "security": [{"key": []}, {}],
                        "responses": {"200": {"description": "ok"}}},
                "delete": {"operationId": "remove", "responses": {"204": {"description": "gone"}}}},
        },
    })


def _exchange(status: int, body: object = None, headers: dict[str, str] | None = None) -> Exchange:
    raw = json.dumps(body).encode() if body is not None else b""
    hdrs = {"content-type": "application/json"} if body is not None else {}
    hdrs.update(headers or {})
    return Exchange("POST", "/items", {}, None, status=status, response_headers=hdrs, response_body=raw)


def _checks(failures: list[Failure]) -> set[str]:
    return {f.check for f in failures}


def test_server_error_and_undocumented_status() -> None:
    spec = _spec()
    op = spec.operation("create")
    case = Case("create", "post", "/items", body={"n": 1})
    assert _checks(evaluate(spec, op, case, _exchange(500, {"x": 1}))) == {"server_error"}
    failures = evaluate(spec, op, case, _exchange(409, {"error": "conflict"}))
    assert _checks(failures) == {"status_documented"} and failures[0].cause == "409"


def test_negative_expectations_and_leniency() -> None:
    spec = _spec()
    op = spec.operation("create")
    strict = Case("create", "post", "/items", body={"n": "1"}, kind="negative", keyword="type", pointer="body/n")
    assert _checks(evaluate(spec, op, strict, _exchange(201, {"id": "a"}))) == {"negative_accepted"}
    assert evaluate(spec, op, strict, _exchange(422, {"error": "n must be an integer"})) == []
    assert _checks(evaluate(spec, op, strict, _exchange(422, {"detail": "bad"}))) == {"error_schema"}
    lenient = strict.with_(lenient=True, pointer="header/X-Trace")
    assert evaluate(spec, op, lenient, _exchange(201, {"id": "a"})) == []


def test_path_negative_may_get_404_and_positive_404_is_not_a_rejection() -> None:
    spec = _spec()
    op = spec.operation("read")
    negative = Case("read", "get", "/items/{item}", path_params={"item": "!"}, kind="negative",
                    keyword="pattern", pointer="path/item")
    assert evaluate(spec, op, negative, _exchange(404)) == []
    positive = Case("read", "get", "/items/{item}", path_params={"item": "abc"})
    assert _checks(evaluate(spec, op, positive, _exchange(404))) == {"status_documented"}
    assert "positive_rejected" in _checks(evaluate(spec, op, positive, _exchange(422)))


def test_optional_security_is_not_secured() -> None:
    spec = _spec()
    assert is_secured(spec.operation("create"))
    assert not is_secured(spec.operation("read"))  # `{}` alternative: anonymous access allowed
    assert not is_secured(spec.operation("remove"))
    headers, query = invalid_credentials(spec, spec.operation("create"))
    assert headers == {"X-Key": "toolcheck-invalid-credential"} and not query


def test_build_serialises_and_keeps_credentials_out_of_cases() -> None:
    spec = _spec()
    op = spec.operation("read")
    case = Case("read", "get", "/items/{item}", path_params={"item": "a b/c"})
    method, url, headers, body = build(spec, op, case, Auth(headers={"X-Key": "s3cret"}))
    assert (method, url, body) == ("GET", "/items/a%20b%2Fc", None)
    assert headers["X-Key"] == "s3cret" and "s3cret" not in json.dumps(case.to_dict())
    assert "X-Key" not in build(spec, op, case, Auth(headers={"X-Key": "s3cret"}), credentials="none")[2]


def test_chains_from_links_and_inference(example_spec_path: Path) -> None:
    spec = _spec()
    chains = infer_chains(spec)
    assert [(c.create.operation_id, c.read.operation_id, c.origin) for c in chains] == [("create", "read", "link")]
    assert chains[0].delete is not None and chains[0].delete.operation_id == "remove"
    example = load_spec(str(example_spec_path))
    pairs = {(c.create.operation_id, c.read.operation_id, c.delete.operation_id if c.delete else None)
             for c in infer_chains(example)}
    assert pairs == {("create_invoice", "get_invoice", None), ("create_task", "get_task", "cancel_task")}
    assert evaluate_expression("$response.body#/a/0", request_path={}, body={"a": ["x"]}, headers={}) == "x"
    assert evaluate_expression("$response.header.Location", request_path={}, body=None,
                               headers={"location": "/items/42"}) == "42"


def test_findings_dedupe_by_operation_check_cause() -> None:
    found = FindingSet()
    failure = make_failure("server_error", "500", "HTTP 500")

    def make() -> Finding:
        return Finding("op", "GET /x", failure, {}, {}, {}, "curl", "fuzz", 1)

    assert found.add(make()) and not found.add(make())
    assert len(found.all()) == 1 and found.all()[0].count == 2
    assert normalise_pointer("/data/12/items/3/id") == "/data/*/items/*/id"


def test_stateful_phase_reports_unreadable_and_undeleted_resources() -> None:
    spec = _spec()
    store: dict[str, dict[str, object]] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            store["i1"] = {"id": "i1"}
            return httpx.Response(201, json={"id": "i1"})
        if request.method == "DELETE":
            return httpx.Response(204)  # but keeps the item
        item = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200) if item in store else httpx.Response(404)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", auth=Auth(headers={"X-Key": "k"}, secrets=("k",)),
                    options=FuzzOptions(seed=1, phases=("stateful",)))
    findings = fuzzer.run(list(spec.operations))
    assert [(f.operation_id, f.failure.check) for f in findings] == [("remove", "deleted_still_readable")]
    assert [s["role"] for s in findings[0].steps] == ["create", "read", "delete", "read again"]


def test_auth_phase_fires_only_on_required_security() -> None:
    spec = _spec()

    def handler(request: httpx.Request) -> httpx.Response:  # ignores credentials everywhere
        if request.method == "POST":
            return httpx.Response(201, json={"id": "i1"})
        return httpx.Response(204 if request.method == "DELETE" else 200)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, phases=("auth",)))
    findings = fuzzer.run(list(spec.operations))
    # `read` allows anonymous access ({} alternative) and `remove` has no security: only `create` fires
    assert sorted((f.operation_id, f.failure.cause) for f in findings) == [
        ("create", "invalid credentials"), ("create", "missing credentials")]
    assert all(f.failure.check == "auth_not_enforced" for f in findings)


def test_a_hanging_target_is_abandoned_after_a_few_timeouts() -> None:
    spec = _spec()
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadTimeout("no answer", request=request)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, phases=("boundary", "fuzz")))
    findings = fuzzer.run([spec.operation("create")])
    assert len(calls) <= 3
    assert [(f.failure.check, f.failure.cause) for f in findings] == [("transport_error", "timeout")]


def test_shrinking_keeps_only_what_triggers_the_failure(example_spec_path: Path) -> None:
    from toolcheck.fuzz.shrink import shrink

    spec = load_spec(str(example_spec_path))
    op = spec.operation("create_invoice")
    body = {"customer_id": "cus_abcdefgh", "currency": "EUR", "due_date": "2026-01-02", "memo": "m" * 300,
            "line_items": [{"description": "d" * 50, "quantity": 3, "unit_amount": 7}] * 4}
    case = Case("create_invoice", "post", "/invoices", body=body, media_type="application/json")
    sent: list[Case] = []

    def send(candidate: Case) -> Exchange:
        sent.append(candidate)
        status = 500 if "due_date" in candidate.body else 201  # the bug: any due date crashes
        return Exchange("POST", "/invoices", {}, None, status=status)

    def check(candidate: Case, result: Exchange) -> list[Failure]:
        return [make_failure("server_error", "500", "boom")] if result.status == 500 else []

    small, _, failure = shrink(spec, op, case, send(case), make_failure("server_error", "500", "boom"),
                               send=send, check=check, expired=lambda: False)
    assert failure.cause == "500" and "due_date" in small.body
    assert "memo" not in small.body and len(small.body["line_items"]) == 1
    assert len(small.body["line_items"][0]["description"]) < 50
    assert op.request_body is not None
    assert spec.validator(op.request_body.content["application/json"].schema).is_valid(small.body)
    assert len(sent) <= 41


def test_put_upserts_are_chained_with_the_same_path() -> None:
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/docs/{doc}": {
            "parameters": [{"name": "doc", "in": "path", "required": True, "schema": {"type": "string"}}],
            "put": {"operationId": "put_doc", "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    "responses": {"200": {"description": "stored"}}},
            "get": {"operationId": "get_doc", "responses": {"200": {"description": "ok"}, "404": {"description": "no"}}},
        }}})
    (chain,) = infer_chains(spec)
    assert (chain.create.operation_id, chain.read.operation_id, chain.delete) == ("put_doc", "get_doc", None)
    assert chain.sources == {"doc": "$request.path.doc"}

    def handler(request: httpx.Request) -> httpx.Response:  # stores nothing
        return httpx.Response(200) if request.method == "PUT" else httpx.Response(404)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    findings = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, phases=("stateful",))).run(
        list(spec.operations))
    assert [(f.operation_id, f.failure.check) for f in findings] == [("put_doc", "resource_not_readable")]


def test_wire_serialisation_of_path_styles_and_forms() -> None:

    from toolcheck.wire.bodies import form_pairs
    from toolcheck.wire.params import path_segment

    def param(style: str, explode: bool) -> Parameter:
        return Parameter(name="id", location="path", required=True, schema={}, style=style, explode=explode)

    assert path_segment(param("simple", False), "id", [1, 2]) == "1,2"
    assert path_segment(param("label", False), "id", ["a", "b"]) == ".a,b"
    assert path_segment(param("label", True), "id", ["a", "b"]) == ".a.b"
    assert path_segment(param("matrix", False), "id", 5) == ";id=5"
    assert path_segment(param("matrix", True), "id", {"x": 1, "y": 2}) == ";x=1;y=2"
    assert path_segment(param("simple", True), "id", {"x": "a b"}) == "x=a%20b"
    pairs = form_pairs({"a": [1, 2], "b": {"c": True}, "d": [], "e": "x"}, {"b": {"style": "deepObject"}})
    assert pairs == [("a", "1"), ("a", "2"), ("b[c]", "true"), ("e", "x")]


def test_an_internal_error_on_one_operation_does_not_end_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from toolcheck.fuzz.results import to_run_result
    from toolcheck.payloads.positive import CaseFactory

    spec = _spec()
    original = CaseFactory.positive

    def flaky(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.op.operation_id == "create":
            raise RuntimeError("odd schema")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CaseFactory, "positive", flaky)
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(204)), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, phases=("boundary",)))
    findings = fuzzer.run(list(spec.operations))
    assert "odd schema" in fuzzer.stats.errors["create"]
    assert fuzzer.stats.per_operation.get("remove", 0) > 0
    result = to_run_result(spec, fuzzer, findings, list(spec.operations), findings_file="f.json", target="--mock")
    statuses = {s.name.split(" ")[0]: [c.status for c in s.cases] for s in result.suites}
    assert statuses["create"] == ["error"]


def test_stateful_delete_sends_its_own_required_body_and_query() -> None:
    # GitHub's DELETE /repos/{owner}/{repo}/contents/{path} requires a body: the stateful phase
    # reused the read's case (no body, no query) and reported the API's 422 as positive_rejected.
    item = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    ok = {"description": "ok", "content": {"application/json": {"schema": item}}}
    pid = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "f", "version": "1"}, "paths": {
        "/files": {"post": {"operationId": "create", "responses": {"201": ok}}},
        "/files/{id}": {
            "get": {"operationId": "read", "parameters": pid, "responses": {"200": ok, "404": {"description": "no"}}},
            "delete": {"operationId": "remove", "parameters": [*pid, {"name": "reason", "in": "query", "required": True,
                                                                      "schema": {"type": "string"}}],
                       "requestBody": {"required": True, "content": {"application/json": {"schema": {
                           "type": "object", "required": ["sha"], "properties": {"sha": {"type": "string"}}}}}},
                       "responses": {"204": {"description": "gone"}, "422": {"description": "bad"}}}}}})
    store: set[str] = set()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            store.add("f1")
            return httpx.Response(201, json={"id": "f1"})
        item_id = request.url.path.rsplit("/", 1)[-1]
        if request.method == "DELETE":
            if not request.content or "reason" not in request.url.params:
                return httpx.Response(422)
            store.discard(item_id)
            return httpx.Response(204)
        return httpx.Response(200, json={"id": item_id}) if item_id in store else httpx.Response(404)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, phases=("stateful",)))
    assert [(f.operation_id, f.failure.check) for f in fuzzer.run(list(spec.operations))] == []


def test_stateful_read_back_does_not_send_an_id_its_parameter_rejects() -> None:
    # GitHub: a runner group's `id` is a number, the path parameter an integer; the read back
    # sent 179.63 and the fuzzer called the API's 400 "a request that satisfies the spec".
    group = {"type": "object", "required": ["id"], "properties": {"id": {"type": "number"}}}
    ok = {"description": "ok", "content": {"application/json": {"schema": group}}}
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "g", "version": "1"}, "paths": {
        "/groups": {"post": {"operationId": "create", "responses": {"201": ok}}},
        "/groups/{group_id}": {"get": {"operationId": "read", "parameters": [
            {"name": "group_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": ok, "400": {"description": "bad"}}}}}})

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, json={"id": 179.63})
        segment = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, json={"id": 1}) if segment.isdigit() else httpx.Response(400)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, phases=("stateful",)))
    assert [(f.operation_id, f.failure.check) for f in fuzzer.run(list(spec.operations))] == []
