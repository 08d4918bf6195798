"""What a whole tool list costs in an agent's context, and what to trim when it is too much.

Token counts are estimates (~4 characters per token, as the lint size rules use): the same
order as a real tokenizer on JSON, with no tokenizer to install.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from toolcheck.agent.tools import Tool

CHARS_PER_TOKEN = 4
SHOWN = 5


def _tokens(value: Any) -> int:
    return (len(json.dumps(value, separators=(",", ":"), ensure_ascii=False)) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def parts(tool: Tool, fmt: str) -> dict[str, int]:
    """Tokens of one rendered tool by part: ``description``, ``input``, ``output``."""
    out = {"description": _tokens(tool.description), "input": _tokens(tool.input_schema), "output": 0}
    if fmt == "mcp" and tool.output is not None:
        out["output"] = _tokens(tool.output.schema)
    return out


def budget_guidance(tools: Sequence[Tool], fmt: str, total: int, budget: int) -> list[str]:
    """Lines saying the list is over ``budget`` tokens: the largest tools, their largest part,
    and how to choose fewer tools (``--tag``/``--operation``)."""
    sized = sorted(((sum(p.values()), t, p) for t in tools for p in [parts(t, fmt)]), key=lambda x: -x[0])
    lines = [f"warning: the tool list is ~{total} tokens, over the {budget}-token list budget (--list-budget); "
             f"an agent pays for every tool on every turn."]
    for size, tool, p in sized[:SHOWN]:
        part = max(p, key=lambda k: p[k])
        what = {"description": "shorten its description", "input": "simplify its request schema or split it",
                "output": "trim its response schema (fewer nested objects, a summary with links)"}[part]
        lines.append(f"  {tool.name} ({tool.operation.key}): ~{size} tokens, {p[part]} in its {part}: {what}")
    tags: dict[str, int] = {}
    for size, tool, _ in sized:
        for tag in tool.operation.tags[:1]:
            tags[tag] = tags.get(tag, 0) + size
    if tags:
        top = sorted(tags.items(), key=lambda kv: -kv[1])[:3]
        lines.append("  or serve a subset: " + ", ".join(f"--tag {t!r} (~{n} tokens)" for t, n in top)
                     + ", or --operation for single tools")
    else:
        lines.append("  or serve a subset with --operation")
    return lines
