"""A schema flattened for walking: ``$ref`` and ``allOf`` merged into one dict, choices kept.

The mock's value generator walks flattened schemas, and so does the wire layer's reading half
(:mod:`toolcheck.wire.read`) when it shapes a form body or a ``deepObject`` query parameter by
its schema: one flattening, one cache per spec, below both.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from toolcheck.generate._schema import merge

if TYPE_CHECKING:
    from toolcheck.spec import Spec

__all__ = ["Unsatisfiable", "flat_cache", "flat_types", "flatten"]

_OBJECT_HINTS = ("properties", "required", "additionalProperties", "patternProperties",
                 "minProperties", "maxProperties", "propertyNames", "dependentRequired")
_ARRAY_HINTS = ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains")
_STRING_HINTS = ("minLength", "maxLength", "pattern", "format")
_NUMBER_HINTS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")

_CACHE: weakref.WeakKeyDictionary[Any, dict[str, dict[str, Any]]] = weakref.WeakKeyDictionary()


class Unsatisfiable(Exception):
    """No value satisfies the schema (an ``allOf`` with ``false`` in it, a cycle of required members)."""


def flat_types(schema: dict[str, Any]) -> list[str]:
    """The JSON types of a flattened schema: its ``type``, else what its keywords imply."""
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


def flat_cache(spec: Spec) -> dict[str, dict[str, Any]]:
    """The spec's flattened ``$ref`` targets (lives as long as the spec)."""
    cache = _CACHE.get(spec)
    if cache is None:
        cache = _CACHE[spec] = {}
    return cache


def flatten(spec: Spec, schema: Any, cache: dict[str, dict[str, Any]] | None = None,
            stack: tuple[str, ...] = ()) -> Any:
    """``$ref`` and ``allOf`` merged into one dict; ``oneOf``/``anyOf`` kept as ``_choices``.

    Raises:
        Unsatisfiable: an ``allOf`` part (or the ``$ref`` beside other keywords) is ``false``.
    """
    if not isinstance(schema, dict):
        return schema
    if cache is None:
        cache = flat_cache(spec)
    ref = schema.get("$ref")
    if isinstance(ref, str) and len(schema) == 1:
        hit = cache.get(ref)
        if hit is not None:
            return hit
        if ref in stack:
            return {}
        try:
            target = spec.resolve(ref)
        except (KeyError, ValueError, TypeError):
            return {}
        resolved = flatten(spec, target, cache, (*stack, ref))
        if isinstance(resolved, dict):
            cache[ref] = resolved
        return resolved
    if not any(k in schema for k in ("$ref", "allOf", "oneOf", "anyOf")):
        return schema
    own = {k: v for k, v in schema.items() if k not in ("$ref", "allOf", "oneOf", "anyOf", "discriminator")}
    choices: list[tuple[str, list[Any], Any]] = []
    for kind in ("oneOf", "anyOf"):
        branches = schema.get(kind)
        if isinstance(branches, list) and branches:
            choices.append((kind, branches, schema.get("discriminator")))
    if choices:
        own["_choices"] = choices
    result: dict[str, Any] = own
    if isinstance(ref, str):
        if ref not in stack:
            target = flatten(spec, {"$ref": ref}, cache, stack)
            if isinstance(target, dict):
                result = merge(result, target)
            elif target is False:
                raise Unsatisfiable
    parts = schema.get("allOf")
    if isinstance(parts, list):
        for part in parts:
            flat = flatten(spec, part, cache, stack)
            if flat is False:
                raise Unsatisfiable
            if isinstance(flat, dict):
                result = merge(result, flat)
    return result
