"""Serialise an answer body for its media type: JSON, a small XML rendering, text, bytes.

Hand-written XML (element per property, ``item`` per array entry, text escaped) because the
mock only needs a well-formed, readable document for specs that document ``application/xml``.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from toolcheck.checks.conformance import is_json


def dumps_json(value: Any) -> bytes:
    """JSON bytes. orjson refuses integers beyond 64 bits (``TypeError: Integer exceeds 64-bit
    range``) though JSON has no such limit (RFC 8259 §6) and a schema's ``integer`` may hold one:
    such values are written by the stdlib, which keeps them exact."""
    try:
        return orjson.dumps(value, default=str)
    except TypeError:
        return json.dumps(value, default=str, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def encode_body(value: Any, media_type: str) -> bytes:
    """Serialise a body for its media type: JSON, a small XML rendering, or bytes for binaries."""
    base = media_type.split(";", 1)[0].strip().lower()
    if is_json(base) or base in ("", "*/*"):
        return dumps_json(value)
    if base.endswith("xml"):
        return b'<?xml version="1.0" encoding="UTF-8"?>' + _xml("root", value).encode("utf-8")
    if base.startswith("text/"):
        return (value if isinstance(value, str) else dumps_json(value).decode()).encode("utf-8")
    if isinstance(value, str):
        return value.encode("utf-8")
    return dumps_json(value)


def _xml(tag: str, value: Any) -> str:
    from xml.sax.saxutils import escape

    safe = "".join(ch if ch.isalnum() or ch in "_-." else "_" for ch in tag) or "item"
    if safe[0].isdigit() or safe[0] in "-.":
        safe = "_" + safe
    if isinstance(value, dict):
        inner = "".join(_xml(str(k), v) for k, v in value.items())
    elif isinstance(value, list):
        inner = "".join(_xml("item", v) for v in value)
    elif value is None:
        return f"<{safe}/>"
    elif isinstance(value, bool):
        inner = "true" if value else "false"
    else:
        inner = escape(str(value))
    return f"<{safe}>{inner}</{safe}>"
