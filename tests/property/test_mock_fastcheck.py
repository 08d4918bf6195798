"""The compiled yes/no check agrees with jsonschema on valid values and on mutated ones."""

from __future__ import annotations

import random
import time
import zlib
from typing import Any

import pytest

from tests.conftest import NEEDS_SHARED, SPECS, shared_specs_available
from toolcheck.errors import SpecLoadError
from toolcheck.mock._fastcheck import fast_check
from toolcheck.mock.generate import GenerationError, generate_value
from toolcheck.spec import load_spec, load_spec_dict

_ODD = [None, 0, 1, -1.5, 2.0, True, False, "", "s", "€", [], {}, [1, 1], {"a": None}, 10**20]


def mutate(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict) and value:
        out = dict(value)
        key = rng.choice(list(out))
        roll = rng.random()
        if roll < 0.3:
            del out[key]
        elif roll < 0.55:
            out[key] = mutate(out[key], rng)
        elif roll < 0.7:
            out[f"extra_{rng.randint(0, 9)}"] = rng.choice(_ODD)
        else:
            out[key] = rng.choice(_ODD)
        return out
    if isinstance(value, list):
        out_list = list(value)
        if out_list and rng.random() < 0.5:
            out_list[0] = mutate(out_list[0], rng)
        else:
            out_list.append(rng.choice(_ODD))
        return out_list
    return rng.choice(_ODD)


def _agree(spec: Any, schema: Any, seed: int, rounds: int = 8) -> int:
    check = fast_check(spec, schema)
    if check is None:
        return 0
    rng = random.Random(seed)
    try:
        value = generate_value(spec, schema, rng=rng)
    except GenerationError:
        value = None
    compared = 0
    for candidate in [value] + [mutate(value, rng) for _ in range(rounds)]:
        expected = spec.validator(schema).is_valid(candidate)
        assert check(candidate) == expected, (schema, candidate)
        compared += 1
    return compared


def test_agrees_on_inline_schemas() -> None:
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {
        "Node": {"type": "object", "required": ["v"], "additionalProperties": False, "properties": {
            "v": {"type": ["integer", "null"], "minimum": 0, "exclusiveMaximum": 10},
            "tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}, "uniqueItems": True, "maxItems": 3},
            "kind": {"enum": ["a", 1, None]}, "fixed": {"const": False},
            "next": {"$ref": "#/components/schemas/Node"},
            "either": {"oneOf": [{"type": "string", "format": "email"}, {"type": "integer"}]},
            "any": {"anyOf": [{"type": "string", "maxLength": 2}, {"type": "boolean"}]},
            "not": {"not": {"type": "string"}},
            "tuple": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "items": False},
            "map": {"type": "object", "patternProperties": {"^x-": {"type": "integer"}}, "propertyNames": {"maxLength": 5},
                    "minProperties": 1},
        }},
    }}})
    total = sum(_agree(spec, {"$ref": "#/components/schemas/Node"}, seed, rounds=30) for seed in range(20))
    assert total >= 600


def test_unsupported_keywords_fall_back() -> None:
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}})
    assert fast_check(spec, {"type": "integer", "multipleOf": 3}) is None
    assert fast_check(spec, {"if": {"type": "string"}, "then": {"minLength": 2}}) is None
    assert fast_check(spec, {"type": "object", "properties": {"a": {"unevaluatedProperties": False}}}) is None


def _corpus() -> list[str]:
    if not shared_specs_available():
        return []
    lines = (SPECS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t", 1)[0] for line in lines if line.strip()][::3]  # every third spec


@pytest.mark.corpus
@pytest.mark.skipif(not shared_specs_available(), reason=NEEDS_SHARED)
@pytest.mark.parametrize("name", _corpus())
def test_agrees_on_corpus_responses(name: str) -> None:
    try:
        spec = load_spec(str(SPECS / name))
    except SpecLoadError:
        pytest.skip("spec does not load")
    started = time.monotonic()
    for op in spec.operations[:25]:
        if time.monotonic() - started > 3:
            break
        for response in op.responses.values():
            for media in response.content.values():
                if media.schema is not None:
                    _agree(spec, media.schema, zlib.crc32(op.key.encode()), rounds=4)
