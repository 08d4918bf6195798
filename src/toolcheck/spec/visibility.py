"""``readOnly`` and ``writeOnly``: which properties a direction of the exchange carries.

OpenAPI 3.0.3 §4.7.25 (Schema Object, ``readOnly``/``writeOnly``): a read-only property is sent
only in responses, a write-only one only in requests, and "if the property is marked as
readOnly/writeOnly being true and is in the required list, the required will take effect on the
response/request only". OpenAPI 3.1 keeps the keywords from JSON Schema (2020-12 Validation
§9.4), and the tools follow the 3.0 rule (Schemathesis drops such properties from ``required``
and forbids them in the other direction). So one schema reads two ways:

- a **response** never carries a ``writeOnly`` property and need not carry a required one;
- a **request** need not carry a required ``readOnly`` property.

``hidden_flag(direction)`` names the keyword that hides a property in a direction;
:func:`flags_in` says whether a spec uses it at all (most do not: then validation is the plain
one, no cost); :func:`hides` and :func:`strip` apply it to one property / one value.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toolcheck.spec.model import Spec

__all__ = ["effective_flag", "flags_in", "hidden_flag", "hides", "strip"]

_FLAGS = ("readOnly", "writeOnly")
_MAX_DEPTH = 64
_by_id: dict[int, tuple[weakref.ref[Any], frozenset[str]]] = {}


_HIDDEN = {"response": "writeOnly", "request": "readOnly"}


def hidden_flag(direction: str | None) -> str | None:
    """``writeOnly`` for ``"response"``, ``readOnly`` for ``"request"``, else None."""
    return _HIDDEN.get(direction) if direction else None


def flags_in(spec: Spec) -> frozenset[str]:
    """Which of ``readOnly``/``writeOnly`` the spec's document sets to true anywhere (cached:
    asked on every validity check, so keyed by ``id`` and checked by a weak reference, which
    costs a fraction of a ``WeakKeyDictionary`` lookup)."""
    hit = _by_id.get(id(spec))
    if hit is not None and hit[0]() is spec:
        return hit[1]
    result = _scan(spec)
    if len(_by_id) > 256:  # specs come and go (tests, reloads): forget the dead ones
        for key, (ref, _) in list(_by_id.items()):  # a snapshot: other threads may insert
            if ref() is None:
                _by_id.pop(key, None)
    _by_id[id(spec)] = (weakref.ref(spec), result)
    return result


def _scan(spec: Spec) -> frozenset[str]:
    found: set[str] = set()
    stack: list[Any] = [spec.document]
    seen = 0
    while stack and len(found) < len(_FLAGS):
        node = stack.pop()
        seen += 1
        if isinstance(node, dict):
            for flag in _FLAGS:
                if node.get(flag) is True:
                    found.add(flag)
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return frozenset(found)


def effective_flag(spec: Spec, direction: str | None) -> str | None:
    """The flag to honour in ``direction``, or None when the spec never sets it (plain checks)."""
    flag = _HIDDEN.get(direction) if direction else None
    return flag if flag is not None and flag in flags_in(spec) else None


def hides(spec: Spec, sub: Any, flag: str, depth: int = 0) -> bool:
    """Whether property schema ``sub`` carries ``flag``: on itself, its ``$ref`` target, or an
    ``allOf`` member (``{allOf: [{$ref: Money}], readOnly: true}`` is how 3.0 specs flag a ref)."""
    if not isinstance(sub, dict) or depth > 8:
        return False
    if sub.get(flag) is True:
        return True
    ref = sub.get("$ref")
    if isinstance(ref, str):
        try:
            target = spec.deref(sub)
        except Exception:  # an unresolvable ref hides nothing; validation reports it
            target = None
        if target is not sub and hides(spec, target, flag, depth + 1):
            return True
    members = sub.get("allOf")
    return isinstance(members, list) and any(hides(spec, m, flag, depth + 1) for m in members)


def strip(spec: Spec, schema: Any, value: Any, flag: str | None) -> Any:
    """``value`` without the properties its schema marks ``flag`` (a response without its
    ``writeOnly`` members), at any depth; the same object when there is nothing to remove.

    A property counts as hidden when any schema that applies to it here (its ``properties``
    entry, through ``$ref``, ``allOf``, ``anyOf``, ``oneOf``) carries the flag: a value that
    then no longer validates is for the caller to refuse (the mock serves another).
    """
    if flag is None or flag not in flags_in(spec) or not isinstance(value, (dict, list)):
        return value
    return _strip(spec, (schema,), value, flag, 0)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What stripping needs to know of one place in a schema, worked out once per schema (the
    mock strips every answer. Train-travel, responder only, 3 interleaved rounds at load 2:
    13.8k requests/CPU-s before writeOnly stripping, 10.4k walking the schema on every answer,
    13.3k with plans)."""

    reaches: bool  # a hidden property at this place or under it: else the value is kept as is
    hidden: frozenset[str]  # properties hidden here
    props: dict[str, tuple[Any, ...]]  # the schemas that apply to each named property
    extra: tuple[Any, ...]  # additionalProperties schemas, for the other members
    extra_hidden: bool
    items: tuple[Any, ...]


