"""Schema arithmetic shared by the mock's and the fuzzer's generators (``toolcheck.generate``)."""

from __future__ import annotations

import random

from toolcheck.generate import fill_items, merge, numeric_bounds
from toolcheck.payloads import MAXIMAL, MINIMAL, RANDOM, ValueGenerator
from toolcheck.spec import load_spec_dict


def test_numeric_bounds_exclusive_and_fractional() -> None:
    assert numeric_bounds({"exclusiveMinimum": 0.5, "maximum": 3.7}, integer=True) == (1, 3)
    assert numeric_bounds({"exclusiveMinimum": 0, "exclusiveMaximum": 10}, integer=True) == (1, 9)
    assert numeric_bounds({"minimum": 2, "exclusiveMinimum": 1}, integer=True) == (2, None)
    assert numeric_bounds({"exclusiveMinimum": 1}, integer=False) == (1.01, None)
    lo, hi = numeric_bounds({"exclusiveMinimum": 1, "exclusiveMaximum": 2}, integer=False, step=1e-6)
    assert 1 < lo < 1.00001 and 1.99999 < hi < 2
    assert numeric_bounds({"minimum": True}, integer=True) == (None, None)


def test_merge_tightens_bounds_and_combines_members() -> None:
    merged = merge({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}, "maximum": 10},
                   {"type": ["object", "null"], "required": ["b", "a"], "properties": {"b": {}}, "maximum": 5,
                    "enum": [1]})
    assert merged["type"] == ["object"] and merged["required"] == ["a", "b"]
    assert set(merged["properties"]) == {"a", "b"} and merged["maximum"] == 5
    assert merge({"type": "number"}, {"type": "integer"})["type"] == ["integer"]


def test_fill_items_redraws_duplicates_and_stops_at_false() -> None:
    values = iter([1, 1, 2, 2, 3])
    assert fill_items(3, [], {}, lambda sub: next(values), unique=True) == [1, 2, 3]
    assert fill_items(3, [{"p": 1}], False, lambda sub: sub, unique=False) == [{"p": 1}]
    assert fill_items(5, [], {}, lambda sub: 0, unique=True) == [0]  # gives up after bounded redraws


def test_fuzzer_all_of_bounds_are_intersected() -> None:
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
                           "components": {"schemas": {}}})
    schema = {"allOf": [{"type": "integer", "maximum": 100}, {"maximum": 5, "exclusiveMinimum": 0.5}]}
    gen = ValueGenerator(spec, random.Random(2))
    assert gen.valid_value(schema, MINIMAL) == 1
    assert gen.valid_value(schema, MAXIMAL) == 5
    assert all(1 <= gen.valid_value(schema, RANDOM) <= 5 for _ in range(50))


def test_format_values_are_valid_and_fuzzer_minimal_is_fixed() -> None:
    import jsonschema

    from toolcheck.generate import FORMATS

    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    rng = random.Random(4)
    for fmt, maker in FORMATS.items():
        for _ in range(20):
            assert checker.conforms(maker(rng), fmt), (fmt,)
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
                           "components": {"schemas": {}}})
    gen = ValueGenerator(spec, random.Random(0))
    assert gen.valid_value({"type": "string", "format": "date-time"}, MINIMAL) == "2026-01-01T00:00:00Z"
    assert gen.valid_value({"type": "string", "format": "email"}, MINIMAL) == "a@example.com"
    # a format value that misses the schema's pattern is not used
    for _ in range(10):
        value = gen.valid_value({"type": "string", "format": "hostname", "pattern": r"^z[0-9]{3}\.example\.com$"}, RANDOM)
        assert value.startswith("z")
