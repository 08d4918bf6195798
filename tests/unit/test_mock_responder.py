from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from toolcheck.checks.conformance import check_response
from toolcheck.mock import FaultConfig, Mock, MockRequest, MockTransport
from toolcheck.spec import load_spec, load_spec_dict

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agent-tools" / "openapi.yaml"
AUTH = {"Authorization": "Bearer tok_123"}


@pytest.fixture(scope="module")
def spec() -> Any:
    return load_spec(str(EXAMPLE))


def _client(spec: Any, **kw: Any) -> httpx.Client:
    return httpx.Client(transport=MockTransport(spec, **kw), base_url="http://mock")


def test_answers_validate_against_the_spec(spec: Any) -> None:
    with _client(spec, stateful=False) as client:
        for path in ("/invoices/inv_12345678", "/tasks", "/customers?q=ada", "/customers/cus_0001", "/tasks/task_abcdefgh"):
            response = client.get(path, headers=AUTH)
            assert response.status_code == 200, response.text
            op = spec.operation("GET " + path.split("?")[0].replace("inv_12345678", "{invoice_id}")
                                .replace("cus_0001", "{customer_id}").replace("task_abcdefgh", "{task_id}"))
            assert check_response(spec, op, 200, dict(response.headers), raw=response.content) == []


def test_path_ids_are_echoed_and_bodies_differ_per_request(spec: Any) -> None:
    with _client(spec, stateful=False, dynamic=True) as client:
        first = client.get("/invoices/inv_AAAAAAAA", headers=AUTH).json()
        second = client.get("/invoices/inv_BBBBBBBB", headers=AUTH).json()
        again = client.get("/invoices/inv_AAAAAAAA", headers=AUTH).json()
    assert first["id"] == "inv_AAAAAAAA" and second["id"] == "inv_BBBBBBBB"
    assert first == again
    assert {k: v for k, v in first.items() if k != "id"} != {k: v for k, v in second.items() if k != "id"}


def test_routing_404_405_with_allow(spec: Any) -> None:
    with _client(spec) as client:
        assert client.get("/nothing/here", headers=AUTH).status_code == 404
        response = client.put("/tasks", headers=AUTH)
        assert response.status_code == 405
        assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}


def test_server_base_path_is_accepted() -> None:
    spec = load_spec_dict({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com/v2"}],
        "paths": {"/ping": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}}}}}}}}},
    })
    with _client(spec) as client:
        assert client.get("/v2/ping").status_code == 200
        assert client.get("/ping").status_code == 200
        assert client.get("/v3/ping").status_code == 404


def test_security_401_with_challenge(spec: Any) -> None:
    with _client(spec) as client:
        missing = client.get("/tasks")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Bearer")
        assert missing.json()["error"]["code"] == "unauthorized"
        bad = client.get("/tasks", headers={"Authorization": "Bearer a b"})
        assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["www-authenticate"]
        assert client.get("/tasks", headers={"Authorization": "Basic eDp5"}).status_code == 401


def test_validation_errors_fill_the_documented_error_shape(spec: Any) -> None:
    with _client(spec) as client:
        response = client.post("/invoices", headers=AUTH, json={"customer_id": "nope", "currency": "EUR", "line_items": []})
        assert response.status_code == 422
        body = response.json()
        assert body["error"]["code"] == "validation_failed"
        fields = {d["field"] for d in body["error"]["details"]}
        assert {"/body/customer_id", "/body/line_items"} <= fields
        op = spec.operation("create_invoice")
        assert check_response(spec, op, 422, dict(response.headers), raw=response.content) == []
        bad_param = client.get("/customers", params={"q": "ab", "limit": "lots"}, headers=AUTH)
        assert bad_param.status_code == 400
        assert bad_param.json()["error"]["details"][0]["field"] == "/query/limit"


def test_malformed_json_and_wrong_content_type(spec: Any) -> None:
    with _client(spec) as client:
        malformed = client.post("/tickets", headers={**AUTH, "content-type": "application/json"}, content=b'{"a":')
        assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "invalid_request"
        wrong = client.post("/tickets", headers={**AUTH, "content-type": "text/csv"}, content=b"a,b")
        assert wrong.status_code == 415


def test_problem_json_when_no_error_shape_is_documented() -> None:
    spec = load_spec_dict({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/items": {"get": {"parameters": [{"name": "n", "in": "query", "required": True, "schema": {"type": "integer"}}],
                                     "responses": {"200": {"description": "ok"}}}}},
    })
    with _client(spec) as client:
        response = client.get("/items?n=x")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["errors"][0]["pointer"] == "/query/n"


