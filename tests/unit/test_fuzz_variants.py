"""Every enum value and oneOf branch of a create body: created, read, listed, updated, deleted."""

from __future__ import annotations

import json
from typing import Any

import httpx

from toolcheck.fuzz import Fuzzer, FuzzOptions
from toolcheck.spec import load_spec_dict

THING = {"type": "object", "required": ["kind"], "properties": {
    "kind": {"type": "string", "enum": ["plain", "striped", "dotted"]},
    "shape": {"oneOf": [{"type": "object", "required": ["r"], "properties": {"r": {"type": "integer", "minimum": 1}},
                         "additionalProperties": False},
                        {"type": "object", "required": ["w", "h"], "additionalProperties": False,
                         "properties": {"w": {"type": "integer", "minimum": 1}, "h": {"type": "integer", "minimum": 1}}}]}}}
OUT = {"type": "object", "properties": {"id": {"type": "string"}}}


def _spec() -> dict[str, object]:
    body = {"content": {"application/json": {"schema": THING}}}
    ok = {"description": "ok", "content": {"application/json": {"schema": OUT}}}
    item = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/things": {"post": {"operationId": "create", "requestBody": {**body, "required": True}, "responses": {"201": ok}},
                    "get": {"operationId": "list", "responses": {"200": {"description": "ok"}}}},
        "/things/{id}": {"parameters": item,
                         "get": {"operationId": "read", "responses": {"200": ok, "404": {"description": "none"}}},
                         "patch": {"operationId": "update", "requestBody": body, "responses": {"200": ok}},
                         "delete": {"operationId": "delete", "responses": {"204": {"description": "gone"}}}}}}


def test_a_kind_that_breaks_the_list_or_the_update_is_found_with_how_it_was_made() -> None:
    spec = load_spec_dict(_spec())
    store: dict[str, dict[str, Any]] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        if request.method == "POST":
            thing = json.loads(request.content)
            thing["id"] = f"t{len(store)}"
            store[thing["id"]] = thing
            return httpx.Response(201, json={"id": thing["id"]})
        if len(parts) == 1:  # the list breaks on a dotted thing
            if any(t.get("kind") == "dotted" for t in store.values()):
                return httpx.Response(500, text="KeyError: dotted")
            return httpx.Response(200)
        thing = store.get(parts[1])
        if thing is None:
            return httpx.Response(404)
        if request.method == "PATCH" and "w" in (thing.get("shape") or {}):  # a rectangle cannot be updated
            return httpx.Response(500, text="AttributeError: rectangle")
        if request.method == "DELETE":
            del store[parts[1]]
            return httpx.Response(204)
        return httpx.Response(200, json={"id": parts[1]})

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, phases=("stateful",)))
    findings = fuzzer.run(list(spec.operations))
    found = {(f.operation_id, f.failure.check): f for f in findings}
    assert set(found) == {("list", "server_error"), ("update", "server_error")}
    listed = found[("list", "server_error")]
    assert [s["role"] for s in listed.steps] == ["create", "read", "list"]
    assert listed.steps[0]["case"]["body"]["kind"] == "dotted"
    updated = found[("update", "server_error")]
    assert [s["role"] for s in updated.steps][-1] == "update" and "w" in updated.steps[0]["case"]["body"]["shape"]
