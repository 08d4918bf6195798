"""The mock keeps the contract of the spec it mocks: what ``toolcheck fuzz --mock`` found.

Each test is a regression test for one finding: an undocumented status where a documented one
fits, error bodies and headers that break the documented response, AWS path keys with
``#fragment``/``?query`` suffixes, and form/deepObject values read by their schema.
"""

from __future__ import annotations

from typing import Any

import orjson

from toolcheck.checks.conformance import check_response
from toolcheck.mock import Mock, MockRequest
from toolcheck.spec import load_spec_dict

ERROR = {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}


def _json(schema: Any, description: str = "x") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _spec(paths: dict[str, Any], **extra: Any) -> Any:
    return load_spec_dict({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, **extra})


def _ok() -> dict[str, Any]:
    return _json({"type": "object", "properties": {"id": {"type": "string"}}})


ITEM = {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^it_[a-z]{4}$"}}
BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}}}}


def _conforms(spec: Any, answer: Any, key: str) -> None:
    op = spec.operation(key)
    assert check_response(spec, op, answer.status, dict(answer.headers), raw=answer.body) == [], answer.body


def test_a_malformed_path_id_gets_the_documented_404_when_400_is_not_documented() -> None:
    spec = _spec({"/items/{id}": {"get": {"parameters": [ITEM], "responses": {
        "200": _ok(), "401": _json(ERROR), "404": _json(ERROR)}}}})
    answer = Mock(spec).handle(MockRequest("GET", "/items/NOT-AN-ID"))
    assert answer.status == 404
    assert "does not match" in orjson.loads(answer.body)["message"]
    _conforms(spec, answer, "GET /items/{id}")
    assert Mock(spec).handle(MockRequest("GET", "/items/it_abcd")).status == 200


def test_a_malformed_path_id_still_gets_400_when_400_is_documented() -> None:
    spec = _spec({"/items/{id}": {"get": {"parameters": [ITEM], "responses": {
        "200": _ok(), "400": _json(ERROR), "404": _json(ERROR)}}}})
    assert Mock(spec).handle(MockRequest("GET", "/items/NOT-AN-ID")).status == 400


def test_a_bad_body_gets_whichever_of_400_or_422_is_documented() -> None:
    for documented, expected in (("400", 400), ("422", 422)):
        spec = _spec({"/items": {"post": {"requestBody": BODY, "responses": {
            "201": _ok(), documented: _json(ERROR), "404": _json(ERROR)}}}})
        mock = Mock(spec)
        bad = mock.handle(MockRequest("POST", "/items", headers={"content-type": "application/json"}, body=b'{"n": "x"}'))
        assert bad.status == expected
        _conforms(spec, bad, "POST /items")
        # a query parameter breaking its schema is the same kind of rejection
        spec_q = _spec({"/items": {"get": {"parameters": [
            {"name": "limit", "in": "query", "schema": {"type": "integer"}}], "responses": {
            "200": _ok(), documented: _json(ERROR)}}}})
        assert Mock(spec_q).handle(MockRequest("GET", "/items", "limit=ten")).status == expected


def test_ranges_and_default_cover_the_nominal_status_and_otherwise_400_is_problem_details() -> None:
    for key in ("4XX", "default"):
        spec = _spec({"/items/{id}": {"get": {"parameters": [ITEM], "responses": {"200": _ok(), key: _json(ERROR)}}}})
        answer = Mock(spec).handle(MockRequest("GET", "/items/bad"))
        assert answer.status == 400
        _conforms(spec, answer, "GET /items/{id}")
    spec = _spec({"/items/{id}": {"get": {"parameters": [ITEM], "responses": {"200": _ok()}}}})
    answer = Mock(spec).handle(MockRequest("GET", "/items/bad"))
    assert answer.status == 400
    # RFC 9457 members, in the JSON type the operation declares (a client checks Content-Type
    # against the spec): issue 16, defect 3
    assert dict(answer.headers)["content-type"] == "application/json"
    assert orjson.loads(answer.body)["status"] == 400