def test_prefer_code_example_and_dynamic() -> None:
    spec = load_spec_dict({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/pets": {"get": {"responses": {
            "200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
                "examples": {"cat": {"value": {"name": "Tom"}}, "dog": {"value": {"name": "Rex"}},
                             "bad": {"value": {"name": 3}}}}}},
            "404": {"description": "missing"}}}}},
    })
    mock = Mock(spec)
    assert any("'bad'" in p for p in mock.examples.check_all())
    with httpx.Client(transport=MockTransport(spec), base_url="http://m") as client:
        assert client.get("/pets").json() == {"name": "Tom"}
        assert client.get("/pets", headers={"Prefer": "example=dog"}).json() == {"name": "Rex"}
        assert client.get("/pets", headers={"Prefer": "example=bad"}).json() == {"name": "Tom"}
        assert client.get("/pets", headers={"Prefer": "code=404"}).status_code == 404
        dynamic = client.get("/pets", headers={"Prefer": "dynamic=true"}).json()
        assert isinstance(dynamic["name"], str) and dynamic["name"] not in ("Tom", "Rex")


def test_stateful_lifecycle(spec: Any) -> None:
    with _client(spec, stateful=True) as client:
        created = client.post("/tasks", headers=AUTH, json={"kind": "generate_report"})
        assert created.status_code == 202
        task = created.json()
        assert task["kind"] == "generate_report" and task["status"] == "queued"
        url = f"/tasks/{task['task_id']}"
        assert created.headers["location"] == url
        statuses = [client.get(url, headers=AUTH).json()["status"] for _ in range(3)]
        assert statuses == ["running", "completed", "completed"]
        listed = client.get("/tasks", headers=AUTH).json()["data"]
        assert [t["task_id"] for t in listed] == [task["task_id"]]
        assert client.delete(url, headers=AUTH).status_code == 204
        assert client.get(url, headers=AUTH).status_code == 404
        other = client.post("/tasks", headers=AUTH, json={"kind": "generate_report"}).json()
        assert other["task_id"] != task["task_id"]


def test_faults_are_seeded_and_replayable(spec: Any) -> None:
    config = FaultConfig.parse("error_rate=0.3,truncate_rate=0.1")

    def run() -> list[int]:
        mock = Mock(spec, seed=7, faults=config)
        return [mock.handle(MockRequest("GET", "/tasks", "", {"authorization": "Bearer t"})).status for _ in range(40)]

    first = run()
    assert first == run()
    assert any(s >= 500 or s == 429 for s in first) and 200 in first


def test_timeout_fault_raises_read_timeout(spec: Any) -> None:
    with _client(spec) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get("/tasks", headers={**AUTH, "Prefer": "fault=timeout"}, timeout=0.05)


def test_async_transport(spec: Any) -> None:
    async def go() -> int:
        async with httpx.AsyncClient(transport=MockTransport(spec), base_url="http://m") as client:
            response = await client.get("/customers", params={"q": "ada"}, headers=AUTH)
            return response.status_code

    assert asyncio.run(go()) == 200


def test_never_500_on_hostile_requests(spec: Any) -> None:
    """A quick negative generator: random methods, paths, headers and bodies."""
    mock = Mock(spec, stateful=True)
    rng = random.Random(1234)
    pieces = ["invoices", "tasks", "customers", "tickets", "inv_12345678", "task_abcdefgh", "%00", "%E2%82%AC",
              "..", "", "{id}", "€", "a" * 300, "%ZZ", "cus_0001"]
    bodies = [b"", b"{", b'{"\xe2\x82\xac":1}', b"[]", b"null", b"[" * 5000, b'{"a":' * 2000, b"\xff\xfe",
              b'{"customer_id": 1e999}', b'{"kind": "export_invoices", "parameters": {"x": []}}', b"0" * 100000]
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "BREW"]
    ctypes = ["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "", "json"]
    for _ in range(400):
        path = "/" + "/".join(rng.choice(pieces) for _ in range(rng.randint(0, 3)))
        query = "&".join(f"{rng.choice(['q', 'limit', 'cursor', 'status', 'x'])}={rng.choice(['', '1', '-5', 'ab', '%FF', '€'])}"
                         for _ in range(rng.randint(0, 3)))
        headers = {"content-type": rng.choice(ctypes), "prefer": rng.choice(["", "code=999", "example=nope", "dynamic=true", "code=abc"])}
        if rng.random() < 0.7:
            headers["authorization"] = rng.choice(["Bearer ok", "Bearer", "Basic !!", "Bearer \u20ac", ""])
        response = mock.handle(MockRequest(rng.choice(methods), path, query, headers, rng.choice(bodies)))
        assert response.status != 500, (path, response.body[:300])
        assert all(v.isascii() for _, v in response.headers)


def test_location_points_at_the_created_resource_when_stateless(spec: Any) -> None:
    with _client(spec, stateful=False) as client:
        created = client.post("/invoices", headers=AUTH, json={
            "customer_id": "cus_0001", "currency": "EUR", "line_items": [{"description": "x", "quantity": 1, "unit_amount": 1}]})
    assert created.status_code == 201
    assert created.headers["location"] == f"/invoices/{created.json()['id']}"


def test_xml_and_text_media_types() -> None:
    import xml.etree.ElementTree as ET

    spec = load_spec_dict({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/doc": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/xml": {"schema": {"type": "object", "required": ["a&b"], "properties": {
                "a&b": {"type": "string", "const": "<x>"}, "n": {"type": "array", "items": {"type": "integer"}}}}},
            "text/plain": {"schema": {"type": "string", "minLength": 3}}}}}}}},
    })
    with httpx.Client(transport=MockTransport(spec), base_url="http://m") as client:
        xml = client.get("/doc", headers={"Accept": "application/xml"})
        text = client.get("/doc", headers={"Accept": "text/plain"})
    assert xml.headers["content-type"] == "application/xml"
    assert ET.fromstring(xml.content).find("a_b").text == "<x>"  # type: ignore[union-attr]
    assert text.headers["content-type"].startswith("text/plain") and len(text.text) >= 3


