from __future__ import annotations

import random
import re
from typing import Any

import jsonschema
import pytest

from toolcheck.mock.generate import GenerationError, generate_value
from toolcheck.spec import load_spec_dict


def _spec(schemas: dict[str, Any]) -> Any:
    return load_spec_dict({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": schemas},
    })


def _check(spec: Any, schema: Any, value: Any) -> None:
    spec.validator(schema).validate(value)


def test_constraints_formats_and_names() -> None:
    spec = _spec({"Thing": {
        "type": "object",
        "required": ["id", "email", "count", "ratio", "code", "kind", "when", "tags", "fixed", "maybe"],
        "properties": {
            "id": {"type": "string", "pattern": "^thg_[a-z0-9]{6}$"},
            "email": {"type": "string", "format": "email"},
            "count": {"type": "integer", "minimum": 5, "maximum": 7},
            "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "code": {"type": "string", "minLength": 12, "maxLength": 12},
            "kind": {"enum": ["a", "b"]},
            "when": {"type": "string", "format": "date-time"},
            "tags": {"type": "array", "items": {"type": "integer", "multipleOf": 3}, "minItems": 2, "uniqueItems": True},
            "fixed": {"const": {"x": 1}},
            "maybe": {"type": ["string", "null"]},
        },
    }})
    schema = {"$ref": "#/components/schemas/Thing"}
    for seed in range(30):
        value = generate_value(spec, schema, rng=random.Random(seed))
        _check(spec, schema, value)
        assert re.match("^thg_", value["id"]) and "@" in value["email"]
        assert 5 <= value["count"] <= 7 and len(value["code"]) == 12
        assert all(t % 3 == 0 for t in value["tags"]) and len(set(value["tags"])) == len(value["tags"])


def test_realistic_by_property_name() -> None:
    spec = _spec({"P": {"type": "object", "required": ["email", "city", "customer_id", "created_at"], "properties": {
        "email": {"type": "string"}, "city": {"type": "string"}, "customer_id": {"type": "string"},
        "created_at": {"type": "string"},
    }}})
    value = generate_value(spec, {"$ref": "#/components/schemas/P"}, rng=random.Random(1))
    assert "@" in value["email"]
    assert value["city"][0].isupper()
    assert value["customer_id"].startswith("cust_")
    assert re.match(r"^\d{4}-\d{2}-\d{2}T", value["created_at"])


def test_deterministic_per_seed_and_varies_across_seeds() -> None:
    spec = _spec({"P": {"type": "object", "properties": {"name": {"type": "string"}, "n": {"type": "integer"}}}})
    schema = {"$ref": "#/components/schemas/P"}
    first = [generate_value(spec, schema, rng=random.Random(s)) for s in range(5)]
    again = [generate_value(spec, schema, rng=random.Random(s)) for s in range(5)]
    assert first == again
    assert len({repr(v) for v in first}) > 1


def test_cycles_terminate_and_validate() -> None:
    spec = _spec({
        "Node": {"type": "object", "required": ["name", "children"], "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            "parent": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]},
        }},
    })
    schema = {"$ref": "#/components/schemas/Node"}
    for seed in range(10):
        _check(spec, schema, generate_value(spec, schema, rng=random.Random(seed)))


def test_all_of_one_of_with_discriminator() -> None:
    spec = _spec({
        "Base": {"type": "object", "required": ["pet_type"], "properties": {"pet_type": {"type": "string"}}},
        "Cat": {"allOf": [{"$ref": "#/components/schemas/Base"},
                          {"type": "object", "required": ["meows"], "properties": {"meows": {"type": "boolean"}}}]},
        "Dog": {"allOf": [{"$ref": "#/components/schemas/Base"},
                          {"type": "object", "required": ["barks"], "properties": {"barks": {"type": "integer", "minimum": 1}}}]},
        "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                "discriminator": {"propertyName": "pet_type", "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}}},
    })
    schema = {"$ref": "#/components/schemas/Pet"}
    seen = set()
    for seed in range(20):
        value = generate_value(spec, schema, rng=random.Random(seed))
        _check(spec, schema, value)
        assert (value["pet_type"] == "cat") == ("meows" in value)
        seen.add(value["pet_type"])
    assert seen == {"cat", "dog"}


