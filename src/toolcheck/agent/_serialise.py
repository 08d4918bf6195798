"""Parameter serialisation per OpenAPI ``style``/``explode`` (OAS 3.1 §4.8.12.4, style values).

Hand-written: the table is small and the libraries that implement it (openapi-core) parse,
they do not build. Turns the value an agent passed for one argument into the text that goes
into the path, the query string, a header or the ``Cookie`` header.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from toolcheck.spec import Parameter


def scalar(value: Any) -> str:
    """A primitive as it appears on the wire (``true``, ``3``, ``1.5``, text)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, float):
        return json.dumps(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _pairs(value: dict[str, Any]) -> list[tuple[str, str]]:
    return [(str(k), scalar(v)) for k, v in value.items() if v is not None]


def serialize_path(param: Parameter, value: Any) -> str:
    """The text replacing ``{name}`` in the path template, percent-encoded."""
    if param.media_type:
        return quote(scalar(value), safe="")
    def enc(text: str) -> str:
        return quote(text, safe="")

    style, explode, name = param.style or "simple", param.explode, param.name
    if style == "label":
        if isinstance(value, list):
            sep = "." if explode else ","
            return "." + sep.join(enc(scalar(v)) for v in value)
        if isinstance(value, dict):
            if explode:
                return "." + ".".join(f"{enc(k)}={enc(v)}" for k, v in _pairs(value))
            return "." + ",".join(f"{enc(k)},{enc(v)}" for k, v in _pairs(value))
        return "." + enc(scalar(value))
    if style == "matrix":
        if isinstance(value, list):
            if explode:
                return "".join(f";{name}={enc(scalar(v))}" for v in value)
            return f";{name}=" + ",".join(enc(scalar(v)) for v in value)
        if isinstance(value, dict):
            if explode:
                return "".join(f";{enc(k)}={enc(v)}" for k, v in _pairs(value))
            return f";{name}=" + ",".join(f"{enc(k)},{enc(v)}" for k, v in _pairs(value))
        return f";{name}={enc(scalar(value))}"
    return _simple(value, explode, enc)


def _same(text: str) -> str:
    return text


def _simple(value: Any, explode: bool, enc: Callable[[str], str] = _same) -> str:
    if isinstance(value, list):
        return ",".join(enc(scalar(v)) for v in value)
    if isinstance(value, dict):
        if explode:
            return ",".join(f"{enc(k)}={enc(v)}" for k, v in _pairs(value))
        return ",".join(f"{enc(k)},{enc(v)}" for k, v in _pairs(value))
    return str(enc(scalar(value)))


def serialize_query(param: Parameter, value: Any) -> list[tuple[str, str]]:
    """``(name, value)`` pairs for the query string (httpx percent-encodes them)."""
    name = param.name
    if param.media_type:
        return [(name, scalar(value))]
    style, explode = param.style or "form", param.explode
    if isinstance(value, list):
        if style == "spaceDelimited" and not explode:
            return [(name, " ".join(scalar(v) for v in value))]
        if style == "pipeDelimited" and not explode:
            return [(name, "|".join(scalar(v) for v in value))]
        if explode:
            return [(name, scalar(v)) for v in value]
        return [(name, ",".join(scalar(v) for v in value))]
    if isinstance(value, dict):
        if style == "deepObject":
            return [(f"{name}[{k}]", v) for k, v in _pairs(value)]
        if explode:
            return _pairs(value)
        return [(name, ",".join(f"{k},{v}" for k, v in _pairs(value)))]
    return [(name, scalar(value))]


def serialize_header(param: Parameter, value: Any) -> str:
    """A header value (style ``simple``)."""
    if param.media_type:
        return scalar(value)
    return _simple(value, param.explode)


def serialize_cookie(param: Parameter, value: Any) -> str:
    """One ``name=value`` pair of the ``Cookie`` header (style ``form``)."""
    if param.media_type:
        return f"{param.name}={quote(scalar(value), safe='')}"
    if isinstance(value, list):
        return f"{param.name}=" + ",".join(quote(scalar(v), safe="") for v in value)
    if isinstance(value, dict):
        return f"{param.name}=" + ",".join(f"{k},{quote(v, safe='')}" for k, v in _pairs(value))
    return f"{param.name}={quote(scalar(value), safe='')}"


def form_pairs(body: dict[str, Any], encoding: Any = None) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` pairs per the media type's ``encoding`` map
    (OAS 3.1 §4.8.15: ``style`` form by default, ``deepObject`` as ``a[b][c]=v``)."""
    encoding = encoding if isinstance(encoding, dict) else {}
    pairs: list[tuple[str, str]] = []
    for key, value in body.items():
        if value is None:
            continue
        enc = encoding.get(key) if isinstance(encoding.get(key), dict) else {}
        style = enc.get("style", "form")
        explode = bool(enc.get("explode", style == "form"))
        if isinstance(value, list):
            if style == "deepObject":
                pairs.extend(_deep(key, value))  # a[0]=x&a[1][b]=y: the bracket style (Rails, PHP, Stripe)
            elif explode:
                pairs.extend((key, scalar(item)) for item in value)
            else:
                pairs.append((key, ",".join(scalar(v) for v in value)))
        elif isinstance(value, dict):
            if style == "deepObject":
                pairs.extend(_deep(key, value))
            elif explode:
                pairs.extend(_pairs(value))
            else:
                pairs.append((key, ",".join(f"{k},{v}" for k, v in _pairs(value))))
        else:
            pairs.append((key, scalar(value)))
    return pairs


def _deep(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        out: list[tuple[str, str]] = []
        for k, v in value.items():
            out.extend(_deep(f"{prefix}[{k}]", v))
        return out
    if isinstance(value, list):
        out = []
        for i, v in enumerate(value):
            out.extend(_deep(f"{prefix}[{i}]", v))
        return out
    return [(prefix, scalar(value))]


def multipart_parts(body: dict[str, Any], encoding: Any = None) -> list[tuple[str, tuple[None, str, str]]]:
    """``multipart/form-data`` parts (httpx ``files=``) per OAS 3.1 §4.8.14 defaults: objects
    (and arrays of objects) as one ``application/json`` part, arrays of primitives as repeated
    ``text/plain`` parts, primitives as one ``text/plain`` part; ``encoding.contentType``
    overrides the part's type."""
    encoding = encoding if isinstance(encoding, dict) else {}
    parts: list[tuple[str, tuple[None, str, str]]] = []
    for key, value in body.items():
        if value is None:
            continue
        enc = encoding.get(key) if isinstance(encoding.get(key), dict) else {}
        declared = str(enc.get("contentType") or "").split(",")[0].strip()
        structured = isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value))
        if structured or "json" in declared:
            parts.append((key, (None, json.dumps(value, ensure_ascii=False), declared or "application/json")))
        elif isinstance(value, list):
            parts.extend((key, (None, scalar(v), declared or "text/plain")) for v in value)
        else:
            parts.append((key, (None, scalar(value), declared or "text/plain")))
    return parts
