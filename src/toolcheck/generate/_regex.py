"""Generate a string that matches a regular expression (JSON Schema ``pattern``).

Hand-written rather than hypothesis's ``from_regex``: that strategy is built for shrinking and
costs milliseconds per draw, while the mock needs one value in microseconds. We walk the tree
of Python's own regex parser (``re._parser``), so every construct Python accepts is understood;
unbounded repeats are capped, look-arounds are ignored and the caller verifies the result with
``re.search`` (JSON Schema patterns are unanchored, so a full match always satisfies them).
"""

from __future__ import annotations

import importlib
import random
import re
import string
from functools import lru_cache
from typing import Any

_c: Any
_p: Any
try:  # Python 3.11+ moved the parser under re; 3.10 has the sre_* modules
    _c = importlib.import_module("re._constants")
    _p = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - Python 3.10
    _c = importlib.import_module("sre_constants")
    _p = importlib.import_module("sre_parse")

_MAXREPEAT = _c.MAXREPEAT
_PRINTABLE = string.ascii_letters + string.digits
_CATEGORY_CHARS = {
    _c.CATEGORY_DIGIT: string.digits,
    _c.CATEGORY_NOT_DIGIT: string.ascii_letters + "_-",
    _c.CATEGORY_SPACE: " ",
    _c.CATEGORY_NOT_SPACE: _PRINTABLE,
    _c.CATEGORY_WORD: _PRINTABLE + "_",
    _c.CATEGORY_NOT_WORD: "-. ",
}
_NEG_POOL = string.ascii_letters + string.digits + "_-.:/@"


class RegexError(ValueError):
    """The pattern cannot be compiled or no matching string was found."""


@lru_cache(maxsize=2048)
def _compile(pattern: str) -> tuple[Any, re.Pattern[str]]:
    try:
        return _p.parse(pattern), re.compile(pattern)
    except (re.error, OverflowError, RecursionError, ValueError) as exc:
        raise RegexError(f"invalid pattern {pattern!r}: {exc}") from None


def pattern_compiles(pattern: str) -> bool:
    try:
        _compile(pattern)
    except RegexError:
        return False
    return True


def string_from_regex(
    pattern: str,
    rng: random.Random,
    *,
    min_length: int = 0,
    max_length: int | None = None,
    attempts: int = 12,
) -> str:
    """A string that ``re.search(pattern, s)`` accepts and whose length is in bounds.

    Raises:
        RegexError: the pattern is invalid, or no matching string was found in ``attempts``.
    """
    tree, compiled = _compile(pattern)
    for attempt in range(attempts):
        # Later attempts aim at the length window by growing or shrinking unbounded repeats.
        grow = min_length > 0 and attempt >= 2
        groups: dict[int, str] = {}
        try:
            text = _emit(tree, rng, groups, grow=grow, target=min_length)
        except (RecursionError, IndexError, KeyError, ValueError):
            continue
        if len(text) < min_length or (max_length is not None and len(text) > max_length):
            continue
        if compiled.search(text) is not None:
            return text
    raise RegexError(f"no string found for pattern {pattern!r} within length {min_length}..{max_length}")


def _emit(tree: Any, rng: random.Random, groups: dict[int, str], *, grow: bool, target: int) -> str:
    out: list[str] = []
    for op, av in tree:
        out.append(_node(op, av, rng, groups, grow=grow, target=target))
    return "".join(out)


