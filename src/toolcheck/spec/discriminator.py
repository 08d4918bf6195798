"""OpenAPI's ``discriminator`` for ``oneOf``/``anyOf``: the payload names its own branch.

JSON Schema knows nothing of ``discriminator``, so a ``oneOf`` whose branches overlap (a Cat and
a Dog that both only require ``name``) rejects every valid pet as "valid under each of" them.
OpenAPI says the value of ``propertyName`` picks the branch: through ``mapping`` (a schema name
or a local reference) or, implicitly, the name of a branch's component schema. Both validators
(:mod:`toolcheck.spec.jsonschema` and the compiled check of :mod:`toolcheck.checks._fastcheck`)
ask :func:`chosen_branch` first and fall back to plain ``oneOf``/``anyOf`` when the payload does
not name a known branch, so a discriminator never makes a document *less* valid than JSON
Schema alone would. Imports nothing heavy: the compiled check runs without jsonschema.
"""

from __future__ import annotations

from typing import Any

from toolcheck.spec._pointer import escape, unescape

_SCHEMAS = "#/components/schemas/"


def branch_table(schema: dict[str, Any], branches: list[Any]) -> tuple[str, dict[str, Any]] | None:
    """``(propertyName, {value: branch})`` of a discriminated ``oneOf``/``anyOf``, else None.

    Only branches of the list are chosen (a mapping to a schema outside it is ignored); mapping
    entries come first, then each ``$ref`` branch under its component name.
    """
    disc = schema.get("discriminator")
    if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
        return None
    by_ref = {b["$ref"]: b for b in branches if isinstance(b, dict) and isinstance(b.get("$ref"), str)}
    table: dict[str, Any] = {}
    mapping = disc.get("mapping")
    if isinstance(mapping, dict):
        for value, target in mapping.items():
            if not isinstance(target, str):
                continue
            ref = target if target.startswith("#") else _SCHEMAS + escape(target)
            if ref in by_ref:
                table.setdefault(str(value), by_ref[ref])
    for ref, branch in by_ref.items():
        table.setdefault(unescape(ref.rsplit("/", 1)[-1]), branch)
    return (disc["propertyName"], table) if table else None


def chosen_branch(schema: dict[str, Any], branches: list[Any], instance: Any) -> Any | None:
    """The branch ``instance`` names through the schema's discriminator, or None (no say)."""
    if not isinstance(instance, dict) or "discriminator" not in schema:
        return None
    found = branch_table(schema, branches)
    if found is None:
        return None
    prop, table = found
    value = instance.get(prop)
    return table.get(value) if isinstance(value, str) else None
