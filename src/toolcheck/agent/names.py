"""Tool and argument names that every LLM provider accepts.

Hand-written because the rules are tiny and provider-specific: OpenAI function names and
Anthropic tool names must match ``^[a-zA-Z0-9_-]{1,64}$`` (MCP allows more, but a name that
is valid everywhere lets one spec serve all three). Anthropic also restricts *property keys*
of ``input_schema`` to ``^[a-zA-Z0-9_.-]{1,64}$``, so argument names are sanitised the same way.

Sanitising can make two operationIds collide (``users.get`` and ``users-get`` both become
``users_get`` under a strict charset, or two 70-character ids sharing a 64-character prefix);
:func:`unique_names` resolves that deterministically and says which names collided, so
``toolcheck lint`` can report it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
ARG_PATTERN = re.compile(r"^[a-zA-Z0-9_.-]{1,64}$")
MAX_LENGTH = 64

_INVALID = re.compile(r"[^a-zA-Z0-9_-]+")
_INVALID_ARG = re.compile(r"[^a-zA-Z0-9_.-]+")
_REPEATS = re.compile(r"_{2,}")


def _shorten(name: str, limit: int) -> str:
    """Cut to ``limit`` characters, keeping a short hash of the whole so cuts stay distinct."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:6]
    return name[: limit - 7].rstrip("_-") + "_" + digest


def sanitize_name(raw: str, *, fallback: str = "tool") -> str:
    """Make ``raw`` valid for ``^[a-zA-Z0-9_-]{1,64}$``.

    Invalid runs become ``_``, repeated underscores collapse, and names over 64 characters are
    cut with a 6-hex-digit hash of the full name appended (so two long names that share a prefix
    stay distinct).
    """
    name = _REPEATS.sub("_", _INVALID.sub("_", raw)).strip("_")
    if not name:
        name = _REPEATS.sub("_", _INVALID.sub("_", fallback)).strip("_") or "tool"
    return _shorten(name, MAX_LENGTH)


def sanitize_arg(raw: str) -> str:
    """An input-schema property key valid for every provider (``^[a-zA-Z0-9_.-]{1,64}$``)."""
    name = _REPEATS.sub("_", _INVALID_ARG.sub("_", raw)).strip("_")
    return _shorten(name or "arg", MAX_LENGTH)


def unique_names(raws: Iterable[tuple[str, str]]) -> tuple[list[str], dict[str, list[str]]]:
    """Sanitise names and make them unique, in order.

    Args:
        raws: ``(wanted name, fallback)`` pairs, e.g. ``(operationId, "get /users/{id}")``.

    Returns:
        The final names (same order) and, for every sanitised name that more than one raw name
        mapped to, the raw names involved (for the ``name-collision`` lint rule).
    """
    final: list[str] = []
    taken: set[str] = set()
    sources: dict[str, list[str]] = {}
    for raw, fallback in raws:
        base = sanitize_name(raw, fallback=fallback)
        sources.setdefault(base, []).append(raw)
        name = base
        n = 2
        while name in taken:
            suffix = f"_{n}"
            name = base[: MAX_LENGTH - len(suffix)] + suffix
            n += 1
        taken.add(name)
        final.append(name)
    collisions = {k: v for k, v in sources.items() if len(v) > 1}
    return final, collisions
