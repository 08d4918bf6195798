"""`toolcheck report merge OUT_DIR IN.json...`: join sharded runs' JSON reports into one."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from toolcheck.cli._app import app
from toolcheck.cli._common import handle_errors, renamed

report_app = typer.Typer(help="Work with report files (merge sharded runs).", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("merge")
def merge(
    out_dir: Path = typer.Argument(..., help="Directory for the merged report.html, junit.xml and report.json."),
    inputs: list[Path] = typer.Argument(..., help="report.json files of the shards (or directories holding one)."),
    formats: str = typer.Option("html,junit,json", "--report-format", help="Report files to write: html, junit, json, "
                                "markdown."),
    old_formats: str | None = typer.Option(None, "--format", hidden=True, help="Deprecated: --report-format."),
    title: str = typer.Option(None, "--title", help="Title of the merged report (default: the first shard's)."),
) -> None:
    """Merge the JSON reports of `--shard i/n` runs into one HTML, JUnit and JSON report.

    A single input re-renders one JSON report as HTML/JUnit/Markdown. When GITHUB_STEP_SUMMARY is
    set, the merged run's Markdown summary is appended to it.

    Exit codes: 0 every merged case passed · 1 failures in the merged run · 2 unreadable input.
    """
    from toolcheck.cli._console import console
    from toolcheck.report import load_json_report, merge_results, write_reports

    if renamed(old_formats, "report merge --format", "--report-format"):
        formats = str(old_formats)
    with handle_errors():
        results = [load_json_report(p / "report.json" if p.is_dir() else p) for p in inputs]
        merged = merge_results(results, title=title)
        paths = write_reports(merged, out_dir, formats.split(","))
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:  # the merged run is the one CI should summarise (GitHub appends, by design)
        from toolcheck.report import render_markdown, sanitize_result

        try:
            with open(summary_file, "a", encoding="utf-8", errors="backslashreplace") as handle:
                handle.write(render_markdown(sanitize_result(merged)) + "\n")
        except OSError as exc:
            console().print(f"warning: cannot append to GITHUB_STEP_SUMMARY ({exc.strerror or exc})")
    totals = {s: merged.count(s) for s in ("passed", "failed", "error", "skipped")}
    console().print(
        f"merged {len(results)} report(s): {totals['passed']} passed, {totals['failed']} failed, "
        f"{totals['error']} errors, {totals['skipped']} skipped"
    )
    console().print("reports: " + ", ".join(str(p) for p in paths.values()), soft_wrap=True)
    raise typer.Exit(0 if merged.ok else 1)
