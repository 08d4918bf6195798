"""Plain-text helpers shared by the JUnit, Markdown and HTML reporters.

Hand-written: truncation, XML-safe text and the plain-text failure narrative (expected vs actual,
diff, violations) that CI systems show next to a failed JUnit test case.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

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


def failure_text(message: str, details: Mapping[str, Any], *, limit: int = 4000) -> str:
    """The plain-text story of a failed case: message, expected/actual, diff, violations, repro."""
    lines: list[str] = []
    if message:
        lines.append(message)
    if "expected" in details or "actual" in details:
        lines.append(f"expected: {dump(details.get('expected'), indent=None, limit=limit, quote=True)}")
        lines.append(f"actual:   {dump(details.get('actual'), indent=None, limit=limit, quote=True)}")
        if "expected" in details and "actual" in details:
            diff = json_diff(details.get("expected"), details.get("actual"))
            if diff and not (len(diff) == 1 and diff[0].path == ""):
                lines.append("diff:")
                lines.extend(f"  {line}" for line in format_diff(diff, limit=200))
    for key, label in (("before", "before"), ("after", "after")):
        if key in details:
            lines.append(f"{label}: {dump(details[key], indent=None, limit=limit, quote=True)}")
    violations = details.get("violations")
    if isinstance(violations, list) and violations:
        lines.append("violations:")
        for v in violations[:50]:
            if isinstance(v, Mapping):
                where = f" at {v.get('pointer')}" if v.get("pointer") not in (None, "") else ""
                check = f"[{v.get('check')}] " if v.get("check") else ""
                lines.append(f"  - {check}{v.get('message', '')}{where}")
            else:
                lines.append(f"  - {v}")
        if len(violations) > 50:
            lines.append(f"  … and {len(violations) - 50} more")
    for key in ("location", "hint"):
        if details.get(key):
            lines.append(f"{key}: {details[key]}")
    request = details.get("request")
    if isinstance(request, Mapping) and (request.get("method") or request.get("url")):
        lines.append(f"request: {request.get('method', '')} {request.get('url', '')}".rstrip())
    response = details.get("response")
    if isinstance(response, Mapping) and response.get("status") is not None:
        lines.append(f"response: {response.get('status')}")
    attempts = details.get("attempts")
    if isinstance(attempts, list) and attempts:
        lines.append(f"attempts: {len(attempts)}")
    if details.get("curl"):
        lines.append(f"reproduce: {details['curl']}")
    if details.get("replay"):
        lines.append(f"replay: {details['replay']}")
    return truncate("\n".join(lines), limit * 4)
