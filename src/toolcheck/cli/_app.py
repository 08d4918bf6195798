"""The Typer application that every command module adds its commands to.

It lives apart from ``toolcheck.cli`` so the entry point can import only the command module
that runs (see ``toolcheck.cli.COMMANDS``), while ``toolcheck.cli.app`` still hands tests and
other callers the application with every command registered.
"""

from __future__ import annotations

import typer

from toolcheck import __version__

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
