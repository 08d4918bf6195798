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

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from toolcheck._absent import ABSENT
from toolcheck.agent._annotations import annotations_for
from toolcheck.agent._output import OutputShape, output_shape
from toolcheck.agent._prose import ARG_DESCRIPTION_MAX, SCHEMA_MAPS, cap_descriptions
from toolcheck.agent._schema import SchemaConverter, StrictImpossible, odd_property_names
from toolcheck.agent.names import sanitize_arg, unique_names
from toolcheck.errors import ToolcheckError, UsageError
from toolcheck.spec import MediaType, Operation, Spec
from toolcheck.wire import Request, build_request

FORMATS = ("openai", "anthropic", "mcp")
DESCRIPTION_BUDGET = 1024  # OpenAI's limit on a function description, in characters
# Anthropic and MCP set no hard limit (Anthropic asks for detailed descriptions); a budget still
# keeps one operation's reference prose from filling the context.
DESCRIPTION_BUDGETS = {"openai": DESCRIPTION_BUDGET, "anthropic": 4096, "mcp": 4096}
# MCP schema, ToolAnnotations: the value a client assumes for a hint that is left out. Only the
# hints that differ are sent: the list is paid for on every turn.
MCP_HINT_DEFAULTS = {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False, "openWorldHint": True}
TOOL_MAX_CHARS = 40_000  # ~10k tokens: one tool never takes a fifth of a 50k-token tool budget
OUTPUT_MAX_NODES = 600
OUTPUT_MAX_DEPTH = 8
# Message framing and routing: the HTTP client owns them (RFC 9110 §7.2, §7.6.1, §8; RFC 9112 §6, §7).
TRANSPORT_HEADERS = frozenset({
    "content-length", "content-encoding", "transfer-encoding", "host", "connection", "keep-alive", "te",
    "trailer", "upgrade", "proxy-connection", "expect", "accept-encoding", "content-md5", "cookie",
})
# Facts about the client program, which the bridge is, not choices for a model: who it is (RFC 9110
# §10.1.5 User-Agent, §10.1.2 From), where the request came from (§10.1.3 Referer) and which
# charsets it decodes (§12.5.2 Accept-Charset). Left to the HTTP client when optional (a required
# one stays an argument: the request must carry it and only the caller can say what it is).
CLIENT_HEADERS = frozenset({"user-agent", "from", "referer", "accept-charset"})
_IMPERSONATION = re.compile(
    r"^(x-)?(on-?behalf-?of|act-?as|as-?user|impersonat\w*|sudo|run-?as|acting-?user|delegat\w*|"
    r"forwarded(-\w+)?|real-ip|client-ip|true-client-ip|original-\w+|user-?id|switch-?user)$")
# A claim about the caller's network address, whatever vendor prefix it carries (X-MSEdge-ClientIP,
# CF-Connecting-IP, X-Appengine-User-IP): the last words name the address, so the prefix is skipped.
_ADDRESS_CLAIM = re.compile(
    r"(?:^|-)(?:(?:true-)?client|real|user|end-?user|connecting|originating|remote|source|origin)-?ip$"
    r"|(?:^|-)forwarded-for$|(?:^|-)remote-?addr(?:ess)?$")
IMPERSONATION_WARNING = ("[Security-sensitive: this header makes the request act as another identity or origin; "
                         "leave it unset unless the user asked for exactly that.]")


