"""Valid requests at the edges servers get wrong: huge integers, their overflowing sums, empties.

Hand-written strategies (not cases): every value is valid under the spec, so a 5xx is the
server's bug and a 4xx is tolerated (the case is ``lenient``: refusing an extreme value the
spec allows is a defensible choice, crashing on it is not).

* **Integers past machine limits** where the schema leaves them unbounded: 2^31 (int32),
  2^53 + 1 (the last exact float64 integer, JSON parsers in JavaScript), 2^63 (int64), 2^64
  (uint64) and 10^29 (a JSON bignum), each honouring ``format: int32/int64`` (OAS 3.1 §4.4);
* **overflow by combination**: every unbounded integer of the body at once at 2^63 - 1 (sums
  overflow int64) and at 2^32 (products overflow int64), the bounded ones at their maximum;
* **patterned path and header values**: more strings each parameter's ``pattern`` accepts;
* **empties**: ``""`` for strings that allow it, ``null`` for nullable members, ``[]`` / ``{}``
  for arrays and objects that allow them: one member at a time, then all at once.

Bodies are walked by their values (arrays: every element), so a leaf inside ``line_items``
counts. Each candidate is validated against the body schema before it is yielded.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.generate._schema import numeric_bounds
from toolcheck.payloads.case import Case
from toolcheck.spec import Spec

BIG = ((2**31, "2^31"), (2**53 + 1, "2^53+1"), (2**63, "2^63"), (2**64, "2^64"), (10**29, "10^29"))
_FORMAT_MAX = {"int32": 2**31 - 1, "int64": 2**63 - 1, "uint32": 2**32 - 1, "uint64": 2**64 - 1}
_FORMAT_MIN = {"int32": -(2**31), "int64": -(2**63), "uint32": 0, "uint64": 0}
MAX_PER_KIND = 8  # single-member cases per kind of edge, per operation

Path = tuple[Any, ...]


def _merged(spec: Spec, schema: Any, depth: int = 0) -> dict[str, Any]:
    """``schema`` dereferenced with its ``allOf`` parts merged (properties, required, type)."""
    schema = spec.deref(schema)
    if not isinstance(schema, dict):
        return {}
    parts = schema.get("allOf")
    if not isinstance(parts, list) or depth > 8:
        return schema
    out = {k: v for k, v in schema.items() if k != "allOf"}
    props = dict(out.get("properties") or {})
    required = list(out.get("required") or [])
    for part in parts:
        sub = _merged(spec, part, depth + 1)
        props.update(sub.get("properties") or {})
        required += list(sub.get("required") or [])
        for key in ("type", "minimum", "maximum", "format", "nullable", "minLength", "minItems", "minProperties"):
            if key in sub and key not in out:
                out[key] = sub[key]
    if props:
        out["properties"] = props
    if required:
        out["required"] = required
    return out


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    out = {kind} if isinstance(kind, str) else {t for t in kind if isinstance(t, str)} if isinstance(kind, list) else set()
    if schema.get("nullable") is True:
        out.add("null")
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key) or []:
            if isinstance(branch, dict) and branch.get("type") == "null":
                out.add("null")
    return out


def _leaves(spec: Spec, schema: Any, value: Any, path: Path, out: list[tuple[Path, dict[str, Any], bool]],
            depth: int = 0) -> None:
    """Every member of ``value`` with its schema, and whether it is optional in its parent."""
    merged = _merged(spec, schema)
    if depth > 6 or not merged:
        return
    if isinstance(value, dict):
        props = merged.get("properties") or {}
        required = set(merged.get("required") or [])
        for name, sub in props.items():
            sub_schema = _merged(spec, sub)
            if sub_schema.get("readOnly") is True:
                continue
            here = (*path, name)
            out.append((here, sub_schema, name not in required))
            if name in value:
                _leaves(spec, sub_schema, value[name], here, out, depth + 1)
    elif isinstance(value, list) and isinstance(merged.get("items"), (dict, bool)):
        for i, item in enumerate(value[:5]):
            _leaves(spec, merged["items"], item, (*path, i), out, depth + 1)


def _set(body: Any, path: Path, value: Any) -> Any | None:
    """A copy of ``body`` with ``value`` at ``path`` (None when a parent is missing)."""
    out = copy.deepcopy(body)
    node = out
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(node, (dict, list)) or (isinstance(node, list) and not isinstance(path[-1], int)):
        return None
    node[path[-1]] = value
    return out


def _pointer(path: Path) -> str:
    return "body/" + "/".join(str(p) for p in path) if path else "body"


def integer_edges(schema: dict[str, Any]) -> list[tuple[int, str]]:
    """The machine-limit integers this schema allows (none when it bounds the range)."""
    if "integer" not in _types(schema) and "number" not in _types(schema):
        return []
    lo, hi = numeric_bounds(schema, integer=True)
    fmt = str(schema.get("format") or "")
    cap = _FORMAT_MAX.get(fmt)
    floor = _FORMAT_MIN.get(fmt)
    out: list[tuple[int, str]] = []
    if hi is None:
        for value, name in BIG:
            if cap is not None and value > cap:
                continue
            out.append((value, name))
        if cap is not None:
            out.append((cap, f"{fmt} maximum"))
    if lo is None:
        for value, name in BIG[2:4]:
            if floor is not None and -value < floor:
                continue
            out.append((-value, f"-{name}"))
    return out


def _overflow_value(schema: dict[str, Any], target: int) -> int | None:
    """``target`` capped by the schema's maximum and format (None if the member is not an integer)."""
    if not _types(schema) & {"integer", "number"}:
        return None
    _, hi = numeric_bounds(schema, integer=True)
    cap = _FORMAT_MAX.get(str(schema.get("format") or ""))
    value = target
    if hi is not None:
        value = min(value, int(hi))
    if cap is not None:
        value = min(value, cap)
    return value


