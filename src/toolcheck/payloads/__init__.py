"""Payload generation: positive cases that satisfy the spec, negatives that provably do not.

Public API::

    generate_cases(spec, op, seed=0, negative=False, count=20) -> list[Case]
    CaseFactory(spec, op, rng)            # .positive(mode), .examples()
    negatives(spec, factory, base)        # proven negatives, LLM-style mistakes first

Only :mod:`toolcheck.payloads.strategies` imports hypothesis-jsonschema.
"""

from __future__ import annotations

import random

from toolcheck._absent import ABSENT
from toolcheck.payloads.case import NEGATIVE, POSITIVE, Case
from toolcheck.payloads.negative import negatives
from toolcheck.payloads.positive import CaseFactory
from toolcheck.payloads.values import MAXIMAL, MINIMAL, RANDOM, Unsatisfiable, ValueGenerator
from toolcheck.spec import Operation, Spec

__all__ = [
    "ABSENT", "MAXIMAL", "MINIMAL", "NEGATIVE", "POSITIVE", "RANDOM", "Case", "CaseFactory",
    "Unsatisfiable", "ValueGenerator", "generate_cases", "negatives", "operation_seed",
]


def operation_seed(seed: int, op: Operation) -> int:
    """A per-operation seed, stable across runs and independent of the operation order."""
    import zlib

    return (seed * 1_000_003 + zlib.crc32(op.key.encode())) & 0xFFFFFFFF


def generate_cases(spec: Spec, op: Operation, *, seed: int = 0, negative: bool = False, count: int = 20) -> list[Case]:
    """Up to ``count`` cases for ``op``: positive ones, or proven negatives.

    Positives: spec examples, the minimal and maximal boundary cases, then random draws.
    Negatives: deterministic mutations of the boundary cases, then of random draws.
    """
    rng = random.Random(operation_seed(seed, op))
    factory = CaseFactory(spec, op, rng)
    out: list[Case] = []
    if not negative:
        out.extend(factory.examples()[:count])
        for mode in (MINIMAL, MAXIMAL):
            if len(out) < count:
                try:
                    out.append(factory.positive(mode, phase="boundary"))
                except Unsatisfiable:
                    pass
        misses = 0
        while len(out) < count and misses < 20:
            try:
                out.append(factory.positive(RANDOM))
            except Unsatisfiable:
                misses += 1
        return out[:count]
    seen: set[str] = set()
    for mode in (MINIMAL, MAXIMAL, RANDOM, RANDOM, RANDOM):
        try:
            base = factory.positive(mode)
        except Unsatisfiable:
            continue
        for case in negatives(spec, factory, base):
            key = repr(case.to_dict())
            if key not in seen:
                seen.add(key)
                out.append(case)
            if len(out) >= count:
                return out
    return out
