"""``expect`` assertions: status, headers, body by JSONPath with operators, response time.

Hand-written: the operator set is toolcheck's own (see the scenario format in the README);
JSONPath itself is RFC 9535 through :mod:`jsonpath_rfc9535` (imported lazily, it is only needed
when a scenario uses a body assertion). Semantics, chosen after what confused users of other
runners (``../shared/research/scenarios.md`` §5):

* a path that selects one node compares that node's value; several nodes compare the list of
  their values; an empty nodelist fails every operator except ``absent`` and ``exists: false``;
* ``eq``/``ne`` are JSON equality (``1 == 1.0``, ``true != 1``); strings compare case-sensitively;
* every failure carries the path, the expected and the actual value for the report's diff.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.details import Assertion
from toolcheck.scenarios._jsonpath import JSONPathBudgetError, bounded_find, compiled_path
from toolcheck.scenarios.expressions import (
    Context,
    condition_values,
    evaluate,
    evaluate_condition,
)
from toolcheck.scenarios.model import Criterion

OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "not_contains",
             "matches", "exists", "absent", "type", "length", "schema", "each", "any")


# One failed expectation is the report's typed record (check, path, operator, expected, actual,
# message); ``Failure`` is the name the scenario modules know it by.
Failure = Assertion


_JSON_TYPES = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool) or isinstance(v, float) and v.is_integer(),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def json_type(value: Any) -> str:
    """The JSON type name of a Python value (``integer`` before ``number``)."""
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _JSON_TYPES[name](value):
            return name
    return type(value).__name__


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value, booleans never equal numbers, deep for containers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _order(op: str, actual: Any, expected: Any) -> bool:
    if actual is None or actual is ABSENT or isinstance(actual, bool):
        return False
    if isinstance(actual, str) and isinstance(expected, (int, float)):
        try:
            actual = float(actual)
        except ValueError:
            return False
    try:
        return bool({"gt": actual > expected, "gte": actual >= expected,
                     "lt": actual < expected, "lte": actual <= expected}[op])
    except TypeError:
        return False


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str):
        return isinstance(expected, str) and expected in actual
    if isinstance(actual, list):
        return any(json_equal(item, expected) for item in actual)
    if isinstance(actual, dict):
        if isinstance(expected, dict):
            return all(k in actual and json_equal(actual[k], v) for k, v in expected.items())
        try:
            return expected in actual  # a key of the object
        except TypeError:  # an unhashable value (a list) names no key
            return False
    return False


def _matches(actual: Any, pattern: Any) -> bool:
    """RE2 search (linear time: the pattern comes from a scenario file; see toolcheck.saferegex).

    Raises:
        RegexError: the pattern is invalid or needs backtracking.
    """
    if not isinstance(actual, (str, int, float)) or isinstance(actual, bool):
        return False
    from toolcheck.saferegex import search

    return search(str(pattern), str(actual))


def _length_of(actual: Any) -> int | None:
    return len(actual) if isinstance(actual, (str, list, dict)) else None


SchemaCheck = Callable[[Any, Any], list[str]]


def apply_operator(op: str, actual: Any, expected: Any, *, schema_check: SchemaCheck | None = None) -> str | None:
    """Apply one operator; return None when it holds, else a short reason."""
    present = actual is not ABSENT
    if op == "exists":
        return None if present == bool(expected) else ("is missing" if expected else "is present")
    if op == "absent":
        return None if (not present) == bool(expected) else ("is present" if expected else "is missing")
    if not present:
        return "matched nothing"
    if op == "eq":
        return None if json_equal(actual, expected) else "is not equal"
    if op == "ne":
        return None if not json_equal(actual, expected) else "is equal"
    if op in ("gt", "gte", "lt", "lte"):
        return None if _order(op, actual, expected) else f"is not {_SYMBOL[op]} {expected!r}"
    if op in ("in", "not_in"):
        options = expected if isinstance(expected, list) else [expected]
        inside = any(json_equal(actual, o) for o in options)
        return None if inside == (op == "in") else ("is not one of the expected values" if op == "in" else "is one of the excluded values")
    if op == "contains":
        return None if _contains(actual, expected) else "does not contain it"
    if op == "not_contains":
        return None if not _contains(actual, expected) else "contains it"
    if op == "matches":
        from toolcheck.saferegex import RegexError

        try:
            return None if _matches(actual, expected) else "does not match"
        except RegexError as exc:
            return f"cannot be matched: {exc}"
    if op == "type":
        names = expected if isinstance(expected, list) else [expected]
        ok = any(_JSON_TYPES.get(str(n), lambda v: False)(actual) for n in names)
        return None if ok else f"is of type {json_type(actual)}"
    if op == "length":
        length = _length_of(actual)
        if length is None:
            return f"has no length (type {json_type(actual)})"
        if isinstance(expected, Mapping):
            for sub, bound in expected.items():
                reason = apply_operator(str(sub), length, bound)
                if reason is not None:
                    return f"length {length} {reason}"
            return None
        return None if length == expected else f"has length {length}"
    if op == "schema":
        errors = schema_check(expected, actual) if schema_check else []
        return None if not errors else "; ".join(errors[:3])
    if op in ("each", "any"):
        # For several nodes ($.data[*].status): each / any of the values meets every operator.
        items = actual if isinstance(actual, list) else [actual]
        ops = expected if isinstance(expected, Mapping) else {"eq": expected}
        reasons = [next((f"item {i} {r}" for sub, want in ops.items()
                         for r in [apply_operator(str(sub), item, want, schema_check=schema_check)] if r), None)
                   for i, item in enumerate(items)]
        if op == "each":
            return next((r for r in reasons if r), None)
        return None if any(r is None for r in reasons) else "no item matches"
    return f"unknown operator {op!r}"


_SYMBOL = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def check_status(expected: Any, status: int) -> Failure | None:
    """``status``: an int, a ``"4xx"`` class, or a list of either."""
    options = expected if isinstance(expected, list) else [expected]
    for option in options:
        text = str(option).lower()
        if text == str(status) or (len(text) == 3 and text.endswith("xx") and text[0] == str(status)[0]):
            return None
    return Failure("status", "$statusCode", "in" if isinstance(expected, list) else "eq", expected, status,
                   f"status {status}, expected {_show(expected)}")


def check_operators(check: str, path: str, spec: Any, actual: Any, *, schema_check: SchemaCheck | None = None,
                    render: Callable[[Any], Any] | None = None) -> list[Failure]:
    """Apply an operator map (``{eq: 1, type: integer}``) or a bare value (``eq``) to ``actual``."""
    ops = spec if isinstance(spec, Mapping) and spec and all(k in OPERATORS for k in spec) else {"eq": spec}
    out: list[Failure] = []
    for op, expected in ops.items():
        if render is not None and op != "schema":
            expected = render(expected)
        reason = apply_operator(op, actual, expected, schema_check=schema_check)
        if reason is not None:
            shown = "nothing" if actual is ABSENT else _show(actual)
            out.append(Failure(check, path, op, expected, actual,
                               f"{path} {reason}: expected {op} {_show(expected)}, got {shown}"))
    return out


def _show(value: Any, limit: int = 120) -> str:
    import json

    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def evaluate_criterion(criterion: Criterion, ctx: Context) -> tuple[bool, Any]:
    """Evaluate one Arazzo criterion; returns (passed, the context value it looked at)."""
    if criterion.type == "simple":
        ok = evaluate_condition(criterion.condition, ctx, case_insensitive=True)
        return ok, (None if ok else condition_values(criterion.condition, ctx))
    value = evaluate(criterion.context, ctx) if criterion.context else ABSENT
    if criterion.type == "regex":
        text = "" if value is ABSENT or value is None else str(value)
        from toolcheck.saferegex import RegexError, search

        try:
            return search(criterion.condition, text), value
        except RegexError as exc:
            return False, str(exc)
    if criterion.type == "jsonpath":
        # Arazzo 1.1 / RFC 9535: the criterion passes when the nodelist is non-empty.
        if value is ABSENT:
            return False, None
        try:
            return bool(bounded_find(compiled_path(criterion.condition), value)), value
        except JSONPathBudgetError as exc:
            return False, str(exc)
    return False, f"unsupported criterion type {criterion.type!r}"


def check_transition(transitions: Any, previous: Any, state: Any) -> str | None:
    """Poll ``transitions``: a list is an order never to go back on; a map lists next states."""
    if not transitions or state is ABSENT:
        return None
    if isinstance(transitions, list):
        if state not in transitions:
            return f"state {state!r} is not one of the allowed states {transitions}"
        if previous is not ABSENT and previous in transitions and transitions.index(state) < transitions.index(previous):
            return f"state went backwards: {previous!r} → {state!r} (allowed order: {' → '.join(map(str, transitions))})"
        return None
    if isinstance(transitions, dict):
        known = set(transitions) | {s for nxt in transitions.values() for s in nxt}
        if state not in known:
            return f"state {state!r} is not a known state ({', '.join(sorted(map(str, known)))})"
        if previous is not ABSENT and previous != state and state not in (transitions.get(previous) or []):
            return f"transition {previous!r} → {state!r} is not allowed"
    return None