def test_non_http_error_statuses_are_picked_by_their_description() -> None:
    # The AWS specs in APIs.guru document their exceptions as 480, 481 ... with the name as description.
    spec = _spec({"/functions/{id}": {"post": {"parameters": [ITEM], "requestBody": BODY, "responses": {
        "201": _ok(), "480": _json(ERROR, "ServiceException"), "481": _json(ERROR, "ResourceNotFoundException"),
        "483": _json(ERROR, "InvalidParameterValueException")}}}})
    mock = Mock(spec, stateful=True)
    bad = mock.handle(MockRequest("POST", "/functions/it_abcd", headers={"content-type": "application/json"}, body=b"{}"))
    assert bad.status == 483
    _conforms(spec, bad, "POST /functions/{id}")
    assert mock.handle(MockRequest("POST", "/functions/x", headers={"content-type": "application/json"},
                                   body=b'{"n": 1}')).status == 483
    s3 = _spec({"/{Key}": {"get": {"parameters": [{**ITEM, "name": "Key"}], "responses": {
        "200": _ok(), "480": _json(ERROR, "NoSuchKey")}}}})
    assert Mock(s3).handle(MockRequest("GET", "/bad-key")).status == 480


def test_missing_credentials_get_403_when_only_403_is_documented() -> None:
    security = {"components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
                "security": [{"bearer": []}]}
    spec = _spec({"/items": {"get": {"responses": {"200": _ok(), "403": _json(ERROR)}}}}, **security)
    answer = Mock(spec).handle(MockRequest("GET", "/items"))
    assert answer.status == 403
    _conforms(spec, answer, "GET /items")
    spec = _spec({"/items": {"get": {"responses": {"200": _ok(), "403": _json(ERROR), "default": _json(ERROR)}}}},
                 **security)
    answer = Mock(spec).handle(MockRequest("GET", "/items"))
    assert answer.status == 403  # the explicit 403 over the catch-all (issue 16, defect 12)
    spec = _spec({"/items": {"get": {"responses": {"200": _ok(), "default": _json(ERROR)}}}}, **security)
    answer = Mock(spec).handle(MockRequest("GET", "/items"))
    assert answer.status == 401 and dict(answer.headers)["www-authenticate"].startswith("Bearer")


def _named(op_id: str, *params: dict[str, Any]) -> dict[str, Any]:
    return {"operationId": op_id, "parameters": list(params), "responses": {"200": _json({"type": "string"})}}


def _p(name: str, where: str = "path", required: bool = True) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "schema": {"type": "string"}}


def test_aws_fragment_path_keys_route_by_the_query_and_literal_query_parts_must_match() -> None:
    spec = _spec({
        "/{Bucket}": {"get": _named("ListObjects", _p("Bucket"))},
        "/{Bucket}#cors": {"get": _named("GetBucketCors", _p("Bucket"))},
        "/{Bucket}#list-type=2": {"get": _named("ListObjectsV2", _p("Bucket"))},
        "/{Bucket}#analytics&id": {"get": _named("GetAnalytics", _p("Bucket"), _p("id", "query"))},
        "/{Bucket}/{Key}#uploadId": {"post": _named("CompleteUpload", _p("Bucket"), _p("Key"), _p("uploadId", "query"))},
        "/{Bucket}/{Key}#uploads": {"post": _named("CreateUpload", _p("Bucket"), _p("Key"))},
        "/?Action=ListUsers": {"get": _named("ListUsers")},
        "/?Action=GetUser": {"get": _named("GetUser")},
    })
    mock = Mock(spec)

    def routed(method: str, path: str, query: str = "") -> tuple[int, str | None]:
        answer = mock.handle(MockRequest(method, path, query))
        return answer.status, answer.operation

    assert routed("GET", "/bucket") == (200, "ListObjects")
    assert routed("GET", "/bucket", "cors") == (200, "GetBucketCors")
    assert routed("GET", "/bucket", "list-type=2") == (200, "ListObjectsV2")
    assert routed("GET", "/bucket", "analytics&id=7") == (200, "GetAnalytics")
    assert routed("POST", "/bucket/key", "uploadId=u1") == (200, "CompleteUpload")
    assert routed("POST", "/bucket/key", "uploads") == (200, "CreateUpload")
    # The fragment is only a hint: without it the POST is still routed (no 405), and then validated.
    assert routed("POST", "/bucket/key")[1] in ("CompleteUpload", "CreateUpload")
    assert routed("GET", "/", "Action=GetUser") == (200, "GetUser")
    assert routed("GET", "/", "Action=ListUsers&MaxItems=2") == (200, "ListUsers")
    assert routed("GET", "/", "Action=Nothing") == (404, None)  # not a 405 whose Allow names GET


