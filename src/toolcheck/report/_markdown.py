"""Markdown summary for ``GITHUB_STEP_SUMMARY`` and PR comments.

A compact table (one row per suite) and the failed cases with their reason. Every piece of
text coming from the API or the spec is escaped (:func:`md_escape`): a payload must not be able
to break the table, inject links or images, mention people or close a ``<details>`` block.
GitHub caps comments at 65,536 characters, so the output is bounded by ``max_rows`` and
``max_chars``.
"""

from __future__ import annotations

import html
import re

from toolcheck.report._text import failure_text
from toolcheck.results import ERROR, FAILED, PASSED, SKIPPED, CaseResult, RunResult

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_STATUS_ICON = {PASSED: "✅", FAILED: "❌", ERROR: "💥", SKIPPED: "⏭️"}


def md_escape(text: object, *, limit: int = 300) -> str:
    """Escape text for one Markdown table cell or line (no newlines, no markup, no HTML)."""
    value = " ".join(str(text).split())
    if len(value) > limit:
        value = value[:limit] + "…"
    # < > & : no raw HTML. Quotes stay: outside a tag they are plain text, and &quot; made
    # every quoted value unreadable in the raw comment (issue 17).
    value = html.escape(value, quote=False)
    value = _MD_SPECIAL.sub(r"\\\1", value)
    return value.replace("@", "&#64;")  # no @mentions from payloads


def _code_block(text: str, *, limit: int = 1500) -> str:
    body = text if len(text) <= limit else text[:limit] + "…"
    # A fence longer than any backtick run inside, so the payload cannot close it.
    longest = max((len(m.group(0)) for m in re.finditer(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"  # fenced text is literal: no escaping needed


def render_markdown(result: RunResult, *, max_rows: int = 50, max_chars: int = 60_000) -> str:
    """A Markdown summary: totals, a per-suite table and the failed cases.

    Args:
        result: the run.
        max_rows: at most this many suite rows and this many failed cases.
        max_chars: hard cap on the output length (GitHub comments allow 65,536).
    """
    totals = {s: result.count(s) for s in (PASSED, FAILED, ERROR, SKIPPED)}
    verdict = "✅ passed" if result.ok else ("⚠️ interrupted" if result.interrupted and not (
        totals[FAILED] or totals[ERROR]) else "⚠️ incomplete" if result.incomplete and not (
        totals[FAILED] or totals[ERROR]) else "❌ failed")
    prefix = f"toolcheck {result.tool}"
    # run's title already says "toolcheck run: ..." (the HTML page's title): not twice
    title = result.title if result.title.startswith(prefix) else (
        f"{prefix}: {result.title}" if result.title else prefix)
    lines = [f"### {md_escape(title, limit=160)} — {verdict}", ""]
    facts = [
        f"**{totals[PASSED]}** passed",
        f"**{totals[FAILED]}** failed",
        f"**{totals[ERROR]}** errors",
        f"**{totals[SKIPPED]}** skipped",
        f"{result.duration:.2f} s",
    ]
    if result.seed is not None:
        facts.append(f"seed `{int(result.seed)}`" if isinstance(result.seed, int) else f"seed {md_escape(result.seed)}")
    lines.append(" · ".join(facts))
    if result.interrupted:
        lines += ["", "> **Interrupted**: this report holds only the suites that finished."]
    if result.incomplete:
        lines += ["", f"> **Incomplete**: {md_escape(result.incomplete, limit=300)}."]
    lines += ["", "| | Suite | Passed | Failed | Errors | Skipped | Time |", "|---|---|---:|---:|---:|---:|---:|"]
    for suite in result.suites[:max_rows]:
        icon = "✅" if suite.ok else "❌"
        lines.append(
            f"| {icon} | {md_escape(suite.name, limit=100)} | {suite.count(PASSED)} | {suite.count(FAILED)} | "
            f"{suite.count(ERROR)} | {suite.count(SKIPPED)} | {suite.duration:.2f} s |"
        )
    if len(result.suites) > max_rows:
        lines.append(f"| | … and {len(result.suites) - max_rows} more suites | | | | | |")
    failed: list[tuple[str, CaseResult]] = [
        (s.name, c) for s in result.suites for c in s.cases if c.status in (FAILED, ERROR)
    ]
    if failed:
        lines += ["", f"#### Failed ({len(failed)})", ""]
        for suite_name, case in failed[:max_rows]:
            icon = _STATUS_ICON.get(case.status, "❔")
            reason = md_escape(case.message or case.status, limit=300)
            lines.append(f"- {icon} **{md_escape(suite_name, limit=100)}** › {md_escape(case.name, limit=150)}: {reason}")
        if len(failed) > max_rows:
            lines.append(f"- … and {len(failed) - max_rows} more")
    detail: list[str] = []
    if failed:
        first = failed[0][1]
        story = failure_text(first.message, first.details, limit=400)
        if story:
            detail = ["", "<details><summary>First failure in detail</summary>", "", _code_block(story), "", "</details>"]
    tail = ["", f"Reproduce: {_code_span(result.command_line)}"] if result.command_line else []
    return _fit([*lines, *detail, *tail], lines, tail, max_chars)


def _fit(full: list[str], lines: list[str], tail: list[str], max_chars: int) -> str:
    """The whole text if it fits; else drop the detail block, then whole lines from the end of the
    table/list part, so a cut never lands inside a code fence or an open ``<details>``."""
    text = "\n".join(full) + "\n"
    if len(text) <= max_chars:
        return text
    note = "… (summary truncated)"
    kept = list(lines)
    while kept and len("\n".join([*kept, "", note, *tail])) + 1 > max_chars:
        kept.pop()
    if not kept:
        return (note + "\n")[:max_chars]
    return "\n".join([*kept, "", note, *tail]) + "\n"


def _code_span(text: str, *, limit: int = 500) -> str:
    body = " ".join(text.split())[:limit]
    longest = max((len(m.group(0)) for m in re.finditer(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {body} {fence}"
