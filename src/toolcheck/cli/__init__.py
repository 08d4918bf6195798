"""The command line: parse options, call the core, pick reporters, return an exit code.

Exit codes are a contract (see README): 0 clean · 1 findings · 2 bad input or usage ·
3 internal or environment error. A ToolcheckError becomes one paragraph on stderr, never a
traceback; `pretty_exceptions_show_locals=False` because locals can hold tokens.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer

from toolcheck import __version__
from toolcheck.errors import ToolcheckError


def _skip_httpx_cli() -> None:
    """Importing the ``httpx`` package also imports its own command line (click, pygments,
    rich.syntax: a third of httpx's import time). toolcheck never runs it, so the CLI process
    registers a stand-in first (before anything imports httpx). Opt out: TOOLCHECK_FULL_HTTPX=1."""
    if "httpx" in sys.modules or "httpx._main" in sys.modules or os.environ.get("TOOLCHECK_FULL_HTTPX"):
        return
    import types

    stand_in = types.ModuleType("httpx._main")

    def main(*args: Any, **kwargs: Any) -> None:
        raise SystemExit("the httpx command line is not loaded inside toolcheck (set TOOLCHECK_FULL_HTTPX=1)")

    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stand_in



_skip_httpx_cli()  # process-wide: every command that speaks HTTP benefits

app = typer.Typer(
    name="toolcheck",
    help="Contract tests for the HTTP APIs that AI agents call as tools.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"toolcheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Contract tests for the HTTP APIs that AI agents call as tools."""


def _register() -> None:
    # Each command module adds itself to `app`; imported here so `toolcheck --help` lists all.
    from toolcheck.cli import (
        agent,  # noqa: F401
        check,  # noqa: F401
        drift,  # noqa: F401
        fuzz,  # noqa: F401
        mock,  # noqa: F401
        report,  # noqa: F401
        run,  # noqa: F401
    )


def fail(error: ToolcheckError) -> int:
    """Print a ToolcheckError as one paragraph on stderr and return its exit code."""
    from rich.markup import escape

    from toolcheck.cli._console import err_console

    text = escape(str(error))  # messages quote user input: `[x]` must print, not style
    err_console().print(f"[bold red]error:[/] {text}", highlight=False, soft_wrap=True)
    return error.exit_code


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    _register()
    try:
        return app(args=argv, standalone_mode=True)
    except ToolcheckError as exc:
        sys.exit(fail(exc))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # an internal error: exit 3, short message, traceback on demand
        if os.environ.get("TOOLCHECK_DEBUG"):
            raise
        from rich.markup import escape

        from toolcheck.cli._console import err_console

        err_console().print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))}. "
            "Set TOOLCHECK_DEBUG=1 for the traceback and please report it.",
            highlight=False,
        )
        sys.exit(3)


_register()
