"""Map a fuzz run onto the shared result model (one suite per operation, one case per finding).

Reporters (``toolcheck.report``) read only :class:`~toolcheck.results.RunResult`; this module
is the one place that knows how a :class:`~toolcheck.fuzz.findings.Finding` is shown there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from toolcheck.details import ChainStep, Details, Request, Response, violation_from_json
from toolcheck.findings import Severity
from toolcheck.fuzz.findings import Finding
from toolcheck.fuzz.runner import Fuzzer
from toolcheck.results import ERROR, FAILED, PASSED, SKIPPED, CaseResult, RunResult, SuiteResult
from toolcheck.spec import Operation, Spec


def replay_command(finding: Finding, findings_file: str, target: str, credentials: str = "") -> str:
    """The replay of one finding; ``credentials``: the run's credential options, secret-free."""
    return f"toolcheck replay {finding.id} --findings {findings_file} {target} {credentials}".strip()


def finding_case(finding: Finding, replay: str) -> CaseResult:
    f = finding.failure
    details = Details(
        request=Request.from_json(finding.request),
        response=Response.from_json(finding.response),
        violations=tuple(violation_from_json(v) for v in f.evidence),
        curl="\n".join(step["curl"] for step in finding.steps) if finding.steps else finding.curl,
        hint=f.hint,
        replay=replay,
        check=f.check,
        level=f.severity,
        steps=tuple(ChainStep.from_json(step) for step in finding.steps) or None,
        extra={"seed": finding.seed, "cause": f.cause, "count": finding.count, "case": finding.case},
    )
    return CaseResult(
        name=f"{f.check}: {f.cause}",
        status=FAILED if f.severity is Severity.ERROR else PASSED,  # a warning is shown, not failed
        message=f.message,
        classname=finding.operation_key,
        details=details,
        properties={"id": finding.id, "check": f.check, "phase": finding.phase, "occurrences": str(finding.count)},
    )


def to_run_result(spec: Spec, fuzzer: Fuzzer, findings: list[Finding], operations: list[Operation], *,
                  findings_file: str, target: str, command_line: str = "", version: str = "",
                  credentials: str = "") -> RunResult:
    """One suite per operation: its findings, or one passed case when it held up."""
    by_op: dict[str, list[Finding]] = {}
    shared: dict[str, list[Finding]] = {}  # operation → the server-wide findings it shares with others
    wide: list[SuiteResult] = []
    for finding in findings:
        if len(finding.operations) > 1:
            # one cause over several operations: reported once, in a suite of its own
            names = ", ".join(f"{o['operation']} ({o['method']})" for o in finding.operations)
            case = finding_case(finding, replay_command(finding, findings_file, target, credentials))
            case = replace(case, message=f"{case.message}; the same answer on {len(finding.operations)} "
                                         f"operations: {names}", classname="server-wide")
            wide.append(SuiteResult(name=f"{finding.failure.check} on {len(finding.operations)} operations",
                                    cases=(case,), properties={"operations": str(len(finding.operations))}))
            for affected in finding.operations:
                shared.setdefault(affected["operation_id"], []).append(finding)
        else:
            by_op.setdefault(finding.operation_id, []).append(finding)
    suites = []
    for op in operations:
        sent = fuzzer.stats.per_operation.get(op.operation_id, 0)
        cases = [finding_case(f, replay_command(f, findings_file, target, credentials)) for f in by_op.get(op.operation_id, [])]
        error = fuzzer.stats.errors.get(op.operation_id)
        if error:
            cases.append(CaseResult(name="toolcheck error", status=ERROR, classname=op.key,
                                    message=f"toolcheck could not test this operation: {error}"))
        if not cases:
            status = PASSED if sent else SKIPPED
            message = f"{sent} requests, every check passed" if sent else f"not tested: {_untested_reason(fuzzer, op)}"
            also = shared.get(op.operation_id)
            if sent and also:
                message = (f"{sent} requests; every operation check passed, and the server-wide finding(s) "
                           f"{', '.join(f'{f.id} ({f.failure.check})' for f in also)} showed here too")
            cases = [CaseResult(name="all checks", status=status, message=message, classname=op.key)]
        properties = {"operation": op.key, "requests": str(sent)}
        llm = fuzzer.stats.llm.get(op.operation_id)
        if llm:
            properties["llm_mistakes_rejected_helpfully"] = f"{llm['helpful']}/{sum(llm.values())}"
        suites.append(SuiteResult(name=f"{op.operation_id} ({op.key})", cases=tuple(cases), properties=properties))
    suites = wide + suites
    auth = fuzzer.health.verdict()
    if auth["status"] != "ok":  # could not test: one error case, so no report shows a pass
        suites.insert(0, SuiteResult(name="credentials", cases=(CaseResult(
            name=f"credentials {auth['status']}", status=ERROR, classname="toolcheck", message=auth["message"],
            details=Details(error_type="CouldNotTest", extra={"after": auth["after"]} if "after" in auth else {})),)))
    stats = fuzzer.stats
    cover = coverage(fuzzer, operations)
    return RunResult(
        tool="fuzz",
        title=spec.title or spec.source,
        suites=tuple(suites),
        started_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        duration=stats.duration,
        command_line=command_line,
        seed=fuzzer.options.seed,
        interrupted=fuzzer.cancelled,
        incomplete="" if cover["complete"] else incomplete_reason(fuzzer, cover),
        summary={
            "spec": spec.source,
            "target": target,
            "operations": len(operations),
            "requests": stats.cases,
            "cases_per_second": round(stats.cases_per_second, 1),
            "findings": sum(1 for f in findings if f.failure.severity is Severity.ERROR),
            "warnings": sum(1 for f in findings if f.failure.severity is not Severity.ERROR),
            "phases": dict(stats.per_phase),
            "time_budget_hit": stats.interrupted,
            "coverage": cover,
            "auth": auth,
            "llm_mistakes": _llm_totals(stats.llm),
        },
        version=version,
    )


