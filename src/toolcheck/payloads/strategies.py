"""Hypothesis strategies for spec schemas: the ONLY module that imports hypothesis-jsonschema.

``fuzz`` does not use it on its hot path: :mod:`toolcheck.payloads.values` draws valid values
~50x faster on the example spec (about 3,900 against 60 valid ``InvoiceCreate`` bodies per
second; ``benchmarks/fuzz_vs_schemathesis.py`` prints both rates). It stays available as an
independent oracle (property tests compare against it) and as ``toolcheck fuzz --engine
hypothesis``. Pinned: hypothesis-jsonschema 0.23.1 breaks on
object schemas with hypothesis >= 6.170.10 (see pyproject).

hypothesis-jsonschema does not resolve refs into an OpenAPI document, so schemas are inlined
here first, with recursion cut at ``max_depth`` (a cyclic optional property is dropped; a
cyclic required one makes the strategy unsatisfiable, which the caller treats as "skip").
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from toolcheck.spec import Spec

_cache: dict[tuple[int, int], Any] = {}


def inline(spec: Spec, schema: Any, *, max_depth: int = 4, _depth: int = 0) -> Any:
    """``schema`` with every local ``$ref`` replaced by its target, cut at ``max_depth``."""
    if isinstance(schema, list):
        return [inline(spec, s, max_depth=max_depth, _depth=_depth) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if isinstance(schema.get("$ref"), str):
        if _depth >= max_depth:
            return False
        target = inline(spec, spec.deref({"$ref": schema["$ref"]}), max_depth=max_depth, _depth=_depth + 1)
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        if rest and isinstance(target, dict):
            return {"allOf": [target, inline(spec, rest, max_depth=max_depth, _depth=_depth)]}
        return target
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "$defs", "dependentSchemas") and isinstance(value, dict):
            props = {k: inline(spec, v, max_depth=max_depth, _depth=_depth) for k, v in value.items()}
            if key == "properties":
                required = set(schema.get("required") or [])
                props = {k: v for k, v in props.items() if v is not False or k in required}
            out[key] = props
        elif key in ("example", "examples", "description", "readOnly", "writeOnly", "xml", "discriminator",
                     "externalDocs", "deprecated", "title") or key.startswith("x-"):
            continue
        else:
            out[key] = inline(spec, value, max_depth=max_depth, _depth=_depth) if isinstance(value, (dict, list)) else copy.copy(value)
    return out


def strategy_for(spec: Spec, schema: Any) -> Any:
    """A hypothesis strategy of values valid for ``schema`` (cached per spec and schema)."""
    from hypothesis_jsonschema import from_schema

    key = (id(spec), id(schema))
    hit = _cache.get(key)
    if hit is None:
        flat = inline(spec, schema)
        hit = st.nothing() if flat is False else from_schema(flat)
        if len(_cache) > 512:
            _cache.clear()
        _cache[key] = hit
    return hit


class _Enough(Exception):
    pass


def draw_values(spec: Spec, schema: Any, *, count: int, seed: int, deadline: float | None = None) -> list[Any]:
    """Up to ``count`` values drawn by hypothesis-jsonschema, reproducibly from ``seed``.

    Runs hypothesis's own engine (no example database, so nothing is silently replayed from an
    earlier run) and stops at ``deadline`` (a ``time.perf_counter()`` value).
    """
    import time
    import warnings

    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    out: list[Any] = []
    strategy = strategy_for(spec, schema)

    @hseed(seed)
    @settings(max_examples=max(1, count), database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value: Any) -> None:
        out.append(value)
        if len(out) >= count or (deadline is not None and time.perf_counter() > deadline):
            raise _Enough

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            collect()
        except _Enough:
            pass
        except Exception:  # unsatisfiable or unsupported schema: the caller falls back to its own generator
            pass
    return out[:count]