def is_impersonation_header(name: str) -> bool:
    """A header that makes a request act as another user or claim another origin
    (``on-behalf-of``, ``Sudo``, ``X-Forwarded-For``, ``X-Impersonate-User``...)."""
    lowered = name.strip().lower().replace("_", "-")
    return bool(_IMPERSONATION.match(lowered) or _ADDRESS_CLAIM.search(lowered))


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
    nullable: bool = False  # the spec's own schema accepts null: a null is a value, not "absent"


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
        cut_descriptions: descriptions in the input schema cut to the argument budget.
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
    output: OutputShape | None = field(default=None, repr=False)
    annotations: Mapping[str, bool] = field(default_factory=dict)
    cut_descriptions: tuple[tuple[str, int], ...] = ()  # (argument path, characters before the cut)

    @property
    def output_schema(self) -> dict[str, Any] | None:
        """The MCP ``outputSchema`` (None when no success response has a JSON schema)."""
        return self.output.schema if self.output is not None else None

    def mapping(self) -> dict[str, Any]:
        """How this tool maps back to HTTP, as data (for callers outside Python)."""
        op = self.operation
        return {
            "operation": op.operation_id, "method": op.method.upper(), "path": op.path,
            "media_type": self.media_type, "annotations": dict(self.annotations),
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
            # `additionalProperties: false` at the root is left to the server (the bridge refuses
            # unknown arguments with a message); a model is told the arguments, not the rest.
            listed = {k: v for k, v in self.input_schema.items() if k != "additionalProperties" or v is not False}
            tool: dict[str, Any] = {"name": self.name, "description": self.description, "inputSchema": listed}
            summary = self.operation.summary.strip()
            if summary and not self.description.startswith(summary) and not says_only_the_name(summary, self.name):
                tool["title"] = summary[:120]  # else the description or the name already say it
            if self.output is not None:
                tool["outputSchema"] = self.output.schema
            hints = {k: v for k, v in self.annotations.items() if MCP_HINT_DEFAULTS.get(k) is not v}
            if self.annotations.get("readOnlyHint"):
                # MCP schema, ToolAnnotations: both are meaningful only when readOnlyHint is false.
                hints.pop("destructiveHint", None)
                hints.pop("idempotentHint", None)
            if hints:
                tool["annotations"] = hints
            return tool
        raise UsageError(f"unknown tool format {fmt!r}; choose one of {', '.join(FORMATS)}")


_FILLER = frozenset({"a", "an", "the", "of", "for", "by", "to", "with", "in", "on", "and", "or"})


def _words(text: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return {w for w in re.findall(r"[a-z]+|[0-9]+", spaced.lower()) if w not in _FILLER}


def says_only_the_name(summary: str, name: str) -> bool:
    """The summary adds nothing to the tool's name (``Time Estimates`` for ``time_estimates``)."""
    words = _words(summary)
    return bool(words) and words <= _words(name)


def describe(op: Operation, budget: int = DESCRIPTION_BUDGET, name: str = "") -> tuple[str, str]:
    """``(trimmed, full)`` description: summary, then description, else ``METHOD /path``.

    A summary that only spells the tool's ``name`` out is left out when a description follows:
    the model reads the name already, and the list is paid for on every turn."""
    summary, text = (op.summary or "").strip(), (op.description or "").strip()
    full = summary
    if text and text != summary:
        full = f"{summary}\n\n{text}" if summary and not (name and says_only_the_name(summary, name)) else text
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
               description_budget: int = DESCRIPTION_BUDGET, defs: bool = False, outputs: bool = False,
               max_chars: int = TOOL_MAX_CHARS, arg_description_max: int = ARG_DESCRIPTION_MAX) -> Tool:
    """One tool for ``op`` (see module docstring for the argument layout).

    Args:
        defs: keep shared and recursive schemas as ``$defs`` (MCP: JSON Schema 2020-12 resolves
            them in the schema document) instead of inlining them; ignored with ``strict``.
        outputs: also build the ``outputSchema`` from the success responses (MCP).
        max_chars: the size cap of one tool's schemas in characters (with ``outputs``; 0: none),
            see :func:`cap_size`.
        arg_description_max: characters per description inside the input schema (0: no cut),
            see :func:`~toolcheck.agent._prose.cut_prose`.
    """
    defs = defs and not strict  # OpenAI's strict subset is rewritten from an inlined schema
    conv = SchemaConverter(spec, direction="request", defs=defs)
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
        bindings.append(ArgBinding(arg, location, original, is_required, accepts_null(converted)))

    # OAS 3.1 §4.8.12.1: header parameters named Accept, Content-Type or Authorization are ignored.
    params = [p for p in op.parameters if p.location in ("path", "query", "header", "cookie")
              and not (p.location == "header" and p.name.lower() in _IGNORED_HEADERS)]
    transport = [p.name for p in params if p.location == "header" and p.name.lower() in TRANSPORT_HEADERS]
    if transport:
        # The HTTP client frames the message (RFC 9110 §6.4, §8.4, §8.6; RFC 9112 §6.1): a model
        # that sets Content-Encoding: gzip over a plain JSON body gets a request the API cannot read.
        conv.note(f"transport header(s) {', '.join(transport)} are set by the HTTP client, not offered as arguments")
        params = [p for p in params if not (p.location == "header" and p.name.lower() in TRANSPORT_HEADERS)]
    client = [p for p in params if p.location == "header" and p.name.lower() in CLIENT_HEADERS and not p.required]
    if client:
        conv.note(f"client header(s) {', '.join(p.name for p in client)} describe the HTTP client "
                  "(RFC 9110 §10.1, §12.5.2): sent by it, not offered as arguments")
        params = [p for p in params if p not in client]
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
        description = p.description
        if p.location == "header" and is_impersonation_header(p.name):
            description = (f"{IMPERSONATION_WARNING} {description}").strip()
            conv.note(f"header {p.name!r} acts on behalf of another identity: flagged in its description")
        add(arg, p.location, p.name, schema, p.required or p.location == "path", description)
        if p.location == "query" and not p.allow_empty_value:
            properties[arg] = non_empty(properties[arg])
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
                bindings.append(ArgBinding(arg, "body-property", prop, prop in body_required, accepts_null(sub)))
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
    input_schema = conv.finish(input_schema)
    cut: list[tuple[str, int]] = []
    input_schema = cap_descriptions(input_schema, arg_description_max, cut)
    if cut:
        shown = ", ".join(f"{where} ({n})" for where, n in cut[:8]) + (f" and {len(cut) - 8} more" if len(cut) > 8 else "")
        conv.note(f"argument description(s) cut to {arg_description_max} characters, whole sentences where they fit: "
                  f"{shown}")
    odd = odd_property_names(input_schema)
    if odd:
        conv.note(f"nested property names Anthropic's pattern ^[a-zA-Z0-9_.-]{{1,64}}$ rejects: {', '.join(odd[:5])}")
    output: OutputShape | None = None
    notes = list(conv.notes)
    truncated = conv.truncated
    if outputs:
        # A smaller budget than the input's: a loosened output schema is still one every answer
        # satisfies, and what an agent needs is the shape of the top levels.
        out_conv = SchemaConverter(spec, direction="response", defs=defs, max_nodes=OUTPUT_MAX_NODES,
                                   max_depth=OUTPUT_MAX_DEPTH)
        output = output_shape(spec, op, out_conv)
        if output is not None:
            # The shape of the answer is what a client validates and a model plans with; prose and
            # narrowing constraints stay in the spec (the list is paid for on every turn).
            checked = _strip_descriptions(out_conv.finish(output.schema), depth=2)
            output = OutputShape(compact_output(checked), output.wrapped, check=checked)
        notes += [f"output schema: {n}" for n in out_conv.notes if f"output schema: {n}" not in notes]
        if max_chars:
            input_schema, output = cap_size(input_schema, output, max_chars, notes)
    hints, hint_notes = annotations_for(op)
    notes += hint_notes
    desc, full = describe(op, description_budget, name)
    if desc != full:
        notes.append(f"description trimmed from {len(full)} to {description_budget} characters")
    return Tool(name=name, description=desc, input_schema=input_schema, operation=op,
                bindings=tuple(bindings), media_type=media_type, encoding=encoding, strict=is_strict,
                notes=tuple(notes), truncated=truncated, full_description=full, output=output,
                annotations=hints, cut_descriptions=tuple(cut))


def non_empty(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with ``minLength: 1`` when it may accept a string: a query parameter without
    ``allowEmptyValue`` cannot be sent empty (OAS 3.1 §4.8.12.2: ``?name=`` is refused; the mock
    enforces it), so a model should not be told that ``""`` is a valid argument. ``minLength``
    constrains strings only (JSON Schema validation §6.3.2), so it is safe next to any other type
    or a ``$ref``."""
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else None
    if kinds is not None and "string" not in kinds:
        return schema
    if isinstance(schema.get("minLength"), int) and schema["minLength"] >= 1:
        return schema
    if schema.get("not") == {}:
        return schema  # accepts nothing
    return {**schema, "minLength": 1}


# Output-schema keywords that only annotate or narrow an answer: without them the schema is looser,
# so every answer that conformed still does (JSON Schema validation §6, §9: annotations and
# assertions), and the shape stays: types, properties, items, refs, small enums.
_OUTPUT_DROPPED = frozenset({
    "description", "title", "default", "examples", "example", "format", "pattern", "minLength", "maxLength",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems",
    "uniqueItems", "minProperties", "maxProperties", "minContains", "maxContains", "readOnly", "writeOnly",
    "deprecated", "$comment", "contentMediaType", "contentEncoding", "contentSchema", "discriminator", "xml",
    "externalDocs", "dependentRequired", "required",
})
OUTPUT_MAX_ENUM = 30  # values: a longer enum in an answer is dropped (the type stays)


def compact_output(node: Any, depth: int = 0) -> Any:
    """An output schema without what :data:`_OUTPUT_DROPPED` lists (``required`` included: which
    fields exist matters to a model more than which are always there), long enums and
    extension keys."""
    if isinstance(node, list):
        return [compact_output(n, depth + 1) for n in node]
    if not isinstance(node, dict) or depth > 256:
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {k: compact_output(v, depth + 1) for k, v in value.items()}
        elif key in _OUTPUT_DROPPED or key.startswith("x-"):
            continue
        elif key == "enum":
            if isinstance(value, list) and len(value) <= OUTPUT_MAX_ENUM:
                out[key] = value
        elif key == "const":
            out[key] = value
        else:
            out[key] = compact_output(value, depth + 1)
    return out


def _strip_descriptions(node: Any, depth: int = 0) -> Any:
    """``node`` without ``description``/``title`` below the top level (argument descriptions stay;
    start at ``depth=2`` to drop every one)."""
    if isinstance(node, list):
        return [_strip_descriptions(n, depth + 1) for n in node]
    if not isinstance(node, dict) or depth > 256:
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties", "$defs") and isinstance(value, dict):
            out[key] = {k: _strip_descriptions(v, depth + 1) for k, v in value.items()}
        elif key in ("description", "title") and depth > 1:
            continue
        elif key in ("enum", "const", "default", "examples", "required"):
            out[key] = value
        else:
            out[key] = _strip_descriptions(value, depth + 1)
    return out


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def cap_size(input_schema: dict[str, Any], output: OutputShape | None, max_chars: int,
             notes: list[str]) -> tuple[dict[str, Any], OutputShape | None]:
    """Fit a tool's schemas into ``max_chars``, trimming what an agent misses least first:

    1. the output schema's inner structure (it becomes ``{"type": "object"}``: every answer
    still conforms; its descriptions are never there); 2. descriptions nested in the input
    schema (the arguments' own descriptions stay). Each step taken is noted; a tool
    still over the cap is left as it is and reported by ``lint`` (``input-schema-oversized``).
    """
    def total() -> int:
        return _size(input_schema) + (_size(output.schema) if output is not None else 0)

    before = total()
    if before <= max_chars:
        return input_schema, output
    if output is not None:
        loose: dict[str, Any] = {"type": "object"}
        if output.wrapped:
            loose = {"type": "object", "properties": {"result": {}}, "required": ["result"]}
        output = OutputShape(loose, output.wrapped, check=output.check)
        notes.append(f"size cap: the output schema keeps only its root type ({before} > {max_chars} characters)")
    if total() > max_chars:
        input_schema = _strip_descriptions(input_schema)
        notes.append("size cap: descriptions nested inside the arguments dropped")
    if total() > max_chars:
        notes.append(f"size cap: still {total()} characters after trimming (cap {max_chars}); "
                     "split the operation or simplify its request schema")
    return input_schema, output


_ARTICLES = frozenset({"a", "an", "the"})


def wanted_name(op: Operation) -> str:
    """The name an operation asks for: its operationId, else the words of its summary
    (``List all pets`` → ``list_all_pets``, at most six words), else ``method_path``."""
    if op.explicit_id or not op.summary.strip():
        return op.operation_id if op.explicit_id else f"{op.method}_{op.path}"
    summary = re.sub(r"\([^)]*\)", " ", op.summary.strip().splitlines()[0])
    found = [w for w in re.findall(r"[A-Za-z0-9]+", summary.lower()) if w not in _ARTICLES][:6]
    return "_".join(found) or f"{op.method}_{op.path}"


def tool_names(spec: Spec) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Tool name per operation key for the whole spec, and the sanitising collisions."""
    ops = list(spec.operations)
    names, collisions = unique_names((wanted_name(op), f"{op.method}_{op.path}") for op in ops)
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
                strict: bool = False, description_budget: int = DESCRIPTION_BUDGET, defs: bool = False,
                outputs: bool = False) -> list[Tool]:
    """Tools for the selected operations (all by default), names unique across the spec
    (``defs``, ``outputs``: see :func:`build_tool`)."""
    names, _ = tool_names(spec)
    return [build_tool(spec, op, names[op.key], strict=strict, description_budget=description_budget,
                       defs=defs, outputs=outputs)
            for op in select_operations(spec, operations, tags)]


def fill_strict_nulls(tool: Tool, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Complete a call for a strict tool: every optional property left out becomes ``null``
    (strict mode requires all properties), at every level of the input schema.

    :func:`tool_call_to_request` drops those nulls again, so a strict tool call round-trips;
    an argument whose spec schema accepts ``null`` keeps it (it is a value there, not "absent").
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


def accepts_null(schema: Any, depth: int = 0) -> bool:
    """Does the (inlined or ``$defs``) argument schema itself accept JSON ``null``?"""
    if depth > 16 or not isinstance(schema, dict):
        return schema is True
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if None in (schema.get("enum") or ()) or ("const" in schema and schema["const"] is None):
        return True
    return any(accepts_null(b, depth + 1) for key in ("anyOf", "oneOf") for b in schema.get(key) or ())


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _strict_args(tool: Tool, arguments: Mapping[str, Any] | None) -> dict[str, Any]:
    """The call's arguments with strict mode's "absent" nulls removed.

    Strict mode made every optional argument nullable to stand for "absent"; where the spec
    itself gives null a meaning ("set to null to remove the lock"), the null is kept and sent.
    """
    args = dict(arguments or {})
    if tool.strict:
        meaningful = {b.arg for b in tool.bindings if b.nullable}
        args = {k: _drop_nulls(v) for k, v in args.items() if v is not None or k in meaningful}
    return args


def tool_call_to_request(tool: Tool, arguments: Mapping[str, Any] | None) -> ToolRequest:
    """Turn a tool call into the HTTP request it stands for.

    In strict tools optional arguments arrive as ``null``; they are treated as absent, except
    where the argument's own spec schema accepts ``null`` (then the null is sent: strict mode
    cannot tell "absent" from "null" there, and dropping it would lose a documented meaning).

    Returns:
        ``(method, path, params, headers, body)``: the path with parameters substituted,
        query pairs, headers (``Content-Type`` when there is a body, ``Cookie`` for cookie
        parameters) and the body value.

    Raises:
        ToolCallError: unknown arguments or missing required ones.
    """
    request = tool_call_to_wire(tool, arguments)
    body: Any = None if request.body is ABSENT else JSON_NULL if request.body is None else request.body
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
    body: Any = ABSENT
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
    if body_props or (op.request_body is not None and op.request_body.required and body is ABSENT
                      and any(b.location == "body-property" for b in tool.bindings)):
        body = body_props
    return build_request(None, op, path=values["path"], query=values["query"], headers=values["header"],
                         cookies=values["cookie"], body=body, media_type=tool.media_type)


def tool_call_to_wire(tool: Tool, arguments: Mapping[str, Any] | None) -> Request:
    """The tool call as the wire layer's :class:`~toolcheck.wire.Request` (what the MCP bridge sends,
    after adding credentials; :func:`tool_call_to_request` reshapes it).

    Raises:
        ToolCallError: unknown arguments or missing required ones.
    """
    args = _strict_args(tool, arguments)
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
    return _wire_request(tool, args)


def arguments_for(tool: Tool, values: Mapping[tuple[str, str], Any], body: Any = ABSENT) -> dict[str, Any]:
    """The inverse of :func:`tool_call_to_request`: tool arguments from request values.

    Args:
        values: ``{(location, parameter name): value}`` for the parameters to pass.
        body: the request body value (an object for flattened bodies); leave it out for no
            body (``None`` is a JSON ``null`` body).
    """
    args: dict[str, Any] = {}
    for b in tool.bindings:
        if b.location == "body":
            if body is not ABSENT:
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
