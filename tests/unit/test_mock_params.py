from __future__ import annotations

import base64
from typing import Any

import pytest

from toolcheck.mock import Mock, MockRequest
from toolcheck.mock._params import validate_params
from toolcheck.mock._routing import Match, NoMatch, Router
from toolcheck.mock._security import check_security
from toolcheck.spec import load_spec_dict
from toolcheck.wire.read import parse_query


def _spec(paths: dict[str, Any], **extra: Any) -> Any:
    return load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, **extra})


INT_ARRAY = {"type": "array", "items": {"type": "integer"}}
OBJ = {"type": "object", "properties": {"r": {"type": "integer"}, "g": {"type": "integer"}}}


@pytest.fixture(scope="module")
def styled() -> Any:
    params = [
        {"name": "form", "in": "query", "schema": INT_ARRAY},
        {"name": "flat", "in": "query", "explode": False, "schema": INT_ARRAY},
        {"name": "space", "in": "query", "style": "spaceDelimited", "explode": False, "schema": INT_ARRAY},
        {"name": "pipe", "in": "query", "style": "pipeDelimited", "explode": False, "schema": INT_ARRAY},
        {"name": "deep", "in": "query", "style": "deepObject", "explode": True, "schema": OBJ},
        {"name": "X-Ids", "in": "header", "schema": INT_ARRAY},
        {"name": "session", "in": "cookie", "schema": {"type": "integer"}},
        {"name": "flag", "in": "query", "schema": {"type": "boolean"}},
        {"name": "label", "in": "path", "required": True, "style": "label", "schema": INT_ARRAY},
        {"name": "matrix", "in": "path", "required": True, "style": "matrix", "explode": True, "schema": INT_ARRAY},
    ]
    return _spec({"/s/{label}/{matrix}": {"get": {"parameters": params, "responses": {"200": {"description": "ok"}}}}})


def _read(spec: Any, path: str, query: str, headers: dict[str, str] | None = None) -> tuple[dict[str, Any], list[Any]]:
    matched = Router(spec).match("GET", path)
    assert isinstance(matched, Match)
    return validate_params(spec, matched.operation, matched.params, parse_query(query), headers or {})


def test_styles_and_explode(styled: Any) -> None:
    values, issues = _read(styled, "/s/.1,2/;matrix=3;matrix=4",
                           "form=1&form=2&flat=3,4&space=5%206&pipe=7|8&deep[r]=1&deep[g]=2&flag=true",
                           {"x-ids": "9,10", "cookie": "session=11; other=x"})
    assert issues == []
    assert values["query:form"] == [1, 2] and values["query:flat"] == [3, 4]
    assert values["query:space"] == [5, 6] and values["query:pipe"] == [7, 8]
    assert values["query:deep"] == {"r": 1, "g": 2} and values["query:flag"] is True
    assert values["header:X-Ids"] == [9, 10] and values["cookie:session"] == 11
    assert values["path:label"] == [1, 2] and values["path:matrix"] == [3, 4]


def test_type_errors_point_at_the_parameter(styled: Any) -> None:
    _, issues = _read(styled, "/s/.1/;matrix=2", "form=x&deep[r]=red&flag=yes", {"cookie": "session=abc"})
    fields = {i.field for i in issues}
    assert {"/query/form/0", "/query/deep/r", "/query/flag", "/cookies/session"} <= fields


def test_routing_prefers_literal_segments() -> None:
    ok = {"responses": {"200": {"description": "ok"}}}
    spec = _spec({"/users/me": {"get": ok}, "/users/{id}": {"get": ok, "delete": ok}, "/files/{name}.{ext}": {"get": ok}})
    router = Router(spec)
    me = router.match("GET", "/users/me")
    assert isinstance(me, Match) and me.operation.path == "/users/me"
    other = router.match("GET", "/users/42/")
    assert isinstance(other, Match) and other.params == {"id": "42"}
    encoded = router.match("GET", "/users/a%2Fb")
    assert isinstance(encoded, Match) and encoded.params == {"id": "a/b"}
    file = router.match("GET", "/files/report.pdf")
    assert isinstance(file, Match) and file.params == {"name": "report", "ext": "pdf"}
    missing = router.match("PUT", "/users/42")
    assert isinstance(missing, NoMatch) and missing.allowed == ("DELETE", "GET")


SCHEMES = {"securitySchemes": {
    "key_header": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "key_query": {"type": "apiKey", "in": "query", "name": "api_key"},
    "key_cookie": {"type": "apiKey", "in": "cookie", "name": "sid"},
    "basic": {"type": "http", "scheme": "basic"},
    "jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
}}


