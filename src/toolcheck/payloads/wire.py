"""Parameters on the wire: serialise JSON values per OpenAPI style, and read them back.

Hand-written, small: the sender needs ``style``/``explode`` serialisation (OpenAPI 3.1
§4.8.12.4) and the negative generator needs the reverse ("what would a server parse from this
query string?") to prove that a mutated parameter is really invalid: ``limit="5"`` is the same
as ``limit=5`` on the wire, so "number as a string" is *not* a negative for a query integer.
"""

from __future__ import annotations

import json
from typing import Any

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
            return [(f"{name}[{k}]", scalar(v)) for k, v in value.items()]
        if param.explode:
            return [(str(k), scalar(v)) for k, v in value.items()]
        return [(name, ",".join(f"{k},{scalar(v)}" for k, v in value.items()))]
    return [(name, scalar(value))]


def simple(value: Any) -> str:
    """Path/header ``simple`` style (no explode): lists comma-joined, objects ``k,v,k2,v2``."""
    if isinstance(value, list):
        return ",".join(scalar(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{scalar(v)}" for k, v in value.items())
    return scalar(value)


def coerce(spec: Spec, schema: Any, text: str, depth: int = 0) -> Any:
    """What a typical server parses from ``text`` for ``schema`` (best effort, never raises)."""
    resolved = spec.deref(schema)
    if not isinstance(resolved, dict) or depth > 3:
        return text
    kinds = resolved.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "array" in kinds:
        return [coerce(spec, resolved.get("items", {}), part, depth + 1) for part in text.split(",")] if text else []
    if "integer" in kinds:
        try:
            return int(text)
        except ValueError:
            pass
    if "number" in kinds:
        try:
            number = float(text)
            return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
        except ValueError:
            pass
    if "boolean" in kinds and text in ("true", "false"):
        return text == "true"
    if "null" in kinds and text == "":
        return None
    return text


def parameter_accepts(spec: Spec, param: Parameter, value: Any) -> bool:
    """Would ``value``, sent on the wire and parsed back, satisfy the parameter's schema?"""
    if param.schema is None or param.media_type:
        return True
    if isinstance(value, (dict,)):
        return bool(spec.validator(param.schema).is_valid(value))
    if isinstance(value, list):
        parsed = [coerce(spec, (spec.deref(param.schema) or {}).get("items", {}) if isinstance(spec.deref(param.schema), dict) else {}, scalar(v)) for v in value]
    else:
        parsed = coerce(spec, param.schema, scalar(value))
    try:
        return bool(spec.validator(param.schema).is_valid(parsed))
    except Exception:  # an unevaluable schema proves nothing: treat as accepted
        return True
