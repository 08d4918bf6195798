"""Undocumented methods (RFC 9110 §15.5.6: 405 with Allow) and negatives the server did not apply."""

from __future__ import annotations

import json

import httpx

from toolcheck.checks.conformance import check_response
from toolcheck.findings import Severity
from toolcheck.fuzz import Fuzzer, FuzzOptions
from toolcheck.fuzz.checks import evaluate
from toolcheck.fuzz.http import Exchange
from toolcheck.payloads.case import Case
from toolcheck.payloads.methods import method_probes
from toolcheck.spec import Spec, load_spec_dict

OK = {"200": {"description": "ok"}}


def _spec() -> Spec:
    item = {"type": "object", "properties": {"name": {"type": "string"}, "note": {"type": "string"}}}
    return load_spec_dict({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {
            "/flows/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}],
                "get": {"operationId": "read", "responses": OK},
                "delete": {"operationId": "remove", "responses": OK}},
            "/flows/filter": {"post": {"operationId": "filter", "responses": OK}},
            "/status": {"get": {"operationId": "status", "responses": OK}},
            "/items": {"post": {
                "operationId": "create",
                "requestBody": {"content": {"application/json": {"schema": item}}},
                "responses": {"201": {"description": "made", "content": {"application/json": {"schema": item}}}}}},
        },
    })


def _methods(spec: Spec, operation_id: str, **path: str) -> list[str]:
    op = spec.operation(operation_id)
    base = Case(operation_id, op.method, op.path, path_params=path)
    return [c.method for c in method_probes(spec, op, base)]


def test_probes_are_the_methods_no_template_of_the_url_documents() -> None:
    spec = _spec()
    assert _methods(spec, "status") == ["put", "post", "delete", "patch", "trace"]
    # /flows/filter is also /flows/{id} to a router: GET and DELETE reach the item operations
    assert _methods(spec, "filter") == ["put", "patch", "trace"]
    # a concrete id that is not "filter" is only the item
    assert _methods(spec, "read", id="0b1c") == ["put", "post", "patch", "trace"]
    assert _methods(spec, "read", id="filter") == ["put", "patch", "trace"]


def _probe(spec: Spec, status: int, headers: dict[str, str] | None = None, method: str = "trace",
           operation_id: str = "status") -> list[tuple[str, str, Severity]]:
    op = spec.operation(operation_id)
    case = next(c for c in method_probes(spec, op, Case(operation_id, op.method, op.path, path_params={"id": "x"}))
                if c.method == method)
    exchange = Exchange(method.upper(), op.path, {}, None, status=status, response_headers=headers or {})
    return [(f.check, f.cause, f.severity) for f in evaluate(spec, op, case, exchange)]


def test_a_405_needs_allow_and_other_answers_are_judged_by_what_they_mean() -> None:
    spec = _spec()
    assert _probe(spec, 405) == [("allow_header", "405", Severity.ERROR)]
    assert _probe(spec, 405, {"Allow": "GET"}) == []
    assert _probe(spec, 405, {"allow": ""}) == []  # an empty Allow: no method allowed (RFC 9110 §10.2.1)
    # the cause is the router's answer (status, body signature), whatever the method: one per server
    assert _probe(spec, 200) == [("unsupported_method", "200", Severity.ERROR)]
    assert _probe(spec, 400) == [("unsupported_method", "400", Severity.WARNING)]
    assert _probe(spec, 404) == [("unsupported_method", "404", Severity.WARNING)]
    assert _probe(spec, 404, method="put") == [("unsupported_method", "404", Severity.WARNING)]
    for tolerated in (501, 401, 403, 429, 302):
        assert _probe(spec, tolerated) == [], tolerated
    # an id the router may not know: 404 is its answer, not the method's
    assert _probe(spec, 404, method="put", operation_id="read") == []
    # not judged against the GET's documented responses (405 is not documented, that is no finding)
    assert [c for c, _, _ in _probe(spec, 500)] == ["server_error"]


def test_a_405_whose_allow_omits_a_documented_method_of_the_path_is_reported() -> None:
    """Starlette routes each method of a path apart, so a 405 names one route's methods only
    (Prefect's ``Allow: GET`` on /flows/{id}, which documents GET and DELETE)."""
    spec = _spec()
    omits = _probe(spec, 405, {"Allow": "GET, HEAD"}, method="put", operation_id="read")
    assert omits == [("allow_header", "405 Allow omits documented methods", Severity.ERROR)]
    op = spec.operation("read")
    case = next(c for c in method_probes(spec, op, Case("read", "get", op.path, path_params={"id": "x"})) if c.method == "put")
    found = evaluate(spec, op, case, Exchange("PUT", "/flows/x", {}, None, status=405, response_headers={"allow": "GET"}))
    assert "DELETE" in found[0].message and "/flows/{id}" in found[0].message
    # every documented method named (any case, any spacing; HEAD and OPTIONS are the framework's)
    assert _probe(spec, 405, {"Allow": "delete,get"}, method="put", operation_id="read") == []
    assert _probe(spec, 405, {"Allow": "GET, DELETE, OPTIONS"}, method="put", operation_id="read") == []
    # only the probe's own template counts: /flows/filter documents POST (GET /flows/{id} may route there too)
    assert _probe(spec, 405, {"Allow": "POST"}, method="put", operation_id="filter") == []
    # an empty Allow says the resource allows nothing right now (RFC 9110 §10.2.1): not judged
    assert _probe(spec, 405, {"Allow": ""}, method="put", operation_id="read") == []
    # run judges the same on a 405 to a documented method
    assert {v.check for v in check_response(spec, op, 405, {"Allow": "POST"})} == {"allow_header", "status_documented"}


