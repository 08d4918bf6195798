"""Arazzo runtime expressions and simple conditions, parsed and evaluated safely (no ``eval``).

Hand-written because no Python library implements the Arazzo 1.1 expression grammar, and the
scenario runner needs three things from it:

* **runtime expressions** (Arazzo 1.1 §4.8.18): ``$url``, ``$method``, ``$statusCode``,
  ``$request.{header,query,path}.NAME``, ``$request.body#/ptr``, ``$response.header.NAME``,
  ``$response.body#/ptr``, ``$inputs.x``, ``$outputs.x``, ``$steps.ID.outputs.x``,
  ``$workflows.ID.outputs.x``, ``$sourceDescriptions.NAME.url``, ``$components.KIND.NAME``,
  plus toolcheck's ``$env.NAME``. Any expression may end in ``#/json/pointer`` to select inside
  the value (``$inputs.customer#/firstName``, as the BNPL example does).
* **templates**: ``"Hello {$inputs.name}"`` embeds expressions in strings; a value that is
  exactly one expression keeps its type.
* **simple conditions** (Arazzo §4.8.21): literals (``null``, booleans, numbers, ``'text'``),
  ``== != < <= > >=``, ``&& || !`` and parentheses. A bare expression is tested for truth.
  Arazzo says string comparisons are case-insensitive; toolcheck's own ``until``/``if`` compare
  case-sensitively (``case_insensitive`` chooses).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.errors import ScenarioError
from toolcheck.scenarios._jsonpath import jsonpath_values

__all__ = [
    "Context", "ExpressionError", "condition_values", "evaluate", "evaluate_condition", "is_expression",
    "render", "resolve_pointer", "parse_condition",
]


class ExpressionError(ScenarioError):
    """An expression that cannot be parsed (a scenario error, exit 2)."""


@dataclass
class Context:
    """Everything an expression can see while one step runs.

    ``request`` holds method, url, headers (lower-case keys), query, path and body;
    ``response`` holds status, headers (lower-case keys) and body.
    """

    inputs: Mapping[str, Any] = field(default_factory=dict)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    workflows: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: Mapping[str, Any] = field(default_factory=dict)
    components: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None


_EXPR_START = re.compile(r"^\$(url|method|statusCode|request|response|inputs|outputs|steps|workflows|sourceDescriptions|components|env)\b")
_EMBEDDED = re.compile(r"\{(\$[^{}]+)\}")


def is_expression(value: Any) -> bool:
    """True for a string that is one whole runtime expression (``$inputs.x``)."""
    return isinstance(value, str) and bool(_EXPR_START.match(value)) and not any(c.isspace() for c in value.strip())


def resolve_pointer(value: Any, pointer: str) -> Any:
    """Follow an RFC 6901 JSON pointer inside ``value``; ABSENT when it leads nowhere."""
    if pointer in ("", "/"):
        return value if pointer == "" else (value.get("") if isinstance(value, dict) else ABSENT)
    if not pointer.startswith("/"):
        return ABSENT
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            if token not in value:
                return ABSENT
            value = value[token]
        elif isinstance(value, list):
            if not token.isdigit() or int(token) >= len(value):
                return ABSENT
            value = value[int(token)]
        else:
            return ABSENT
    return value


def _lookup(mapping: Any, key: str) -> Any:
    if isinstance(mapping, Mapping):
        return mapping.get(key, ABSENT)
    return ABSENT


def evaluate(expr: str, ctx: Context) -> Any:
    """Evaluate one runtime expression; ABSENT when it names nothing (yet).

    Raises:
        ExpressionError: the text is not a runtime expression.
    """
    base, hash_, pointer = expr.lstrip().partition("#")
    base = base.rstrip()  # a JSON pointer may end in a significant space; the name part may not
    match = _EXPR_START.match(base)
    if not match:
        raise ExpressionError(f"{expr!r} is not a runtime expression (expected $inputs.x, $steps.id.outputs.x, "
                              "$response.body#/ptr, $statusCode, $env.NAME ...)")
    root = match.group(1)
    rest = base[match.end():]
    if rest and not rest.startswith("."):
        raise ExpressionError(f"{expr!r}: expected '.' after ${root}")
    parts = rest[1:].split(".") if rest else []
    value = _root_value(root, parts, ctx, expr)
    if hash_:
        if value is ABSENT:
            return ABSENT
        value = resolve_pointer(value, pointer)
    return value


def _root_value(root: str, parts: list[str], ctx: Context, expr: str) -> Any:
    if root in ("url", "method"):
        return _lookup(ctx.request, root) if ctx.request else ABSENT
    if root == "statusCode":
        return ctx.response.get("status", ABSENT) if ctx.response else ABSENT
    if root in ("request", "response"):
        message = ctx.request if root == "request" else ctx.response
        if message is None or not parts:
            return ABSENT
        kind = parts[0]
        if kind == "body":
            return message.get("body", ABSENT)
        name = ".".join(parts[1:])
        if kind == "header":
            return _lookup(message.get("headers"), name.lower())
        if kind in ("query", "path"):
            return _lookup(message.get(kind), name)
        raise ExpressionError(f"{expr!r}: ${root}.{kind} is not a source (use header, query, path or body)")
    if root == "env":
        return ctx.env.get(".".join(parts), ABSENT)
    if root == "inputs":
        return _walk(ctx.inputs, parts)
    if root == "outputs":
        return _walk(ctx.outputs, parts)
    if root == "steps":
        # Step ids may hold dots only in theory; ids with '-' (Arazzo examples) split fine.
        if not parts:
            return ABSENT
        return _walk(ctx.steps.get(parts[0], ABSENT), parts[1:])
    if root == "workflows":
        if not parts:
            return ABSENT
        return _walk(ctx.workflows.get(parts[0], ABSENT), parts[1:])
    if root == "sourceDescriptions":
        if not parts:
            return ABSENT
        return _walk(ctx.sources.get(parts[0], ABSENT), parts[1:])
    if root == "components":
        return _walk(ctx.components, parts)
    return ABSENT  # pragma: no cover - the regex admits nothing else


def _walk(value: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(value, Mapping):
            value = value.get(part, ABSENT)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return ABSENT
        if value is ABSENT:
            return ABSENT
    return value


def _to_text(value: Any) -> str:
    if value is ABSENT or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


@dataclass(frozen=True)
class Selector:
    """An Arazzo 1.1 Selector Object: select inside the value of a runtime expression.

    ``type`` is ``jsonpath`` (RFC 9535: one node gives its value, several a list),
    ``jsonpointer`` (RFC 6901) or ``xpath`` (not supported: selects nothing).
    """

    context: str
    selector: str
    type: str = "jsonpath"

    def select(self, ctx: Context) -> Any:
        base = evaluate(self.context, ctx)
        if base is ABSENT:
            return ABSENT
        if self.type == "jsonpointer":
            return resolve_pointer(base, self.selector)
        if self.type == "jsonpath":
            return jsonpath_values(self.selector, base)
        return ABSENT


def as_selector(value: Any) -> Any:
    """A mapping shaped like a Selector Object becomes a :class:`Selector`; anything else as is."""
    if isinstance(value, dict) and {"context", "selector"} <= set(value) and set(value) <= {"context", "selector", "type"}:
        kind = value.get("type", "jsonpath")
        kind = kind.get("type", "jsonpath") if isinstance(kind, dict) else kind
        return Selector(str(value["context"]), str(value["selector"]), str(kind))
    return value


def render(value: Any, ctx: Context, *, prune: bool = False) -> Any:
    """Evaluate expressions inside a parameter, header or body value, recursively.

    A string that is one expression becomes the expression's value (typed); a string holding
    ``{$...}`` fragments becomes a string with each fragment substituted. ABSENT becomes None,
    or with ``prune`` (request bodies) the object member is left out.
    """
    if prune:
        return _prune(value, ctx)
    if isinstance(value, Selector):
        result = value.select(ctx)
        return None if result is ABSENT else result
    if isinstance(value, str):
        if is_expression(value):
            result = evaluate(value, ctx)
            return None if result is ABSENT else result
        if "{$" in value:
            whole = _EMBEDDED.fullmatch(value.strip())
            if whole:
                result = evaluate(whole.group(1), ctx)
                return None if result is ABSENT else result
            return _EMBEDDED.sub(lambda m: _to_text(evaluate(m.group(1), ctx)), value)
        return value
    if isinstance(value, dict):
        return {str(render(k, ctx)) if isinstance(k, str) and "{$" in k else k: render(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, ctx) for v in value]
    return value


def _prune(value: Any, ctx: Context) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(v, str):
                whole = v.strip()[1:-1] if _EMBEDDED.fullmatch(v.strip()) else v
                if is_expression(whole) and evaluate(whole, ctx) is ABSENT:
                    continue
            out[k] = _prune(v, ctx)
        return out
    if isinstance(value, list):
        return [_prune(v, ctx) for v in value]
    return render(value, ctx)


# --- simple conditions -------------------------------------------------------------------

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\w.$])
    | '(?P<sq>(?:[^'\\]|\\.|'')*)'
    | "(?P<dq>(?:[^"\\]|\\.)*)"
    | (?P<op>==|!=|<=|>=|<|>|&&|\|\||!|\(|\))
    | (?P<expr>\$[^\s()=!<>&|\#]+(?:\#[^\s)]*)?)   # after '#', a JSON pointer runs to a space or ')'
    | (?P<word>[A-Za-z_][\w-]*)
    )""", re.X)


