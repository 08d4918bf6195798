"""Runtime expressions, templates and simple conditions (Arazzo 1.1 §4.8.18, §4.8.21)."""

from __future__ import annotations

import pytest

from toolcheck._absent import ABSENT
from toolcheck.errors import ScenarioError
from toolcheck.scenarios.expressions import (
    Context,
    evaluate,
    evaluate_condition,
    is_expression,
    render,
)


@pytest.fixture
def ctx() -> Context:
    return Context(
        inputs={"name": "Ada", "customer": {"firstName": "Ada", "tags": ["a", "b"]}, "n": 3},
        steps={"create-task": {"outputs": {"id": "task_1", "count": 2}}},
        env={"API_BASE": "http://127.0.0.1:1"},
        request={"method": "GET", "url": "http://x/y", "headers": {"x-trace": "t1"}, "query": {"q": "z"}, "path": {}, "body": None},
        response={"status": 202, "headers": {"location": "/tasks/task_1", "retry-after": "2"},
                  "body": {"status": "Queued", "items": [{"id": 7}], "a/b": 1, "m~n": 2}},
    )


def test_roots_and_pointers(ctx: Context) -> None:
    assert evaluate("$statusCode", ctx) == 202
    assert evaluate("$method", ctx) == "GET"
    assert evaluate("$inputs.name", ctx) == "Ada"
    assert evaluate("$inputs.customer#/firstName", ctx) == "Ada"
    assert evaluate("$steps.create-task.outputs.id", ctx) == "task_1"
    assert evaluate("$response.header.Location", ctx) == "/tasks/task_1"
    assert evaluate("$response.body#/items/0/id", ctx) == 7
    assert evaluate("$response.body#/a~1b", ctx) == 1
    assert evaluate("$response.body#/m~0n", ctx) == 2
    assert evaluate("$request.header.X-Trace", ctx) == "t1"
    assert evaluate("$request.query.q", ctx) == "z"
    assert evaluate("$env.API_BASE", ctx) == "http://127.0.0.1:1"


def test_missing_values_are_missing_not_errors(ctx: Context) -> None:
    assert evaluate("$response.body#/nope", ctx) is ABSENT
    assert evaluate("$steps.unknown.outputs.id", ctx) is ABSENT
    assert evaluate("$response.body#/items/5", ctx) is ABSENT
    assert evaluate("$env.NOT_SET_ANYWHERE", ctx) is ABSENT


def test_not_an_expression_is_a_scenario_error(ctx: Context) -> None:
    with pytest.raises(ScenarioError):
        evaluate("$nonsense.x", ctx)
    assert not is_expression("plain text")
    assert not is_expression("$inputs.a and more")
    assert is_expression("$inputs.a")


def test_render_keeps_types_and_embeds(ctx: Context) -> None:
    assert render("$inputs.n", ctx) == 3
    assert render("{$inputs.customer}", ctx) == {"firstName": "Ada", "tags": ["a", "b"]}
    assert render("Hello {$inputs.name}, task {$steps.create-task.outputs.id}", ctx) == "Hello Ada, task task_1"
    assert render({"a": ["$inputs.name", {"b": "$statusCode"}]}, ctx) == {"a": ["Ada", {"b": 202}]}
    assert render("$response.body#/missing", ctx) is None
    assert render("literal $ sign", ctx) == "literal $ sign"


@pytest.mark.parametrize(("condition", "expected"), [
    ("$statusCode == 202", True),
    ("$statusCode != 202", False),
    ("$statusCode >= 200 && $statusCode < 300", True),
    ("$statusCode == 200 || $statusCode == 202", True),
    ("!($statusCode == 202)", False),
    ("$response.body#/status == 'Queued'", True),
    ("$response.body#/status == 'queued'", False),
    ("$response.body#/nope == null", True),
    ("$response.body#/items", True),
    ("$response.header.Retry-After > 1", True),
    ("$steps.create-task.outputs.count == 2.0", True),
    ("$inputs.name == 'It''s'", False),
    ("true", True),
])
def test_conditions(ctx: Context, condition: str, expected: bool) -> None:
    assert evaluate_condition(condition, ctx) is expected


def test_arazzo_conditions_compare_strings_case_insensitively(ctx: Context) -> None:
    assert evaluate_condition("$response.body#/status == 'queued'", ctx, case_insensitive=True)


@pytest.mark.parametrize("bad", ["$statusCode ==", "($statusCode == 1", "$statusCode = 1", "foo == 1", "__import__('os')"])
def test_bad_conditions_raise(ctx: Context, bad: str) -> None:
    with pytest.raises(ScenarioError):
        evaluate_condition(bad, ctx)


def test_arazzo_1_1_selector_objects(ctx: Context) -> None:
    from toolcheck.scenarios.expressions import Selector, as_selector

    by_path = as_selector({"context": "$response.body", "selector": "$.items[0].id"})
    assert isinstance(by_path, Selector) and render(by_path, ctx) == 7
    by_pointer = as_selector({"context": "$inputs.customer", "selector": "/tags/1", "type": {"type": "jsonpointer"}})
    assert render(by_pointer, ctx) == "b"
    assert render(as_selector({"context": "$response.body", "selector": "/x", "type": "xpath"}), ctx) is None
    assert as_selector({"context": "a", "selector": "b", "other": 1}) == {"context": "a", "selector": "b", "other": 1}
