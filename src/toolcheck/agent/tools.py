"""Tool definitions an LLM sees, generated from a spec, and the way back to HTTP.

One :class:`Tool` per operation. Its input schema joins the path, query, header and cookie
parameters and the request body into one object:

* each parameter is one argument named after it (sanitised for Anthropic's property-key
  pattern; prefixed with its location when two parameters share a name);
* a JSON or form body whose schema is a plain object is *flattened*: its properties become
  arguments next to the parameters (what an agent finds natural: ``create_invoice(customer_id,
  currency, line_items)``). Any other body (arrays, unions, maps, raw text, or a property that
  would collide with a parameter) is one ``body`` argument.

Each argument keeps an :class:`ArgBinding` to where it came from, so
:func:`tool_call_to_request` turns a tool call back into the HTTP request, serialising
parameters per ``style``/``explode``. Hand-written: the mapping *is* the feature.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from toolcheck.agent._schema import SchemaConverter, StrictImpossible, odd_property_names
from toolcheck.agent.names import sanitize_arg, unique_names
from toolcheck.errors import ToolcheckError, UsageError
from toolcheck.spec import MediaType, Operation, Spec
from toolcheck.wire import NO_BODY as WIRE_NO_BODY
from toolcheck.wire import Request, build_request

FORMATS = ("openai", "anthropic", "mcp")
DESCRIPTION_BUDGET = 1024  # OpenAI's limit on a function description, in characters
# Anthropic and MCP set no hard limit (Anthropic asks for detailed descriptions); a budget still
# keeps one operation's reference prose from filling the context.
DESCRIPTION_BUDGETS = {"openai": DESCRIPTION_BUDGET, "anthropic": 4096, "mcp": 4096}
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_BODY_PREFERENCE = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


class ToolCallError(ToolcheckError):
    """A tool call whose arguments cannot become a request (missing or unknown arguments)."""


@dataclass(frozen=True)
class ArgBinding:
    """Where one argument of a tool goes in the HTTP request.

    Attributes:
        arg: the property name in the tool's input schema.
        location: ``path``, ``query``, ``header``, ``cookie``, ``body`` (the whole body) or
            ``body-property`` (one property of a flattened object body).
        name: the parameter or body-property name in the spec.
        required: the agent must pass it.
    """

    arg: str
    location: str
    name: str
    required: bool


class _JsonNull:
    """A request body that is JSON ``null`` (``ToolRequest.body is None`` means no body)."""

    def __repr__(self) -> str:
        return "JSON_NULL"


JSON_NULL = _JsonNull()


class ToolRequest(NamedTuple):
    """An HTTP request built from a tool call. ``body`` is the decoded value (JSON, form dict,
    text; None for no body, :data:`JSON_NULL` for a ``null`` body) and
    ``headers['Content-Type']`` says how to encode it (see :meth:`httpx_kwargs`)."""

    method: str
    path: str
    params: list[tuple[str, str]]
    headers: dict[str, str]
    body: Any

    def httpx_kwargs(self, encoding: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Keyword arguments for ``httpx.Client.request`` (``params``, ``headers``, ``content``),
        the body encoded by :func:`toolcheck.wire.bodies.encode_body` (the one body writer).

        Args:
            encoding: the body media type's ``encoding`` map (``Tool.encoding``), for forms.
        """
        kwargs: dict[str, Any] = {"params": self.params, "headers": dict(self.headers)}
        if self.body is None:
            return kwargs
        if self.body is JSON_NULL:
            kwargs["content"] = b"null"
            return kwargs
        from toolcheck.wire.bodies import encode_body

        media = next((v for k, v in self.headers.items() if k.lower() == "content-type"), "application/json")
        kwargs["content"], content_type = encode_body(self.body, media, encoding)
        kwargs["headers"] = {k: v for k, v in self.headers.items() if k.lower() != "content-type"}
        kwargs["headers"]["Content-Type"] = content_type  # multipart: with its boundary
        return kwargs