def test_fragment_keys_do_not_disturb_ordinary_routing() -> None:
    spec = _spec({"/users/{id}": {"get": _named("GetUser", _p("id"))}, "/users/me": {"get": _named("Me")},
                  "/functions/{Name}/concurrency#Qualifier": {"delete": _named("DeleteConcurrency", _p("Name"))}})
    mock = Mock(spec)
    assert mock.handle(MockRequest("GET", "/users/me")).operation == "Me"
    assert mock.handle(MockRequest("GET", "/users/42")).operation == "GetUser"
    answer = mock.handle(MockRequest("DELETE", "/functions/f/concurrency", "Qualifier=1"))
    assert (answer.status, answer.operation) == (200, "DeleteConcurrency")
    assert mock.handle(MockRequest("DELETE", "/functions/f/concurrency")).operation == "DeleteConcurrency"


RANGE = {"anyOf": [{"type": "object", "title": "range_query_specs", "properties": {
    "gt": {"type": "integer"}, "gte": {"type": "integer"}, "lt": {"type": "integer"}}}, {"type": "integer"}]}


def _stripe_like() -> Any:
    deep = {"style": "deepObject", "explode": True}
    form = {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "properties": {"expand": {"type": "array", "items": {"type": "string"}},
                                         "balance": {"type": "integer"},
                                         "settings": {"type": "object", "properties": {"days": {"type": "integer"}}}}}}}}
    return _spec({"/v1/charges": {
        "get": {"operationId": "list", "parameters": [
            {"name": "created", "in": "query", "schema": RANGE, **deep},
            {"name": "expand", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, **deep}],
            "responses": {"200": _json({"type": "object"}), "400": _json(ERROR)}},
        "post": {"operationId": "create", "requestBody": form,
                 "responses": {"200": _json({"type": "object"}), "400": _json(ERROR)}}}})


def test_deep_object_leaves_are_read_by_their_schema_and_non_integers_are_rejected() -> None:
    from toolcheck.mock._params import validate_params

    spec = _stripe_like()
    op = spec.operation("GET /v1/charges")

    def read(query: list[tuple[str, str]]) -> tuple[dict[str, Any], list[Any]]:
        return validate_params(spec, op, {}, query, {})

    values, issues = read([("created[gte]", "5"), ("created[lt]", "9")])
    assert issues == [] and values["query:created"] == {"gte": 5, "lt": 9}
    values, issues = read([("created", "537")])
    assert issues == [] and values["query:created"] == 537
    assert read([("created", "537.5")])[1], "537.5 is not an integer"
    assert read([("created[gte]", "5.5")])[1]
    values, issues = read([("expand[]", "a"), ("expand[]", "b")])
    assert issues == [] and values["query:expand"] == ["a", "b"]
    values, issues = read([("expand", "a")])
    assert issues == [] and values["query:expand"] == ["a"]
    mock = Mock(spec)
    assert mock.handle(MockRequest("GET", "/v1/charges", "created%5Bgte%5D=5")).status == 200
    assert mock.handle(MockRequest("GET", "/v1/charges", "created=537.5")).status == 400


def test_form_bodies_read_a_single_value_as_an_array_of_one_and_nested_integers() -> None:
    spec = _stripe_like()
    mock = Mock(spec)
    form = {"content-type": "application/x-www-form-urlencoded"}
    for body in (b"expand=a", b"expand[]=a&expand[]=b", b"balance=12&settings[days]=3"):
        assert mock.handle(MockRequest("POST", "/v1/charges", headers=form, body=body)).status == 200, body
    for body in (b"balance=12.5", b"settings[days]=x"):
        assert mock.handle(MockRequest("POST", "/v1/charges", headers=form, body=body)).status == 400, body


