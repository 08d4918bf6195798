"""Start-up and shutdown tricks, in one place, each with what it was measured to save.

Issue 11 asked that tricks saving less than a tenth of a measured benchmark go, and the others
live here with their reason. Measured on 2026-12-07 (a shared 2-core machine, load ~20; CPU =
user + system of the process, median of 15 interleaved runs of
``toolcheck run scenarios/customers.toolcheck.yaml --mock``, 366 ms with every trick):

* :func:`skip_httpx_cli`: 32 ms (9 %; 37 ms, 12 %, comparing the fastest runs). Kept.
* :func:`pause_collector` / :func:`end_startup` / :func:`before_exit` and :func:`gc_paused`
  together: 98 ms (27 %; 43 ms, 14 %, fastest runs). Kept. ``benchmarks/run_vs_peers.py
  --baseline`` against a tree without any of these: start-up CPU 0.207 s vs 0.400 s, the
  200-step Arazzo run 0.434 s vs 0.590 s.

Everything here is process-wide and only for a process started as ``toolcheck``
(``toolcheck.cli.main`` with no ``argv``), except :func:`gc_paused` (any spec load).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import types
from collections.abc import Iterator
from typing import Any

_paused = False  # pause_collector() paused the collector for a `run` process's start-up


def skip_httpx_cli() -> None:
    """Importing the ``httpx`` package also imports its own command line (click, pygments,
    rich.syntax: a third of httpx's import time). toolcheck never runs it, so the CLI process
    registers a stand-in first (before anything imports httpx). Opt out: TOOLCHECK_FULL_HTTPX=1."""
    if "httpx" in sys.modules or "httpx._main" in sys.modules or os.environ.get("TOOLCHECK_FULL_HTTPX"):
        return
    stand_in = types.ModuleType("httpx._main")

    def main(*args: Any, **kwargs: Any) -> None:
        raise SystemExit("the httpx command line is not loaded inside toolcheck (set TOOLCHECK_FULL_HTTPX=1)")

    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stand_in


def pause_collector() -> None:
    """``toolcheck run``'s start-up (imports, scenario and spec loading) runs with the cyclic
    collector paused until :func:`end_startup`: its passes over objects that live until exit
    find nothing to free."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def end_startup() -> None:
    """A command's start-up is over: its modules are imported and its inputs loaded.

    What start-up made is frozen (later passes skip it) and the collector resumes for the run
    itself. A no-op unless :func:`pause_collector` paused it."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def before_exit() -> None:
    """The process ends next: spare its last garbage collection the objects of the whole run.

    Interpreter shutdown runs full cyclic collections over every module, class and result only
    to free memory the OS takes back anyway. Frozen objects are skipped by them (cycles among
    them are left to the OS); atexit handlers still run, and the commands close their files and
    sockets themselves."""
    gc.freeze()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a spec's objects are made.

    A spec is a big acyclic tree built in one go: the collector's passes over it find nothing
    (13 % of a GitHub-spec load when measured, issue 2). Objects are still freed by reference
    counting meanwhile."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