def test_scripted_lifecycle_and_invalid_json_fault() -> None:
    job = {"type": "object", "required": ["id", "state"], "properties": {
        "id": {"type": "string"},
        "state": {"type": "string", "enum": ["a", "b", "c"]},
        "status": {"type": "string", "enum": ["queued", "running", "failed", "completed"],
                   "x-toolcheck-lifecycle": ["queued", "running", "failed"]}}}
    ok = {"description": "ok", "content": {"application/json": {"schema": job}}}
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/jobs": {"post": {"responses": {"202": ok}}},
        "/jobs/{id}": {"get": {"responses": {"200": ok}}}}})
    with httpx.Client(transport=MockTransport(spec), base_url="http://m") as client:
        created = client.post("/jobs").json()
        polls = [client.get(f"/jobs/{created['id']}").json()["status"] for _ in range(3)]
        assert [created["status"], *polls] == ["queued", "running", "failed", "failed"]
        broken = client.get(f"/jobs/{created['id']}", headers={"Prefer": "fault=invalid_json"})
        assert broken.status_code == 200
        with pytest.raises(ValueError):
            broken.json()


def test_prism_query_form_of_prefer(spec: Any) -> None:
    with _client(spec) as client:
        assert client.get("/customers", params={"q": "ada", "__code": "401"}, headers=AUTH).status_code == 401
        assert client.get("/customers", params={"q": "ada", "__fault": "503"}, headers=AUTH).status_code == 503


def test_cors_preflight_and_headers(spec: Any) -> None:
    mock = Mock(spec)
    preflight = mock.handle(MockRequest("OPTIONS", "/tasks", "", {
        "origin": "http://app.local", "access-control-request-method": "POST", "access-control-request-headers": "authorization"}))
    headers = dict(preflight.headers)
    assert preflight.status == 204 and headers["access-control-allow-origin"] == "http://app.local"
    assert headers["access-control-allow-headers"] == "authorization"
    answer = mock.handle(MockRequest("GET", "/tasks", "", {"origin": "http://app.local", "authorization": "Bearer t"}))
    assert answer.status == 200 and dict(answer.headers)["access-control-allow-origin"] == "http://app.local"


def test_stateful_lists_honour_limit_and_field_filters(spec: Any) -> None:
    with _client(spec, stateful=True) as client:
        ids = [client.post("/tasks", headers=AUTH, json={"kind": "generate_report"}).json()["task_id"] for _ in range(3)]
        client.get(f"/tasks/{ids[0]}", headers=AUTH)  # first poll: running
        page = client.get("/tasks", params={"limit": 2}, headers=AUTH).json()
        assert len(page["data"]) == 2 and page["has_more"] is True
        queued = client.get("/tasks", params={"status": "queued"}, headers=AUTH).json()["data"]
        assert sorted(t["task_id"] for t in queued) == sorted(ids[1:])


def test_memoised_answers_never_hide_state(spec: Any) -> None:
    mock = Mock(spec, stateful=True)
    headers = {"authorization": "Bearer t", "content-type": "application/json"}
    assert mock.handle(MockRequest("GET", "/tasks/task_abcdefgh1", "", headers)).status == 404  # never created
    created = mock.handle(MockRequest("POST", "/tasks", "", headers, b'{"kind": "export_invoices"}'))
    path = "/tasks/" + orjson.loads(created.body)["task_id"]
    assert mock.handle(MockRequest("GET", path, "", headers)).status == 200
    mock.handle(MockRequest("DELETE", path, "", headers))
    assert mock.handle(MockRequest("GET", path, "", headers)).status == 404


