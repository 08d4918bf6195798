"""Schema helpers for the mock's generator: type inference, names, discriminators.

Split from :mod:`toolcheck.mock.generate` to keep each module readable; pure functions on
(already flattened) schema dicts, no Spec access. ``allOf`` merging, numeric bounds and
``uniqueItems`` keys are shared with the fuzzer and live in :mod:`toolcheck.generate._schema`.
"""

from __future__ import annotations

from typing import Any

# ``merge`` moved to the shared module; re-exported for the mock modules that import it from here.
from toolcheck.generate import merge as merge

_OBJECT_HINTS = ("properties", "required", "additionalProperties", "patternProperties",
                 "minProperties", "maxProperties", "propertyNames", "dependentRequired")
_ARRAY_HINTS = ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains")
_STRING_HINTS = ("minLength", "maxLength", "pattern", "format")
_NUMBER_HINTS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


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


def _has_ref(schema: Any) -> bool:
    return isinstance(schema, dict) and ("$ref" in schema or "allOf" in schema)
