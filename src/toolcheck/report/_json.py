"""The versioned JSON report: ``RunResult.to_dict()`` (which carries ``format_version``).

Also reads reports back (``toolcheck report merge`` joins the JSON of ``--shard i/n`` runs).
Hand-written: the format is ours and small; reading validates just enough to give a one-line
error with the file name instead of a traceback.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from toolcheck.errors import UsageError
from toolcheck.results import ERROR, FAILED, PASSED, RESULT_FORMAT_VERSION, SKIPPED, RunResult, SuiteResult


def jsonable(obj: Any, _depth: int = 0) -> Any:
    """Turn a details value into strict JSON data (tuples → lists, bytes → text, NaN → None)."""
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if _depth > 200:
        return "…"
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v, _depth + 1) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj, key=repr) if isinstance(obj, (set, frozenset)) else obj
        return [jsonable(v, _depth + 1) for v in items]
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj).decode("utf-8", "replace")
    return str(obj)


def result_dict(result: RunResult) -> dict[str, Any]:
    """The JSON document for ``result`` (``format_version`` first, strict JSON values)."""
    data = jsonable(result.to_dict())
    data["format_version"] = RESULT_FORMAT_VERSION
    return data  # type: ignore[no-any-return]


def json_suite_text(suite: SuiteResult) -> str:
    """One suite as indented JSON, ready to sit in the report's ``suites`` list.

    The incremental reporter caches these, so a long run does not re-serialise finished suites.
    """
    text = json.dumps(jsonable(suite.to_dict()), indent=2, ensure_ascii=False, allow_nan=False)
    return "\n".join("    " + line for line in text.split("\n"))


def json_document(result: RunResult, suite_texts: list[str]) -> str:
    """The whole JSON report from ``result``'s header and pre-serialised suites (same order)."""
    head = jsonable(replace(result, suites=()).to_dict())
    head["format_version"] = RESULT_FORMAT_VERSION
    head["totals"] = {s: result.count(s) for s in (PASSED, FAILED, ERROR, SKIPPED)}
    head.pop("suites", None)
    text = json.dumps(head, indent=2, ensure_ascii=False, allow_nan=False)
    body = ",\n".join(suite_texts)
    suites = f'"suites": [\n{body}\n  ]' if suite_texts else '"suites": []'
    return text[: text.rfind("}")].rstrip() + f",\n  {suites}\n}}\n"


def render_json(result: RunResult) -> str:
    """The JSON report text (indented, UTF-8, ends with a newline)."""
    return json_document(result, [json_suite_text(s) for s in result.suites])


def parse_json_report(text: str, *, source: str = "<json>") -> RunResult:
    """Read a JSON report back into a RunResult.

    Raises:
        UsageError: the text is not a toolcheck JSON report of a supported major version.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"not valid JSON ({exc})", location=source) from None
    if not isinstance(data, dict) or "suites" not in data or "tool" not in data:
        raise UsageError("not a toolcheck JSON report (no 'tool' and 'suites')", location=source)
    version = str(data.get("format_version", ""))
    if version.split(".")[0] != RESULT_FORMAT_VERSION.split(".")[0]:
        raise UsageError(
            f"report format_version {version or '(missing)'} is not supported "
            f"(this toolcheck reads {RESULT_FORMAT_VERSION.split('.')[0]}.x)",
            location=source,
        )
    try:
        return RunResult.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(f"malformed toolcheck JSON report: {type(exc).__name__}: {exc}", location=source) from None


def load_json_report(path: str | Path) -> RunResult:
    """Read a ``report.json`` file; a UsageError (exit 2) if unreadable or not a report."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(f"cannot read report: {reason}", location=str(p)) from None
    return parse_json_report(text, source=str(p))


def _merge_summary(summaries: list[Mapping[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for summary in summaries:
        for key, value in summary.items():
            if key not in merged:
                merged[key] = value
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(
                merged[key], (int, float)
            ):
                merged[key] = merged[key] + value
            elif merged[key] != value:
                merged[key] = "(varies)"
    return merged


def merge_results(results: Iterable[RunResult], *, title: str | None = None) -> RunResult:
    """Join results of sharded runs into one: suites in input order, numbers summed.

    Duration is the longest shard (shards run side by side); the seed is kept only when all
    shards share it; the merged run is interrupted if any shard was.
    """
    items = list(results)
    if not items:
        raise UsageError("nothing to merge: give at least one JSON report")
    tools = {r.tool for r in items}
    seeds = {r.seed for r in items}
    started = sorted(r.started_at for r in items if r.started_at)
    summary = _merge_summary([r.summary for r in items])
    summary["shards"] = len(items)
    return RunResult(
        tool=items[0].tool if len(tools) == 1 else "merged",
        title=title if title is not None else items[0].title,
        suites=tuple(s for r in items for s in r.suites),
        started_at=started[0] if started else "",
        duration=max(r.duration for r in items),
        command_line=items[0].command_line if len(items) == 1 else "",
        seed=items[0].seed if len(seeds) == 1 else None,
        interrupted=any(r.interrupted for r in items),
        incomplete="; ".join(r.incomplete for r in items if r.incomplete),
        summary=summary,
        version=items[0].version,
    )
