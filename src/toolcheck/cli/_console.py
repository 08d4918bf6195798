"""Rich consoles for the CLI, honouring NO_COLOR and non-terminal output."""

from __future__ import annotations

import functools

from rich.console import Console


@functools.lru_cache(maxsize=1)
def console() -> Console:
    return Console(highlight=False, emoji=False)  # "file.yaml:100:" is not an emoji


@functools.lru_cache(maxsize=1)
def err_console() -> Console:
    return Console(stderr=True, highlight=False, emoji=False)
