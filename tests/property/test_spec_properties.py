"""Properties of loading: deterministic, schemas valid JSON Schema 2020-12, load∘dump stable."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolcheck.spec import load_spec_dict

NAMES = st.sampled_from(["Pet", "Owner", "Tag", "Error", "Order"])
PROPS = st.sampled_from(["id", "name", "tags", "owner", "status", "created_at", "example", "default"])


def schema_strategy(depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.one_of(
        st.fixed_dictionaries({"type": st.sampled_from(["string", "integer", "number", "boolean"])},
                              optional={"nullable": st.booleans(), "format": st.sampled_from(["date", "date-time", "email", "int32"])}),
        st.fixed_dictionaries({"type": st.just("integer"), "minimum": st.integers(-5, 5)},
                              optional={"exclusiveMinimum": st.booleans(), "maximum": st.integers(6, 20),
                                        "exclusiveMaximum": st.booleans()}),
        st.fixed_dictionaries({"type": st.just("string"), "enum": st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=3, unique=True)},
                              optional={"nullable": st.booleans()}),
        NAMES.map(lambda n: {"$ref": f"#/components/schemas/{n}"}),
    )
    if depth == 0:
        return leaf
    child = schema_strategy(depth - 1)
    return st.one_of(
        leaf,
        st.fixed_dictionaries(
            {"type": st.just("object"), "properties": st.dictionaries(PROPS, child, max_size=3)},
            optional={"required": st.lists(PROPS, max_size=4), "nullable": st.booleans(),
                      "additionalProperties": st.one_of(st.booleans(), child)},
        ),
        st.fixed_dictionaries({"type": st.just("array"), "items": child}, optional={"nullable": st.booleans()}),
        st.fixed_dictionaries({"allOf": st.lists(child, min_size=1, max_size=2)}, optional={"nullable": st.booleans()}),
        st.fixed_dictionaries({"oneOf": st.lists(child, min_size=1, max_size=2)}, optional={"nullable": st.booleans()}),
    )


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    schemas = {name: draw(schema_strategy()) for name in ["Pet", "Owner", "Tag", "Error", "Order"]}
    paths: dict[str, Any] = {}
    for i in range(draw(st.integers(1, 4))):
        method = draw(st.sampled_from(["get", "post", "put", "delete"]))
        op: dict[str, Any] = {
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": draw(schema_strategy(1))}}},
                "4XX": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": draw(schema_strategy(0))}],
        }
        if draw(st.booleans()):
            op["operationId"] = f"op{i}"
        if method != "get":
            op["requestBody"] = {"content": {"application/json": {"schema": draw(schema_strategy(1))}}}
        paths[f"/r{i}/{{id}}"] = {method: op}
    return {"openapi": "3.0.3", "info": {"title": "generated", "version": "1"}, "paths": paths,
            "components": {"schemas": schemas}}


def all_schemas(spec: Any) -> list[Any]:
    found: list[Any] = list(spec.schemas.values())
    for op in spec.operations:
        found.extend(p.schema for p in op.parameters)
        if op.request_body:
            found.extend(m.schema for m in op.request_body.content.values())
        for response in op.responses.values():
            found.extend(m.schema for m in response.content.values())
    return found


SETTINGS = settings(max_examples=int(__import__("os").environ.get("TOOLCHECK_PROPERTY_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(documents())
def test_loading_is_deterministic(doc: dict[str, Any]) -> None:
    a = load_spec_dict(doc)
    b = load_spec_dict(copy.deepcopy(doc))
    assert json.dumps(a.document, sort_keys=True) == json.dumps(b.document, sort_keys=True)
    assert a.operations == b.operations
    assert [p.to_dict() for p in a.problems] == [p.to_dict() for p in b.problems]


@SETTINGS
@given(documents())
def test_every_resolved_schema_is_valid_json_schema(doc: dict[str, Any]) -> None:
    spec = load_spec_dict(doc)
    for schema in all_schemas(spec):
        jsonschema.Draft202012Validator.check_schema(schema)
        # references resolve (cycles included) when a validator evaluates them
        spec.validator(schema).is_valid(None)


@SETTINGS
@given(documents())
def test_dump_and_reload_gives_the_same_model(doc: dict[str, Any]) -> None:
    first = load_spec_dict(doc)
    dumped = json.loads(json.dumps(first.document))
    second = load_spec_dict(dumped)
    assert second.document == first.document
    assert second.operations == first.operations