@pytest.mark.parametrize("scheme,good,bad", [
    ("key_header", ({"x-api-key": "k1"}, ""), ({}, "")),
    ("key_query", ({}, "api_key=k1"), ({}, "api_key=")),
    ("key_cookie", ({"cookie": "sid=k1"}, ""), ({"cookie": "other=1"}, "")),
    ("basic", ({"authorization": "Basic " + base64.b64encode(b"u:p").decode()}, ""),
     ({"authorization": "Basic " + base64.b64encode(b"nocolon").decode()}, "")),
    ("jwt", ({"authorization": "Bearer aaa.bbb.ccc"}, ""), ({"authorization": "Bearer opaque"}, "")),
])
def test_security_schemes(scheme: str, good: tuple[dict[str, str], str], bad: tuple[dict[str, str], str]) -> None:
    spec = _spec({"/x": {"get": {"security": [{scheme: []}], "responses": {"200": {"description": "ok"}}}}},
                 components=SCHEMES)
    op = spec.operations[0]
    assert check_security(spec, op, good[0], good[1]) is None
    failure = check_security(spec, op, bad[0], bad[1])
    assert failure is not None and failure.challenge


def test_security_alternatives_and_accepted_tokens() -> None:
    spec = _spec({"/x": {"get": {"security": [{"key_header": []}, {"jwt": []}],
                                 "responses": {"200": {"description": "ok"}}}}}, components=SCHEMES)
    op = spec.operations[0]
    assert check_security(spec, op, {"authorization": "Bearer a.b.c"}, "") is None
    assert check_security(spec, op, {"x-api-key": "nope"}, "", tokens={"k1"}) is not None
    assert check_security(spec, op, {"x-api-key": "k1"}, "", tokens={"k1"}) is None


def test_other_error_shapes_are_filled() -> None:
    error = {"type": "object", "required": ["message", "status"], "properties": {
        "message": {"type": "string"}, "status": {"type": "integer"},
        "errors": {"type": "array", "items": {"type": "object", "required": ["path", "msg"], "properties": {
            "path": {"type": "string"}, "msg": {"type": "string"}}}}}}
    spec = _spec({"/x": {"post": {
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}}}},
        "responses": {"200": {"description": "ok"}, "400": {"description": "bad", "content": {
            "application/json": {"schema": error}}}}}}})
    import orjson

    answer = Mock(spec).handle(MockRequest("POST", "/x", "", {"content-type": "application/json"}, b'{"n":"one"}'))
    body = orjson.loads(answer.body)
    assert answer.status == 400 and body["status"] == 400
    assert body["errors"] == [{"path": "/body/n", "msg": '"one" is not of type "integer"'}]
    assert '"one"' in body["message"]


def test_stateful_patch_merges_and_validates() -> None:
    item = {"type": "object", "required": ["id", "name"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "size": {"type": "integer", "maximum": 10}}}
    body = {"required": True, "content": {"application/json": {"schema": item}}}
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": item}}}}
    spec = _spec({"/things": {"post": {"requestBody": body, "responses": {"201": ok["200"]}}},
                  "/things/{id}": {"get": {"responses": ok}, "patch": {"requestBody": {"content": {
                      "application/json": {"schema": {"type": "object"}}}}, "responses": ok}}})
    import orjson

    mock = Mock(spec, stateful=True)
    json_headers = {"content-type": "application/json"}
    created = orjson.loads(mock.handle(MockRequest("POST", "/things", "", json_headers, b'{"id":"x","name":"a"}')).body)
    url = f"/things/{created['id']}"
    patched = mock.handle(MockRequest("PATCH", url, "", json_headers, b'{"name":"b","size":99}'))
    assert orjson.loads(patched.body)["name"] == "b"
    fetched = orjson.loads(mock.handle(MockRequest("GET", url)).body)
    assert fetched["name"] == "b" and fetched.get("size") != 99  # size=99 breaks the schema: dropped


