"""Fast, seeded generation of JSON values that satisfy a JSON Schema 2020-12.

Hand-written instead of hypothesis-jsonschema because it is the hot path of ``fuzz``: one
draw is a few microseconds of ``random`` calls plus one validation, against milliseconds for
hypothesis-jsonschema (``benchmarks/fuzz_vs_schemathesis.py`` measures both; Schemathesis
made the same move for the same reason). Three modes:

* ``random``: optional properties with probability 1/2, lengths and ranges drawn;
* ``minimal``: only what is required, at the low boundary (shrinking and the boundary phase);
* ``maximal``: every optional property, lengths and numbers at the upper boundary.

Recursion through ``$ref`` is bounded by ``max_depth``; beyond it optional properties are
dropped and a required cycle gives up (:class:`Unsatisfiable`). Every result is checked with
the spec's validator by :meth:`ValueGenerator.valid_value`, so "positive" stays a guarantee.

Shared with the mock's generator (``mock/generate.py``) through :mod:`toolcheck.generate`:
the regex generator, the ``format`` values, the ``allOf`` merge, numeric bounds and the
``uniqueItems`` fill loop. Two schema walkers remain on purpose, because they want different
things from the same schema: the mock draws *one realistic, stable* value per request (values
by property name, declared examples, discriminators, ``$ref`` flattening memoised per spec,
shallow nesting) and must not change per seed; the fuzzer draws *many diverse* values in three
modes that aim at the boundaries (``minimal``/``maximal``, spicy characters, wider repeats) at
thousands of bodies a second. Merging them would put a mode switch on every branch of both.
"""

from __future__ import annotations

import random
from typing import Any

from toolcheck.generate import FORMATS, RegexError, fill_items, merge, numeric_bounds, string_from_regex
from toolcheck.spec import Spec
from toolcheck.spec.patterns import PatternTimeout, search

RANDOM, MINIMAL, MAXIMAL = "random", "minimal", "maximal"
_TEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_SPICY = ["é", "€", " ", "'", '"', "<", "&", "ß", "日", "-", "_", "."]
_MERGE_SKIP = frozenset({"allOf", "$ref"})  # anyOf/oneOf stay: the first part's wins
# The boundary phase's value per format: fixed and short, what shrinking converges to. Other
# modes draw from the format generators shared with the mock (toolcheck.generate._formats).
_MINIMAL_FORMATS = {
    "date": "2026-01-01", "date-time": "2026-01-01T00:00:00Z", "time": "00:00:00Z",
    "email": "a@example.com", "idn-email": "a@example.com", "uuid": "00000000-0000-4000-8000-000000000000",
    **dict.fromkeys(("uri", "url", "iri", "uri-reference", "iri-reference"), "https://example.com/"),
    "hostname": "example.com", "idn-hostname": "example.com", "ipv4": "127.0.0.1", "ipv6": "::1", "byte": "",
}
_REGEX_SPREAD = 8  # repetitions an unbounded regex repeat may add (the mock uses 3)


def _int(schema: dict[str, Any], key: str, default: int | None = None) -> int | None:
    value = schema.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _matches(pattern: str, value: str) -> bool:
    """A spec's pattern on a drawn value, in bounded time (RE2, else a time-limited fallback):
    a hostile ``^(a+)+$`` must not stall generation. Undecidable counts as no match."""
    try:
        return search(pattern, value)
    except (ValueError, PatternTimeout):
        return False


class Unsatisfiable(Exception):
    """No value could be produced (required recursion too deep, contradictory schema)."""


