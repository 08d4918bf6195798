"""Plain-text helpers shared by the JUnit, Markdown and HTML reporters.

Hand-written: truncation, XML-safe text and the plain-text failure narrative (expected vs actual,
diff, violations) that CI systems show next to a failed JUnit test case.
"""

from __future__ import annotations

import json
import re
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.details import Details, null
from toolcheck.report._diff import format_diff, json_diff

# XML 1.0 §2.2 Char: fuzz payloads carry NULs and other controls that would make JUnit unparsable.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """Replace characters XML 1.0 cannot carry with U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters, saying how much was left out."""
    if limit <= 0 or len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def dump(value: Any, *, indent: int | None = 2, limit: int = 0, quote: bool = False) -> str:
    """JSON text of ``value``, optionally truncated.

    Strings are shown as they are unless ``quote`` (for expected vs actual, where ``"1"`` and
    ``1`` must look different).
    """
    if isinstance(value, str) and not quote:
        text = value
    else:
        try:
            text = json.dumps(value, indent=indent, ensure_ascii=False, sort_keys=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    return truncate(text, limit)


def failure_text(message: str, details: Details, *, limit: int = 4000) -> str:
    """The plain-text story of a failed case: message, expected/actual, diff, violations, repro."""
    lines: list[str] = []
    if message:
        lines.append(message)
    expected, actual = null(details.expected), null(details.actual)
    if details.has_expectation:
        lines.append(f"expected: {dump(expected, indent=None, limit=limit, quote=True)}")
        lines.append(f"actual:   {dump(actual, indent=None, limit=limit, quote=True)}")
        if details.expected is not ABSENT and details.actual is not ABSENT:
            diff = json_diff(expected, actual)
            if diff and not (len(diff) == 1 and diff[0].path == ""):
                lines.append("diff:")
                lines.extend(f"  {line}" for line in format_diff(diff, limit=200))
    if details.before is not ABSENT:
        lines.append(f"before: {dump(details.before, indent=None, limit=limit, quote=True)}")
    if details.after is not ABSENT:
        lines.append(f"after: {dump(details.after, indent=None, limit=limit, quote=True)}")
    violations = details.violations or ()
    if violations:
        lines.append("violations:")
        for v in violations[:50]:
            where = f" at {v.pointer}" if v.pointer else ""
            check = f"[{v.check}] " if v.check else ""
            lines.append(f"  - {check}{v.message}{where}")
        if len(violations) > 50:
            lines.append(f"  … and {len(violations) - 50} more")
    if details.location:
        lines.append(f"location: {details.location}")
    if details.hint:
        lines.append(f"hint: {details.hint}")
    request = details.request
    if request is not None and (request.method or request.url):
        lines.append(f"request: {request.method} {request.url}".rstrip())
    if details.response is not None and details.response.status is not None:
        lines.append(f"response: {details.response.status}")
    if details.attempts:
        lines.append(f"attempts: {len(details.attempts)}")
    if details.curl:
        lines.append(f"reproduce: {details.curl}")
    if details.replay:
        lines.append(f"replay: {details.replay}")
    return truncate("\n".join(lines), limit * 4)
