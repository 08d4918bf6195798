"""Positive generation and proven negatives on inline specs and the example spec."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from toolcheck.payloads import MAXIMAL, MINIMAL, RANDOM, ValueGenerator, generate_cases
from toolcheck.payloads.negative import negatives
from toolcheck.payloads.positive import CaseFactory
from toolcheck.spec import Spec, load_spec, load_spec_dict
from toolcheck.wire.read import coerce, parameter_accepts


def _spec(schemas: dict[str, Any], paths: dict[str, Any] | None = None) -> Spec:
    return load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths or {},
                           "components": {"schemas": schemas}})


SCHEMAS = {
    "Node": {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "minLength": 2, "maxLength": 5},
        "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}},
    "Mixed": {"allOf": [
        {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "pattern": "^ab_[0-9]{3}$"}}},
        {"type": "object", "properties": {"when": {"type": "string", "format": "date-time"},
                                           "kind": {"oneOf": [{"type": "integer", "minimum": 5, "maximum": 5},
                                                              {"type": "string", "enum": ["x"]}]}}},
    ]},
    "Numbers": {"type": "object", "required": ["a", "b"], "additionalProperties": False, "properties": {
        "a": {"type": "integer", "exclusiveMinimum": 0, "maximum": 3, "multipleOf": 1},
        "b": {"type": "number", "minimum": -1.5, "maximum": 2.5},
        "c": {"type": ["string", "null"], "format": "uuid"},
        "d": {"type": "array", "minItems": 2, "maxItems": 3, "uniqueItems": True, "items": {"type": "integer", "minimum": 0, "maximum": 10}},
    }},
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@pytest.mark.parametrize("mode", [RANDOM, MINIMAL, MAXIMAL])
def test_generated_values_validate(name: str, mode: str) -> None:
    spec = _spec(SCHEMAS)
    schema = {"$ref": f"#/components/schemas/{name}"}
    validator = spec.validator(schema)
    gen = ValueGenerator(spec, random.Random(3))
    for _ in range(30):
        value = gen.valid_value(schema, mode)
        assert validator.is_valid(value), value


def test_minimal_drops_optional_and_cycles_stay_bounded() -> None:
    spec = _spec(SCHEMAS)
    gen = ValueGenerator(spec, random.Random(0), max_depth=3)
    assert gen.valid_value({"$ref": "#/components/schemas/Node"}, MINIMAL) == {"name": "aa"}
    deep = gen.valid_value({"$ref": "#/components/schemas/Node"}, MAXIMAL)
    depth, node = 0, deep
    while node.get("children"):
        node, depth = node["children"][0], depth + 1
    assert depth <= 3


def test_wire_round_trip_decides_what_is_negative(example_spec_path: Path) -> None:
    spec = load_spec(str(example_spec_path))
    limit = spec.operation("search_customers").parameter("limit")
    assert limit is not None
    assert parameter_accepts(spec, limit, "5")  # a number sent as a string is the same on the wire
    assert not parameter_accepts(spec, limit, "ten")
    assert not parameter_accepts(spec, limit, 0)
    assert coerce(spec, limit.schema, "7") == 7


def test_negatives_are_proven_and_labelled(example_spec_path: Path) -> None:
    spec = load_spec(str(example_spec_path))
    for op in spec.operations:
        factory = CaseFactory(spec, op, random.Random(1))
        base = factory.positive(MAXIMAL)
        cases = negatives(spec, factory, base)
        assert cases, op.operation_id
        llm_flags = [c.llm for c in cases]
        assert llm_flags == sorted(llm_flags, reverse=True), "LLM-style mistakes come first"
        for case in cases:
            assert case.negative and case.keyword and case.pointer
            if case.pointer.startswith("body") and case.has_body and case.raw_body is None:
                assert factory.body_schema is not None
                assert not spec.validator(factory.body_schema).is_valid(case.body), case.label


def test_llm_mistakes_are_generated(example_spec_path: Path) -> None:
    spec = load_spec(str(example_spec_path))
    tickets = generate_cases(spec, spec.operation("open_ticket"), negative=True, count=500)
    labels = " | ".join(c.label for c in tickets)
    assert "near-miss enum value 'Normal'" in labels or "near-miss enum value" in labels
    assert "invented extra field" in labels
    assert "null for optional field 'priority'" in labels
    invoices = generate_cases(spec, spec.operation("create_invoice"), negative=True, count=500)
    labels = " | ".join(c.label for c in invoices)
    assert "number as a string" in labels
    assert "date as DD/MM/YYYY" in labels
    tasks = generate_cases(spec, spec.operation("list_tasks"), negative=True, count=500)
    enum_case = next(c for c in tasks if c.pointer == "query/status" and c.keyword == "enum" and c.llm)
    assert enum_case.query["status"][0].isupper()
    # header and cookie negatives may be ignored by a server: they are lenient
    assert all(not c.lenient for c in tasks if c.pointer.startswith("query/"))


def test_header_negatives_are_lenient() -> None:
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": {
        "parameters": [{"name": "X-Limit", "in": "header", "required": True, "schema": {"type": "integer", "maximum": 5}}],
        "responses": {"200": {"description": "ok"}}}}}})
    cases = generate_cases(spec, spec.operations[0], negative=True, count=50)
    assert cases and all(c.lenient for c in cases)
    assert any(c.keyword == "required" for c in cases)


def test_positive_cases_validate_and_are_deterministic(example_spec_path: Path) -> None:
    spec = load_spec(str(example_spec_path))
    for op in spec.operations:
        a = generate_cases(spec, op, seed=5, count=15)
        b = generate_cases(spec, op, seed=5, count=15)
        assert [c.to_dict() for c in a] == [c.to_dict() for c in b]
        for case in a:
            for param in op.parameters:
                slot = {"query": case.query, "path": case.path_params, "header": case.headers}[param.location]
                if param.name in slot:
                    assert parameter_accepts(spec, param, slot[param.name])
            if op.request_body is not None and case.has_body:
                schema = op.request_body.content["application/json"].schema
                assert spec.validator(schema).is_valid(case.body)


def test_positive_query_values_survive_the_wire() -> None:
    # Discord's include_roles: array of oneOf [null, snowflake]; a null item goes out as "" and
    # is read back as "", which no branch allows: the mock rightly said 400 to a "valid" case.
    roles = {"oneOf": [{"type": "string"}, {"type": "array", "uniqueItems": True, "items": {
        "oneOf": [{"type": "null"}, {"type": "string", "pattern": "^[0-9]{1,8}$"}]}}]}
    spec = _spec({}, {"/prune": {"get": {"operationId": "prune", "parameters": [
        {"name": "include_roles", "in": "query", "schema": roles}], "responses": {"200": {"description": "ok"}}}}})
    op = spec.operation("prune")
    for seed in range(60):
        factory = CaseFactory(spec, op, random.Random(seed))
        for mode in (MAXIMAL, RANDOM):
            case = factory.positive(mode)
            if "include_roles" in case.query:
                assert parameter_accepts(spec, op.parameters[0], case.query["include_roles"]), case.query
