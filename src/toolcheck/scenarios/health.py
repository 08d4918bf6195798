"""Were a run's credentials accepted? A run whose authenticated steps were refused tested nothing.

A step that sent credentials (its scenario's, ``--auth``, or the mock's placeholder) and got 401 or
403 without expecting it did not test the operation, it tested the credential. When every such
step was refused, or credentials that worked stop working (a token that expires, an account a step
deleted), the run is "could not test" (exit 2), said loudly, naming the step after which it began.
The judgement is :class:`toolcheck.health.AuthHealth`'s, the one fuzz uses, over the steps in order,
with a streak of two refused steps (scenarios are short, and stop at their first failure).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from toolcheck.details import Details
from toolcheck.health import AuthHealth

SENT = "sent"  # Details.credentials of a step that sent credentials meant to be accepted


def credential_problem(suites: Iterable[Any]) -> str:
    """A sentence when the run's credentials were refused across the board or stopped working
    ("" when they were accepted, or no step sent any)."""
    health = AuthHealth(streak_needed=2, streak_operations=1, how="--auth SCHEME=VALUE")
    for suite in suites:
        for case in suite.cases:
            details: Details = case.details
            response = details.response
            if details.credentials != SENT or response is None:
                continue
            if isinstance(response.status, int):
                health.record(details.operation or case.name, f"{suite.name} › {case.name}", response.status,
                              valid=not details.expects_refusal, secured=True)
    verdict = health.verdict()
    return str(verdict["message"]) if verdict["status"] != "ok" else ""