def test_accept_negotiation_and_406(spec: Any) -> None:
    with _client(spec) as client:
        assert client.get("/tasks", headers={**AUTH, "Accept": "application/json; charset=utf-8"}).status_code == 200
        assert client.get("/tasks", headers={**AUTH, "Accept": "application/problem+json, text/html;q=0.5"}).status_code == 200
        refused = client.get("/tasks", headers={**AUTH, "Accept": "text/csv"})
        assert refused.status_code == 406 and "text/csv" in refused.text


def test_invoice_total_matches_its_line_items(spec: Any) -> None:
    with _client(spec, stateful=True) as client:
        created = client.post("/invoices", headers=AUTH, json={
            "customer_id": "cus_0001", "currency": "EUR",
            "line_items": [{"description": "a", "quantity": 2, "unit_amount": 1500},
                           {"description": "b", "quantity": 1, "unit_amount": 250}]}).json()
        assert created["total"] == 3250
        generated = client.get("/invoices/inv_ABCDEFGH", headers={**AUTH, "Prefer": "code=200"}).json()  # stateless
        assert generated["total"] == sum(i["quantity"] * i["unit_amount"] for i in generated["line_items"])


def test_a_path_that_is_an_item_and_a_collection_acts_as_the_item() -> None:
    # GitHub: /gists/{gist_id} is the item of /gists and the collection of /gists/{gist_id}/{sha}.
    # Which role won depended on set order, so a DELETE was forgotten in some runs.
    from toolcheck.mock.state import infer_resources

    ok = {"description": "ok", "content": {"application/json": {"schema": {
        "type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}}}
    gone = {"description": "gone"}
    param = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    paths: dict[str, Any] = {
        "/gists": {"post": {"responses": {"201": ok}}},
        "/gists/{id}": {"parameters": param, "get": {"responses": {"200": ok, "404": gone}},
                        "delete": {"responses": {"204": {"description": "deleted"}, "404": gone}}},
        "/gists/{id}/{sha}": {"parameters": [*param, {"name": "sha", "in": "path", "required": True,
                                                      "schema": {"type": "string"}}],
                              "get": {"responses": {"200": ok}}},
    }
    spec = load_spec_dict({"openapi": "3.0.3", "info": {"title": "g", "version": "1"}, "paths": paths})
    assert infer_resources(spec)["/gists/{id}"].item == "/gists/{id}"
    mock = Mock(spec, stateful=True)
    created = mock.handle(MockRequest("POST", "/gists", "", {"content-type": "application/json"}, b"{}"))
    key = json.loads(created.body)["id"]
    assert mock.handle(MockRequest("DELETE", f"/gists/{key}", "", {}, b"")).status == 204
    assert mock.handle(MockRequest("DELETE", f"/gists/{key}", "", {}, b"")).status == 404
    assert mock.handle(MockRequest("GET", f"/gists/{key}", "", {}, b"")).status == 404


def test_stateful_items_with_a_format_suffix_belong_to_their_collection() -> None:
    # Twilio: POST /Messages.json creates, GET/DELETE /Messages/{Sid}.json act on it; the id
    # field is `sid` (the parameter is `Sid`).
    message = {"type": "object", "properties": {"sid": {"type": "string", "pattern": "^SM[0-9a-f]{8}$"},
                                                "body": {"type": "string"}}}
    ok = {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}}}
    sid = [{"name": "Sid", "in": "path", "required": True, "schema": {"type": "string"}}]
    spec = load_spec_dict({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {
            "/Messages.json": {"post": {"operationId": "create_message", "requestBody": {"content": {
                "application/json": {"schema": {"type": "object", "properties": {"body": {"type": "string"}}}}}},
                "responses": {"201": ok}}},
            "/Messages/{Sid}.json": {
                "get": {"operationId": "fetch_message", "parameters": sid,
                        "responses": {"200": ok, "404": {"description": "gone"}}},
                "delete": {"operationId": "delete_message", "parameters": sid,
                           "responses": {"204": {"description": "deleted"}, "404": {"description": "gone"}}}},
        },
        "components": {"schemas": {"Message": message}},
    })
    with _client(spec, stateful=True) as client:
        created = client.post("/Messages.json", json={"body": "hello"})
        assert created.status_code == 201
        sid_value = created.json()["sid"]
        fetched = client.get(f"/Messages/{sid_value}.json")
        assert fetched.status_code == 200 and fetched.json() == created.json()
        assert client.delete(f"/Messages/{sid_value}.json").status_code == 204
        assert client.get(f"/Messages/{sid_value}.json").status_code == 404