def test_read_only_and_write_only_by_direction() -> None:
    spec = _spec({"U": {"type": "object", "properties": {
        "id": {"type": "string", "readOnly": True}, "password": {"type": "string", "writeOnly": True},
        "name": {"type": "string"},
    }}})
    schema = {"$ref": "#/components/schemas/U"}
    for seed in range(10):
        response = generate_value(spec, schema, rng=random.Random(seed), direction="response")
        request = generate_value(spec, schema, rng=random.Random(seed), direction="request")
        assert "password" not in response and "id" not in request


def test_unsatisfiable_raises() -> None:
    spec = _spec({})
    with pytest.raises(GenerationError):
        generate_value(spec, {"type": "string", "minLength": 5, "maxLength": 2}, rng=random.Random(0))
    with pytest.raises(GenerationError):
        generate_value(spec, {"type": "integer", "not": {"type": "integer"}}, rng=random.Random(0))


def test_independent_validator_agrees_on_inline_schema() -> None:
    spec = _spec({})
    schema = {"type": "object", "required": ["m"], "properties": {
        "m": {"type": "object", "additionalProperties": {"type": "integer", "maximum": -5}, "minProperties": 2},
    }, "additionalProperties": False}
    value = generate_value(spec, schema, rng=random.Random(0))
    jsonschema.Draft202012Validator(schema).validate(value)
    assert len(value["m"]) >= 2


def test_schema_examples_are_reused_when_they_fit() -> None:
    spec = _spec({"C": {"type": "object", "required": ["company", "code"], "properties": {
        "company": {"type": "string", "examples": ["Acme Widgets"]},
        "code": {"type": "string", "pattern": "^[A-Z]{3}$", "example": "nope"},
    }}})
    values = [generate_value(spec, {"$ref": "#/components/schemas/C"}, rng=random.Random(s)) for s in range(20)]
    assert any(v["company"] == "Acme Widgets" for v in values)
    assert all(re.match("^[A-Z]{3}$", v["code"]) for v in values)


def test_a_discriminator_value_allowed_beside_the_oneof_names_the_generated_branch() -> None:
    option: dict[str, Any] = {"type": "object", "required": ["discrim"], "properties": {"discrim": {"type": "string"}}}
    spec = load_spec_dict({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": {
            "One": {**option, "properties": {**option["properties"], "one": {"type": "number"}}},
            "Two": {**option, "properties": {**option["properties"], "two": {"type": "string"}}},
            "Body": {"type": "object",
                     "properties": {"tag": {"type": "string", "enum": ["oneA", "oneB", "twoA"]}},
                     "discriminator": {"propertyName": "tag", "mapping": {
                         "oneA": "#/components/schemas/One", "oneB": "#/components/schemas/One",
                         "twoA": "#/components/schemas/Two"}},
                     "oneOf": [{"$ref": "#/components/schemas/One"}, {"$ref": "#/components/schemas/Two"}]},
        }},
    })
    for seed in range(30):
        value = generate_value(spec, spec.schemas["Body"], rng=random.Random(seed))
        if "one" in value:
            assert value["tag"] in ("oneA", "oneB"), value
        if "two" in value:
            assert value["tag"] == "twoA", value


def test_only_timestamp_names_get_dates() -> None:
    import random

    from toolcheck.mock._realistic import string_for_name

    for name in ("created_at", "updatedAt", "createdat", "expires_at"):
        value = string_for_name(name, random.Random(0))
        assert value is not None and value[:2] == "20" and "T" in value, name
    for name in ("format", "chat", "heartbeat", "combat"):
        value = string_for_name(name, random.Random(0))
        assert value is None or "T" not in value or not value[:4].isdigit(), (name, value)
