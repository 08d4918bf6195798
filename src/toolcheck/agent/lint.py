"""`toolcheck lint`: agent-readiness rules over a spec.

The engine builds the tool definitions once (the rules judge what an agent will see), runs
every enabled rule from :mod:`toolcheck.agent._rules` / :mod:`toolcheck.agent._rules_size`,
and applies configuration (enable/disable, severity, options; see :mod:`toolcheck.agent._config`)
and per-operation suppressions (``x-toolcheck-lint-ignore: [rule-id, ...]`` on an operation).

Findings carry a JSON pointer; their ``file:line`` location is computed on first use, so a
JSON or SARIF report pays for line numbers once and a ``--quiet`` run not at all.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from toolcheck import findings
from toolcheck.agent import _rules_safety, _rules_size  # noqa: F401  (register their rules)
from toolcheck.agent._rules import RULES, RuleInfo
from toolcheck.agent.tools import Tool, build_tool, tool_names
from toolcheck.errors import UsageError
from toolcheck.findings import Severity, parse_level
from toolcheck.spec import Spec

SEVERITIES = tuple(Severity)
_NEVER = 99  # --fail-on never: above every severity
_OFF = {"off", "false", "disable", "disabled", "none"}
# A rule that fires on at least this share of operations (and this many) is reported once.
SPEC_WIDE_SHARE = 0.9
SPEC_WIDE_MIN = 10


@dataclass(frozen=True)
class Finding(findings.Finding):
    """One rule hit: a shared :class:`toolcheck.findings.Finding` whose ``check`` is the rule id.

    Its ``location`` (``file:line`` where the pointer can be found) is looked up on first read.
    Reports keep lint's field names: ``rule`` for the check, ``severity`` in the shared words.
    """

    @property
    def rule(self) -> str:
        """The rule id (``summary-missing`` ...): lint's name for ``check``."""
        return self.check

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "severity": self.severity.value, "location": self.location or self.pointer,
                "pointer": self.pointer, "operation": self.operation, "message": self.message, "hint": self.hint}


@dataclass(frozen=True)
class RuleConfig:
    enabled: bool
    severity: Severity
    options: Mapping[str, Any]


@dataclass(frozen=True)
class LintResult:
    spec: str
    findings: tuple[Finding, ...]
    rules: Mapping[str, RuleConfig]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def failed(self, fail_on: Severity | None = Severity.ERROR) -> bool:
        """Any finding at or above ``fail_on`` (None: ``--fail-on never``, never fails)."""
        bar = _NEVER if fail_on is None else fail_on.rank
        return any(f.severity.rank >= bar for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "summary": {s.value: self.count(s) for s in SEVERITIES},
            "findings": [f.to_dict() for f in self.findings],
        }


