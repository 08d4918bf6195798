"""Configuration text from a file or from ``git:REV:path``: settings a pull request must not choose.

``drift`` ignore files, ``lint``'s ``fail-on`` and rules, and ``policy`` settings decide whether a
CI check passes. Read from the pull request's own tree, the pull request could silence the check
that reviews it. ``--config git:origin/main:.toolcheck.yaml`` and ``--ignore-file
git:origin/main:.toolcheck-drift-ignore.yaml`` read them from the base branch instead (through
the same ``git show`` reader as ``git:`` specs, with its revision checks). See docs/security.md.
"""

from __future__ import annotations

from pathlib import Path

from toolcheck.errors import SpecLoadError, UsageError

MAX_CONFIG_BYTES = 2_000_000


def read_config_text(source: str | Path, what: str) -> tuple[str, str]:
    """The text of ``source`` (a path, or ``git:REV:path``) and how to name it in messages.

    Args:
        source: the file as given on the command line.
        what: what the file is, for messages ("config file", "ignore file").

    Raises:
        UsageError: missing, unreadable, larger than 2 MB or not UTF-8.
    """
    text = str(source)
    if text.startswith("git:"):
        from toolcheck.spec._sources import locate, read

        try:
            location = locate(text)
            raw = read(location, allow_network=False, max_bytes=MAX_CONFIG_BYTES)
        except SpecLoadError as exc:
            raise UsageError(f"cannot read the {what}: {exc.message}", location=text) from None
        display = location.display
    else:
        path = Path(text)
        try:
            if not path.is_file():
                raise UsageError(f"{what} {text} does not exist")
            if path.stat().st_size > MAX_CONFIG_BYTES:
                raise UsageError(f"the {what} is larger than {MAX_CONFIG_BYTES // 1_000_000} MB", location=text)
            raw = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read the {what}: {exc.strerror or exc}", location=text) from None
        display = text
    try:
        return raw.decode("utf-8"), display
    except UnicodeDecodeError:
        raise UsageError(f"the {what} is not UTF-8 text", location=display) from None


def config_name(source: str | Path) -> str:
    """The file name part of a path or ``git:REV:path`` (for choosing YAML or TOML)."""
    text = str(source)
    return Path(text.rsplit(":", 1)[-1] if text.startswith("git:") else text).name