def test_a_created_id_is_readable_back_through_the_item_path_parameter() -> None:
    # HubSpot webhooks: the body's id is a string, the item path's {subscriptionId} an int32.
    item = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    spec = _spec({
        "/subs": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                           "responses": {"201": _json(item)}}},
        "/subs/{subscriptionId}": {"get": {"parameters": [
            {"name": "subscriptionId", "in": "path", "required": True, "schema": {"type": "integer", "format": "int32"}}],
            "responses": {"200": _json(item), "404": _json(ERROR)}}},
    })
    mock = Mock(spec, stateful=True)
    for _ in range(5):
        created = mock.handle(MockRequest("POST", "/subs", headers={"content-type": "application/json"}, body=b"{}"))
        assert created.status == 201
        ident = orjson.loads(created.body)["id"]
        assert isinstance(ident, str) and ident.lstrip("-").isdigit()
        read = mock.handle(MockRequest("GET", f"/subs/{ident}"))
        assert read.status == 200 and orjson.loads(read.body)["id"] == ident
        assert dict(created.headers)["location"] == f"/subs/{ident}"


def test_a_repeated_delete_is_idempotent_when_the_spec_documents_no_404() -> None:
    item = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    idp = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    body = {"content": {"application/json": {"schema": {"type": "object"}}}}
    spec = _spec({
        "/hooks": {"post": {"requestBody": body, "responses": {"201": _json(item)}}},
        "/hooks/{id}": {"parameters": [idp],
                        "get": {"responses": {"200": _json(item)}},
                        "put": {"requestBody": body, "responses": {"200": _json(item)}},
                        "delete": {"responses": {"204": {"description": "gone"}}}},
    })
    mock = Mock(spec, stateful=True)
    ident = orjson.loads(mock.handle(MockRequest("POST", "/hooks", headers={"content-type": "application/json"},
                                                 body=b"{}")).body)["id"]
    assert mock.handle(MockRequest("DELETE", f"/hooks/{ident}")).status == 204
    assert mock.handle(MockRequest("DELETE", f"/hooks/{ident}")).status == 204
    assert mock.handle(MockRequest("GET", f"/hooks/{ident}")).status == 404  # still gone: no truthful 200
    put = mock.handle(MockRequest("PUT", f"/hooks/{ident}", headers={"content-type": "application/json"}, body=b"{}"))
    assert put.status == 200
    assert mock.handle(MockRequest("GET", f"/hooks/{ident}")).status == 200


def test_a_stateful_read_back_takes_the_shape_the_read_operation_documents() -> None:
    # Netlify: POST /accounts answers one account, GET /accounts/{id} documents a list of them.
    account = {"type": "object", "required": ["id", "name"],
               "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    idp = {"name": "account_id", "in": "path", "required": True, "schema": {"type": "string"}}
    body = {"content": {"application/json": {"schema": {"type": "object"}}}}
    spec = _spec({
        "/accounts": {"post": {"requestBody": body, "responses": {"201": _json(account)}}},
        "/accounts/{account_id}": {"parameters": [idp],
                                   "get": {"responses": {"200": _json({"type": "array", "items": account})}},
                                   "put": {"requestBody": body, "responses": {"200": _json({"type": "string"})}}},
    })
    mock = Mock(spec, stateful=True)
    created = mock.handle(MockRequest("POST", "/accounts", headers={"content-type": "application/json"},
                                      body=b'{"name": "acme"}'))
    ident = orjson.loads(created.body)["id"]
    read = mock.handle(MockRequest("GET", f"/accounts/{ident}"))
    assert read.status == 200 and orjson.loads(read.body) == [orjson.loads(created.body)]
    _conforms(spec, read, "GET /accounts/{account_id}")
    put = mock.handle(MockRequest("PUT", f"/accounts/{ident}", headers={"content-type": "application/json"},
                                  body=b'{"name": "b"}'))
    _conforms(spec, put, "PUT /accounts/{account_id}")


def test_an_empty_multipart_form_is_an_empty_object() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    spec = _spec({"/upload": {"post": {"requestBody": {"content": {"multipart/form-data": {"schema": schema}}},
                                       "responses": {"200": _json({"type": "object"})}}}})
    mock = Mock(spec)
    headers = {"content-type": "multipart/form-data; boundary=tcb"}
    assert mock.handle(MockRequest("POST", "/upload", headers=headers, body=b"--tcb--\r\n")).status == 200
    assert mock.handle(MockRequest("POST", "/upload", headers=headers, body=b"--other--\r\n")).status == 400


def test_form_bodies_honour_non_exploded_encoding_styles() -> None:
    schema = {"type": "object", "properties": {
        "ids": {"type": "array", "items": {"type": "integer"}},
        "pipes": {"type": "array", "items": {"type": "integer"}},
        "point": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}}}}}
    encoding = {"ids": {"style": "form", "explode": False}, "pipes": {"style": "pipeDelimited"},
                "point": {"style": "form", "explode": False}}
    spec = _spec({"/f": {"post": {"requestBody": {"content": {"application/x-www-form-urlencoded": {
        "schema": schema, "encoding": encoding}}}, "responses": {"200": _json({"type": "object"})}}}})
    from toolcheck.mock._validate import check_body

    status, issues, decoded = check_body(spec, spec.operation("POST /f"), "application/x-www-form-urlencoded",
                                         b"ids=1,2,3&pipes=4|5&point=x,1,y,2")
    assert (status, issues) == (0, [])
    assert decoded == {"ids": [1, 2, 3], "pipes": [4, 5], "point": {"x": 1, "y": 2}}
    assert check_body(spec, spec.operation("POST /f"), "application/x-www-form-urlencoded", b"ids=1,b")[0] == 400