def resolve_rules(config: Mapping[str, Any] | None = None, source: str = "") -> dict[str, RuleConfig]:
    """Rule settings after applying a ``lint.rules`` mapping to the defaults.

    A rule's value is ``off``/``false``, a severity, or a mapping with ``severity``/``enabled``
    and rule options.

    Raises:
        UsageError: unknown rule ids, severities or options (with close matches).
    """
    resolved = {rid: RuleConfig(True, info.severity, dict(info.options)) for rid, info in RULES.items()}
    for rid, value in (config or {}).items():
        rid = str(rid)
        if rid not in RULES:
            close = difflib.get_close_matches(rid, list(RULES), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else f" Known rules: {', '.join(sorted(RULES))}."
            raise UsageError(f"unknown lint rule {rid!r} in lint.rules.{hint}", location=source or None)
        current = resolved[rid]
        enabled, severity, options = current.enabled, current.severity, dict(current.options)
        if value is False or (isinstance(value, str) and value.lower() in _OFF) or value is None:
            enabled = False
        elif value is True or (isinstance(value, str) and value.lower() == "on"):
            enabled = True
        elif isinstance(value, str):
            severity = _severity(value, rid, source)
        elif isinstance(value, dict):
            for key, opt in value.items():
                if key == "severity":
                    if isinstance(opt, str) and opt.lower() in _OFF:
                        enabled = False
                    else:
                        severity = _severity(str(opt), rid, source)
                elif key == "enabled":
                    enabled = bool(opt)
                elif key in options:
                    options[key] = opt
                else:
                    known = ", ".join(["severity", "enabled", *options])
                    raise UsageError(f"lint rule {rid!r} has no option {key!r} (options: {known})", location=source or None)
        else:
            raise UsageError(f"lint.rules.{rid} must be off, a severity, or a mapping", location=source or None)
        resolved[rid] = RuleConfig(enabled, severity, options)
    return resolved


def _severity(value: str, rid: str, source: str) -> Severity:
    """A rule's severity; ``warn``, ``note`` and ``hint`` are read as the shared words (deprecated)."""
    try:
        sev = parse_level(value)
    except ValueError:
        sev = None
    if sev is None:  # "off" is handled before; here it could only be a typo's neighbour
        raise UsageError(f"lint rule {rid!r}: severity {value!r} is not one of error, warning, info, off",
                         location=source or None)
    return sev


class _Context:
    def __init__(self, spec: Spec, rules: Mapping[str, RuleConfig]) -> None:
        self.spec = spec
        self.rules = rules
        self.names, self.collisions = tool_names(spec)
        self._tools: list[Tool] | None = None

    @property
    def tools(self) -> list[Tool]:
        if self._tools is None:
            self._tools = [build_tool(self.spec, op, self.names[op.key]) for op in self.spec.operations]
        return self._tools

    def option(self, rid: str, key: str) -> Any:
        return self.rules[rid].options[key]


def lint(spec: Spec, *, rules: Mapping[str, Any] | None = None, select: list[str] | None = None,
         config_source: str = "") -> LintResult:
    """Run the agent-readiness rules over ``spec``.

    Args:
        rules: the ``lint.rules`` configuration mapping (see :func:`resolve_rules`).
        select: run only these rule ids.
    """
    settings = resolve_rules(rules, config_source)
    if select:
        unknown = [r for r in select if r not in RULES]
        if unknown:
            raise UsageError(f"unknown lint rule(s): {', '.join(unknown)}; known: {', '.join(sorted(RULES))}")
    ctx = _Context(spec, settings)
    ignored = {op.key: set(_as_list(op.extensions.get("x-toolcheck-lint-ignore"))) for op in spec.operations}
    order = {op.key: i for i, op in enumerate(spec.operations)}
    found: list[Finding] = []
    locate = spec.locate
    n_ops = len(spec.operations)
    for rid, info in RULES.items():
        setting = settings[rid]
        if not setting.enabled or (select and rid not in select):
            continue
        hits = [hit for hit in info.check(ctx) if not (hit.operation and rid in ignored.get(hit.operation, ()))]
        hit_ops = {hit.operation for hit in hits if hit.operation}
        if len(hit_ops) >= SPEC_WIDE_MIN and len(hit_ops) >= SPEC_WIDE_SHARE * n_ops:
            # A habit of the whole spec, not a slip per operation: one finding, not 1,123.
            first = hits[0]
            examples = ", ".join(sorted(hit_ops, key=lambda k: order.get(k, 0))[:3])
            found.append(Finding(
                rid, f"{len(hit_ops)} of {n_ops} operations: {first.message} (and likewise {examples}, ...)",
                "/paths", setting.severity, hint=first.hint or info.hint, locate=locate))
            continue
        found.extend(Finding(rid, hit.message, hit.pointer, setting.severity, operation=hit.operation,
                             hint=hit.hint or info.hint, locate=locate) for hit in hits)
    found.sort(key=lambda f: (order.get(f.operation, -1), -f.severity.rank, f.rule))
    return LintResult(spec.source, tuple(found), settings)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def rule_catalogue() -> list[RuleInfo]:
    """Every rule, in registration order (for docs and SARIF)."""
    return list(RULES.values())
