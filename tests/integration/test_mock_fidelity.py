"""Mock fidelity (issue 16) and the mock's bounds on hostile input (issue 12), over a real socket.

Each test serves a small spec written for the defect on uvicorn (127.0.0.1, port 0) and sends the
one request that showed it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from toolcheck.mock.responder import Mock
from toolcheck.mock.server import MockApp, MockHolder, start_in_thread
from toolcheck.spec import load_spec_dict


def _doc(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


@contextlib.contextmanager
def serve(doc: dict[str, Any], **options: Any) -> Iterator[httpx.Client]:
    running = start_in_thread(MockApp(MockHolder(Mock(load_spec_dict(doc), **options))))
    try:
        with httpx.Client(base_url=running.url, timeout=10) as client:
            yield client
    finally:
        running.stop()


def _json(schema: Any, description: str = "ok") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


THING = {"type": "object", "required": ["id", "name"],
         "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}


# 1. Accept q-values (RFC 9110 §12.4.2, §12.5.1) ------------------------------------------------
def test_accept_q_values_are_honoured() -> None:
    both = {"description": "ok", "content": {"application/json": {"schema": THING},
                                             "application/xml": {"schema": THING}}}
    with serve(_doc({"/t": {"get": {"responses": {"200": both}}}})) as client:
        xml = client.get("/t", headers={"accept": "application/json;q=0, application/xml;q=0.5"})
        assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
        preferred = client.get("/t", headers={"accept": "application/json;q=0.2, application/xml"})
        assert preferred.headers["content-type"].startswith("application/xml")
        refused = client.get("/t", headers={"accept": "application/json;q=0, application/xml;q=0"})
        assert refused.status_code == 406
        wildcard_but_not_json = client.get("/t", headers={"accept": "*/*, application/json;q=0"})
        assert wildcard_but_not_json.headers["content-type"].startswith("application/xml")


# 2. Only 4XX/5XX ranges documented ----------------------------------------------------------------
def test_operation_with_only_error_ranges_answers_a_documented_status() -> None:
    error = _json({"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}})
    with serve(_doc({"/t": {"get": {"responses": {"4XX": error, "5XX": error}}}})) as client:
        response = client.get("/t")
        assert 400 <= response.status_code < 500, response.status_code
        assert response.headers["content-type"] == "application/json"
        assert isinstance(response.json()["message"], str)


# 3. Error bodies in the operation's media types ---------------------------------------------------
def test_swagger2_errors_use_the_produced_media_type() -> None:
    doc = {"swagger": "2.0", "info": {"title": "t", "version": "1"},
           "produces": ["application/json", "application/yaml"],
           "paths": {"/t": {"get": {"parameters": [{"name": "limit", "in": "query", "type": "integer"}],
                                    "responses": {"200": {"description": "ok", "schema": THING},
                                                  "401": {"description": "Unauthorized"}}}}}}
    with serve(doc) as client:
        response = client.get("/t", params={"limit": "ten"})
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/json"
        assert "limit" in response.text


def test_errors_use_a_documented_json_type_without_schema() -> None:
    doc = _doc({"/t": {"get": {"parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                               "responses": {"200": _json(THING),
                                             "400": {"description": "bad", "content": {"application/json": {}}}}}}})
    with serve(doc) as client:
        response = client.get("/t", params={"limit": "ten"})
        assert response.status_code == 400 and response.headers["content-type"] == "application/json"
        assert "limit" in response.text


# 4. Object query parameters, form/explode ----------------------------------------------------------
def test_exploded_object_query_parameter_is_read() -> None:
    pagination = {"name": "pagination", "in": "query", "required": True,
                  "schema": {"type": "object", "properties": {"offset": {"type": "integer"},
                                                              "limit": {"type": "integer", "maximum": 100}}}}
    with serve(_doc({"/t": {"get": {"parameters": [pagination], "responses": {"200": _json(THING)}}}})) as client:
        assert client.get("/t", params={"offset": "1", "limit": "50"}).status_code == 200
        too_many = client.get("/t", params={"offset": "1", "limit": "123"})
        assert too_many.status_code == 400 and "limit" in too_many.text
        assert client.get("/t").status_code == 400


# 5. Unsatisfiable response schema -------------------------------------------------------------------
def test_unsatisfiable_response_schema_is_said_not_hidden() -> None:
    impossible = {"type": "object", "required": ["n"],
                  "properties": {"n": {"type": "integer", "minimum": 10, "maximum": 1}}}
    with serve(_doc({"/t": {"get": {"responses": {"200": _json(impossible)}}}})) as client:
        response = client.get("/t")
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        assert "cannot" in response.json()["detail"] and "200" in response.json()["detail"]


# 6, 7. allowEmptyValue -------------------------------------------------------------------------------
def test_empty_values_need_allow_empty_value() -> None:
    params = [{"name": "q", "in": "query", "schema": {"type": "string"}},
              {"name": "opt_pretty", "in": "query", "allowEmptyValue": True, "schema": {"type": "boolean"}}]
    with serve(_doc({"/t": {"get": {"parameters": params, "responses": {"200": _json(THING)}}}})) as client:
        assert client.get("/t?q=").status_code == 400
        assert client.get("/t?opt_pretty=").status_code == 200
        assert client.get("/t?q=x&opt_pretty=true").status_code == 200


def test_swagger2_form_fields_need_allow_empty_value() -> None:
    doc = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "consumes": ["application/x-www-form-urlencoded"],
           "paths": {"/t": {"post": {"parameters": [
               {"name": "name", "in": "formData", "type": "string"},
               {"name": "note", "in": "formData", "type": "string", "allowEmptyValue": True}],
               "responses": {"200": {"description": "ok"}}}}}}
    form = {"content-type": "application/x-www-form-urlencoded"}
    with serve(doc) as client:
        assert client.post("/t", content=b"name=", headers=form).status_code == 400
        assert client.post("/t", content=b"name=a&note=", headers=form).status_code == 200


# 8. Formats, the same everywhere; no example that breaks its own formats ----------------------------
@pytest.mark.parametrize("fmt,bad,good", [
    ("date-time", "yesterday", "2024-01-02T03:04:05Z"),
    ("time", "25:99", "03:04:05Z"),
    ("uri", "not a uri", "https://example.com/x"),
    ("int32", "2147483648", "2147483647"),
    ("int64", "9223372036854775808", "-9223372036854775808"),
])
def test_formats_are_checked(fmt: str, bad: str, good: str) -> None:
    kind = "integer" if fmt.startswith("int") else "string"
    param = {"name": "v", "in": "query", "required": True, "schema": {"type": kind, "format": fmt}}
    with serve(_doc({"/t": {"get": {"parameters": [param], "responses": {"200": _json(THING)}}}})) as client:
        assert client.get("/t", params={"v": bad}).status_code == 400
        assert client.get("/t", params={"v": good}).status_code == 200


def test_example_breaking_its_format_is_not_served() -> None:
    schema = {"type": "object", "required": ["url"], "properties": {"url": {"type": "string", "format": "uri"}}}
    response = {"description": "ok", "content": {"application/json": {
        "schema": schema, "example": {"url": "https://example.com/a b"}}}}
    mock = Mock(load_spec_dict(_doc({"/t": {"get": {"responses": {"200": response}}}})))
    running = start_in_thread(MockApp(MockHolder(mock)))
    try:
        answer = httpx.get(running.url + "/t", timeout=10)
    finally:
        running.stop()
    assert answer.status_code == 200 and " " not in answer.json()["url"]
    assert any("format" in p or "uri" in p for p in mock.problems), mock.problems


# 9. Integers beyond 64 bits in stateful mode -------------------------------------------------------
def test_stateful_create_with_a_huge_integer() -> None:
    item = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "n": {"type": "integer"}}}
    doc = _doc({"/things": {"post": {"requestBody": {"content": {"application/json": {"schema": item}}},
                                     "responses": {"201": _json(item)}}},
                "/things/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": True,
                                                          "schema": {"type": "string"}}],
                                         "responses": {"200": _json(item), "404": {"description": "no"}}}}})
    with serve(doc, stateful=True) as client:
        created = client.post("/things", content=b'{"id":"a","n":123456789012345678901234567890}',
                              headers={"content-type": "application/json"})
        assert created.status_code == 201, created.text
        assert b"123456789012345678901234567890" in created.content
        again = client.get(f"/things/{created.json()['id']}")
        assert again.status_code == 200 and again.json()["n"] == 123456789012345678901234567890


# 10. YAML request bodies ----------------------------------------------------------------------------
def test_yaml_request_bodies_are_parsed_and_validated() -> None:
    body = {"content": {"application/apply-patch+yaml": {"schema": THING}}, "required": True}
    doc = _doc({"/t": {"patch": {"requestBody": body, "responses": {"200": _json(THING)}}}})
    yaml = {"content-type": "application/apply-patch+yaml"}
    with serve(doc) as client:
        assert client.patch("/t", content=b"id: a\nname: b\n", headers=yaml).status_code == 200
        missing = client.patch("/t", content=b"id: a\n", headers=yaml)
        assert missing.status_code == 400 and "name" in missing.text
        assert client.patch("/t", content=b"id: [unclosed\n", headers=yaml).status_code == 400
        bomb = b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" \
               b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        assert client.patch("/t", content=bomb, headers=yaml).status_code == 400


# 11. Free-form detail items carry every violation ---------------------------------------------------
def test_free_form_details_carry_every_violation() -> None:
    error = {"type": "object", "required": ["message", "details"],
             "properties": {"message": {"type": "string"},
                            "details": {"type": "array", "items": {"type": "object"}}}}
    params = [{"name": n, "in": "query", "required": True, "schema": {"type": "integer"}} for n in ("a", "b", "c")]
    doc = _doc({"/t": {"get": {"parameters": params, "responses": {"200": _json(THING), "400": _json(error)}}}})
    with serve(doc) as client:
        body = client.get("/t", params={"a": "x", "b": "y", "c": "z"}).json()
    assert len(body["details"]) == 3 and all(d for d in body["details"])
    assert {d["pointer"] for d in body["details"]} == {"/query/a", "/query/b", "/query/c"}
    assert all(name in body["message"] for name in ("'a'", "'b'", "'c'"))


# 12. Auth failures answered with a documented status ------------------------------------------------
def test_auth_failure_uses_a_documented_status() -> None:
    security = {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}}
    forbidden = _json({"type": "object", "properties": {"message": {"type": "string"}}})
    doc = _doc({"/a": {"get": {"responses": {"200": _json(THING), "403": forbidden}}},
                "/b": {"get": {"responses": {"200": _json(THING), "default": forbidden}}},
                "/c": {"get": {"responses": {"200": _json(THING)}}},
                "/d": {"get": {"responses": {"200": _json(THING), "403": forbidden, "default": forbidden}}}},
               components=security, security=[{"key": []}])
    with serve(doc) as client:
        assert client.get("/a").status_code == 403
        answered = client.get("/b")
        assert answered.status_code == 401 and "www-authenticate" in answered.headers
        assert client.get("/c").status_code == 401  # nothing documented: the protocol's own status
        assert client.get("/d").status_code == 403  # the explicit 403 over the catch-all
        assert client.get("/a", headers={"x-key": "k"}).status_code == 200


# 13. Stateful: never-created ids, enveloped creates -------------------------------------------------
def test_stateful_unknown_ids_and_enveloped_creates() -> None:
    wrapped = {"type": "object", "required": ["data"], "properties": {"data": THING}}
    get_one = {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
               "responses": {"200": _json(wrapped), "404": _json({"type": "object"}, "not found")}}
    doc = _doc({"/things": {"post": {"requestBody": {"content": {"application/json": {"schema": wrapped}}},
                                     "responses": {"201": _json(wrapped)}}},
                "/things/{id}": {"get": get_one}})
    with serve(doc, stateful=True) as client:
        assert client.get("/things/never-made").status_code == 404
        created = client.post("/things", json={"data": {"id": "x", "name": "Ada"}})
        assert created.status_code == 201
        made = created.json()["data"]
        fetched = client.get(f"/things/{made['id']}")
        assert fetched.status_code == 200 and fetched.json()["data"] == made
        assert made["name"] == "Ada"


# Issue 12 (mock, Low) ---------------------------------------------------------------------------------
def test_huge_headers_are_refused() -> None:
    with serve(_doc({"/t": {"get": {"responses": {"200": _json(THING)}}}})) as client:
        port = int(str(client.base_url).rsplit(":", 1)[1].strip("/"))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /t HTTP/1.1\r\nHost: x\r\n")
            answer = b""
            try:
                for _ in range(2048):  # up to 64 MB of headers, stop at the first answer
                    sock.sendall(b"X-Pad: " + b"a" * 32 * 1024 + b"\r\n")
            except OSError:
                pass
            with contextlib.suppress(OSError):
                answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 431"), answer[:100]
        assert client.get("/t").status_code == 200


def test_stateful_store_is_bounded() -> None:
    from toolcheck.mock.state import MAX_STORED

    item = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    doc = _doc({"/things": {"post": {"responses": {"201": _json(item)}}, "get": {"responses": {"200": _json(
        {"type": "array", "items": item})}}},
        "/things/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": True,
                                                 "schema": {"type": "string"}}],
                                 "responses": {"200": _json(item), "404": {"description": "no"}}}}})
    mock = Mock(load_spec_dict(doc), stateful=True)
    running = start_in_thread(MockApp(MockHolder(mock)))
    try:
        with httpx.Client(base_url=running.url, timeout=10) as client:
            first = client.post("/things").json()["id"]
            for _ in range(MAX_STORED + 5):
                mock.handle(__import__("toolcheck.mock.responder", fromlist=["MockRequest"]).MockRequest("POST", "/things"))
            assert sum(len(v) for v in mock.store.items.values()) <= MAX_STORED
            assert client.get(f"/things/{first}").status_code == 404  # the oldest went first
    finally:
        running.stop()


def test_catastrophic_pattern_does_not_stall_other_clients() -> None:
    param = {"name": "v", "in": "query", "required": True, "schema": {"type": "string", "pattern": "^(a+)+$"}}
    with serve(_doc({"/t": {"get": {"parameters": [param], "responses": {"200": _json(THING)}}}})) as client:
        hostile = "a" * 40 + "!"
        result: dict[str, int] = {}
        worker = threading.Thread(target=lambda: result.setdefault("status", client.get("/t", params={"v": hostile}).status_code))
        started = time.monotonic()
        worker.start()
        worker.join(timeout=60)
        assert not worker.is_alive()
        assert result["status"] == 400
        assert client.get("/t", params={"v": "aaa"}).status_code == 200
        assert time.monotonic() - started < 60  # a bound for the hang, not a speed target


def test_proxy_never_leaves_the_upstream_base_path() -> None:
    from toolcheck.mock.proxy import ValidationProxy

    seen: list[str] = []

    async def upstream(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        seen.append(scope.get("raw_path", b"").decode())
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b"{}"})

    backend = start_in_thread(upstream)
    spec = load_spec_dict(_doc({"/t": {"get": {"responses": {"200": _json({"type": "object"})}}}}))
    proxy = ValidationProxy(spec, backend.url + "/api/v1")
    front = start_in_thread(MockApp(MockHolder(Mock(spec)), handler=proxy))
    try:
        for raw in (b"/../../admin", b"/%2e%2e/%2E%2E/admin", b"/t/../../../admin"):
            with socket.create_connection(("127.0.0.1", front.port), timeout=10) as sock:
                sock.sendall(b"GET " + raw + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
        assert httpx.get(front.url + "/t", timeout=10).status_code == 200
        assert seen and all(p.startswith("/api/v1/") for p in seen), seen
    finally:
        front.stop()
        backend.stop()