def coverage(fuzzer: Fuzzer, operations: list[Operation]) -> dict[str, Any]:
    """How much of what was asked was tested: operations reached, per phase, and whether all of it ran.

    ``complete`` is false when an operation got no request at all (time budget, Ctrl-C, held
    back, or no case could be generated) or the budget cut a phase short.
    """
    stats = fuzzer.stats
    chosen = {op.operation_id for op in operations}
    tested = {op_id for op_id, n in stats.per_operation.items() if n and op_id in chosen}
    phases = {phase: {"operations": len(ops & chosen), "cases": stats.per_phase.get(phase, 0)}
              for phase, ops in sorted(stats.phase_operations.items(), key=lambda kv: _PHASE_ORDER.get(kv[0], 99))}
    out: dict[str, Any] = {
        "operations_total": len(chosen),
        "operations_tested": len(tested),
        "complete": len(tested) == len(chosen) and not stats.budget_hit and not fuzzer.cancelled,
        "phases": phases,
    }
    if stats.held_back:
        out["held_back"] = list(stats.held_back)
    return out


_PHASE_ORDER = {"examples": 0, "boundary": 1, "fuzz": 2, "stateful": 3, "auth": 4}


def incomplete_reason(fuzzer: Fuzzer, cover: dict[str, Any]) -> str:
    """One sentence: how much was tested and why not all of it."""
    why = []
    if fuzzer.cancelled:
        why.append("interrupted")
    elif fuzzer.stats.budget_hit:
        limit = fuzzer.options.max_requests
        why.append("request budget reached" if limit is not None and fuzzer.stats.cases >= limit
                   else "time budget reached")
    if cover.get("held_back"):
        why.append(f"{len(cover['held_back'])} delete(s) of the caller's own identity held back "
                   "(--include-identity-deletes runs them)")
    untestable = cover["operations_total"] - cover["operations_tested"] - len(cover.get("held_back") or [])
    if untestable > 0 and not why:
        why.append("no request could be generated for the rest")
    text = f"{cover['operations_tested']} of {cover['operations_total']} operations tested"
    return text + (f" ({'; '.join(why)})" if why else "")


def _untested_reason(fuzzer: Fuzzer, op: Operation) -> str:
    if op.operation_id in fuzzer.stats.held_back:
        return "it may delete the caller's own identity (held back; --include-identity-deletes runs it)"
    if fuzzer.cancelled:
        return "the run was interrupted first"
    if fuzzer.stats.budget_hit:
        return "the time budget ran out first"
    return "no request could be generated from its schema"


def _llm_totals(per_op: dict[str, dict[str, int]]) -> dict[str, int]:
    """How LLM-style mistakes were answered, over all operations."""
    out = {"helpful": 0, "unhelpful": 0, "accepted": 0}
    for counts in per_op.values():
        for key, value in counts.items():
            out[key] = out.get(key, 0) + value
    return out
