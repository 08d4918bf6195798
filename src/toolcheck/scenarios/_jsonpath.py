"""RFC 9535 JSONPath selection for `expect.body` paths, Arazzo `jsonpath` criteria and selectors.

Apart from :mod:`toolcheck.scenarios.assertions` (which judges what is selected) because
expressions select with it too: both import it, and it imports neither. Every evaluation is
bounded (a node budget and the step's deadline; see docs/security.md).
"""

from __future__ import annotations

import functools
import re
import threading
import time
from typing import Any

from toolcheck._absent import ABSENT

__all__ = [
    "MAX_JSONPATH_NODES", "JSONPathBudgetError", "bounded_find", "compiled_path", "is_singular_query",
    "jsonpath_values", "set_deadline",
]


# A node budget per JSONPath evaluation: `$..*..*..*..*` visits every descendant of every
# descendant, 54 s and 1.8 GB on a 30 KB body without it. Legitimate queries on large bodies stay
# far below (a 1 MB body holds some 50,000 nodes). See docs/security.md.
MAX_JSONPATH_NODES = 100_000


class JSONPathBudgetError(ValueError):
    """A JSONPath evaluation went over its node budget or past its step's deadline."""


_budget = threading.local()  # .left: nodes still allowed; .deadline: time.monotonic() bound or None


def _counting_new_child(self: Any, value: Any, key: Any, parent: Any) -> Any:
    left = getattr(_budget, "left", None)
    if left is not None:
        _budget.left = left - 1
        if left <= 0:
            raise JSONPathBudgetError(f"the JSONPath query visited more than {MAX_JSONPATH_NODES:,} nodes "
                                      "(the node budget; see docs/security.md): narrow it (fewer `..`)")
        deadline = getattr(_budget, "deadline", None)
        if deadline is not None and left % 2048 == 0 and time.monotonic() > deadline:
            raise JSONPathBudgetError("the JSONPath query ran past its step's timeout")
    return _ORIGINAL_NEW_CHILD(self, value, key, parent)


_ORIGINAL_NEW_CHILD: Any = None


def _install_budget() -> None:
    # Every node the library creates (children, descendants, filter sub-queries' children) goes
    # through JSONPathNode.new_child; counting there bounds the whole evaluation, filters included.
    # The counter is thread-local and inert outside bounded_find, so other users see no change.
    global _ORIGINAL_NEW_CHILD
    from jsonpath_rfc9535.node import JSONPathNode

    if _ORIGINAL_NEW_CHILD is None:
        _ORIGINAL_NEW_CHILD = JSONPathNode.new_child
        JSONPathNode.new_child = _counting_new_child  # type: ignore[method-assign]


def set_deadline(deadline: float | None) -> None:
    """The time.monotonic() bound of this thread's step (JSONPath evaluations stop past it)."""
    _budget.deadline = deadline


def bounded_find(query: Any, value: Any) -> list[Any]:
    """``query.find(value).values()`` within :data:`MAX_JSONPATH_NODES` and the step deadline.

    Raises:
        JSONPathBudgetError: the budget ran out (a ValueError: reported as a failed body check).
    """
    if isinstance(query, _SimplePath):
        return query.find(value).values()
    _install_budget()
    _budget.left = MAX_JSONPATH_NODES
    try:
        return query.find(value).values()  # type: ignore[no-any-return]
    except RecursionError:
        raise JSONPathBudgetError("the JSONPath query nests too deeply for this body") from None
    finally:
        _budget.left = None


def jsonpath_values(path: str, body: Any) -> Any:
    """Select with an RFC 9535 JSONPath: one node → its value, several → a list, none → ABSENT."""
    if body is ABSENT:
        return ABSENT
    if path in ("$", ""):
        return body
    query = compiled_path(path)
    values = bounded_find(query, body)
    if not values:
        return ABSENT
    return values[0] if isinstance(query, _SimplePath) or is_singular_query(path) else values


# Every segment selects one child by name or index (RFC 9535 §2.3.5.1; blank space inside the
# brackets allowed too, as jsonpath-rfc9535 1.x's singular_query() reads it). Decided from the
# text: the library's 2.x dropped singular_query() and keeps its syntax tree private. Compiled
# on first use: its Unicode classes cost ~4 ms of start-up, and `$.a.b[0]` paths never need it.
@functools.cache
def _singular_query() -> re.Pattern[str]:
    return re.compile(
        r"""\$(?:\s*(?:\.[A-Za-z_\u0080-\U0010FFFF][A-Za-z0-9_\u0080-\U0010FFFF]*"""
        r"""|\[\s*(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?(?:0|[1-9][0-9]*))\s*\]))*"""
    )


def is_singular_query(path: str) -> bool:
    """Does this (valid) JSONPath select at most one node whatever the document?"""
    return _singular_query().fullmatch(path) is not None


_PATHS: dict[str, Any] = {}

# `$.name`, `$.a.b[0]`, `$.items[-1]`: member names (ASCII shorthand) and array indexes only.
_SIMPLE_PATH = re.compile(r"\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\[(?:0|-?[1-9][0-9]{0,14})\])+")
_SIMPLE_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(-?[0-9]+)\]")


class _Found(tuple):  # type: ignore[type-arg]
    def values(self) -> list[Any]:
        return list(self)


class _SimplePath:
    """A singular query of member names and array indexes, evaluated as RFC 9535 does (a name
    selects from an object, an index from an array, negative from the end; anything else selects
    nothing) without importing the JSONPath library (~30 ms of start-up) for the common case."""

    __slots__ = ("steps",)

    def __init__(self, path: str) -> None:
        self.steps = tuple(name if name else int(index) for name, index in _SIMPLE_SEGMENT.findall(path))

    @staticmethod
    def singular_query() -> bool:
        return True

    def find(self, value: Any) -> _Found:
        for step in self.steps:
            if isinstance(step, str):
                if not isinstance(value, dict) or step not in value:
                    return _Found()
            elif not isinstance(value, list) or not -len(value) <= step < len(value):
                return _Found()
            value = value[step]
        return _Found((value,))


def compiled_path(path: str) -> Any:
    """A compiled RFC 9535 query (cached). Raises ValueError with the library's message."""
    query = _PATHS.get(path)
    if query is None:
        if _SIMPLE_PATH.fullmatch(path):
            query = _SimplePath(path)
        else:
            import jsonpath_rfc9535

            try:
                query = jsonpath_rfc9535.compile(path)
            except Exception as exc:  # the library raises its own JSONPathError subclasses
                raise ValueError(f"invalid JSONPath {path!r}: {exc}") from None
        _PATHS[path] = query
    return query
