"""Parameters on the wire: JSON values as text per OpenAPI ``style``/``explode`` (the writing half).

Hand-written (OpenAPI 3.1 §4.8.12.4, "Style Values" and "Style Examples"): libraries that know the
table (openapi-core) parse, they do not build, and every sender of toolcheck (run, fuzz, payloads,
the agent bridge) must write the same bytes the mock reads back (:mod:`toolcheck.wire.read`).

One rule for ``null`` everywhere: a ``None`` *inside* a value (a deepObject member, a form field, an
array item) is written as the empty text, which a server reads back as ``null`` when the schema
allows it; a caller that means "absent" leaves the parameter out instead.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, unquote

from toolcheck.spec import Parameter


def scalar(value: Any) -> str:
    """One value as text: booleans lower-case, ``None`` empty, containers as compact JSON."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, float):
        return json.dumps(value)
    return str(value)


def simple(value: Any, explode: bool = False) -> str:
    """``simple`` style (path and header parameters): lists comma-joined, objects ``k,v`` (or
    ``k=v`` exploded). Not percent-encoded: see :func:`path_segment` for the path."""
    if isinstance(value, list):
        return ",".join(scalar(v) for v in value)
    if isinstance(value, dict):
        sep = "=" if explode else ","
        return ",".join(f"{k}{sep}{scalar(v)}" for k, v in value.items())
    return scalar(value)


def _enc(text: str) -> str:
    """Percent-encode one path component so that it can never change the path (RFC 3986 §3.3):
    ``/``, ``?``, ``#`` and ``%`` are encoded, and a component made only of dots (``.``, ``..``)
    has its dots encoded, so no dot-segment is removed by a client or a server (§5.2.4)."""
    out = quote(text, safe="")
    if out and out.strip(".") == "":
        out = out.replace(".", "%2E")
    return out


def path_segment(param: Parameter | None, name: str, value: Any) -> str:
    """The text replacing ``{name}`` in a path template, per the parameter's style
    (``simple``, ``label``, ``matrix``), every component percent-encoded."""
    if param is not None and param.media_type:
        return _enc(value if isinstance(value, str) else scalar(value))
    style = (param.style if param is not None else "simple") or "simple"
    explode = bool(param.explode) if param is not None else False
    if style == "label":
        if isinstance(value, list):
            return "." + ("." if explode else ",").join(_enc(scalar(v)) for v in value)
        if isinstance(value, dict):
            pairs = [f"{_enc(str(k))}={_enc(scalar(v))}" if explode else f"{_enc(str(k))},{_enc(scalar(v))}"
                     for k, v in value.items()]
            return "." + ("." if explode else ",").join(pairs)
        return "." + _enc(scalar(value))
    if style == "matrix":
        if isinstance(value, list):
            if explode:
                return "".join(f";{_enc(name)}={_enc(scalar(v))}" for v in value)
            return f";{_enc(name)}=" + ",".join(_enc(scalar(v)) for v in value)
        if isinstance(value, dict):
            if explode:
                return "".join(f";{_enc(str(k))}={_enc(scalar(v))}" for k, v in value.items())
            return f";{_enc(name)}=" + ",".join(f"{_enc(str(k))},{_enc(scalar(v))}" for k, v in value.items())
        return f";{_enc(name)}={_enc(scalar(value))}"
    if isinstance(value, list):
        return ",".join(_enc(scalar(v)) for v in value)
    if isinstance(value, dict):
        sep = "=" if explode else ","
        return ",".join(f"{_enc(str(k))}{sep}{_enc(scalar(v))}" for k, v in value.items())
    return _enc(scalar(value))


