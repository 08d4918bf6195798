"""Validation messages in JSON spelling with the reason whole (issue 17)."""
from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from toolcheck.spec.jsonschema import describe


def _message(schema: dict[str, Any], instance: Any) -> str:
    error = next(jsonschema.Draft202012Validator(schema).iter_errors(instance))
    return describe(error)


@pytest.mark.parametrize(("schema", "instance", "expected"), [
    ({"type": "string"}, None, 'null is not of type "string"'),
    ({"type": ["number", "null"]}, "-1.5", '"-1.5" is not of type "number" or "null"'),
    ({"type": "integer"}, False, 'false is not of type "integer"'),
    ({"const": True}, False, "false is not true"),
    ({"required": ["name"]}, {}, '"name" is a required property'),
    ({"minLength": 3}, "ab", '"ab" is too short'),
    ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": None},
     'additional properties are not allowed ("b" unexpected)'),
])
def test_values_are_spelled_as_json(schema: dict[str, Any], instance: Any, expected: str) -> None:
    assert _message(schema, instance) == expected


def test_a_long_enum_is_shortened_not_the_reason() -> None:
    values = [f"error_code_number_{i}" for i in range(60)]
    message = _message({"enum": values}, "file_not_found")
    assert message.startswith('"file_not_found" is not one of ["error_code_number_0", ')
    assert message.endswith("… 52 more]")
    assert "None" not in message and "'" not in message
