"""Breaking-change detection between two API descriptions (``toolcheck drift OLD NEW``).

    from toolcheck.spec import load_spec
    from toolcheck.drift import Policy, diff, load_ignore_file
    from toolcheck.findings import Severity

    report = diff(load_spec("git:origin/main:openapi.yaml"), load_spec("openapi.yaml"))
    ignores, severity = load_ignore_file(".toolcheck-drift-ignore.yaml")
    report = Policy(severity=severity, ignores=ignores).apply(report)
    failing = report.at_least(Severity.ERROR)

Public names are re-exported here; the modules behind them are private except ``rules``
(the catalogue), ``policy`` and ``formats`` (JSON, Markdown, GitHub annotations, changelog,
and the mapping onto the shared :class:`~toolcheck.results.RunResult`).
"""

from __future__ import annotations

from toolcheck.drift._tree import diff_directories
from toolcheck.drift.differ import DiffOptions, diff
from toolcheck.drift.model import DriftReport, Finding
from toolcheck.drift.policy import IgnoreEntry, Policy, load_ignore_file, parse_severity
from toolcheck.drift.rules import RULES, Rule

__all__ = [
    "RULES", "DiffOptions", "DriftReport", "Finding", "IgnoreEntry", "Policy", "Rule", "diff", "diff_directories",
    "load_ignore_file", "parse_severity",
]
