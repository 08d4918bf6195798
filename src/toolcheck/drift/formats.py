"""Drift-specific outputs: JSON, Markdown (PR comment), GitHub annotations, changelog, RunResult.

Hand-written string builders (no templates: each is a few lines and must be byte-stable for
snapshot tests). The terminal view lives in ``cli/drift.py`` (only the CLI imports rich);
JUnit and HTML come from the shared reporters through :func:`to_run_result`.
Every text that came from a spec is escaped for its target: Markdown cells through
:func:`toolcheck.report.md_escape`, annotation messages per GitHub's workflow-command rules.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from toolcheck.details import Details
from toolcheck.drift.model import DriftReport, Finding, FindingGroup
from toolcheck.drift.rules import INFO, RULES
from toolcheck.findings import Severity
from toolcheck.report import md_escape
from toolcheck.results import ERROR, FAILED, PASSED, SKIPPED, CaseResult, RunResult, SuiteResult

COMMENT_LIMIT = 60_000
_ICON = {"error": "🔴", "warning": "🟠", "info": "🔵"}
_LOC = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?:\s|$)")


def to_json(report: DriftReport, *, fail_on: Severity = Severity.ERROR) -> str:
    """The drift JSON document: summary, findings (with file:line in both specs), ignored."""
    data = report.to_dict()
    data["fail_on"] = fail_on.value
    data["failed"] = bool(report.at_least(fail_on))
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def _ops_text(f: Finding | FindingGroup, limit: int = 3) -> str:
    ops = list(f.places if isinstance(f, Finding) else f.operations)
    if not ops:
        return "(document)"
    shown = ", ".join(ops[:limit])
    return shown + (f" +{len(ops) - limit} more" if len(ops) > limit else "")


def _times(g: FindingGroup) -> str:
    return f" ×{g.count}" if g.count > 1 else ""


def located_groups(report: DriftReport, groups: tuple[FindingGroup, ...]) -> tuple[FindingGroup, ...]:
    """The groups with ``file:line`` filled in for their first place only (what a row prints)."""
    firsts = report.located(tuple(g.first for g in groups))
    return tuple(FindingGroup((first, *g.findings[1:])) for g, first in zip(groups, firsts, strict=True))


def hidden_summary(groups: tuple[FindingGroup, ...]) -> list[tuple[str, Severity, int, int]]:
    """(rule, level, rows, changes) of the rows a capped list does not show, most changes first."""
    per: dict[tuple[str, Severity], list[int]] = {}
    for g in groups:
        entry = per.setdefault((g.rule, g.level), [0, 0])
        entry[0] += 1
        entry[1] += g.count
    return sorted(((rule, level, rows, n) for (rule, level), (rows, n) in per.items()),
                  key=lambda x: (-x[1].rank, -x[3], x[0]))


def to_markdown(report: DriftReport, *, fail_on: Severity = Severity.ERROR, max_rows: int = 50, title: str = "API drift") -> str:
    """A PR comment: verdict, counts, a table of breaking/warning rows (identical changes grouped),
    a per-rule summary of the rows past ``max_rows``, the rest folded."""
    rows = report.groups(report.at_least(Severity.WARNING))
    located = located_groups(report, rows[:max_rows])
    errors, warnings, infos = report.count(Severity.ERROR), report.count(Severity.WARNING), report.count(Severity.INFO)
    failed = bool(report.at_least(fail_on))
    verdict = "❌ **breaking changes**" if errors else ("⚠️ **changes to review**" if warnings else "✅ **no breaking changes**")
    if report.not_compared and not errors:
        verdict = "⛔ **not every spec was compared**"
    grouped = len(rows) < errors + warnings
    lines = [
        "<!-- toolcheck-drift -->",
        f"### {md_escape(title)}: {verdict}",
        "",
        f"`{md_escape(report.old_source)}` → `{md_escape(report.new_source)}` · "
        f"{errors} error(s), {warnings} warning(s), {infos} info · fail on {fail_on}: "
        f"{'**failed**' if failed else 'passed'}" + (f" · {len(report.ignored)} ignored" if report.ignored else "")
        + (f" · identical changes grouped into {len(rows)} row(s)" if grouped else ""),
        "",
    ]
    if report.not_compared:
        lines += [f"⛔ **{len(report.not_compared)} spec file(s) could not be compared** (exit 2):", ""]
        lines += [f"- `{md_escape(rel)}`: {md_escape(reason, limit=300)}" for rel, reason in report.not_compared]
        lines.append("")
    if located:
        lines += ["| | rule | operation | change | where · fingerprint |", "|---|---|---|---|---|"]
        for g in located:
            f = g.first
            where = f.location_new or f.location_old
            lines.append(
                f"| {_ICON.get(g.level, '')} | `{md_escape(g.rule)}`{_times(g)} | {md_escape(_ops_text(g))} | "
                f"{md_escape(g.message)} | {md_escape(where)} `{f.fingerprint}` |"
            )
        hidden = rows[len(located):]
        if hidden:
            changes = sum(g.count for g in hidden)
            lines += ["", f"… and {len(hidden)} more row(s) ({changes} change(s)) not shown "
                      "(`--max-rows`, or the JSON or HTML report):", "",
                      "| rule | level | rows | changes |", "|---|---|---|---|"]
            lines += [f"| `{md_escape(rule)}` | {level} | {n_rows} | {n} |"
                      for rule, level, n_rows, n in hidden_summary(hidden)]
        lines.append("")
    semantic = report.groups(tuple(f for f in report.findings if f.rule.endswith("semantics-changed")))[:10]
    if semantic:
        lines += ["<details><summary>Description changes that alter meaning (before → after)</summary>", ""]
        for g in semantic:
            f = g.first
            lines.append(f"- **{md_escape(_ops_text(g))}** {md_escape(f.path)}{_times(g)}: "
                         f"“{md_escape(f.before, limit=200)}” → “{md_escape(f.after, limit=200)}”")
        lines += ["", "</details>", ""]
    info = report.groups(tuple(f for f in report.findings if f.level == "info"))
    if info:
        lines += [f"<details><summary>{infos} other change(s)</summary>", ""]
        for g in info[:max_rows * 4]:
            lines.append(f"- `{md_escape(g.rule)}`{_times(g)} {md_escape(_ops_text(g))}: {md_escape(g.message)}")
        if len(info) > max_rows * 4:
            lines.append(f"- … and {len(info) - max_rows * 4} more row(s)")
        lines += ["", "</details>", ""]
    lines.append("<sub>Suppress a finding with its fingerprint in the drift ignore file "
                 "(`--format json` lists fingerprints); every entry needs a reason.</sub>")
    text = "\n".join(lines) + "\n"
    if len(text) > COMMENT_LIMIT:  # GitHub rejects comments over 65,536 characters
        cut = text.rfind("\n", 0, COMMENT_LIMIT - 200)
        text = text[:cut] + "\n\n… truncated: the full list is in the JSON or HTML report.\n"
        if text.count("<details>") > text.count("</details>"):
            text += "\n</details>\n"
    return text


def _gh_escape(text: str, *, prop: bool = False) -> str:
    # GitHub workflow commands: %, CR and LF always; ':' and ',' inside properties
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _file_line(location: str) -> tuple[str, str]:
    m = _LOC.match(location or "")
    if not m:
        return "", ""
    file = m.group("file")
    if file.startswith("git:"):
        file = file.split(":", 2)[-1]
    return file, m.group("line")


def to_github(report: DriftReport, *, fail_on: Severity = Severity.ERROR, max_annotations: int = 200) -> str:
    """``::error file=...,line=...,title=...::message`` lines, annotated on the new spec where possible."""
    kinds = {"error": "error", "warning": "warning", "info": "notice"}
    out: list[str] = []
    # one annotation per group, at its first place: GitHub shows only the first few annotations
    # of a step, which 70 copies of one change would otherwise fill
    for g in located_groups(report, report.groups(report.at_least(Severity.WARNING))[:max_annotations]):
        f = g.first
        file, line = _file_line(f.location_new) if f.location_new else ("", "")
        if not file:
            file, line = _file_line(f.location_old)
        props = []
        if file:
            props.append(f"file={_gh_escape(file, prop=True)}")
            if line:
                props.append(f"line={line}")
        props.append(f"title={_gh_escape(f.rule + _times(g) + ' ' + _ops_text(g, 1), prop=True)}")
        out.append(f"::{kinds[f.level]} {','.join(props)}::{_gh_escape(g.message)} [{f.fingerprint}]")
    for rel, reason in report.not_compared:
        out.append(f"::error title={_gh_escape('drift: not compared ' + rel, prop=True)}::{_gh_escape(reason)}")
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    out.append(f"toolcheck drift: {errors} error(s), {warnings} warning(s), {report.count(Severity.INFO)} info "
               f"(fail on {fail_on})")
    return "\n".join(out) + "\n"


def to_changelog(report: DriftReport) -> str:
    """A Markdown changelog: every change, grouped by operation, breaking ones marked."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        groups[(f"{f.spec_file}: " if f.spec_file else "") + (f.operation or "API")].append(f)
    lines = [f"# Changelog: {md_escape(report.new_title or report.new_source)}",
             "", f"`{md_escape(report.old_source)}` ({md_escape(report.old_version)}) → "
             f"`{md_escape(report.new_source)}` ({md_escape(report.new_version)})", ""]
    for rel, reason in report.not_compared:
        lines.append(f"- **not compared**: `{md_escape(rel)}`: {md_escape(reason, limit=300)}")
    if report.not_compared:
        lines.append("")
    if not report.findings:
        lines.append("No changes." if not report.not_compared else "No changes in the specs that were compared.")
    for op in sorted(groups, key=lambda k: (k == "API", k)):
        lines.append(f"## {md_escape(op)}")
        for f in sorted(groups[op], key=lambda f: (-(RULES[f.rule].level if f.rule in RULES else INFO).rank,
                                                    f.rule, f.path)):
            default = RULES[f.rule].level if f.rule in RULES else f.level
            mark = " **(breaking)**" if default == "error" else ""
            shared = f" (also {len(f.operations) - 1} other operation(s))" if len(f.operations) > 1 else ""
            lines.append(f"- {md_escape(f.message)}{mark}{shared}")
        lines.append("")
    return "\n".join(lines)