@dataclass(frozen=True)
class Tool:
    """One operation as an LLM tool.

    Attributes:
        name: valid for every provider (``^[a-zA-Z0-9_-]{1,64}$``), unique in the spec.
        description: summary and description, trimmed to the budget.
        input_schema: a self-contained JSON Schema object (no ``$ref``).
        operation: the operation it calls.
        bindings: one per argument (see :class:`ArgBinding`).
        media_type: the request body media type used, if the operation takes a body.
        strict: the schema follows OpenAI's strict subset.
        notes: rewrites made or constructs a provider would reject.
        truncated: recursion or size bounds left part of the schema open.
    """

    name: str
    description: str
    input_schema: dict[str, Any]
    operation: Operation
    bindings: tuple[ArgBinding, ...]
    media_type: str | None = None
    encoding: Mapping[str, Any] = field(default_factory=dict)
    strict: bool = False
    notes: tuple[str, ...] = ()
    truncated: bool = False
    full_description: str = field(default="", repr=False)

    def mapping(self) -> dict[str, Any]:
        """How this tool maps back to HTTP, as data (for callers outside Python)."""
        op = self.operation
        return {
            "operation": op.operation_id, "method": op.method.upper(), "path": op.path,
            "media_type": self.media_type,
            "arguments": [{"arg": b.arg, "in": b.location, "name": b.name, "required": b.required}
                          for b in self.bindings],
            "parameters": {p.name: {"in": p.location, "style": p.style, "explode": p.explode}
                           for p in op.parameters},
        }

    def binding(self, arg: str) -> ArgBinding | None:
        return next((b for b in self.bindings if b.arg == arg), None)

    def render(self, fmt: str) -> dict[str, Any]:
        """The provider's tool definition: ``openai``, ``anthropic`` or ``mcp`` (``tools/list`` entry)."""
        if fmt == "openai":
            function: dict[str, Any] = {"name": self.name, "description": self.description,
                                        "parameters": self.input_schema}
            if self.strict:
                function["strict"] = True
            return {"type": "function", "function": function}
        if fmt == "anthropic":
            return {"name": self.name, "description": self.description, "input_schema": self.input_schema}
        if fmt == "mcp":
            method = self.operation.method
            tool: dict[str, Any] = {"name": self.name, "description": self.description, "inputSchema": self.input_schema}
            if self.operation.summary:
                tool["title"] = self.operation.summary[:120]
            tool["annotations"] = {
                "readOnlyHint": method in ("get", "head", "options"),
                "destructiveHint": method == "delete",
                "idempotentHint": method in ("get", "head", "options", "put", "delete"),
                "openWorldHint": True,
            }
            return tool
        raise UsageError(f"unknown tool format {fmt!r}; choose one of {', '.join(FORMATS)}")


def describe(op: Operation, budget: int = DESCRIPTION_BUDGET) -> tuple[str, str]:
    """``(trimmed, full)`` description: summary, then description, else ``METHOD /path``."""
    summary, text = (op.summary or "").strip(), (op.description or "").strip()
    full = summary
    if text and text != summary:
        full = f"{summary}\n\n{text}" if summary else text
    full = full or f"{op.method.upper()} {op.path}"
    if op.deprecated:
        full = "[Deprecated] " + full
    scopes = list(dict.fromkeys(s for alt in op.security[:1] for names in alt.values() for s in names))
    if scopes:  # what an agent platform must grant, and no more (least privilege)
        full += f"\n\nRequires scope{'s' if len(scopes) > 1 else ''}: {', '.join(scopes)}."
    if len(full) <= budget:
        return full, full
    cut = full[: max(budget - 1, 1)]
    space = cut.rfind(" ")
    if space > budget // 2:
        cut = cut[:space]
    return cut.rstrip() + "…", full


def _pick_media(content: Mapping[str, MediaType]) -> MediaType | None:
    lowered = {k.split(";")[0].strip().lower(): v for k, v in content.items()}
    for wanted in _BODY_PREFERENCE:
        if wanted in lowered:
            return lowered[wanted]
    for key, value in lowered.items():
        if key.endswith("+json"):
            return value
    return next(iter(content.values()), None)


