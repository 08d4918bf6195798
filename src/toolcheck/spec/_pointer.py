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
