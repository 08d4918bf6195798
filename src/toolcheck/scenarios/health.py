"""Were the credentials accepted? A run whose authenticated requests were refused tested nothing.

A step that sent credentials (its scenario's, ``--auth``, or the mock's placeholder) and got 401 or
403 without expecting it did not test the operation, it tested the credential. When every such
request was refused, or credentials that worked stop working (a token that expires, an account a
step deleted), the run is "could not test" (exit 2), said loudly, naming the step after which it
began: never a plain failure, never a pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

REFUSED = (401, 403)
SENT = "sent"  # details["credentials"] of a step that sent credentials meant to be accepted


def credential_problem(suites: Iterable[Any]) -> str:
    """A sentence when the run's credentials were refused across the board or stopped working
    ("" when they were accepted, or no step sent any)."""
    sent: list[tuple[str, int, bool]] = []  # (step, status, expected a refusal)
    for suite in suites:
        for case in suite.cases:
            details = case.details
            response = details.get("response") if isinstance(details, dict) else None
            if details.get("credentials") != SENT or not isinstance(response, dict):
                continue
            status = response.get("status")
            if isinstance(status, int):
                sent.append((f"{suite.name} › {case.name}", status, bool(details.get("expects_refusal"))))
    judged = [(step, status) for step, status, expected in sent if not expected]
    if not judged:
        return ""
    refused = [step for step, status in judged if status in REFUSED]
    if len(refused) == len(judged):
        return (f"credentials rejected: every one of the {len(judged)} authenticated request(s) was answered "
                f"401/403 (first: {refused[0]}); nothing behind authentication was tested. Check --auth (or the "
                "scenario's auth) and the token's validity and scopes")
    # accepted first, then refused from some step to the end: they stopped working
    last_ok = max(i for i, (_step, status) in enumerate(judged) if status not in REFUSED)
    tail = judged[last_ok + 1:]
    if len(tail) >= 2 and all(status in REFUSED for _step, status in tail):
        return (f"credentials stopped working: the {len(tail)} authenticated request(s) after "
                f"{judged[last_ok][0]} were all answered 401/403 (first: {tail[0][0]}); what followed was not tested")
    return ""
