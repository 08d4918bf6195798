"""Schema helpers for the generator: type inference, ``allOf`` merging, numeric bounds.

Split from :mod:`toolcheck.mock.generate` to keep each module readable; pure functions on
(already flattened) schema dicts, no Spec access.
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard

_OBJECT_HINTS = ("properties", "required", "additionalProperties", "patternProperties",
                 "minProperties", "maxProperties", "propertyNames", "dependentRequired")
_ARRAY_HINTS = ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains")
_STRING_HINTS = ("minLength", "maxLength", "pattern", "format")
_NUMBER_HINTS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_MAX_KEYS = ("maximum", "maxLength", "maxItems", "maxProperties", "exclusiveMaximum", "maxContains")
_MIN_KEYS = ("minimum", "minLength", "minItems", "minProperties", "exclusiveMinimum", "minContains")


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [k for k in kind if isinstance(k, str)]
    if any(k in schema for k in _OBJECT_HINTS):
        return ["object"]
    if any(k in schema for k in _ARRAY_HINTS):
        return ["array"]
    if any(k in schema for k in _STRING_HINTS):
        return ["string"]
    if any(k in schema for k in _NUMBER_HINTS):
        return ["number"]
    return []


def _merge_types(a: Any, b: Any) -> Any:
    left = [a] if isinstance(a, str) else list(a)
    right = [b] if isinstance(b, str) else list(b)
    out = [t for t in left if t in right]
    if "integer" in left and "number" in right and "integer" not in out:
        out.append("integer")
    if "number" in left and "integer" in right and "integer" not in out:
        out.append("integer")
    return out if out else left


def merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Merge two flattened schemas as ``allOf`` would (an approximation; callers verify)."""
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
            out[key] = _merge_types(mine, value)
        elif key == "enum" and isinstance(mine, list) and isinstance(value, list):
            both = [v for v in mine if v in value]
            out[key] = both or mine
        elif key in _MIN_KEYS and _is_num(mine) and _is_num(value):
            out[key] = max(mine, value)
        elif key in _MAX_KEYS and _is_num(mine) and _is_num(value):
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


def _is_num(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _singular(name: str) -> str:
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss") and len(name) > 3:
        return name[:-1]
    return name


def discriminator_prop(choices: list[Any]) -> str:
    for _kind, _branches, discriminator in choices:
        if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
            return str(discriminator["propertyName"])
    return ""


def _bounds(schema: dict[str, Any], *, integer: bool) -> tuple[Any, Any]:
    lo = schema.get("minimum") if _is_num(schema.get("minimum")) else None
    hi = schema.get("maximum") if _is_num(schema.get("maximum")) else None
    ex_lo = schema.get("exclusiveMinimum")
    ex_hi = schema.get("exclusiveMaximum")
    step = 1 if integer else 0.01
    if _is_num(ex_lo):
        candidate = (math.floor(ex_lo) + 1) if integer else ex_lo + step
        lo = candidate if lo is None else max(lo, candidate)
    if _is_num(ex_hi):
        candidate = (math.ceil(ex_hi) - 1) if integer else ex_hi - step
        hi = candidate if hi is None else min(hi, candidate)
    if integer:
        lo = math.ceil(lo) if lo is not None else None
        hi = math.floor(hi) if hi is not None else None
    return lo, hi


def _has_ref(schema: Any) -> bool:
    return isinstance(schema, dict) and ("$ref" in schema or "allOf" in schema)


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_canonical(v) for v in value)
    if isinstance(value, bool):
        return ("b", value)
    return value
