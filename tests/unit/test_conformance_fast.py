"""Response bodies are checked by the compiled yes/no check first; jsonschema writes the messages.

The verdict must not depend on which path answered: a conforming body has no violation, a
broken one gets jsonschema's own messages, and a run whose responses conform never imports
jsonschema (its import is ~30 ms of every `toolcheck run` start-up).
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from toolcheck.checks.conformance import check_response, schema_errors
from toolcheck.spec import load_spec_dict
from toolcheck.spec.jsonschema import schema_errors as jsonschema_errors

ITEM = {"type": "object", "required": ["id", "name"], "additionalProperties": False, "properties": {
    "id": {"type": "integer", "minimum": 1},
    "name": {"type": "string", "minLength": 1},
    "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
}}
TAG = {"type": "object", "required": ["label"], "properties": {
    "label": {"type": "string", "enum": ["a", "b"]}, "at": {"type": "string", "format": "date"}}}


def _spec(schema: Any) -> Any:
    return load_spec_dict({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/items": {"get": {"responses": {"200": {
            "description": "x", "content": {"application/json": {"schema": schema}}}}}}},
        "components": {"schemas": {"Tag": TAG}},
    })


@pytest.mark.parametrize("body", [
    {"id": 1, "name": "x"},
    {"id": 2.0, "name": "x", "tags": [{"label": "a", "at": "2024-01-31"}]},
    {"id": 0, "name": "x"},
    {"id": True, "name": "x"},
    {"id": 1, "name": ""},
    {"id": 1},
    {"id": 1, "name": "x", "extra": 1},
    {"id": 1, "name": "x", "tags": [{"label": "c"}]},
    {"id": 1, "name": "x", "tags": [{"label": "a", "at": "2024-02-31"}]},
    [],
    None,
])
def test_the_verdict_and_messages_are_jsonschemas(body: Any) -> None:
    spec = _spec(ITEM)
    schema = spec.operation("GET /items").responses["200"].content["application/json"].schema
    assert schema_errors(spec, schema, body) == jsonschema_errors(spec, schema, body)


def test_a_schema_the_compiled_check_does_not_cover_still_gets_checked() -> None:
    spec = _spec({"type": "integer", "multipleOf": 3})
    schema = spec.operation("GET /items").responses["200"].content["application/json"].schema
    assert schema_errors(spec, schema, 9) == []
    assert schema_errors(spec, schema, 10) == jsonschema_errors(spec, schema, 10) != []


def test_a_conforming_response_does_not_import_jsonschema() -> None:
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/items": {"get": {
        "responses": {"200": {"description": "x", "content": {"application/json": {"schema": {
            "type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}}}}}}}}}
    code = ("import sys\n"
            "from toolcheck.checks.conformance import check_response\n"
            "from toolcheck.spec import load_spec_dict\n"
            f"spec = load_spec_dict({document!r})\n"
            "op = spec.operation('GET /items')\n"
            "ok = check_response(spec, op, 200, {'content-type': 'application/json'}, raw=b'{\"id\": 1}')\n"
            "print(ok, 'jsonschema' in sys.modules)\n"
            "bad = check_response(spec, op, 200, {'content-type': 'application/json'}, raw=b'{\"id\": \"1\"}')\n"
            "print([v.check for v in bad], 'jsonschema' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.splitlines() == ["[] False", "['body_schema'] True"], out.stdout + out.stderr


def test_check_response_reports_every_body_error() -> None:
    spec = _spec(ITEM)
    op = spec.operation("GET /items")
    got = check_response(spec, op, 200, {"Content-Type": "application/json"}, raw=b'{"id": 0, "extra": 1}')
    assert [v.check for v in got] == ["body_schema"] * 3
    assert {v.pointer for v in got} == {"", "/id"}


@pytest.mark.parametrize("with_unevaluated", [False, True])
def test_a_response_need_not_carry_a_required_write_only_member(with_unevaluated: bool) -> None:
    # OpenAPI 3.0.3 §4.7.25: a required writeOnly property is required in requests only; a
    # real API leaving `cvc` out of its answer conforms (both validators, inside anyOf too).
    card: dict[str, Any] = {"type": "object", "required": ["number", "cvc"],
                            "properties": {"number": {"type": "string"}, "cvc": {"type": "integer", "writeOnly": True}}}
    source: dict[str, Any] = {"anyOf": [card, {"type": "object", "required": ["iban"]}]}
    if with_unevaluated:
        source["unevaluatedProperties"] = False  # not compiled: jsonschema answers
    schema = {"type": "object", "required": ["source"], "properties": {"source": source}}
    spec = _spec(schema)
    assert schema_errors(spec, schema, {"source": {"number": "4242"}}) == []
    assert schema_errors(spec, schema, {"source": {}}) != []