def _node(op: Any, av: Any, rng: random.Random, groups: dict[int, str], *, grow: bool, target: int) -> str:
    if op is _c.LITERAL:
        return chr(av)
    if op is _c.NOT_LITERAL:
        pool = [ch for ch in _NEG_POOL if ord(ch) != av]
        return rng.choice(pool)
    if op is _c.ANY:
        return rng.choice(_PRINTABLE)
    if op is _c.IN:
        return _charset(av, rng)
    if op is _c.BRANCH:
        _, branches = av
        return _emit(rng.choice(branches), rng, groups, grow=grow, target=target)
    if op is _c.SUBPATTERN:
        group, _add, _del, sub = av
        text = _emit(sub, rng, groups, grow=grow, target=target)
        if group is not None:
            groups[group] = text
        return text
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        lo, hi, sub = av
        if hi is _MAXREPEAT or hi >= 4096:
            hi = lo + (max(3, target) if grow else 3)
        count = lo + int(rng.random() * (hi - lo + 1)) if not grow else hi
        return "".join(_emit(sub, rng, groups, grow=grow, target=target) for _ in range(count))
    if op is _c.GROUPREF:
        return groups.get(av, "")
    if op is _c.GROUPREF_EXISTS:
        group, yes, no = av
        branch = yes if group in groups else no
        return _emit(branch, rng, groups, grow=grow, target=target) if branch is not None else ""
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return ""
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _emit(av, rng, groups, grow=grow, target=target)
    if op is _c.CATEGORY:
        return rng.choice(_CATEGORY_CHARS.get(av, _PRINTABLE))
    raise ValueError(f"unsupported regex node {op}")


_POOLS: dict[int, tuple[Any, str]] = {}


def _pool(items: list[tuple[Any, Any]]) -> str | None:
    """All characters a class offers (printable part of ranges), memoised per parsed class."""
    hit = _POOLS.get(id(items))
    if hit is not None and hit[0] is items:
        return hit[1]
    chars: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            chars.append(chr(av))
        elif op is _c.RANGE:
            lo, hi = av
            if lo <= 0x7E and hi >= 0x21:
                lo, hi = max(lo, 0x21), min(hi, 0x7E)
            if hi - lo > 512:
                return None
            chars.extend(chr(c) for c in range(lo, hi + 1))
        elif op is _c.CATEGORY:
            chars.extend(_CATEGORY_CHARS.get(av, _PRINTABLE))
        else:
            return None
    pool = "".join(dict.fromkeys(chars))
    if len(_POOLS) < 4096:
        _POOLS[id(items)] = (items, pool)
    return pool or None


def _charset(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    negate = bool(items) and items[0][0] is _c.NEGATE
    if not negate:
        pool = _pool(items)
        if pool is not None:
            return pool[int(rng.random() * len(pool))]
    if negate:
        allowed = [ch for ch in _NEG_POOL if not _in_set(ch, items[1:])]
        return rng.choice(allowed or ["\u00e9"])
    # Pick one alternative of the class, then one character of it.
    op, av = rng.choice(items)
    if op is _c.LITERAL:
        return chr(av)
    if op is _c.RANGE:
        lo, hi = av
        # Stay printable where the range allows it.
        if lo <= 0x7E and hi >= 0x21:
            lo, hi = max(lo, 0x21), min(hi, 0x7E)
        return chr(rng.randint(lo, hi))
    if op is _c.CATEGORY:
        return rng.choice(_CATEGORY_CHARS.get(av, _PRINTABLE))
    raise ValueError(f"unsupported class item {op}")


def _in_set(ch: str, items: list[tuple[Any, Any]]) -> bool:
    code = ord(ch)
    for op, av in items:
        if op is _c.LITERAL and code == av:
            return True
        if op is _c.RANGE and av[0] <= code <= av[1]:
            return True
        if op is _c.CATEGORY and ch in _CATEGORY_CHARS.get(av, "") and av in (
            _c.CATEGORY_DIGIT, _c.CATEGORY_WORD, _c.CATEGORY_SPACE,
        ):
            return True
        if op is _c.CATEGORY and av in (_c.CATEGORY_NOT_DIGIT, _c.CATEGORY_NOT_WORD, _c.CATEGORY_NOT_SPACE):
            positive = {
                _c.CATEGORY_NOT_DIGIT: string.digits,
                _c.CATEGORY_NOT_WORD: _PRINTABLE + "_",
                _c.CATEGORY_NOT_SPACE: " \t\n\r",
            }[av]
            if ch not in positive:
                return True
    return False
