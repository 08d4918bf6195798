"""Regular expressions from untrusted files, matched in linear time.

A scenario's ``matches:`` (and an Arazzo ``regex`` criterion) comes from a pull request; Python's
backtracking ``re`` takes exponential time on ``^(a+)+$``, so one line of YAML could hold a CI
job for hours. Patterns run on RE2 (``google-re2``), whose matching time is linear in the text,
the choice Hurl makes with Rust's ``regex`` crate. RE2 has no backreferences or lookaround: such
a pattern is refused with a clear message instead of silently running on a backtracking engine.

Where the RE2 wheel is not installed, the fallback is Python's ``re`` in ASCII mode (RE2's
``\\d``/``\\w``/``\\b`` are ASCII) restricted to patterns that cannot backtrack badly: no
backreference, no lookaround, no quantified group holding another quantifier or an alternation.
A pattern either engine accepts gives the same answers on both.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["RegexError", "compile_safe", "search"]


class RegexError(ValueError):
    """A pattern that is invalid, or needs a backtracking construct (backreference, lookaround)."""


try:  # pragma: no cover - which branch runs depends on the platform's wheels
    import re2 as _re2
except ImportError:  # pragma: no cover
    _re2 = None

ENGINE = "re2" if _re2 is not None else "re (restricted)"


@functools.lru_cache(maxsize=1024)
def compile_safe(pattern: str) -> Any:
    """Compile ``pattern`` for linear-time search (cached).

    Raises:
        RegexError: the pattern is invalid or uses a construct without a linear-time match.
    """
    try:
        re.compile(pattern)
    except re.error as exc:
        raise RegexError(f"not a valid regular expression: {exc}") from None
    if _re2 is not None:
        options = _re2.Options()
        options.log_errors = False  # RE2 would print its own parse errors on stderr
        try:
            return _re2.compile(pattern, options)
        except Exception as exc:  # re2.error
            raise RegexError(_refusal(pattern, str(exc))) from None
    _check_restricted(pattern)  # pragma: no cover - fallback without the RE2 wheel
    return re.compile(pattern, re.ASCII)  # pragma: no cover


def search(pattern: str, text: str) -> bool:
    """Does ``pattern`` match somewhere in ``text``? Linear in ``len(text)``.

    Raises:
        RegexError: see :func:`compile_safe`.
    """
    return compile_safe(pattern).search(text) is not None


def _refusal(pattern: str, why: str) -> str:
    construct = ("a backreference" if re.search(r"\\[1-9]|\(\?P=", pattern) else
                 "a lookahead or lookbehind" if re.search(r"\(\?<?[=!]", pattern) else "a construct RE2 lacks")
    return (f"the regular expression {pattern[:80]!r} uses {construct} ({why.strip()}); toolcheck matches "
            "patterns from scenario files in linear time (RE2 syntax, as Hurl does), which has no backtracking "
            "features: rewrite it without them")


# -- fallback: refuse what makes Python's backtracking engine blow up ------------------------------

def _check_restricted(pattern: str) -> None:  # pragma: no cover - exercised only without RE2
    parser, _constants = _sre_modules()
    try:
        tree = parser.parse(pattern)
    except Exception as exc:
        raise RegexError(f"not a valid regular expression: {exc}") from None
    _walk(tree, pattern, inside_repeat=False)


def _sre_modules() -> tuple[Any, Any]:  # pragma: no cover
    try:
        from re import _constants, _parser  # Python >= 3.11
    except ImportError:
        import sre_constants as _constants  # Python 3.10
        import sre_parse as _parser
    return _parser, _constants


def _walk(items: Any, pattern: str, *, inside_repeat: bool) -> None:  # pragma: no cover
    _parser, c = _sre_modules()
    for op, av in items:
        if op in (c.GROUPREF, c.GROUPREF_EXISTS):
            raise RegexError(_refusal(pattern, "backreference"))
        if op in (c.ASSERT, c.ASSERT_NOT):
            raise RegexError(_refusal(pattern, "lookaround"))
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, high, sub = av
            repeats = high is c.MAXREPEAT or high > 1
            if repeats and inside_repeat:
                raise RegexError(f"the regular expression {pattern[:80]!r} nests quantifiers; without RE2 "
                                 "(pip install google-re2) toolcheck refuses patterns that can backtrack exponentially")
            _walk(sub, pattern, inside_repeat=inside_repeat or repeats)
        elif op is c.SUBPATTERN:
            _walk(av[-1], pattern, inside_repeat=inside_repeat)
        elif op is c.BRANCH:
            if inside_repeat:
                raise RegexError(f"the regular expression {pattern[:80]!r} repeats an alternation; without RE2 "
                                 "(pip install google-re2) toolcheck refuses patterns that can backtrack exponentially")
            for branch in av[1]:
                _walk(branch, pattern, inside_repeat=inside_repeat)
        elif op is getattr(c, "ATOMIC_GROUP", None):
            _walk(av, pattern, inside_repeat=inside_repeat)