def _flat_object(spec: Spec, schema: Any) -> dict[str, Any] | None:
    """The body schema when it is a plain object we can flatten into arguments, else None."""
    resolved = spec.deref(schema)
    if not isinstance(resolved, dict):
        return None
    props = resolved.get("properties")
    if not isinstance(props, dict) or not props:
        return None
    if resolved.get("type") not in (None, "object") or any(k in resolved for k in ("allOf", "anyOf", "oneOf", "not", "if")):
        return None
    extra = resolved.get("additionalProperties")
    if isinstance(extra, dict) and extra:
        return None
    required = resolved.get("required")
    if isinstance(required, list) and any(r not in props for r in required):
        return None  # a required member that is not a declared property: only a whole-body argument can carry it
    return resolved


def build_tool(spec: Spec, op: Operation, name: str, *, strict: bool = False,
               description_budget: int = DESCRIPTION_BUDGET) -> Tool:
    """One tool for ``op`` (see module docstring for the argument layout)."""
    conv = SchemaConverter(spec, direction="request")
    properties: dict[str, Any] = {}
    required: list[str] = []
    bindings: list[ArgBinding] = []

    def add(arg: str, location: str, original: str, schema: Any, is_required: bool, description: str = "") -> None:
        converted = conv.inline(schema) if schema is not None else {}
        if not isinstance(converted, dict):
            converted = {} if converted is True else {"not": {}}
        if description and not converted.get("description"):
            converted = {**converted, "description": description}
        properties[arg] = converted
        if is_required:
            required.append(arg)
        bindings.append(ArgBinding(arg, location, original, is_required))

    # OAS 3.1 §4.8.12.1: header parameters named Accept, Content-Type or Authorization are ignored.
    params = [p for p in op.parameters if p.location in ("path", "query", "header", "cookie")
              and not (p.location == "header" and p.name.lower() in _IGNORED_HEADERS)]
    wanted = {sanitize_arg(p.name) for p in params}
    counts: dict[str, int] = {}
    for p in params:
        counts[sanitize_arg(p.name)] = counts.get(sanitize_arg(p.name), 0) + 1
    for p in params:
        arg = sanitize_arg(p.name)
        if counts[arg] > 1 or arg in properties:
            arg = sanitize_arg(f"{p.location}_{p.name}")
        schema = p.schema
        if p.media_type and schema is None:
            schema = {}
        add(arg, p.location, p.name, schema, p.required or p.location == "path", p.description)
    media_type: str | None = None
    encoding: Mapping[str, Any] = {}
    body = op.request_body
    if body is not None and body.content:
        media = _pick_media(body.content)
        assert media is not None
        media_type = media.media_type
        encoding = media.encoding
        bare = media_type.split(";")[0].strip().lower()
        flat = _flat_object(spec, media.schema) if bare in _BODY_PREFERENCE or bare.endswith("+json") else None
        if flat is not None:
            names = {str(k): sanitize_arg(str(k)) for k in flat["properties"]}
            if len(set(names.values())) != len(names) or set(names.values()) & (wanted | set(properties)):
                flat = None
        if flat is not None:
            body_required = set(flat.get("required") or []) if body.required else set()
            visible = conv.inline(flat)
            for prop, sub in (visible.get("properties") or {}).items():
                arg = sanitize_arg(prop)
                properties[arg] = sub
                if prop in body_required:
                    required.append(arg)
                bindings.append(ArgBinding(arg, "body-property", prop, prop in body_required))
        else:
            arg = next(a for a in ("body", "request_body", "http_body", "body_") if a not in properties)
            schema = media.schema if media.schema is not None else {"type": "string"}
            add(arg, "body", "", schema, body.required, body.description or f"The request body ({media_type}).")
    input_schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        input_schema["required"] = required
    is_strict = False
    if strict:
        try:
            input_schema = conv.strict(input_schema) if properties else {
                "type": "object", "properties": {}, "required": [], "additionalProperties": False}
            is_strict = True
        except StrictImpossible as exc:
            conv.note(f"not strict: {exc}")
    odd = odd_property_names(input_schema)
    if odd:
        conv.note(f"nested property names Anthropic's pattern ^[a-zA-Z0-9_.-]{{1,64}}$ rejects: {', '.join(odd[:5])}")
    desc, full = describe(op, description_budget)
    if desc != full:
        conv.note(f"description trimmed from {len(full)} to {description_budget} characters")
    return Tool(name=name, description=desc, input_schema=input_schema, operation=op,
                bindings=tuple(bindings), media_type=media_type, encoding=encoding, strict=is_strict,
                notes=tuple(conv.notes), truncated=conv.truncated, full_description=full)


