"""MCP output schemas, structured results, $defs, annotations and tools/list pages, from inline specs."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import jsonschema
import pytest

from toolcheck.agent import build_tools
from toolcheck.agent.mcp_server import CallOutcome, ToolBridge, page
from toolcheck.agent.tools import Tool
from toolcheck.spec import Spec, load_spec_dict

OK = {"200": {"description": "ok"}}
ITEM = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "n": {"type": "integer"}}}


def spec_with(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> Spec:
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths,
           "components": {"schemas": schemas or {"Item": ITEM}}}
    return load_spec_dict(doc)


def ok(schema: object, status: str = "200") -> dict[str, Any]:
    return {status: {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def call(spec: Spec, name: str, answer: httpx.Response, args: dict[str, Any] | None = None) -> tuple[Tool, CallOutcome]:
    tools = build_tools(spec, outputs=True, defs=True)
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: answer), base_url="http://127.0.0.1:9")
    bridge = ToolBridge(spec, tools, client, placeholders=False)
    return next(t for t in tools if t.name == name), anyio.run(bridge.call, name, args or {})


def test_an_object_answer_is_the_structured_content_and_validates() -> None:
    spec = spec_with({"/items/{id}": {"get": {"operationId": "get_item", "parameters": [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": ok({"$ref": "#/components/schemas/Item"})}}})
    tool, out = call(spec, "get_item", httpx.Response(200, json={"id": "a", "n": 2}, headers={"ETag": '"x"'}),
                     {"id": "a"})
    schema = tool.render("mcp")["outputSchema"]
    # Listed compact (no `required`: which fields exist is what a model plans with); the bridge
    # checks answers against the spec's stricter schema, which keeps it.
    assert tool.output_schema is not None and schema["type"] == "object" and "required" not in schema
    assert tool.output is not None and tool.output.check is not None and tool.output.check["required"] == ["id"]
    _, missing = call(spec, "get_item", httpx.Response(200, json={"n": 2}), {"id": "a"})
    assert missing.is_error and "id" in missing.text()
    assert not out.is_error and out.structured == {"id": "a", "n": 2}
    jsonschema.validate(out.structured, schema)
    assert out.http["status"] == 200 and out.http["headers"]["etag"] == '"x"'


def test_arrays_and_empty_answers_are_wrapped_in_result() -> None:
    spec = spec_with({"/items": {
        "get": {"operationId": "list_items", "responses": ok({"type": "array", "items": {"$ref": "#/components/schemas/Item"}})},
        "post": {"operationId": "make_item", "responses": {**ok({"$ref": "#/components/schemas/Item"}, "201"),
                                                            "204": {"description": "nothing new"}}}}})
    tool, out = call(spec, "list_items", httpx.Response(200, json=[{"id": "a"}]))
    assert tool.output_schema is not None and set(tool.output_schema["properties"]) == {"result"}
    assert out.structured == {"result": [{"id": "a"}]}
    jsonschema.validate(out.structured, tool.output_schema)
    tool, out = call(spec, "make_item", httpx.Response(204))
    assert not out.is_error and out.structured == {"result": None}
    jsonschema.validate(out.structured, tool.output_schema)
    jsonschema.validate({"result": {"id": "b"}}, tool.output_schema)


def test_no_json_success_schema_means_no_output_schema_and_errors_carry_their_body() -> None:
    spec = spec_with({"/ping": {"get": {"operationId": "ping", "responses": {
        "200": {"description": "pong", "content": {"text/plain": {"schema": {"type": "string"}}}}}}}})
    tool, out = call(spec, "ping", httpx.Response(503, json={"code": "down", "message": "maintenance"}))
    assert "outputSchema" not in tool.render("mcp")
    assert out.is_error and out.structured is None
    assert out.payload["status"] == 503 and out.payload["body"] == {"code": "down", "message": "maintenance"}


def test_an_answer_off_the_documented_schema_is_an_error_not_invalid_structured_content() -> None:
    spec = spec_with({"/items/{id}": {"get": {"operationId": "get_item", "parameters": [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": ok({"$ref": "#/components/schemas/Item"})}}})
    _, out = call(spec, "get_item", httpx.Response(200, json={"n": "two"}), {"id": "a"})
    assert out.is_error and out.structured is None
    assert "does not match" in out.payload["error"] and out.payload["body"] == {"n": "two"}


TREE = {"type": "object", "properties": {"name": {"type": "string"},
                                         "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}}


def test_recursive_schemas_become_exact_defs_and_single_use_ones_are_inlined() -> None:
    spec = spec_with({"/trees": {"post": {"operationId": "plant", "requestBody": {"required": True, "content": {
        "application/json": {"schema": {"type": "object", "properties": {
            "tree": {"$ref": "#/components/schemas/Tree"}, "item": {"$ref": "#/components/schemas/Item"}}}}}},
        "responses": ok({"$ref": "#/components/schemas/Tree"})}}}, {"Tree": TREE, "Item": ITEM})
    (tool,) = build_tools(spec, outputs=True, defs=True)
    schema = tool.input_schema
    assert set(schema["$defs"]) == {"Tree"} and schema["properties"]["tree"] == {"$ref": "#/$defs/Tree"}
    assert schema["properties"]["item"]["required"] == ["id"]  # used once: inlined
    deep: dict[str, Any] = {"name": "a", "children": [{"name": "b", "children": [{"name": "c", "children": [{"name": 5}]}]}]}
    validator = jsonschema.Draft202012Validator(schema)
    assert not validator.is_valid({"tree": deep})  # exact at every depth, not loosened after one level
    deep["children"][0]["children"][0]["children"][0]["name"] = "d"
    assert validator.is_valid({"tree": deep})
    assert not tool.truncated
    (inlined,) = build_tools(spec)
    assert "$defs" not in json.dumps(inlined.input_schema) and inlined.truncated


def _annotations(method: str, path: str, **op: object) -> dict[str, bool]:
    spec = spec_with({path: {method: {"responses": {"200": {"description": "ok"}}, **op}}})
    return dict(build_tools(spec)[0].annotations)


@pytest.mark.parametrize(("method", "path", "op", "expected"), [
    ("get", "/items", {}, (True, False, True)),
    ("delete", "/items/{id}", {}, (False, True, True)),
    ("put", "/items/{id}", {}, (False, True, True)),
    ("patch", "/items/{id}", {}, (False, True, False)),
    ("post", "/items", {"operationId": "createItem"}, (False, False, False)),
    ("post", "/items/{id}/members", {"operationId": "removeMember"}, (False, True, False)),
    ("post", "/requests/{id}", {"operationId": "requests.reject"}, (False, True, False)),
    ("post", "/orders/{id}/cancel", {}, (False, True, False)),
    ("post", "/tasks/{id}:revoke", {}, (False, True, False)),
    ("post", "/me/mail", {"operationId": "SendMail"}, (False, True, False)),
    ("post", "/payouts", {"summary": "Transfer funds to a bank account"}, (False, True, False)),
    ("post", "/items/search", {"operationId": "searchItems"}, (True, False, True)),
])
def test_annotations_follow_method_and_meaning(method: str, path: str, op: dict[str, Any],
                                               expected: tuple[bool, bool, bool]) -> None:
    hints = _annotations(method, path, **op)
    assert (hints["readOnlyHint"], hints["destructiveHint"], hints["idempotentHint"]) == expected
    assert hints["openWorldHint"] is True


def test_an_operation_overrides_its_annotations() -> None:
    hints = _annotations("put", "/flags/{id}", **{"x-toolcheck-annotations": {"destructiveHint": False}})
    assert hints["destructiveHint"] is False and hints["idempotentHint"] is True
    spec = spec_with({"/a": {"post": {"responses": {"200": {"description": "ok"}},
                                      "x-toolcheck-annotations": {"dangerous": "yes"}}}})
    (tool,) = build_tools(spec)
    assert any("dangerous" in n for n in tool.notes)
    # Only hints that differ from MCP's defaults are listed (readOnly false, destructive true,
    # idempotent false, openWorld true): this POST is additive.
    assert tool.render("mcp")["annotations"] == {"destructiveHint": False}
    spec = spec_with({"/a/{id}": {"get": {"responses": OK}, "delete": {"responses": OK}}})
    read, delete = (t.render("mcp")["annotations"] for t in build_tools(spec))
    # destructiveHint and idempotentHint mean nothing on a read-only tool (MCP ToolAnnotations).
    assert read == {"readOnlyHint": True} and delete == {"idempotentHint": True}


def test_tool_list_pages_and_rejects_cursors_it_never_issued() -> None:
    items = list(range(120))
    first, cursor = page(items, None, 50)
    second, cursor2 = page(items, cursor, 50)
    third, end = page(items, cursor2, 50)
    assert first + second + third == items and end is None
    for bad in ("o0", "o999", "x50", "o-1", "o" + "9" * 40, ""):
        with pytest.raises(ValueError, match="invalid cursor"):
            page(items, bad, 50)


def test_a_property_named_like_a_keyword_keeps_its_reference() -> None:
    shared = {"type": "object", "properties": {"text": {"type": "string"}}}
    spec = spec_with({"/notes": {"post": {"operationId": "add_note", "requestBody": {"content": {
        "application/json": {"schema": {"type": "object", "properties": {
            "description": {"$ref": "#/components/schemas/Text"}, "title": {"$ref": "#/components/schemas/Text"}}}}}},
        "responses": ok({"$ref": "#/components/schemas/Text"})}}}, {"Text": shared})
    (tool,) = build_tools(spec, outputs=True, defs=True)
    assert tool.input_schema["properties"]["description"] == {"$ref": "#/$defs/Text"}
    assert tool.input_schema["$defs"]["Text"]["properties"]["text"] == {"type": "string"}
