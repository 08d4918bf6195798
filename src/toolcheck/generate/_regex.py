"""Generate a string that matches a regular expression (JSON Schema ``pattern``).

Hand-written rather than hypothesis's ``from_regex``: that strategy is built for shrinking and
costs milliseconds per draw, while the mock and the fuzzer need one value in microseconds. We
walk the tree of Python's own regex parser (``re._parser``), so every construct Python accepts
is understood; unbounded repeats are capped, look-arounds are ignored and every result is
verified with ``re.search`` before it is returned (JSON Schema patterns are unanchored, so a
full match always satisfies them).

The one generator behind both the mock (realistic, short values: ``spread=3``) and the fuzzer
(``minimal=True`` for the boundary phase, a wider ``spread`` for diverse lengths). It replaced
two parallel copies; on the 226 patterns of ``../shared/specs`` and the example spec it was the
faster (~32 against ~67 µs a draw) and the only one that satisfied all of them (conditional
groups ``(?(1)..|..)`` included).
"""

from __future__ import annotations

import importlib
import random
import re
import string
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from toolcheck.spec.patterns import PatternTimeout, compile_search

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
def _compile(pattern: str) -> tuple[Any, Callable[[str], bool]]:
    try:
        return _p.parse(pattern), compile_search(pattern)
    except (re.error, OverflowError, RecursionError, ValueError) as exc:
        raise RegexError(f"invalid pattern {pattern!r}: {exc}") from None


def string_from_regex(
    pattern: str,
    rng: random.Random,
    *,
    min_length: int = 0,
    max_length: int | None = None,
    attempts: int = 12,
    minimal: bool = False,
    spread: int = 3,
) -> str:
    """A string that ``re.search(pattern, s)`` accepts and whose length is in bounds.

    Args:
        pattern: the regular expression (Python syntax, as JSON Schema validators use it).
        rng: the seeded random source; the same seed gives the same string.
        min_length: the shortest acceptable result.
        max_length: the longest acceptable result (``None``: no limit).
        attempts: how many strings to try before giving up.
        minimal: the first attempt takes the low end of every repeat and the first branch of
            every alternation (the fuzzer's boundary values); later attempts draw at random.
        spread: how many repetitions an unbounded repeat (``*``, ``+``, ``{n,}``) may add to
            its minimum.

    Raises:
        RegexError: the pattern is invalid, or no matching string was found in ``attempts``.
    """
    tree, compiled = _compile(pattern)
    for attempt in range(attempts):
        # Later attempts aim at the length window by growing or shrinking unbounded repeats.
        grow = min_length > 0 and attempt >= 2
        walk = _Walk(rng, grow=grow, target=min_length, minimal=minimal and attempt == 0 and not grow, spread=spread)
        # Each later attempt stops growing one character earlier, for what follows the repeat
        # (`^[a-f]+\.json$` at exactly 40 characters: the repeat must stop at 35).
        walk.shrink = max(attempt - 2, 0)
        try:
            text = walk.emit(tree)
        except (RecursionError, IndexError, KeyError, ValueError):
            continue
        if len(text) < min_length or (max_length is not None and len(text) > max_length):
            continue
        try:  # bounded: RE2, else a time-limited search (a hostile pattern must not stall a draw)
            if compiled(text):
                return text
        except PatternTimeout:
            continue
    raise RegexError(f"no string found for pattern {pattern!r} within length {min_length}..{max_length}")