@dataclass(frozen=True)
class _Node:
    kind: str  # lit | expr | not | and | or | cmp
    value: Any = None
    children: tuple[_Node, ...] = ()


_REST_IS_SPACE = re.compile(r"\s*\Z")
MAX_NESTING = 64  # parentheses and `!` in one condition: deeper is not a condition a person writes
MAX_TOKENS = 256  # evaluation recurses along `a && b && ...`: the bound keeps it off Python's stack limit


def _tokenize(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        if _REST_IS_SPACE.match(text, pos):  # not text[pos:].strip(): that copy made parsing quadratic
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"cannot read condition {text[:200]!r} at character {pos + 1}")
        if len(out) >= MAX_TOKENS:
            raise ExpressionError(f"condition {text[:80]!r}... has more than {MAX_TOKENS} tokens: split it "
                                  "(a list of conditions is and-ed)")
        pos = m.end()
        if m.group("num") is not None:
            num = m.group("num")
            if len(num) > 100:  # int() refuses over 4,300 digits (a ValueError); no condition needs more
                raise ExpressionError(f"condition {text[:80]!r}...: a number of {len(num)} characters")
            out.append(("lit", float(num) if any(c in num for c in ".eE") else int(num)))
        elif m.group("sq") is not None:
            out.append(("lit", m.group("sq").replace("''", "'").replace("\\'", "'")))
        elif m.group("dq") is not None:
            out.append(("lit", m.group("dq").replace('\\"', '"')))
        elif m.group("op") is not None:
            out.append(("op", m.group("op")))
        elif m.group("expr") is not None:
            out.append(("expr", m.group("expr")))
        else:
            word = m.group("word")
            if word in ("true", "false", "null"):
                out.append(("lit", {"true": True, "false": False, "null": None}[word]))
            else:
                raise ExpressionError(f"condition {text!r}: unknown word {word!r} (quote strings: 'text')")
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ExpressionError(f"condition {self.text[:80]!r}...: nested more than {MAX_NESTING} levels deep")

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        tok = self.peek()
        if tok is None:
            raise ExpressionError(f"condition {self.text!r} ends too early")
        self.i += 1
        return tok

    def parse(self) -> _Node:
        node = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"condition {self.text!r}: unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return node

    def or_(self) -> _Node:
        node = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            node = _Node("or", children=(node, self.and_()))
        return node

    def and_(self) -> _Node:
        node = self.not_()
        while self.peek() == ("op", "&&"):
            self.take()
            node = _Node("and", children=(node, self.not_()))
        return node

    def not_(self) -> _Node:
        if self.peek() == ("op", "!"):
            self.take()
            self._deeper()
            node = _Node("not", children=(self.not_(),))
            self.depth -= 1
            return node
        return self.cmp()

    def cmp(self) -> _Node:
        left = self.atom()
        tok = self.peek()
        if tok and tok[0] == "op" and tok[1] in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            return _Node("cmp", tok[1], (left, self.atom()))
        return left

    def atom(self) -> _Node:
        kind, value = self.take()
        if kind == "op" and value == "(":
            self._deeper()
            node = self.or_()
            if self.take() != ("op", ")"):
                raise ExpressionError(f"condition {self.text!r}: missing ')'")
            self.depth -= 1
            return node
        if kind == "lit":
            return _Node("lit", value)
        if kind == "expr":
            return _Node("expr", value)
        raise ExpressionError(f"condition {self.text!r}: unexpected {value!r}")


