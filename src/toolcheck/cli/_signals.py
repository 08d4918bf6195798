"""Ctrl-C and SIGTERM during a run: the first stops the work, the reports of what finished are
written whatever comes next.

A CI job cancelled from the web UI sends SIGTERM; a person at a terminal presses Ctrl-C twice.
Before issue 12 the second Ctrl-C landed in the middle of report writing and left no HTML, and
``fuzz`` died on SIGTERM without any report. Under :class:`InterruptGuard` the first SIGINT or
SIGTERM raises KeyboardInterrupt (the runners stop and keep what they have); the second is only
acknowledged while the reports are written; a third quits at once (exit 130) for a person who
would rather lose the reports than wait.
"""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType, TracebackType
from typing import Any

_FIRST = b"\ninterrupted: stopping; the reports of what finished will be written\n"
_SECOND = b"interrupted again: still writing the reports (once more to quit without them)\n"


class InterruptGuard:
    """Install the handlers for SIGINT and SIGTERM (main thread only; elsewhere a no-op)."""

    def __init__(self) -> None:
        self.count = 0
        self.deferring = False
        self._previous: dict[int, Any] = {}

    def defer(self) -> None:
        """The work is over, the reports are being written: no signal interrupts that any more."""
        self.deferring = True

    def __enter__(self) -> InterruptGuard:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        # os.write: a signal handler may interrupt a rich print; no buffered stream is reentrant.
        if self.count == 1 and not self.deferring:
            os.write(2, _FIRST)
            raise KeyboardInterrupt
        if self.count <= 2:
            os.write(2, _SECOND)
            return
        os._exit(130)

    @property
    def interrupted(self) -> bool:
        """A signal arrived (the work was stopped)."""
        return self.count > 0

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.count:
            # Interrupted, reports written: the process is on its way out with 130. A second Ctrl-C
            # a few ms late used to kill it by SIGINT (exit -2), even with a Python handler left in
            # place (interpreter shutdown); ignoring the signals at the C level holds to the end.
            for sig in self._previous:
                signal.signal(sig, signal.SIG_IGN)
            self._previous.clear()
            return
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous.clear()
