"""Breaking-change detection between two API descriptions (``toolcheck drift OLD NEW``).

    from toolcheck.drift import diff, load_policy
    report = diff(load_spec("git:origin/main:openapi.yaml"), load_spec("openapi.yaml"))
    report = load_policy(...).apply(report)

Public names are re-exported here; the modules behind them are private except ``rules``
(the catalogue), ``policy`` and ``formats``.
"""

from __future__ import annotations

from toolcheck.drift.differ import DiffOptions, diff
from toolcheck.drift.model import DriftReport, Finding
from toolcheck.drift.rules import RULES, Rule

__all__ = ["RULES", "DiffOptions", "DriftReport", "Finding", "Rule", "diff"]
