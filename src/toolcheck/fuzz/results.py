"""Map a fuzz run onto the shared result model (one suite per operation, one case per finding).

Reporters (``toolcheck.report``) read only :class:`~toolcheck.results.RunResult`; this module
is the one place that knows how a :class:`~toolcheck.fuzz.findings.Finding` is shown there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from toolcheck.fuzz.findings import Finding
from toolcheck.fuzz.runner import Fuzzer
from toolcheck.results import ERROR, FAILED, PASSED, SKIPPED, CaseResult, RunResult, SuiteResult
from toolcheck.spec import Operation, Spec


def replay_command(finding: Finding, findings_file: str, target: str) -> str:
    return f"toolcheck replay {finding.id} --findings {findings_file} {target}".strip()


def finding_case(finding: Finding, replay: str) -> CaseResult:
    f = finding.failure
    details: dict[str, Any] = {
        "request": finding.request,
        "response": finding.response,
        "violations": list(f.violations),
        "curl": "\n".join(step["curl"] for step in finding.steps) if finding.steps else finding.curl,
        "hint": f.hint,
        "replay": replay,
        "seed": finding.seed,
        "check": f.check,
        "cause": f.cause,
        "count": finding.count,
        "case": finding.case,
    }
    if finding.steps:
        details["steps"] = finding.steps
    return CaseResult(
        name=f"{f.check}: {f.cause}",
        status=FAILED,
        message=f.message,
        classname=finding.operation_key,
        details=details,
        properties={"id": finding.id, "check": f.check, "phase": finding.phase, "occurrences": str(finding.count)},
    )


def to_run_result(spec: Spec, fuzzer: Fuzzer, findings: list[Finding], operations: list[Operation], *,
                  findings_file: str, target: str, command_line: str = "", version: str = "") -> RunResult:
    """One suite per operation: its findings, or one passed case when it held up."""
    by_op: dict[str, list[Finding]] = {}
    for finding in findings:
        by_op.setdefault(finding.operation_id, []).append(finding)
    suites = []
    for op in operations:
        sent = fuzzer.stats.per_operation.get(op.operation_id, 0)
        cases = [finding_case(f, replay_command(f, findings_file, target)) for f in by_op.get(op.operation_id, [])]
        error = fuzzer.stats.errors.get(op.operation_id)
        if error:
            cases.append(CaseResult(name="toolcheck error", status=ERROR, classname=op.key,
                                    message=f"toolcheck could not test this operation: {error}"))
        if not cases:
            status = PASSED if sent else SKIPPED
            message = f"{sent} requests, every check passed" if sent else "not exercised (time budget)"
            cases = [CaseResult(name="all checks", status=status, message=message, classname=op.key)]
        properties = {"operation": op.key, "requests": str(sent)}
        llm = fuzzer.stats.llm.get(op.operation_id)
        if llm:
            properties["llm_mistakes_rejected_helpfully"] = f"{llm['helpful']}/{sum(llm.values())}"
        suites.append(SuiteResult(name=f"{op.operation_id} ({op.key})", cases=tuple(cases), properties=properties))
    stats = fuzzer.stats
    return RunResult(
        tool="fuzz",
        title=spec.title or spec.source,
        suites=tuple(suites),
        started_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        duration=stats.duration,
        command_line=command_line,
        seed=fuzzer.options.seed,
        interrupted=fuzzer.cancelled,
        summary={
            "spec": spec.source,
            "target": target,
            "operations": len(operations),
            "requests": stats.cases,
            "cases_per_second": round(stats.cases_per_second, 1),
            "findings": len(findings),
            "phases": dict(stats.per_phase),
            "time_budget_hit": stats.interrupted,
            "llm_mistakes": _llm_totals(stats.llm),
        },
        version=version,
    )


def _llm_totals(per_op: dict[str, dict[str, int]]) -> dict[str, int]:
    """How LLM-style mistakes were answered, over all operations."""
    out = {"helpful": 0, "unhelpful": 0, "accepted": 0}
    for counts in per_op.values():
        for key, value in counts.items():
            out[key] = out.get(key, 0) + value
    return out
