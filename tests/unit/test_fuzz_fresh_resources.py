"""Item operations are fuzzed on resources created in this run, PUT-creates on fresh names."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from toolcheck.fuzz import Fuzzer, FuzzOptions
from toolcheck.spec import load_spec_dict


def _spec() -> Any:
    kernel: dict[str, Any] = {"type": "object", "properties": {"name": {"type": "string"}}}
    session: dict[str, Any] = {"type": "object", "properties": {"id": {"type": "string"}, "kernel": {"type": "object", "properties": {
        "name": {"type": "string"}}}}}
    ident = [{"name": "sid", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[a-z0-9]{1,12}$"}}]
    path = [{"name": "path", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[a-z]{1,20}$"}}]
    ok = {"description": "ok", "content": {"application/json": {"schema": session}}}
    return load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/sessions": {"post": {"operationId": "create_session", "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"type": "object", "properties": {"kernel": kernel}}}}},
            "responses": {"201": ok, "400": {"description": "bad"}}}},
        "/sessions/{sid}": {
            "get": {"operationId": "get_session", "parameters": ident, "responses": {"200": ok, "404": {"description": "no"}}},
            "patch": {"operationId": "patch_session", "parameters": ident, "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"type": "object", "properties": {"kernel": kernel}}}}},
                "responses": {"200": ok, "400": {"description": "bad"}, "404": {"description": "no"}}}},
        "/files/{path}": {
            "put": {"operationId": "save_file", "parameters": path, "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"type": "object", "required": ["text"], "properties": {
                    "text": {"type": "string"}}}}}}, "responses": {"201": {"description": "saved"}, "400": {"description": "bad"}}},
            "get": {"operationId": "get_file", "parameters": path, "responses": {"200": {"description": "ok"}, "404": {"description": "no"}}}},
    }})


def test_patch_of_an_existing_resource_and_put_on_fresh_names() -> None:
    sessions: dict[str, Any] = {}
    files: set[str] = set()

    def handler(request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        try:
            body = json.loads(request.content) if request.content else None
        except ValueError:
            return httpx.Response(400)
        if parts[0] == "files" and (len(parts) != 2 or not re.fullmatch("[a-z]{1,20}", parts[1])):
            return httpx.Response(404)
        if parts == ["sessions"] and request.method == "POST":
            sid = f"s{len(sessions)}"
            sessions[sid] = {"id": sid}
            return httpx.Response(201, json=sessions[sid])
        if parts[0] == "sessions":
            if parts[1] not in sessions:
                return httpx.Response(404)
            if request.method == "PATCH":
                if not isinstance(body, dict) or not isinstance(body.get("kernel", {}), dict):
                    return httpx.Response(500, text="AttributeError: 'NoneType' object has no attribute 'get'")
                return httpx.Response(200, json=sessions[parts[1]])
            return httpx.Response(200, json=sessions[parts[1]])
        if parts[0] == "files":
            if request.method == "PUT":
                if parts[1] in files:  # an existing file: the body is never read
                    return httpx.Response(201)
                if not isinstance(body, dict) or not isinstance(body.get("text"), str):
                    return httpx.Response(400)
                files.add(parts[1])
                return httpx.Response(201)
            return httpx.Response(200 if parts[1] in files else 404)
        return httpx.Response(404)

    spec = _spec()
    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, max_examples=20,
                                                                          phases=("examples", "boundary", "fuzz")))
    findings = fuzzer.run(list(spec.operations))
    found = {(f.operation_id, f.failure.check) for f in findings}
    assert ("patch_session", "server_error") in found  # only an existing session reaches the crash
    assert ("save_file", "negative_accepted") not in found  # every PUT names a new file
