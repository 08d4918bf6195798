"""Tool definitions from inline specs: names, joined input schemas, the way back to HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from toolcheck.agent import NAME_PATTERN, build_tools, sanitize_name, tool_call_to_request, unique_names
from toolcheck.agent.tools import ToolCallError, arguments_for, describe, is_impersonation_header
from toolcheck.errors import UsageError
from toolcheck.spec import Spec, load_spec, load_spec_dict


def spec_with(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> Spec:
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    if schemas:
        doc["components"] = {"schemas": schemas}
    return load_spec_dict(doc)


OK = {"200": {"description": "ok"}}


def test_names_are_sanitised_truncated_and_unique() -> None:
    assert sanitize_name("users.get/{id}") == "users_get_id"
    long = "x" * 80
    assert len(sanitize_name(long)) == 64 and NAME_PATTERN.match(sanitize_name(long))
    assert sanitize_name(long + "a") != sanitize_name(long + "b")
    names, collisions = unique_names([("users.get", "a"), ("users-get", "b"), ("users get", "c")])
    assert names[1] == "users-get"
    assert names[0] == "users_get" and names[2] == "users_get_2"
    assert collisions == {"users_get": ["users.get", "users get"]}
    assert sanitize_name("...", fallback="get /a") == "get_a"


def test_parameters_and_object_body_are_joined_and_map_back() -> None:
    spec = spec_with({
        "/orgs/{org}/items": {"post": {
            "operationId": "items.create",
            "parameters": [
                {"name": "org", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "tags", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
                 "style": "form", "explode": False},
                {"name": "filter", "in": "query", "style": "deepObject", "explode": True,
                 "schema": {"type": "object", "properties": {"a": {"type": "integer"}}}},
                {"name": "X-Trace", "in": "header", "schema": {"type": "string"}, "description": "trace id"},
                {"name": "session", "in": "cookie", "schema": {"type": "string"}},
            ],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
            "responses": OK,
        }},
    }, {"Item": {"type": "object", "required": ["title"], "properties": {
        "id": {"type": "string", "readOnly": True}, "title": {"type": "string"}, "count": {"type": "integer"}}}})
    (tool,) = build_tools(spec)
    assert tool.name == "items_create"
    schema = tool.input_schema
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]) == {"org", "tags", "filter", "X-Trace", "session", "title", "count"}
    assert "id" not in schema["properties"]  # readOnly: an agent cannot send it
    assert set(schema["required"]) == {"org", "title"}
    assert schema["properties"]["X-Trace"]["description"] == "trace id"
    req = tool_call_to_request(tool, {"org": "a b/c", "tags": ["x", "y"], "filter": {"a": 1}, "X-Trace": "t1",
                                      "session": "s", "title": "T", "count": 2})
    method, path, params, headers, body = req
    assert (method, path) == ("POST", "/orgs/a%20b%2Fc/items")
    assert params == [("tags", "x,y"), ("filter[a]", "1")]
    assert headers == {"X-Trace": "t1", "Cookie": "session=s", "Content-Type": "application/json"}
    assert body == {"title": "T", "count": 2}
    assert arguments_for(tool, {("path", "org"): "a b/c"}, {"title": "T"}) == {"org": "a b/c", "title": "T"}


def test_styles_for_path_and_query() -> None:
    params = [
        {"name": "ids", "in": "path", "required": True, "style": "label", "explode": True,
         "schema": {"type": "array", "items": {"type": "integer"}}},
        {"name": "m", "in": "path", "required": True, "style": "matrix", "schema": {"type": "string"}},
        {"name": "sp", "in": "query", "style": "spaceDelimited", "explode": False,
         "schema": {"type": "array", "items": {"type": "string"}}},
        {"name": "ex", "in": "query", "schema": {"type": "array", "items": {"type": "boolean"}}},
    ]
    spec = spec_with({"/a/{ids}/{m}": {"get": {"operationId": "a", "parameters": params, "responses": OK}}})
    (tool,) = build_tools(spec)
    req = tool_call_to_request(tool, {"ids": [1, 2], "m": "v", "sp": ["p", "q"], "ex": [True, False]})
    assert req.path == "/a/.1.2/;m=v"
    assert req.params == [("sp", "p q"), ("ex", "true"), ("ex", "false")]


def test_body_that_is_not_a_plain_object_stays_one_argument_and_collisions_are_renamed() -> None:
    spec = spec_with({"/x/{id}": {"put": {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                       {"name": "id", "in": "query", "schema": {"type": "string"}}],
        "requestBody": {"content": {"application/json": {"schema": {
            "type": "object", "properties": {"id": {"type": "string"}}}}}},
        "responses": OK,
    }}})
    (tool,) = build_tools(spec)
    assert set(tool.input_schema["properties"]) == {"path_id", "query_id", "body"}
    req = tool_call_to_request(tool, {"path_id": "1", "query_id": "2", "body": {"id": "3"}})
    assert req.path == "/x/1" and req.params == [("id", "2")] and req.body == {"id": "3"}
    with pytest.raises(ToolCallError, match="missing required argument"):
        tool_call_to_request(tool, {})
    with pytest.raises(ToolCallError, match="unknown argument"):
        tool_call_to_request(tool, {"path_id": "1", "nope": 1})


def test_cycles_are_bounded_and_schemas_stay_valid() -> None:
    spec = spec_with({"/n": {"post": {"operationId": "n", "requestBody": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Node"}}}}, "responses": OK}}},
        {"Node": {"type": "object", "properties": {"name": {"type": "string"},
                                                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}})
    (tool,) = build_tools(spec)
    jsonschema.Draft202012Validator.check_schema(tool.input_schema)
    assert "$ref" not in str(tool.input_schema)
    assert tool.truncated and any("recursive" in n for n in tool.notes)
    deep = {"name": "a", "children": [{"name": "b", "children": [{"name": "c", "children": []}]}]}
    assert jsonschema.Draft202012Validator(tool.input_schema).is_valid(deep)  # loosened, never tightened


def test_strict_mode_rewrites_and_reports() -> None:
    spec = spec_with({"/s": {"post": {"operationId": "s", "requestBody": {"required": True, "content": {"application/json": {
        "schema": {"type": "object", "required": ["kind"], "properties": {
            "kind": {"const": "a"}, "note": {"type": ["string", "null"], "maxLength": 3},
            "one": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}}}}, "responses": OK}},
        "/free": {"post": {"operationId": "free", "requestBody": {"content": {"application/json": {
            "schema": {"type": "object", "properties": {"m": {"type": "object", "additionalProperties": {"type": "string"}}}}}}},
            "responses": OK}}})
    s_tool, free = build_tools(spec, strict=True)
    assert s_tool.strict and not free.strict
    props = s_tool.input_schema["properties"]
    assert props["kind"] == {"enum": ["a"]}
    assert "oneOf" not in str(s_tool.input_schema) and "const" not in str(s_tool.input_schema)
    assert s_tool.input_schema["required"] == ["kind", "note", "one"]
    assert any("maxLength" in n for n in s_tool.notes)
    assert any(n.startswith("not strict: /m") for n in free.notes)
    openai = s_tool.render("openai")
    assert openai["function"]["strict"] is True
    req = tool_call_to_request(s_tool, {"kind": "a", "note": None, "one": None})
    assert req.body == {"kind": "a", "note": None}  # `note` accepts null in the spec; `one` only in strict mode


def test_descriptions_are_trimmed_to_the_budget() -> None:
    spec = spec_with({"/d": {"get": {"operationId": "get_d", "summary": "Short", "description": "word " * 400,
                                     "responses": OK}},
                      "/e": {"get": {"responses": OK}}})
    d, e = build_tools(spec, description_budget=100)
    assert len(d.description) <= 100 and d.description.endswith("…") and d.description.startswith("Short")
    assert e.description == "GET /e"
    assert describe(e.operation)[0] == "GET /e"


def test_a_summary_that_only_spells_the_name_is_not_repeated() -> None:
    spec = spec_with({"/t": {"get": {"operationId": "timeEstimates", "summary": "Time Estimates",
                                     "description": "ETAs for every product.", "responses": OK}},
                      "/p": {"get": {"operationId": "get_p", "summary": "Price estimates",
                                     "description": "Prices for every product.", "responses": OK}}})
    t, p = (tool.render("mcp") for tool in build_tools(spec))
    assert t["description"] == "ETAs for every product." and "title" not in t  # the name says it
    assert p["description"] == "Price estimates\n\nPrices for every product." and "title" not in p


def test_formats_and_selection(example_spec_path: Path) -> None:
    spec = load_spec(str(example_spec_path))
    tools = build_tools(spec, tags=["tasks"])
    assert {t.name for t in tools} == {"create_task", "list_tasks", "get_task", "cancel_task"}
    one = build_tools(spec, operations=["GET /customers/{customer_id}"])
    assert [t.name for t in one] == ["get_customer"]
    mcp = one[0].render("mcp")
    assert mcp["inputSchema"]["required"] == ["customer_id"] and mcp["annotations"]["readOnlyHint"] is True
    assert set(one[0].render("anthropic")) == {"name", "description", "input_schema"}
    with pytest.raises(UsageError, match="Did you mean"):
        build_tools(spec, operations=["get_custmer"])
    with pytest.raises(UsageError):
        one[0].render("gemini")


def test_missing_mcp_sdk_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from toolcheck.agent.mcp_server import require_mcp
    from toolcheck.errors import TargetError

    monkeypatch.setitem(sys.modules, "mcp_types", None)
    with pytest.raises(TargetError, match="pip install .mcp>=2.3"):
        require_mcp()


def test_bridge_validates_arguments_and_reports_http_errors(example_spec_path: Path) -> None:
    import anyio
    import httpx

    from toolcheck.agent.mcp_server import ToolBridge, UnknownTool
    from toolcheck.mock import MockTransport

    spec = load_spec(str(example_spec_path))
    client = httpx.AsyncClient(transport=MockTransport(spec, seed=1), base_url="http://mock")
    bridge = ToolBridge(spec, build_tools(spec, outputs=True), client)

    async def calls():  # type: ignore[no-untyped-def]
        return (await bridge.call("get_task", {"task_id": 3}),
                await bridge.call("get_task", {"task_id": "task_unknown01"}),
                await bridge.call("search_customers", {"q": "ab"}))

    invalid, not_found, found = anyio.run(calls)
    with pytest.raises(UnknownTool, match="nope"):
        anyio.run(bridge.call, "nope", {})
    assert invalid.is_error and any("task_id" in p for p in invalid.payload["problems"])
    assert not_found.is_error == (not_found.http["status"] >= 400)  # isError follows the HTTP status
    assert not found.is_error and found.http["status"] == 200 and "data" in found.structured
    assert found.structured == found.payload  # the text block is the structured content, serialised


def test_ignored_headers_and_deprecated_operations() -> None:
    spec = spec_with({"/h": {"get": {"deprecated": True, "summary": "Old", "parameters": [
        {"name": "Authorization", "in": "header", "schema": {"type": "string"}},
        {"name": "Accept", "in": "header", "schema": {"type": "string"}},
        {"name": "X-Id", "in": "header", "schema": {"type": "string"}}], "responses": OK}}})
    (tool,) = build_tools(spec)
    assert list(tool.input_schema["properties"]) == ["X-Id"]
    assert tool.description.startswith("[Deprecated] Old")


def test_bridge_to_a_target_adds_configured_credentials_only(example_spec_path: Path) -> None:
    import anyio
    import httpx

    from toolcheck.agent.mcp_server import ToolBridge

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        echo = request.headers.get("authorization", "")
        return httpx.Response(200, json={"data": [], "has_more": False, "debug": echo})

    spec = load_spec(str(example_spec_path))
    tools = build_tools(spec, operations=["search_customers"])

    def run(creds: dict[str, Any], placeholders: bool) -> Any:
        client = httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://127.0.0.1:9")
        bridge = ToolBridge(spec, tools, client, creds, placeholders=placeholders)
        return anyio.run(bridge.call, "search_customers", {"q": "ada", "limit": 5})

    result = run({"bearerAuth": "s3cret"}, False)
    assert not result.is_error and result.http["status"] == 200
    assert seen[-1].headers["authorization"] == "Bearer s3cret"
    assert "s3cret" not in str(result)  # echoed credentials are masked before the agent sees them
    assert seen[-1].url.params["q"] == "ada" and seen[-1].url.params["limit"] == "5"
    run({}, False)
    assert "authorization" not in seen[-1].headers  # a real target never gets a placeholder


def test_strict_mode_limits_are_reported() -> None:
    deep: dict[str, Any] = {"type": "string"}
    for i in range(12):
        deep = {"type": "object", "required": [f"l{i}"], "properties": {f"l{i}": deep}}
    spec = spec_with({"/deep": {"post": {"operationId": "deep", "requestBody": {"content": {"application/json": {
        "schema": deep}}}, "responses": OK}}})
    (tool,) = build_tools(spec, strict=True)
    assert not tool.strict and any("nest" in n for n in tool.notes)


def test_a_body_requiring_undeclared_members_stays_one_argument() -> None:
    spec = spec_with({"/t": {"put": {"operationId": "t", "requestBody": {"content": {"application/json": {"schema": {
        "type": "object", "required": ["uris"], "properties": {"ids": {"type": "array"}}}}}}, "responses": OK}}})
    (tool,) = build_tools(spec)
    assert list(tool.input_schema["properties"]) == ["body"]
    assert tool_call_to_request(tool, {"body": {"uris": ["x"]}}).body == {"uris": ["x"]}


def test_a_null_body_is_sent_as_json_null() -> None:
    from toolcheck.agent import JSON_NULL

    spec = spec_with({"/n": {"put": {"operationId": "n", "requestBody": {"required": True, "content": {
        "application/json": {"schema": {"type": ["array", "null"], "items": {"type": "string"}}}}}, "responses": OK}}})
    (tool,) = build_tools(spec)
    args = arguments_for(tool, {}, None)
    assert args == {"body": None}
    req = tool_call_to_request(tool, args)
    assert req.body is JSON_NULL and req.httpx_kwargs()["content"] == b"null"
    assert arguments_for(tool, {}) == {}  # no body at all


def test_multipart_parts_follow_the_default_content_types() -> None:
    import httpx

    spec = spec_with({"/m": {"post": {"operationId": "m", "requestBody": {"content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": {"meta": {"type": "object"}, "tags": {"type": "array", "items": {"type": "string"}},
                                         "name": {"type": "string"}}}}}}, "responses": OK}}})
    (tool,) = build_tools(spec)
    req = tool_call_to_request(tool, {"meta": {"a": 1}, "tags": ["x", "y"], "name": "n"})
    sent = httpx.Client(base_url="http://t").build_request(req.method, req.path, **req.httpx_kwargs(tool.encoding))
    body = sent.read().decode()
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert body.count('name="tags"') == 2 and '{"a":1}' in body and "application/json" in body


def test_nested_property_names_providers_reject_are_reported() -> None:
    spec = spec_with({"/o": {"post": {"operationId": "o", "requestBody": {"content": {"application/json": {"schema": {
        "type": "object", "properties": {"meta": {"type": "object", "properties": {"@type": {"type": "string"}}}}}}}},
        "responses": OK}}})
    (tool,) = build_tools(spec)
    assert any("@type" in n and "Anthropic" in n for n in tool.notes)


def test_strict_calls_are_completed_with_nulls_and_round_trip(example_spec_path: Path) -> None:
    import jsonschema as js

    from toolcheck.agent import fill_strict_nulls

    spec = load_spec(str(example_spec_path))
    (plain,) = build_tools(spec, operations=["create_invoice"])
    (strict,) = build_tools(spec, operations=["create_invoice"], strict=True)
    args = {"customer_id": "cus_0001", "currency": "EUR",
            "line_items": [{"description": "x", "quantity": 1, "unit_amount": 5}]}
    filled = fill_strict_nulls(strict, args)
    assert filled["memo"] is None and filled["due_date"] is None
    assert not list(js.Draft202012Validator(strict.input_schema).iter_errors(filled))
    assert tool_call_to_request(strict, filled) == tool_call_to_request(plain, args)


def test_a_strict_object_with_shared_properties_and_alternatives_accepts_each_alternative() -> None:
    from toolcheck.agent import fill_strict_nulls

    body = {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}},
            "oneOf": [{"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}, "x": {"type": "string"}}},
                      {"type": "object", "required": ["b"], "properties": {"b": {"type": "integer"}, "y": {"type": "string"}}}]}
    spec = spec_with({"/o": {"post": {"operationId": "o", "requestBody": {"required": True, "content": {
        "application/json": {"schema": body}}}, "responses": OK}}})
    (plain,) = build_tools(spec)
    (strict,) = build_tools(spec, strict=True)
    assert strict.strict
    for call in ({"kind": "k", "a": "s"}, {"kind": "k", "b": 2}):
        args = arguments_for(plain, {}, call)
        filled = fill_strict_nulls(strict, args)  # nulls for the optional members of the branch it fits
        assert not list(jsonschema.Draft202012Validator(strict.input_schema).iter_errors(filled)), filled
        assert tool_call_to_request(strict, filled) == tool_call_to_request(plain, args)


def test_transport_headers_are_not_arguments_and_impersonation_headers_are_flagged() -> None:
    spec = spec_with({"/docs": {"post": {"operationId": "upload", "parameters": [
        {"name": "Content-Encoding", "in": "header", "schema": {"type": "string", "enum": ["gzip"]}},
        {"name": "Content-Length", "in": "header", "required": True, "schema": {"type": "integer"}},
        {"name": "Transfer-Encoding", "in": "header", "schema": {"type": "string"}},
        {"name": "Host", "in": "header", "schema": {"type": "string"}},
        {"name": "on-behalf-of", "in": "header", "schema": {"type": "string"}, "description": "Act as this user."},
        {"name": "X-Forwarded-For", "in": "header", "schema": {"type": "string"}},
        {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}],
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}, "responses": OK}}})
    (tool,) = build_tools(spec)
    props = tool.input_schema["properties"]
    assert set(props) == {"on-behalf-of", "X-Forwarded-For", "X-Trace", "body"}
    assert "Security-sensitive" in props["on-behalf-of"]["description"] and "Act as this user." in props["on-behalf-of"]["description"]
    assert "Security-sensitive" in props["X-Forwarded-For"]["description"]
    assert "description" not in props["X-Trace"]
    req = tool_call_to_request(tool, {"body": {"a": 1}})
    assert "Content-Encoding" not in req.headers and "Content-Length" not in req.headers


@pytest.mark.parametrize("name", ["X-MSEdge-ClientIP", "X-Appengine-User-IP", "X-Vendor-Forwarded-For",
                                  "X-Originating-IP", "X-Remote-Addr", "CF-Connecting-IP", "X-Client-IP"])
def test_vendor_prefixed_origin_claims_are_flagged(name: str) -> None:
    # A vendor's prefix does not change what the header claims: the caller's IP address.
    assert is_impersonation_header(name)


@pytest.mark.parametrize("name", ["X-Trace", "X-Zip", "X-Tooltip", "X-Request-Id", "X-Ship-To", "X-Skip"])
def test_headers_that_only_end_in_ip_letters_are_not_flagged(name: str) -> None:
    assert not is_impersonation_header(name)


def test_defaults_of_the_wrong_type_are_not_copied() -> None:
    spec = spec_with({"/a": {"get": {"operationId": "a", "parameters": [
        {"name": "flag", "in": "query", "schema": {"type": "boolean", "default": "false"}},
        {"name": "n", "in": "query", "schema": {"type": "integer", "default": 10}},
        {"name": "m", "in": "query", "schema": {"type": ["string", "null"], "default": None}}], "responses": OK}}})
    (tool,) = build_tools(spec)
    props = tool.input_schema["properties"]
    assert "default" not in props["flag"] and props["n"]["default"] == 10 and props["m"]["default"] is None
    assert any('default "false"' in n for n in tool.notes)


def test_a_missing_operation_id_is_named_from_the_summary() -> None:
    spec = spec_with({"/pets": {"get": {"summary": "List all the pets (paged)", "responses": OK},
                                "post": {"responses": OK}},
                      "/cats": {"get": {"summary": "List all the pets", "responses": OK}}})
    assert [t.name for t in build_tools(spec)] == ["list_all_pets", "post_pets", "list_all_pets_2"]


def test_strict_calls_keep_a_null_the_spec_gives_meaning_to() -> None:
    from toolcheck.agent import JSON_NULL, fill_strict_nulls

    spec = spec_with({
        "/locks/{id}": {"put": {"operationId": "set_lock", "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                "lock": {"type": ["object", "null"], "properties": {"until": {"type": "string"}},
                         "description": "Set this to null to remove the lock."},
                "note": {"type": "string"}}}}}}, "responses": OK}},
        "/flags/{id}": {"put": {"operationId": "set_flag", "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {"type": ["array", "null"],
                                                                         "items": {"type": "string"}}}}},
            "responses": OK}}})
    lock, flag = build_tools(spec, strict=True)
    assert lock.strict and flag.strict
    req = tool_call_to_request(lock, fill_strict_nulls(lock, {"id": "1", "lock": None}))
    assert req.body == {"lock": None}  # the explicit null is sent; `note` (null only in strict mode) is not
    req = tool_call_to_request(flag, fill_strict_nulls(flag, {"id": "1", "body": None}))
    assert req.body is JSON_NULL
    req = tool_call_to_request(lock, fill_strict_nulls(lock, {"id": "1", "note": "x"}))
    assert req.body == {"lock": None, "note": "x"}  # strict mode cannot tell "absent" from null here


def test_client_headers_are_the_http_client_s_unless_required() -> None:
    # RFC 9110 §10.1: User-Agent, From and Referer describe the client program (the bridge), not
    # a choice for the model; a required one must be sent, so it stays an argument.
    spec = spec_with({"/s": {"get": {"operationId": "search", "parameters": [
        {"name": "User-Agent", "in": "header", "description": "The user agent. " * 80, "schema": {"type": "string"}},
        {"name": "Referer", "in": "header", "schema": {"type": "string"}},
        {"name": "Accept-Charset", "in": "header", "schema": {"type": "string"}},
        {"name": "From", "in": "header", "required": True, "schema": {"type": "string", "format": "email"}},
        {"name": "Accept-Language", "in": "header", "schema": {"type": "string"}},
        {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}], "responses": OK}}})
    (tool,) = build_tools(spec)
    assert set(tool.input_schema["properties"]) == {"From", "Accept-Language", "q"}
    assert tool.input_schema["required"] == ["From", "q"]
    assert any("User-Agent, Referer, Accept-Charset" in n for n in tool.notes), tool.notes
    req = tool_call_to_request(tool, {"q": "cats", "From": "ops@example.com", "Accept-Language": "fr"})
    assert req.headers["From"] == "ops@example.com" and req.headers["Accept-Language"] == "fr"
    assert not {"User-Agent", "Referer", "Accept-Charset"} & set(req.headers)
    with pytest.raises(ToolCallError, match="From"):
        tool_call_to_request(tool, {"q": "cats"})


def test_long_argument_descriptions_are_cut_at_a_sentence_end_and_noted() -> None:
    first = "The id of the client, generated by the API on the first call."
    reference = " Persist it in a cookie that outlives the session; never use a session cookie." * 40
    body = {"type": "object", "properties": {
        "description": {"type": "string", "description": "What the item is. " + "Long prose. " * 200},
        "tags": {"type": "array", "items": {"type": "string", "enum": ["x" * 50], "description": "word " * 400}}}}
    spec = spec_with({"/s": {"post": {"operationId": "save", "parameters": [
        {"name": "client", "in": "query", "required": True, "description": first + reference,
         "schema": {"type": "string"}},
        {"name": "short", "in": "query", "description": "Kept whole.", "schema": {"type": "string"}}],
        "requestBody": {"content": {"application/json": {"schema": {
            "type": "object", "properties": {"item": body}}}}}, "responses": OK}}})
    (tool,) = build_tools(spec)
    props = tool.input_schema["properties"]
    client = props["client"]["description"]
    assert client.startswith(first) and client.endswith(" …") and len(client) <= 1024
    assert client[:-2].endswith(".")  # whole sentences only
    assert props["short"]["description"] == "Kept whole."
    item = props["item"]["properties"]
    assert item["description"]["description"].endswith(". …") and len(item["description"]["description"]) <= 1024
    words = item["tags"]["items"]["description"]  # one long "sentence": cut between words
    assert len(words) <= 1024 and words.endswith("word …")
    assert item["tags"]["items"]["enum"] == ["x" * 50]  # values are data, never cut
    note = next(n for n in tool.notes if "cut to 1024" in n)
    assert "client (" in note and "item.description" in note and "short" not in note