def tool_names(spec: Spec) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Tool name per operation key for the whole spec, and the sanitising collisions."""
    ops = list(spec.operations)
    names, collisions = unique_names((op.operation_id, f"{op.method}_{op.path}") for op in ops)
    return {op.key: n for op, n in zip(ops, names, strict=True)}, collisions


def select_operations(spec: Spec, operations: Iterable[str] = (), tags: Iterable[str] = ()) -> list[Operation]:
    """Operations named by id/``METHOD /path`` or carrying one of ``tags`` (all when neither).

    Raises:
        UsageError: an operation that does not exist (with close matches).
    """
    wanted_ops, wanted_tags = list(operations), set(tags)
    if not wanted_ops and not wanted_tags:
        return list(spec.operations)
    chosen: dict[str, Operation] = {}
    for ref in wanted_ops:
        try:
            op = spec.operation(ref)
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from None
        chosen[op.key] = op
    for op in spec.operations:
        if wanted_tags & set(op.tags):
            chosen[op.key] = op
    order = {op.key: i for i, op in enumerate(spec.operations)}
    return sorted(chosen.values(), key=lambda o: order[o.key])


def build_tools(spec: Spec, *, operations: Iterable[str] = (), tags: Iterable[str] = (),
                strict: bool = False, description_budget: int = DESCRIPTION_BUDGET) -> list[Tool]:
    """Tools for the selected operations (all by default), names unique across the spec."""
    names, _ = tool_names(spec)
    return [build_tool(spec, op, names[op.key], strict=strict, description_budget=description_budget)
            for op in select_operations(spec, operations, tags)]


def fill_strict_nulls(tool: Tool, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Complete a call for a strict tool: every optional property left out becomes ``null``
    (strict mode requires all properties), at every level of the input schema.

    :func:`tool_call_to_request` drops those nulls again, so a strict tool call round-trips.
    """
    def fill(schema: Any, value: Any, depth: int) -> Any:
        if depth > 64 or not isinstance(schema, dict):
            return value
        branches = schema.get("anyOf")
        if isinstance(branches, list):
            fitting = [b for b in branches if isinstance(b, dict) and b.get("type") != "null" and (
                (isinstance(value, dict) and isinstance(b.get("properties"), dict))
                or (isinstance(value, list) and "items" in b))]
            if not fitting:
                return value
            if isinstance(value, dict):
                # The branch that declares the call's own properties (closed objects accept no
                # others), not merely the first object branch.
                keys = set(value)
                fitting.sort(key=lambda b: (not keys <= set(b["properties"]), -len(keys & set(b["properties"]))))
            return fill(fitting[0], value, depth + 1)
        props = schema.get("properties")
        if isinstance(value, dict) and isinstance(props, dict):
            out = {k: fill(props.get(k), v, depth + 1) for k, v in value.items()}
            for key in props:
                out.setdefault(key, None)
            return out
        if isinstance(value, list) and isinstance(schema.get("items"), dict):
            return [fill(schema["items"], v, depth + 1) for v in value]
        return value

    result = fill(tool.input_schema, dict(arguments), 0)
    return dict(result) if isinstance(result, dict) else dict(arguments)


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def tool_call_to_request(tool: Tool, arguments: Mapping[str, Any] | None) -> ToolRequest:
    """Turn a tool call into the HTTP request it stands for.

    In strict tools optional arguments arrive as ``null``; they are treated as absent.

    Returns:
        ``(method, path, params, headers, body)``: the path with parameters substituted,
        query pairs, headers (``Content-Type`` when there is a body, ``Cookie`` for cookie
        parameters) and the body value.

    Raises:
        ToolCallError: unknown arguments or missing required ones.
    """
    args = dict(arguments or {})
    if tool.strict:
        args = {k: _drop_nulls(v) for k, v in args.items() if v is not None}
    known = {b.arg for b in tool.bindings}
    unknown = sorted(set(args) - known)
    missing = [b.arg for b in tool.bindings if b.required and b.arg not in args]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(f"missing required argument(s): {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown argument(s): {', '.join(unknown)} (known: {', '.join(sorted(known)) or 'none'})")
        raise ToolCallError(f"tool {tool.name!r}: " + "; ".join(parts), location=tool.operation.key)
    request = _wire_request(tool, args)
    body: Any = None if request.body is WIRE_NO_BODY else JSON_NULL if request.body is None else request.body
    headers = request.all_headers()
    if body is not None and tool.media_type:
        headers["Content-Type"] = tool.media_type  # httpx_kwargs encodes (multipart adds its boundary)
    return ToolRequest(request.method, request.path, [*((k, v or "") for k, v in request.selectors), *request.query],
                       headers, body)


