"""Generate a value that is valid against a schema of a Spec: realistic, seeded, always checked.

Hand-written rather than hypothesis-jsonschema: the mock needs one plausible value per request
in well under a millisecond, deterministic for a seed, and hypothesis's strategies are built
for search and shrinking (slow to build on Stripe-sized schemas, and random by design).

How it works: a schema is *flattened* (``$ref`` and ``allOf`` merged into one dict, memoised
per reference), a branch of each ``oneOf``/``anyOf`` is chosen (honouring ``discriminator``),
then a value is built per type from constraints, ``format`` and the property name. Recursion is
bounded by ``depth``: past :data:`SOFT_DEPTH` only required members are generated and nullable
or optional branches are preferred. Every candidate is verified with the spec's own JSON Schema
validator; failing candidates are regenerated (then in minimal mode) before giving up with
:class:`GenerationError` (only unsatisfiable schemas get there).
"""

from __future__ import annotations

import copy
import math
import random
import string
import weakref
from typing import TYPE_CHECKING, Any

from toolcheck.generate import RegexError, fill_items, is_num, merge, numeric_bounds, string_from_regex
from toolcheck.generate._flatten import Unsatisfiable as _Unsatisfiable
from toolcheck.generate._flatten import flat_cache, flatten
from toolcheck.generate._flatten import flat_types as _types
from toolcheck.mock import _realistic as real
from toolcheck.mock._fastcheck import is_valid, value_fits
from toolcheck.mock._schemautil import _has_ref, _singular, discriminator_prop
from toolcheck.spec.formats import INTEGER_FORMATS
from toolcheck.spec.visibility import flags_in, hidden_flag, hides, strip

if TYPE_CHECKING:
    from toolcheck.spec import Spec

__all__ = ["GenerationError", "generate_value", "is_valid"]

SOFT_DEPTH = 4  # past this nesting, only required members (cycles end here)
HARD_DEPTH = 48  # a cycle of *required* members: no finite instance
ATTEMPTS = 6
_ALNUM = string.ascii_letters + string.digits

_names_cache: weakref.WeakKeyDictionary[Any, frozenset[str]] = weakref.WeakKeyDictionary()


class GenerationError(ValueError):
    """No valid value was found (the schema is unsatisfiable or cannot be evaluated)."""


def generate_value(
    spec: Spec,
    schema: Any,
    *,
    rng: random.Random,
    name: str = "",
    depth: int = 0,
    direction: str = "response",
) -> Any:
    """A value valid against ``schema`` (refs resolved in ``spec``), realistic for ``name``.

    Args:
        spec: the spec whose ``document`` holds the schema's ``$ref`` targets.
        schema: a JSON Schema 2020-12 (as found in ``Spec.document``).
        rng: the source of randomness; the same seed gives the same value.
        name: the property or parameter name, used for realistic values (``email``, ``city``).
        depth: starting nesting depth (a caller generating a member passes its own depth + 1).
        direction: ``"response"`` leaves out optional ``writeOnly`` members, ``"request"``
            leaves out optional ``readOnly`` ones.

    Raises:
        GenerationError: no valid value could be built (unsatisfiable schema).
    """
    gen = _Generator(spec, rng, direction)
    last: Any = None
    for attempt in range(ATTEMPTS):
        gen.minimal = attempt >= ATTEMPTS // 2
        try:
            value = gen.value(schema, name, depth)
        except _Unsatisfiable:
            continue
        verdict = is_valid(spec, schema, value, direction)
        if verdict:
            return value
        last = value
    for candidate in _declared_values(spec, schema):
        candidate = strip(spec, schema, candidate, hidden_flag(direction))
        if is_valid(spec, schema, candidate, direction):
            return copy.deepcopy(candidate)
    raise GenerationError(f"no valid value found for schema {_short(schema)} (last try: {_short(last)})")


def with_derived_totals(spec: Spec, schema: Any, value: Any) -> Any:
    """``value`` with a total recomputed from its line items, when that still validates."""
    derived = real.derive_totals(value)
    return derived if derived is not value and is_valid(spec, schema, derived) else value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 120 else text[:117] + "..."


