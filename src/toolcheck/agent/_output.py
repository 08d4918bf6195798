"""A tool's ``outputSchema`` from the operation's success responses, and the structured result
that conforms to it.

MCP (specification 2025-06-18 and later, "Tools › Output Schema"): a tool may declare an
``outputSchema``; a server that declares one MUST return ``structuredContent`` conforming to
it, and SHOULD also return the serialised JSON in a text block for clients that read text
only. Up to protocol 2025-11-25 the schema's root must be ``type: "object"`` (the SDK's
``OutputSchema`` model says so), so:

* when every documented 2xx answer is a JSON *object*, the schema is that object (one schema,
  or an ``anyOf`` of them) and the structured result is the body itself (what FastMCP does);
* otherwise (an array, a scalar, a union with non-objects, a 204 beside a JSON 200, a
  non-JSON answer) the schema wraps the value as ``{"result": ...}`` and the structured result
  is ``{"result": body}`` (``null`` for an empty or non-JSON body).

Status and headers of the HTTP answer go to the result's ``_meta`` (see the MCP server), not
into the structured content: they are transport facts, and the schema describes the payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toolcheck.agent._schema import SchemaConverter
from toolcheck.spec import Operation, Spec

RESULT_KEY = "result"


def is_json_media(media_type: str) -> bool:
    """``application/json``, ``text/json`` or any ``+json`` suffix (RFC 6839 §3.1)."""
    bare = media_type.split(";")[0].strip().lower()
    return bare in ("application/json", "text/json") or bare.endswith("+json")


@dataclass(frozen=True)
class OutputShape:
    """How a tool's results are shaped.

    Attributes:
        schema: the ``outputSchema`` (root ``type: object``), as listed.
        wrapped: results are ``{"result": body}`` rather than the body itself.
        check: the stricter schema the bridge checks answers against (``required``, formats,
            bounds kept), when the listed one was made compact; every answer it accepts, the
            listed one accepts too.
    """

    schema: dict[str, Any]
    wrapped: bool
    check: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def structured(self, body: Any) -> Any:
        """The ``structuredContent`` for a decoded success body (``None``: empty or not JSON)."""
        return {RESULT_KEY: body} if self.wrapped else body


def success_responses(op: Operation) -> list[tuple[str, Any]]:
    """The documented 2xx responses (``2XX`` included), in status order."""
    return sorted((s, r) for s, r in op.responses.items() if s.startswith("2") or s.upper() == "2XX")


def _is_object(spec: Spec, schema: Any, depth: int = 0) -> bool:
    """Does every instance of ``schema`` have to be a JSON object?"""
    if depth > 16:
        return False
    node = spec.deref(schema)
    if not isinstance(node, dict):
        return False
    kind = node.get("type")
    if kind == "object":
        return True
    if kind is not None:
        return False  # another type, or a type array (object or null ...)
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if isinstance(branches, list) and branches and all(_is_object(spec, b, depth + 1) for b in branches):
            return True
    parts = node.get("allOf")
    if isinstance(parts, list) and any(_is_object(spec, p, depth + 1) for p in parts):
        return True
    return False


def output_shape(spec: Spec, op: Operation, conv: SchemaConverter) -> OutputShape | None:
    """The output shape of ``op``, or None when no JSON success response has a schema."""
    schemas: list[Any] = []
    other = False  # a success answer that is empty or not JSON: its structured value is null
    unknown = False
    for _status, resp in success_responses(op):
        json_media = [m for key, m in resp.content.items() if is_json_media(key)]
        if not json_media:
            other = True
            continue
        if len(json_media) != len(resp.content):
            other = True  # the API may answer in the other (non-JSON) media type
        for media in json_media:
            if media.schema is None:
                unknown = True  # JSON of a shape the spec does not give
                continue
            if media.schema not in schemas:
                schemas.append(media.schema)
    if not schemas:
        return None  # no JSON schema: an outputSchema would only say "anything" (and cost tokens)
    if unknown:
        schemas.append({})
    if not other and all(_is_object(spec, s) for s in schemas):
        converted = [conv.inline(s) for s in schemas]
        if len(converted) == 1 and isinstance(converted[0], dict):
            return OutputShape({**converted[0], "type": "object"}, wrapped=False)
        return OutputShape({"type": "object", "anyOf": converted}, wrapped=False)
    branches = [conv.inline(s) for s in schemas]
    if other:
        branches.append({"type": "null"})
    value: Any = branches[0] if len(branches) == 1 else {"anyOf": branches}
    return OutputShape({"type": "object", "properties": {RESULT_KEY: value}, "required": [RESULT_KEY]}, wrapped=True)
