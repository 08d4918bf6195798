"""Findings: failures deduplicated by (operation, check, cause), mapped onto the result model.

Hand-written. The first failing example of each key is kept (after shrinking), with a curl
reproduction, a ``toolcheck replay`` command and the seed; later hits only bump a counter.
Findings of a server-wide check (:data:`toolcheck.fuzz.checks.SERVER_WIDE`: how the router
answers methods) are keyed by (check, cause) alone: one finding, whose ``operations`` lists
every operation it showed on, each with the request that showed it there.
Everything stored here is already redacted.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from toolcheck.findings import Severity
from toolcheck.fuzz.checks import SERVER_WIDE, Failure
from toolcheck.redact import Redactor
from toolcheck.spec import Spec

# Always credentials, whatever the spec says (RFC 9110 §11.6.2, RFC 6265 §4.2).
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

_BODY_LIMIT = 4000


def finding_id(operation_id: str, check: str, cause: str) -> str:
    return hashlib.sha1(f"{operation_id}|{check}|{cause}".encode()).hexdigest()[:8]


@dataclass
class Finding:
    """One distinct problem found in the target."""

    operation_id: str
    operation_key: str
    failure: Failure
    case: dict[str, Any]
    request: dict[str, Any]
    response: dict[str, Any]
    curl: str
    phase: str
    seed: int
    steps: list[dict[str, Any]] = field(default_factory=list)
    count: int = 1
    # a server-wide finding: every operation it showed on (the first is this finding's own)
    operations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return finding_id(self.operation_id, self.failure.check, self.failure.cause)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.operation_id, self.failure.check, self.failure.cause)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "operation_id": self.operation_id,
            "operation": self.operation_key,
            "check": self.failure.check,
            "cause": self.failure.cause,
            "message": self.failure.message,
            "severity": self.failure.severity.value,
            "hint": self.failure.hint,
            "violations": [dict(v) for v in self.failure.evidence],
            "case": self.case,
            "request": self.request,
            "response": self.response,
            "curl": self.curl,
            "phase": self.phase,
            "seed": self.seed,
            "steps": self.steps,
            "count": self.count,
            **({"operations": self.operations} if self.operations else {}),
        }

    def affected(self) -> dict[str, Any]:
        """This finding's operation and request, as an entry of a server-wide finding's ``operations``."""
        return {"operation_id": self.operation_id, "operation": self.operation_key,
                "method": self.request.get("method", ""), "curl": self.curl}


def _slot(key: tuple[str, str, str]) -> tuple[str, str, str]:
    """Where a finding of ``key`` is kept: a server-wide check's cause is one finding over operations."""
    return ("*", key[1], key[2]) if key[1] in SERVER_WIDE else key


class FindingSet:
    """Thread-safe dedupe of findings by (operation, check, cause), under the run's check levels.

    ``levels`` (from ``--severity CHECK=...``) is applied here, where every finding of every phase
    passes: a check set ``off`` records nothing (and is never shrunk: :meth:`seen` says yes),
    any other level replaces the check's default severity.
    """

    def __init__(self, levels: Mapping[str, Severity | None] | None = None) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[str, str, str], Finding] = {}
        self._levels = dict(levels or {})

    def _off(self, check: str) -> bool:
        return check in self._levels and self._levels[check] is None

    def seen(self, key: tuple[str, str, str]) -> bool:
        """Already recorded for this operation (a server-wide cause seen on another one is not)."""
        if self._off(key[1]):
            return True
        with self._lock:
            known = self._items.get(_slot(key))
            return known is not None and (key[1] not in SERVER_WIDE
                                          or any(o["operation_id"] == key[0] for o in known.operations))

    def add(self, finding: Finding) -> bool:
        """Record ``finding``; False (and a bumped count) if its key was already known or its check is off.

        A server-wide finding on a new operation joins the known one's ``operations``.
        """
        check = finding.failure.check
        if self._off(check):
            return False
        level = self._levels.get(check)
        if level is not None and level is not finding.failure.severity:
            finding.failure = replace(finding.failure, severity=level)
        grouped = check in SERVER_WIDE
        if grouped and not finding.operations:
            finding.operations = [finding.affected()]
        with self._lock:
            known = self._items.get(_slot(finding.key))
            if known is not None:
                known.count += 1
                if grouped and all(o["operation_id"] != finding.operation_id for o in known.operations):
                    known.operations.append(finding.affected())
                return False
            self._items[_slot(finding.key)] = finding
            return True

    def replace(self, finding: Finding) -> None:
        level = self._levels.get(finding.failure.check)
        if level is not None and level is not finding.failure.severity:
            finding.failure = replace(finding.failure, severity=level)
        with self._lock:
            known = self._items.get(_slot(finding.key))
            if known is not None:
                finding.count = known.count
                finding.operations = finding.operations or known.operations
            self._items[_slot(finding.key)] = finding

    def bump(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            if _slot(key) in self._items:
                self._items[_slot(key)].count += 1

    def all(self) -> list[Finding]:
        with self._lock:
            return sorted(self._items.values(), key=lambda f: (f.operation_id, f.failure.check, f.failure.cause))


def request_redactor(spec: Spec, secrets: Iterable[str], names: Iterable[str] = ()) -> Redactor:
    """A redactor for what a finding stores of the *request*: only real secrets are masked.

    Real secrets are the credential values given to the run (wherever they appear), the
    ``Authorization``/``Cookie`` headers, the header/query/cookie names the spec's apiKey schemes
    declare, and ``names`` (headers the user passed with ``-H``). A body field named ``key`` or
    ``token`` is the input under test, not a credential: masking it made repros that do not
    reproduce.
    """
    declared = set(_CREDENTIAL_HEADERS) | {n.lower() for n in names}
    declared |= {s.param_name.lower() for s in spec.security_schemes.values() if s.type == "apiKey" and s.param_name}
    frozen = frozenset(declared)
    return Redactor(secrets, secret_names=lambda name: name.strip().lower() in frozen)


def clip(body: bytes | str | None) -> str:
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return text if len(text) <= _BODY_LIMIT else text[:_BODY_LIMIT] + f"... ({len(text)} characters)"