_plans: dict[tuple[str, tuple[int, ...]], tuple[tuple[Any, ...], _Plan]] = {}
_MAX_PLANS = 8192
_CYCLE = _Plan(True, frozenset(), {}, (), False, ())  # a recursive schema: walk it


def _plan(spec: Spec, schemas: tuple[Any, ...], flag: str, depth: int, busy: set[tuple[int, ...]]) -> _Plan:
    ids = tuple(id(s) for s in schemas)
    hit = _plans.get((flag, ids))
    if hit is not None and all(a is b for a, b in zip(hit[0], schemas, strict=True)):
        return hit[1]
    if ids in busy or depth > 32:
        return _CYCLE
    busy.add(ids)
    applicable = [a for s in schemas for a in _applicable(spec, s)]
    names: dict[str, list[Any]] = {}
    for a in applicable:
        if isinstance(a.get("properties"), dict):
            for key, sub in a["properties"].items():
                names.setdefault(key, []).append(sub)
    props = {key: tuple(subs) for key, subs in names.items()}
    hidden = frozenset(key for key, subs in props.items() if any(hides(spec, sub, flag) for sub in subs))
    extra = tuple(a["additionalProperties"] for a in applicable if isinstance(a.get("additionalProperties"), dict))
    extra_hidden = any(hides(spec, sub, flag) for sub in extra)
    items = tuple(a["items"] for a in applicable if isinstance(a.get("items"), dict))
    reaches = bool(hidden) or extra_hidden or any(
        _plan(spec, subs, flag, depth + 1, busy).reaches
        for subs in (*(s for k, s in props.items() if k not in hidden), extra, items) if subs)
    busy.discard(ids)
    plan = _Plan(reaches, hidden, props, extra, extra_hidden, items)
    if len(_plans) >= _MAX_PLANS:  # bounded: specs come and go
        _plans.clear()
    _plans[(flag, ids)] = (schemas, plan)
    return plan


def _strip(spec: Spec, schemas: tuple[Any, ...], value: Any, flag: str, depth: int) -> Any:
    if depth > _MAX_DEPTH or not isinstance(value, (dict, list)):
        return value
    plan = _plan(spec, schemas, flag, 0, set())
    if not plan.reaches:
        return value
    if isinstance(value, list):
        if not plan.items:
            return value
        out_list = [_strip(spec, plan.items, item, flag, depth + 1) for item in value]
        return value if all(a is b for a, b in zip(out_list, value, strict=True)) else out_list
    changed = False
    out: dict[str, Any] = {}
    for key, member in value.items():
        subs = plan.props.get(key)
        if subs is None:
            if plan.extra_hidden:
                changed = True
                continue
            subs = plan.extra
        elif key in plan.hidden:
            changed = True
            continue
        inner = _strip(spec, subs, member, flag, depth + 1) if subs else member
        changed = changed or inner is not member
        out[key] = inner
    return out if changed else value


def _applicable(spec: Spec, schema: Any) -> list[dict[str, Any]]:
    """The schema and every subschema that may apply at the same place (refs followed, the
    branches of ``allOf``/``anyOf``/``oneOf`` flattened), bounded."""
    out: list[dict[str, Any]] = []
    stack: list[Any] = [schema]
    seen: set[int] = set()
    while stack and len(out) < 256:
        node = stack.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node.get("$ref"), str):
            try:
                target = spec.deref(node)
            except Exception:
                target = None
            if isinstance(target, dict) and target is not node:
                stack.append(target)
        out.append(node)
        for key in ("allOf", "anyOf", "oneOf"):
            branches = node.get(key)
            if isinstance(branches, list):
                stack.extend(branches)
    return out
