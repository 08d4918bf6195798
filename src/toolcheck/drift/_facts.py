"""The neutral facts a schema comparison produces, and small helpers shared by the schema walk.

Hand-written; split from ``_schema`` only to keep modules small.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 48
ANNOTATIONS = frozenset({
    "title", "description", "example", "examples", "deprecated", "readOnly", "writeOnly", "$comment",
    "externalDocs", "xml", "default",
})
_NUMERIC = (
    # keyword, fact stem, "max" semantics (larger = looser)
    ("maxLength", "max-length", True), ("minLength", "min-length", False),
    ("maximum", "max", True), ("minimum", "min", False),
    ("exclusiveMaximum", "exclusive-max", True), ("exclusiveMinimum", "exclusive-min", False),
    ("maxItems", "max-items", True), ("minItems", "min-items", False),
    ("maxContains", "max-contains", True), ("minContains", "min-contains", False),
)
_ZERO_DEFAULT = frozenset({"minLength", "minItems", "minContains"})  # absent means 0: compare as numbers
_GENERIC = (
    ("if", "if"), ("then", "then"), ("else", "else"), ("contains", "contains"), ("prefixItems", "prefix-items"),
    ("propertyNames", "property-names"), ("dependentRequired", "dependent-required"),
    ("dependentSchemas", "dependent-schema"), ("unevaluatedItems", "unevaluated-items"),
    ("unevaluatedProperties", "unevaluated-properties"), ("contentSchema", "content-schema"), ("not", "not"),
)
RO, WO = 1, 2


@dataclass(slots=True)
class Fact:
    """One neutral change at ``path`` (property names, ``[]`` for items, ``{}`` for map values)."""

    kind: str
    path: tuple[str, ...]
    before: Any = None
    after: Any = None
    old_ptr: str = ""
    new_ptr: str = ""
    key: str = ""
    flags: int = 0


@dataclass(slots=True)
class Result:
    """Facts found directly in one schema pair, and the component pairs it reaches."""

    facts: list[Fact] = field(default_factory=list)
    children: list[tuple[tuple[str, ...], str, str, int]] = field(default_factory=list)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


def _esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _types(schema: dict[str, Any]) -> set[str] | None:
    t = schema.get("type")
    if t is None:
        return None
    return {str(x) for x in t} if isinstance(t, list) else {str(t)}


def _null_branch(s: Any) -> bool:
    return isinstance(s, dict) and (s.get("type") == "null" or s.get("type") == ["null"]) and len(
        [k for k in s if k not in ANNOTATIONS]) == 1


def _annotation_only(s: Any) -> bool:
    return isinstance(s, dict) and "$ref" not in s and all(k in ANNOTATIONS or k.startswith("x-") for k in s)
