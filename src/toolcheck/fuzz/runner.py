"""The fuzz runner: phases fastest first, breadth first, checks on every response, deduplicated findings.

Hand-written orchestration over an injected ``httpx.Client`` (a real target or the mock's
transport). In rounds over every operation (worker threads within a round): spec **examples**
→ deterministic **boundary** cases (low/high bounds; then, in a second round, each method the
path does not document (:mod:`toolcheck.payloads.methods`); then every proven negative,
LLM-style mistakes first) → seeded random **fuzz** cases until ``max_examples`` or
the operation's time budget. Every operation gets a round before any gets the next, so a
``--max-time`` budget buys coverage of every operation first; under a budget the later rounds
give each operation a fair slice of what is left. Deletes run last in each round, and deletes
of the caller's own identity are held back (:mod:`toolcheck.fuzz.identity`). Then, sequentially, the
**stateful** phase (create → read → list → update → delete chains, once more per enum
value and oneOf branch of the create body) and the **auth** phase (missing and invalid
credentials on operations whose security is required). A failing case is shrunk (optional
fields and parameters dropped while the same failure reproduces) before it is recorded.
Nothing is replayed from a previous run: runs depend only on the spec, the seed and the target.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from toolcheck._absent import ABSENT
from toolcheck.checks.conformance import is_json
from toolcheck.findings import Severity
from toolcheck.fuzz import stateful as st
from toolcheck.fuzz.checks import CONFORMANCE, Failure, evaluate, make_failure
from toolcheck.fuzz.findings import Finding, FindingSet, clip, request_redactor
from toolcheck.fuzz.http import (
    RETRY_MAX_WAIT,
    RETRY_STATUSES,
    Auth,
    Exchange,
    build,
    credential_names,
    curl,
    send,
)
from toolcheck.fuzz.identity import deletes_identity
from toolcheck.fuzz.plan import PHASES, ROUNDS, SLICED, Budget, Mark
from toolcheck.fuzz.shrink import same_kind, shrink
from toolcheck.health import AuthHealth
from toolcheck.payloads import operation_seed
from toolcheck.payloads.case import Case
from toolcheck.payloads.edges import edge_cases, parameter_edges, variants
from toolcheck.payloads.methods import is_probe, method_probes
from toolcheck.payloads.mutations import TOP, mutations
from toolcheck.payloads.negative import _proof, negatives
from toolcheck.payloads.positive import CaseFactory
from toolcheck.payloads.values import MAXIMAL, MINIMAL, RANDOM, Unsatisfiable
from toolcheck.spec import Operation, Spec
from toolcheck.wire.read import parameter_accepts

MAX_CONSECUTIVE_ERRORS = 3
NOT_EXISTING = "well-shaped ids that do not exist"
STATEFUL_CHAINS = 3  # resources created (and read back) per chain
Event = Callable[[str, dict[str, Any]], None]


@dataclass
class FuzzOptions:
    """How much to do. Defaults find the planted bugs of ``examples/planted_bugs`` in seconds."""

    mode: str = "all"
    max_examples: int = 100
    max_time: float | None = None
    op_budget: float = 5.0
    seed: int = 0
    workers: int = 1
    phases: tuple[str, ...] = PHASES
    max_response_time: float | None = None
    shrink: bool = True
    max_negatives: int = 150
    invalid_credentials: bool = True  # off for the mock, which accepts any well-formed credential
    engine: str = "own"  # "hypothesis": fuzz-phase bodies drawn by hypothesis-jsonschema
    identity_deletes: bool = False  # also run deletes that may remove the caller's own identity
    levels: Mapping[str, Severity | None] = field(default_factory=dict)  # --severity: check → level (None: off)
    identities: tuple[Any, ...] = ()  # authz phase: other identities (toolcheck.fuzz.authz.Identity)
    narrow_tokens: bool = False  # authz phase against the mock: make a token lacking each needed scope
    # A budget in requests (not seconds): the same run on any machine, however loaded. Reaching it
    # ends the run as a time budget does (incomplete, what was reached reported).
    max_requests: int | None = None


@dataclass
class _OpState:
    """What one operation's rounds share: its seeded case factory and its valid base cases."""

    factory: CaseFactory
    bases: list[Case] = field(default_factory=list)
    accepted: list[Case] = field(default_factory=list)  # the bases the target did not refuse (no 4xx), in order
    last_status: int = 0  # the status of the case this operation sent last (its generator reads it)
    dead: int = 0  # transport errors in a row: a hanging or crashed target is abandoned, in every round