def _wire_request(tool: Tool, args: Mapping[str, Any]) -> Request:
    """The arguments placed by their bindings and serialised by :func:`toolcheck.wire.build_request`.
    A ``null`` parameter is left out (strict tools send ``null`` for "not given")."""
    op = tool.operation
    values: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}, "cookie": {}}
    body: Any = WIRE_NO_BODY
    body_props: dict[str, Any] = {}
    for b in tool.bindings:
        if b.arg not in args:
            continue
        value = args[b.arg]
        if b.location in values:
            if value is not None or b.location == "path":
                values[b.location][b.name] = value
        elif b.location == "body":
            body = value
        else:
            body_props[b.name] = value
    if body_props or (op.request_body is not None and op.request_body.required and body is WIRE_NO_BODY
                      and any(b.location == "body-property" for b in tool.bindings)):
        body = body_props
    return build_request(None, op, path=values["path"], query=values["query"], headers=values["header"],
                         cookies=values["cookie"], body=body, media_type=tool.media_type)


def tool_call_to_wire(tool: Tool, arguments: Mapping[str, Any] | None) -> Request:
    """:func:`tool_call_to_request` as the wire layer's :class:`~toolcheck.wire.Request` (what the
    MCP bridge sends, after adding credentials)."""
    tool_call_to_request(tool, arguments)  # the argument checks, one place
    args = dict(arguments or {})
    if tool.strict:
        args = {k: _drop_nulls(v) for k, v in args.items() if v is not None}
    return _wire_request(tool, args)


NO_BODY: Any = object()  # arguments_for: the call has no request body


def arguments_for(tool: Tool, values: Mapping[tuple[str, str], Any], body: Any = NO_BODY) -> dict[str, Any]:
    """The inverse of :func:`tool_call_to_request`: tool arguments from request values.

    Args:
        values: ``{(location, parameter name): value}`` for the parameters to pass.
        body: the request body value (an object for flattened bodies); leave it out for no
            body (``None`` is a JSON ``null`` body).
    """
    args: dict[str, Any] = {}
    for b in tool.bindings:
        if b.location == "body":
            if body is not NO_BODY:
                args[b.arg] = body
        elif b.location == "body-property":
            if isinstance(body, dict) and b.name in body:
                args[b.arg] = body[b.name]
        elif (b.location, b.name) in values:
            args[b.arg] = values[(b.location, b.name)]
    if tool.strict:
        for b in tool.bindings:
            args.setdefault(b.arg, None)
    return args
