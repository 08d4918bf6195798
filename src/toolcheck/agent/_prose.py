"""Argument descriptions cut to a budget at sentence boundaries.

A tool list is paid for on every turn of an agent's conversation, and some specs put developer
reference prose on single parameters (1–2 KB on each of a search API's client headers: how to
persist a client id, a dozen example user-agent strings). The model needs what the argument is
and how to fill it, which specs say first; the rest stays in the spec and the cut is recorded in
the tool's notes (``toolcheck tools --notes``).
"""

from __future__ import annotations

import re
from typing import Any

ARG_DESCRIPTION_MAX = 1024  # characters per argument description: OpenAI's budget for a whole function's
ELLIPSIS = " …"
# A sentence ends at . ! or ? followed by white space, or at a line break (lists, paragraphs).
# Linear: a fixed look-behind, then one greedy run.
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\n\s*")
# Keys whose values are data, not schemas: a property may be called "description".
_VALUES = frozenset({"enum", "const", "default", "examples", "example", "required"})
# Keywords whose values map names to schemas (a tool schema's; tools.py walks the same ones).
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})


def cut_prose(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else its leading whole sentences (a word
    boundary when the first sentence alone is too long) and `` …`` to say that more exists."""
    if len(text) <= limit:
        return text
    room = max(limit - len(ELLIPSIS), 1)
    kept = ""
    for boundary in _BOUNDARY.finditer(text, 0, room + 1):
        kept = text[: boundary.start()]
    if len(kept) < room // 3:  # one long sentence: cut it between words
        kept = text[:room]
        space = kept.rfind(" ")
        if space > room // 2:
            kept = kept[:space]
    return kept.rstrip() + ELLIPSIS


def cap_descriptions(schema: Any, limit: int, cut: list[tuple[str, int]], where: str = "", depth: int = 0) -> Any:
    """``schema`` with every ``description`` longer than ``limit`` cut by :func:`cut_prose`,
    at every level (nested body members are arguments too); ``cut`` gets the path of each
    (``item.tags``) and its length before the cut."""
    if depth > 256 or limit <= 0:
        return schema
    if isinstance(schema, list):
        return [cap_descriptions(s, limit, cut, where, depth + 1) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: cap_descriptions(sub, limit, cut, f"{where}.{name}" if where else str(name), depth + 1)
                        for name, sub in value.items()}
        elif key == "description" and isinstance(value, str) and len(value) > limit:
            out[key] = cut_prose(value, limit)
            cut.append((where or "(root)", len(value)))
        elif key in _VALUES:
            out[key] = value
        else:
            out[key] = cap_descriptions(value, limit, cut, where, depth + 1)
    return out
