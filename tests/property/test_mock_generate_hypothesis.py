"""Hypothesis over random schemas: generated values validate (or the schema is unsatisfiable),
and the compiled yes/no check agrees with jsonschema on those values and on arbitrary JSON."""

from __future__ import annotations

import random
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolcheck.mock._fastcheck import fast_check
from toolcheck.mock.generate import GenerationError, generate_value
from toolcheck.spec import load_spec_dict

SPEC = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}})
PATTERNS = ["^[a-z]+$", "^[A-Z]{2,3}$", r"^\d{3}-\d{2}$", "^(ab|cd)+x?$", "^item_[0-9a-f]{4,}$", "[.]json$"]
FORMATS = ["email", "date-time", "date", "uuid", "uri", "ipv4", "hostname"]

names = st.sampled_from(["id", "name", "email", "city", "count", "tags", "created_at", "owner_id", "€", "a b"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(["x", "", "EUR", "2026-01-01"]))


def _string() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"type": st.just("string")}, optional={
        "minLength": st.integers(0, 4), "maxLength": st.integers(4, 30),
        "pattern": st.sampled_from(PATTERNS), "format": st.sampled_from(FORMATS)})


def _number() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"type": st.sampled_from(["integer", "number"])}, optional={
        "minimum": st.integers(-100, 0), "maximum": st.integers(1, 100),
        "exclusiveMinimum": st.integers(-200, -101), "multipleOf": st.sampled_from([2, 5, 0.5])})


leaves = st.one_of(
    _string(), _number(), st.just({"type": "boolean"}), st.just({"type": "null"}),
    st.builds(lambda v: {"enum": v}, st.lists(scalars, min_size=1, max_size=4)),
    st.builds(lambda v: {"const": v}, scalars),
    st.builds(lambda t: {"type": [t, "null"]}, st.sampled_from(["string", "integer", "boolean"])),
    st.just({}),
)


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    objects = st.builds(
        lambda props, req, extra: {"type": "object", "properties": props,
                                   "required": [k for k in props if req(k)], **extra},
        st.dictionaries(names, children, max_size=4),
        st.sampled_from([lambda k: True, lambda k: False, lambda k: len(k) % 2 == 0]),
        st.sampled_from([{}, {"additionalProperties": False}, {"additionalProperties": {"type": "integer"}},
                         {"minProperties": 1}, {"maxProperties": 2}]),
    )
    arrays = st.builds(
        lambda items, extra: {"type": "array", "items": items, **extra},
        children,
        st.sampled_from([{}, {"minItems": 2}, {"maxItems": 1}, {"minItems": 1, "uniqueItems": True}]),
    )
    combos = st.builds(lambda kind, subs: {kind: subs}, st.sampled_from(["allOf", "anyOf", "oneOf"]),
                       st.lists(children, min_size=1, max_size=3))
    negation = st.builds(lambda base, sub: {**base, "not": sub}, st.sampled_from([{"type": "string"}, {"type": "integer"}]),
                         st.sampled_from([{"const": "x"}, {"enum": [0, 1]}, {"type": "null"}]))
    return st.one_of(objects, arrays, combos, negation)


schemas = st.recursive(leaves, _extend, max_leaves=12)
json_values = st.recursive(scalars | st.floats(allow_nan=False, allow_infinity=False),
                           lambda c: st.lists(c, max_size=3) | st.dictionaries(names, c, max_size=3), max_leaves=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=schemas, seed=st.integers(0, 2**16))
def test_generated_values_validate_or_schema_is_unsatisfiable(schema: Any, seed: int) -> None:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    try:
        value = generate_value(SPEC, schema, rng=random.Random(seed))
    except GenerationError:
        return  # contradictory random combinations exist; the generator must say so, not lie
    assert validator.is_valid(value), (schema, value, [e.message for e in validator.iter_errors(value)][:3])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=schemas, value=json_values)
def test_fast_check_agrees_with_jsonschema(schema: Any, value: Any) -> None:
    check = fast_check(SPEC, schema)
    if check is None:
        return
    expected = SPEC.validator(schema).is_valid(value)
    assert check(value) == expected, (schema, value)
