"""The single-file HTML report (jinja2, ``autoescape=True``: payloads are hostile by design).

One self-contained file: CSS and JS are inlined, nothing is fetched (a Content-Security-Policy
with ``default-src 'none'`` and a hash for our one script makes sure of it; an injected script
would not run even if escaping ever failed). The content is plain HTML with ``<details>``: it
reads fully with JavaScript disabled; JS only adds filters, expand/collapse and copy buttons.

This module turns the result into a *view model* (pretty bodies, header rows, diffs, timelines)
so the template stays simple; it reads the typed :class:`~toolcheck.details.Details` of each case,
and what has no section of its own (``extra``) is shown as facts, or as JSON under "More".
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

import jinja2

from toolcheck._absent import ABSENT
from toolcheck.details import Attempt, ChainStep, Details, Headers, Request, Response, null
from toolcheck.findings import Finding
from toolcheck.report._diff import json_diff
from toolcheck.report._junit import case_properties
from toolcheck.report._text import dump, truncate
from toolcheck.results import ERROR, FAILED, PASSED, SKIPPED, CaseResult, RunResult

BODY_LIMIT = 20_000  # characters of one body shown; the rest is summarised
VALUE_LIMIT = 8_000
# Shown as a small "facts" table when short; anything else goes to "More" as JSON.
_FACT_LIMIT = 300


def _asset(name: str) -> str:
    return resources.files("toolcheck.report").joinpath("templates").joinpath(name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"report.html.j2": _asset("report.html.j2")}),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@functools.lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str]:
    css, js = _asset("report.css"), _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    return css, js, f"sha256-{digest}"


def _pretty_body(body: Any) -> tuple[str, bool]:
    """Body text for display (JSON pretty-printed) and whether it was truncated."""
    if body is None:
        return "", False
    if isinstance(body, str):
        stripped = body.strip()
        if stripped[:1] in ("{", "[") and len(stripped) <= 2_000_000:
            try:
                body = json.loads(stripped)
            except ValueError:
                pass
    text = dump(body, indent=2)
    return truncate(text, BODY_LIMIT), len(text) > BODY_LIMIT


def _header_rows(headers: Headers | None) -> list[tuple[str, str]]:
    if isinstance(headers, Mapping):
        rows: list[tuple[str, str]] = []
        for k, v in headers.items():
            values = v if isinstance(v, (list, tuple)) else [v]
            rows.extend((str(k), truncate(str(x), 2000)) for x in values)
        return rows
    return [(str(name), truncate(str(value), 2000)) for name, value in headers or ()]


def _exchange(data: Request | Response | None) -> dict[str, Any] | None:
    if data is None:
        return None
    body_text, cut = _pretty_body(null(data.body))
    request = data if isinstance(data, Request) else None
    response = data if isinstance(data, Response) else None
    return {
        "method": request.method if request else "",
        "url": request.url if request else "",
        "status": "" if response is None or response.status is None else str(response.status),
        "reason": (response.reason or "") if response else "",
        "elapsed_ms": response.elapsed_ms if response else None,
        "headers": _header_rows(data.headers),
        "body": body_text,
        "body_truncated": cut,
        "extra": dump(dict(data.extra), limit=VALUE_LIMIT) if data.extra else "",
    }


def _attempt(data: Attempt) -> dict[str, Any]:
    note = data.note or str(data.extra.get("message") or "")
    value = data.extra.get("value")
    if value is not None and not note:
        note = dump(value, indent=None, limit=300)
    return {
        "n": data.attempt,
        "status": "" if data.status is None else str(data.status),
        "elapsed_ms": data.elapsed_ms,
        "note": truncate(note, 500),
        "at": data.at or "",
        "outcome": data.outcome or "",
        "retry_after": "" if data.retry_after is None else str(data.retry_after),
        "wait_s": data.wait_s,
    }


def _violation(data: Finding) -> dict[str, str]:
    return {
        "check": data.check,
        "message": truncate(data.message, 2000),
        "pointer": data.pointer,
        "severity": data.severity.value,
    }


def _fact(value: Any) -> str | None:
    """A short one-line rendering of a scalar or a list of scalars, else None."""
    if value is None or isinstance(value, (str, int, float, bool)):
        text = "" if value is None else (json.dumps(value) if isinstance(value, bool) else str(value))
    elif isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
        text = ", ".join(str(v) for v in value)
    else:
        return None
    return text if len(text) <= _FACT_LIMIT and "\n" not in text else None


def _step(index: int, data: ChainStep) -> dict[str, Any]:
    """One step of a multi-request finding (fuzz stateful chains: create, read, delete ...)."""
    return {
        "n": index + 1,
        "role": data.role,
        "operation": data.operation_id,
        "status": "" if data.status is None else str(data.status),
        "curl": truncate(data.curl, 4000),
        "request": _exchange(data.request),
        "response": _exchange(data.response),
    }


def _more(d: Details) -> list[tuple[str, Any]]:
    """What the template has no section for, in JSON form: shown as facts when short, else under "More"."""
    out: list[tuple[str, Any]] = []
    if d.workflow is not None:
        out.append(("workflow", d.workflow))
    if d.outputs is not ABSENT:
        out.append(("outputs", d.outputs))
    if d.credentials is not None:
        out.append(("credentials", d.credentials))
    if d.expects_refusal is not None:
        out.append(("expects_refusal", d.expects_refusal))
    if d.notes is not None:
        out.append(("notes", list(d.notes)))
    if d.assertions is not None:
        out.append(("assertions", [a.to_json() for a in d.assertions]))
    return out + list(d.extra.items())


def _case_view(case: CaseResult, anchor: str, *, compact: bool = False) -> dict[str, Any]:
    # compact: a passing case beyond the detail budget keeps its line, not its exchanges.
    d = Details() if compact else case.details
    view: dict[str, Any] = {
        "anchor": anchor,
        "name": case.name or "(unnamed)",
        "status": case.status if case.status in (PASSED, FAILED, ERROR, SKIPPED) else ERROR,
        "raw_status": case.status,
        "duration": case.duration,
        "message": truncate(case.message, VALUE_LIMIT),
        "classname": case.classname,
        "properties": sorted(case_properties(case).items()),
        "request": _exchange(d.request),
        "response": _exchange(d.response),
        "has_expected": d.has_expectation,
        "expected": dump(null(d.expected), limit=VALUE_LIMIT, quote=True),
        "actual": dump(null(d.actual), limit=VALUE_LIMIT, quote=True),
        "diff": [],
        "violations": [_violation(v) for v in (d.violations or ())[:200]],
        "attempts": [_attempt(a) for a in (d.attempts or ())[:500]],
        "curl": d.curl or "",
        "replay": d.replay or "",
        "hint": truncate(d.hint or "", VALUE_LIMIT),
        "location": d.location or "",
        "rule": d.rule or d.check or "",
        "level": d.level.value if d.level else "",
        "operation": d.operation or "",
        "fingerprint": d.fingerprint or "",
        "has_change": d.has_change,
        "before": dump(null(d.before), limit=VALUE_LIMIT, quote=True) if d.has_change else "",
        "after": dump(null(d.after), limit=VALUE_LIMIT, quote=True) if d.has_change else "",
        "location_old": d.location_old or "",
        "location_new": d.location_new or "",
        "steps": [_step(i, x) for i, x in enumerate((d.steps or ())[:50])],
        "facts": [],
        "extra": [],
    }
    if d.message not in (None, "", case.message):
        view["facts"].append(("message", truncate(str(d.message), _FACT_LIMIT)))
    for key, value in _more(d):
        fact = _fact(value)
        if fact is not None:
            view["facts"].append((key, fact))
        else:
            view["extra"].append((key, dump(value, limit=VALUE_LIMIT)))
    # Drift findings carry before/after and the same values as expected/actual: show them once.
    if view["has_change"] and d.expected == d.before and d.actual == d.after:
        view["has_expected"] = False
    if d.expected is not ABSENT and d.actual is not ABSENT:
        pair = (d.expected, d.actual)
    elif d.before is not ABSENT and d.after is not ABSENT:
        pair = (d.before, d.after)
    else:
        pair = None
    if pair is not None:
        view["diff"] = [e.to_dict() | {
            "expected_text": dump(e.expected, indent=None, limit=300, quote=True),
            "actual_text": dump(e.actual, indent=None, limit=300, quote=True),
        } for e in json_diff(pair[0], pair[1], limit=100)]
        if len(view["diff"]) == 1 and view["diff"][0]["path"] == "":
            view["diff"] = []  # two scalars: the side-by-side view already says it all
    return view


def _view(result: RunResult, max_detailed: int) -> dict[str, Any]:
    suites = []
    budget = max_detailed
    compacted = 0
    for si, suite in enumerate(result.suites):
        cases = []
        for ci, c in enumerate(suite.cases):
            compact = False
            if c.status in (PASSED, SKIPPED):
                compact = budget <= 0 and not c.details.empty
                budget -= 1
                compacted += compact
            cases.append(_case_view(c, f"s{si}c{ci}", compact=compact))
        suites.append({
            "anchor": f"s{si}",
            "name": suite.name or f"suite {si + 1}",
            "file": suite.file,
            "duration": suite.duration or sum(c.duration for c in suite.cases),
            "ok": suite.ok,
            "counts": {s: suite.count(s) for s in (PASSED, FAILED, ERROR, SKIPPED)},
            "properties": sorted(suite.properties.items()),
            "cases": cases,
        })
    # Failures first, then the rest, each in run order: in a big run the first failure was
    # below the fold (issue 17). Anchors keep their run index, so links stay stable.
    suites.sort(key=lambda s: bool(s["ok"]))
    totals = {s: result.count(s) for s in (PASSED, FAILED, ERROR, SKIPPED)}
    return {
        "tool": result.tool,
        "title": result.title or f"toolcheck {result.tool}",
        "version": result.version,
        "started_at": result.started_at,
        "duration": result.duration,
        "command_line": result.command_line,
        "seed": result.seed,
        "interrupted": result.interrupted,
        "incomplete": result.incomplete,
        "ok": result.ok,
        "summary": [(str(k), v if isinstance(v, (str, int, float)) else dump(v, indent=None, limit=500))
                    for k, v in result.summary.items()],
        "totals": totals,
        "total": sum(totals.values()),
        "suites": suites,
        "compacted": compacted,
    }


def render_html(result: RunResult, *, max_detailed: int = 2000) -> str:
    """The self-contained HTML report for ``result`` (one file, no network, readable without JS).

    Args:
        result: the run.
        max_detailed: passing and skipped cases beyond this many are listed without their
            details (failed and error cases always keep theirs; ``report.json`` has everything).
    """
    css, js, script_hash = _assets()
    template = _environment().get_template("report.html.j2")
    return template.render(
        r=_view(result, max_detailed),
        css=css,
        js=js,
        script_hash=script_hash,
        PASSED=PASSED, FAILED=FAILED, ERROR=ERROR, SKIPPED=SKIPPED,
    )
