"""Writing reports to a directory, at the end of a run or incrementally while it runs.

:func:`write_reports` renders the chosen formats and writes each atomically. The
:class:`IncrementalReporter` rewrites the cheap formats (JSON, JUnit) after every finished suite,
so a run cut by Ctrl-C, a CI timeout or a crash still leaves valid files describing what
finished; ``finish``/``interrupt`` write everything (HTML and Markdown too).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from toolcheck.errors import UsageError
from toolcheck.redact import Redactor
from toolcheck.report._html import render_html
from toolcheck.report._io import atomic_write_text, ensure_directory
from toolcheck.report._json import json_document, json_suite_text, render_json
from toolcheck.report._junit import junit_document, junit_suite_xml, render_junit
from toolcheck.report._markdown import render_markdown
from toolcheck.report._sanitize import sanitize_result, sanitize_suite
from toolcheck.results import RunResult, SuiteResult

FILENAMES: dict[str, str] = {
    "html": "report.html",
    "junit": "junit.xml",
    "json": "report.json",
    "markdown": "summary.md",
    "junit-strict": "junit.xml",  # junit-10.xsd exactly: testcase properties go to <system-out>
}
DEFAULT_FORMATS: tuple[str, ...] = ("html", "junit", "json")
_CHEAP = ("json", "junit", "junit-strict")

_RENDERERS: dict[str, Callable[[RunResult], str]] = {
    "html": render_html,
    "junit": render_junit,
    "json": render_json,
    "markdown": render_markdown,
    "junit-strict": functools.partial(render_junit, strict=True),
}


def normalise_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """Validated, de-duplicated format names (``md`` and ``xml`` accepted as aliases).

    Raises:
        UsageError: an unknown format name.
    """
    aliases = {"md": "markdown", "xml": "junit", "htm": "html"}
    if isinstance(formats, str):  # "html,json" or "html": a string, not an iterable of names
        formats = [formats]
    out: list[str] = []
    for raw in formats:
        for part in str(raw).split(","):
            name = aliases.get(part.strip().lower(), part.strip().lower())
            if not name:
                continue
            if name not in FILENAMES:
                raise UsageError(f"unknown report format {part.strip()!r}; choose from {', '.join(FILENAMES)}")
            if name not in out:
                out.append(name)
    if "junit" in out and "junit-strict" in out:
        raise UsageError("choose one of the report formats 'junit' and 'junit-strict' (both write junit.xml)")
    return tuple(out)


def write_reports(
    result: RunResult,
    directory: str | Path,
    formats: Iterable[str] = DEFAULT_FORMATS,
    *,
    redactor: Redactor | None = None,
) -> dict[str, Path]:
    """Write ``report.html``, ``junit.xml``, ``report.json`` (and ``summary.md``) atomically.

    Args:
        result: the run to report.
        directory: created if missing.
        formats: any of ``html``, ``junit`` (or ``junit-strict``), ``json``, ``markdown``.
        redactor: the run's known secrets; secret-named headers and fields are masked anyway.

    Returns:
        The path written for each format.
    """
    chosen = normalise_formats(formats)
    target = ensure_directory(directory)
    return _write(target, chosen, sanitize_result(result, redactor), {})


def _write(target: Path, formats: tuple[str, ...], clean: RunResult, ready: dict[str, str]) -> dict[str, Path]:
    """Render the sanitised ``clean`` in each format (``ready`` holds texts already rendered)."""
    # Render everything before writing anything: a rendering bug leaves old files untouched.
    texts = {fmt: ready[fmt] if fmt in ready else _RENDERERS[fmt](clean) for fmt in formats}
    return {fmt: atomic_write_text(target / FILENAMES[fmt], text) for fmt, text in texts.items()}


class IncrementalReporter:
    """Keeps valid reports on disk while a run progresses.

    Args:
        directory: the report directory (created if missing).
        formats: the formats of the final reports.
        header: the run's facts (tool, title, command line, seed, started_at); its suites, if
            any, are kept as already finished.
        redactor: the run's known secrets (it may learn more while the run goes on).

    Thread-safe: parallel workers may call :meth:`add` concurrently; suites are reported in
    the order they finished unless ``order`` is given to :meth:`finish`.
    """

    def __init__(
        self,
        directory: str | Path,
        formats: Iterable[str] = DEFAULT_FORMATS,
        header: RunResult | None = None,
        *,
        redactor: Redactor | None = None,
    ) -> None:
        self.directory = ensure_directory(directory)
        self.formats = normalise_formats(formats)
        self.header = header or RunResult(tool="run", title="")
        self.redactor = redactor
        self._suites: list[SuiteResult] = list(self.header.suites)
        self._lock = threading.Lock()
        self._start = time.monotonic()
        self._done = False
        self._cache: list[tuple[SuiteResult, str, str]] = []
        self._generation = -1
        self.paths: dict[str, Path] = {}

    @property
    def suites(self) -> tuple[SuiteResult, ...]:
        """The suites reported so far."""
        with self._lock:
            return tuple(self._suites)

    def partial(self, *, interrupted: bool = True) -> RunResult:
        """The run as it stands: finished suites, elapsed time, ``interrupted`` as given."""
        with self._lock:
            suites = tuple(self._suites)
        duration = max(self.header.duration, time.monotonic() - self._start)
        return replace(self.header, suites=suites, duration=duration, interrupted=interrupted)

    def add(self, suite: SuiteResult) -> None:
        """Record a finished suite and rewrite the cheap formats (JSON, JUnit).

        Finished suites are redacted and serialised once and cached (re-done only if the
        redactor learnt a new secret), so each call costs about one suite, not the whole run.
        """
        with self._lock:
            if self._done:
                return
            self._suites.append(suite)
            cheap = [f for f in self.formats if f in _CHEAP]
            if cheap:
                self._write_partial(cheap)

    def _write_partial(self, cheap: list[str]) -> None:
        generation = self.redactor.generation if self.redactor is not None else 0
        if generation != self._generation:
            self._cache.clear()
            self._generation = generation
        # Marked interrupted until finish(): if the process dies now, that is the truth.
        header = sanitize_result(
            replace(self.header, suites=(), duration=time.monotonic() - self._start, interrupted=True),
            self.redactor,
        )
        junit = next((f for f in cheap if f.startswith("junit")), "")
        strict = junit == "junit-strict"
        for index in range(len(self._cache), len(self._suites)):
            clean = sanitize_suite(self._suites[index], self.redactor)
            self._cache.append((
                clean,
                json_suite_text(clean) if "json" in cheap else "",
                junit_suite_xml(header, clean, index, strict=strict) if junit else "",
            ))
        partial = replace(header, suites=tuple(c[0] for c in self._cache))
        target = self.directory
        if "json" in cheap:
            text = json_document(partial, [c[1] for c in self._cache])
            self.paths["json"] = atomic_write_text(target / FILENAMES["json"], text)
        if junit:
            text = junit_document(partial, [c[2] for c in self._cache], strict=strict)
            self.paths[junit] = atomic_write_text(target / FILENAMES[junit], text)

    def finish(self, result: RunResult) -> dict[str, Path]:
        """Write every format from the final result; later calls to add/interrupt do nothing."""
        with self._lock:
            self._done = True
            prepared = self._from_cache(result)
            if prepared is None:
                self.paths.update(write_reports(result, self.directory, self.formats, redactor=self.redactor))
            else:
                self.paths.update(_write(self.directory, self.formats, *prepared))
            return dict(self.paths)

    def _from_cache(self, result: RunResult) -> tuple[RunResult, dict[str, str]] | None:
        """``result`` sanitised, and its JSON text, from the suites :meth:`add` already sanitised
        and serialised (the same text write_reports would render); None when the redactor learnt
        a secret since, or a suite of ``result`` was never added."""
        generation = self.redactor.generation if self.redactor is not None else 0
        if generation != self._generation or len(self._cache) != len(self._suites):
            return None
        cached = {id(suite): entry for suite, entry in zip(self._suites, self._cache, strict=True)}
        entries = [cached.get(id(suite)) for suite in result.suites]
        if any(entry is None for entry in entries):
            return None
        done = [entry for entry in entries if entry is not None]
        clean = replace(sanitize_result(replace(result, suites=()), self.redactor), suites=tuple(e[0] for e in done))
        ready = {"json": json_document(clean, [e[1] for e in done])} if "json" in self.formats else {}
        return clean, ready

    def interrupt(self, result: RunResult | None = None) -> dict[str, Path]:
        """Write every format for what finished, with ``interrupted: true``.

        Args:
            result: the partial result if the caller has one; else the suites added so far.
        """
        partial = replace(result, interrupted=True) if result is not None else self.partial(interrupted=True)
        with self._lock:
            if self._done:
                return dict(self.paths)
            self._done = True
            self.paths.update(write_reports(partial, self.directory, self.formats, redactor=self.redactor))
            return dict(self.paths)
