"""JSON Schema validation against a Spec, validators cached per schema.

All schemas in a :class:`~toolcheck.spec.Spec` are JSON Schema 2020-12 after normalisation and
their ``$ref``s are local to ``Spec.document`` (``#/components/...``). A validator is built on a
thin wrapper that *is* the document's top level plus ``allOf: [schema]``: local references then
resolve against the whole document (lazily, so cycles are fine), with no copying. No OpenAPI
top-level key is a JSON Schema keyword, so the wrapper adds no constraint.
"""

from __future__ import annotations

import json
import weakref
from typing import TYPE_CHECKING, Any

import jsonschema
import referencing.exceptions

from toolcheck.spec.discriminator import chosen_branch
from toolcheck.spec.formats import FORMAT_CHECKER
from toolcheck.spec.patterns import PatternTimeout, search
from toolcheck.spec.visibility import effective_flag, hides

if TYPE_CHECKING:
    from toolcheck.spec.model import Spec

__all__ = ["FORMAT_CHECKER", "OpenAPIValidator", "schema_errors", "validator_for"]


def _discriminated(keyword: Any) -> Any:
    """``oneOf``/``anyOf`` that let an OpenAPI ``discriminator`` pick the branch (see
    :mod:`toolcheck.spec.discriminator`); plain JSON Schema when the payload names none."""

    def check(validator: Any, branches: Any, instance: Any, schema: Any) -> Any:
        branch = chosen_branch(schema, branches, instance) if isinstance(branches, list) else None
        if branch is None:
            yield from keyword(validator, branches, instance, schema)
            return
        yield from validator.descend(instance, branch, schema_path=branches.index(branch))

    return check


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Any:
    """``pattern`` in bounded time (toolcheck.spec.patterns): a spec's pattern is untrusted input."""
    if not validator.is_type(instance, "string") or not isinstance(pattern, str):
        return
    try:
        matched = search(pattern, instance)
    except PatternTimeout as exc:
        yield jsonschema.ValidationError(f"{exc} (treated as not matching)")
        return
    except ValueError:
        return  # an invalid pattern is the spec's problem, reported by `check`, not the instance's
    if not matched:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Any:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            try:
                matched = search(pattern, key)
            except (PatternTimeout, ValueError):
                continue
            if matched:
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


_BASE_KEYWORDS = jsonschema.Draft202012Validator.VALIDATORS
OpenAPIValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    {"oneOf": _discriminated(_BASE_KEYWORDS["oneOf"]), "anyOf": _discriminated(_BASE_KEYWORDS["anyOf"]),
     "pattern": _pattern, "patternProperties": _pattern_properties},
)
def _directional(spec: Spec, flag: str) -> Any:
    """``OpenAPIValidator`` whose ``required`` skips properties marked ``flag`` (OpenAPI 3.0.3
    §4.7.25: a required readOnly property is required in responses only, a writeOnly one in
    requests only; see :mod:`toolcheck.spec.visibility`)."""
    base_required = _BASE_KEYWORDS["required"]

    def required(validator: Any, names: Any, instance: Any, schema: Any) -> Any:
        props = schema.get("properties") if isinstance(schema, dict) else None
        if isinstance(names, list) and isinstance(props, dict):
            names = [n for n in names if not (isinstance(n, str) and hides(spec, props.get(n), flag))]
        yield from base_required(validator, names, instance, schema)

    return jsonschema.validators.extend(OpenAPIValidator, {"required": required})


_ROOT_URI = "urn:toolcheck:spec"
_RESERVED = frozenset({"$id", "$schema", "allOf", "$defs", "$anchor", "$dynamicAnchor"})

