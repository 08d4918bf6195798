"""Schema-driven mutations of a valid JSON value into candidate invalid ones.

Hand-written: each mutation knows *why* it should be invalid (keyword, pointer, a readable
label) and whether it imitates a mistake LLMs make when they call tools (numbers sent as
strings, near-miss enum case, invented fields, ``null`` for optional fields, wrong date
formats, a missing required field). They are only *candidates*: :mod:`negative` keeps one
only when the original schema's validator rejects it (a negative must prove it is negative),
and labels it with the keyword and pointer the validator reports.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from toolcheck.spec import Spec
from toolcheck.spec._pointer import escape

_INVENTED = ("notes", "customer_name", "amount", "metadata", "user_id", "confirm", "description")
_MAX_DEPTH = 5
TOP = " (whole value)"  # label suffix for a change at the root; callers may rename it


@dataclass(frozen=True)
class Mutation:
    """A candidate invalid value: ``value`` is the whole (root) instance after the change."""

    value: Any
    keyword: str
    pointer: str
    label: str
    llm: bool = False


def _set(root: Any, path: list[Any], value: Any) -> Any:
    if not path:
        return value
    out = copy.deepcopy(root)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def _delete(root: Any, path: list[Any]) -> Any:
    out = copy.deepcopy(root)
    node = out
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return out


def _ptr(path: list[Any]) -> str:
    return "".join("/" + escape(str(p)) for p in path)


def _allows_null(spec: Spec, schema: Any, depth: int = 0) -> bool:
    schema = spec.deref(schema)
    if not isinstance(schema, dict) or depth > 4:
        return True
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if "enum" in schema and isinstance(schema["enum"], list):
        return None in schema["enum"]
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return any(_allows_null(spec, s, depth + 1) for s in schema[key])
    if kind is None and not any(k in schema for k in ("properties", "items", "allOf", "const", "enum")):
        return True
    return False


def _flatten(spec: Spec, schema: Any, value: Any, depth: int = 0) -> dict[str, Any]:
    """Resolve refs, merge allOf, and pick the anyOf/oneOf branch ``value`` satisfies."""
    schema = spec.deref(schema)
    if not isinstance(schema, dict) or depth > 6:
        return {}
    out = {k: v for k, v in schema.items() if k not in ("allOf", "anyOf", "oneOf")}
    for sub in schema.get("allOf") or []:
        flat = _flatten(spec, sub, value, depth + 1)
        for key, val in flat.items():
            if key == "properties" and isinstance(val, dict):
                out["properties"] = {**val, **(out.get("properties") or {})}
            elif key == "required" and isinstance(val, list):
                out["required"] = list(dict.fromkeys([*(out.get("required") or []), *val]))
            else:
                out.setdefault(key, val)
    for key in ("oneOf", "anyOf"):
        branches = schema.get(key)
        if isinstance(branches, list):
            for branch in branches:
                try:
                    if spec.validator(branch).is_valid(value):
                        flat = _flatten(spec, branch, value, depth + 1)
                        for k, v in flat.items():
                            out.setdefault(k, v)
                        break
                except Exception:  # an unresolvable branch: skip it
                    continue
    return out


def mutations(spec: Spec, schema: Any, value: Any, *, depth: int = 0, path: list[Any] | None = None,
              root: Any = None, limit: int = 400) -> Iterator[Mutation]:
    """Candidate invalid variants of ``value`` (valid for ``schema``), LLM-style ones first.

    At most ``limit`` candidates are built (each is a copy of the whole value): huge bodies of
    large specs stay bounded in time and memory.
    """
    import itertools

    path = path or []
    root = value if root is None else root
    built = list(itertools.islice(_node(spec, schema, value, path, root, depth), limit))
    for m in sorted(built, key=lambda m: not m.llm):
        if m.label.endswith(" at /"):
            about_fields = m.label.startswith(("missing required", "invented extra"))
            m = Mutation(m.value, m.keyword, m.pointer, m.label.removesuffix(" at /") + ("" if about_fields else TOP), m.llm)
        yield m


def _node(spec: Spec, schema: Any, value: Any, path: list[Any], root: Any, depth: int) -> Iterator[Mutation]:
    flat = _flatten(spec, schema, value)
    if not flat or depth > _MAX_DEPTH:
        return
    where = _ptr(path) or "/"
    yield from _wrong_type(value, path, root, where)
    if isinstance(value, str):
        yield from _string(flat, value, path, root, where)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield from _number(flat, value, path, root, where)
    elif isinstance(value, list):
        yield from _array(spec, flat, value, path, root, depth, where)
    elif isinstance(value, dict):
        yield from _object(spec, flat, value, path, root, depth, where)


def _wrong_type(value: Any, path: list[Any], root: Any, where: str) -> Iterator[Mutation]:
    if value is not None:
        yield Mutation(_set(root, path, None), "type", where, f"null at {where}", True)
    if not isinstance(value, (dict, list)):
        yield Mutation(_set(root, path, {}), "type", where, f"object instead of a scalar at {where}")
        yield Mutation(_set(root, path, [value]), "type", where, f"list instead of a single value at {where}", True)
    if isinstance(value, bool):
        yield Mutation(_set(root, path, "true" if value else "false"), "type", where, f"boolean as a string at {where}", True)
    elif isinstance(value, (int, float)):
        yield Mutation(_set(root, path, str(value)), "type", where, f"number as a string at {where}", True)
    elif isinstance(value, str):
        yield Mutation(_set(root, path, 12345), "type", where, f"number instead of a string at {where}")
    elif isinstance(value, list):
        yield Mutation(_set(root, path, value[0] if value else "item"), "type", where,
                       f"single value instead of a list at {where}", True)
    elif isinstance(value, dict):
        yield Mutation(_set(root, path, "[object]"), "type", where, f"string instead of an object at {where}")


def _string(flat: dict[str, Any], value: str, path: list[Any], root: Any, where: str) -> Iterator[Mutation]:
    enum = flat.get("enum")
    if isinstance(enum, list):
        near = value.capitalize() if value.capitalize() != value else value.lower() if value.lower() != value else value.upper()
        yield Mutation(_set(root, path, near), "enum", where, f"near-miss enum value {near!r} at {where}", True)
        if len(value) > 3:
            yield Mutation(_set(root, path, value[:-1]), "enum", where, f"truncated enum value {value[:-1]!r} at {where}", True)
        yield Mutation(_set(root, path, "not_a_valid_option"), "enum", where, f"value outside the enum at {where}")
    fmt = flat.get("format")
    if fmt == "date" and len(value) >= 10:
        y, m, d = value[:4], value[5:7], value[8:10]
        yield Mutation(_set(root, path, f"{d}/{m}/{y}"), "format", where, f"date as DD/MM/YYYY at {where}", True)
        yield Mutation(_set(root, path, f"{value}T00:00:00Z"), "format", where, f"date-time where a date is expected at {where}", True)
    elif fmt == "date-time" and len(value) >= 10:
        day = value[:10]
        yield Mutation(_set(root, path, f"{day} 10:00"), "format", where, f"date-time without 'T' and zone at {where}", True)
        yield Mutation(_set(root, path, day), "format", where, f"date where a date-time is expected at {where}", True)
    elif fmt in ("email", "uuid", "ipv4", "ipv6", "time"):
        yield Mutation(_set(root, path, "not-a-" + fmt), "format", where, f"invalid {fmt} at {where}")
    if isinstance(flat.get("pattern"), str):
        yield Mutation(_set(root, path, "!" + value), "pattern", where, f"pattern break at {where}")
        yield Mutation(_set(root, path, value.upper() if value.upper() != value else value.lower()), "pattern", where,
                       f"wrong case for a patterned value at {where}", True)
    lo = flat.get("minLength")
    if isinstance(lo, int) and lo > 0:
        yield Mutation(_set(root, path, value[: lo - 1] if len(value) >= lo - 1 else "a" * (lo - 1)), "minLength", where,
                       f"string shorter than minLength {lo} at {where}")
    hi = flat.get("maxLength")
    if isinstance(hi, int) and hi < 100_000:
        yield Mutation(_set(root, path, (value or "a") * (hi // max(len(value), 1) + 1) + "a"), "maxLength", where,
                       f"oversized string (maxLength {hi} + 1) at {where}")
    if "const" in flat and isinstance(flat["const"], str):
        yield Mutation(_set(root, path, flat["const"] + "x"), "const", where, f"wrong constant at {where}")


def _number(flat: dict[str, Any], value: float, path: list[Any], root: Any, where: str) -> Iterator[Mutation]:
    for key, delta, text in (("minimum", -1, "below minimum"), ("maximum", 1, "above maximum"),
                             ("exclusiveMinimum", 0, "at exclusiveMinimum"), ("exclusiveMaximum", 0, "at exclusiveMaximum")):
        bound = flat.get(key)
        if isinstance(bound, (int, float)) and not isinstance(bound, bool):
            yield Mutation(_set(root, path, bound + delta), key, where, f"{text} {bound} at {where}")
    kind = flat.get("type")
    if kind == "integer" or (isinstance(kind, list) and "integer" in kind and "number" not in kind):
        yield Mutation(_set(root, path, value + 0.5), "type", where, f"fraction where an integer is expected at {where}")
    multiple = flat.get("multipleOf")
    if isinstance(multiple, (int, float)) and not isinstance(multiple, bool) and multiple > 1:
        yield Mutation(_set(root, path, value + 1), "multipleOf", where, f"not a multiple of {multiple} at {where}")


def _array(spec: Spec, flat: dict[str, Any], value: list[Any], path: list[Any], root: Any, depth: int,
           where: str) -> Iterator[Mutation]:
    lo = flat.get("minItems")
    if isinstance(lo, int) and lo > 0 and len(value) >= lo:
        yield Mutation(_set(root, path, value[: lo - 1]), "minItems", where, f"fewer than {lo} items at {where}")
    hi = flat.get("maxItems")
    if isinstance(hi, int) and value and hi < 10_000:
        yield Mutation(_set(root, path, (value * (hi // len(value) + 1))[: hi + 1]), "maxItems", where,
                       f"oversized list (maxItems {hi} + 1) at {where}")
    if flat.get("uniqueItems") is True and value:
        yield Mutation(_set(root, path, [*value, copy.deepcopy(value[0])]), "uniqueItems", where, f"duplicate items at {where}")
    items = flat.get("items")
    if value and items not in (None, True, {}):
        yield from _node(spec, items, value[0], [*path, 0], root, depth + 1)


def _object(spec: Spec, flat: dict[str, Any], value: dict[str, Any], path: list[Any], root: Any, depth: int,
            where: str) -> Iterator[Mutation]:
    props: dict[str, Any] = flat["properties"] if isinstance(flat.get("properties"), dict) else {}
    required = [r for r in flat.get("required") or [] if isinstance(r, str)]
    for name in required:
        if name in value:
            yield Mutation(_delete(root, [*path, name]), "required", where, f"missing required field {name!r} at {where}", True)
    if flat.get("additionalProperties") is False or flat.get("unevaluatedProperties") is False:
        invented = next((n for n in _INVENTED if n not in props and n not in value), "toolcheck_extra")
        extended = dict(value)
        extended[invented] = "invented by the caller"
        yield Mutation(_set(root, path, extended), "additionalProperties", where,
                       f"invented extra field {invented!r} at {where}", True)
    # The members the request carries before nulls for the optional ones it leaves out: the
    # handler reads what it is sent (a null in a required member reaches code that calls
    # .strip() on it), while a null for an absent optional member mostly asks whether the
    # framework takes null for "no value". Under a budget an operation gets a few negatives.
    for name, item in value.items():
        sub = props.get(name)
        if sub is None:
            extra = flat.get("additionalProperties")
            if isinstance(extra, dict):
                sub = extra
            else:
                continue
        yield from _node(spec, sub, item, [*path, name], root, depth + 1)
    for name, sub in props.items():
        if name in required:
            continue
        if not _allows_null(spec, sub):
            extended = dict(value)
            extended[name] = None
            yield Mutation(_set(root, path, extended), "type", _ptr([*path, name]),
                           f"null for optional field {name!r}" + ("" if where == "/" else f" at {where}"), True)
