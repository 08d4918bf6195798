"""What a drift run produces: findings (one per change) and the report around them.

Hand-written frozen dataclasses: formats, policy and the CLI read only these. Locations are
JSON pointers until a reporter asks for ``file:line`` (:meth:`DriftReport.locate`), because
finding a line number means re-parsing the source and most findings are never printed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from toolcheck import findings
from toolcheck.findings import Severity


@dataclass(frozen=True)
class Finding(findings.Finding):
    """One change between two specs: a shared :class:`toolcheck.findings.Finding` plus both sides.

    ``check`` is the drift rule id (``toolcheck drift --list-rules``), ``severity`` its level after
    policy (``error`` = breaking). Drift reports keep their field names (``id``, ``level``).

    Attributes:
        operation_id: the tool name (new side when it exists, else old).
        path: where inside the operation (``request body: items[].name``, ``parameter query:limit``).
        before / after: the old and new values, when there are such.
        old_pointer / new_pointer: JSON pointers into each normalised document ('' if absent).
        oasdiff: the oasdiff rule id(s) this finding corresponds to.
        scope: ``body``/``property``/``parameter``/``header``/``operation``/``document``.
        key: extra identity (an enum value, a property name) for the fingerprint.
    """

    operation_id: str = ""
    path: str = ""
    before: Any = None
    after: Any = None
    old_pointer: str = ""
    new_pointer: str = ""
    oasdiff: tuple[str, ...] = ()
    scope: str = ""
    key: str = ""
    operations: tuple[str, ...] = ()  # set when the change is in a shared component: every operation reaching it
    ignored: str = ""  # the ignore entry's reason when suppressed
    location_old: str = ""
    location_new: str = ""
    spec_file: str = ""  # the spec document, relative to the directory, when drift compared directories

    @property
    def rule(self) -> str:
        """The drift rule id: drift's name for ``check``."""
        return self.check

    @property
    def level(self) -> Severity:
        """Drift's name for ``severity``."""
        return self.severity

    @property
    def fingerprint(self) -> str:
        """12 hex digits that survive message rewording: rule, operation, path and key only
        (and the spec file, when directories of specs were compared)."""
        subject = "" if self.operations else self.operation  # a shared component change is one finding
        parts = (self.rule, subject, self.path, self.key) + ((self.spec_file,) if self.spec_file else ())
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]

    @property
    def places(self) -> tuple[str, ...]:
        """The operations this finding reaches, prefixed by its spec file when there is one."""
        ops = self.operations or ((self.operation,) if self.operation else ())
        if self.spec_file:
            return tuple(f"{self.spec_file}: {op}" for op in ops) or (self.spec_file,)
        return ops

    @property
    def rank(self) -> int:
        return self.severity.rank

    def with_level(self, level: Severity) -> Finding:
        return replace(self, severity=level)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.rule,
            "level": self.level.value,
            "operation": self.operation,
            "operation_id": self.operation_id,
            "operations": list(self.operations) or ([self.operation] if self.operation else []),
            "path": self.path,
            "message": self.message,
            "before": _jsonable(self.before),
            "after": _jsonable(self.after),
            "location": {"old": self.location_old or None, "new": self.location_new or None},
            "pointer": {"old": self.old_pointer or None, "new": self.new_pointer or None},
            "oasdiff": list(self.oasdiff),
            "fingerprint": self.fingerprint,
            **({"spec_file": self.spec_file} if self.spec_file else {}),
            **({"ignored": self.ignored} if self.ignored else {}),
        }


