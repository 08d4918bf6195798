"""Parameters on the wire: serialise JSON values per OpenAPI style, and read them back.

Hand-written, small: the sender needs ``style``/``explode`` serialisation (OpenAPI 3.1
§4.8.12.4) and the negative generator needs the reverse ("what would a server parse from this
query string?") to prove that a mutated parameter is really invalid: ``limit="5"`` is the same
as ``limit=5`` on the wire, so "number as a string" is *not* a negative for a query integer.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from toolcheck.spec import Parameter, Spec


def scalar(value: Any) -> str:
    """One value as text: booleans lower-case, ``None`` empty, containers as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(value)


def query_pairs(param: Parameter, value: Any) -> list[tuple[str, str]]:
    """``(name, text)`` pairs for one query parameter, per its style and explode."""
    name = param.name
    if param.media_type:
        return [(name, scalar(value) if not isinstance(value, str) else value)]
    style = param.style or "form"
    if isinstance(value, list):
        if style == "form" and param.explode:
            return [(name, scalar(v)) for v in value]
        sep = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return [(name, sep.join(scalar(v) for v in value))]
    if isinstance(value, dict):
        if style == "deepObject":
            return deep_pairs(name, value)
        if param.explode:
            return [(str(k), scalar(v)) for k, v in value.items()]
        return [(name, ",".join(f"{k},{scalar(v)}" for k, v in value.items()))]
    return [(name, scalar(value))]


def deep_pairs(prefix: str, value: Any) -> list[tuple[str, str]]:
    """``deepObject`` at any depth, ``a[b][c]=v`` and ``a[b][0]=v`` (the bracket style of Rails,
    PHP and Stripe, which the mock reads back): one level with JSON below it is no server's form."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in deep_pairs(f"{prefix}[{k}]", v)]
    if isinstance(value, list) and prefix.endswith("]"):
        return [pair for i, v in enumerate(value) for pair in deep_pairs(f"{prefix}[{i}]", v)]
    return [(prefix, scalar(value))]


def unexpressible(body: Any, media_type: str | None, encoding: Any = None) -> list[str]:
    """Top-level fields of a form body whose value the wire format cannot carry.

    Decided per format: ``application/x-www-form-urlencoded`` cannot say "empty array" or
    "empty object" in any style (exploded and ``deepObject`` styles send no pair at all, so the
    field reads as absent; the non-exploded ``key=`` reads as ``[""]`` or ``""`` in common
    servers). ``multipart/form-data`` sends containers as ``application/json`` parts, so ``[]``
    and ``{}`` are expressible, unless the field's ``encoding`` asks for a non-JSON
    ``contentType`` (one part per item: an empty array is no part at all).
    """
    if not isinstance(body, dict) or not media_type:
        return []
    base = media_type.split(";", 1)[0].strip().lower()
    out: list[str] = []
    for key, value in body.items():
        if not isinstance(value, (list, dict)) or value:
            continue
        if base == "application/x-www-form-urlencoded":
            out.append(key)
        elif base.startswith("multipart/") and isinstance(value, list):
            rule = encoding.get(key) if isinstance(encoding, dict) else None
            kind = rule.get("contentType") if isinstance(rule, dict) else None
            if isinstance(kind, str) and "json" not in kind.lower() and "*" not in kind:
                out.append(key)
    return out


def simple(value: Any) -> str:
    """Path/header ``simple`` style (no explode): lists comma-joined, objects ``k,v,k2,v2``."""
    if isinstance(value, list):
        return ",".join(scalar(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{scalar(v)}" for k, v in value.items())
    return scalar(value)


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


def _types(spec: Spec, schema: Any, depth: int = 0) -> list[str]:
    """The JSON types ``schema`` allows, looking into ``anyOf``/``oneOf``/``allOf`` branches."""
    resolved = spec.deref(schema)
    if not isinstance(resolved, dict) or depth > 4:
        return []
    kind = resolved.get("type")
    types = [kind] if isinstance(kind, str) else [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []
    if not types:
        for key in ("oneOf", "anyOf", "allOf"):
            for branch in resolved.get(key) or []:
                types.extend(t for t in _types(spec, branch, depth + 1) if t not in types)
    if not types and "properties" in resolved:
        types = ["object"]
    if not types and "items" in resolved:
        types = ["array"]
    return types


def _reading(kind: str, text: str, types: list[str]) -> tuple[bool, Any]:
    if kind == "integer":
        try:
            return True, int(text)
        except ValueError:
            return False, None
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            return False, None
        if number != number or number in (float("inf"), float("-inf")):
            return False, None
        return True, int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    if kind == "boolean":
        return (True, text == "true") if text in ("true", "false") else (False, None)
    if kind == "string":
        return ("string" in types or not types), text
    if kind == "null":
        return ("null" in types and text in ("", "null")), None
    return False, None


def coerce(spec: Spec, schema: Any, text: str, depth: int = 0) -> Any:
    """What a typical server parses from ``text`` for ``schema`` (best effort, never raises).

    Every reading the schema's types allow is tried (``anyOf: [object, integer]`` reads ``200``
    as the integer: Stripe's ``created``), typed ones first, and the first that validates wins,
    as the mock does (``mock/_params.coerce``): a "number as a string" in a query string is the
    same bytes as the number, so it is not a negative.
    """
    resolved = spec.deref(schema)
    if not isinstance(resolved, dict) or depth > 3:
        return text
    types = _types(spec, resolved)
    if "array" in types:
        items = resolved.get("items", {})
        return [coerce(spec, items, part, depth + 1) for part in text.split(",")] if text else []
    readings: list[Any] = []
    for kind in [t for t in types if t in ("integer", "number", "boolean")] + ["string", "null"]:
        ok, value = _reading(kind, text, types)
        if ok and not any(value == r and type(value) is type(r) for r in readings):
            readings.append(value)
    if not readings:
        return text
    if len(readings) > 1:
        for reading in readings:
            try:
                if spec.validator(schema).is_valid(reading):
                    return reading
            except Exception:  # an unevaluable schema: keep the first reading
                break
    return readings[0]


def wire_value(spec: Spec, param: Parameter, value: Any) -> Any:
    """``value`` as a server reads it back from the wire (``12345`` in a path is ``"12345"``)."""
    if param.schema is None or isinstance(value, dict):
        return value
    if param.media_type:  # `content` parameters carry JSON text; a string is sent as it is
        text = value if isinstance(value, str) else scalar(value)
        try:
            return json.loads(text)
        except ValueError:
            return text
    if isinstance(value, list):
        resolved = spec.deref(param.schema)
        items = resolved.get("items", {}) if isinstance(resolved, dict) else {}
        return [coerce(spec, items, scalar(v)) for v in value]
    return coerce(spec, param.schema, scalar(value))


def parameter_accepts(spec: Spec, param: Parameter, value: Any) -> bool:
    """Would ``value``, sent on the wire and parsed back, satisfy the parameter's schema?"""
    if param.schema is None:
        return True
    try:
        return bool(spec.validator(param.schema).is_valid(wire_value(spec, param, value)))
    except Exception:  # an unevaluable schema proves nothing: treat as accepted
        return True
