"""Each round's cases for one operation: what the per-operation phases send, in order.

``examples`` (the spec's, else the minimal valid request) → ``bounds`` (the minimal and maximal
valid requests, kept as the bases of later cases; valid edges on the richest base the target
accepted; ids that do not exist) → ``methods`` (each method the path does not document, once
per path: :mod:`toolcheck.payloads.methods`) → ``negatives`` (every proven negative, LLM-style
mistakes first) → ``fuzz`` (seeded random valid and invalid cases until ``max_examples`` or the
operation's own time, within the round's slice). :func:`cases` is a generator: the runner
stops it where the budget says (:mod:`toolcheck.fuzz.plan`).
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from toolcheck._absent import ABSENT
from toolcheck.checks.conformance import is_json
from toolcheck.fuzz.identity import deletes_identity
from toolcheck.fuzz.plan import Mark
from toolcheck.payloads import operation_seed
from toolcheck.payloads.case import Case
from toolcheck.payloads.edges import edge_cases, parameter_edges
from toolcheck.payloads.methods import method_probes
from toolcheck.payloads.mutations import TOP, mutations
from toolcheck.payloads.negative import _proof, negatives
from toolcheck.payloads.positive import CaseFactory
from toolcheck.payloads.values import MAXIMAL, MINIMAL, RANDOM, Unsatisfiable

if TYPE_CHECKING:
    from toolcheck.fuzz.runner import Fuzzer
    from toolcheck.spec import Operation

NOT_EXISTING = "well-shaped ids that do not exist"


@dataclass
class OpState:
    """What one operation's rounds share: its seeded case factory and its valid base cases."""

    factory: CaseFactory
    bases: list[Case] = field(default_factory=list)
    accepted: list[Case] = field(default_factory=list)  # the bases the target did not refuse (no 4xx), in order
    last_status: int = 0  # the status of the case this operation sent last (its generator reads it)
    dead: int = 0  # transport errors in a row: a hanging or crashed target is abandoned, in every round


def _required_parameters_only(base: Case, minimal: Case) -> Case | None:
    """``base`` (a maximal valid request) with only the parameters of ``minimal`` (the required
    ones) and its own body; None when that is no different request."""
    if base.body is ABSENT or (base.query, base.headers, base.cookies) == (minimal.query, minimal.headers, minimal.cookies):
        return None
    return base.with_(query=dict(minimal.query), headers=dict(minimal.headers), cookies=dict(minimal.cookies),
                      label="maximal valid body with the required parameters only")


