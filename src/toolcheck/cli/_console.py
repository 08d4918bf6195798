"""Rich consoles for the CLI, honouring NO_COLOR and non-terminal output.

Both consoles write through :class:`_CommandGuard`: in a GitHub Actions log every line that
starts (after blanks) with ``::`` is a workflow command (``::error``, ``::add-mask``,
``::stop-commands::``), and scenario names, spec text and API answers are attacker-controlled
on a pull request. toolcheck itself never starts a console line with ``::``, so the guard can
neutralise any that does; :func:`log_safe` additionally keeps user text on one line.
"""

from __future__ import annotations

import functools
import io
import os
import re
import sys
from typing import Any

from rich.console import Console

_COMMAND_START = re.compile(r"(?m)^([ \t]*)::")


def log_safe(text: object) -> str:
    """User text for one log line, escaped as GitHub's workflow commands escape data: CR →
    ``%0D``, LF → ``%0A`` (so it can never begin a line of its own) and then ``%`` → ``%25`` so
    the escape stays reversible (only in text that had a line break: a URL's ``%20`` stays
    readable otherwise); a leading ``::`` becomes ``%3A:``."""
    out = str(text)
    if "\r" in out or "\n" in out:
        out = out.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _neutralise(out)


def escape_line(text: object) -> str:
    """:func:`log_safe` text escaped for rich markup (``[x]`` prints, not styles)."""
    from rich.markup import escape

    return escape(log_safe(text))


def _neutralise(text: str) -> str:
    # `##[` is the runner's older (v1) command prefix, recognised anywhere in a line.
    return _COMMAND_START.sub(lambda m: m.group(1) + "%3A:", text).replace("##[", "#%23[")


class _CommandGuard(io.TextIOBase):
    """A text stream in front of sys.stdout/sys.stderr (looked up at each write, so captured
    streams keep working) that never lets a line start with a workflow command."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._line_start = True

    @property
    def _stream(self) -> Any:
        return getattr(sys, self._name)

    def write(self, text: str) -> int:
        guarded = _neutralise(text) if self._line_start else _neutralise_rest(text)
        if text:
            self._line_start = text.endswith("\n")
        self._stream.write(guarded)
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return bool(self._stream.isatty())

    def fileno(self) -> int:
        return int(self._stream.fileno())

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self._stream, "encoding", "utf-8") or "utf-8")

    def writable(self) -> bool:
        return True


def _neutralise_rest(text: str) -> str:
    # Mid-line: the first line continues what was written before; only later lines can start.
    head, sep, rest = text.partition("\n")
    return head.replace("##[", "#%23[") + sep + (_neutralise(rest) if sep else "")


# A CI log has no width: rich's 80-column default for a non-terminal split suggested commands
# and paths over lines, which then cannot be copied (issue 17). Without a terminal (and without
# an explicit COLUMNS), every line prints whole.
_LOG_WIDTH = 4096


def _layout(stream: Any) -> dict[str, Any]:
    try:
        tty = bool(stream.isatty())
    except (AttributeError, ValueError):
        tty = False
    if tty or os.environ.get("COLUMNS"):
        return {}
    return {"width": _LOG_WIDTH, "soft_wrap": True}


def console() -> Console:
    # keyed on the layout: an in-process caller (tests, the pytest plugin) may change COLUMNS
    # or the stream between commands
    return _console("stdout", tuple(sorted(_layout(sys.stdout).items())), os.environ.get("COLUMNS"))


def err_console() -> Console:
    return _console("stderr", tuple(sorted(_layout(sys.stderr).items())), os.environ.get("COLUMNS"))


@functools.lru_cache(maxsize=8)
def _console(name: str, layout: tuple[tuple[str, Any], ...], columns: str | None) -> Console:
    # "file.yaml:100:" is not an emoji; the guard is a TextIOBase, the IO[str] rich asks for
    return Console(file=_CommandGuard(name), highlight=False, emoji=False, **dict(layout))  # type: ignore[arg-type]
