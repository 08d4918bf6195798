"""Generated responses validate against their schema, for every spec of the shared corpus.

The validator is the spec's own Draft 2020-12 ``jsonschema`` validator, in the response direction,
called directly (the
generator's internal check swallows evaluation errors; this test does not). Each spec samples
operations evenly and stops at a time budget, so the whole corpus stays well under a minute.
"""

from __future__ import annotations

import random
import time
from typing import Any

import jsonschema
import pytest

from tests.conftest import NEEDS_SHARED, SPECS, shared_specs_available
from toolcheck.errors import SpecLoadError
from toolcheck.mock.generate import GenerationError, generate_value
from toolcheck.spec import load_spec
from toolcheck.spec.jsonschema import validator_for

MAX_OPS = 40
BUDGET_S = 5.0


def _corpus() -> list[str]:
    if not shared_specs_available():
        return []
    lines = (SPECS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t", 1)[0] for line in lines if line.strip() and not line.startswith("#")]


def _sample(ops: tuple[Any, ...]) -> list[Any]:
    if len(ops) <= MAX_OPS:
        return list(ops)
    step = len(ops) / MAX_OPS
    return [ops[int(i * step)] for i in range(MAX_OPS)]


@pytest.mark.corpus
@pytest.mark.skipif(not shared_specs_available(), reason=NEEDS_SHARED)
@pytest.mark.parametrize("name", _corpus())
def test_generated_responses_validate(name: str) -> None:
    try:
        spec = load_spec(str(SPECS / name))
    except SpecLoadError:
        pytest.skip("spec does not load")
    started = time.monotonic()
    checked = failed = unsatisfiable = 0
    bad: list[str] = []
    for op in _sample(spec.operations):
        if time.monotonic() - started > BUDGET_S:
            break
        for status, response in op.responses.items():
            for media_type, media in response.content.items():
                if media.schema is None:
                    continue
                rng = random.Random(f"{op.key}|{status}|{media_type}")
                t0 = time.monotonic()
                try:
                    value = generate_value(spec, media.schema, rng=rng)
                except GenerationError:
                    unsatisfiable += 1
                    continue
                assert time.monotonic() - t0 < 5, f"generation took too long for {op.key} {status}"
                try:
                    # As a response reads it: a required writeOnly member is not required (OAS 3.0.3 §4.7.25).
                    errors = list(validator_for(spec, media.schema, "response").iter_errors(value))
                except (jsonschema.exceptions.SchemaError, RecursionError, Exception) as exc:  # noqa: B014
                    if "Unresolvable" in type(exc).__name__ or isinstance(exc, RecursionError):
                        continue
                    raise
                checked += 1
                if errors:
                    failed += 1
                    bad.append(f"{op.key} {status} {media_type}: {errors[0].message[:200]}")
    assert not bad, "\n".join(bad[:10])
    # Unsatisfiable schemas exist (overlapping oneOf branches) but must stay rare.
    assert unsatisfiable <= max(2, checked // 20), f"{unsatisfiable} schemas without a valid value ({checked} checked)"
