"""The command line: parse options, call the core, pick reporters, return an exit code.

Exit codes are a contract (see README): 0 clean · 1 findings · 2 bad input or usage ·
3 internal or environment error. A ToolcheckError becomes one paragraph on stderr, never a
traceback; `pretty_exceptions_show_locals=False` because locals can hold tokens.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from toolcheck._startup import before_exit, end_startup, pause_collector, skip_httpx_cli
from toolcheck.errors import ToolcheckError

skip_httpx_cli()  # process-wide: every command that speaks HTTP benefits (measured: toolcheck._startup)

# Command name → the module of toolcheck.cli that registers it. The entry point imports only
# the module of the command being run (importing all of them costs start-up: spec loader, yaml,
# mcp glue...); `toolcheck --help`, unknown commands and `toolcheck.cli.app` get every module.
# tests/unit/test_cli_lazy.py checks this table against the commands the modules register.
COMMANDS: dict[str, str] = {
    "tools": "agent", "lint": "agent", "serve-mcp": "agent", "policy": "agent", "init": "agent",
    "check": "check", "checks": "check",
    "drift": "drift",
    "fuzz": "fuzz", "payloads": "fuzz", "replay": "fuzz",
    "mock": "mock",
    "report": "report",
    "run": "run",
}
MODULES = ("agent", "check", "drift", "fuzz", "mock", "report", "run")  # registration (and --help) order


def _register(command: str | None = None) -> None:
    """Import the module that adds `command` to the app, or every command module."""
    import importlib

    for name in (COMMANDS[command],) if command is not None and command in COMMANDS else MODULES:
        importlib.import_module(f"toolcheck.cli.{name}")


def __getattr__(name: str) -> Any:
    # `from toolcheck.cli import app` (tests, embedders): the application with every command.
    if name == "app":
        _register()
        from toolcheck.cli._app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def fail(error: ToolcheckError) -> int:
    """Print a ToolcheckError as one paragraph on stderr and return its exit code."""
    from toolcheck.cli._console import err_console, escape_line

    text = escape_line(str(error))  # messages quote user input: `[x]` must print, not style, nor break the line
    err_console().print(f"[bold red]error:[/] {text}", highlight=False, soft_wrap=True)
    return error.exit_code


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    args = sys.argv[1:] if argv is None else list(argv)
    if argv is None and args[:1] == ["run"]:
        pause_collector()  # until the run command calls end_startup()
    try:
        from toolcheck.cli._app import app

        # Only a command named first is registered alone: `toolcheck --help run` lists them all.
        _register(args[0] if args else None)
        return _run(app, args)
    finally:
        end_startup()
        if argv is None:
            before_exit()


def _run(app: Any, args: list[str]) -> Any:
    try:
        return app(args=args, standalone_mode=True)
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
