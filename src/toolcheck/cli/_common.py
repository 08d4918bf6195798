"""Shared option handling for commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from toolcheck.errors import ToolcheckError


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn a ToolcheckError into its one-paragraph message and exit code (inside typer)."""
    try:
        yield
    except ToolcheckError as exc:
        from toolcheck.cli import fail

        raise typer.Exit(fail(exc)) from None


ALLOW_NETWORK = typer.Option(
    False, "--allow-network", help="Allow reading the spec or its external $refs over http(s)."
)
