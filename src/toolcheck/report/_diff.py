"""A small structural JSON diff for "expected vs actual" (hand-written, no dependency).

It lists the paths (JSON Pointers, RFC 6901) that were added, removed or changed, which is what a
person needs to read a failed assertion; arrays are compared index by index (a move shows as
changes, which is honest about what the API returned). Bounded: at most ``limit`` entries and
``max_depth`` levels, so a hostile or huge body cannot stall a report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"


@dataclass(frozen=True)
class DiffEntry:
    """One difference: ``op`` is added/removed/changed at ``path`` (a JSON Pointer)."""

    op: str
    path: str
    expected: Any = None
    actual: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "path": self.path, "expected": self.expected, "actual": self.actual}


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _same(a: Any, b: Any) -> bool:
    # 1 and 1.0 are the same JSON number; True and 1 are not the same JSON value.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def json_diff(expected: Any, actual: Any, *, limit: int = 200, max_depth: int = 64) -> list[DiffEntry]:
    """Structural differences from ``expected`` to ``actual``.

    Args:
        expected: what the test expected (any JSON value).
        actual: what the API returned.
        limit: stop after this many entries.
        max_depth: compare deeper values as wholes.

    Returns:
        Entries in document order; empty when the values are equal.
    """
    out: list[DiffEntry] = []

    def walk(a: Any, b: Any, path: str, depth: int) -> None:
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict) and depth < max_depth:
            for key in a:
                if len(out) >= limit:
                    return
                sub = f"{path}/{_escape(str(key))}"
                if key not in b:
                    out.append(DiffEntry(REMOVED, sub, expected=a[key]))
                else:
                    walk(a[key], b[key], sub, depth + 1)
            for key in b:
                if key not in a and len(out) < limit:
                    out.append(DiffEntry(ADDED, f"{path}/{_escape(str(key))}", actual=b[key]))
            return
        if isinstance(a, list) and isinstance(b, list) and depth < max_depth:
            for i in range(max(len(a), len(b))):
                if len(out) >= limit:
                    return
                sub = f"{path}/{i}"
                if i >= len(b):
                    out.append(DiffEntry(REMOVED, sub, expected=a[i]))
                elif i >= len(a):
                    out.append(DiffEntry(ADDED, sub, actual=b[i]))
                else:
                    walk(a[i], b[i], sub, depth + 1)
            return
        if not _same(a, b):
            out.append(DiffEntry(CHANGED, path, expected=a, actual=b))

    walk(expected, actual, "", 0)
    return out


def _short(value: Any, limit: int) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def format_diff(entries: list[DiffEntry], *, limit: int = 120) -> list[str]:
    """One line per entry: ``+ /path: value``, ``- /path: value``, ``~ /path: old → new``."""
    lines = []
    for e in entries:
        where = e.path or "(root)"
        if e.op == ADDED:
            lines.append(f"+ {where}: {_short(e.actual, limit)}")
        elif e.op == REMOVED:
            lines.append(f"- {where}: {_short(e.expected, limit)}")
        else:
            lines.append(f"~ {where}: {_short(e.expected, limit)} → {_short(e.actual, limit)}")
    return lines