@dataclass(frozen=True)
class FindingGroup:
    """Identical changes (same rule, level, before and after) at several places: one row.

    An inline schema repeated per operation (Twilio's ``http-method`` enum sits in 112 places)
    makes one edit many findings; reporters print one row per group with its count, and the
    JSON lists every place. Levels, exit codes, fingerprints and ignore entries stay per finding.
    """

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def rule(self) -> str:
        return self.first.rule

    @property
    def level(self) -> Severity:
        return self.first.level

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def operations(self) -> tuple[str, ...]:
        """Every operation the change reaches, in order of first appearance."""
        ops: dict[str, None] = {}
        for f in self.findings:
            for op in f.places:
                ops[op] = None
        return tuple(ops)

    @property
    def message(self) -> str:
        """The first place's sentence, plus how many other places carry the same change."""
        more = self.count - 1
        return self.first.message + (f" (same change at {more} more place{'s' if more > 1 else ''})" if more else "")

    def places(self) -> list[dict[str, Any]]:
        """One entry per finding: operation(s), path, file:line on both sides, fingerprint."""
        return [{**({"spec_file": f.spec_file} if f.spec_file else {}), "operation": f.operation,
                 "operations": list(f.operations) or ([f.operation] if f.operation else []),
                 "path": f.path, "location": {"old": f.location_old or None, "new": f.location_new or None},
                 "fingerprint": f.fingerprint} for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        first = self.first
        return {"id": first.rule, "level": first.level.value, "count": self.count, "message": self.message,
                "before": _jsonable(first.before), "after": _jsonable(first.after),
                "operations": list(self.operations), "oasdiff": list(first.oasdiff), "places": self.places()}


def group_findings(findings: tuple[Finding, ...] | list[Finding]) -> tuple[FindingGroup, ...]:
    """Group identical changes: same rule, level, before and after (in order of first appearance)."""
    groups: dict[tuple[str, str, str, str], list[Finding]] = {}
    for f in findings:
        key = (f.rule, f.level, _canonical(f.before), _canonical(f.after))
        groups.setdefault(key, []).append(f)
    return tuple(FindingGroup(tuple(members)) for members in groups.values())


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)


@dataclass(frozen=True)
class DriftReport:
    """All findings of one ``diff(old, new)`` plus what reporters need to locate them."""

    old_source: str
    new_source: str
    findings: tuple[Finding, ...]
    ignored: tuple[Finding, ...] = ()
    stats: dict[str, Any] = field(default_factory=dict)
    old_title: str = ""
    new_title: str = ""
    old_version: str = ""
    new_version: str = ""
    # (spec file, reason) pairs a directory comparison could not diff: the run is not complete
    not_compared: tuple[tuple[str, str], ...] = ()
    _locate_old: Callable[[str], str] | None = field(default=None, repr=False, compare=False)
    _locate_new: Callable[[str], str] | None = field(default=None, repr=False, compare=False)

    def count(self, level: Severity) -> int:
        return sum(1 for f in self.findings if f.level is level)

    @property
    def breaking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level is Severity.ERROR)

    def at_least(self, level: Severity) -> tuple[Finding, ...]:
        floor = level.rank
        return tuple(f for f in self.findings if f.rank >= floor)

    def groups(self, findings: tuple[Finding, ...] | None = None) -> tuple[FindingGroup, ...]:
        """The findings (all, or those given) as rows of identical changes (:func:`group_findings`)."""
        return group_findings(self.findings if findings is None else findings)

    def located(self, findings: tuple[Finding, ...] | None = None) -> tuple[Finding, ...]:
        """The findings with ``file:line`` locations filled in (only call for what you output)."""
        out = []
        for f in self.findings if findings is None else findings:
            old = f.location_old or (self._loc(self._locate_old, f.old_pointer) if f.old_pointer else "")
            new = f.location_new or (self._loc(self._locate_new, f.new_pointer) if f.new_pointer else "")
            out.append(replace(f, location_old=old, location_new=new))
        return tuple(out)

    @staticmethod
    def _loc(locate: Callable[[str], str] | None, pointer: str) -> str:
        if locate is None:
            return f"#{pointer}"
        try:
            return locate(pointer)
        except Exception:  # a location is best effort; never fail a report for it
            return f"#{pointer}"

    def to_dict(self, *, locate: bool = True) -> dict[str, Any]:
        findings = self.located() if locate else self.findings
        groups = group_findings(findings)
        return {
            "old": {"source": self.old_source, "title": self.old_title, "version": self.old_version},
            "new": {"source": self.new_source, "title": self.new_title, "version": self.new_version},
            "summary": {
                "error": self.count(Severity.ERROR), "warning": self.count(Severity.WARNING),
                "info": self.count(Severity.INFO),
                "ignored": len(self.ignored),
                "rows": {lvl: sum(1 for g in groups if g.level == lvl)
                         for lvl in ("error", "warning", "info")},
                **self.stats,
            },
            **({"not_compared": [{"spec_file": f, "reason": r} for f, r in self.not_compared]}
               if self.not_compared else {}),
            "findings": [f.to_dict() for f in findings],
            "groups": [g.to_dict() for g in groups],
            "ignored": [f.to_dict() for f in self.ignored],
        }