class _Resources:
    """Aims one operation's cases at resources this run created (not ids that do not exist).

    An item operation (GET/PATCH/DELETE /things/{id}) gets a resource made by its collection's
    create just before; each negative case and each delete gets a fresh one (a case may have
    changed or removed the last), up to ``MAX_FRESH`` per operation and round. A PUT that
    creates what it names gets a new name for every case: on an existing path the server never
    reads the body, and "invalid input accepted" would be a stale-state artefact.
    """

    MAX_FRESH = 25

    def __init__(self, fuzzer: Fuzzer, op: Operation) -> None:
        self.fuzzer = fuzzer
        self.op = op
        self.chain = fuzzer.creator(op)
        self.by_put = fuzzer.creates_by_put(op)
        self.ids: dict[str, Any] | None = None
        self.created = 0
        self.uses = 0

    def aim(self, case: Case) -> Case:
        if case.label == NOT_EXISTING:
            return case  # the point of this case is an id that does not exist
        targeted = case.pointer[len("path/"):].split("/", 1)[0] if case.pointer.startswith("path/") else None
        if self.by_put:
            factory = self.fuzzer._state(self.op).factory
            fresh = {}
            for param in self.op.parameters:
                if param.location == "path" and param.name != targeted:
                    try:
                        fresh[param.name] = factory.param_value(param, RANDOM)
                    except Unsatisfiable:
                        return case
            return case.with_(path_params={**case.path_params, **fresh})
        if self.chain is None:
            return case
        # (a method probe needs the resource to exist, not to be fresh: a 405 changes nothing)
        if self.created < self.MAX_FRESH and (self.ids is None or self.op.method == "delete"
                                              or (case.negative and self.uses and not is_probe(case, self.op))):
            self.created += 1
            self.ids = self.fuzzer.fresh_resource(self.chain) or self.ids
            self.uses = 0
        if not self.ids:
            return case
        keep = {k: v for k, v in self.ids.items() if k != targeted and self.op.parameter(k, "path") is not None}
        self.uses += 1
        return case.with_(path_params={**case.path_params, **keep})


def _required_parameters_only(base: Case, minimal: Case) -> Case | None:
    """``base`` (a maximal valid request) with only the parameters of ``minimal`` (the required
    ones) and its own body; None when that is no different request."""
    if base.body is ABSENT or (base.query, base.headers, base.cookies) == (minimal.query, minimal.headers, minimal.cookies):
        return None
    return base.with_(query=dict(minimal.query), headers=dict(minimal.headers), cookies=dict(minimal.cookies),
                      label="maximal valid body with the required parameters only")


@dataclass
class FuzzStats:
    cases: int = 0
    per_operation: dict[str, int] = field(default_factory=dict)
    per_phase: dict[str, int] = field(default_factory=dict)
    duration: float = 0.0
    interrupted: bool = False
    # per operation: how LLM-style mistakes were answered (helpful = a documented 4xx whose body
    # matches the documented error schema, so an agent can read what to fix)
    llm: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # operation → why toolcheck could not test it
    phase_operations: dict[str, set[str]] = field(default_factory=dict)  # phase → operations it sent
    budget_hit: bool = False  # the time budget cut a round short (or skipped one)
    held_back: list[str] = field(default_factory=list)  # operations not run: they delete our identity

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.duration if self.duration > 0 else 0.0


def is_secured(op: Operation) -> bool:
    """Security is required: at least one requirement and no anonymous (``{}``) alternative."""
    return bool(op.security) and all(len(req) > 0 for req in op.security)


