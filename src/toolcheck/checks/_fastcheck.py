# mypy: disable-error-code="misc"
# (closures bind loop values as lambda defaults, which mypy cannot infer; the module is typed through `Check`)
"""A compiled yes/no JSON Schema check for hot paths (jsonschema stays the authority).

``jsonschema`` builds an error object tree while it walks; answering "is this valid?" for
every request and every generated body that way cost half of the mock's time per request,
and every response of ``run`` and ``fuzz`` is checked the same way.
This module compiles a schema once into nested closures that only answer yes or no, for the
keywords OpenAPI specs use (type, enum, const, properties, required, additionalProperties,
patternProperties, items/prefixItems, lengths, bounds, pattern, format, allOf/anyOf/oneOf/not,
local ``$ref``, cycles included). Semantics follow ``jsonschema`` exactly: its own ``equal``,
``uniq`` and format checker are reused. A schema using anything else (``if``, ``multipleOf``,
``unevaluated*``, ``contains``, ``dependent*``, ``$dynamicRef``, remote refs) is not compiled
and callers fall back to ``jsonschema``; error *messages* always come from ``jsonschema``.

``jsonschema`` itself (with ``referencing`` and ``attrs``, ~30 ms of a ``run``'s start-up) is
imported only when a schema needs one of its helpers (enum or const beyond strings, uniqueItems,
format), so a run whose responses all pass such schemas never loads it.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from toolcheck.spec.discriminator import branch_table
from toolcheck.spec.patterns import PatternTimeout, compile_search
from toolcheck.spec.visibility import effective_flag, hides

if TYPE_CHECKING:
    from toolcheck.spec import Spec

Check = Callable[[Any], bool]
_UNSUPPORTED = frozenset({"if", "then", "else", "multipleOf", "unevaluatedProperties", "unevaluatedItems",
                          "contains", "minContains", "maxContains", "dependentRequired", "dependentSchemas",
                          "$dynamicRef", "$recursiveRef", "$id", "dependencies"})
_cache: weakref.WeakKeyDictionary[Any, dict[tuple[int, str | None], tuple[Any, Check | None]]] = (
    weakref.WeakKeyDictionary())
_refs: weakref.WeakKeyDictionary[Any, dict[str, list[Check | None]]] = weakref.WeakKeyDictionary()


_LOCK = threading.RLock()


class _Unsupported(Exception):
    pass


def fast_check(spec: Spec, schema: Any, direction: str | None = None) -> Check | None:
    """A compiled validity check for ``schema`` in ``spec``, or None when it needs jsonschema.

    With ``direction`` (``"request"``/``"response"``) a required property hidden in that
    direction is not required (:mod:`toolcheck.spec.visibility`), as ``validator_for`` does."""
    flag = effective_flag(spec, direction) if direction is not None else None
    cache = _cache.get(spec)
    if cache is None:
        cache = _cache[spec] = {}
    hit = cache.get((id(schema), flag))
    if hit is not None and hit[0] is schema:
        return hit[1]
    with _LOCK:  # a half-compiled $ref cell must never be run by another thread
        return _compile_cached(spec, schema, cache, flag)


def _compile_cached(spec: Spec, schema: Any, cache: dict[tuple[int, str | None], tuple[Any, Check | None]],
                    flag: str | None = None) -> Check | None:
    hit = cache.get((id(schema), flag))
    if hit is not None and hit[0] is schema:
        return hit[1]
    refs = _refs.get(spec)
    if refs is None:
        refs = _refs[spec] = {}
    if len(cache) > 50_000:  # schemas built on the fly (merged allOf branches) must not pile up
        cache.clear()
    compiler = _Compiler(spec, refs, flag)
    try:
        check: Check | None = compiler.compile(schema)
    except (_Unsupported, re.error, RecursionError, KeyError, TypeError, ValueError):
        # Refs compiled in this attempt may close over the one that failed: forget them all.
        for ref in compiler.created:
            refs.pop(ref, None)
        check = None
    cache[(id(schema), flag)] = (schema, check)
    return check


def is_valid(spec: Spec, schema: Any, value: Any, direction: str | None = None) -> bool:
    """Whether ``value`` validates (as a ``direction`` body: see :func:`fast_check`); a schema
    that cannot be evaluated counts as valid."""
    try:
        fast = fast_check(spec, schema, direction)
        if fast is not None:
            return fast(value)
        from toolcheck.spec.jsonschema import validator_for  # jsonschema loads only when needed

        return bool(validator_for(spec, schema, direction).is_valid(value))
    except RecursionError:
        return True
    except Exception:  # unresolvable refs, broken patterns: the schema, not the value, is at fault
        return True


def value_fits(spec: Spec, schema: dict[str, Any], value: Any) -> bool:
    """Check ``value`` against a schema built on the fly (not cached; False when unsupported)."""
    with _LOCK:
        refs = _refs.get(spec)
        if refs is None:
            refs = _refs[spec] = {}
        return _fits(spec, refs, schema, value)


def _fits(spec: Spec, refs: dict[str, list[Check | None]], schema: dict[str, Any], value: Any) -> bool:
    compiler = _Compiler(spec, refs)
    try:
        check = compiler.compile({k: v for k, v in schema.items() if not k.startswith("_")})
    except (_Unsupported, re.error, RecursionError, KeyError, TypeError, ValueError):
        for ref in compiler.created:
            refs.pop(ref, None)
        return False
    return check(value)


def _is_int(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": _is_int,
    "number": _is_num,
}


def _equal() -> Any:
    from jsonschema._utils import equal

    return equal


def _uniq() -> Any:
    from jsonschema._utils import uniq

    return uniq


def _format_checker() -> Any:
    from toolcheck.spec.jsonschema import FORMAT_CHECKER

    return FORMAT_CHECKER


def _always(_: Any) -> bool:
    return True


def _never(_: Any) -> bool:
    return False


class _Compiler:
    def __init__(self, spec: Spec, refs: dict[str, list[Check | None]], flag: str | None = None) -> None:
        self.spec = spec
        self.refs = refs
        self.flag = flag  # readOnly/writeOnly: required properties so marked are not required
        self.created: list[str] = []

    def ref(self, ref: str) -> Check:
        if not ref.startswith("#"):
            raise _Unsupported(ref)
        key = ref if self.flag is None else self.flag + ref  # a ref compiles once per direction
        cell = self.refs.get(key)
        if cell is None:
            cell = self.refs[key] = [None]
            self.created.append(key)
            cell[0] = self.compile(self.spec.resolve(ref))

        def follow(v: Any, cell: list[Check | None] = cell) -> bool:
            fn = cell[0]
            return True if fn is None else fn(v)  # None only while its own cycle is compiling

        return follow

    def compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise _Unsupported("not a schema")
        if _UNSUPPORTED.intersection(schema):
            raise _Unsupported(", ".join(_UNSUPPORTED.intersection(schema)))
        checks: list[Check] = []
        if isinstance(schema.get("$ref"), str):
            checks.append(self.ref(schema["$ref"]))
        kind = schema.get("type")
        if kind is not None:
            kinds = [kind] if isinstance(kind, str) else list(kind)
            fns = [_TYPES[k] for k in kinds]
            checks.append(fns[0] if len(fns) == 1 else (lambda v, fns=fns: any(f(v) for f in fns)))
        if "enum" in schema:
            enum = list(schema["enum"])
            if all(isinstance(e, str) for e in enum):  # jsonschema's equal() is == for a string
                names = frozenset(enum)
                checks.append(lambda v, names=names: isinstance(v, str) and v in names)
            else:
                equal = _equal()
                checks.append(lambda v, enum=enum, equal=equal: any(equal(e, v) for e in enum))
        if "const" in schema:
            const = schema["const"]
            if isinstance(const, str):
                checks.append(lambda v, const=const: isinstance(v, str) and v == const)
            else:
                equal = _equal()
                checks.append(lambda v, const=const, equal=equal: equal(v, const))
        checks.extend(self._strings(schema))
        checks.extend(self._numbers(schema))
        checks.extend(self._objects(schema))
        checks.extend(self._arrays(schema))
        for key in ("allOf", "anyOf", "oneOf"):
            if key in schema:
                subs = [self.compile(s) for s in schema[key]]
                if key == "allOf":
                    checks.extend(subs)
                    continue
                if key == "anyOf":
                    plain: Check = lambda v, subs=subs: any(s(v) for s in subs)  # noqa: E731
                else:
                    plain = lambda v, subs=subs: sum(1 for s in subs if s(v)) == 1  # noqa: E731
                table = branch_table(schema, schema[key])
                if table is None:
                    checks.append(plain)
                else:  # OpenAPI's discriminator names the branch (toolcheck.spec.discriminator)
                    prop, by_value = table
                    chosen = {value: subs[schema[key].index(branch)] for value, branch in by_value.items()}
                    checks.append(lambda v, prop=prop, chosen=chosen, plain=plain: (
                        chosen[v[prop]](v) if isinstance(v, dict) and isinstance(v.get(prop), str) and v[prop] in chosen
                        else plain(v)))
        if "not" in schema:
            negated = self.compile(schema["not"])
            checks.append(lambda v, negated=negated: not negated(v))
        if not checks:
            return _always
        if len(checks) == 1:
            return checks[0]
        return lambda v, checks=tuple(checks): all(c(v) for c in checks)

    def _strings(self, schema: dict[str, Any]) -> list[Check]:
        out: list[Check] = []
        lo, hi = schema.get("minLength"), schema.get("maxLength")
        if lo is not None:
            out.append(lambda v, lo=lo: not isinstance(v, str) or len(v) >= lo)
        if hi is not None:
            out.append(lambda v, hi=hi: not isinstance(v, str) or len(v) <= hi)
        if "pattern" in schema:
            search = compile_search(schema["pattern"])
            out.append(lambda v, search=search: not isinstance(v, str) or _bounded(search, v))
        if "format" in schema and isinstance(schema["format"], str):
            fmt, checker = schema["format"], _format_checker()
            if fmt in checker.checkers:
                conforms = checker.conforms
                out.append(lambda v, fmt=fmt: conforms(v, fmt))
        return out

    def _numbers(self, schema: dict[str, Any]) -> list[Check]:
        out: list[Check] = []
        for key, test in (("minimum", lambda v, b: v >= b), ("maximum", lambda v, b: v <= b),
                          ("exclusiveMinimum", lambda v, b: v > b), ("exclusiveMaximum", lambda v, b: v < b)):
            bound = schema.get(key)
            if bound is None:
                continue
            if not _is_num(bound):
                raise _Unsupported(key)
            out.append(lambda v, bound=bound, test=test: not _is_num(v) or test(v, bound))
        return out

    def _objects(self, schema: dict[str, Any]) -> list[Check]:
        out: list[Check] = []
        required = schema.get("required")
        if required and self.flag is not None:
            props_raw = schema.get("properties")
            props_map = props_raw if isinstance(props_raw, dict) else {}
            required = [n for n in required if not hides(self.spec, props_map.get(n), self.flag)]
        if required:
            names = tuple(required)
            out.append(lambda v, names=names: not isinstance(v, dict) or all(n in v for n in names))
        lo, hi = schema.get("minProperties"), schema.get("maxProperties")
        if lo is not None:
            out.append(lambda v, lo=lo: not isinstance(v, dict) or len(v) >= lo)
        if hi is not None:
            out.append(lambda v, hi=hi: not isinstance(v, dict) or len(v) <= hi)
        props = {k: self.compile(s) for k, s in (schema.get("properties") or {}).items()}
        patterns = [(compile_search(p), self.compile(s)) for p, s in (schema.get("patternProperties") or {}).items()]
        extra_schema = schema.get("additionalProperties")
        extra = self.compile(extra_schema) if extra_schema is not None else None
        names_schema = schema.get("propertyNames")
        names_check = self.compile(names_schema) if names_schema is not None else None
        if props or patterns or extra is not None or names_check is not None:
            def objects(v: Any) -> bool:
                if not isinstance(v, dict):
                    return True
                for key, value in v.items():
                    known = False
                    check = props.get(key)
                    if check is not None:
                        known = True
                        if not check(value):
                            return False
                    for search, sub in patterns:
                        if _bounded(search, key):
                            known = True
                            if not sub(value):
                                return False
                    if not known and extra is not None and not extra(value):
                        return False
                    if names_check is not None and not names_check(key):
                        return False
                return True

            out.append(objects)
        return out

    def _arrays(self, schema: dict[str, Any]) -> list[Check]:
        out: list[Check] = []
        lo, hi = schema.get("minItems"), schema.get("maxItems")
        if lo is not None:
            out.append(lambda v, lo=lo: not isinstance(v, list) or len(v) >= lo)
        if hi is not None:
            out.append(lambda v, hi=hi: not isinstance(v, list) or len(v) <= hi)
        if schema.get("uniqueItems") is True:
            uniq = _uniq()
            out.append(lambda v, uniq=uniq: not isinstance(v, list) or uniq(v))
        prefix = [self.compile(s) for s in schema.get("prefixItems") or []]
        items = self.compile(schema["items"]) if "items" in schema else None
        if prefix or items is not None:
            start = len(prefix)

            def arrays(v: Any) -> bool:
                if not isinstance(v, list):
                    return True
                for check, value in zip(prefix, v, strict=False):
                    if not check(value):
                        return False
                if items is not None:
                    for value in v[start:]:
                        if not items(value):
                            return False
                return True

            out.append(arrays)
        return out


def _bounded(search: Callable[[str], bool], text: str) -> bool:
    """A pattern search; one that ran out of time is "not shown valid": the full validator then
    reports it (toolcheck.spec.patterns)."""
    try:
        return search(text)
    except PatternTimeout:
        return False