def query_pairs(param: Parameter | None, name: str, value: Any) -> list[tuple[str, str]]:
    """``(name, text)`` pairs for one query parameter (``form`` by default, exploded); the
    caller percent-encodes the pairs (``urlencode``)."""
    if param is not None and param.media_type:
        return [(name, value if isinstance(value, str) else scalar(value))]
    style = (param.style if param is not None else "form") or "form"
    explode = param.explode if param is not None else True
    if isinstance(value, list):
        if style == "deepObject":  # an array under deepObject (Stripe's `expand`): `expand[0]=a&expand[1]=b`
            return deep_pairs(name, value)
        if style == "form" and explode:
            return [(name, scalar(v)) for v in value]
        sep = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return [(name, sep.join(scalar(v) for v in value))]
    if isinstance(value, dict):
        if style == "deepObject":
            return deep_pairs(name, value)
        if explode:
            return [(str(k), scalar(v)) for k, v in value.items()]
        return [(name, ",".join(f"{k},{scalar(v)}" for k, v in value.items()))]
    return [(name, scalar(value))]


def deep_pairs(prefix: str, value: Any) -> list[tuple[str, str]]:
    """``deepObject`` at any depth, ``a[b][c]=v`` and ``a[b][0]=v`` (the bracket style of Rails,
    PHP and Stripe, which the mock reads back): one level with JSON below it is no server's form."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in deep_pairs(f"{prefix}[{k}]", v)]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in deep_pairs(f"{prefix}[{i}]", v)]
    return [(prefix, scalar(value))]


def header_text(param: Parameter | None, value: Any) -> str:
    """A header parameter's value (``simple`` style, or JSON text for a ``content`` parameter)."""
    if param is not None and param.media_type and not isinstance(value, str):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return simple(value, bool(param.explode) if param is not None else False)


def cookie_pair(param: Parameter | None, name: str, value: Any) -> str:
    """One ``name=value`` pair of the ``Cookie`` header (``form`` style, RFC 6265 §4.2.1: the
    value percent-encoded so that ``;`` and ``,`` cannot start another cookie)."""
    if param is not None and param.media_type and not isinstance(value, str):
        return f"{name}={quote(json.dumps(value, separators=(',', ':'), ensure_ascii=False), safe='')}"
    if isinstance(value, list):
        return f"{name}=" + ",".join(quote(scalar(v), safe="") for v in value)
    if isinstance(value, dict):
        return f"{name}=" + ",".join(f"{quote(str(k), safe='')},{quote(scalar(v), safe='')}" for k, v in value.items())
    return f"{name}={quote(scalar(value), safe='')}"


def path_key(path: str) -> tuple[str, tuple[tuple[str, str | None], ...], tuple[tuple[str, str | None], ...]]:
    """Split a path key into ``(template, fragment parts, literal query parts)``.

    AWS specs (APIs.guru) key several operations by one path and a suffix: ``/{Bucket}#cors``,
    ``/{Key}#uploadId``, ``/layers#find=LayerVersion&Arn`` (a ``#fragment``, never sent by a
    client) or ``/?Action=List`` (a literal query). Each ``&``-separated part is ``name`` or
    ``name=value`` (``name!`` markers say nothing about the request and are dropped). The sender
    puts these parts in the query string: that is what tells the operations apart on the wire
    (and what the mock routes by, see ``mock/_routing.py``).
    """
    cut = min((i for i in (path.find("#"), path.find("?")) if i >= 0), default=-1)
    if cut < 0:
        return path, (), ()
    fragment: list[tuple[str, str | None]] = []
    literal: list[tuple[str, str | None]] = []
    target = literal if path[cut] == "?" else fragment
    rest = path[cut + 1:]
    for match in re.finditer(r"([#?]?)([^&#?]*)", rest):
        marker, token = match.group(1), match.group(2)
        if marker == "#":
            target = fragment
        elif marker == "?":
            target = literal
        if not token or token.endswith("!"):
            continue
        key, sep, value = token.partition("=")
        target.append((unquote(key), unquote(value) if sep else None))
    return path[:cut] or "/", tuple(fragment), tuple(literal)
