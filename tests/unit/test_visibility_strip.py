"""``spec.visibility.strip``: a response loses its writeOnly members at any depth, through
recursive schemas, and a value with nothing to hide comes back as the same object."""

from __future__ import annotations

from typing import Any

from toolcheck.spec import load_spec_dict
from toolcheck.spec.visibility import strip

DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {},
    "components": {"schemas": {
        "Node": {"type": "object", "properties": {
            "name": {"type": "string"},
            "secret": {"type": "string", "writeOnly": True},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            "meta": {"allOf": [{"$ref": "#/components/schemas/Plain"}]},
        }},
        "Plain": {"type": "object", "properties": {"a": {"type": "string"}},
                  "additionalProperties": {"type": "string"}},
        "Bag": {"type": "object", "additionalProperties": {"type": "string", "writeOnly": True}},
    }},
}


def _spec() -> Any:
    return load_spec_dict(DOC)


def test_recursive_schema_loses_write_only_members_at_every_depth() -> None:
    spec = _spec()
    node = spec.document["components"]["schemas"]["Node"]
    value = {"name": "a", "secret": "s", "children": [
        {"name": "b", "children": [{"name": "c", "secret": "deep"}]}]}
    out = strip(spec, node, value, "writeOnly")
    assert out == {"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}
    deep: Any = value["children"]
    assert deep[0]["children"][0]["secret"] == "deep"  # the input is not mutated
    # asked again (the plan is now cached), the answer is the same
    assert strip(spec, node, value, "writeOnly") == out


def test_nothing_to_hide_returns_the_same_object() -> None:
    spec = _spec()
    node = spec.document["components"]["schemas"]["Node"]
    plain = spec.document["components"]["schemas"]["Plain"]
    value = {"name": "a", "meta": {"a": "x", "other": "y"}, "children": [{"name": "b"}]}
    assert strip(spec, node, value, "writeOnly") is value
    meta = {"a": "x", "z": "y"}
    assert strip(spec, plain, meta, "writeOnly") is meta
    assert strip(spec, node, value, "readOnly") is value


def test_additional_properties_marked_write_only_are_removed() -> None:
    spec = _spec()
    bag = spec.document["components"]["schemas"]["Bag"]
    assert strip(spec, bag, {"k": "v", "j": "w"}, "writeOnly") == {}
