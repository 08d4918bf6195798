"""Requests built from the spec: parameter placement and styles, bodies, every auth scheme."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qsl

import jsonschema

from toolcheck._absent import ABSENT
from toolcheck.scenarios import _http
from toolcheck.scenarios.loader import scenario_schema
from toolcheck.spec import load_spec_dict
from toolcheck.wire import Request

SPEC = load_spec_dict({
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"},
        "basic": {"type": "http", "scheme": "basic"},
        "keyQuery": {"type": "apiKey", "in": "query", "name": "api_key"},
        "keyCookie": {"type": "apiKey", "in": "cookie", "name": "sid"},
        "keyHeader": {"type": "apiKey", "in": "header", "name": "X-Key"},
    }},
    "security": [{"bearer": []}],
    "paths": {
        "/things/{thing_id}/parts/{part}": {"post": {
            "operationId": "make",
            "parameters": [
                {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "part", "in": "path", "required": True, "schema": {"type": "array", "items": {"type": "string"}}},
                {"name": "tags", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                {"name": "ids", "in": "query", "explode": False, "schema": {"type": "array", "items": {"type": "integer"}}},
                {"name": "filter", "in": "query", "style": "deepObject", "schema": {"type": "object"}},
                {"name": "meta", "in": "query", "content": {"application/json": {"schema": {"type": "object"}}}},
                {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                {"name": "session", "in": "cookie", "schema": {"type": "string"}},
            ],
            "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                                        "application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}},
        }},
        "/open": {"get": {"operationId": "open", "security": [], "responses": {"200": {"description": "ok"}}}},
        "/multi": {"get": {"operationId": "multi", "security": [{"keyQuery": [], "keyCookie": []}, {"basic": []}],
                           "responses": {"200": {"description": "ok"}}}},
    },
})


def test_parameters_go_where_the_spec_says() -> None:
    op = SPEC.operation("make")
    prepared = _http.build(SPEC, op, [
        ("thing_id", None, "a/b c"), ("part", None, ["x", "y"]), ("tags", None, ["p", "q"]), ("ids", None, [1, 2]),
        ("filter", None, {"state": "open"}), ("meta", None, {"k": 1}), ("X-Trace", None, "t-1"),
        ("session", None, "s1"), ("extra", None, "e"), ("unset", None, ABSENT),
    ], {"name": "n"}, None)
    assert prepared.path == "/things/a%2Fb%20c/parts/x,y"
    assert prepared.query == [("tags", "p"), ("tags", "q"), ("ids", "1,2"), ("filter[state]", "open"),
                              ("meta", '{"k":1}'), ("extra", "e")]
    assert prepared.headers["X-Trace"] == "t-1" and prepared.cookies == {"session": "s1"}
    assert prepared.headers["Content-Type"] == "application/json" and json.loads(prepared.content or b"") == {"name": "n"}
    assert _http.missing_path_params(prepared, op) == []
    assert prepared.undocumented == ["extra", "unset"]  # reported as a note on the step


def test_form_bodies_and_loose_names() -> None:
    op = SPEC.operation("make")
    prepared = _http.build(SPEC, op, [("thingId", "path", "t1")], {"a": "1", "b": ["x", "y"]},
                           "application/x-www-form-urlencoded")
    assert prepared.path.startswith("/things/t1/")  # `thingId` bound to `thing_id`
    assert parse_qsl((prepared.content or b"").decode()) == [("a", "1"), ("b", "x"), ("b", "y")]
    assert _http.missing_path_params(prepared, op) == ["part"]


def test_form_body_follows_the_encoding_map_and_the_mock_reads_it() -> None:
    # Stripe: `components` is a nested object with style deepObject; without honouring the
    # encoding the engine sent `account_onboarding={"enabled":false}` and the mock said 400.
    from toolcheck.mock import Mock, MockRequest

    spec = load_spec_dict({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/sessions": {"post": {
            "operationId": "create",
            "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                "encoding": {"components": {"style": "deepObject", "explode": True},
                             "expand": {"style": "deepObject", "explode": True},
                             "ids": {"style": "form", "explode": False}},
                "schema": {"type": "object", "additionalProperties": False, "required": ["components"], "properties": {
                    "components": {"type": "object", "properties": {"onboarding": {
                        "type": "object", "required": ["enabled"], "properties": {"enabled": {"type": "boolean"}}}}},
                    "expand": {"type": "array", "items": {"type": "string"}},
                    "ids": {"type": "array", "items": {"type": "integer"}}}}}}},
            "responses": {"200": {"description": "ok"}, "400": {"description": "bad"}}}}},
    })
    op = spec.operation("create")
    body = {"components": {"onboarding": {"enabled": False}}, "expand": ["a", "b"], "ids": [1, 2]}
    prepared = _http.build(spec, op, [], body, None)
    assert parse_qsl((prepared.content or b"").decode()) == [
        ("components[onboarding][enabled]", "false"), ("expand[0]", "a"), ("expand[1]", "b"), ("ids", "1,2")]
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    answer = Mock(spec).handle(MockRequest("POST", "/sessions", "", headers, prepared.content or b""))
    assert answer.status == 200, answer.body


def test_multipart_body_is_sent_as_parts_the_mock_reads() -> None:
    # It was sent as JSON under a multipart content type (no boundary): every upload step got 400.
    from toolcheck.mock import Mock, MockRequest

    spec = load_spec_dict({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/files": {"post": {
            "operationId": "upload",
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file", "purpose"], "properties": {
                    "file": {"type": "string", "format": "binary"}, "purpose": {"type": "string", "enum": ["a", "b"]},
                    "meta": {"type": "object", "properties": {"n": {"type": "integer"}}}}}}}},
            "responses": {"200": {"description": "ok"}, "400": {"description": "bad"}}}}},
    })
    prepared = _http.build(spec, spec.operation("upload"), [], {"file": "hello", "purpose": "a", "meta": {"n": 1}},
                           "multipart/form-data")
    assert prepared.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="meta"\r\nContent-Type: application/json\r\n\r\n{"n":1}' in (prepared.content or b"")
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    answer = Mock(spec).handle(MockRequest("POST", "/files", "", headers, prepared.content or b""))
    assert answer.status == 200, answer.body


def test_every_scheme_carries_its_credential() -> None:
    op = SPEC.operation("make")
    bearer = _http.build(SPEC, op, [], ABSENT, None)
    assert _http.apply_auth(bearer, SPEC, op, "default", {"bearer": "tok-1"}) is None
    assert bearer.headers["Authorization"] == "Bearer tok-1"
    multi = SPEC.operation("multi")
    keys = _http.build(SPEC, multi, [], ABSENT, None)
    _http.apply_auth(keys, SPEC, multi, "default", {"keyQuery": "kq", "keyCookie": "kc"})
    assert ("api_key", "kq") in keys.query and keys.cookies == {"sid": "kc"}
    basic = _http.build(SPEC, multi, [], ABSENT, None)
    _http.apply_auth(basic, SPEC, multi, "default", {"basic": {"username": "ada", "password": "pw"}})
    assert basic.headers["Authorization"] == "Basic " + base64.b64encode(b"ada:pw").decode()
    none = _http.build(SPEC, multi, [], ABSENT, None)
    note = _http.apply_auth(none, SPEC, multi, "default", {})
    assert note and "keyQuery + keyCookie or basic" in note and "Authorization" not in none.headers
    invalid = _http.build(SPEC, op, [], ABSENT, None)
    _http.apply_auth(invalid, SPEC, op, "invalid", {"bearer": "tok-1"})
    assert invalid.headers["Authorization"] == f"Bearer {_http.INVALID_TOKEN}"
    stripped = _http.build(SPEC, op, [], ABSENT, None)
    _http.apply_auth(stripped, SPEC, op, "none", {"bearer": "tok-1"})
    assert "Authorization" not in stripped.headers
    placeholder = _http.build(SPEC, op, [], ABSENT, None)
    assert "placeholder" in (_http.apply_auth(placeholder, SPEC, op, "default", {}, placeholder=True) or "")
    from toolcheck.wire.auth import jwt_claims  # the wire's placeholder: JWT-shaped, naming its subject

    assert jwt_claims(placeholder.headers["Authorization"].removeprefix("Bearer ")) == {"sub": "toolcheck"}
    open_op = SPEC.operation("open")
    public = _http.build(SPEC, open_op, [], ABSENT, None)
    assert _http.apply_auth(public, SPEC, open_op, "default", {"bearer": "tok-1"}) is None and not public.headers


def test_curl_and_replacements() -> None:
    request = Request("POST", "/x", query=[("a", "1")], headers={"X-A": "it's"}, content=b'{"a": 1}')
    line = _http.curl(request, "http://h")
    assert line.startswith("curl -sS -X POST 'http://h/x?a=1'") and "--data-binary" in line and "'\"'\"'" in line
    assert _http.replace_at({"a": {"b": 1}, "c": [1, 2]}, "/a/b", 5) == {"a": {"b": 5}, "c": [1, 2]}
    assert _http.replace_at({"c": [1, 2]}, "/c/1", 9) == {"c": [1, 9]}


def test_the_shipped_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(scenario_schema())


def test_aws_style_path_keys_go_in_the_query_and_route_in_the_mock() -> None:
    # S3's UploadPartCopy is keyed "/{Bucket}/{Key}#x-amz-copy-source&partNumber&uploadId": the
    # '#' went into the URL, httpx cut the query off as a fragment, and the mock routed to PutObject.
    from toolcheck.mock import Mock, MockRequest

    key = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in ("Bucket", "Key")]
    part = [{"name": "partNumber", "in": "query", "required": True, "schema": {"type": "integer"}},
            {"name": "uploadId", "in": "query", "required": True, "schema": {"type": "string"}}]
    body = {"required": True, "content": {"application/octet-stream": {"schema": {"type": "string"}}}}
    ok = {"200": {"description": "ok"}}
    spec = load_spec_dict({"openapi": "3.0.0", "info": {"title": "s3", "version": "1"}, "paths": {
        "/{Bucket}/{Key}": {"put": {"operationId": "PutObject", "parameters": key, "requestBody": body, "responses": ok}},
        "/{Bucket}/{Key}#partNumber&uploadId": {"put": {
            "operationId": "UploadPart", "parameters": key + part, "requestBody": body, "responses": ok}},
        "/{Bucket}/{Key}#x-amz-copy-source&partNumber&uploadId": {"put": {
            "operationId": "UploadPartCopy", "responses": ok, "parameters": key + part + [
                {"name": "x-amz-copy-source", "in": "header", "required": True, "schema": {"type": "string"}}]}},
        "/?Action=List": {"get": {"operationId": "List", "responses": ok}},
    }})
    prepared = _http.build(spec, spec.operation("UploadPartCopy"), [
        ("Bucket", None, "b"), ("Key", None, "k"), ("partNumber", None, 2), ("uploadId", None, "u"),
        ("x-amz-copy-source", None, "/src/obj")], ABSENT, None)
    assert prepared.path == "/b/k"
    assert prepared.target() == "/b/k?x-amz-copy-source&partNumber=2&uploadId=u"
    query = prepared.target().partition("?")[2]
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    assert Mock(spec).handle(MockRequest("PUT", prepared.path, query, headers, b"")).operation == "UploadPartCopy"
    listing = _http.build(spec, spec.operation("List"), [], ABSENT, None)
    assert listing.target() == "/?Action=List"


def test_nested_deep_object_query_parameter_uses_brackets() -> None:
    from toolcheck.wire.params import deep_pairs

    assert deep_pairs("st", {"posted_at": {"gte": 1}, "ids": [1, 2]}) == [
        ("st[posted_at][gte]", "1"), ("st[ids][0]", "1"), ("st[ids][1]", "2")]
