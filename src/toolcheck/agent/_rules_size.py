"""Lint rules about what a tool costs in context and whether an agent can tell tools apart.

Token counts are estimates (~4 characters per token, the usual rule of thumb for English
and JSON): good enough to flag a 20k-token response or a 3k-token description, and free of
a tokenizer dependency.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from toolcheck.agent._rules import CHARS_PER_TOKEN, Hit, _success_schema, rule
from toolcheck.spec import Spec


def tokens(text: str) -> int:
    """Rough token estimate of ``text`` (~4 characters per token)."""
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


@rule("description-oversized", "warning", "Tool description is too long for an agent's context",
      "Keep the tool description short (what, when, side effects); move reference material to docs.",
      max_tokens=256)
def _description_oversized(ctx: Any) -> Iterator[Hit]:
    limit = int(ctx.option("description-oversized", "max_tokens"))
    for tool in ctx.tools:
        n = tokens(tool.full_description)
        if n > limit:
            op = tool.operation
            yield Hit(op.pointer + ("/description" if op.description else ""),
                      f"the description of {op.key} is ~{n} tokens (limit {limit}); it is trimmed in tool definitions",
                      op.key)


@rule("argument-description-oversized", "warning", "Argument description is too long for an agent's context",
      "Say what the argument is and how to fill it in the first sentences; move reference material to docs.")
def _argument_description_oversized(ctx: Any) -> Iterator[Hit]:
    from toolcheck.agent._prose import ARG_DESCRIPTION_MAX

    for tool in ctx.tools:
        if tool.cut_descriptions:  # one finding per operation, naming every argument
            op = tool.operation
            shown = ", ".join(f"{where} ({n})" for where, n in tool.cut_descriptions[:5])
            more = len(tool.cut_descriptions) - 5
            yield Hit(op.pointer, f"argument descriptions of {op.key} longer than {ARG_DESCRIPTION_MAX} characters: "
                                  f"{shown}{f' and {more} more' if more > 0 else ''}; tool definitions keep their "
                                  "first sentences", op.key)


@rule("input-schema-oversized", "warning", "Tool input schema is too large",
      "Split the operation, or simplify the request schema (fewer nested unions, shared shapes kept small).",
      max_tokens=2000)
def _input_schema_oversized(ctx: Any) -> Iterator[Hit]:
    limit = int(ctx.option("input-schema-oversized", "max_tokens"))
    for tool in ctx.tools:
        n = tokens(json.dumps(tool.input_schema, separators=(",", ":")))
        if n > limit:
            op = tool.operation
            yield Hit(op.pointer, f"the tool input schema of {op.key} is ~{n} tokens (limit {limit})", op.key)


@rule("tool-schema-truncated", "info", "Recursive or huge request schema was cut when inlined",
      "Bound recursion in request schemas; the tool's schema leaves the recursive part open.")
def _tool_schema_truncated(ctx: Any) -> Iterator[Hit]:
    for tool in ctx.tools:
        if tool.truncated:
            notes = "; ".join(n for n in tool.notes if "recursive" in n or "not expanded" in n or "larger" in n
                              or "deeper" in n)
            yield Hit(tool.operation.pointer, f"the input schema of {tool.operation.key} was cut: {notes}",
                      tool.operation.key)


NESTED_ITEMS = 3


class _Estimator:
    """Size in characters of a typical JSON instance of a schema (refs memoised, cycles cut).

    An array that is the answer or one of its top-level properties counts ``array_items`` items
    (a page); every other array counts ``NESTED_ITEMS``; a union counts its first branch: a
    typical answer, not the worst.
    """

    def __init__(self, spec: Spec, array_items: int) -> None:
        self.spec = spec
        self.array_items = array_items
        self.memo: dict[tuple[str, int], int] = {}

    def size(self, schema: Any, depth: int = 0, stack: tuple[str, ...] = (), level: int = 0) -> int:
        """Typical size; ``level`` is 0 for the answer, 1 for its own properties, 2 inside an item."""
        if depth > 8 or not isinstance(schema, dict):
            return 4
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if ref in stack:
                return 4
            if (ref, level) in self.memo:
                return self.memo[(ref, level)]
            try:
                target = self.spec.resolve(ref)
            except KeyError:
                return 4
            value = self.size(target, depth, stack + (ref,), level)
            self.memo[(ref, level)] = value  # the same schema as a page or inside an item: two sizes
            return value
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return self.size(schema[key][0], depth + 1, stack, level)  # the first branch: the typical shape
        total = 0
        if isinstance(schema.get("allOf"), list):
            total += sum(self.size(s, depth + 1, stack, level) for s in schema["allOf"][:8])
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        props = schema.get("properties")
        if isinstance(props, dict) and props:
            inner = min(level + 1, 2)
            total += 2 + sum(len(str(k)) + 4 + self.size(v, depth + 1, stack, inner) for k, v in props.items())
        elif kind == "array" or "items" in schema:
            # A page is the answer itself or a list among its own properties (`data`, `items`);
            # any other list is part of one item (issue 15: counting a page at every level
            # estimated one object at 89k tokens).
            typical = self.array_items if level <= 1 else NESTED_ITEMS
            items = min(int(schema.get("maxItems", typical) or 0), typical)
            total += 2 + max(items, 1) * (self.size(schema.get("items"), depth + 1, stack, 2) + 1)
        elif kind == "object":
            total += 20
        elif isinstance(schema.get("enum"), list) and schema["enum"]:
            total += max(len(json.dumps(v)) for v in schema["enum"][:20])
        elif kind == "string":
            fmt = schema.get("format")
            total += {"date-time": 22, "uuid": 38, "date": 12, "uri": 40, "email": 24}.get(str(fmt), 14)
        elif kind in ("integer", "number"):
            total += 6
        elif kind == "boolean":
            total += 5
        else:
            total += 4 if not total else 0
        return total


@rule("response-oversized", "warning", "Typical success response is too large for an agent's context",
      "Paginate, add field selection, or return a summary object with links to details.",
      max_tokens=4000, array_items=20)
def _response_oversized(ctx: Any) -> Iterator[Hit]:
    limit = int(ctx.option("response-oversized", "max_tokens"))
    estimator = _Estimator(ctx.spec, int(ctx.option("response-oversized", "array_items")))
    for op in ctx.spec.operations:
        schema = _success_schema(ctx.spec, op)
        if schema is None:
            continue
        n = estimator.size(schema) // CHARS_PER_TOKEN
        if n > limit:
            yield Hit(op.pointer + "/responses", f"a typical success response of {op.key} is ~{n} tokens (limit {limit})",
                      op.key)


_STOP = frozenset("a an the of to for and or in on by with is are this that be it from as at its your you all".split())


def _tokens_of(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP)


def _head(tool: Any) -> frozenset[str]:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", tool.name).replace("_", " ").replace("-", " ")
    return _tokens_of(f"{name} {tool.operation.summary}")


def _heads_alike(a: Any, b: Any) -> bool:
    head_a, head_b = _head(a), _head(b)
    union = head_a | head_b
    return not union or len(head_a & head_b) / len(union) >= 0.5


@rule("near-duplicate-tools", "warning", "Two tools an agent cannot tell apart",
      "Make names and descriptions say how the tools differ (scope, version, side effects), or drop one.",
      threshold=0.9)
def _near_duplicates(ctx: Any) -> Iterator[Hit]:
    threshold = float(ctx.option("near-duplicate-tools", "threshold"))
    sets = []
    for tool in ctx.tools:
        words = _tokens_of(tool.full_description)
        if len(words) >= 3:
            sets.append((tool, words))
    # Prefix filtering (all-pairs similarity join): two sets with Jaccard >= t share a token
    # among the first |s| - ceil(t*|s|) + 1 tokens of each, in a global rare-first order.
    freq: dict[str, int] = {}
    for _, words in sets:
        for w in words:
            freq[w] = freq.get(w, 0) + 1
    index: dict[str, list[int]] = {}
    reported: set[str] = set()
    for i, (tool, words) in enumerate(sets):
        ordered = sorted(words, key=lambda w: (freq[w], w))
        prefix = len(ordered) - int(threshold * len(ordered) + 0.999999) + 1
        candidates: set[int] = set()
        for w in ordered[:max(prefix, 1)]:
            candidates.update(index.get(w, ()))
            index.setdefault(w, []).append(i)
        for j in sorted(candidates):
            other, other_words = sets[j]
            sim = len(words & other_words) / len(words | other_words)
            # Shared boilerplate (a deprecation notice) can make long descriptions alike while the
            # names and summaries, which an agent reads first, clearly differ: require those close too.
            if sim >= threshold and _heads_alike(tool, other) and tool.operation.key not in reported:
                reported.add(tool.operation.key)
                op = tool.operation
                yield Hit(op.pointer, f"tool {tool.name!r} ({op.key}) reads like {other.name!r} "
                          f"({other.operation.key}): description similarity {sim:.0%}", op.key)
                break


@rule("tool-list-oversized", "warning", "The whole tool list is too large for an agent's context",
      "Serve a subset (by tag) or trim the largest tools; an agent pays for every tool definition on every turn.",
      max_tokens=50_000)
def _tool_list_oversized(ctx: Any) -> Iterator[Hit]:
    limit = int(ctx.option("tool-list-oversized", "max_tokens"))
    sized = sorted(((tokens(json.dumps(t.render("mcp"), separators=(",", ":"))), t) for t in ctx.tools),
                   key=lambda x: -x[0])
    total = sum(n for n, _ in sized)
    if total > limit:
        largest = ", ".join(f"{t.name} (~{n})" for n, t in sized[:5])
        yield Hit("/paths", f"the {len(sized)} tools take ~{total} tokens together (limit {limit}); "
                  f"largest: {largest}")
