"""Shared option handling for commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from toolcheck.errors import ToolcheckError
from toolcheck.findings import Severity


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn a ToolcheckError into its one-paragraph message and exit code (inside typer)."""
    try:
        yield
    except ToolcheckError as exc:
        from toolcheck.cli import fail

        raise typer.Exit(fail(exc)) from None


# The modules that register the checks each command runs (see toolcheck.checks.registry).
_CHECK_MODULES = {"run": ("toolcheck.checks.conformance", "toolcheck.scenarios._exec"),
                  "fuzz": ("toolcheck.checks.conformance", "toolcheck.fuzz.checks", "toolcheck.fuzz.authz")}


def load_checks(command: str | None = None) -> None:
    """Import what registers ``command``'s checks (every command's when None)."""
    import importlib

    names = _CHECK_MODULES.get(command, ()) if command else {m for ms in _CHECK_MODULES.values() for m in ms}
    for name in sorted(names):
        importlib.import_module(name)


def severity_levels(values: list[str], command: str) -> dict[str, Severity | None]:
    """``--severity CHECK=LEVEL`` (repeatable) → the explicit choices, validated against the registry."""
    from toolcheck.checks.registry import resolve_levels
    from toolcheck.errors import UsageError

    chosen: dict[str, str] = {}
    for item in values:
        name, sep, level = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--severity {item!r}: expected CHECK=off|warning|error.")
        chosen[name.strip()] = level.strip()
    load_checks(command)
    levels = resolve_levels(command, chosen)
    return {name: levels[name] for name in chosen}


SEVERITY_HELP = ("Per check CHECK=off|warning|error (repeatable; `toolcheck checks` lists them): "
                 "a warning is reported without failing the run.")

ALLOW_NETWORK = typer.Option(
    False, "--allow-network", help="Allow reading the spec or its external $refs over http(s)."
)


REF_ROOT = typer.Option(
    [], "--ref-root", metavar="DIR",
    help="Another folder whose files $refs may read (repeatable). By default only the spec's folder and the "
         "git work tree holding it are readable (docs/security.md).",
)


def ref_roots(folders: list[str]) -> tuple[str, ...]:
    """The --ref-root folders, each checked to be an existing directory."""
    import os

    from toolcheck.errors import UsageError

    for folder in folders:
        if not os.path.isdir(folder):
            raise UsageError(f"--ref-root {folder!r} is not a directory.")
    return tuple(folders)
# One vocabulary across commands (issue 17): `--format/-f` is the format of what is printed (or
# written with --out), `--out` a file written instead of stdout, `--reports DIR` the report
# directory, `--report-format LIST` which report files go there, `-o` is `--operation`.
# Old spellings still work, hidden from --help, with a warning naming the new one.
def renamed(old_value: object, old: str, new: str) -> bool:
    """Warn (on stderr) when a deprecated spelling was used; True when it was."""
    if old_value is None or old_value is False:
        return False
    from toolcheck.cli._console import err_console

    err_console().print(f"[yellow]warning:[/] {old} is deprecated: use {new} (same meaning).", soft_wrap=True,
                        highlight=False)
    return True
