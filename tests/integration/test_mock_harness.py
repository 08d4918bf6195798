"""Harness-style cases against `toolcheck mock` over a real socket (issue 16).

In the spirit of Prism's test harness (one spec, one request, the expected status plus traits of
headers and body), written for toolcheck: each case names the rule it checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from toolcheck.mock.responder import Mock
from toolcheck.mock.server import MockApp, MockHolder, Running, start_in_thread
from toolcheck.spec import load_spec_dict

PET = {"type": "object", "required": ["id", "name"],
       "properties": {"id": {"type": "integer", "format": "int64"}, "name": {"type": "string", "minLength": 1},
                      "tag": {"type": "string"}, "status": {"type": "string", "enum": ["available", "sold"]}}}
ERROR = {"type": "object", "required": ["code", "message"],
         "properties": {"code": {"type": "integer"}, "message": {"type": "string"}}}


def _json(schema: Any, **media: Any) -> dict[str, Any]:
    return {"description": "x", "content": {"application/json": {"schema": schema, **media}}}


SPEC = {
    "openapi": "3.0.3", "info": {"title": "harness", "version": "1"},
    "servers": [{"url": "http://api.example.com/v2"}],
    "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}},
    "paths": {
        "/pets": {
            "get": {"parameters": [
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50}},
                {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["available", "sold"]}},
                {"name": "tags", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                {"name": "filter", "in": "query", "style": "deepObject",
                 "schema": {"type": "object", "properties": {"name": {"type": "string"}}}},
                {"name": "pretty", "in": "query", "allowEmptyValue": True, "schema": {"type": "boolean"}}],
                "responses": {"200": {"description": "x", "headers": {"X-Rate-Limit": {"required": True,
                                                                                       "schema": {"type": "integer"}}},
                                      "content": {"application/json": {"schema": {"type": "array", "items": PET}},
                                                  "application/xml": {"schema": {"type": "array", "items": PET}}}},
                              "400": _json(ERROR)}},
            "post": {"requestBody": {"required": True, "content": {"application/json": {"schema": PET}}},
                     "responses": {"201": _json(PET), "422": _json(ERROR)}},
        },
        "/pets/mine": {"get": {"responses": {"200": _json({"type": "array", "items": PET})}}},
        "/pets/{petId}": {
            "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {"responses": {"200": _json(PET, examples={
                "doggie": {"value": {"id": 1, "name": "doggie"}},
                "kitty": {"value": {"id": 2, "name": "kitty", "status": "sold"}}}),
                "404": _json(ERROR)}},
            "delete": {"parameters": [{"name": "X-Request-Id", "in": "header", "required": True,
                                       "schema": {"type": "string", "format": "uuid"}}],
                       "responses": {"204": {"description": "gone"}, "404": _json(ERROR)}},
        },
        "/secret": {"get": {"security": [{"key": []}], "responses": {"200": _json(PET), "401": _json(ERROR)}}},
        "/only-errors": {"get": {"responses": {"4XX": _json(ERROR)}}},
    },
}

Check = Callable[[httpx.Response], bool]


def json_has(*keys: str) -> Check:
    return lambda r: isinstance(r.json(), dict) and all(k in r.json() for k in keys)


def ctype(prefix: str) -> Check:
    return lambda r: r.headers.get("content-type", "").startswith(prefix)


def header(name: str, value: str | None = None) -> Check:
    return lambda r: name in r.headers and (value is None or r.headers[name] == value)


def empty(r: httpx.Response) -> bool:
    return r.content == b""


UUID = "123e4567-e89b-12d3-a456-426614174000"
CASES: list[tuple[str, str, str, dict[str, str], bytes, int, list[Check]]] = [
    # (name, method, path, headers, body, status, traits)
    ("lowest 2xx with its required header", "GET", "/pets", {}, b"", 200,
     [ctype("application/json"), header("x-rate-limit")]),
    ("server base path is optional", "GET", "/v2/pets", {}, b"", 200, [ctype("application/json")]),
    ("unknown path", "GET", "/owners", {}, b"", 404, [ctype("application/problem+json")]),
    ("undocumented method", "PUT", "/pets", {}, b"", 405, [header("allow", "GET, POST")]),
    ("concrete path wins over the template", "DELETE", "/pets/mine", {}, b"", 405, [header("allow", "GET")]),
    ("query out of range: documented 400 shape", "GET", "/pets?limit=500", {}, b"", 400, [json_has("code", "message")]),
    ("enum violated", "GET", "/pets?status=lost", {}, b"", 400, [lambda r: "status" in r.json()["message"]]),
    ("exploded array", "GET", "/pets?tags=a&tags=b", {}, b"", 200, []),
    ("deepObject", "GET", "/pets?filter[name]=rex", {}, b"", 200, []),
    ("allowEmptyValue on a boolean", "GET", "/pets?pretty=", {}, b"", 200, []),
    ("empty value not allowed", "GET", "/pets?status=", {}, b"", 400, []),
    ("Accept q-values", "GET", "/pets", {"accept": "application/json;q=0.1, application/xml"}, b"", 200,
     [ctype("application/xml")]),
    ("nothing acceptable", "GET", "/pets", {"accept": "text/csv"}, b"", 406, []),
    ("path parameter of the wrong type", "GET", "/pets/abc", {}, b"", 404, [json_has("code", "message")]),
    ("first valid example", "GET", "/pets/1", {}, b"", 200, [lambda r: r.json()["name"] == "doggie"]),
    ("named example", "GET", "/pets/1", {"prefer": "example=kitty"}, b"", 200, [lambda r: r.json()["name"] == "kitty"]),
    ("Prefer code", "GET", "/pets/1", {"prefer": "code=404"}, b"", 404,
     [json_has("code", "message"), header("preference-applied", "code=404")]),
    # nothing documented fits a bad header (only 204/404): 400, undocumented, RFC 9457 members in
    # the operation's own JSON type
    ("required header missing", "DELETE", "/pets/1", {}, b"", 400, [ctype("application/json"), json_has("detail")]),
    ("header of the wrong format", "DELETE", "/pets/1", {"x-request-id": "nope"}, b"", 400,
     [lambda r: "uuid" in r.text]),
    ("no content", "DELETE", "/pets/1", {"x-request-id": UUID}, b"", 204, [empty]),
    ("valid create", "POST", "/pets", {"content-type": "application/json"}, b'{"id": 7, "name": "rex"}', 201,
     [json_has("id", "name")]),
    ("invalid body: documented 422", "POST", "/pets", {"content-type": "application/json"}, b'{"id": "x"}', 422,
     [json_has("code", "message")]),
    ("malformed JSON", "POST", "/pets", {"content-type": "application/json"}, b'{"id": ', 422, []),
    ("missing body", "POST", "/pets", {"content-type": "application/json"}, b"", 422, []),
    ("unsupported media type", "POST", "/pets", {"content-type": "text/plain"}, b"rex", 415, []),
    ("missing credentials", "GET", "/secret", {}, b"", 401, [header("www-authenticate"), json_has("code", "message")]),
    ("credentials given", "GET", "/secret", {"x-api-key": "k"}, b"", 200, []),
    ("only error ranges documented", "GET", "/only-errors", {}, b"", 404, [json_has("code", "message")]),
    ("HEAD has no body", "HEAD", "/pets", {}, b"", 200, [empty]),
    ("CORS preflight", "OPTIONS", "/pets", {"origin": "http://a.test", "access-control-request-method": "POST"}, b"",
     204, [header("access-control-allow-origin", "http://a.test")]),
]


@pytest.fixture(scope="module")
def server() -> Iterator[Running]:
    running = start_in_thread(MockApp(MockHolder(Mock(load_spec_dict(SPEC)))))
    yield running
    running.stop()


@pytest.mark.parametrize("name,method,path,headers,body,status,traits", CASES, ids=[c[0] for c in CASES])
def test_harness_case(server: Running, name: str, method: str, path: str, headers: dict[str, str], body: bytes,
                      status: int, traits: list[Check]) -> None:
    response = httpx.request(method, server.url + path, headers=headers, content=body, timeout=10)
    assert response.status_code == status, (name, response.status_code, response.text[:300])
    for trait in traits:
        assert trait(response), (name, dict(response.headers), response.text[:300])
