"""`toolcheck drift OLD NEW`: breaking changes between two API descriptions.

Exit codes: 0 nothing at or above ``--fail-on`` · 1 findings at or above it · 2 bad input or
usage · 3 internal error (see ``cli/__init__.py``).
"""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from toolcheck.cli._app import app
from toolcheck.cli._common import ALLOW_NETWORK, REF_ROOT, handle_errors, ref_roots, renamed
from toolcheck.findings import Severity

if TYPE_CHECKING:
    from rich.console import Console

    from toolcheck.drift.model import DriftReport

DEFAULT_IGNORE = ".toolcheck-drift-ignore.yaml"


class Format(str, enum.Enum):
    text = "text"
    markdown = "markdown"
    json = "json"
    github = "github"
    changelog = "changelog"


class Level(str, enum.Enum):
    error = "error"
    warning = "warning"
    info = "info"
    warn = "warn"  # the older spelling of warning, read as it (toolcheck.findings.parse_level)


@app.command()
def drift(
    old: str = typer.Argument(None, help="The base spec: file, directory, git:REV:path, or URL. Two directories "
                              "of several specs (or git:REV:dir) are compared document by document."),
    new: str = typer.Argument(None, help="The revised spec: file, directory, git:REV:path, or URL."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    fail_on: Level = typer.Option(Level.error, "--fail-on", help="Exit 1 when a finding is at or above this level."),
    changelog: bool = typer.Option(False, "--changelog", help="List every change at info level (never fails)."),
    severity: list[str] = typer.Option([], "--severity", help="Override a rule's level: RULE=error|warning|info|off."),
    ignore_file: str = typer.Option(None, "--ignore-file", help=f"Suppressions (YAML file or git:REV:path, e.g. from the base "
                                    f"branch). Default: {DEFAULT_IGNORE} if present."),
    include_path: list[str] = typer.Option([], "--include-path", help="Only operations matching this glob (METHOD /path, /path or operationId)."),
    exclude_path: list[str] = typer.Option([], "--exclude-path", help="Skip operations matching this glob."),
    operation: list[str] = typer.Option([], "--operation", help="Only this operation (operationId or 'METHOD /path')."),
    deprecation_days: int = typer.Option(None, "--deprecation-days", help="Require x-sunset at least N days away on deprecation."),
    include_unstable: bool = typer.Option(False, "--include-unstable", help="Full levels for draft/alpha operations (x-stability-level)."),
    agent_rules: bool = typer.Option(True, "--agent-rules/--no-agent-rules", help="Descriptions, examples and tool-size checks."),
    output: Path | None = typer.Option(None, "--out", help="Write the output to this file instead of stdout."),
    old_output: Path | None = typer.Option(None, "--output", "-o", hidden=True, help="Deprecated: --out."),
    reports: str | None = typer.Option(None, "--reports", help="Also write shared reports (JUnit, HTML, JSON) to this directory."),
    report_format: str = typer.Option("junit,html,json", "--report-format", help="Which report files to write into --reports."),
    old_report_dir: Path | None = typer.Option(None, "--report-dir", hidden=True, help="Deprecated: --reports."),
    max_rows: int = typer.Option(50, "--max-rows", help="How many rows (identical changes grouped) to list in text and Markdown."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List info findings in text output."),
    list_rules: bool = typer.Option(False, "--list-rules", help="Print the rule catalogue (text or --format json) and exit."),
    allow_network: bool = ALLOW_NETWORK,
    ref_root: list[str] = REF_ROOT,
) -> None:
    """Compare two specs and report breaking changes, agent-breaking changes and a changelog.

    Example on a pull request: toolcheck drift git:origin/main:openapi.yaml openapi.yaml -f markdown
    """
    from toolcheck.errors import UsageError

    if renamed(old_output, "drift --output/-o", "--out"):
        output = old_output
    report_dir = Path(reports) if reports else None
    if reports and not Path(reports).exists() and set(
            r.strip() for r in reports.split(",")) <= {"junit", "html", "json", "markdown"}:
        # the old --reports named the formats; --reports is now the directory (as in run and fuzz)
        renamed(reports, "drift --reports FORMATS", "--report-format FORMATS (--reports DIR is the directory)")
        report_format, report_dir = reports, None
    if renamed(old_report_dir, "drift --report-dir", "--reports"):
        report_dir = old_report_dir
    with handle_errors():
        if list_rules:
            _list_rules(fmt)
            raise typer.Exit(0)
        if not old or not new:
            raise UsageError("drift needs two specs: toolcheck drift OLD NEW (or --list-rules)")
        report, policy_fail_on = _run(
            old, new, fmt=fmt, fail_on=Severity.parse(fail_on.value), changelog=changelog, severity=severity,
            ignore_file=ignore_file, include_path=include_path, exclude_path=exclude_path, operation=operation,
            deprecation_days=deprecation_days, include_unstable=include_unstable, agent_rules=agent_rules,
            allow_network=allow_network, ref_root=ref_roots(ref_root),
        )
        if report_dir is not None:
            from toolcheck.drift.formats import to_run_result
            from toolcheck.report import write_reports

            result = to_run_result(report, fail_on=policy_fail_on, command_line=" ".join(sys.argv),
                                   duration=float(report.stats.get("seconds", 0.0)))
            write_reports(result, report_dir, [r.strip() for r in report_format.split(",") if r.strip()])
        _emit(report, fmt, policy_fail_on, output, max_rows, verbose or changelog)
    if report.not_compared:  # a document that was not compared is not a pass (nor merely a finding)
        raise typer.Exit(2)
    raise typer.Exit(1 if report.at_least(policy_fail_on) else 0)


def _run(old: str, new: str, *, fmt: Format, fail_on: Severity, changelog: bool, severity: list[str],
         ignore_file: str | Path | None, include_path: list[str], exclude_path: list[str], operation: list[str],
         deprecation_days: int | None, include_unstable: bool, agent_rules: bool,
         allow_network: bool, ref_root: tuple[str, ...] = ()) -> tuple[DriftReport, Severity]:
    from toolcheck.drift import DiffOptions, diff
    from toolcheck.drift.policy import IgnoreEntry, Policy, load_ignore_file, parse_severity
    from toolcheck.spec import load_spec

    overrides = parse_severity(severity)
    ignores: tuple[IgnoreEntry, ...] = ()
    path = ignore_file if ignore_file is not None else (Path(DEFAULT_IGNORE) if Path(DEFAULT_IGNORE).is_file() else None)
    if path is not None:
        ignores, file_overrides = load_ignore_file(path)
        overrides = {**file_overrides, **overrides}
    changelog = changelog or fmt is Format.changelog
    policy = Policy(severity=overrides, ignores=ignores, include_paths=tuple(include_path),
                    exclude_paths=tuple(exclude_path), operations=tuple(operation), changelog=changelog)
    options = DiffOptions(deprecation_days=deprecation_days, include_unstable=include_unstable, agent=agent_rules)
    trees = _spec_trees(old, new)
    if trees is not None:
        from toolcheck.drift import diff_directories

        report = diff_directories(
            old, new, *trees, lambda s: load_spec(s, allow_network=allow_network, ref_roots=ref_root), options)
    else:
        old_spec = load_spec(old, allow_network=allow_network, ref_roots=ref_root)
        new_spec = load_spec(new, allow_network=allow_network, ref_roots=ref_root)
        report = diff(old_spec, new_spec, options)
    report = policy.apply(report)
    # a changelog (every change at info) never fails on its own, but an expired ignore entry still does
    return report, (Severity.ERROR if changelog else fail_on)


def _spec_trees(old: str, new: str) -> tuple[list[str], list[str]] | None:
    """The spec documents under OLD and NEW when both are directories of several (else None).

    Two directories that each hold one document (a root with split-out parts, even renamed
    between releases) stay one spec, as before, so their fingerprints do not change.
    """
    from toolcheck.spec import list_spec_files

    old_files = list_spec_files(old)
    if old_files is None:
        return None
    new_files = list_spec_files(new)
    if new_files is None:
        return None
    if len(old_files) <= 1 and len(new_files) <= 1:
        return None
    return old_files, new_files


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from toolcheck.report import atomic_write_text

    atomic_write_text(output, text)


def _emit(report: DriftReport, fmt: Format, fail_on: Severity, output: Path | None, max_rows: int, verbose: bool) -> None:
    from toolcheck.drift import formats

    if fmt is Format.json:
        _write(formats.to_json(report, fail_on=fail_on), output)
    elif fmt is Format.markdown:
        _write(formats.to_markdown(report, fail_on=fail_on, max_rows=max_rows), output)
    elif fmt is Format.github:
        _write(formats.to_github(report, fail_on=fail_on), output)
    elif fmt is Format.changelog:
        _write(formats.to_changelog(report), output)
    elif output is not None:
        import io

        from rich.console import Console

        buffer = io.StringIO()
        _print_text(report, fail_on, max_rows, verbose, Console(file=buffer, no_color=True, width=120,
                                                                highlight=False))
        _write(buffer.getvalue(), output)
    else:
        _print_text(report, fail_on, max_rows, verbose)


def _print_text(report: DriftReport, fail_on: Severity, max_rows: int, verbose: bool, out: Console | None = None) -> None:
    from rich.markup import escape

    from toolcheck.cli._console import console
    from toolcheck.drift.formats import _ops_text, _times, hidden_summary, located_groups

    out = out or console()
    out.print(f"[bold]drift[/] {escape(report.old_source)} → {escape(report.new_source)}", soft_wrap=True)
    colours = {"error": "red", "warning": "yellow", "info": "blue"}
    rows = report.groups(report.findings if verbose else report.at_least(Severity.WARNING))
    for g in located_groups(report, rows[:max_rows]):
        f = g.first
        where = f.location_new or f.location_old
        out.print(
            f"[{colours.get(f.level, 'white')}]{f.level:7}[/] [bold]{escape(f.rule)}[/]{_times(g)} {escape(_ops_text(g))}\n"
            f"        {escape(g.message)}\n        [dim]{escape(where) + ' · ' if where else ''}{f.fingerprint}"
            + (" (--format json lists every place)" if g.count > 1 else "") + "[/]",
            soft_wrap=True,
        )
        if f.rule.endswith("semantics-changed"):
            out.print(f"        [dim]before:[/] {escape(_one_line(f.before))}\n        [dim]after: [/] "
                      f"{escape(_one_line(f.after))}", soft_wrap=True)
    hidden = rows[max_rows:]
    if hidden:
        per_rule = ", ".join(f"{rule} ({level}) {n}" for rule, level, _rows, n in hidden_summary(hidden)[:10])
        out.print(f"... and {len(hidden)} more row(s) (use --format json or --max-rows): {escape(per_rule)}",
                  soft_wrap=True)
    for rel, reason in report.not_compared:
        out.print(f"[red]not compared[/] {escape(rel)}: {escape(reason)}", soft_wrap=True)
    failed = bool(report.at_least(fail_on))
    verdict = "[red]breaking changes[/]" if report.count(Severity.ERROR) else (
        "[yellow]changes to review[/]" if report.count(Severity.WARNING) else "[green]no breaking changes[/]")
    if report.not_compared and not report.count(Severity.ERROR):
        verdict = "[red]not every spec was compared[/]"
    ignored = f", {len(report.ignored)} ignored" if report.ignored else ""
    shown = sum(g.count for g in rows)
    grouped = f" · identical changes grouped into {len(rows)} row(s)" if len(rows) < shown else ""
    out.print(f"{verdict}: {report.count(Severity.ERROR)} error(s), {report.count(Severity.WARNING)} warning(s), "
              f"{report.count(Severity.INFO)} info{ignored}{grouped} · fail on {fail_on}: {'failed' if failed else 'passed'}"
              + ("" if verbose else " (-v lists info)"), soft_wrap=True)


def _one_line(value: object, limit: int = 300) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit] + "…"


def _list_rules(fmt: Format) -> None:
    from toolcheck.drift.rules import RULES

    if fmt is Format.json:
        sys.stdout.write(json.dumps([r.to_dict() for r in RULES.values()], indent=2) + "\n")
        return
    from rich.markup import escape

    from toolcheck.cli._console import console

    out = console()
    for r in RULES.values():
        extra = f" [dim](oasdiff: {', '.join(r.oasdiff)})[/]" if r.oasdiff else ""
        agent = " [magenta]agent[/]" if r.agent else ""
        out.print(f"{r.id} {escape('[' + r.level + ']')} {r.direction}{agent}: {escape(r.description)}{extra}", soft_wrap=True,
                  markup=True)
    out.print(f"{len(RULES)} rules")
