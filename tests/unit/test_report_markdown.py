"""Markdown summaries: payloads cannot break the table, escape a code fence or mention people."""

from __future__ import annotations

import re

from toolcheck.report import md_escape, render_markdown
from toolcheck.results import CaseResult, RunResult, SuiteResult


def test_escape_neutralises_markup() -> None:
    out = md_escape("a | b\n[x](http://evil) ![i](y) <b>@team `c` *e* _f_ ~s~")
    assert "|" not in out.replace("\\|", "")
    assert "\n" not in out
    assert "<b>" not in out and "&lt;b&gt;" in out
    assert "@team" not in out
    assert "\\[x\\]" in out and "\\`c\\`" in out and "\\*e\\*" in out


def test_table_rows_keep_their_columns() -> None:
    nasty = "s | x |\n| injected | row |"
    result = RunResult("run", "T", suites=(SuiteResult(nasty, (CaseResult("c", "failed", message=nasty),)),))
    md = render_markdown(result)
    table = md.split("|---", 1)[1].split("\n\n", 1)[0]  # the table ends at the first blank line
    rows = table.splitlines()[1:]
    assert len(rows) == 1
    for row in rows:
        unescaped = re.sub(r"\\\|", "", row)
        assert unescaped.count("|") == 8, row


def test_payload_cannot_close_the_code_fence() -> None:
    payload = "```\n</details>\n# owned\n````"
    result = RunResult("run", "T", suites=(SuiteResult("s", (CaseResult("c", "failed", message=payload),)),))
    md = render_markdown(result)
    opening = re.search(r"^(`{3,})text$", md, re.M)
    assert opening is not None
    fence = opening.group(1)
    assert len(fence) > 4  # longer than any backtick run in the payload
    body = md.split(fence + "text\n", 1)[1].split("\n" + fence + "\n", 1)
    assert len(body) == 2 and "# owned" in body[0]
    assert md.count("</details>") == 2  # ours, plus the payload's inside the fence


def test_totals_failed_cases_and_bounds() -> None:
    cases = tuple(CaseResult(f"case {i}", "failed", message="x" * 2000) for i in range(300))
    result = RunResult("fuzz", "Big", suites=tuple(SuiteResult(f"s{i}", cases[i::100]) for i in range(100)), seed=4)
    md = render_markdown(result, max_rows=10, max_chars=5000)
    assert len(md) <= 5000
    assert "**300** failed" in md and "seed `4`" in md
    assert "… and 90 more suites" in md or "truncated" in md


def test_passing_run_has_no_failed_section() -> None:
    md = render_markdown(RunResult("run", "ok", suites=(SuiteResult("s", (CaseResult("c", "passed"),)),)))
    assert "✅ passed" in md and "Failed" not in md.split("|---", 1)[1].split("\n\n", 1)[-1]


def test_truncation_never_cuts_inside_a_fence_or_details() -> None:
    long_message = "y" * 400
    cases = tuple(CaseResult(f"case {i}", "failed", message=long_message) for i in range(60))
    result = RunResult("run", "T", suites=(SuiteResult("s", cases),), command_line="toolcheck run s")
    for limit in (900, 1500, 3000, 8000):
        md = render_markdown(result, max_chars=limit)
        assert len(md) <= limit
        assert md.count("<details>") == md.count("</details>")
        assert md.count("```") % 2 == 0
        assert md.rstrip().endswith("`` toolcheck run s ``") or md.rstrip().endswith("` toolcheck run s `")


def test_quotes_read_as_quotes() -> None:
    assert md_escape('expected "queued", got \'done\'') == 'expected "queued", got \'done\''


def test_the_heading_names_the_command_once() -> None:
    run = render_markdown(RunResult("run", "toolcheck run: scenarios", suites=()))
    assert run.splitlines()[0] == "### toolcheck run: scenarios — ✅ passed"
    fuzz = render_markdown(RunResult("fuzz", "Agent Tools", suites=()))
    assert fuzz.splitlines()[0] == "### toolcheck fuzz: Agent Tools — ✅ passed"
    untitled = render_markdown(RunResult("policy", "", suites=()))
    assert untitled.splitlines()[0] == "### toolcheck policy — ✅ passed"
