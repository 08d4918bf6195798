"""The single-file HTML report (jinja2, ``autoescape=True``: payloads are hostile by design).

One self-contained file: CSS and JS are inlined, nothing is fetched (a Content-Security-Policy
with ``default-src 'none'`` and a hash for our one script makes sure of it; an injected script
would not run even if escaping ever failed). The content is plain HTML with ``<details>``: it
reads fully with JavaScript disabled; JS only adds filters, expand/collapse and copy buttons.

This module turns the result into a *view model* (pretty bodies, header rows, diffs, timelines)
so the template stays simple; the ``details`` keys it understands are documented in
``toolcheck.results``; any other key is shown as JSON under "More".
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

from toolcheck.report._diff import json_diff
from toolcheck.report._junit import case_properties
from toolcheck.report._text import dump, truncate
from toolcheck.results import ERROR, FAILED, PASSED, SKIPPED, CaseResult, RunResult

BODY_LIMIT = 20_000  # characters of one body shown; the rest is summarised
VALUE_LIMIT = 8_000
_KNOWN = {
    "request", "response", "expected", "actual", "violations", "attempts", "curl", "replay", "hint",
    "location", "before", "after", "rule", "level", "operation", "check", "fingerprint", "error_type",
    "diff", "steps", "location_old", "location_new", "message",
}
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


def _header_rows(headers: Any) -> list[tuple[str, str]]:
    if isinstance(headers, Mapping):
        rows: list[tuple[str, str]] = []
        for k, v in headers.items():
            values = v if isinstance(v, (list, tuple)) else [v]
            rows.extend((str(k), truncate(str(x), 2000)) for x in values)
        return rows
    if isinstance(headers, (list, tuple)):
        return [
            (str(item[0]), truncate(str(item[1]), 2000))
            for item in headers
            if isinstance(item, (list, tuple)) and len(item) == 2
        ]
    return []


def _exchange(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, Mapping):
        return None
    body_text, cut = _pretty_body(data.get("body"))
    rest = {k: v for k, v in data.items() if k not in ("method", "url", "headers", "body", "status", "elapsed_ms", "reason")}
    return {
        "method": str(data.get("method") or ""),
        "url": str(data.get("url") or ""),
        "status": "" if data.get("status") is None else str(data.get("status")),
        "reason": str(data.get("reason") or ""),
        "elapsed_ms": data.get("elapsed_ms"),
        "headers": _header_rows(data.get("headers")),
        "body": body_text,
        "body_truncated": cut,
        "extra": dump(rest, limit=VALUE_LIMIT) if rest else "",
    }


def _attempt(index: int, data: Any) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        return {"n": index + 1, "status": "", "elapsed_ms": None, "note": truncate(str(data), 500), "at": "",
                "outcome": "", "retry_after": "", "wait_s": None}
    note = data.get("note") or data.get("message") or ""
    value = data.get("value")
    if value is not None and not note:
        note = dump(value, indent=None, limit=300)
    return {
        "n": data.get("attempt", index + 1),
        "status": "" if data.get("status") is None else str(data.get("status")),
        "elapsed_ms": data.get("elapsed_ms"),
        "note": truncate(str(note), 500),
        "at": str(data.get("at") or data.get("t") or ""),
        "outcome": str(data.get("outcome") or ""),
        "retry_after": "" if data.get("retry_after") is None else str(data.get("retry_after")),
        "wait_s": data.get("wait_s") if isinstance(data.get("wait_s"), (int, float)) else None,
    }


def _violation(data: Any) -> dict[str, str]:
    if not isinstance(data, Mapping):
        return {"check": "", "message": truncate(str(data), 2000), "pointer": "", "severity": ""}
    return {
        "check": str(data.get("check") or data.get("keyword") or ""),
        "message": truncate(str(data.get("message") or ""), 2000),
        "pointer": str(data.get("pointer") or data.get("path") or ""),
        "severity": str(data.get("severity") or ""),
        "schema_path": str(data.get("schema_path") or ""),
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


def _step(index: int, data: Any) -> dict[str, Any]:
    """One step of a multi-request finding (fuzz stateful chains: create, read, delete ...)."""
    if not isinstance(data, Mapping):
        return {"n": index + 1, "role": "", "operation": "", "status": "", "curl": truncate(str(data), 2000),
                "request": None, "response": None}
    return {
        "n": index + 1,
        "role": str(data.get("role") or data.get("name") or ""),
        "operation": str(data.get("operation_id") or data.get("operation") or ""),
        "status": "" if data.get("status") is None else str(data.get("status")),
        "curl": truncate(str(data.get("curl") or ""), 4000),
        "request": _exchange(data.get("request")),
        "response": _exchange(data.get("response")),
    }


def _case_view(case: CaseResult, anchor: str, *, compact: bool = False) -> dict[str, Any]:
    # compact: a passing case beyond the detail budget keeps its line, not its exchanges.
    d: Mapping[str, Any] = {} if compact else case.details
    view: dict[str, Any] = {
        "anchor": anchor,
        "name": case.name or "(unnamed)",
        "status": case.status if case.status in (PASSED, FAILED, ERROR, SKIPPED) else ERROR,
        "raw_status": case.status,
        "duration": case.duration,
        "message": truncate(case.message, VALUE_LIMIT),
        "classname": case.classname,
        "properties": sorted(case_properties(case).items()),
        "request": _exchange(d.get("request")),
        "response": _exchange(d.get("response")),
        "has_expected": "expected" in d or "actual" in d,
        "expected": dump(d.get("expected"), limit=VALUE_LIMIT, quote=True),
        "actual": dump(d.get("actual"), limit=VALUE_LIMIT, quote=True),
        "diff": [],
        "violations": [_violation(v) for v in d.get("violations") or []][:200]
        if isinstance(d.get("violations"), list) else [],
        "attempts": [_attempt(i, a) for i, a in enumerate(d.get("attempts") or [])][:500]
        if isinstance(d.get("attempts"), list) else [],
        "curl": str(d.get("curl") or ""),
        "replay": str(d.get("replay") or ""),
        "hint": truncate(str(d.get("hint") or ""), VALUE_LIMIT),
        "location": str(d.get("location") or ""),
        "rule": str(d.get("rule") or d.get("check") or ""),
        "level": str(d.get("level") or ""),
        "operation": str(d.get("operation") or ""),
        "fingerprint": str(d.get("fingerprint") or ""),
        "has_change": "before" in d or "after" in d,
        "before": dump(d.get("before"), limit=VALUE_LIMIT, quote=True) if "before" in d else "",
        "after": dump(d.get("after"), limit=VALUE_LIMIT, quote=True) if "after" in d else "",
        "location_old": str(d.get("location_old") or ""),
        "location_new": str(d.get("location_new") or ""),
        "steps": [_step(i, x) for i, x in enumerate(d.get("steps") or [])][:50]
        if isinstance(d.get("steps"), list) else [],
        "facts": [],
        "extra": [],
    }
    detail_message = d.get("message")
    if detail_message not in (None, "", case.message):
        view["facts"].append(("message", truncate(str(detail_message), _FACT_LIMIT)))
    for key, value in d.items():
        if key in _KNOWN:
            continue
        fact = _fact(value)
        if fact is not None:
            view["facts"].append((key, fact))
        else:
            view["extra"].append((key, dump(value, limit=VALUE_LIMIT)))
    # Drift findings carry before/after and the same values as expected/actual: show them once.
    if view["has_change"] and d.get("expected") == d.get("before") and d.get("actual") == d.get("after"):
        view["has_expected"] = False
    pair = ("expected", "actual") if "expected" in d and "actual" in d else ("before", "after")
    if pair[0] in d and pair[1] in d:
        view["diff"] = [e.to_dict() | {
            "expected_text": dump(e.expected, indent=None, limit=300, quote=True),
            "actual_text": dump(e.actual, indent=None, limit=300, quote=True),
        } for e in json_diff(d.get(pair[0]), d.get(pair[1]), limit=100)]
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
                compact = budget <= 0 and bool(c.details)
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