def edge_cases(spec: Spec, body_schema: Any, base: Case) -> Iterator[Case]:
    """Valid variants of ``base`` with edge values in its JSON body (see the module doc).

    The kinds take turns (an integer edge, an overflow, an empty, the next integer edge ...):
    under a time budget an operation may get only a few of its edges, and a few of each kind
    find more than the first few of one (a ``null`` on a nullable member after thirty integers).
    """
    if body_schema is None or base.body is ABSENT or not isinstance(base.body, (dict, list)):
        return
    validator = spec.validator(body_schema)
    leaves: list[tuple[Path, dict[str, Any], bool]] = []
    _leaves(spec, body_schema, base.body, (), leaves)
    seen: set[str] = set()

    def make(body: Any, label: str, pointer: str) -> Case | None:
        if body is None:
            return None
        key = repr(body)
        if key in seen:
            return None
        seen.add(key)
        try:
            if not validator.is_valid(body):
                return None
        except Exception:  # an unevaluable schema proves nothing
            return None
        return base.with_(body=body, label=label, lenient=True, pointer=pointer, keyword="edge")

    def integers() -> Iterator[Case]:
        """integers past machine limits, one member at a time"""
        count = 0
        for path, schema, _ in leaves:
            if _get(base.body, path) is _MISSING and len(path) > 1 or _later_item(path):
                continue
            for value, name in integer_edges(schema):
                if count >= MAX_PER_KIND * 3:
                    return
                case = make(_set(base.body, path, value), f"integer {name} at {_pointer(path)} (allowed by the spec)",
                            _pointer(path))
                if case is not None:
                    count += 1
                    yield case

    def overflows() -> Iterator[Case]:
        """overflow by combination: every integer member at once"""
        for target, what in ((2**63 - 1, "sums overflow int64"), (2**32, "products overflow int64"), (2**31 - 1, "sums overflow int32")):
            body: Any = copy.deepcopy(base.body)
            changed = 0
            for path, schema, _ in leaves:
                if _get(body, path) is _MISSING and len(path) > 1:
                    continue
                near = _overflow_value(schema, target)
                if near is None:
                    continue
                updated = _set(body, path, near)
                if updated is not None:
                    body, changed = updated, changed + 1
            if changed >= 2:
                case = make(body, f"every integer member near {target} ({what})", "body")
                if case is not None:
                    yield case

    def empties() -> Iterator[Case]:
        """"" / null / [] / {} one member at a time, then all at once"""
        singles: dict[str, int] = {}
        all_empty: Any = copy.deepcopy(base.body)
        for path, schema, optional in leaves:
            if _get(base.body, path) is _MISSING and len(path) > 1 or _later_item(path):
                continue
            types = _types(schema)
            took = False
            kinds: tuple[tuple[str, Any], ...] = (("string", ""), ("null", None), ("array", []), ("object", {}))
            for kind, empty in kinds:
                if kind not in types or singles.get(kind, 0) >= MAX_PER_KIND:
                    continue
                shown = {"string": '""', "null": "null", "array": "[]", "object": "{}"}[kind]
                case = make(_set(base.body, path, empty),
                            f"{shown} for {'optional ' if optional else ''}{_pointer(path)} (allowed by the spec)", _pointer(path))
                if case is None:
                    continue
                yield case
                singles[kind] = singles.get(kind, 0) + 1
                trial = _set(all_empty, path, empty) if not took else None
                if trial is not None and validator.is_valid(trial):
                    all_empty, took = trial, True
        if all_empty != base.body:
            case = make(all_empty, "every member that allows it empty or null", "body")
            if case is not None:
                yield case

    streams = [integers(), overflows(), empties()]
    while streams:
        for stream in list(streams):
            case = next(stream, None)
            if case is None:
                streams.remove(stream)
            else:
                yield case


PATTERN_DRAWS = 3  # more values per patterned path/header parameter than the base cases' one or two


