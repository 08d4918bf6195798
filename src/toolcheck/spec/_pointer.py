"""JSON Pointer (RFC 6901) helpers."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote


def escape(token: str) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, *tokens: Any) -> str:
    return pointer + "".join("/" + escape(str(t)) for t in tokens)


def pointer_of(path: Any) -> str:
    """A JSON pointer from a linked path: ``(key, parent)`` pairs ending in a base pointer or None.

    Walks build paths as pairs (O(1) per step) and format one only when it is reported.
    """
    keys: list[str] = []
    while isinstance(path, tuple):
        key, path = path
        keys.append(escape(str(key)))
    return (path or "") + "".join("/" + k for k in reversed(keys))


def split(pointer: str) -> list[str]:
    if not pointer or pointer == "/":
        return [] if not pointer else [""]
    # Refs written in URIs may be percent-encoded (`#/paths/~1users~1%7Bid%7D`).
    if "%" in pointer:
        pointer = unquote(pointer)
    return [unescape(t) for t in pointer.lstrip("/").split("/")] if pointer.startswith("/") else [pointer]


def resolve_pointer(document: Any, pointer: str) -> Any:
    """Return the node at ``pointer``; raise KeyError when any step is missing."""
    node = document
    for token in split(pointer):
        if isinstance(node, dict):
            if token not in node:
                raise KeyError(pointer)
            node = node[token]
        elif isinstance(node, list):
            try:
                node = node[int(token)]
            except (ValueError, IndexError):
                raise KeyError(pointer) from None
        else:
            raise KeyError(pointer)
    return node


class RefResolver:
    """Memoised ``#/...`` lookups in one document.

    Big specs repeat the same few hundred targets thousands of times (GitHub: 4,800 refs, 760
    targets); the loader's passes and ``Spec.resolve`` share this instead of re-splitting pointers.
    """

    __slots__ = ("document", "_targets")
    _DANGLING = object()

    def __init__(self, document: Any) -> None:
        self.document = document
        self._targets: dict[str, Any] = {}

    def resolve(self, ref: str) -> Any:
        """The node a local reference points at; KeyError when it points at nothing."""
        target = self._targets.get(ref, self)
        if target is self:
            try:
                target = resolve_pointer(self.document, ref[1:]) if ref.startswith("#") else self._DANGLING
            except KeyError:
                target = self._DANGLING
            self._targets[ref] = target
        if target is self._DANGLING:
            raise KeyError(ref)
        return target
