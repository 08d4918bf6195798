"""``expect`` operators over RFC 9535 JSONPath selections."""

from __future__ import annotations

from typing import Any

import pytest

from toolcheck._absent import ABSENT
from toolcheck.scenarios._jsonpath import is_singular_query, jsonpath_values
from toolcheck.scenarios.assertions import (
    apply_operator,
    check_operators,
    check_status,
    json_equal,
)

BODY = {"status": "failed", "error": {"code": "not_found"}, "items": [{"id": 1}, {"id": 2}], "total": 10, "flag": True}


def test_jsonpath_single_multiple_and_empty() -> None:
    assert jsonpath_values("$.error.code", BODY) == "not_found"
    assert jsonpath_values("$.items[*].id", BODY) == [1, 2]
    assert jsonpath_values("$.items[?@.id > 1].id", BODY) == [2]
    assert jsonpath_values("$.nothing", BODY) is ABSENT
    assert jsonpath_values("$", BODY) is BODY
    with pytest.raises(ValueError):
        jsonpath_values("$[?@.a ==", BODY)



SIMPLE_PATHS = ["$.status", "$.error.code", "$.items[0]", "$.items[1].id", "$.items[-1].id", "$.items[-2]",
                "$.items[-3]", "$.items[2]", "$.items[0].nope", "$.total.x", "$.status[0]", "$[0]", "$[-1].id",
                "$.flag", "$.nothing.deeper", "$.error[0]", "$._x", "$.a1"]
SIMPLE_BODIES: list[Any] = [BODY, [{"id": 1}, {"id": 2}], "text", None, 3, {"items": {"0": "not an array"}, "_x": None, "a1": []},
                 {"status": {"0": 1}, "error": [1]}]


@pytest.mark.parametrize("path", SIMPLE_PATHS)
def test_simple_paths_select_what_the_rfc9535_library_selects(path: str) -> None:
    import jsonpath_rfc9535

    from toolcheck.scenarios._jsonpath import _SimplePath, compiled_path

    fast = compiled_path(path)
    assert isinstance(fast, _SimplePath)  # the library is not needed for these
    library = jsonpath_rfc9535.compile(path)
    assert is_singular_query(path)
    for body in SIMPLE_BODIES:
        assert fast.find(body).values() == library.find(body).values(), (path, body)


@pytest.mark.parametrize(("path", "singular"), [
    ("$.a", True), ("$['a']", True), ('$["a b"][0]', True), ("$[ 'a' ][ -1 ]", True), ("$.é.x", True),
    ("$['it\\'s']", True), ('$["a]"]', True), ("$.a[*]", False), ("$..a", False), ("$.a[0:1]", False),
    ("$['a','b']", False), ("$[?@.x]", False), ("$.a[?@ > 1]", False), ("$['a'][1,2]", False),
])
def test_singular_queries_are_told_from_the_text(path: str, singular: bool) -> None:
    import jsonpath_rfc9535

    query = jsonpath_rfc9535.compile(path)  # valid for the library, whatever its version
    assert is_singular_query(path) is singular
    if hasattr(query, "singular_query"):  # jsonpath-rfc9535 1.x: the same answer as ours
        assert query.singular_query() is singular


@pytest.mark.parametrize("path", ["$.items[*].id", "$..id", "$['status']", "$.items[01]", "$.é", "$ .status",
                                  "$.items[0:1]", "$.1abc", "$.items[-0]"])
def test_other_paths_go_to_the_library(path: str) -> None:
    from toolcheck.scenarios._jsonpath import _SimplePath, compiled_path

    try:
        query = compiled_path(path)
    except ValueError:
        return  # invalid for the library: reported as before
    assert not isinstance(query, _SimplePath)

@pytest.mark.parametrize(("op", "actual", "expected", "holds"), [
    ("eq", 1, 1.0, True), ("eq", True, 1, False), ("ne", "a", "b", True),
    ("gt", 10, 5, True), ("gte", 5, 5, True), ("lt", 5, 5, False), ("lte", "3", 4, True), ("gt", None, 1, False),
    ("in", "queued", ["queued", "running"], True), ("not_in", "done", ["queued"], True), ("in", 1, [True], False),
    ("contains", "hello world", "world", True), ("contains", [1, 2], 2, True), ("contains", {"a": 1}, "a", True),
    ("contains", {"a": 1, "b": 2}, {"a": 1}, True), ("not_contains", [1], 1, False),
    ("matches", "task_abc12345", r"^task_[a-z0-9]{8}$", True), ("matches", None, ".*", False),
    ("type", 1, "integer", True), ("type", 1.5, "integer", False), ("type", True, "number", False),
    ("type", None, ["string", "null"], True), ("length", [1, 2], 2, True), ("length", "abc", {"gte": 1, "lt": 3}, False),
    ("length", 5, 1, False), ("exists", "x", True, True), ("exists", ABSENT, False, True),
    ("absent", ABSENT, True, True), ("absent", None, True, False), ("eq", ABSENT, None, False),
])
def test_operators(op: str, actual: object, expected: object, holds: bool) -> None:
    assert (apply_operator(op, actual, expected) is None) is holds


def test_schema_operator_uses_the_callback() -> None:
    seen = []

    def check(schema: object, value: object) -> list[str]:
        seen.append((schema, value))
        return ["/: not a string"]

    assert apply_operator("schema", 1, {"type": "string"}, schema_check=check) == "/: not a string"
    assert seen == [({"type": "string"}, 1)]


def test_failures_carry_expected_and_actual() -> None:
    failures = check_operators("body", "$.status", {"in": ["completed"], "type": "string"}, "failed")
    assert len(failures) == 1
    f = failures[0]
    assert (f.operator, f.expected, f.actual) == ("in", ["completed"], "failed")
    assert "$.status" in f.message and "failed" in f.message
    assert check_operators("body", "$.x", 3, 3) == []  # a bare value means eq


def test_status() -> None:
    assert check_status(200, 200) is None
    assert check_status("4xx", 404) is None
    assert check_status([401, 403], 403) is None
    failure = check_status([401, "5XX"], 404)
    assert failure is not None and failure.actual == 404


def test_json_equal_is_deep() -> None:
    assert json_equal({"a": [1, {"b": 2.0}]}, {"a": [1, {"b": 2}]})
    assert not json_equal({"a": [1]}, {"a": [1, 2]})
    assert not json_equal([False], [0])


def test_each_and_any_over_several_nodes() -> None:
    statuses = jsonpath_values("$.items[*].id", BODY)
    assert apply_operator("each", statuses, {"type": "integer", "gte": 1}) is None
    assert apply_operator("each", statuses, {"lt": 2}) == "item 1 is not < 2"
    assert apply_operator("any", statuses, {"eq": 2}) is None
    assert apply_operator("any", statuses, {"eq": 3}) == "no item matches"
    assert apply_operator("each", ABSENT, {"eq": 1}) == "matched nothing"
