"""Agent-layer commands: `tools`, `lint`, `policy`, `init`, `serve-mcp`.

Thin: parse options, call :mod:`toolcheck.agent`, print, choose the exit code.
"""

from __future__ import annotations

import enum
import json
import sys

import typer

from toolcheck.cli import app
from toolcheck.cli._common import ALLOW_NETWORK, handle_errors

SPEC_ARG = typer.Argument(..., help="Spec file, directory, '-' for stdin, git:REV:path, or URL.")


class ToolFormat(str, enum.Enum):
    openai = "openai"
    anthropic = "anthropic"
    mcp = "mcp"


@app.command()
def tools(
    spec: str = SPEC_ARG,
    fmt: ToolFormat = typer.Option(ToolFormat.openai, "--format", "-f", help="Provider format."),
    operation: list[str] = typer.Option([], "--operation", "-o", help="Only this operation (operationId or 'METHOD /path'); repeatable."),
    tag: list[str] = typer.Option([], "--tag", "-t", help="Only operations with this tag; repeatable."),
    strict: bool = typer.Option(False, "--strict", help="OpenAI strict mode (structured outputs subset)."),
    budget: int = typer.Option(1024, "--description-budget", min=16, help="Max characters per tool description."),
    notes: bool = typer.Option(False, "--notes", help="List every schema rewrite on stderr."),
    out: str = typer.Option("", "--out", help="Write to this file instead of stdout."),
    allow_network: bool = ALLOW_NETWORK,
) -> None:
    """Print the tool definitions an LLM sees for a spec (one per operation).

    The MCP format is the result of an MCP server's `tools/list`. Exit codes: 0 ok · 2 bad input.
    """
    from toolcheck.agent.tools import build_tools
    from toolcheck.cli._console import err_console
    from toolcheck.spec import load_spec

    with handle_errors():
        loaded = load_spec(spec, allow_network=allow_network)
        built = build_tools(loaded, operations=operation, tags=tag, strict=strict and fmt is ToolFormat.openai,
                            description_budget=budget)
        rendered = [t.render(fmt.value) for t in built]
        payload: object = {"tools": rendered} if fmt is ToolFormat.mcp else rendered
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        if out:
            from toolcheck.agent._files import write_atomic

            write_atomic(out, text)
        else:
            sys.stdout.write(text)
    err = err_console()
    rewritten = [t for t in built if t.notes]
    line = f"{len(built)} tool(s) in {fmt.value} format"
    if strict and fmt is ToolFormat.openai:
        line += f", {sum(1 for t in built if t.strict)} strict"
    if rewritten:
        line += f"; {len(rewritten)} with schema rewrites" + ("" if notes else " (--notes to list them)")
    err.print(line, highlight=False, markup=False)
    if notes:
        for t in rewritten:
            for n in t.notes:
                err.print(f"  {t.name}: {n}", highlight=False, markup=False, soft_wrap=True)