_PARSED: dict[str, _Node] = {}


def parse_condition(text: str) -> Any:
    """Parse a simple condition (cached); raises ExpressionError on bad syntax."""
    node = _PARSED.get(text)
    if node is None:
        node = _Parser(text).parse()
        if len(_PARSED) < 4096:
            _PARSED[text] = node
    return node


def condition_values(text: str, ctx: Context) -> dict[str, Any]:
    """The value of every expression a condition reads: the "actual" side of a failure."""
    out: dict[str, Any] = {}
    stack = [parse_condition(text)]
    while stack:
        node = stack.pop()
        if node.kind == "expr":
            value = evaluate(node.value, ctx)
            out[node.value] = None if value is ABSENT else value
        stack.extend(node.children)
    return out


def evaluate_condition(text: str, ctx: Context, *, case_insensitive: bool = False) -> bool:
    """Evaluate an Arazzo simple condition to a boolean."""
    return bool(_truthy(_eval(parse_condition(text), ctx, case_insensitive)))


def _truthy(value: Any) -> bool:
    if value is ABSENT or value is None or isinstance(value, bool):
        return value is True
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    return True


def _eval(node: _Node, ctx: Context, ci: bool) -> Any:
    if node.kind == "lit":
        return node.value
    if node.kind == "expr":
        return evaluate(node.value, ctx)
    if node.kind == "not":
        return not _truthy(_eval(node.children[0], ctx, ci))
    if node.kind == "and":
        return _truthy(_eval(node.children[0], ctx, ci)) and _truthy(_eval(node.children[1], ctx, ci))
    if node.kind == "or":
        return _truthy(_eval(node.children[0], ctx, ci)) or _truthy(_eval(node.children[1], ctx, ci))
    left = _eval(node.children[0], ctx, ci)
    right = _eval(node.children[1], ctx, ci)
    return compare(node.value, left, right, case_insensitive=ci)


def _coerce_pair(left: Any, right: Any) -> tuple[Any, Any]:
    # Header values are strings on the wire: compare "3" with 3 as numbers.
    if isinstance(left, str) and isinstance(right, (int, float)) and not isinstance(right, bool):
        try:
            return float(left), right
        except ValueError:
            return left, right
    if isinstance(right, str) and isinstance(left, (int, float)) and not isinstance(left, bool):
        try:
            return left, float(right)
        except ValueError:
            return left, right
    return left, right


def compare(op: str, left: Any, right: Any, *, case_insensitive: bool = False) -> bool:
    """Compare two values as a simple condition does (ABSENT equals null)."""
    left = None if left is ABSENT else left
    right = None if right is ABSENT else right
    left, right = _coerce_pair(left, right)
    if case_insensitive and isinstance(left, str) and isinstance(right, str):
        left, right = left.casefold(), right.casefold()
    if op == "==":
        return bool(left == right and (isinstance(left, bool) == isinstance(right, bool)))
    if op == "!=":
        return not (left == right and (isinstance(left, bool) == isinstance(right, bool)))
    try:
        if left is None or right is None:
            return False
        return bool({"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op])
    except TypeError:
        return False
