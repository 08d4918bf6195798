"""`toolcheck check SPEC`: load, validate structure, summarise."""

from __future__ import annotations

import enum
import json
import sys

import typer

from toolcheck.cli._app import app
from toolcheck.cli._common import ALLOW_NETWORK, REF_ROOT, handle_errors, ref_roots
from toolcheck.spec.model import Problem


class Format(str, enum.Enum):
    text = "text"
    json = "json"


@app.command()
def check(
    spec: str = typer.Argument(..., help="Spec file, directory, '-' for stdin, git:REV:path, or URL."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    schemas: bool = typer.Option(True, "--schemas/--no-schemas", help="Check every schema against the JSON Schema meta-schema."),
    strict: bool = typer.Option(
        False, "--strict", help="Also validate the document as written with openapi-spec-validator (slow on big specs)."
    ),
    allow_network: bool = ALLOW_NETWORK,
    ref_root: list[str] = REF_ROOT,
    max_problems: int = typer.Option(50, "--max-problems", help="How many problems to list in text output."),
) -> None:
    """Load a spec, validate it, and print a summary with its problems.

    Exit codes: 0 clean (warnings allowed) · 1 problems of error severity · 2 cannot be loaded.
    """
    from toolcheck.checks.structure import strict_problems, structure_problems
    from toolcheck.findings import Severity
    from toolcheck.spec import load_spec

    with handle_errors():
        roots = ref_roots(ref_root)
        loaded = load_spec(spec, allow_network=allow_network, ref_roots=roots)
        problems = list(loaded.problems) + structure_problems(loaded, schemas=schemas)
        if strict:
            problems += strict_problems(loaded, allow_network=allow_network, ref_roots=roots)
    problems.sort(key=_document_order)
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    warnings = sum(1 for p in problems if p.severity is Severity.WARNING)
    summary = {
        "source": loaded.source,
        "title": loaded.title,
        "api_version": loaded.api_version,
        "openapi_version": loaded.version,
        "dialect": loaded.dialect,
        "operations": len(loaded.operations),
        "webhooks": len(loaded.webhooks),
        "schemas": len(loaded.schemas),
        "security_schemes": sorted(loaded.security_schemes),
        "files": len(loaded.files),
        "errors": errors,
        "warnings": warnings,
        "problems": [p.to_dict() for p in problems],
    }
    if fmt is Format.json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        _print_text(summary, max_problems)
    raise typer.Exit(1 if errors else 0)


def _document_order(problem: Problem) -> tuple[str, int, str]:
    """Sort by file, then line (locations are ``file:line`` or ``file#/pointer``)."""
    location = problem.location.split(" (", 1)[0]
    path, _, line = location.rpartition(":")
    if path and line.isdigit():
        return (path, int(line), problem.message)
    return (location, 0, problem.message)


def _print_text(summary: dict[str, object], max_problems: int) -> None:
    from rich.markup import escape

    from toolcheck.cli._console import console

    out = console()
    kind = "Swagger" if summary["dialect"] == "2.0" else "OpenAPI"
    out.print(
        f"[bold]{escape(str(summary['title']) or '(untitled)')}[/] {escape(str(summary['api_version']))} "
        f"— {kind} {escape(str(summary['openapi_version']))}, {summary['source']}"
    )
    out.print(
        f"{summary['operations']} operations, {summary['webhooks']} webhooks, {summary['schemas']} schemas, "
        f"{summary['files']} file(s)"
    )
    problems = summary["problems"]
    assert isinstance(problems, list)
    colours = {"error": "red", "warning": "yellow", "info": "blue"}
    rank = {"error": 0, "warning": 1, "info": 2}
    problems = sorted(problems, key=lambda p: rank.get(p["severity"], 3))  # errors first, then by line
    for p in problems[:max_problems]:
        out.print(
            f"[{colours.get(p['severity'], 'white')}]{p['severity']:7}[/] {escape(p['location'])}: {escape(p['message'])}",
            soft_wrap=True,
        )
    if len(problems) > max_problems:
        out.print(f"... and {len(problems) - max_problems} more (use --format json for all)")
    verdict = "[red]errors found[/]" if summary["errors"] else "[green]ok[/]"
    out.print(f"{verdict}: {summary['errors']} error(s), {summary['warnings']} warning(s)")


@app.command("checks")
def checks(
    markdown: bool = typer.Option(False, "--markdown", help="Print docs/checks.md (generated from the registry)."),
) -> None:
    """List the response checks of run and fuzz: name, default severity, commands, what each finds.

    Switch one with `--severity CHECK=off|warning|error` in either command.
    """
    from toolcheck.checks.registry import CHECKS
    from toolcheck.checks.registry import markdown as render
    from toolcheck.cli._common import load_checks

    load_checks()
    if markdown:
        sys.stdout.write(render())
        return
    width = max(len(name) for name in CHECKS)
    for info in sorted(CHECKS.values(), key=lambda c: c.name):
        typer.echo(f"{info.name:<{width}}  {info.severity.value:<7}  {','.join(info.commands):<8}  {info.title}")
