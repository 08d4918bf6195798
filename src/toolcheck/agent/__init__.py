"""The agent layer: the tool definitions an LLM sees (OpenAI / Anthropic / MCP), their lint,
the CI coverage policy for agent tools, and scenario scaffolding.

Public names are re-exported here; the modules behind them are small and single-purpose.
"""

from __future__ import annotations

from toolcheck.agent.names import NAME_PATTERN, sanitize_name, unique_names
from toolcheck.agent.tools import (
    FORMATS,
    JSON_NULL,
    ArgBinding,
    Tool,
    ToolCallError,
    ToolRequest,
    arguments_for,
    build_tool,
    build_tools,
    fill_strict_nulls,
    tool_call_to_request,
    tool_names,
)

__all__ = [
    "FORMATS", "JSON_NULL", "NAME_PATTERN", "ArgBinding", "Tool", "ToolCallError", "ToolRequest", "arguments_for",
    "build_tool", "build_tools", "fill_strict_nulls", "sanitize_name", "tool_call_to_request", "tool_names", "unique_names",
]
