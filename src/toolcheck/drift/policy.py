"""Drift policy: per-rule severity overrides, an ignore file with reasons and expiry, filters.

Hand-written. The ignore file answers the most common complaint about drift tools
(oasdiff#612: suppressions keyed by exact message text break when messages are reworded):
entries match a finding's *fingerprint* (rule, operation, path and key; never the message) or a
*rule id plus a path glob*, each needs a ``reason``, and an entry past its ``expires`` date
fails the run (rule ``ignore-entry-expired``) so suppressions cannot silently outlive their
purpose. Example::

    # .toolcheck-drift-ignore.yaml
    ignore:
      - fingerprint: 3f2a9c1d0b7e
        reason: partner X confirmed they do not read `legacy_id`
        expires: 2026-12-31
      - rule: response-enum-value-added
        path: "GET /invoices*"          # glob on METHOD /path, operationId or the finding's path
        reason: agents treat unknown statuses as pending
    severity:
      tool-size-changed: warning        # error | warning | info | off
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from toolcheck.drift.model import DriftReport, Finding
from toolcheck.drift.rules import INFO, RULES
from toolcheck.errors import UsageError
from toolcheck.findings import OFF, Severity, parse_level


@dataclass(frozen=True)
class IgnoreEntry:
    """One suppression: by fingerprint, or by rule (glob) plus an optional path glob."""

    reason: str
    fingerprint: str = ""
    rule: str = ""
    path: str = ""
    expires: date | None = None
    where: str = ""  # file#index, for messages

    def matches(self, finding: Finding) -> bool:
        if self.fingerprint:
            return finding.fingerprint == self.fingerprint.lower()
        if self.rule and not fnmatch.fnmatchcase(finding.rule, self.rule):
            return False
        if self.path:
            subjects = [finding.operation, finding.operation_id, finding.path, *finding.operations]
            return any(s and fnmatch.fnmatchcase(s, self.path) for s in subjects)
        return True


@dataclass(frozen=True)
class Policy:
    """How findings are levelled, filtered and suppressed before reporting.

    Attributes:
        severity: rule id (or glob) → a severity, or None for ``off``.
        ignores: suppressions (see module docstring).
        include_paths / exclude_paths: globs on ``METHOD /path``, the path alone or the operationId.
        operations: keep only these operations (operationId or ``METHOD /path``); empty = all.
        changelog: every finding at info level (a changelog, never a failure).
    """

    severity: Mapping[str, Severity | None] = field(default_factory=dict)
    ignores: tuple[IgnoreEntry, ...] = ()
    include_paths: tuple[str, ...] = ()
    exclude_paths: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()
    changelog: bool = False

    def level_for(self, finding: Finding) -> Severity | None:
        if finding.rule in self.severity:
            return self.severity[finding.rule]
        for pattern, level in self.severity.items():
            if any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(finding.rule, pattern):
                return level
        return finding.level

    def _selected(self, finding: Finding) -> bool:
        subjects = [finding.operation, *finding.operations]
        subjects = [s for s in subjects if s] or [""]
        def names(s: str) -> list[str]:
            return [s, s.partition(" ")[2]] if s else [""]
        ids = {finding.operation_id}
        if self.operations and not any(s in self.operations for s in subjects) and not ids & set(self.operations):
            return False
        if self.include_paths and not any(
                fnmatch.fnmatchcase(n, g) for s in subjects for n in names(s) + list(ids) for g in self.include_paths):
            return False
        if self.exclude_paths and all(
                any(fnmatch.fnmatchcase(n, g) for n in names(s) + list(ids) for g in self.exclude_paths)
                for s in subjects):
            return False
        return True

    def apply(self, report: DriftReport, *, today: date | None = None) -> DriftReport:
        """A new report with levels overridden, filters applied and ignored findings set aside."""
        today = today or date.today()
        kept: list[Finding] = []
        ignored: list[Finding] = list(report.ignored)
        used: set[int] = set()
        for finding in report.findings:
            if not self._selected(finding):
                continue
            level = self.level_for(finding)
            if level is None:
                continue
            if self.changelog:
                level = INFO
            finding = finding if level == finding.level else finding.with_level(level)
            entry = next((i for i, e in enumerate(self.ignores) if e.matches(finding)), None)
            if entry is not None:
                used.add(entry)
                e = self.ignores[entry]
                if e.expires is None or e.expires >= today:
                    ignored.append(replace(finding, ignored=e.reason))
                    continue
            kept.append(finding)
        for e in self.ignores:
            if e.expires is not None and e.expires < today:
                kept.append(Finding(
                    # even in changelog mode: an expired suppression must be looked at (and "off"
                    # cannot hide it: it reads as the rule's default level)
                    check="ignore-entry-expired", severity=self.severity.get("ignore-entry-expired")
                    or RULES["ignore-entry-expired"].level,
                    operation="", message=f"ignore entry {e.where} expired on {e.expires} "
                    f"({e.fingerprint or e.rule or '*'}{' ' + e.path if e.path else ''}: {e.reason})",
                    key=e.where, before=str(e.expires),
                ))
        kept.sort(key=lambda f: (-f.rank, f.operation, f.rule, f.path))
        return replace(report, findings=tuple(kept), ignored=tuple(ignored))


def parse_severity(items: Iterable[str]) -> dict[str, Severity | None]:
    """``RULE=LEVEL`` strings (from ``--severity``) into a mapping (None = off), validating both sides."""
    out: dict[str, Severity | None] = {}
    for item in items:
        rule, sep, level = item.partition("=")
        if not sep:
            raise UsageError(f"--severity expects RULE=LEVEL, got {item!r}")
        out.update(_check_severity({rule.strip(): level.strip()}, "--severity"))
    return out


def _check_severity(raw: Mapping[str, Any], where: str) -> dict[str, Severity | None]:
    """Rule → severity (None for off). The older spellings ``warn``/``note``/``hint`` read as the
    shared words (toolcheck.findings), as they do in lint and run."""
    out: dict[str, Severity | None] = {}
    for rule, text in raw.items():
        rule = str(rule)
        try:
            level = parse_level(str(text))
        except ValueError:
            raise UsageError(f"severity for {rule!r} must be one of error, warning, info, {OFF} (got {text!r})",
                             location=where) from None
        if rule not in RULES and not any(c in rule for c in "*?[") and rule != "ignore-entry-expired":
            import difflib

            close = difflib.get_close_matches(rule, list(RULES), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else " See `toolcheck drift --list-rules`."
            raise UsageError(f"unknown rule {rule!r} in severity overrides.{hint}", location=where)
        out[rule] = level
    return out


def load_ignore_file(path: str | Path) -> tuple[tuple[IgnoreEntry, ...], dict[str, Severity | None]]:
    """Read an ignore file (YAML): its entries and its severity overrides.

    Raises:
        UsageError: unreadable file, not a mapping, an entry without reason or matcher, a bad date.
    """
    import yaml

    from toolcheck.configsource import read_config_text

    # A path, or git:REV:path: the base branch's file, which the pull request under review cannot edit.
    text, p = read_config_text(path, "ignore file")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f"{p}:{mark.line + 1}" if mark is not None else str(p)
        raise UsageError(f"the ignore file is not valid YAML ({getattr(exc, 'problem', exc)})", location=loc) from None
    if isinstance(data, list):
        data = {"ignore": data}
    if not isinstance(data, dict):
        raise UsageError("the ignore file must be a mapping with an `ignore:` list", location=str(p))
    unknown = set(data) - {"ignore", "severity"}
    if unknown:
        raise UsageError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}; expected `ignore` and `severity`",
                         location=str(p))
    entries: list[IgnoreEntry] = []
    raw_entries = data.get("ignore") or []
    if not isinstance(raw_entries, list):
        raise UsageError("`ignore` must be a list of entries", location=str(p))
    for i, raw in enumerate(raw_entries):
        where = f"{p}#ignore[{i}]"
        if not isinstance(raw, dict):
            raise UsageError("each ignore entry must be a mapping", location=where)
        reason = str(raw.get("reason") or "").strip()
        if not reason:
            raise UsageError("this ignore entry has no `reason`; say why the change is acceptable", location=where)
        fingerprint = str(raw.get("fingerprint") or "").strip()
        rule = str(raw.get("rule") or "").strip()
        if not fingerprint and not rule:
            raise UsageError("an ignore entry needs a `fingerprint` or a `rule` (with an optional `path`)",
                             location=where)
        if rule and rule not in RULES and not any(c in rule for c in "*?["):
            raise UsageError(f"unknown rule {rule!r} (see `toolcheck drift --list-rules`)", location=where)
        expires = raw.get("expires")
        if expires is not None and not isinstance(expires, date):
            try:
                expires = date.fromisoformat(str(expires))
            except ValueError:
                raise UsageError(f"`expires` must be a date (YYYY-MM-DD), got {expires!r}", location=where) from None
        bad = set(raw) - {"reason", "fingerprint", "rule", "path", "expires"}
        if bad:
            raise UsageError(f"unknown key(s) {', '.join(sorted(map(str, bad)))} in ignore entry", location=where)
        entries.append(IgnoreEntry(reason=reason, fingerprint=fingerprint, rule=rule,
                                   path=str(raw.get("path") or ""), expires=expires, where=where))
    severity = data.get("severity") or {}
    if not isinstance(severity, dict):
        raise UsageError("`severity` must map rule ids to levels", location=str(p))
    return tuple(entries), _check_severity(severity, f"{p}#severity")
