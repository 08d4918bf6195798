"""The fuzz runner: one hub that runs the phases, sends every case and records what it finds.

Hand-written orchestration over an injected ``httpx.Client`` (a real target or the mock's
transport). The order and the budget are :mod:`toolcheck.fuzz.plan`'s: breadth-first rounds over
every operation (worker threads within a round), each round's cases from
:mod:`toolcheck.fuzz.cases`, aimed at resources this run created (:mod:`toolcheck.fuzz.resources`);
then the sequential phases (:mod:`toolcheck.fuzz.phases`, :mod:`toolcheck.fuzz.authz`). Deletes
run last in each round, and deletes of the caller's own identity are held back
(:mod:`toolcheck.fuzz.identity`). Every request goes through :meth:`Fuzzer._send`; every answer
is judged by :mod:`toolcheck.fuzz.checks`, and a failing case is shrunk (optional fields and
parameters dropped while the same failure reproduces) before it is recorded, deduplicated by
cause (:mod:`toolcheck.fuzz.findings`). Nothing is replayed from a previous run: runs depend only
on the spec, the seed and the target.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import httpx

from toolcheck.fuzz.cases import OpState, cases
from toolcheck.fuzz.checks import CONFORMANCE, Failure, evaluate
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
from toolcheck.fuzz.phases import auth, stateful
from toolcheck.fuzz.plan import ROUNDS, SLICED, Budget, FuzzOptions, FuzzStats, Mark
from toolcheck.fuzz.resources import Creators, Resources
from toolcheck.fuzz.shrink import same_kind, shrink
from toolcheck.health import AuthHealth
from toolcheck.payloads import operation_seed
from toolcheck.payloads.case import Case
from toolcheck.payloads.methods import is_probe
from toolcheck.payloads.positive import CaseFactory
from toolcheck.spec import Operation, Spec

MAX_CONSECUTIVE_ERRORS = 3
Event = Callable[[str, dict[str, Any]], None]


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
        self._states: dict[str, OpState] = {}
        self.creators = Creators(self)
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
                    stateful(self, ordered)
            if "auth" in self.options.phases:
                for op in ordered:
                    if self._expired():
                        self.stats.budget_hit = True
                        break
                    auth(self, op)
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

    def _state(self, op: Operation) -> OpState:
        """The operation's generator state, shared by its rounds (one seeded stream per operation)."""
        with self._lock:
            state = self._states.get(op.operation_id)
        if state is None:
            state = OpState(self._factory(op))
            with self._lock:
                self._states[op.operation_id] = state
        return state

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
            resources = Resources(self, op) if part != "examples" else None
            for case in cases(self, op, state, part, end):
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

    def _check_and_record(self, op: Operation, case: Case, exchange: Exchange,
                          steps: list[dict[str, Any]] | None = None) -> None:
        for failure in evaluate(self.spec, op, case, exchange, max_response_time=self.options.max_response_time,
                            anonymous=self._anonymous):
            if case.label == "read after delete" and failure.check == "status_documented" and exchange.status in (404, 410):
                continue
            self.findings.add(self._finding(op, case, exchange, failure, steps))
