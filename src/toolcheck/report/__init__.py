"""Shared reporters: HTML, JUnit XML, JSON and Markdown from one :class:`~toolcheck.results.RunResult`.

Every command that reports (run, fuzz, drift, policy, proxy) builds a RunResult and calls
:func:`write_reports` (or, while running, an :class:`IncrementalReporter`). Secrets are redacted
again here (defence in depth, see ``_sanitize``); files are written atomically.

    from toolcheck.report import write_reports
    paths = write_reports(result, "reports", ("html", "junit", "json"), redactor=redactor)
"""

from __future__ import annotations

from toolcheck.report._diff import DiffEntry, format_diff, json_diff
from toolcheck.report._html import render_html
from toolcheck.report._io import atomic_write_text, ensure_directory
from toolcheck.report._json import load_json_report, merge_results, parse_json_report, render_json
from toolcheck.report._junit import render_junit
from toolcheck.report._markdown import md_escape, render_markdown
from toolcheck.report._sanitize import sanitize_result, sanitize_suite
from toolcheck.report._text import failure_text
from toolcheck.report._writer import (
    DEFAULT_FORMATS,
    FILENAMES,
    IncrementalReporter,
    normalise_formats,
    write_reports,
)

__all__ = [
    "DEFAULT_FORMATS",
    "FILENAMES",
    "DiffEntry",
    "IncrementalReporter",
    "atomic_write_text",
    "ensure_directory",
    "failure_text",
    "format_diff",
    "json_diff",
    "load_json_report",
    "md_escape",
    "merge_results",
    "normalise_formats",
    "parse_json_report",
    "render_html",
    "render_json",
    "render_junit",
    "render_markdown",
    "sanitize_result",
    "sanitize_suite",
    "write_reports",
]
