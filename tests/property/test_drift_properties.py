"""Properties of diff(): identity is empty, and request/response levels mirror each other."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolcheck.drift import diff
from toolcheck.spec import load_spec_dict

scalars = st.sampled_from([{"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"},
                           {"type": "string", "maxLength": 10}, {"type": "integer", "minimum": 0},
                           {"type": "string", "enum": ["a", "b"]}, {"$ref": "#/components/schemas/Leaf"}])
schemas = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.builds(lambda props, req: {"type": "object", "properties": props,
                                      "required": sorted(k for k in props if k in req)},
                  st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), inner, max_size=3),
                  st.sets(st.sampled_from(["a", "b", "c"]))),
        st.builds(lambda items: {"type": "array", "items": items}, inner),
        st.builds(lambda xs: {"oneOf": xs}, st.lists(inner, min_size=2, max_size=3)),
    ),
    max_leaves=8,
)


def _spec(body: Any, response: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "p", "version": "1"},
            "components": {"schemas": {"Leaf": {"type": "object", "properties": {"x": {"type": "string"}}}}},
            "paths": {"/p": {"post": {"operationId": "p", "requestBody": {"content": {"application/json": {
                "schema": body}}}, "responses": {"200": {"description": "ok", "content": {
                    "application/json": {"schema": response}}}}}}}}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas, schemas)
def test_diff_with_itself_is_empty(body: Any, response: Any) -> None:
    doc = _spec(body, response)
    assert diff(load_spec_dict(doc), load_spec_dict(copy.deepcopy(doc))).findings == ()


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 100), st.integers(1, 100))
def test_request_and_response_levels_mirror(a: int, b: int) -> None:
    def s(n: int) -> dict[str, Any]:
        prop = {"type": "object", "properties": {"v": {"type": "string", "maxLength": n}}}
        return _spec(prop, prop)
    findings = diff(load_spec_dict(s(a)), load_spec_dict(s(b))).findings
    levels = {f.rule.split("-")[0]: f.level for f in findings if f.rule.startswith(("request-", "response-"))}
    if a == b:
        assert not findings
    elif b < a:  # tighter: breaks what clients send, not what they receive
        assert levels == {"request": "error", "response": "info"}
    else:
        assert levels == {"request": "info", "response": "error"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)
keywords = st.sampled_from(["type", "properties", "required", "items", "enum", "allOf", "oneOf", "anyOf",
                            "maxLength", "minimum", "additionalProperties", "discriminator", "$ref", "const",
                            "pattern", "readOnly", "nullable", "default", "format", "not", "if"])
garbage = st.dictionaries(keywords, json_values, max_size=5)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(garbage, garbage)
def test_malformed_schemas_never_crash_the_differ(old: Any, new: Any) -> None:
    """A spec mid-edit can hold anything where a schema should be: diff() must not raise."""
    try:
        a, b = load_spec_dict(_spec(old, old)), load_spec_dict(_spec(new, new))
    except Exception:  # the loader's own errors are its concern (ToolcheckError there)
        return
    diff(a, b)
    diff(b, a)


def _operation_doc(values: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "p", "version": values.get("version", "1")},
            "security": values.get("security", []),
            "components": {"securitySchemes": {"s": values.get("scheme", {"type": "http", "scheme": "bearer"})}},
            "paths": {"/p/{id}": {"get": {
                "operationId": "getP", "tags": values.get("tags", []), "deprecated": values.get("deprecated", False),
                "x-sunset": values.get("sunset"), "x-stability-level": values.get("stability"),
                "security": values.get("op_security", []),
                "description": values.get("description", ""),
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": values.get("param", {})},
                               {"name": "q", "in": values.get("in", "query"), "schema": values.get("param2", {}),
                                "deprecated": values.get("pdep", False), "x-sunset": values.get("psunset")}],
                "responses": {"200": {"description": "ok", "headers": {"X-H": values.get("header", {})},
                                      "content": {"application/json": {"schema": values.get("body", {}),
                                                                       "examples": values.get("examples", {})}}}}}}}}


operation_values = st.dictionaries(
    st.sampled_from(["version", "security", "scheme", "tags", "deprecated", "sunset", "stability", "op_security",
                     "description", "param", "in", "param2", "pdep", "psunset", "header", "body", "examples"]),
    json_values, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operation_values, operation_values)
def test_malformed_operations_never_crash_the_differ(old: Any, new: Any) -> None:
    try:
        a, b = load_spec_dict(_operation_doc(old)), load_spec_dict(_operation_doc(new))
    except Exception:  # the loader's own errors are its concern
        return
    diff(a, b)
    diff(b, a)
