"""Lint rules about what a tool *does* to the world (destructive, irreversible, repeatable) and
about schema content that costs an agent without helping it (HTML, huge enums).

They read the same verdict the MCP annotations use (:mod:`toolcheck.agent._annotations`), so
lint and ``serve-mcp`` never disagree about which tools are destructive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from toolcheck.agent._annotations import has_idempotency_key, verb_kind
from toolcheck.agent._rules import Hit, _ops, _param_pointer, rule
from toolcheck.spec import Operation

_HTML = re.compile(r"<\s*/?\s*(p|br|a|b|i|u|em|strong|code|pre|ul|ol|li|table|tr|td|th|div|span|h[1-6]|img|hr|"
                   r"blockquote|dl|dt|dd|sup|sub)(\s[^<>]*)?/?\s*>", re.IGNORECASE)


def _is_create(op: Operation) -> bool:
    return op.method == "post" and not op.webhook and verb_kind(op) == ""


@rule("destructive-behind-post", "warning", "A destructive action is a POST",
      "Use DELETE (or PUT for an overwrite) so clients and gateways know it is destructive; if it must stay a "
      "POST, say so with `x-toolcheck-annotations: {destructiveHint: true}`.")
def _destructive_behind_post(ctx: Any) -> Iterator[Hit]:
    for op in _ops(ctx):
        if op.method == "post" and not op.webhook and verb_kind(op) == "destructive":
            override = op.extensions.get("x-toolcheck-annotations")
            if isinstance(override, dict) and override.get("destructiveHint") is True:
                continue
            yield Hit(op.pointer, f"{op.key} ({op.operation_id}) removes or ends something but is a POST: "
                      "a client reading only the method would take it for an additive call", op.key)


@rule("create-without-idempotency-key", "info", "A create cannot be retried safely",
      "Accept an `Idempotency-Key` header so an agent (or its retry loop) can repeat a timed-out call "
      "without creating twice.")
def _create_without_idempotency_key(ctx: Any) -> Iterator[Hit]:
    for op in _ops(ctx):
        if _is_create(op) and not has_idempotency_key(op):
            yield Hit(op.pointer, f"{op.key} creates something and takes no idempotency key: a retry after a "
                      "timeout may create it twice", op.key)


@rule("create-without-required-argument", "warning", "A create can be called with no arguments",
      "Mark the fields a create needs as `required` (and the request body itself), so an agent cannot call it "
      "with `{}`.")
def _create_without_required_argument(ctx: Any) -> Iterator[Hit]:
    for tool in ctx.tools:
        op = tool.operation
        if _is_create(op) and op.request_body is not None and not tool.input_schema.get("required"):
            yield Hit(op.pointer + "/requestBody", f"{op.key} creates something but none of its arguments is "
                      "required: `{}` is a valid call", op.key)


@rule("high-risk-send", "warning", "A tool sends a message or moves money",
      "Say in the description that the call cannot be taken back, accept an idempotency key, and have a "
      "negative test for it (`toolcheck policy` high-risk).")
def _high_risk_send(ctx: Any) -> Iterator[Hit]:
    for op in _ops(ctx):
        if op.is_write and not op.webhook and verb_kind(op) == "send":
            missing = [] if has_idempotency_key(op) else ["no idempotency key"]
            text = f"{op.summary} {op.description}".lower()
            if not re.search(r"irreversib|cannot be (undone|reversed|recalled|taken back)|can't be undone", text):
                missing.append("nothing says it cannot be taken back")
            if missing:
                yield Hit(op.pointer, f"{op.key} ({op.operation_id}) sends a message or moves money: "
                          + "; ".join(missing), op.key)


@rule("html-in-description", "info", "A description is written in HTML",
      "Write descriptions in plain text or Markdown: HTML tags cost tokens and the model reads them literally.")
def _html_in_description(ctx: Any) -> Iterator[Hit]:
    for op in _ops(ctx):
        places = [(op.pointer + "/description", op.description), (op.pointer + "/summary", op.summary)]
        places += [(_param_pointer(ctx.spec, op, i), p.description) for i, p in enumerate(op.parameters)]
        for pointer, text in places:
            found = _HTML.search(text or "")
            if found:
                yield Hit(pointer, f"{op.key} has HTML in a description ({found.group(0)[:30]!r})", op.key)
                break


def _enums(node: Any, depth: int = 0) -> Iterator[list[Any]]:
    if depth > 32:
        return
    if isinstance(node, list):
        for item in node:
            yield from _enums(item, depth + 1)
    elif isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            yield node["enum"]
        for key, value in node.items():
            if key not in ("enum", "const", "default", "examples") and isinstance(value, (dict, list)):
                yield from _enums(value, depth + 1)


@rule("enum-explosion", "warning", "An argument offers too many enum values",
      "Replace a long enum with a string and a list tool (or a search), or group the values; every value is "
      "paid for in every request.", max_values=50)
def _enum_explosion(ctx: Any) -> Iterator[Hit]:
    limit = int(ctx.option("enum-explosion", "max_values"))
    for tool in ctx.tools:
        biggest = max((len(values) for values in _enums(tool.input_schema)), default=0)
        if biggest > limit:
            op = tool.operation
            yield Hit(op.pointer, f"an argument of {op.key} has an enum of {biggest} values (limit {limit})", op.key)