class _Walk:
    """One draw: the walk's settings and the text of the numbered groups seen so far."""

    __slots__ = ("emitted", "grow", "groups", "minimal", "rng", "shrink", "spread", "target")

    def __init__(self, rng: random.Random, *, grow: bool, target: int, minimal: bool, spread: int) -> None:
        self.rng = rng
        self.grow = grow
        self.target = target
        self.minimal = minimal
        self.spread = spread
        self.groups: dict[int, str] = {}
        self.emitted = 0  # characters produced so far by this draw
        self.shrink = 0

    def emit(self, tree: Any) -> str:
        step = self.counted if self.grow else self.node  # only growing needs the length so far
        return "".join([step(op, av) for op, av in tree])

    def counted(self, op: Any, av: Any) -> str:
        if op in _REPEATS or op is _c.SUBPATTERN or op is _c.BRANCH or op is _ATOMIC or op is _c.GROUPREF_EXISTS:
            return self.node(op, av)  # their characters are counted by the leaves they emit
        text = self.node(op, av)
        self.emitted += len(text)
        return text

    def node(self, op: Any, av: Any) -> str:
        rng = self.rng
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
            return self.emit(branches[0] if self.minimal else rng.choice(branches))
        if op is _c.SUBPATTERN:
            group, _add, _del, sub = av
            text = self.emit(sub)
            if group is not None:
                self.groups[group] = text
            return text
        if op in _REPEATS:
            lo, hi, sub = av
            if self.grow and (hi is _MAXREPEAT or hi >= 4096):
                # Repeat until the whole string reaches the length asked for (minLength).
                parts: list[str] = []
                while len(parts) < lo or (self.emitted < self.target - self.shrink and len(parts) < lo + 4096):
                    before = self.emitted
                    parts.append(self.emit(sub))
                    if self.emitted == before and len(parts) >= lo:
                        break  # the sub-pattern can be empty: more repeats add nothing
                return "".join(parts)
            if self.minimal:
                count = lo
            else:
                if hi is _MAXREPEAT or hi >= 4096:
                    hi = lo + (max(self.spread, self.target) if self.grow else self.spread)
                count = lo + int(rng.random() * (hi - lo + 1)) if not self.grow else hi
            return "".join([self.emit(sub) for _ in range(count)])
        if op is _c.GROUPREF:
            return self.groups.get(av, "")
        if op is _c.GROUPREF_EXISTS:
            group, yes, no = av
            branch = yes if group in self.groups else no
            return self.emit(branch) if branch is not None else ""
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            return ""
        if op is _ATOMIC:
            return self.emit(av)
        if op is _c.CATEGORY:
            return rng.choice(_CATEGORY_CHARS.get(av, _PRINTABLE))
        raise ValueError(f"unsupported regex node {op}")


_REPEATS = tuple(op for op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if op is not None)
_ATOMIC = getattr(_c, "ATOMIC_GROUP", object())


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


def linear_time(pattern: str) -> bool:
    """Can Python's backtracking engine match ``pattern`` without blowing up on short inputs?

    Catastrophic backtracking needs a repeat around something that can itself match in several
    ways: a nested repeat (``(a+)+``) or an alternation (``(a|ab)*``). A pattern with neither
    (or with only possessive/atomic inner parts) is safe to ``re.search`` with a spec's text.
    False for invalid patterns too: the caller must not run them.
    """
    try:
        tree, _compiled = _compile(pattern)
    except RegexError:
        return False

    def walk(items: Any, under_repeat: bool) -> bool:
        for op, av in items:
            if op in _REPEATS:
                low, high = av[0], av[1]
                if under_repeat and low != high:  # a fixed count ({2}) adds no ambiguity
                    return False
                # an optional part (?, {0,1}) is tried at most twice: only a real loop multiplies
                loops = high > 1 and op is not getattr(_c, "POSSESSIVE_REPEAT", None)
                if not walk(av[2], under_repeat or loops):
                    return False
            elif op is _c.BRANCH:
                if under_repeat:
                    return False
                if not all(walk(branch, False) for branch in av[1]):
                    return False
            elif op is _c.SUBPATTERN:
                if not walk(av[3], under_repeat):
                    return False
            elif op in (_c.ASSERT, _c.ASSERT_NOT):
                if not walk(av[1], under_repeat):
                    return False
            elif op is _c.GROUPREF_EXISTS:
                if under_repeat or not all(walk(b, False) for b in av[1:] if b is not None):
                    return False
            elif op is _ATOMIC:
                if not walk(av, False):
                    return False
        return True

    return walk(tree, False)