def to_run_result(report: DriftReport, *, fail_on: Severity = Severity.ERROR, command_line: str = "",
                  duration: float = 0.0) -> RunResult:
    """Map findings onto the shared result model: one case per group of identical changes, in the
    suite of its operation (or ``several operations``); every place is listed in the case."""
    floor = fail_on.rank
    suites: dict[str, list[CaseResult]] = defaultdict(list)
    for g in report.groups(report.located()):
        status = FAILED if g.first.rank >= floor else PASSED
        suites[_suite(g)].append(_case(g, status))
    for g in report.groups(report.ignored):
        suites[_suite(g)].append(_case(g, SKIPPED))
    for rel, reason in report.not_compared:
        suites[rel].append(CaseResult(name=f"compare {rel}", status=ERROR, message=f"not compared: {reason}",
                                      classname="drift.not-compared", details=Details(error_type="SpecLoadError")))
    return RunResult(
        tool="drift",
        title=f"drift {report.old_source} → {report.new_source}",
        suites=tuple(SuiteResult(name=k, cases=tuple(v), file=report.new_source) for k, v in sorted(suites.items())),
        duration=duration,
        command_line=command_line,
        summary={"error": report.count(Severity.ERROR), "warning": report.count(Severity.WARNING), "info": report.count(Severity.INFO),
                 "ignored": len(report.ignored), "fail_on": fail_on.value},
    )