def _declared_values(spec: Spec, schema: Any) -> list[Any]:
    schema = spec.deref(schema)
    if not isinstance(schema, dict):
        return []
    out: list[Any] = []
    if "default" in schema:
        out.append(schema["default"])
    examples = schema.get("examples")
    if isinstance(examples, list):
        out.extend(examples)
    if "example" in schema:
        out.append(schema["example"])
    return out


_NONE = object()


class _Generator:
    def __init__(self, spec: Spec, rng: random.Random, direction: str) -> None:
        self.spec = spec
        self.rng = rng
        self.direction = direction
        self.minimal = False
        self.flat = flat_cache(spec)

    def resource_names(self) -> frozenset[str]:
        """Lower-cased names of the spec's component schemas (memoised with the flat cache)."""
        hit = _names_cache.get(self.spec)
        if hit is None:
            hit = _names_cache[self.spec] = frozenset(str(k).lower() for k in self.spec.schemas)
        return hit

    # --- flattening ----------------------------------------------------------------------
    def flatten(self, schema: Any, stack: tuple[str, ...] = ()) -> Any:
        """``$ref`` and ``allOf`` merged into one dict; ``oneOf``/``anyOf`` kept as choices."""
        return flatten(self.spec, schema, self.flat, stack)

    # --- dispatch ------------------------------------------------------------------------
    def value(self, schema: Any, name: str, depth: int) -> Any:
        if depth > HARD_DEPTH:
            raise _Unsatisfiable
        if schema is True or schema is None:
            return self.string({}, name)
        if schema is False:
            raise _Unsatisfiable
        flat = self.flatten(schema)
        if not isinstance(flat, dict):
            return self.string({}, name)
        choices = flat.get("_choices")
        if choices and ("enum" in flat or "const" in flat):
            return self.pick_listed(flat, choices)
        if choices:
            return self.choose(flat, choices, name, depth)
        if "const" in flat:
            return copy.deepcopy(flat["const"])
        enum = flat.get("enum")
        if isinstance(enum, list) and enum:
            return copy.deepcopy(self.rng.choice(enum))
        types = _types(flat)
        if ("examples" in flat or "example" in flat) and not self.minimal and self.rng.random() < 0.6:
            found = self.declared_example(flat, types)
            if found is not _NONE:
                return found
        if not types:
            return self.string(flat, name)
        kind = self.pick_type(types, depth)
        if kind == "null":
            return None
        if kind == "object":
            return self.object(flat, name, depth)
        if kind == "array":
            return self.array(flat, name, depth)
        if kind == "integer":
            return self.integer(flat, name)
        if kind == "number":
            return self.number(flat, name)
        if kind == "boolean":
            return self.rng.random() < 0.5
        return self.string(flat, name)

    def declared_example(self, flat: dict[str, Any], types: list[str]) -> Any:
        """A scalar ``example``/``examples`` value of the schema itself, when it still fits."""
        if any(t in ("object", "array") for t in types):
            return _NONE
        raw = flat.get("examples")
        candidates = list(raw) if isinstance(raw, list) else []
        if "example" in flat:
            candidates.append(flat["example"])
        candidates = [c for c in candidates if c is None or (isinstance(c, (str, int, float, bool)) and c != "")]
        if not candidates:
            return _NONE
        pick = self.rng.choice(candidates)
        return pick if value_fits(self.spec, flat, pick) else _NONE

    def pick_listed(self, flat: dict[str, Any], choices: list[Any]) -> Any:
        """An ``enum``/``const`` value that also satisfies the ``oneOf``/``anyOf`` beside it."""
        listed = [flat["const"]] if "const" in flat else list(flat.get("enum") or [])
        self.rng.shuffle(listed)
        for candidate in listed:
            if all(_fits_group(self.spec, kind, branches, candidate) for kind, branches, _ in choices):
                return copy.deepcopy(candidate)
        raise _Unsatisfiable

    def pick_type(self, types: list[str], depth: int) -> str:
        if len(types) == 1:
            return types[0]
        concrete = [t for t in types if t != "null"]
        if "null" in types and (not concrete or self.minimal or depth >= SOFT_DEPTH or self.rng.random() < 0.1):
            return "null"
        # Prefer scalars when recursion is deep: they end a cycle.
        if depth >= SOFT_DEPTH:
            scalars = [t for t in concrete if t not in ("object", "array")]
            if scalars:
                concrete = scalars
        return self.rng.choice(concrete)

    def choose(self, flat: dict[str, Any], choices: list[Any], name: str, depth: int) -> Any:
        base = {k: v for k, v in flat.items() if k != "_choices"}
        tag: tuple[str, str] | None = None
        for _kind, branches, discriminator in choices:
            candidates = list(branches)
            if depth >= SOFT_DEPTH or self.minimal:
                simple = [b for b in candidates if not _has_ref(b)]
                candidates = simple or candidates
            # The first branch is usually the main shape (Stripe: customer before deleted_customer).
            branch = candidates[0] if self.rng.random() < 0.5 else self.rng.choice(candidates)
            if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
                tag = self.discriminate(discriminator, branches, branch)
                if tag is not None:
                    branch = {"$ref": tag[1]} if tag[1].startswith("#") else branch
            flat_branch = self.flatten(branch)
            if flat_branch is False:
                raise _Unsatisfiable
            if isinstance(flat_branch, dict):
                base = merge(base, flat_branch)
        result = self.value(base, name, depth)
        if tag is not None and isinstance(result, dict):
            prop = discriminator_prop(choices)
            raw_props = base.get("properties")
            props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
            declared = self.flatten(props.get(prop, {}))
            pinned: Any = None
            if isinstance(declared, dict):
                pinned = declared.get("enum") if "enum" in declared else [declared["const"]] if "const" in declared else None
            # A branch that pins another value (enum/const) keeps it; a value the property merely
            # allows (an enum of every tag, declared beside the oneOf) must be this branch's tag.
            if not (isinstance(declared, dict) and "_choices" in declared) and (
                not isinstance(pinned, list) or tag[0] in pinned
            ):
                result[prop] = tag[0]
        return result

    def discriminate(self, discriminator: dict[str, Any], branches: list[Any], branch: Any) -> tuple[str, str] | None:
        mapping = discriminator.get("mapping")
        if isinstance(mapping, dict) and mapping:
            refs = {b.get("$ref") for b in branches if isinstance(b, dict)}
            options = [(k, v) for k, v in mapping.items() if isinstance(v, str) and (v in refs or not refs - {None})]
            if options:
                key, target = self.rng.choice(options)
                if not target.startswith("#"):
                    target = f"#/components/schemas/{target}"
                return str(key), target
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if isinstance(ref, str):
            return ref.rsplit("/", 1)[-1], ref
        return None

    # --- types ---------------------------------------------------------------------------
    def object(self, schema: dict[str, Any], name: str, depth: int) -> dict[str, Any]:
        rng = self.rng
        props = schema.get("properties")
        props = props if isinstance(props, dict) else {}
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        additional = schema.get("additionalProperties", True)
        patterns = schema.get("patternProperties")
        patterns = patterns if isinstance(patterns, dict) else {}
        out: dict[str, Any] = {}
        deep = self.minimal or depth >= SOFT_DEPTH
        for key in required:
            if key in props and self.hidden(props[key]):
                continue  # required in the other direction only (OpenAPI 3.0.3 §4.7.25)
            out[key] = self.member(schema, key, props, patterns, additional, depth)
        keep = 1.0 if depth == 0 else 0.85 if depth == 1 else 0.6 if depth == 2 else 0.35
        for key, sub in props.items():
            if key in out or deep or not isinstance(key, str):
                continue
            if self.hidden(sub) or rng.random() > keep:
                continue
            try:
                out[key] = self.value(sub, key, depth + 1)
            except _Unsatisfiable:
                continue
        max_props = schema.get("maxProperties")
        if is_num(max_props):
            for key in [k for k in out if k not in required][: max(0, len(out) - int(max_props))]:
                del out[key]
        min_props = schema.get("minProperties")
        wanted = int(min_props) if is_num(min_props) else 0
        if not props and not out and not deep and additional is not False and (additional is not True or patterns):
            wanted = max(wanted, 1)  # a map: show one entry
        for key, sub in props.items():
            if len(out) >= wanted:
                break
            if key not in out:
                out[key] = self.value(sub, key, depth + 1)
        tries = 0
        while len(out) < wanted and tries < wanted * 4 + 4:
            tries += 1
            if patterns:
                pattern = rng.choice(list(patterns))
                try:
                    key = string_from_regex(pattern, rng, min_length=1, max_length=40)
                except RegexError:
                    key = real.word(rng)
                out[key] = self.value(patterns[pattern], key, depth + 1)
            elif additional is not False:
                key = self.key_for(schema)
                out[key] = self.value(additional if isinstance(additional, dict) else {}, key, depth + 1)
            else:
                break
        dependent = schema.get("dependentRequired")
        if isinstance(dependent, dict):
            for key, needs in dependent.items():
                if key in out and isinstance(needs, list):
                    for need in needs:
                        if isinstance(need, str) and need not in out:
                            out[need] = self.member(schema, need, props, patterns, additional, depth)
        return out

    def key_for(self, schema: dict[str, Any]) -> str:
        names = schema.get("propertyNames")
        if isinstance(names, dict):
            flat = self.flatten(names)
            if isinstance(flat, dict):
                try:
                    value = self.string(flat, "")
                    return value
                except _Unsatisfiable:
                    pass
        return f"{real.word(self.rng)}_{self.rng.randint(1, 99)}"

    def member(self, schema: dict[str, Any], key: str, props: dict[str, Any], patterns: dict[str, Any],
               additional: Any, depth: int) -> Any:
        if key in props:
            return self.value(props[key], key, depth + 1)
        from toolcheck.spec.patterns import PatternTimeout, search

        for pattern, sub in patterns.items():
            try:
                if search(pattern, key):
                    return self.value(sub, key, depth + 1)
            except (PatternTimeout, ValueError):
                continue
        if isinstance(additional, dict):
            return self.value(additional, key, depth + 1)
        return self.string({}, key)

    def hidden(self, sub: Any) -> bool:
        """A member this direction never carries (``writeOnly`` in a response, ``readOnly`` in a
        request); the validators skip it in ``required`` the same way (spec.visibility.hides)."""
        flag = hidden_flag(self.direction)
        return flag is not None and flag in flags_in(self.spec) and hides(self.spec, sub, flag)

    def array(self, schema: dict[str, Any], name: str, depth: int) -> list[Any]:
        rng = self.rng
        lo = int(schema.get("minItems") or 0) if is_num(schema.get("minItems")) else 0
        hi_raw = schema.get("maxItems")
        hi = int(hi_raw) if is_num(hi_raw) else None
        if self.minimal or depth >= SOFT_DEPTH:
            count = lo
        else:
            top = max(lo, 1) + (2 if depth < 2 else 0)
            count = rng.randint(max(lo, 1), top)
        if hi is not None:
            count = min(count, hi)
        prefix_raw = schema.get("prefixItems")
        prefix: list[Any] = prefix_raw if isinstance(prefix_raw, list) else []
        items = schema.get("items", True)
        item_name = _singular(name)
        out = fill_items(count, prefix, items, lambda sub: self.value(sub, item_name, depth + 1),
                         unique=bool(schema.get("uniqueItems")))
        if len(out) < lo:
            raise _Unsatisfiable
        contains = schema.get("contains")
        if contains is not None and contains is not False:
            need = schema.get("minContains", 1)
            need = int(need) if is_num(need) else 1
            for _ in range(max(need, 0)):
                if hi is not None and len(out) >= hi:
                    out.pop(0)
                out.append(self.value(contains, item_name, depth + 1))
        return out

    def string(self, schema: dict[str, Any], name: str) -> str:
        rng = self.rng
        lo = int(schema.get("minLength") or 0) if is_num(schema.get("minLength")) else 0
        hi_raw = schema.get("maxLength")
        hi = int(hi_raw) if is_num(hi_raw) else None
        if hi is not None and hi < lo:
            raise _Unsatisfiable
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            try:
                return string_from_regex(pattern, rng, min_length=lo, max_length=hi)
            except RegexError:
                pass
        fmt = schema.get("format")
        text: str | None = None
        if isinstance(fmt, str):
            maker = real.FORMATS.get(fmt)
            if maker is not None:
                text = maker(rng)
            elif fmt in ("int32", "int64", "integer", "decimal", "double", "float", "number"):
                text = str(rng.randint(1, 10000))
        if text is None:
            text = real.string_for_name(name, rng)
            if text is None and name and name.lower() in self.resource_names():
                # A string field named after a resource holds its id (Stripe's `customer`).
                text = f"{name.lower()[:3]}_{real.token(rng, 14)}"
            if text is not None and hi is not None and len(text) > hi:
                text = None
        if text is None:
            text = real.word(rng) if hi is None or hi >= 6 else "".join(rng.choice(_ALNUM) for _ in range(max(lo, 1)))
        if len(text) < lo:
            text += "".join(rng.choice(_ALNUM) for _ in range(lo - len(text)))
        if hi is not None and len(text) > hi:
            text = text[:hi]
        return text

    def integer(self, schema: dict[str, Any], name: str) -> int:
        value = self._integer(schema, name)
        span = INTEGER_FORMATS.get(str(schema.get("format")))
        if span is not None and not span[0] <= value <= span[1]:  # int32/int64 are checked formats
            lo, hi = numeric_bounds(schema, integer=True)
            lo, hi = max(lo if lo is not None else span[0], span[0]), min(hi if hi is not None else span[1], span[1])
            if hi < lo:
                raise _Unsatisfiable
            value = self._integer({**schema, "minimum": lo, "maximum": hi}, name)
        return value

    def _integer(self, schema: dict[str, Any], name: str) -> int:
        lo, hi = numeric_bounds(schema, integer=True)
        mult = schema.get("multipleOf")
        guess = real.number_for_name(name, self.rng)
        if schema.get("format") in ("unix-time", "unixtime", "timestamp", "epoch"):
            guess = self.rng.randint(1_700_000_000, 1_800_000_000)
        if isinstance(mult, int) and not isinstance(mult, bool) and mult > 0:
            first = math.ceil((lo if lo is not None else 0 if hi is None or hi >= 0 else hi - 100 * mult) / mult)
            last = math.floor(hi / mult) if hi is not None else first + 20
            if last < first:
                raise _Unsatisfiable
            return self.rng.randint(first, min(last, first + 20)) * mult
        if guess is not None:
            value = int(guess)
            if (lo is None or value >= lo) and (hi is None or value <= hi):
                return value
        if lo is None and hi is None:
            return self.rng.randint(1, 1000)
        if lo is None:
            assert hi is not None
            return self.rng.randint(min(hi, 1) if hi >= 1 else hi - 100, hi)
        if hi is None:
            return self.rng.randint(lo, lo + 1000)
        if hi < lo:
            raise _Unsatisfiable
        return self.rng.randint(lo, hi)

    def number(self, schema: dict[str, Any], name: str) -> float | int:
        mult = schema.get("multipleOf")
        if is_num(mult) and mult > 0:
            if float(mult).is_integer() or (1 / mult).is_integer():
                return self.integer({**schema, "multipleOf": int(mult) if float(mult).is_integer() else 1}, name)
            lo, hi = numeric_bounds(schema, integer=False)
            start = math.ceil((lo or 0) / mult)
            for k in range(start, start + 50):
                value = k * mult
                if (hi is None or value <= hi) and (value / mult) == int(value / mult):
                    return value
            raise _Unsatisfiable
        lo, hi = numeric_bounds(schema, integer=False)
        guess = real.number_for_name(name, self.rng)
        if guess is not None and (lo is None or guess >= lo) and (hi is None or guess <= hi):
            return guess
        if lo is None and hi is None:
            return round(self.rng.uniform(1, 1000), 2)
        if lo is None:
            assert hi is not None
            lo = hi - 1000
        if hi is None:
            hi = lo + 1000
        if hi < lo:
            raise _Unsatisfiable
        value = round(self.rng.uniform(lo, hi), 2)
        if value < lo or value > hi:
            value = lo
        return value


def _fits_group(spec: Spec, kind: str, branches: list[Any], value: Any) -> bool:
    matches = sum(1 for branch in branches if is_valid(spec, branch, value))
    return matches == 1 if kind == "oneOf" else matches >= 1
