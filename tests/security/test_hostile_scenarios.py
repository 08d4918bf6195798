"""Hostile scenario files, expressions and assertions: only the project's errors, never a traceback.

A scenario file can come from a pull request. Hypothesis writes documents from the format's own
vocabulary mixed with hostile values (deep nesting, `$env.`, `{$`, regex and JSONPath bombs, lone
surrogates, control characters, huge numbers) and feeds them to the loader, the expression
language and the assertion operators. Every example is bounded by the engine's own limits
(node budget, RE2, token caps); Hypothesis' deadline is off because the machine is shared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolcheck._absent import ABSENT
from toolcheck.errors import ToolcheckError
from toolcheck.scenarios import bind_env, load_file
from toolcheck.scenarios._jsonpath import jsonpath_values
from toolcheck.scenarios.assertions import OPERATORS, apply_operator, check_operators
from toolcheck.scenarios.expressions import (
    Context,
    ExpressionError,
    evaluate,
    evaluate_condition,
    parse_condition,
    render,
)

LOAD_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                                HealthCheck.too_slow])
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                            HealthCheck.too_slow])

HOSTILE_TEXT = st.sampled_from([
    "$env.AWS_SECRET_ACCESS_KEY", "{$env.HOME}", "$inputs.x", "$steps.a.outputs.b", "$response.body#/a/0",
    "$response.header.Location", "$statusCode == 200 && !(", "((((((((((", "!" * 300, "^(a+)+$", "(a|aa)*$",
    "(?=x)", r"(\w+)\1", "$..*..*..*..*", "$[?@..*]", "$..[?@ == $]", "\ud800", "line\n::error::x", "\x00\x1b[31m",
    "9" * 5000, "1e309", "'unterminated", '"', "#/", "$", "{$", "}", "$env.", "$env.A.B.C",
])
TEXT = st.one_of(st.text(max_size=40), HOSTILE_TEXT)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                   st.floats(allow_nan=False), TEXT)
JSON = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(TEXT, inner, max_size=4)), max_leaves=20)
KEYS = st.sampled_from(["name", "spec", "server", "env", "inputs", "auth", "steps", "finally", "data", "timeout",
                        "contract", "tags", "outputs", "id", "operation", "params", "headers", "body", "expect",
                        "poll", "retry", "if", "status", "path", "until", "fail_if", "max_attempts", "max_time",
                        "interval", "matches", "each", "any", "length", "schema", "eq", "in", "exists",
                        "arazzo", "workflows", "workflowId", "stepId", "operationId", "successCriteria",
                        "onFailure", "type", "retryLimit", "condition", "context", "x-toolcheck-env"])
DOCUMENT = st.recursive(JSON, lambda inner: st.dictionaries(KEYS, inner, max_size=6) | st.lists(inner, max_size=3),
                        max_leaves=40)


def _step(draw: Any) -> dict[str, Any]:
    step: dict[str, Any] = {"id": draw(st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)),
                            "operation": draw(st.sampled_from(["getThing", "GET /thing", "nope"]))}
    for key in draw(st.lists(st.sampled_from(["params", "headers", "expect", "poll", "retry", "if", "outputs"]),
                             max_size=3, unique=True)):
        step[key] = draw(DOCUMENT)
    if draw(st.booleans()):
        step["expect"] = {"status": 200, "body": [{"path": draw(TEXT), draw(st.sampled_from(OPERATORS)): draw(JSON)}]}
    return step


@st.composite
def scenarios(draw: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": draw(TEXT), "spec": "openapi.yaml", "steps": [_step(draw) for _ in range(draw(st.integers(1, 3)))]}
    extra = draw(st.dictionaries(KEYS, DOCUMENT, max_size=3))
    doc.update({k: v for k, v in extra.items() if k not in ("steps",)} if draw(st.booleans()) else {})
    return doc


def _load(tmp: Path, text: str) -> None:
    path = tmp / "fuzzed.toolcheck.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    try:
        loaded = load_file(path)
        bind_env(loaded, {"HOME": "/root", "AWS_SECRET_ACCESS_KEY": "x" * 20})
    except ToolcheckError:
        pass


@LOAD_SETTINGS
@given(doc=scenarios())
def test_shaped_documents_load_or_fail_cleanly(tmp_path_factory: Any, doc: dict[str, Any]) -> None:
    tmp = tmp_path_factory.mktemp("h")
    (tmp / "openapi.yaml").write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n")
    _load(tmp, json.dumps(doc, ensure_ascii=True, default=str))


@LOAD_SETTINGS
@given(doc=DOCUMENT)
def test_arbitrary_documents_load_or_fail_cleanly(tmp_path_factory: Any, doc: Any) -> None:
    tmp = tmp_path_factory.mktemp("h")
    try:
        text = yaml.safe_dump(doc, allow_unicode=False)
    except yaml.YAMLError:
        return
    _load(tmp, text)


@SETTINGS
@given(text=st.one_of(st.text(max_size=300), HOSTILE_TEXT,
                      st.lists(HOSTILE_TEXT | st.sampled_from(["&&", "||", "==", "!", "(", ")", "'a'", "1", "null"]),
                               max_size=400).map(" ".join)))
def test_conditions_parse_or_raise_expression_error(text: str) -> None:
    ctx = Context(inputs={"x": 1}, env={"HOME": "/root"}, response={"status": 200, "headers": {}, "body": {"a": [1]}})
    try:
        parse_condition(text)
        evaluate_condition(text, ctx)
    except ExpressionError:
        pass


@SETTINGS
@given(expr=TEXT, value=JSON)
def test_expressions_and_templates_never_crash(expr: str, value: Any) -> None:
    ctx = Context(inputs={"x": value}, env={"HOME": "/root"}, request={"method": "GET", "url": "u"},
                  response={"status": 200, "headers": {"a": "b"}, "body": value})
    try:
        evaluate(expr, ctx)
    except ExpressionError:
        pass
    try:
        render({"k": expr, "l": [expr, f"x {{{expr}}} y"]}, ctx)
        render({"k": expr}, ctx, prune=True)
    except ExpressionError:
        pass


@SETTINGS
@given(op=st.sampled_from([*OPERATORS, "unknown"]), actual=JSON | st.just(ABSENT), expected=JSON)
def test_operators_answer_without_raising(op: str, actual: Any, expected: Any) -> None:
    reason = apply_operator(op, actual, expected)
    assert reason is None or isinstance(reason, str)
    for failure in check_operators("body", "$.x", {op: expected} if op in OPERATORS else expected, actual):
        json.dumps(failure.to_json(), default=str)


@SETTINGS
@given(path=TEXT, body=JSON)
def test_jsonpath_selects_or_raises_value_error(path: str, body: Any) -> None:
    try:
        jsonpath_values(path, body)
    except ValueError:
        pass