def cases(fuzzer: Fuzzer, op: Operation, state: OpState, part: str, end: Mark) -> Iterator[Case]:
    """``op``'s cases of the round ``part``, in the order sent (``end``: the operation's slice,
    which the fuzz part's own time per operation may end sooner)."""
    factory = state.factory
    positive = fuzzer.options.mode in ("positive", "all")
    negative = fuzzer.options.mode in ("negative", "all")
    if part == "examples":
        examples = factory.examples() if positive else []
        yield from examples
        if not examples and "boundary" in fuzzer.options.phases:
            # No example: the minimal valid request stands in, so the first round reaches
            # every operation however short the budget (the bounds round does not repeat it).
            yield from _base(fuzzer, factory, state, MINIMAL, positive)
    elif part == "bounds":
        for mode in (MINIMAL, MAXIMAL):
            if mode == MINIMAL and state.bases:
                continue  # sent in the first round
            base = yield from _base(fuzzer, factory, state, mode, positive)
            if base is not None and positive:
                bare = _required_parameters_only(base, state.bases[0]) if mode == MAXIMAL else None
                if bare is not None and 400 <= state.last_status < 500:
                    # The maximal request was refused: was it its optional parameters (a
                    # version header whose format only the code knows) or its body? The body
                    # with the required parameters alone tells, and if accepted, the body
                    # edges below are built on it instead of being refused for a header.
                    yield bare
                    note_accepted(state, bare)
        if positive and state.bases:
            # valid values at the edges servers get wrong (huge integers, overflowing sums,
            # empties), on the richest valid request the target accepted: edges on a refused
            # one would test only the refusal
            edge_base = state.accepted[-1] if state.accepted else state.bases[-1]
            yield from edge_cases(fuzzer.spec, factory.body_schema if json_body(factory) else None, edge_base)
            yield from parameter_edges(fuzzer.spec, factory.params, state.bases[0], seed=operation_seed(fuzzer.options.seed, op))
        if positive and state.bases and any(p.location == "path" for p in factory.params):
            try:  # an LLM mistake: ids of the right shape that do not exist (expect a documented 404)
                ids = factory.positive(RANDOM, phase="boundary").path_params
                yield state.bases[0].with_(path_params=ids, label=NOT_EXISTING, llm=True)
            except Unsatisfiable:
                pass
    elif part == "methods" and negative and state.bases:
        # Methods the path does not document, once per path (RFC 9110 §15.5.6: 405 + Allow);
        # never a DELETE where deleting would be held back as the caller's own identity.
        for probe in method_probes(fuzzer.spec, op, state.bases[0]):
            if probe.method == "delete" and not fuzzer.options.identity_deletes and \
                    deletes_identity(replace(op, method="delete")):
                continue
            with fuzzer._lock:
                fresh = (op.path, probe.method) not in fuzzer._probed
                fuzzer._probed.add((op.path, probe.method))
            if fresh:
                yield probe
    elif part == "negatives" and negative and state.bases:
        produced = 0
        seen: set[str] = set()
        for base in state.bases:  # minimal first: shortest, most readable reproductions
            for case in negatives(fuzzer.spec, factory, base, limit=fuzzer.options.max_negatives):
                key = f"{case.keyword}|{case.pointer}|{case.label}"
                if key in seen:
                    continue
                seen.add(key)
                produced += 1
                yield case
                if produced >= fuzzer.options.max_negatives:
                    return
    elif part == "fuzz":
        budget_end = end.earlier(Mark(time=time.perf_counter() + fuzzer.options.op_budget))
        misses = 0
        drawn: list[Any] = []
        if fuzzer.options.engine == "hypothesis" and factory.body_schema is not None:
            from toolcheck.payloads.strategies import draw_values

            drawn = draw_values(fuzzer.spec, factory.body_schema, count=fuzzer.options.max_examples,
                                seed=operation_seed(fuzzer.options.seed, op), deadline=budget_end.time)
        for i in range(fuzzer.options.max_examples):
            if budget_end.passed(fuzzer.stats.cases) or misses > 20:
                if misses <= 20 and end.passed(fuzzer.stats.cases):
                    fuzzer.stats.budget_hit = True  # the run's budget, not the operation's own, ended it
                break
            try:
                base = factory.positive(RANDOM)
            except Unsatisfiable:
                misses += 1
                continue
            if drawn and base.body is not ABSENT:
                base = base.with_(body=drawn[i % len(drawn)])
            if positive and (not negative or i % 2 == 0):
                yield base
                continue
            mutated = random_negative(fuzzer, factory, base)
            if mutated is not None:
                yield mutated
            else:
                misses += 1



def _base(fuzzer: Fuzzer, factory: CaseFactory, state: OpState, mode: str, positive: bool) -> Generator[Case, None, Case | None]:
    """Build the ``mode`` valid request and keep it as a base for the later cases; send it
    (and note whether it was accepted) when positive cases run. None: unsatisfiable."""
    try:
        base: Case = factory.positive(mode, phase="boundary", label=f"{mode} valid request")
    except Unsatisfiable:
        return None
    state.bases.append(base)
    if positive:
        yield base
        note_accepted(state, base)
    return base



def note_accepted(state: OpState, base: Case) -> None:
    # Not refused: a 2xx, or a 5xx (the server got past validation; a sqlite "database is
    # locked" 503 is transient). A 4xx base would make every edge built on it a 4xx too.
    if 200 <= state.last_status < 300 or 500 <= state.last_status < 600:
        state.accepted.append(base)



def json_body(factory: CaseFactory) -> bool:
    return factory.media_type is not None and is_json(factory.media_type.split(";")[0].strip().lower())



def random_negative(fuzzer: Fuzzer, factory: CaseFactory, base: Case) -> Case | None:
    rng = factory.rng
    json_body = factory.media_type is not None and is_json(factory.media_type.split(";")[0].strip().lower())
    if json_body and factory.body_schema is not None and base.body is not ABSENT and (not factory.params or rng.random() < 0.7):
        candidates = list(mutations(fuzzer.spec, factory.body_schema, base.body))
        rng.shuffle(candidates)
        for mutation in candidates[:5]:
            proof = _proof(fuzzer.spec, factory.body_schema, mutation.value)
            if proof is not None:
                return base.with_(body=mutation.value, kind="negative", phase="fuzz",
                                  label=mutation.label.replace(TOP, " (whole body)"),
                                  keyword=proof[0], pointer="body" + proof[1], llm=mutation.llm)
        return None
    cases = [c for c in negatives(fuzzer.spec, factory, base, limit=20) if not c.pointer.startswith("body")]
    return rng.choice(cases).with_(phase="fuzz") if cases else None