_caches: weakref.WeakKeyDictionary[Any, dict[tuple[int, str | None], tuple[Any, jsonschema.Draft202012Validator]]] = (
    weakref.WeakKeyDictionary()
)
_classes: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def validator_for(spec: Spec, schema: Any, direction: str | None = None) -> Any:
    """A cached Draft 2020-12 validator (with format checks, and OpenAPI's ``discriminator``
    choosing among ``oneOf``/``anyOf`` branches) whose refs resolve in ``spec``.

    With ``direction`` (``"request"``/``"response"``) a required property hidden in that
    direction (``readOnly`` in a request, ``writeOnly`` in a response) is not required."""
    flag = effective_flag(spec, direction) if direction else None
    cache = _caches.get(spec)
    if cache is None:
        cache = _caches[spec] = {}
    key = (id(schema), flag)
    hit = cache.get(key)
    if hit is not None and hit[0] is schema:
        return hit[1]
    wrapper: Any = schema
    if isinstance(schema, dict):
        wrapper = {k: v for k, v in spec.document.items() if k not in _RESERVED}
        wrapper.update({"$id": _ROOT_URI, "allOf": [schema]})
    cls = OpenAPIValidator
    if flag is not None:
        classes = _classes.get(spec)
        if classes is None:
            classes = _classes[spec] = {}
        cls = classes.get(flag) or classes.setdefault(flag, _directional(spec, flag))
    validator = cls(wrapper, format_checker=FORMAT_CHECKER)
    cache[key] = (schema, validator)
    return validator


def schema_errors(spec: Spec, schema: Any, instance: Any, *, limit: int = 20,
                  direction: str | None = None) -> list[tuple[str, str]]:
    """Validation errors as ``(instance pointer, message)``, shallowest first, at most ``limit``
    (``direction``: see :func:`validator_for`)."""
    from toolcheck.spec._pointer import escape

    validator = validator_for(spec, schema, direction)
    out: list[tuple[str, str]] = []
    try:
        errors = sorted(validator.iter_errors(instance), key=lambda e: (len(e.path), str(e.message)))
    except (referencing.exceptions.Unresolvable, RecursionError) as exc:
        return [("", f"the schema cannot be evaluated: {exc}")]
    for error in errors[:limit]:
        pointer = "".join("/" + escape(str(p)) for p in error.absolute_path)
        out.append((pointer, describe(error)))
    return out


def _json(value: Any, limit: int = 80) -> str:
    """A value as it is written in the JSON or YAML the user reads (``null``, ``false``,
    double quotes), not as Python prints it (``None``, ``False``)."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _values(values: Any, shown: int = 8) -> str:
    items = list(values) if isinstance(values, (list, tuple)) else [values]
    head = ", ".join(_json(v, 40) for v in items[:shown])
    return f"[{head}{f', … {len(items) - shown} more' if len(items) > shown else ''}]"


def describe(error: jsonschema.ValidationError) -> str:
    """One validation error in JSON spelling, the reason whole: jsonschema's own messages
    print Python reprs (``None is not of type 'string'``) and a long enum list, cut at a fixed
    length, hid the reason behind it (issue 17). Keywords not rewritten here keep their
    message, bounded."""
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if kind == "type":
        types = expected if isinstance(expected, list) else [expected]
        return f"{_json(instance)} is not of type {' or '.join(_json(t) for t in types)}"
    if kind == "enum":
        return f"{_json(instance)} is not one of {_values(expected)}"
    if kind == "const":
        return f"{_json(instance)} is not {_json(expected)}"
    if kind == "required" and isinstance(instance, dict) and isinstance(expected, list):
        missing = [n for n in expected if isinstance(n, str) and n not in instance]
        if missing:
            return f"{_json(missing[0])} is a required property"
    if kind == "additionalProperties" and isinstance(instance, dict) and expected is False:
        known = set((error.schema or {}).get("properties") or {}) if isinstance(error.schema, dict) else set()
        extra = [k for k in instance if k not in known]
        if extra:
            return f"additional properties are not allowed ({_values(extra)[1:-1]} unexpected)"
    if kind == "pattern":
        return f"{_json(instance)} does not match the pattern {_json(expected, 120)}"
    if kind == "format":
        return f"{_json(instance)} is not a valid {_json(expected)}"
    message = str(error.message)
    try:
        shown = repr(instance)
    except RecursionError:
        shown = ""
    if shown and message.startswith(shown):  # "'ab' is too short", "5 is less than the minimum of 10"
        message = _json(instance) + message[len(shown):]
    return message if len(message) < 300 else message[:299] + "…"
