"""run, fuzz and the agent bridge write the same bytes for the same values (issue 11).

Each sender used to serialise with its own copy; these are the disagreements users met, kept as
regression tests, plus a table of styles every sender must write alike.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qsl

import pytest

from toolcheck._absent import ABSENT
from toolcheck.agent import build_tools
from toolcheck.agent.tools import tool_call_to_wire
from toolcheck.fuzz.http import Auth, build, mock_credentials
from toolcheck.mock import Mock, MockRequest
from toolcheck.payloads.case import Case
from toolcheck.scenarios import _http
from toolcheck.spec import Spec, load_spec_dict
from toolcheck.wire import INVALID_TOKEN, Request, apply_credentials, apply_invalid, secrets_of
from toolcheck.wire.auth import Credential, handler_for

OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}


def _spec(parameters: list[dict[str, Any]], *, security: dict[str, Any] | None = None,
          path: str = "/items/{ids}") -> Spec:
    doc: dict[str, Any] = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {path: {"get": {"operationId": "op", "parameters": parameters, "responses": OK}}},
    }
    if security is not None:
        doc["components"] = {"securitySchemes": security}
        doc["security"] = [{name: []} for name in security]
    return load_spec_dict(doc)


def _three_ways(spec: Spec, values: dict[str, dict[str, Any]]) -> list[tuple[str, str, dict[str, str]]]:
    """(target, method, headers) as run, fuzz and the agent bridge build them."""
    op = spec.operation("op")
    run = _http.build(spec, op, [(n, loc, v) for loc, named in values.items() for n, v in named.items()], ABSENT, None)
    case = Case("op", op.method, op.path, path_params=values.get("path", {}), query=values.get("query", {}),
                headers=values.get("header", {}), cookies=values.get("cookie", {}))
    f_method, f_target, f_headers, _ = build(spec, op, case, Auth(), credentials="none")
    (tool,) = build_tools(spec)
    args = {b.arg: values[b.location][b.name] for b in tool.bindings if b.name in values.get(b.location, {})}
    agent = tool_call_to_wire(tool, args)
    return [(run.target(), run.method, run.all_headers()), (f_target, f_method, f_headers),
            (agent.target(), agent.method, agent.all_headers())]


def test_label_array_path_parameter_is_written_alike() -> None:
    # run sent `/items/3,4`; fuzz and the agent bridge `/items/.3,4` (OpenAPI 3.1 §4.8.12.4: label)
    spec = _spec([{"name": "ids", "in": "path", "required": True, "style": "label",
                   "schema": {"type": "array", "items": {"type": "integer"}}}])
    targets = {t for t, _m, _h in _three_ways(spec, {"path": {"ids": [3, 4]}})}
    assert targets == {"/items/.3,4"}
    answer = Mock(spec).handle(MockRequest("GET", "/items/.3,4", "", {}, b""))
    assert answer.status == 200, answer.issues


def test_null_member_of_a_deep_object_is_written_alike() -> None:
    # fuzz and the agent bridge sent `filter[owner]=`, run dropped it
    spec = _spec([{"name": "filter", "in": "query", "style": "deepObject", "explode": True, "schema": {
        "type": "object", "properties": {"owner": {"type": ["integer", "null"]}, "state": {"type": "string"}}}}],
        path="/items")
    ways = _three_ways(spec, {"query": {"filter": {"owner": None, "state": "open"}}})
    assert {t for t, _m, _h in ways} == {"/items?filter%5Bowner%5D=&filter%5Bstate%5D=open"}
    query = ways[0][0].partition("?")[2]
    values, issues = _decoded(spec, "/items", query)
    # an empty value reads back as null where the schema allows null and no other reading (a
    # nullable *string* reads "" as the empty string: the wire cannot tell them apart)
    assert not issues and values["query:filter"] == {"owner": None, "state": "open"}


def _decoded(spec: Spec, path: str, query: str) -> tuple[dict[str, Any], list[Any]]:
    from toolcheck.mock._params import validate_params
    from toolcheck.mock._routing import Match, Router
    from toolcheck.wire.read import parse_query

    matched = Router(spec).match("GET", path, query)
    assert isinstance(matched, Match)
    return validate_params(spec, matched.operation, matched.params, parse_query(query), {})


@pytest.mark.parametrize(("param", "value"), [
    ({"in": "path", "name": "ids", "style": "simple", "explode": True, "schema": {"type": "object"}}, {"a": 1, "b": "x y"}),
    ({"in": "path", "name": "ids", "style": "matrix", "explode": True, "schema": {"type": "array"}}, ["a", "b"]),
    ({"in": "path", "name": "ids", "style": "simple", "schema": {"type": "string"}}, "../admin"),
    ({"in": "query", "name": "q", "style": "pipeDelimited", "explode": False, "schema": {"type": "array"}}, [1, 2]),
    ({"in": "query", "name": "q", "style": "form", "explode": False, "schema": {"type": "object"}}, {"k": True}),
    ({"in": "query", "name": "q", "content": {"application/json": {"schema": {"type": "object"}}}}, {"k": [1]}),
    ({"in": "header", "name": "X-Q", "explode": True, "schema": {"type": "object"}}, {"k": 1, "j": 2}),
    ({"in": "cookie", "name": "c", "schema": {"type": "array"}}, ["a;b", "c"]),
])
def test_every_style_is_written_alike(param: dict[str, Any], value: Any) -> None:
    param = {"required": True, **param}
    path = "/items/{ids}" if param["in"] == "path" else "/items"
    spec = _spec([param], path=path)
    ways = _three_ways(spec, {param["in"]: {param["name"]: value}})
    assert ways[0] == ways[1] == ways[2]


def test_a_dot_segment_value_cannot_move_the_request_up() -> None:
    # `DELETE /orgs/acme/members/..` arrived as `DELETE /orgs/acme` (RFC 3986 §5.2.4)
    spec = _spec([{"name": "ids", "in": "path", "required": True, "schema": {"type": "string"}}])
    for value in ("..", ".", "../..", "a/../../b", "?x=1", "#frag"):
        targets = {t for t, _m, _h in _three_ways(spec, {"path": {"ids": value}})}
        (target,) = targets
        assert target.startswith("/items/") and target.count("/") == 2, target
        request = Request("GET", target)
        assert request.url("http://h:1/api").startswith("http://h:1/api/items/")


def test_jwt_bearer_placeholder_is_accepted_by_the_mock_and_the_invalid_one_refused() -> None:
    # run and fuzz --mock got 401 from their own mock on `bearerFormat: JWT`
    spec = _spec([], security={"jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}, path="/items")
    op = spec.operation("op")
    auth = mock_credentials(spec)
    assert Mock(spec).handle(MockRequest("GET", "/items", "", {k.lower(): v for k, v in auth.headers.items()}, b"")).status == 200
    run = _http.build(spec, op, [], ABSENT, None)
    assert _http.apply_auth(run, spec, op, "default", {}, placeholder=True) is not None
    assert Mock(spec).handle(MockRequest("GET", "/items", "", {k.lower(): v for k, v in run.headers.items()}, b"")).status == 200
    bad = Request("GET", "/items")
    apply_invalid(spec, op, bad)
    assert bad.headers["Authorization"].count(".") == 2  # well formed: a server must refuse it by value
    assert Mock(spec).handle(MockRequest("GET", "/items", "", {k.lower(): v for k, v in bad.headers.items()}, b"")).status == 401


def test_one_invalid_credential_for_run_and_fuzz() -> None:
    from toolcheck.fuzz import http as fuzz_http

    assert _http.INVALID_TOKEN == fuzz_http.INVALID_TOKEN == INVALID_TOKEN


@pytest.mark.parametrize("scheme", [
    {"type": "http", "scheme": "basic"},
    {"type": "http", "scheme": "bearer"},
    {"type": "apiKey", "in": "header", "name": "X-Key"},
    {"type": "apiKey", "in": "query", "name": "key"},
    {"type": "apiKey", "in": "cookie", "name": "sid"},
    {"type": "oauth2", "flows": {}},
    {"type": "http", "scheme": "digest"},
    {"type": "http", "scheme": "hoba"},
])
def test_every_scheme_handler_has_both_halves(scheme: dict[str, Any]) -> None:
    """A placeholder satisfies the mock's check of the same handler; the invalid one does not."""
    spec = _spec([], security={"s": scheme}, path="/items")
    op = spec.operation("op")
    good = Request("GET", "/items")
    apply_credentials(spec, op, good, {}, placeholder=True)
    bad = Request("GET", "/items")
    apply_invalid(spec, op, bad)
    mock = Mock(spec)

    def status(request: Request) -> int:
        headers = {k.lower(): v for k, v in request.all_headers().items()}
        if request.auth is not None:  # Digest: answer the mock's challenge as a client would
            import httpx

            from toolcheck.mock import MockTransport

            with httpx.Client(transport=MockTransport(spec), base_url="http://mock") as client:
                code: int = client.get(request.target(), headers=request.all_headers(), auth=request.auth).status_code
                return code
        answer = mock.handle(MockRequest("GET", request.path, request.target().partition("?")[2], headers, b""))
        return int(answer.status)

    assert status(good) == 200
    assert status(bad) == 401
    assert mock.handle(MockRequest("GET", "/items", "", {}, b"")).status == 401


def test_basic_credentials_are_redacted_in_every_encoding() -> None:
    spec = _spec([], security={"b": {"type": "http", "scheme": "basic"}}, path="/items")
    secrets = secrets_of(spec, {"b": "ada:s3cret"})
    assert {"ada:s3cret", base64.b64encode(b"ada:s3cret").decode(), "s3cret"} <= set(secrets)
    scheme = spec.security_schemes["b"]
    handler = handler_for(scheme)
    assert handler is not None and handler.secrets(scheme, Credential.of({"username": "u", "password": "p"}))


def test_form_body_and_query_from_run_are_what_the_mock_reads() -> None:
    spec = load_spec_dict({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/f": {"post": {"operationId": "op", "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                "tags": {"type": "array", "items": {"type": "string"}}, "n": {"type": "integer"}}}}}},
            "responses": OK}}}})
    request = _http.build(spec, spec.operation("op"), [], {"tags": ["a", "b"], "n": 3}, None)
    assert parse_qsl((request.content or b"").decode()) == [("tags", "a"), ("tags", "b"), ("n", "3")]
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert Mock(spec).handle(MockRequest("POST", "/f", "", headers, request.content or b"")).status == 200