def test_read_only_required_members_are_not_required_in_requests_and_write_only_not_echoed() -> None:
    user = {"type": "object", "required": ["id", "name"], "properties": {
        "id": {"type": "string", "readOnly": True}, "name": {"type": "string"},
        "password": {"type": "string", "writeOnly": True}}}
    spec = _spec({"/users": {"post": {
        "requestBody": {"required": True, "content": {"application/json": {"schema": user}}},
        "responses": {"201": {"description": "ok", "content": {"application/json": {"schema": user}}}}}},
        "/users/{id}": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": user}}}}}}})
    import orjson

    mock = Mock(spec, stateful=True)
    answer = mock.handle(MockRequest("POST", "/users", "", {"content-type": "application/json"},
                                     b'{"name":"Ada","password":"s3cret"}'))
    assert answer.status == 201, answer.body
    body = orjson.loads(answer.body)
    assert body["name"] == "Ada" and "password" not in body and body["id"]
    missing = mock.handle(MockRequest("POST", "/users", "", {"content-type": "application/json"}, b'{"password":"x"}'))
    assert missing.status == 400 and b"/body/name" in missing.body


def test_form_bodies_with_brackets_and_any_of_types() -> None:
    schema = {"type": "object", "additionalProperties": False, "required": ["amount"], "properties": {
        "amount": {"anyOf": [{"type": "integer"}, {"type": "string", "enum": ["now"]}]},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "items": {"type": "array", "items": {"type": "object", "required": ["price"], "additionalProperties": False,
                                             "properties": {"price": {"type": "string"}, "qty": {"type": "integer"}}}},
        "expand": {"type": "array", "items": {"type": "string"}},
        "flag": {"type": "boolean"}}}
    spec = _spec({"/v1/things": {"post": {
        "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": schema}}},
        "responses": {"200": {"description": "ok"}, "400": {"description": "bad"}}}}})
    form = {"content-type": "application/x-www-form-urlencoded"}
    mock = Mock(spec)
    good = (b"amount=823&metadata[order]=42&items[0][price]=p_1&items[0][qty]=2&items[1][price]=p_2"
            b"&expand[]=customer&expand[]=invoice&flag=true")
    assert mock.handle(MockRequest("POST", "/v1/things", "", form, good)).status == 200
    assert mock.handle(MockRequest("POST", "/v1/things", "", form, b"amount=now")).status == 200
    bad = mock.handle(MockRequest("POST", "/v1/things", "", form, b"amount=soon&items[0][qty]=x"))
    assert bad.status == 400
    assert b"/body/items/0/price" in bad.body and b"/body/items/0/qty" in bad.body


def test_server_base_paths_with_variables() -> None:
    ok = {"responses": {"200": {"description": "ok"}}}
    spec = _spec({"/ping": {"get": ok}}, servers=[{"url": "https://{region}.example.com/{version}/api",
                                                    "variables": {"region": {"default": "eu"}, "version": {"default": "v1"}}}])
    router = Router(spec)
    assert isinstance(router.match("GET", "/v7/api/ping"), Match)
    assert isinstance(router.match("GET", "/ping"), Match)
    assert isinstance(router.match("GET", "/v7/other/ping"), NoMatch)


def test_server_base_path_behind_a_templated_scheme_or_protocol_relative_url() -> None:
    # "{scheme}://host/ds-api" (OAI's USPTO example): urlsplit reads the whole URL as a path
    ok = {"responses": {"200": {"description": "ok"}}}
    spec = _spec({"/": {"get": ok}, "/{dataset}/records": {"get": ok}},
                 servers=[{"url": "{scheme}://developer.uspto.gov/ds-api",
                           "variables": {"scheme": {"enum": ["https", "http"], "default": "https"}}},
                          {"url": "//cdn.example.com/v2"}])
    router = Router(spec)
    assert isinstance(router.match("GET", "/ds-api/"), Match)
    assert isinstance(router.match("GET", "/ds-api/oa/records"), Match)
    assert isinstance(router.match("GET", "/v2/oa/records"), Match)


def test_a_static_path_with_characters_a_client_must_encode_is_routed() -> None:
    ok = {"responses": {"200": {"description": "ok"}}}
    router = Router(_spec({"/<upload_url>": {"put": ok}}))
    assert isinstance(router.match("PUT", "/%3Cupload_url%3E"), Match)
    assert isinstance(router.match("PUT", "/<upload_url>"), Match)


