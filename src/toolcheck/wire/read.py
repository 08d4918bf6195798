"""Parameters read back off the wire (the reading half): what a server parses from the text.

The negative generator needs it to prove that a mutated parameter is really invalid
(``limit="5"`` is the same bytes as ``limit=5`` in a query string, so "number as a string" is *not*
a negative for a query integer), and the round-trip property test holds the writing half
(:mod:`toolcheck.wire.params`) to it.
"""

from __future__ import annotations

import json
from typing import Any

from toolcheck.spec import Parameter, Spec
from toolcheck.wire.params import scalar


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
    readings: list[Any] = []
    if "array" in types:
        items = resolved.get("items", {})
        listed = [coerce(spec, items, part, depth + 1) for part in text.split(",")] if text else []
        if len(types) == 1:
            return listed
        readings.append(listed)  # `oneOf: [string, array]` (Discord's sku_ids): a lone value may be the scalar
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


def form_read_back(value: Any) -> Any:
    """A form body as a server reads it back: an empty array or object sends no pair at all
    (:func:`toolcheck.wire.bodies.unexpressible`), so it reads as absent."""
    if isinstance(value, dict):
        kept = {k: form_read_back(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v != [] and v != {}}
    if isinstance(value, list):
        return [v for v in (form_read_back(item) for item in value) if v != [] and v != {}]
    return value
