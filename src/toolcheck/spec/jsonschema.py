"""JSON Schema validation against a Spec, validators cached per schema.

All schemas in a :class:`~toolcheck.spec.Spec` are JSON Schema 2020-12 after normalisation and
their ``$ref``s are local to ``Spec.document`` (``#/components/...``). A validator is built on a
thin wrapper that *is* the document's top level plus ``allOf: [schema]``: local references then
resolve against the whole document (lazily, so cycles are fine), with no copying. No OpenAPI
top-level key is a JSON Schema keyword, so the wrapper adds no constraint.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import jsonschema
import referencing.exceptions

if TYPE_CHECKING:
    from toolcheck.spec.model import Spec

FORMAT_CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER
_ROOT_URI = "urn:toolcheck:spec"
_RESERVED = frozenset({"$id", "$schema", "allOf", "$defs", "$anchor", "$dynamicAnchor"})

_caches: weakref.WeakKeyDictionary[Any, dict[int, tuple[Any, jsonschema.Draft202012Validator]]] = (
    weakref.WeakKeyDictionary()
)


def validator_for(spec: Spec, schema: Any) -> jsonschema.Draft202012Validator:
    """A cached Draft 2020-12 validator (with format checks) whose refs resolve in ``spec``."""
    cache = _caches.get(spec)
    if cache is None:
        cache = _caches[spec] = {}
    key = id(schema)
    hit = cache.get(key)
    if hit is not None and hit[0] is schema:
        return hit[1]
    wrapper: Any = schema
    if isinstance(schema, dict):
        wrapper = {k: v for k, v in spec.document.items() if k not in _RESERVED}
        wrapper.update({"$id": _ROOT_URI, "allOf": [schema]})
    validator = jsonschema.Draft202012Validator(wrapper, format_checker=FORMAT_CHECKER)
    cache[key] = (schema, validator)
    return validator


def schema_errors(spec: Spec, schema: Any, instance: Any, *, limit: int = 20) -> list[tuple[str, str]]:
    """Validation errors as ``(instance pointer, message)``, shallowest first, at most ``limit``."""
    from toolcheck.spec._pointer import escape

    validator = validator_for(spec, schema)
    out: list[tuple[str, str]] = []
    try:
        errors = sorted(validator.iter_errors(instance), key=lambda e: (len(e.path), str(e.message)))
    except (referencing.exceptions.Unresolvable, RecursionError) as exc:
        return [("", f"the schema cannot be evaluated: {exc}")]
    for error in errors[:limit]:
        pointer = "".join("/" + escape(str(p)) for p in error.absolute_path)
        message = error.message if len(error.message) < 300 else error.message[:297] + "..."
        out.append((pointer, message))
    return out