def test_multipart_bodies_are_validated() -> None:
    schema = {"type": "object", "required": ["file", "title"], "properties": {
        "file": {"type": "string", "format": "binary"}, "title": {"type": "string", "minLength": 2},
        "pages": {"type": "integer"}, "meta": {"type": "object", "required": ["lang"]}}}
    spec = _spec({"/upload": {"post": {
        "requestBody": {"content": {"multipart/form-data": {"schema": schema}}},
        "responses": {"201": {"description": "ok"}, "400": {"description": "bad"}}}}})
    mock = Mock(spec)
    headers = {"content-type": "multipart/form-data; boundary=XyZ"}

    def body(*parts: tuple[str, str, bytes]) -> bytes:
        out = b""
        for name, ctype, data in parts:
            out += (f'--XyZ\r\nContent-Disposition: form-data; name="{name}"; filename="a"\r\n'
                    f"Content-Type: {ctype}\r\n\r\n").encode() + data + b"\r\n"
        return out + b"--XyZ--\r\n"

    good = body(("file", "application/octet-stream", b"\x89PNG\x00\xff"), ("title", "text/plain", b"Report"),
                ("pages", "text/plain", b"12"), ("meta", "application/json", b'{"lang":"en"}'))
    assert mock.handle(MockRequest("POST", "/upload", "", headers, good)).status == 201
    bad = mock.handle(MockRequest("POST", "/upload", "", headers, body(("title", "text/plain", b"R"), ("pages", "text/plain", b"x"))))
    assert bad.status == 400
    for field in (b"/body/file", b"/body/title", b"/body/pages"):
        assert field in bad.body
    assert mock.handle(MockRequest("POST", "/upload", "", {"content-type": "multipart/form-data"}, b"junk")).status == 400


def test_single_form_value_for_an_array_field() -> None:
    schema = {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "integer"}}}}
    spec = _spec({"/f": {"post": {"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": schema}}},
                                  "responses": {"204": {"description": "ok"}}}}})
    form = {"content-type": "application/x-www-form-urlencoded"}
    assert Mock(spec).handle(MockRequest("POST", "/f", "", form, b"tags=3")).status == 204
    assert Mock(spec).handle(MockRequest("POST", "/f", "", form, b"tags=3&tags=4")).status == 204
    assert Mock(spec).handle(MockRequest("POST", "/f", "", form, b"tags=x")).status == 400


def test_stateful_post_without_a_documented_body_still_creates() -> None:
    item = {"type": "object", "required": ["id", "name"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    spec = _spec({"/notes": {"post": {"requestBody": {"content": {"application/json": {"schema": item}}},
                                      "responses": {"201": {"description": "created", "headers": {"Location": {"schema": {"type": "string"}}}}}}},
                  "/notes/{id}": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": item}}}}}}})
    import orjson

    mock = Mock(spec, stateful=True)
    created = mock.handle(MockRequest("POST", "/notes", "", {"content-type": "application/json"}, b'{"id":"ignored","name":"n1"}'))
    assert created.status == 201 and created.body == b""
    location = dict(created.headers)["location"]
    assert orjson.loads(mock.handle(MockRequest("GET", location)).body)["name"] == "n1"


def test_nested_collections_are_kept_per_parent() -> None:
    note = {"type": "object", "required": ["id", "text"], "properties": {"id": {"type": "string"}, "text": {"type": "string"}}}
    page = {"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": note}}}
    body = {"content": {"application/json": {"schema": note}}}
    spec = _spec({"/customers/{cid}/notes": {
        "post": {"requestBody": body, "responses": {"201": {"description": "ok", **body}}},
        "get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": page}}}}}},
        "/customers/{cid}/notes/{nid}": {"get": {"responses": {"200": {"description": "ok", **body}}}}})
    import orjson

    mock = Mock(spec, stateful=True)
    json_headers = {"content-type": "application/json"}
    a = mock.handle(MockRequest("POST", "/customers/A/notes", "", json_headers, b'{"id":"x","text":"for A"}'))
    mock.handle(MockRequest("POST", "/customers/B/notes", "", json_headers, b'{"id":"y","text":"for B"}'))
    listed = orjson.loads(mock.handle(MockRequest("GET", "/customers/A/notes")).body)["data"]
    assert [n["text"] for n in listed] == ["for A"]
    location = dict(a.headers)["location"]
    assert location.startswith("/customers/A/notes/")
    assert orjson.loads(mock.handle(MockRequest("GET", location)).body)["text"] == "for A"


def test_one_query_value_may_be_the_scalar_branch_of_string_or_array() -> None:
    # Discord's sku_ids: oneOf [string, array of snowflakes]; a single non-snowflake value was read
    # as a one-item array only, so a valid request got 400 (fuzz: positive_rejected).
    schema = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string", "pattern": "^[0-9]+$"}}]}
    ok = {"200": {"description": "ok"}, "400": {"description": "bad"}}
    mock = Mock(_spec({"/e": {"get": {"parameters": [{"name": "sku_ids", "in": "query", "schema": schema}],
                                      "responses": ok}}}))
    assert mock.handle(MockRequest("GET", "/e", "sku_ids=Tpx0rpmg", {}, b"")).status == 200
    assert mock.handle(MockRequest("GET", "/e", "sku_ids=1&sku_ids=2", {}, b"")).status == 200
    assert mock.handle(MockRequest("GET", "/e", "sku_ids=1&sku_ids=x", {}, b"")).status == 400
