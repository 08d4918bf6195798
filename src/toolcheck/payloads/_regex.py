"""Strings that match a regular expression, drawn from Python's own regex parser.

Hand-written because ``pattern`` is on nearly every id in agent-tool specs and the generic
route (hypothesis ``from_regex``) costs milliseconds per draw. Walks the ``re._parser`` tree;
the caller always re-checks the result with ``re.search`` and falls back when it fails
(lookarounds, backreferences and other rare constructs are not modelled).
"""

from __future__ import annotations

import random
import re
import string
from functools import lru_cache
from typing import Any

try:  # Python 3.11+
    import re._constants as _c
    import re._parser as _p
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c
    import sre_parse as _p

_ALPHABET = string.ascii_letters + string.digits + "_-"
_CATEGORY = {
    _c.CATEGORY_DIGIT: string.digits,
    _c.CATEGORY_NOT_DIGIT: string.ascii_letters + "_-",
    _c.CATEGORY_SPACE: " ",
    _c.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
    _c.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    _c.CATEGORY_NOT_WORD: "-.!@ ",
}
_MAX_REPEAT_EXTRA = 8


@lru_cache(maxsize=2048)
def _parse(pattern: str) -> Any:
    return _p.parse(pattern)


@lru_cache(maxsize=2048)
def compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


def matches(pattern: str, value: str) -> bool:
    rx = compiled(pattern)
    return rx is None or rx.search(value) is not None


def generate(pattern: str, rng: random.Random, *, minimal: bool = False) -> str | None:
    """A string matching ``pattern`` (``re.search`` semantics), or ``None`` if not found."""
    try:
        tree = _parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None
    for _ in range(4):
        try:
            out = _emit(tree, rng, minimal, {}, 0)
        except (_Unsupported, RecursionError):
            return None
        if matches(pattern, out):
            return out
        minimal = False
    return None


class _Unsupported(Exception):
    pass


def _emit(items: Any, rng: random.Random, minimal: bool, groups: dict[int, str], depth: int) -> str:
    if depth > 40:
        raise _Unsupported
    parts: list[str] = []
    for op, av in items:
        parts.append(_one(op, av, rng, minimal, groups, depth))
    return "".join(parts)


def _one(op: Any, av: Any, rng: random.Random, minimal: bool, groups: dict[int, str], depth: int) -> str:
    if op is _c.LITERAL:
        return chr(av)
    if op is _c.NOT_LITERAL:
        choices = [ch for ch in _ALPHABET if ord(ch) != av]
        return rng.choice(choices)
    if op is _c.ANY:
        return rng.choice(_ALPHABET)
    if op is _c.IN:
        return _in(av, rng)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        lo, hi, sub = av
        if minimal:
            count = lo
        else:
            top = lo + _MAX_REPEAT_EXTRA if hi is _c.MAXREPEAT or hi > lo + _MAX_REPEAT_EXTRA else hi
            count = rng.randint(lo, top)
        return "".join(_emit(sub, rng, minimal, groups, depth + 1) for _ in range(count))
    if op is _c.SUBPATTERN:
        group, _add, _del, sub = av
        text = _emit(sub, rng, minimal, groups, depth + 1)
        if group is not None:
            groups[group] = text
        return text
    if op is _c.BRANCH:
        _, branches = av
        branch = branches[0] if minimal else rng.choice(branches)
        return _emit(branch, rng, minimal, groups, depth + 1)
    if op is _c.AT or op in (_c.ASSERT, _c.ASSERT_NOT):
        return ""  # anchors and lookarounds emit nothing; the final re.search decides
    if op is _c.GROUPREF:
        return groups.get(av, "")
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _emit(av, rng, minimal, groups, depth + 1)
    raise _Unsupported


def _in(items: Any, rng: random.Random) -> str:
    negate = False
    pool: list[str] = []
    for op, av in items:
        if op is _c.NEGATE:
            negate = True
        elif op is _c.LITERAL:
            pool.append(chr(av))
        elif op is _c.RANGE:
            lo, hi = av
            hi = min(hi, lo + 400)
            pool.extend(chr(i) for i in range(lo, hi + 1))
        elif op is _c.CATEGORY:
            pool.extend(_CATEGORY.get(av, "a"))
        else:
            raise _Unsupported
    if negate:
        banned = set(pool)
        choices = [ch for ch in _ALPHABET if ch not in banned]
        if not choices:
            raise _Unsupported
        return rng.choice(choices)
    if not pool:
        raise _Unsupported
    return rng.choice(pool)
