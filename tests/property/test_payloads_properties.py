"""Property tests: positive cases always validate, negative ones never do.

Seeds are drawn by hypothesis; the example spec is checked fully, real specs (corpus) on a
bounded sample of operations.
"""

from __future__ import annotations

import random
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolcheck._absent import ABSENT
from toolcheck.payloads import generate_cases
from toolcheck.payloads.positive import body_media_type
from toolcheck.payloads.strategies import strategy_for
from toolcheck.spec import Operation, Spec, load_spec
from toolcheck.wire.read import parameter_accepts

from ..conftest import EXAMPLE_SPEC, NEEDS_SHARED, SPECS, shared_specs_available

SETTINGS = settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _check_positive(spec: Spec, op: Operation, seed: int) -> None:
    media = body_media_type(op)
    schema = op.request_body.content[media].schema if op.request_body and media else None
    for case in generate_cases(spec, op, seed=seed, count=6):
        for param in op.parameters:
            slot = {"query": case.query, "path": case.path_params, "header": case.headers,
                    "cookie": case.cookies}.get(param.location, {})
            if param.name in slot:
                assert parameter_accepts(spec, param, slot[param.name]), (op.key, param.name, slot[param.name])
        if schema is not None and case.body is not ABSENT:
            assert spec.validator(schema).is_valid(case.body), (op.key, case.body)


def _check_negative(spec: Spec, op: Operation, seed: int) -> None:
    media = body_media_type(op)
    schema = op.request_body.content[media].schema if op.request_body and media else None
    for case in generate_cases(spec, op, seed=seed, negative=True, count=40):
        assert case.negative and case.keyword
        location, _, name = case.pointer.partition("/")
        if location == "body" and case.body is not ABSENT and case.raw_body is None:
            assert schema is not None and not spec.validator(schema).is_valid(case.body), (op.key, case.label)
        elif location in ("query", "path", "header", "cookie") and case.keyword not in ("required", "contentType"):
            param = op.parameter(name, location)
            slot = {"query": case.query, "path": case.path_params, "header": case.headers, "cookie": case.cookies}[location]
            assert param is not None and not parameter_accepts(spec, param, slot[name]), (op.key, case.label)
        elif case.keyword == "required" and location in ("query", "header", "cookie"):
            slot = {"query": case.query, "header": case.headers, "cookie": case.cookies}[location]
            assert name not in slot


@given(seed=st.integers(min_value=0, max_value=2**31))
@SETTINGS
def test_example_spec_positive_cases_validate(seed: int) -> None:
    spec = load_spec(str(EXAMPLE_SPEC))
    for op in spec.operations:
        _check_positive(spec, op, seed)


@given(seed=st.integers(min_value=0, max_value=2**31))
@SETTINGS
def test_example_spec_negative_cases_never_validate(seed: int) -> None:
    spec = load_spec(str(EXAMPLE_SPEC))
    for op in spec.operations:
        _check_negative(spec, op, seed)


def test_hypothesis_jsonschema_strategy_agrees_with_the_validator() -> None:
    """The independent generator behind payloads/strategies.py produces valid bodies too."""
    spec = load_spec(str(EXAMPLE_SPEC))
    schema = {"$ref": "#/components/schemas/InvoiceCreate"}
    validator = spec.validator(schema)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        @given(strategy_for(spec, schema))
        @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(value: object) -> None:
            assert validator.is_valid(value)

        check()


def _corpus_sample() -> list[tuple[str, str]]:
    if not shared_specs_available():
        return []
    import csv

    rows = list(csv.DictReader(open(SPECS / "MANIFEST.tsv", encoding="utf-8"), delimiter="\t"))
    files = [r["file"] for r in rows if not r["file"].startswith("pairs/")]
    rng = random.Random(20261121)
    return [(f, "") for f in rng.sample(files, min(12, len(files)))]


@pytest.mark.corpus
@pytest.mark.skipif(not shared_specs_available(), reason=NEEDS_SHARED)
@pytest.mark.parametrize("name,_", _corpus_sample())
def test_corpus_sample_positive_and_negative(name: str, _: str) -> None:
    spec = load_spec(str(SPECS / name))
    rng = random.Random(name)
    ops = list(spec.operations)
    for op in rng.sample(ops, min(8, len(ops))):
        _check_positive(spec, op, seed=1)
        _check_negative(spec, op, seed=1)


def test_hypothesis_engine_draws_are_valid_and_seeded() -> None:
    from toolcheck.payloads.strategies import draw_values

    spec = load_spec(str(EXAMPLE_SPEC))
    schema = {"$ref": "#/components/schemas/TicketCreate"}
    first = draw_values(spec, schema, count=10, seed=4)
    assert len(first) == 10 and all(spec.validator(schema).is_valid(v) for v in first)
    assert draw_values(spec, schema, count=10, seed=4) == first
