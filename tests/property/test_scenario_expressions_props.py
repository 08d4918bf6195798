"""Properties of the expression evaluator: pointers find what they point at; garbage never crashes."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from toolcheck.errors import ScenarioError
from toolcheck.scenarios.assertions import apply_operator, json_equal
from toolcheck.scenarios.expressions import Context, evaluate, evaluate_condition

keys = st.text(min_size=1, max_size=6)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=20,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, (*prefix, i))
    return out


def escape(token: Any) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


@settings(max_examples=150, deadline=None)
@given(json_values, st.data())
def test_a_pointer_built_from_a_path_finds_its_value(body: Any, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(paths(body)))
    expected = body
    for token in path:
        expected = expected[token]
    ctx = Context(response={"status": 200, "headers": {}, "body": body})
    pointer = "".join("/" + escape(t) for t in path)
    assert json_equal(evaluate("$response.body#" + pointer, ctx), expected)
    # == against itself always holds for scalars (Arazzo literal round trip)
    plain = not any(c.isspace() or c == ")" for c in pointer)  # conditions need spaces around operators
    if plain and (isinstance(expected, bool) or expected is None or isinstance(expected, int)):
        literal = "null" if expected is None else ("true" if expected is True else "false" if expected is False else str(expected))
        assert evaluate_condition(f"$response.body#{pointer} == {literal}", ctx)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_condition_text_is_either_a_result_or_a_scenario_error(text: str) -> None:
    ctx = Context(inputs={"a": 1}, response={"status": 200, "headers": {}, "body": {"a": [1, 2]}})
    try:
        result = evaluate_condition(text, ctx)
    except ScenarioError:
        return
    assert isinstance(result, bool)


@settings(max_examples=200, deadline=None)
@given(json_values, json_values)
def test_eq_and_ne_are_complementary_and_in_agrees_with_eq(a: Any, b: Any) -> None:
    eq = apply_operator("eq", a, b) is None
    assert eq != (apply_operator("ne", a, b) is None)
    assert (apply_operator("in", a, [b]) is None) == eq
    assert apply_operator("eq", a, a) is None