def _suite(g: FindingGroup) -> str:
    if g.count == 1:
        return (g.first.places or ("API",))[0]
    ops = g.operations
    return ops[0] if len(ops) == 1 else ("several operations" if ops else "API")


def _case(g: FindingGroup, status: str) -> CaseResult:
    f = g.first
    extra: dict[str, Any] = {"operations": list(g.operations), "oasdiff": list(f.oasdiff)}
    if g.count > 1:
        extra["count"] = g.count
        extra["places"] = [
            f"{p.operation or 'API'} · {p.path or '-'} · {p.location_new or p.location_old or '-'} · {p.fingerprint}"
            for p in g.findings]
    details = Details(
        rule=f.rule, level=f.level, operation=f.operation, location_old=f.location_old, location_new=f.location_new,
        location=f.location_new or f.location_old, expected=f.before, actual=f.after, before=f.before, after=f.after,
        message=g.message, fingerprint=f.fingerprint, hint=f"ignored: {f.ignored}" if f.ignored else None, extra=extra,
    )
    return CaseResult(
        name=f"{f.rule}: {f.path or f.operation or 'API'}" + (f" (×{g.count})" if g.count > 1 else ""),
        status=status, message=g.message, classname=f"drift.{_suite(g)}", details=details,
        properties={"level": f.level, "fingerprint": f.fingerprint, **({"count": str(g.count)} if g.count > 1 else {})},
    )