class Fuzzer:
    """Runs every phase over a set of operations against one client."""

    def __init__(self, spec: Spec, client: httpx.Client, *, base_url: str, auth: Auth | None = None,
                 options: FuzzOptions | None = None, redactor: Any = None, on_event: Event | None = None) -> None:
        self.spec = spec
        self.client = client
        self.base_url = base_url
        self.auth = auth or Auth()
        self.options = options or FuzzOptions()
        if redactor is None:
            redactor = request_redactor(spec, self.auth.secrets, [*self.auth.headers, *self.auth.query])
        self.redactor = redactor  # requests: only real credentials masked, so repros reproduce
        from toolcheck.redact import Redactor

        # responses: also anything secret-named (a login endpoint's fresh token)
        self.response_redactor = Redactor(self.auth.secrets)
        self.on_event = on_event or (lambda kind, data: None)
        self.findings = FindingSet(self.options.levels)
        self.stats = FuzzStats()
        self._lock = threading.Lock()
        self.budget = Budget()
        self._pool: dict[str, dict[str, Any]] = {}
        self._states: dict[str, _OpState] = {}
        self._creators: dict[str, st.Chain] | None = None
        self._put_creators: set[str] = set()
        self._create_factories: dict[str, CaseFactory] = {}
        self._fresh_started: set[str] = set()
        self._deferred: list[tuple[Operation, Case, Exchange, Failure]] = []  # shrinks a budget put off
        self._probed: set[tuple[str, str]] = set()  # (path, method) of the method probes sent
        self.cancelled = False
        self._anonymous = not self.auth.headers and not self.auth.query
        self.health = AuthHealth(anonymous=self._anonymous)

    # --- entry point --------------------------------------------------------------------
    def run(self, operations: list[Operation]) -> list[Finding]:
        started = time.perf_counter()
        self.budget = Budget(self.options.max_time, self.options.max_requests)
        held = [] if self.options.identity_deletes else [op for op in operations if deletes_identity(op)]
        self.stats.held_back = [op.operation_id for op in held]
        # Deletes last in every round: a DELETE must not remove what later requests need.
        ordered = [op for op in operations if op not in held and op.method != "delete"] + \
                  [op for op in operations if op not in held and op.method == "delete"]
        try:
            # Breadth first: every operation gets a round before any gets the next, so a time
            # budget buys coverage of every operation before depth on a few.
            for phase, part, share in ROUNDS:
                if phase not in self.options.phases:
                    continue
                if self._expired():
                    self.stats.budget_hit = True
                    break
                self._round(ordered, phase, part, share)
            if "stateful" in self.options.phases:
                if self._expired():
                    self.stats.budget_hit = True
                else:
                    self._stateful(ordered)
            if "auth" in self.options.phases:
                for op in ordered:
                    if self._expired():
                        self.stats.budget_hit = True
                        break
                    self._auth(op)
            if "authz" in self.options.phases and (self.options.identities or self.options.narrow_tokens):
                from toolcheck.fuzz.authz import function_level, object_level

                for op in ordered:
                    if self._expired():
                        self.stats.budget_hit = True
                        break
                    function_level(self, op)
                if not self._expired():
                    object_level(self, ordered)
            self._shrink_deferred()
        except KeyboardInterrupt:
            # Ctrl-C: stop every worker at its next case and report what was found so far.
            self.budget.cancel()
            self.cancelled = True
        self.stats.duration = time.perf_counter() - started
        self.stats.interrupted = self.stats.budget_hit and not self.cancelled
        return self.findings.all()

    def _expired(self) -> bool:
        return self.budget.expired(self.stats.cases)

    def _round(self, operations: list[Operation], phase: str, part: str, share: float) -> None:
        """One round over every operation; under a budget each gets a fair slice of ``share``
        (:mod:`toolcheck.fuzz.plan`)."""
        round_end = self.budget.end.share(share, self.stats.cases)
        remaining = [len(operations)]

        def one(op: Operation) -> None:
            with self._lock:
                left = remaining[0]
                remaining[0] -= 1
            own = round_end.share(max(1, self.options.workers) / max(1, left), self.stats.cases) \
                if part in SLICED else round_end
            self._operation(op, phase, part, round_end, own)

        workers = max(1, self.options.workers)
        if workers == 1:
            for op in operations:
                one(op)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                try:
                    list(pool.map(one, operations))
                except KeyboardInterrupt:
                    self.budget.cancel()  # before the pool waits for its workers
                    raise
        self.on_event("round", {"phase": phase, "part": part})

    # --- per operation ------------------------------------------------------------------
    def _factory(self, op: Operation, salt: int = 0) -> CaseFactory:
        rng = random.Random(operation_seed(self.options.seed + salt, op))
        secured = credential_names(self.spec, op)
        names = frozenset(n.lower() for group in secured.values() for n in group)
        return CaseFactory(self.spec, op, rng, secured_names=names)

    def _state(self, op: Operation) -> _OpState:
        """The operation's generator state, shared by its rounds (one seeded stream per operation)."""
        with self._lock:
            state = self._states.get(op.operation_id)
        if state is None:
            state = _OpState(self._factory(op))
            with self._lock:
                self._states[op.operation_id] = state
        return state

    def _cases(self, op: Operation, state: _OpState, part: str, end: Mark) -> Iterator[Case]:
        factory = state.factory
        positive = self.options.mode in ("positive", "all")
        negative = self.options.mode in ("negative", "all")
        if part == "examples":
            examples = factory.examples() if positive else []
            yield from examples
            if not examples and "boundary" in self.options.phases:
                # No example: the minimal valid request stands in, so the first round reaches
                # every operation however short the budget (the bounds round does not repeat it).
                yield from self._base(factory, state, MINIMAL, positive)
        elif part == "bounds":
            for mode in (MINIMAL, MAXIMAL):
                if mode == MINIMAL and state.bases:
                    continue  # sent in the first round
                base = yield from self._base(factory, state, mode, positive)
                if base is not None and positive:
                    bare = _required_parameters_only(base, state.bases[0]) if mode == MAXIMAL else None
                    if bare is not None and 400 <= state.last_status < 500:
                        # The maximal request was refused: was it its optional parameters (a
                        # version header whose format only the code knows) or its body? The body
                        # with the required parameters alone tells, and if accepted, the body
                        # edges below are built on it instead of being refused for a header.
                        yield bare
                        self._note_accepted(state, bare)
            if positive and state.bases:
                # valid values at the edges servers get wrong (huge integers, overflowing sums,
                # empties), on the richest valid request the target accepted: edges on a refused
                # one would test only the refusal
                edge_base = state.accepted[-1] if state.accepted else state.bases[-1]
                yield from edge_cases(self.spec, factory.body_schema if self._json_body(factory) else None, edge_base)
                yield from parameter_edges(self.spec, factory.params, state.bases[0], seed=operation_seed(self.options.seed, op))
            if positive and state.bases and any(p.location == "path" for p in factory.params):
                try:  # an LLM mistake: ids of the right shape that do not exist (expect a documented 404)
                    ids = factory.positive(RANDOM, phase="boundary").path_params
                    yield state.bases[0].with_(path_params=ids, label=NOT_EXISTING, llm=True)
                except Unsatisfiable:
                    pass
        elif part == "methods" and negative and state.bases:
            # Methods the path does not document, once per path (RFC 9110 §15.5.6: 405 + Allow);
            # never a DELETE where deleting would be held back as the caller's own identity.
            for probe in method_probes(self.spec, op, state.bases[0]):
                if probe.method == "delete" and not self.options.identity_deletes and \
                        deletes_identity(replace(op, method="delete")):
                    continue
                with self._lock:
                    fresh = (op.path, probe.method) not in self._probed
                    self._probed.add((op.path, probe.method))
                if fresh:
                    yield probe
        elif part == "negatives" and negative and state.bases:
            produced = 0
            seen: set[str] = set()
            for base in state.bases:  # minimal first: shortest, most readable reproductions
                for case in negatives(self.spec, factory, base, limit=self.options.max_negatives):
                    key = f"{case.keyword}|{case.pointer}|{case.label}"
                    if key in seen:
                        continue
                    seen.add(key)
                    produced += 1
                    yield case
                    if produced >= self.options.max_negatives:
                        return
        elif part == "fuzz":
            budget_end = end.earlier(Mark(time=time.perf_counter() + self.options.op_budget))
            misses = 0
            drawn: list[Any] = []
            if self.options.engine == "hypothesis" and factory.body_schema is not None:
                from toolcheck.payloads.strategies import draw_values

                drawn = draw_values(self.spec, factory.body_schema, count=self.options.max_examples,
                                    seed=operation_seed(self.options.seed, op), deadline=budget_end.time)
            for i in range(self.options.max_examples):
                if budget_end.passed(self.stats.cases) or misses > 20:
                    if misses <= 20 and end.passed(self.stats.cases):
                        self.stats.budget_hit = True  # the run's budget, not the operation's own, ended it
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
                mutated = self._random_negative(factory, base)
                if mutated is not None:
                    yield mutated
                else:
                    misses += 1

    def _base(self, factory: CaseFactory, state: _OpState, mode: str, positive: bool) -> Generator[Case, None, Case | None]:
        """Build the ``mode`` valid request and keep it as a base for the later cases; send it
        (and note whether it was accepted) when positive cases run. None: unsatisfiable."""
        try:
            base: Case = factory.positive(mode, phase="boundary", label=f"{mode} valid request")
        except Unsatisfiable:
            return None
        state.bases.append(base)
        if positive:
            yield base
            self._note_accepted(state, base)
        return base

    @staticmethod
    def _note_accepted(state: _OpState, base: Case) -> None:
        # Not refused: a 2xx, or a 5xx (the server got past validation; a sqlite "database is
        # locked" 503 is transient). A 4xx base would make every edge built on it a 4xx too.
        if 200 <= state.last_status < 300 or 500 <= state.last_status < 600:
            state.accepted.append(base)

    @staticmethod
    def _json_body(factory: CaseFactory) -> bool:
        return factory.media_type is not None and is_json(factory.media_type.split(";")[0].strip().lower())

    def _random_negative(self, factory: CaseFactory, base: Case) -> Case | None:
        rng = factory.rng
        json_body = factory.media_type is not None and is_json(factory.media_type.split(";")[0].strip().lower())
        if json_body and factory.body_schema is not None and base.body is not ABSENT and (not factory.params or rng.random() < 0.7):
            candidates = list(mutations(self.spec, factory.body_schema, base.body))
            rng.shuffle(candidates)
            for mutation in candidates[:5]:
                proof = _proof(self.spec, factory.body_schema, mutation.value)
                if proof is not None:
                    return base.with_(body=mutation.value, kind="negative", phase="fuzz",
                                      label=mutation.label.replace(TOP, " (whole body)"),
                                      keyword=proof[0], pointer="body" + proof[1], llm=mutation.llm)
            return None
        cases = [c for c in negatives(self.spec, factory, base, limit=20) if not c.pointer.startswith("body")]
        return rng.choice(cases).with_(phase="fuzz") if cases else None

    def _operation(self, op: Operation, phase: str, part: str, round_end: Mark, end: Mark) -> None:
        """Send ``op``'s cases of one round until they run out or ``end`` (its slice) passes; its
        first case only waits for ``round_end``, so every operation gets one before any gets two."""
        if self._expired():
            self.stats.budget_hit = True
            return
        sent = 0
        try:
            state = self._state(op)
            if state.dead >= MAX_CONSECUTIVE_ERRORS:
                return
            resources = _Resources(self, op) if part != "examples" else None
            for case in self._cases(op, state, part, end):
                if resources is not None:
                    case = resources.aim(case)
                if (end if sent else round_end).passed(self.stats.cases) or self._expired():
                    # cut by the budget (the fuzz phase's own per-operation budget is its natural end)
                    self.stats.budget_hit = True
                    break
                if phase == "fuzz" and case.phase != "fuzz":
                    case = case.with_(phase="fuzz")
                exchange = self._execute(op, case)
                state.last_status = exchange.status
                sent += 1
                # A target that hangs or drops every connection would turn each case into a
                # timeout: after a few in a row, move on (the transport_error finding is recorded).
                state.dead = state.dead + 1 if exchange.error and not exchange.error.startswith("unsendable") else 0
                if state.dead >= MAX_CONSECUTIVE_ERRORS:
                    break
        except Exception as exc:  # a bug of ours on an odd schema must not end the whole run
            with self._lock:
                self.stats.errors[op.operation_id] = f"{type(exc).__name__}: {exc}"
        self.on_event("operation", {"operation": op.operation_id, "cases": sent, "phase": phase})

    # --- resources created in this run ---------------------------------------------------
    def creator(self, op: Operation) -> st.Chain | None:
        """The create → read chain whose read path ``op``'s path extends (POST /things for
        GET/PATCH/DELETE /things/{id} and /things/{id}/sub), if the spec has one."""
        with self._lock:
            if self._creators is None:
                self._creators = {}
                chains = st.infer_chains(self.spec)
                self._put_creators = {c.create.operation_id for c in chains if c.create.method == "put"}
                for item in self.spec.operations:
                    segments = [s for s in item.path.strip("/").split("/") if s]
                    best: st.Chain | None = None
                    for chain in chains:
                        read = [s for s in chain.read.path.strip("/").split("/") if s]
                        if (chain.create.method != "post" or chain.create.operation_id == item.operation_id
                                or chain.create.operation_id in self.stats.held_back or segments[:len(read)] != read):
                            continue
                        if best is None or len(read) > len(best.read.path):
                            best = chain
                    if best is not None:
                        self._creators[item.operation_id] = best
            return self._creators.get(op.operation_id)

    def creates_by_put(self, op: Operation) -> bool:
        """``op`` is a PUT that creates what it names (PUT /files/{path} then GET /files/{path})."""
        self.creator(op)
        return op.operation_id in self._put_creators

    def fresh_resource(self, chain: st.Chain) -> dict[str, Any] | None:
        """Create one resource with ``chain.create`` now; the read path parameters that name it."""
        with self._lock:
            factory = self._create_factories.get(chain.create.operation_id)
            if factory is None:
                factory = self._create_factories[chain.create.operation_id] = self._factory(chain.create, salt=13)
            first = chain.create.operation_id not in self._fresh_started
            self._fresh_started.add(chain.create.operation_id)
            try:  # minimal first; then random (unique names do not collide with 409)
                case = factory.positive(MINIMAL if first else RANDOM, phase="stateful",
                                        label=f"create a fresh resource with {chain.create.operation_id}")
            except Exception:  # the creator's own trouble (reported on it) must not stop this operation
                return None
        created = self._send(chain.create, case)
        self._check_and_record(chain.create, case, created)
        if not 200 <= created.status < 300:
            return None
        return self._created_ids(chain, case, created) or None

    def _created_ids(self, chain: st.Chain, create_case: Case, created: Exchange) -> dict[str, Any]:
        """The read path parameters naming what ``created`` made, from the create's request and
        answer (not GitHub's runner group `id: number` 1.5 into an integer path id)."""
        body = created.json()
        params: dict[str, Any] = {}
        for name, expression in chain.sources.items():
            value = st.evaluate_expression(expression, request_path=create_case.path_params, body=body,
                                           headers=created.response_headers)
            param = chain.read.parameter(name, "path")
            if value is not None and not isinstance(value, (dict, list)) and (
                    param is None or parameter_accepts(self.spec, param, value)):
                params[name] = value
        return params

    # --- sending and recording ----------------------------------------------------------
    def _send(self, op: Operation, case: Case, credentials: str | Auth = "valid") -> Exchange:
        try:
            method, url, headers, body = build(self.spec, op, case, self.auth, credentials=credentials)
        except (ValueError, TypeError) as exc:
            return Exchange(method=op.method.upper(), url=op.path, headers={}, body=None, error=f"unsendable: {exc}")
        # a 503/429 is retried once (toolcheck.fuzz.http.send), never past the run's deadline
        exchange = send(self.client, method, url, headers, body,
                        max_wait=min(RETRY_MAX_WAIT, self.budget.seconds_left()))
        # Valid requests with the run's credentials tell whether anything past authentication was tested.
        self.health.record(op.operation_id, f"{exchange.method} {exchange.url.split('?', 1)[0]}", exchange.status,
                           valid=credentials == "valid" and not case.negative and case.phase != "auth",
                           secured=bool(op.security) or not self.spec.security_schemes)
        with self._lock:
            self.stats.cases += 1
            self.stats.per_operation[op.operation_id] = self.stats.per_operation.get(op.operation_id, 0) + 1
            self.stats.per_phase[case.phase] = self.stats.per_phase.get(case.phase, 0) + 1
            self.stats.phase_operations.setdefault(case.phase, set()).add(op.operation_id)
        return exchange

    def _execute(self, op: Operation, case: Case) -> Exchange:
        exchange = self._send(op, case)
        if exchange.error.startswith("unsendable"):
            return exchange
        failures = evaluate(self.spec, op, case, exchange, max_response_time=self.options.max_response_time,
                            anonymous=self._anonymous)
        if case.llm and case.negative and not case.lenient and exchange.status:
            self._count_llm(op, exchange.status, failures)
        for failure in failures:
            key = (op.operation_id, failure.check, failure.cause)
            if self.findings.seen(key):
                self.findings.bump(key)
                continue
            final_case, final_exchange, final_failure = case, exchange, failure
            if self.options.shrink and case.phase != "examples" and failure.check != "transport_error" \
                    and not is_probe(case, op):
                if self.budget.end.bounded:
                    # Under a budget, requests buy breadth first: the finding is recorded as
                    # found, and shrunk after the rounds with whatever time is left.
                    with self._lock:
                        self._deferred.append((op, case, exchange, failure))
                else:
                    final_case, final_exchange, final_failure = self._shrink(op, case, exchange, failure)
            self.findings.add(self._finding(op, final_case, final_exchange, final_failure))
        return exchange

    def _count_llm(self, op: Operation, status: int, failures: list[Failure]) -> None:
        if 200 <= status < 300:
            outcome = "accepted"
        elif 400 <= status < 500 and not any(f.check in CONFORMANCE for f in failures):
            outcome = "helpful"
        else:
            outcome = "unhelpful"
        with self._lock:
            counts = self.stats.llm.setdefault(op.operation_id, {"helpful": 0, "unhelpful": 0, "accepted": 0})
            counts[outcome] += 1

    def _finding(self, op: Operation, case: Case, exchange: Exchange, failure: Failure,
                 steps: list[dict[str, Any]] | None = None) -> Finding:
        r = self.redactor
        request = {
            "method": exchange.method,
            "url": r.redact_url(self.base_url.rstrip("/") + exchange.url),
            "headers": r.redact_headers(dict(exchange.headers)),
            "body": r.redact_text(clip(exchange.body)) if exchange.body is not None else None,
        }
        rr = self.response_redactor
        response = {
            "status": exchange.status,
            "headers": rr.redact_headers(dict(exchange.response_headers)),
            "body": rr.redact_text(clip(exchange.response_body)),
            "elapsed_ms": round(exchange.elapsed * 1000, 1),
        }
        if exchange.error:
            response["error"] = exchange.error
        if exchange.retried:
            response["retried"] = exchange.retried
            if exchange.status in RETRY_STATUSES:  # say it where every report shows it: it persisted
                failure = replace(failure, message=f"{failure.message} (still {exchange.status} after one retry)")
        if not case.negative and case.phase != "auth" and not same_kind(self.spec, op, case):
            # Never call a request "valid" that the spec rejects (an odd schema we generate wrongly).
            case = case.with_(label=f"{case.label or 'request'} (not valid under the spec: a toolcheck "
                                    "generation gap, the server may be right)")
        return Finding(
            operation_id=op.operation_id, operation_key=op.key, failure=failure,
            case=r.redact_value(case.to_dict()), request=request, response=response,
            curl=curl(self.base_url, exchange, r), phase=case.phase, seed=self.options.seed, steps=steps or [],
        )

    # --- shrinking ----------------------------------------------------------------------
    def _shrink_deferred(self) -> None:
        """Shrink the findings a budget put off, while it lasts (the rest stay as found: their
        reproductions are the exact requests that failed)."""
        for op, case, exchange, failure in self._deferred:
            if self._expired():
                return
            small, small_exchange, small_failure = self._shrink(op, case, exchange, failure)
            if small is not case:
                self.findings.replace(self._finding(op, small, small_exchange, small_failure))

    def _shrink(self, op: Operation, case: Case, exchange: Exchange, failure: Failure) -> tuple[Case, Exchange, Failure]:
        def check(candidate: Case, result: Exchange) -> list[Failure]:
            return evaluate(self.spec, op, candidate, result, max_response_time=self.options.max_response_time,
                            anonymous=self._anonymous)

        return shrink(self.spec, op, case, exchange, failure, send=lambda c: self._send(op, c), check=check,
                      expired=self._expired)

    # --- stateful phase -----------------------------------------------------------------
    def _stateful(self, operations: list[Operation]) -> None:
        chosen = {op.operation_id for op in operations}
        chains = [c for c in st.infer_chains(self.spec) if c.create.operation_id in chosen
                  or c.read.operation_id in chosen or (c.delete is not None and c.delete.operation_id in chosen)]
        for chain in chains:
            if self._expired():
                return
            self._chain(chain)

    def _chain(self, chain: st.Chain) -> None:
        factory = self._factory(chain.create, salt=7)
        attempts: list[Case] = factory.examples()[:1]
        for mode in (MINIMAL, MAXIMAL, RANDOM, RANDOM, RANDOM):
            try:
                attempts.append(factory.positive(mode, phase="stateful"))
            except Unsatisfiable:
                continue
        completed = 0
        for create_case in attempts:
            # Several different resources per chain: data-dependent response bugs show up on reads.
            if completed >= STATEFUL_CHAINS or self._expired():
                break
            create_case = create_case.with_(phase="stateful")
            created = self._send(chain.create, create_case)
            self._check_and_record(chain.create, create_case, created)
            if not 200 <= created.status < 300:
                continue
            completed += 1
            self._follow(chain, create_case, created)
        if not attempts or not self._json_body(factory):
            return
        # Then one resource per enum value and oneOf branch of the create body, each read back
        # (and deleted): a state bug of one kind of resource needs that kind to exist.
        base = next((a for a in attempts if a.label.startswith(MINIMAL)), attempts[0])
        for create_case in variants(self.spec, factory.body_schema, base, factory.gen):
            if self._expired():
                return
            create_case = create_case.with_(phase="stateful")
            created = self._send(chain.create, create_case)
            self._check_and_record(chain.create, create_case, created)
            if 200 <= created.status < 300:
                self._follow(chain, create_case, created)

    def _create_for(self, chain: st.Chain, *, phase: str) -> tuple[Case, Exchange, Case] | None:
        """Create one resource with the run's credentials: ``(create case, its exchange, the case
        that reads it back)``, or None when nothing could be created (the authz phase's owner)."""
        factory = self._factory(chain.create, salt=19)
        try:
            create_case = (factory.examples()[:1] or [factory.positive(MINIMAL, phase=phase)])[0].with_(phase=phase)
        except Unsatisfiable:
            return None
        created = self._send(chain.create, create_case)
        if not 200 <= created.status < 300:
            return None
        read_case = self._read_case(chain, create_case, created)
        return None if read_case is None else (create_case, created, read_case)

    def _read_case(self, chain: st.Chain, create_case: Case, created: Exchange) -> Case | None:
        """The case that reads back what ``created`` made (its ids from the create's request and
        answer), or None when they cannot be found."""
        params = self._created_ids(chain, create_case, created)
        read_factory = self._factory(chain.read, salt=7)
        try:
            read_case = read_factory.positive(MINIMAL, phase="stateful")
        except Unsatisfiable:
            return None
        missing = [p.name for p in chain.read.parameters if p.location == "path" and p.name not in params]
        if missing:
            return None
        return read_case.with_(path_params={**read_case.path_params, **params},
                               label=f"read back what {chain.create.operation_id} created")

    def _follow(self, chain: st.Chain, create_case: Case, created: Exchange) -> None:
        """Read back (then delete and read again) one resource ``chain.create`` made."""
        made = self._read_case(chain, create_case, created)
        if made is None:
            return
        read_case = made
        params = dict(read_case.path_params)
        self._pool[chain.read.operation_id] = dict(read_case.path_params)
        if chain.delete is not None:
            self._pool.setdefault(chain.delete.operation_id, dict(read_case.path_params))
        steps = [self._step("create", chain.create, create_case, created)]
        read = self._send(chain.read, read_case)
        self._check_and_record(chain.read, read_case, read)
        steps.append(self._step("read", chain.read, read_case, read))
        if read.status in (404, 410):
            failure = make_failure("resource_not_readable", f"{chain.read.operation_id} {read.status}",
                              f"{chain.create.operation_id} answered HTTP {created.status} but {chain.read.operation_id} "
                              f"with {params} answered HTTP {read.status}")
            self.findings.add(self._finding(chain.create, read_case, read, failure, steps))
            return
        if 200 <= read.status < 300:
            self._list_and_update(chain, create_case, read_case, steps)
        if chain.delete is None or chain.delete.operation_id in self.stats.held_back or not 200 <= read.status < 300:
            return
        # The DELETE's own valid case (its required query, headers, body: GitHub's
        # DELETE /repos/{owner}/{repo}/contents/{path} needs a body), aimed at what was read.
        try:
            delete_case = self._factory(chain.delete, salt=11).positive(MINIMAL, phase="stateful")
        except Unsatisfiable:
            return
        ids = {k: v for k, v in read_case.path_params.items() if chain.delete.parameter(k, "path") is not None}
        delete_case = delete_case.with_(path_params={**delete_case.path_params, **ids},
                                        label=f"delete what {chain.create.operation_id} created")
        deleted = self._send(chain.delete, delete_case)
        self._check_and_record(chain.delete, delete_case, deleted)
        steps.append(self._step("delete", chain.delete, delete_case, deleted))
        if not 200 <= deleted.status < 300:
            return
        again = self._send(chain.read, read_case)
        steps.append(self._step("read again", chain.read, read_case, again))
        if 200 <= again.status < 300:
            failure = make_failure("deleted_still_readable", f"{chain.read.operation_id} {again.status}",
                              f"{chain.delete.operation_id} answered HTTP {deleted.status} but {chain.read.operation_id} "
                              f"still answers HTTP {again.status} for {params}")
            self.findings.add(self._finding(chain.delete, read_case, again, failure, steps))
        else:
            self._check_and_record(chain.read, read_case.with_(label="read after delete"), again)

    def _list_and_update(self, chain: st.Chain, create_case: Case, read_case: Case, steps: list[dict[str, Any]]) -> None:
        """The collection's list, then each update (PATCH/PUT of the item), with this resource in
        the store: a kind of resource (one enum value, one oneOf branch) that breaks how a list
        is rendered or an update is applied shows only once that kind exists."""
        listing = next((o for o in self.spec.operations if o.method == "get" and o.path == chain.create.path), None)
        updates = [o for o in self.spec.operations if o.method in ("patch", "put") and o.path == chain.read.path
                   and o.operation_id != chain.create.operation_id]
        for role, op, ids in ([("list", listing, create_case.path_params)] if listing is not None else []) + \
                [("update", o, read_case.path_params) for o in updates]:
            if self._expired():
                return
            try:
                case = self._factory(op, salt=23).positive(MINIMAL if role == "list" else RANDOM, phase="stateful")
            except Unsatisfiable:
                continue
            keep = {k: v for k, v in ids.items() if op.parameter(k, "path") is not None}
            case = case.with_(path_params={**case.path_params, **keep},
                              label=f"{role} with what {chain.create.operation_id} created "
                                    f"({create_case.label or 'a valid request'})")
            exchange = self._send(op, case)
            steps.append(self._step(role, op, case, exchange))
            self._check_and_record(op, case, exchange, list(steps))  # a finding shows what was created first

    def _step(self, role: str, op: Operation, case: Case, exchange: Exchange) -> dict[str, Any]:
        return {"role": role, "operation_id": op.operation_id, "case": self.redactor.redact_value(case.to_dict()),
                "status": exchange.status, "curl": curl(self.base_url, exchange, self.redactor)}

    def _check_and_record(self, op: Operation, case: Case, exchange: Exchange,
                          steps: list[dict[str, Any]] | None = None) -> None:
        for failure in evaluate(self.spec, op, case, exchange, max_response_time=self.options.max_response_time,
                            anonymous=self._anonymous):
            if case.label == "read after delete" and failure.check == "status_documented" and exchange.status in (404, 410):
                continue
            self.findings.add(self._finding(op, case, exchange, failure, steps))

    # --- auth phase ---------------------------------------------------------------------
    def _auth(self, op: Operation) -> None:
        if not is_secured(op):
            return
        schemes = [self.spec.security_schemes.get(name) for req in op.security for name in req]
        if any(s is None or s.type == "mutualTLS" for s in schemes):
            return
        factory = self._factory(op, salt=11)
        try:
            case = (factory.examples() or [factory.positive(MINIMAL)])[0]
        except Unsatisfiable:
            return
        if op.operation_id in self._pool:
            case = case.with_(path_params={**case.path_params, **self._pool[op.operation_id]})
        case = case.with_(phase="auth")
        probes = [("none", "missing credentials")]
        if self.options.invalid_credentials:
            probes.append(("invalid", "invalid credentials"))
        for credentials, label in probes:
            exchange = self._send(op, case, credentials=credentials)
            labelled = case.with_(label=f"valid request with {label}")
            if 200 <= exchange.status < 300:
                failure = make_failure("auth_not_enforced", label,
                                  f"HTTP {exchange.status} for a request with {label} to a secured operation")
                self.findings.add(self._finding(op, labelled, exchange, failure))
            elif exchange.status != 0:
                for failure in evaluate(self.spec, op, labelled, exchange):
                    if failure.check in CONFORMANCE or failure.check == "server_error":
                        self.findings.add(self._finding(op, labelled, exchange, failure))