def pattern_values(param: Any, schema: dict[str, Any], seed: int) -> list[str]:
    """Up to :data:`PATTERN_DRAWS` distinct strings ``schema``'s ``pattern`` accepts, within its
    length bounds: the short end first (``minimal``), then ever wider repeats. Drawn by walking
    the pattern and checked in bounded time (RE2, :mod:`toolcheck.spec.patterns`); a pattern
    neither engine takes gives none. Deterministic: the seed is the run's and the parameter's."""
    import random
    import zlib

    from toolcheck.generate import RegexError, string_from_regex

    pattern = schema.get("pattern")
    if not isinstance(pattern, str) or len(pattern) > 2000:
        return []
    lo: int = schema["minLength"] if isinstance(schema.get("minLength"), int) else 0
    hi: int | None = schema["maxLength"] if isinstance(schema.get("maxLength"), int) else None
    rng = random.Random(seed ^ zlib.crc32(f"{param.location}:{param.name}".encode()))
    out: list[str] = []
    for i in range(PATTERN_DRAWS * 2):
        try:
            value = string_from_regex(pattern, rng, min_length=lo, max_length=min(hi, 200) if hi is not None else 200,
                                      minimal=i == 0, spread=3 + 4 * i)
        except RegexError:
            return out
        if value not in out:
            out.append(value)
        if len(out) >= PATTERN_DRAWS:
            break
    return out


def parameter_edges(spec: Spec, params: list[Any], base: Case, *, seed: int = 0) -> Iterator[Case]:
    """Machine-limit integers in query and header parameters the schema leaves unbounded; more
    values drawn from the ``pattern`` of path and header parameters (a server that parses what
    the pattern lets through: a version header ``^\\d+\\.\\d+$`` at ``"10.0"``)."""
    from toolcheck.wire.read import parameter_accepts

    for param in params:
        if param.location in ("path", "header") and param.schema is not None:
            merged = _merged(spec, param.schema)
            slot = "path_params" if param.location == "path" else "headers"
            for text in pattern_values(param, merged, seed):
                if text == getattr(base, slot).get(param.name) or not text.isprintable() or \
                        (param.location == "path" and text.strip(".") == "") or not parameter_accepts(spec, param, text):
                    continue
                yield base.with_(**{slot: {**getattr(base, slot), param.name: text}}, lenient=True,
                                 label=f"{param.location} {param.name} = {text[:60]!r}, drawn from its pattern",
                                 pointer=f"{param.location}/{param.name}", keyword="edge")
        if param.location not in ("query", "header") or param.schema is None:
            continue
        slot = "query" if param.location == "query" else "headers"
        for value, name in integer_edges(_merged(spec, param.schema)):
            if not parameter_accepts(spec, param, value):
                continue
            current = dict(getattr(base, slot))
            current[param.name] = value
            yield base.with_(**{slot: current}, label=f"integer {name} in {param.location} {param.name} (allowed by the spec)",
                             lenient=True, pointer=f"{param.location}/{param.name}", keyword="edge")


_MISSING = object()


def _later_item(path: Path) -> bool:
    """A member of an array element after the first: single-member edges go to the first only."""
    return any(isinstance(part, int) and part > 0 for part in path)


def _get(body: Any, path: Path) -> Any:
    node = body
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return node


MAX_VARIANTS = 20


def variants(spec: Spec, body_schema: Any, base: Case, gen: Any) -> Iterator[Case]:
    """``base`` once per enum value and per ``oneOf``/``anyOf`` branch of its body's members.

    A state bug that shows only for one value of a create body (a kind stored half-initialised)
    needs a resource of every kind, each read back: random draws leave most values untried.
    """
    if body_schema is None or base.body is ABSENT or not isinstance(base.body, dict):
        return
    validator = spec.validator(body_schema)
    leaves: list[tuple[Path, dict[str, Any], bool]] = []
    _leaves(spec, body_schema, base.body, (), leaves)
    produced = 0
    for path, schema, _ in leaves:
        if _later_item(path) or len(path) > 3:
            continue
        options: list[tuple[str, Any]] = []
        if isinstance(schema.get("enum"), list):
            options = [(f"{_pointer(path)} = {value!r}", value) for value in schema["enum"][:MAX_VARIANTS]]
        for key in ("oneOf", "anyOf"):
            branches = schema.get(key)
            if isinstance(branches, list):
                for i, branch in enumerate(branches[:8]):
                    try:
                        options.append((f"{_pointer(path)} as {key} branch {i}", gen.valid_value(branch)))
                    except Exception:  # an unsatisfiable branch: nothing to create with it
                        continue
        current = _get(base.body, path)
        for label, value in options:
            if produced >= MAX_VARIANTS:
                return
            if value == current and current is not _MISSING:
                continue
            body = _set(base.body, path, value)
            if body is None:
                continue
            try:
                if not validator.is_valid(body):
                    continue
            except Exception:
                continue
            produced += 1
            yield base.with_(body=body, label=f"create with {label}")
