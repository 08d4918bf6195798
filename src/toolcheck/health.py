"""Auth health: a run whose credentials are rejected tested nothing, and must say so.

Shared by ``fuzz`` (every *valid* request sent with the run's credentials: positive cases of the
examples, boundary, fuzz and stateful phases, not the auth phase's deliberate probes) and ``run``
(every step that sent credentials and did not expect a refusal; its streak thresholds are lower,
scenarios being short). Hand-written. Two verdicts make the run "could not test" (exit 2), never a clean pass:

* ``rejected``: no valid request to a secured operation ever got past 401/403, and at least
  half of the operations tested answered every valid request with 401/403 (wrong or missing
  credentials, a placeholder the target does not accept);
* ``lost``: credentials that worked stopped working: after some accepted requests, a streak of
  valid requests over several operations was answered 401/403 and none was accepted again (the
  run deleted its own account or revoked its key). The request sent just before the streak
  began is named: it is usually the culprit.

RFC 9110 §15.5.2/§15.5.4: 401 means the credentials are missing or invalid, 403 that they are
valid but insufficient; both stop a request before the handler reads it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

REJECTED = frozenset({401, 403})
STREAK = 10  # valid requests in a row answered 401/403 ...
STREAK_OPERATIONS = 3  # ... over at least this many operations: credentials lost, not one admin-only area


@dataclass
class AuthHealth:
    """Thread-safe record of how the target answered the run's valid requests."""

    anonymous: bool = False  # the run was given no credentials
    streak_needed: int = STREAK
    streak_operations: int = STREAK_OPERATIONS
    how: str = "use --bearer, --basic or -H"  # how to give credentials, for the message
    first_rejected: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    accepted: int = 0  # valid requests to secured operations that got past authentication
    rejected: int = 0  # valid requests answered 401/403
    per_operation: dict[str, list[int]] = field(default_factory=dict)  # op → [valid requests, rejected]
    _last: str = ""
    _streak: int = 0
    _streak_ops: set[str] = field(default_factory=set)
    _streak_after: str = ""
    lost_after: str | None = None  # the request after which credentials stopped working

    def record(self, operation_id: str, request: str, status: int, *, valid: bool, secured: bool) -> None:
        """One exchange: ``request`` is ``METHOD /path`` (no query: it may carry a credential)."""
        with self._lock:
            line = f"{request} → {status}" if status else f"{request} (no response)"
            if valid and status:
                counts = self.per_operation.setdefault(operation_id, [0, 0])
                counts[0] += 1
                if status in REJECTED:
                    counts[1] += 1
                    self.rejected += 1
                    self.first_rejected = self.first_rejected or line
                    if self._streak == 0:
                        self._streak_after = self._last
                    self._streak += 1
                    self._streak_ops.add(operation_id)
                    if (self.accepted and self.lost_after is None and self._streak >= self.streak_needed
                            and len(self._streak_ops) >= self.streak_operations):
                        self.lost_after = self._streak_after or "the first request"
                elif secured:
                    self.accepted += 1
                    self._streak = 0
                    self._streak_ops.clear()
                    self.lost_after = None  # accepted again: it was a restricted area, not lost credentials
            self._last = line

    def verdict(self) -> dict[str, Any]:
        """``{"status": "ok" | "rejected" | "lost", "message": ..., ...}``."""
        with self._lock:
            tested = len(self.per_operation)
            refused = sorted(op for op, (n, r) in self.per_operation.items() if n and n == r)
            base: dict[str, Any] = {"accepted": self.accepted, "rejected": self.rejected,
                                    "operations_refused": len(refused)}
            if self.lost_after is not None:
                return {**base, "status": "lost", "after": self.lost_after, "message": (
                    f"credentials stopped working mid-run: after {self.lost_after}, every valid request "
                    f"({self._streak} in a row, over {len(self._streak_ops)} operations) was answered 401/403; "
                    "what followed tested only the authentication layer (did that request delete or revoke "
                    "the caller's own identity?)")}
            if self.accepted == 0 and refused and 2 * len(refused) >= tested:
                given = (f"no credentials were given ({self.how})" if self.anonymous
                         else "the credentials given were not accepted")
                return {**base, "status": "rejected", "message": (
                    f"credentials rejected: every valid request was answered 401/403 ({self.rejected} requests, "
                    f"{len(refused)} of {tested} operations; first: {self.first_rejected}): {given}, so nothing "
                    "past authentication was tested")}
            return {**base, "status": "ok", "message": ""}
