"""What a fuzz run does in which order, and how a budget is shared between its rounds.

Phases run fastest first. The per-operation phases run as breadth-first *rounds* over every
operation (:data:`ROUNDS`): every operation gets its examples, then every operation its bounds,
then its method probes, its negatives, its random cases; the stateful, auth and authz phases
follow, sequentially. A budget (``--max-time`` seconds, ``max_requests`` requests, or both) is
shared: each round may spend a *share* of what is left when it starts, and in a sliced round
each operation a fair part of what the round has left (what one leaves unused passes on), the
first case of every operation before the second of any.

Every share after the examples round is below 1: a round allowed the whole rest spends it on
its own depth, and the rounds after it get nothing (a 60 s run on Prefect's 188 operations sent
no negative case at all, so it missed a 500 that a ``null`` in a required field provokes).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from toolcheck.findings import Severity

PHASES = ("examples", "boundary", "fuzz", "stateful", "auth", "authz")
# The per-operation rounds: (phase, part, share of what is left of the budget the round may
# spend). The examples round (every operation's first request) may spend it all: coverage first.
# Then each kind of case gets a part, the later rounds a part of what the earlier ones left:
# with 48 s left, bounds ~19 s, method probes ~9 s, negatives ~10 s, random cases ~7 s, and the
# stateful and auth phases the last ~3 s.
ROUNDS = (("examples", "examples", 1.0), ("boundary", "bounds", 0.4), ("boundary", "methods", 0.3),
          ("boundary", "negatives", 0.5), ("fuzz", "fuzz", 0.7))
# Rounds whose operations share the round's part fairly (the examples round gives each operation
# its one request whatever it costs). On a slow target (188 operations at 15 requests/s) the
# first operations' edges would otherwise take the round whole.
SLICED = frozenset({"bounds", "methods", "negatives", "fuzz"})


@dataclass(frozen=True)
class Mark:
    """Where spending stops: a time (``time.perf_counter``) or a number of requests sent, whichever comes first."""

    time: float = math.inf
    requests: float = math.inf

    @property
    def bounded(self) -> bool:
        return self.time != math.inf or self.requests != math.inf

    def passed(self, sent: int) -> bool:
        return sent >= self.requests or time.perf_counter() > self.time

    def share(self, fraction: float, sent: int) -> Mark:
        """The mark ``fraction`` of the way from now (``sent`` requests so far) to this one."""
        now = time.perf_counter()
        return Mark(now + (self.time - now) * fraction if self.time != math.inf else math.inf,
                    sent + (self.requests - sent) * fraction if self.requests != math.inf else math.inf)

    def earlier(self, other: Mark) -> Mark:
        return Mark(min(self.time, other.time), min(self.requests, other.requests))


class Budget:
    """The run's budget: ``end`` is where it stops; :meth:`cancel` (Ctrl-C) stops it now."""

    def __init__(self, max_time: float | None = None, max_requests: int | None = None) -> None:
        self.end = Mark(time.perf_counter() + max_time if max_time is not None else math.inf,
                        max_requests if max_requests is not None else math.inf)

    def expired(self, sent: int) -> bool:
        return self.end.passed(sent)

    def cancel(self) -> None:
        self.end = Mark(-math.inf, self.end.requests)

    def seconds_left(self) -> float:
        return self.end.time - time.perf_counter()


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
