"""Schema arithmetic both value generators need: ``allOf`` merging, numeric bounds, array filling.

Pure functions on schema dicts (no Spec access, no randomness of their own), moved here from
``mock/_schemautil.py`` when the fuzzer's generator (``payloads/values.py``) stopped keeping its
own, weaker copies (first-wins ``allOf`` merge, integer bounds that missed the boundary of a
fractional ``exclusiveMinimum``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeGuard

_MAX_KEYS = ("maximum", "maxLength", "maxItems", "maxProperties", "exclusiveMaximum", "maxContains")
_MIN_KEYS = ("minimum", "minLength", "minItems", "minProperties", "exclusiveMinimum", "minContains")


def is_num(value: Any) -> TypeGuard[int | float]:
    """A JSON number (``True``/``False`` are not, although Python says they are ints)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def merge_types(a: Any, b: Any) -> Any:
    """The ``type`` both sides allow (``integer`` survives against ``number``)."""
    left = [a] if isinstance(a, str) else list(a)
    right = [b] if isinstance(b, str) else list(b)
    out = [t for t in left if t in right]
    if "integer" in left and "number" in right and "integer" not in out:
        out.append("integer")
    if "number" in left and "integer" in right and "integer" not in out:
        out.append("integer")
    return out if out else left


def merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Merge two resolved schemas as ``allOf`` would (an approximation; callers verify)."""
    out = dict(a)
    for key, value in b.items():
        if key not in out:
            out[key] = value
            continue
        mine = out[key]
        if key == "properties" and isinstance(mine, dict) and isinstance(value, dict):
            merged = dict(mine)
            for prop, sub in value.items():
                merged[prop] = {"allOf": [merged[prop], sub]} if prop in merged and merged[prop] != sub else sub
            out[key] = merged
        elif key == "required" and isinstance(mine, list) and isinstance(value, list):
            out[key] = list(dict.fromkeys([*mine, *value]))
        elif key == "type":
            out[key] = merge_types(mine, value)
        elif key == "enum" and isinstance(mine, list) and isinstance(value, list):
            both = [v for v in mine if v in value]
            out[key] = both or mine
        elif key in _MIN_KEYS and is_num(mine) and is_num(value):
            out[key] = max(mine, value)
        elif key in _MAX_KEYS and is_num(mine) and is_num(value):
            out[key] = min(mine, value)
        elif key in ("items", "additionalProperties", "not") and mine != value:
            if mine is False or value is False:
                out[key] = False
            elif isinstance(mine, dict) and isinstance(value, dict):
                out[key] = {"allOf": [mine, value]}
        elif key == "_choices":
            out[key] = [*mine, *value]
        elif key in ("readOnly", "writeOnly", "nullable", "deprecated"):
            out[key] = bool(mine) or bool(value)
    return out


def numeric_bounds(schema: dict[str, Any], *, integer: bool, step: float = 0.01) -> tuple[Any, Any]:
    """The inclusive ``(low, high)`` a number may take (``None``: unbounded).

    Exclusive bounds move inwards by one for integers and by ``step`` for numbers: the mock
    wants tidy values (0.01), the fuzzer the value closest to the boundary (a smaller step).
    """
    lo = schema.get("minimum") if is_num(schema.get("minimum")) else None
    hi = schema.get("maximum") if is_num(schema.get("maximum")) else None
    ex_lo = schema.get("exclusiveMinimum")
    ex_hi = schema.get("exclusiveMaximum")
    if is_num(ex_lo):
        candidate = (math.floor(ex_lo) + 1) if integer else ex_lo + step
        lo = candidate if lo is None else max(lo, candidate)
    if is_num(ex_hi):
        candidate = (math.ceil(ex_hi) - 1) if integer else ex_hi - step
        hi = candidate if hi is None else min(hi, candidate)
    if integer:
        lo = math.ceil(lo) if lo is not None else None
        hi = math.floor(hi) if hi is not None else None
    return lo, hi


def canonical(value: Any) -> Any:
    """A hashable form of a JSON value in which equal values are equal (``uniqueItems``)."""
    if isinstance(value, dict):
        return tuple(sorted((k, canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(canonical(v) for v in value)
    if isinstance(value, bool):
        return ("b", value)
    return value


def fill_items(count: int, prefix: list[Any], items: Any, draw: Callable[[Any], Any], *, unique: bool) -> list[Any]:
    """Up to ``count`` items: ``prefixItems`` by position, then ``items``; duplicates redrawn.

    Stops early at a ``false`` item schema or after a bounded number of redraws (callers check
    ``minItems``); ``draw`` is the caller's generator for one item schema.
    """
    out: list[Any] = []
    seen: set[str] = set()
    tries = 0
    while len(out) < count and tries < count * 6 + 6:
        tries += 1
        index = len(out)
        sub = prefix[index] if index < len(prefix) else items
        if sub is False:
            break
        value = draw(sub)
        if unique:
            marker = repr(canonical(value))
            if marker in seen:
                continue
            seen.add(marker)
        out.append(value)
    return out
