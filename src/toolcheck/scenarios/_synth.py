"""Example values for workflow inputs nobody supplied (only with ``--mock``).

Running an Arazzo document against the in-process mock should not need a hand-written inputs
file: a missing input takes the schema's ``default``, ``const``, first ``examples``/``example``
or ``enum`` value, else a small value of the right type and format. Bounded depth, no $ref
chasing (Arazzo input schemas are self-contained after the loader resolves components).
"""

from __future__ import annotations

from typing import Any

_FORMATS = {
    "date-time": "2026-01-01T00:00:00Z", "date": "2026-01-01", "email": "agent@example.com",
    "uri": "https://example.com/resource", "uuid": "00000000-0000-4000-8000-000000000000",
    "password": "example-password",
}


def example_for(schema: Any, depth: int = 0, *, seed: int = 0, name: str = "") -> Any:
    """A plausible value for ``schema`` (JSON Schema), or None when nothing fits.

    Explicit values (default, const, examples, enum) win; otherwise the mock's generator makes
    a value valid against the schema (patterns, formats, bounds), with a simple fallback.
    """
    if depth == 0 and isinstance(schema, dict) and not any(k in schema for k in ("default", "const", "examples", "example", "enum")):
        generated = _generated(schema, seed, name)
        if generated is not None:
            return generated
    if not isinstance(schema, dict) or depth > 8:
        return None
    for key in ("default", "const"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("oneOf", "anyOf", "allOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return _simple(schema[key][0], depth + 1)
    return _simple(schema, depth)


def _generated(schema: dict[str, Any], seed: int, name: str) -> Any:
    import random

    try:
        from toolcheck.mock import generate_value
        from toolcheck.spec import load_spec_dict

        holder = load_spec_dict({"openapi": "3.1.0", "info": {"title": "inputs", "version": "1"}, "paths": {}})
        return generate_value(holder, schema, rng=random.Random(seed), name=name, direction="request")
    except Exception:  # the generator is best effort here: fall back to simple values
        return None


def _simple(schema: Any, depth: int) -> Any:
    if not isinstance(schema, dict) or depth > 8:
        return None
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or (kind is None and "properties" in schema):
        props = schema.get("properties") or {}
        required = set(schema.get("required") or props)
        return {k: _simple(v, depth + 1) for k, v in props.items() if k in required and isinstance(v, dict)}
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        return [_simple(schema.get("items") or {"type": "string"}, depth + 1) for _ in range(min(count, 3))]
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1.0))
    if kind == "boolean":
        return True
    if kind == "string":
        fmt = schema.get("format")
        if fmt in _FORMATS:
            return _FORMATS[fmt]
        return "x" * int(schema.get("minLength", 0)) if schema.get("minLength", 0) > 7 else "example"
    return None