class ValueGenerator:
    """Draws values for schemas of one spec.

    Args:
        spec: the spec whose ``$ref``s the schemas use.
        rng: the random source (seeded by the caller).
        direction: ``request`` skips ``readOnly`` optional properties, ``response`` skips
            ``writeOnly`` ones.
        max_depth: how many nested objects/``$ref`` hops to follow.
    """

    def __init__(self, spec: Spec, rng: random.Random, *, direction: str = "request", max_depth: int = 6) -> None:
        self.spec = spec
        self.rng = rng
        self.direction = direction
        self.max_depth = max_depth
        self.spicy = True

    # --- public -----------------------------------------------------------------------
    def valid_value(self, schema: Any, mode: str = RANDOM, *, attempts: int = 6) -> Any:
        """A value that the spec's validator accepts for ``schema``.

        Raises:
            Unsatisfiable: none found within ``attempts`` draws.
        """
        validator = self.spec.validator(schema)
        last: Exception | None = None
        for i in range(attempts):
            try:
                value = self.value(schema, mode if i == 0 else (RANDOM if mode == RANDOM else mode), 0)
            except Exception as exc:  # any odd schema (bad bounds, bad types) is "cannot generate", never a crash
                last = exc
                continue
            try:
                if validator.is_valid(value):
                    return value
            except Exception as exc:  # unresolvable refs, bad regexes in the spec
                last = exc
                break
            if mode != RANDOM and i >= 1:
                mode = RANDOM
        raise Unsatisfiable(str(last) if last else "no valid value found")

    def value(self, schema: Any, mode: str = RANDOM, depth: int = 0) -> Any:
        """Draw one value (not validated: use :meth:`valid_value`)."""
        if depth > self.max_depth + 6:
            raise Unsatisfiable("schema nesting too deep")
        if schema is True or schema is None or schema == {}:
            return self._any(mode)
        if schema is False:
            raise Unsatisfiable("false schema")
        if not isinstance(schema, dict):
            return self._any(mode)
        if "$ref" in schema:
            target = self.spec.deref({"$ref": schema["$ref"]})
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            if rest:
                target = self._merge([target, rest], depth + 1)
            return self.value(target, mode, depth + 1)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema and isinstance(schema["enum"], list) and schema["enum"]:
            options = schema["enum"]
            return options[0] if mode == MINIMAL else self.rng.choice(options)
        if "examples" in schema and isinstance(schema["examples"], list) and schema["examples"] and mode == RANDOM and self.rng.random() < 0.1:
            return schema["examples"][0]
        if "allOf" in schema and isinstance(schema["allOf"], list):
            base = {k: v for k, v in schema.items() if k != "allOf"}
            return self.value(self._merge([base, *schema["allOf"]], depth), mode, depth + 1)
        for key in ("oneOf", "anyOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                base = {k: v for k, v in schema.items() if k != key}
                branch = self._pick_branch(branches, mode)
                return self.value(self._merge([base, branch], depth) if base else branch, mode, depth + 1)
        kind = self._type(schema, mode)
        return getattr(self, "_" + kind)(schema, mode, depth)

    # --- helpers ----------------------------------------------------------------------
    def _pick_branch(self, branches: list[Any], mode: str) -> Any:
        non_null = [b for b in branches if not (isinstance(r := self.spec.deref(b), dict) and r.get("type") == "null")]
        if mode == MINIMAL:
            return non_null[0] if non_null else branches[0]
        if mode == MAXIMAL and non_null:
            # The maximal request carries content: `anyOf: [X, {type: null}]` (how pydantic says
            # Optional) gives X, as `type: [X, "null"]` does; a null there would leave a whole
            # nested model (a text filter, a schedule) untested by every case built on it.
            return self.rng.choice(non_null)
        return self.rng.choice(branches)

    def _merge(self, parts: list[Any], depth: int) -> dict[str, Any]:
        """``allOf`` parts resolved and merged (the shared merge: bounds tighten, enums intersect)."""
        out: dict[str, Any] = {}
        for part in parts:
            part = self.spec.deref(part)
            if not isinstance(part, dict):
                continue
            if isinstance(part.get("allOf"), list) and depth < self.max_depth + 4:
                part = {**{k: v for k, v in part.items() if k != "allOf"}, **self._merge(part["allOf"], depth + 1)}
            out = merge(out, {k: v for k, v in part.items() if k not in _MERGE_SKIP})
        return out

    def _type(self, schema: dict[str, Any], mode: str) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if isinstance(k, str)]
            non_null = [k for k in kinds if k != "null"]
            if not kinds:
                return "string"
            if mode == RANDOM and (not non_null or self.rng.random() < 0.1):
                kind = self.rng.choice(kinds)
            else:
                kind = non_null[0] if non_null else "null"
        if isinstance(kind, str) and kind in ("string", "integer", "number", "boolean", "null", "array", "object"):
            return kind
        if "properties" in schema or "required" in schema or "additionalProperties" in schema:
            return "object"
        if "items" in schema or "prefixItems" in schema or "minItems" in schema:
            return "array"
        if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")):
            return "number"
        return "string"

    def _any(self, mode: str) -> Any:
        if mode == MINIMAL:
            return "x"
        return self.rng.choice(["toolcheck", 7, True, "x y"])

    def _null(self, schema: dict[str, Any], mode: str, depth: int) -> None:
        return None

    def _boolean(self, schema: dict[str, Any], mode: str, depth: int) -> bool:
        return False if mode == MINIMAL else (True if mode == MAXIMAL else self.rng.random() < 0.5)

    def _integer(self, schema: dict[str, Any], mode: str, depth: int) -> int:
        ilo, ihi = numeric_bounds(schema, integer=True)
        if mode == MINIMAL:
            value = ilo if ilo is not None else (0 if ihi is None or ihi >= 0 else ihi)
        elif mode == MAXIMAL:
            value = ihi if ihi is not None else (ilo + 1000 if ilo is not None else 1000)
        else:
            a = ilo if ilo is not None else (min(ihi - 100, -100) if ihi is not None else -100)
            b = ihi if ihi is not None else a + 1000
            if a > b:
                raise Unsatisfiable("empty integer range")
            value = self.rng.randint(a, b) if self.rng.random() < 0.8 else self.rng.choice([a, b])
        multiple = schema.get("multipleOf")
        if isinstance(multiple, int) and not isinstance(multiple, bool) and multiple > 0:
            value = (value // multiple) * multiple
            if ilo is not None and value < ilo:
                value += multiple
        return int(value)

    def _number(self, schema: dict[str, Any], mode: str, depth: int) -> float | int:
        lo, hi = numeric_bounds(schema, integer=False, step=1e-6)  # closest to an exclusive bound
        multiple = schema.get("multipleOf")
        if isinstance(multiple, (int, float)) and not isinstance(multiple, bool) and multiple > 0:
            return self._integer({**schema, "multipleOf": 1}, mode, depth) * multiple if multiple >= 1 else self._integer(schema | {"multipleOf": None}, mode, depth)
        if mode == MINIMAL:
            return lo if lo is not None else (0 if hi is None or hi >= 0 else hi)
        if mode == MAXIMAL:
            return hi if hi is not None else (lo + 1000 if lo is not None else 1000.5)
        a = lo if lo is not None else (min(hi - 100, -100.0) if hi is not None else -100.0)
        b = hi if hi is not None else a + 1000
        if a > b:
            raise Unsatisfiable("empty number range")
        value = self.rng.uniform(a, b)
        return round(value, 2) if lo is None or round(value, 2) >= a and round(value, 2) <= b else value

    def _string(self, schema: dict[str, Any], mode: str, depth: int) -> str:
        lo = _int(schema, "minLength", 0) or 0
        hi = _int(schema, "maxLength")
        fmt = schema.get("format")
        pattern = schema.get("pattern")
        if isinstance(fmt, str):
            value = self._format(fmt, mode)
            if (value is not None and lo <= len(value) <= (hi if hi is not None else 10**9)
                    and (not isinstance(pattern, str) or _matches(pattern, value))):
                return value
        if isinstance(pattern, str):
            # A wider spread than the mock's: the fuzzer wants varied lengths, not tidy ids.
            try:
                return string_from_regex(pattern, self.rng, min_length=lo, max_length=hi,
                                         minimal=mode == MINIMAL, spread=_REGEX_SPREAD)
            except RegexError:
                raise Unsatisfiable(f"cannot draw a string for pattern {pattern!r}") from None
        if mode == MINIMAL:
            length = max(lo, 1) if hi is None or hi >= 1 else lo
        elif mode == MAXIMAL:
            length = hi if hi is not None and hi <= 2000 else lo + 64
        else:
            top = hi if hi is not None else lo + 16
            top = min(top, lo + 40)
            length = self.rng.randint(lo, max(lo, top))
        if length <= 0:
            return ""
        if mode == MINIMAL:
            return "a" * length  # readable, and what shrinking converges to
        chars = [self.rng.choice(_TEXT) for _ in range(length)]
        if mode == RANDOM and self.spicy and self.rng.random() < 0.15:
            chars[self.rng.randrange(length)] = self.rng.choice(_SPICY)
        return "".join(chars)

    def _format(self, fmt: str, mode: str) -> str | None:
        if mode == MINIMAL and fmt in _MINIMAL_FORMATS:
            return _MINIMAL_FORMATS[fmt]
        maker = FORMATS.get(fmt)
        return maker(self.rng) if maker is not None else None

    def _array(self, schema: dict[str, Any], mode: str, depth: int) -> list[Any]:
        lo = _int(schema, "minItems", 0) or 0
        hi = _int(schema, "maxItems")
        prefix = _list(schema.get("prefixItems"))
        items = schema.get("items", {})
        if depth >= self.max_depth:
            count = lo
        elif mode == MINIMAL:
            count = lo
        elif mode == MAXIMAL:
            count = min(hi if hi is not None else lo + 3, lo + 5)
        else:
            count = self.rng.randint(lo, max(lo, min(hi if hi is not None else lo + 3, lo + 3)))
        unique = schema.get("uniqueItems") is True
        item_mode = mode if mode != MINIMAL or not unique else RANDOM  # equal minimal items would repeat
        return fill_items(count, prefix, items, lambda sub: self.value(sub, item_mode, depth + 1), unique=unique)

    def _object(self, schema: dict[str, Any], mode: str, depth: int) -> dict[str, Any]:
        props = _dict(schema.get("properties"))
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        out: dict[str, Any] = {}
        skip = "readOnly" if self.direction == "request" else "writeOnly"
        for name in required:
            sub = props.get(name, {})
            if sub == {} and isinstance(schema.get("additionalProperties"), dict):
                sub = schema["additionalProperties"]
            out[name] = self.value(sub, mode, depth + 1)
        if depth < self.max_depth and mode != MINIMAL:
            for name, sub in props.items():
                if name in out:
                    continue
                resolved = self.spec.deref(sub)
                if isinstance(resolved, dict) and resolved.get(skip) is True:
                    continue
                if mode == RANDOM and self.rng.random() < 0.5:
                    continue
                try:
                    out[name] = self.value(sub, mode, depth + 1)
                except Unsatisfiable:
                    continue
        min_props = _int(schema, "minProperties", 0) or 0
        extra = schema.get("additionalProperties", True)
        n = 0
        while len(out) < min_props and n < min_props + 5:
            n += 1
            spare = [p for p in props if p not in out]
            if spare:
                out[spare[0]] = self.value(props[spare[0]], mode, depth + 1)
            elif extra is not False:
                out[f"key{n}"] = self.value(extra if isinstance(extra, dict) else {}, mode, depth + 1)
            else:
                break
        if (mode == RANDOM and not props and isinstance(extra, dict) and depth < self.max_depth
                and self.rng.random() < 0.5):
            out[f"key{self.rng.randint(1, 99)}"] = self.value(extra, mode, depth + 1)
        return out
