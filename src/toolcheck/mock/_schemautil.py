"""Schema helpers for the mock's generator: type inference, names, discriminators.

Split from :mod:`toolcheck.mock.generate` to keep each module readable; pure functions on
(already flattened) schema dicts, no Spec access. ``allOf`` merging, numeric bounds and
``uniqueItems`` keys are shared with the fuzzer and live in :mod:`toolcheck.generate._schema`;
flattening and the types of a flattened schema in :mod:`toolcheck.generate._flatten` (the wire
layer's reading half uses them too).
"""

from __future__ import annotations

from typing import Any

# ``merge`` moved to the shared module; re-exported for the mock modules that import it from here.
from toolcheck.generate import merge as merge


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