def test_integers_beyond_64_bits_are_validated_exactly() -> None:
    schema = {"type": "object", "properties": {"seed": {"type": "integer", "minimum": -9223372036854775808,
                                                        "maximum": 9223372036854775807}}}
    spec = _spec({"/c": {"post": {"requestBody": {"content": {"application/json": {"schema": schema}}},
                                  "responses": {"200": _json({"type": "object"}), "400": _json(ERROR)}}}})
    mock = Mock(spec)
    headers = {"content-type": "application/json"}
    assert mock.handle(MockRequest("POST", "/c", headers=headers, body=b'{"seed": -9223372036854775809}')).status == 400
    assert mock.handle(MockRequest("POST", "/c", headers=headers, body=b'{"seed": 9223372036854775808}')).status == 400
    assert mock.handle(MockRequest("POST", "/c", headers=headers, body=b'{"seed": -9223372036854775808}')).status == 200
    assert mock.handle(MockRequest("POST", "/c", headers=headers, body=b'{"seed": 1e400}')).status != 500
    assert mock.handle(MockRequest("POST", "/c", headers=headers, body=b'{"seed": NaN, "x": 92233720368547758090}')).status == 400


def test_401_bodies_and_required_headers_follow_the_documented_response() -> None:
    # HubSpot: the only error response is `default` with `*/*`; Ably: x-ably-serverid is required everywhere.
    error = {"type": "object", "required": ["category", "message"], "additionalProperties": False,
             "properties": {"category": {"type": "string"}, "message": {"type": "string"}}}
    server_id = {"x-ably-serverid": {"required": True, "schema": {"type": "string"}}}
    link = {"link": {"required": True, "schema": {"type": "string", "pattern": "^<[a-z/]+>; rel=\"next\"$"}}}
    spec = _spec({"/things": {"get": {"responses": {
        "200": {**_json({"type": "array", "items": {"type": "string"}}), "headers": {**server_id, **link}},
        "default": {"description": "error", "headers": server_id, "content": {"*/*": {"schema": error}}}}}}},
        components={"securitySchemes": {"key": {"type": "apiKey", "in": "query", "name": "hapikey"}}},
        security=[{"key": []}])
    mock = Mock(spec)
    refused = mock.handle(MockRequest("GET", "/things"))
    assert refused.status == 401
    assert set(orjson.loads(refused.body)) == {"category", "message"}
    assert dict(refused.headers)["x-ably-serverid"]
    _conforms(spec, refused, "GET /things")
    ok = mock.handle(MockRequest("GET", "/things", "hapikey=k1"))
    assert ok.status == 200 and {"x-ably-serverid", "link"} <= set(dict(ok.headers))
    _conforms(spec, ok, "GET /things")