def test_run_judges_every_405_for_its_allow_header() -> None:
    spec = _spec()
    op = spec.operation("status")
    assert {v.check for v in check_response(spec, op, 405, {})} == {"allow_header", "status_documented"}
    assert {v.check for v in check_response(spec, op, 405, {"Allow": "GET"})} == {"status_documented"}
    assert check_response(spec, op, 200, {}) == []


def test_fuzz_sends_each_undocumented_method_once_per_path() -> None:
    spec = _spec()
    sent: list[tuple[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((request.method, request.url.path))
        if request.url.path == "/status":
            if request.method != "GET":
                return httpx.Response(405)  # the bug: no Allow
            return httpx.Response(200)
        if request.url.path == "/items":
            if request.method != "POST":
                return httpx.Response(405, headers={"Allow": "POST"})
            return httpx.Response(201, json={})
        return httpx.Response(404)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, phases=("examples", "boundary")))
    findings = fuzzer.run([spec.operation("status"), spec.operation("create")])
    probes = [(m, p) for m, p in sent if (p == "/status" and m != "GET") or (p == "/items" and m != "POST")]
    assert sorted(probes) == sorted({(m.upper(), "/status") for m in ("put", "post", "delete", "patch", "trace")}
                                    | {(m.upper(), "/items") for m in ("get", "put", "delete", "patch", "trace")})
    probed = {(f.operation_id, f.failure.check) for f in findings if f.failure.check in ("allow_header", "unsupported_method")}
    assert probed == {("status", "allow_header")}
    finding = next(f for f in findings if f.failure.check == "allow_header")
    assert finding.request["method"] in ("PUT", "POST", "DELETE", "PATCH", "TRACE")
    assert finding.curl.startswith("curl -sS -X " + finding.request["method"])


def test_positive_mode_sends_no_method_probes() -> None:
    spec = _spec()
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        return httpx.Response(200)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(mode="positive", phases=("boundary",))).run(
        [spec.operation("status")])
    assert sent and set(sent) == {"GET"}


def _negative(spec: Spec, sent: object, answered: dict[str, object]) -> list[tuple[str, str, Severity]]:
    op = spec.operation("create")
    case = Case("create", "post", "/items", body={"name": sent}, kind="negative", keyword="type", pointer="body/name")
    exchange = Exchange("POST", "/items", {}, None, status=201, response_headers={"content-type": "application/json"},
                        response_body=json.dumps(answered).encode())
    return [(f.check, f.cause, f.severity) for f in evaluate(spec, op, case, exchange) if f.check == "negative_accepted"]


def test_an_invalid_value_the_answer_shows_was_not_applied_is_a_warning() -> None:
    spec = _spec()
    # 123 sent for a string; the server kept its own name: ignored, not applied
    assert _negative(spec, 123, {"name": "report.txt"}) == [
        ("negative_accepted", "type at body/name ignored", Severity.WARNING)]
    # null in, null out: the field is nullable in practice (the answer's body_schema finding says so)
    assert _negative(spec, None, {"name": None}) == [
        ("negative_accepted", "type at body/name null kept", Severity.WARNING)]
    # applied: echoed as sent, coerced, or not shown at all
    applied: list[dict[str, object]] = [{"name": 123}, {"name": "123"}, {}]
    for answered in applied:
        assert _negative(spec, 123, answered) == [("negative_accepted", "type at body/name", Severity.ERROR)], answered
    # a value answered as null (no value kept), or null answered with the server's own: ignored too
    assert _negative(spec, 123, {"name": None}) == [("negative_accepted", "type at body/name ignored", Severity.WARNING)]
    assert _negative(spec, None, {"name": "x"}) == [("negative_accepted", "type at body/name ignored", Severity.WARNING)]


def test_no_delete_probe_where_deleting_would_remove_the_callers_identity() -> None:
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/users/me": {"get": {"operationId": "me", "responses": OK}},
        "/things": {"get": {"operationId": "things", "responses": OK}}}})
    sent: list[tuple[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((request.method, request.url.path))
        return httpx.Response(405, headers={"Allow": "GET"}) if request.method != "GET" else httpx.Response(200)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(phases=("boundary",))).run(list(spec.operations))
    assert ("DELETE", "/things") in sent and ("TRACE", "/users/me") in sent
    assert ("DELETE", "/users/me") not in sent
