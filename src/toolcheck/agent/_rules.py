"""The agent-readiness lint rules.

Each rule is a plain function ``(ctx) -> iterable of Hit`` registered with :func:`rule`; the
engine (:mod:`toolcheck.agent.lint`) applies configuration (enabled, severity, options) and
turns hits into findings. Hand-written: these are judgements about what an LLM needs to pick
and call a tool correctly, documented with a bad and a good example each in
``docs/lint-rules.md``. Rules never raise on odd specs: they skip what they cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from toolcheck.findings import Severity
from toolcheck.spec import Operation, Spec

CHARS_PER_TOKEN = 4  # the usual rough estimate for English text and JSON


@dataclass(frozen=True)
class Hit:
    pointer: str
    message: str
    operation: str = ""
    hint: str = ""


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: Severity
    summary: str
    hint: str
    check: Callable[[Any], Iterable[Hit]]
    options: dict[str, Any] = field(default_factory=dict)


RULES: dict[str, RuleInfo] = {}


def rule(rule_id: str, severity: str, summary: str, hint: str, **options: Any) -> Callable[[Any], Any]:
    def register(fn: Callable[[Any], Iterable[Hit]]) -> Callable[[Any], Iterable[Hit]]:
        RULES[rule_id] = RuleInfo(rule_id, Severity.parse(severity), summary, hint, fn, dict(options))
        return fn
    return register


def _ops(ctx: Any) -> Iterator[Operation]:
    return iter(ctx.spec.operations)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower())


# --- names -----------------------------------------------------------------------------------
_VAGUE_IDS = frozenset({
    "get", "post", "put", "patch", "delete", "list", "create", "update", "remove", "handle", "handler",
    "do", "run", "call", "query", "request", "api", "endpoint", "operation", "op", "action", "method",
    "index", "show", "root", "default", "main", "execute", "process", "fetch", "read", "write",
})


@rule("operation-id-missing", "warning", "Operation has no operationId",
      "Add an operationId in verb_noun form (e.g. `get_invoice`): it becomes the tool name an agent sees.")
def _operation_id_missing(ctx: Any) -> Iterator[Hit]:
    for op in _ops(ctx):
        if not op.explicit_id:
            yield Hit(op.pointer, f"{op.key} has no operationId; the tool is named {ctx.names[op.key]!r} from its path",
                      op.key)


@rule("operation-id-vague", "warning", "operationId does not say what the tool does",
      "Name the action and the object (`cancel_task`, not `post1` or `deleteUsingDELETE`).")
def _operation_id_vague(ctx: Any) -> Iterator[Hit]:
    for op in _ops(ctx):
        if not op.explicit_id:
            continue
        oid = op.operation_id
        words = _words(oid)
        bare = re.sub(r"\d+", "", "".join(words))
        generated = re.search(r"using(get|post|put|patch|delete|head|options)(_?\d+)?$", oid, re.IGNORECASE)
        if generated or not bare or bare in _VAGUE_IDS or len(bare) < 3:
            yield Hit(op.pointer + "/operationId", f"operationId {oid!r} of {op.key} is too vague to pick a tool by", op.key)


@rule("name-collision", "error", "Tool names collide after sanitising",
      "Give these operations operationIds that differ in letters, digits, `_` or `-` and fit in 64 characters.")
def _name_collision(ctx: Any) -> Iterator[Hit]:
    for base, raws in ctx.collisions.items():
        for op in _ops(ctx):
            if op.operation_id in raws[1:] and ctx.names[op.key] != base:
                yield Hit(op.pointer + "/operationId",
                          f"operationId {op.operation_id!r} becomes tool name {base!r}, like {raws[0]!r}; "
                          f"renamed {ctx.names[op.key]!r}", op.key)


@rule("name-invalid", "info", "operationId is not a valid tool name as written",
      "Use only letters, digits, `_` and `-`, at most 64 characters, so the tool name equals the operationId.")
def _name_invalid(ctx: Any) -> Iterator[Hit]:
    from toolcheck.agent.names import NAME_PATTERN

    for op in _ops(ctx):
        if op.explicit_id and not NAME_PATTERN.match(op.operation_id):
            yield Hit(op.pointer + "/operationId",
                      f"operationId {op.operation_id!r} is published as tool name {ctx.names[op.key]!r}", op.key)


# --- descriptions ----------------------------------------------------------------------------
_VAGUE_TEXT = frozenset({"todo", "tbd", "test", "n a", "na", "none", "description", "summary", "endpoint", "api",
                         "operation", "method", "get", "post", "put", "delete", "patch", "fixme", "xxx"})


@rule("summary-missing", "warning", "Operation has no summary",
      "Add a one-line summary starting with a verb (`Cancel a queued or running task`).")
def _summary_missing(ctx: Any) -> Iterator[Hit]:
    for op in _ops(ctx):
        if not op.summary.strip():
            yield Hit(op.pointer, f"{op.key} has no summary", op.key)


@rule("description-missing", "info", "Operation has no description",
      "Describe when to use the tool, what it changes, and what it returns; mention side effects.")
def _description_missing(ctx: Any) -> Iterator[Hit]:
    for op in _ops(ctx):
        if not op.description.strip() and len(op.summary.strip()) < 40:
            yield Hit(op.pointer, f"{op.key} has no description (and only a short summary)", op.key)


@rule("description-vague", "warning", "Summary or description says nothing an agent can use",
      "Say what the operation does in words, not by repeating its name or path.")
def _description_vague(ctx: Any) -> Iterator[Hit]:
    for op in _ops(ctx):
        id_words = " ".join(_words(op.operation_id))
        path_words = " ".join(_words(f"{op.method} {op.path}"))
        texts = [("summary", op.summary), ("description", op.description)]
        vague = [(key, text) for key, text in texts if _vague_text(text, id_words, path_words, op.path)]
        # Repeating the name in a summary is fine when a description says more.
        if len(vague) == 1 and vague[0][0] == "summary" and op.description.strip():
            continue
        for key, text in vague:
            yield Hit(f"{op.pointer}/{key}", f"the {key} of {op.key} ({text.strip()[:60]!r}) only repeats its name",
                      op.key)


def _vague_text(text: str, id_words: str, path_words: str, path: str) -> bool:
    norm = " ".join(_words(text))
    return bool(norm) and (norm in _VAGUE_TEXT or norm in (id_words, path_words, " ".join(_words(path))))


@rule("parameter-description-missing", "warning", "Parameter has no description",
      "Describe the parameter: its meaning, format and an example value.")
def _parameter_description_missing(ctx: Any) -> Iterator[Hit]:
    for op in _ops(ctx):
        for i, p in enumerate(op.parameters):
            if p.description.strip():
                continue
            schema = ctx.spec.deref(p.schema)
            if isinstance(schema, dict) and str(schema.get("description") or "").strip():
                continue
            yield Hit(_param_pointer(ctx.spec, op, i), f"{p.location} parameter {p.name!r} of {op.key} has no description",
                      op.key)


def _param_pointer(spec: Spec, op: Operation, index: int) -> str:
    """Pointer to the parameter entry: on the operation, else on its path item."""
    from toolcheck.spec._pointer import resolve_pointer

    param = op.parameters[index]
    item_ptr = op.pointer.rsplit("/", 1)[0]
    for base in (op.pointer, item_ptr):
        try:
            entries = resolve_pointer(spec.document, base + "/parameters")
        except (KeyError, TypeError, ValueError, IndexError):
            continue
        if not isinstance(entries, list):
            continue
        for j, entry in enumerate(entries):
            target = entry
            if isinstance(entry, dict) and isinstance(entry.get("$ref"), str):
                try:
                    target = spec.resolve(entry["$ref"])
                except KeyError:
                    continue
            if isinstance(target, dict) and target.get("name") == param.name and target.get("in") == param.location:
                return f"{base}/parameters/{j}"
    return op.pointer


_ENUM_DOCS = ("x-enum-descriptions", "x-enumDescriptions", "x-enumNames", "x-enum-varnames", "x-enum-names")


def _opaque_value(v: Any) -> bool:
    if isinstance(v, bool) or v is None:
        return False
    if isinstance(v, (int, float)):
        return True
    if isinstance(v, str) and _SELF_EXPLAINING.match(v):
        return False  # dates and versions explain themselves
    return isinstance(v, str) and (len(v) <= 2 or not re.search(r"[a-zA-Z]{3}", v))


_SELF_EXPLAINING = re.compile(r"^(\d{4}-\d{2}(-\d{2})?|v?\d+(\.\d+)+)([-.+]\S*)?$")


def _opaque(values: list[Any]) -> bool:
    """Mostly codes (numbers, one- or two-letter strings): one short value among words is fine."""
    considered = [v for v in values if not isinstance(v, bool) and v is not None]
    return bool(considered) and sum(map(_opaque_value, considered)) * 2 >= len(considered)


@rule("enum-without-meaning", "warning", "Enum values are opaque codes with no explanation",
      "Explain each value in the description (or `x-enumDescriptions`), or use self-explaining values (`paid`, not `2`).")
def _enum_without_meaning(ctx: Any) -> Iterator[Hit]:
    spec = ctx.spec
    for op in _ops(ctx):
        found: list[tuple[str, Any, str]] = [(p.name, p.schema, p.description) for p in op.parameters]
        body = op.request_body
        if body is not None:
            for media in body.content.values():
                top = spec.deref(media.schema)
                if isinstance(top, dict) and isinstance(top.get("properties"), dict):
                    for prop, sub in top["properties"].items():
                        found.append((str(prop), sub, ""))
                break
        for name, schema, outer in found:
            resolved = spec.deref(schema)
            if not isinstance(resolved, dict):
                continue
            items = spec.deref(resolved.get("items")) if resolved.get("type") == "array" else None
            target = items if isinstance(items, dict) and "enum" in items else resolved
            values = target.get("enum")
            if not isinstance(values, list) or not values or not _opaque(values):
                continue
            if any(k in target or k in resolved for k in _ENUM_DOCS):
                continue
            text = " ".join(str(t.get("description") or "") for t in (target, resolved)) + " " + outer
            if any(re.search(rf"(?<![\w-]){re.escape(str(v))}(?![\w-])", text) for v in values if str(v)):
                continue
            shown = ", ".join(map(str, values[:6])) + (", ..." if len(values) > 6 else "")
            yield Hit(op.pointer, f"{name!r} of {op.key} takes opaque values [{shown}] that nothing explains", op.key)


# --- responses and security ------------------------------------------------------------------
def _has_schema(resp: Any) -> bool:
    return any(m.schema is not None for m in resp.content.values())


@rule("error-schema-missing", "warning", "No documented 4xx error payload",
      "Document 4xx responses (or `4XX`/`default`) with an error schema (code + message) so an agent can recover.")
def _error_schema_missing(ctx: Any) -> Iterator[Hit]:
    for op in _ops(ctx):
        if not any((s.startswith("4") or s == "default") and _has_schema(r) for s, r in op.responses.items()):
            yield Hit(op.pointer + "/responses", f"{op.key} documents no 4xx response with a schema", op.key)


@rule("write-without-security", "warning", "Write operation needs no authentication",
      "Declare a security requirement for operations that change state (or mark the API's auth at the top level).")
def _write_without_security(ctx: Any) -> Iterator[Hit]:
    from toolcheck.agent._annotations import verb_kind

    for op in _ops(ctx):
        if op.method == "post" and verb_kind(op) == "query":
            continue  # a search sent as POST (its body is a query) changes nothing
        if op.is_write and (not op.security or any(len(alt) == 0 for alt in op.security)):
            how = "optional" if op.security else "none"
            yield Hit(op.pointer, f"{op.key} changes state but its authentication is {how}", op.key)


def _resource(path: str) -> str:
    """The collection a path belongs to: ``/invoices/{id}/lines`` → ``/invoices`` (up to its first
    template), so reads and writes of one resource meet."""
    return path.split("/{", 1)[0].rstrip("/") or "/"


def _scopes(op: Operation) -> frozenset[str]:
    return frozenset(s for alt in op.security[:1] for scopes in alt.values() for s in scopes)


@rule("write-scope-same-as-read", "warning", "A write needs no scope beyond what reading the same resource needs",
      "Give writes their own scope (e.g. invoices:write beside invoices:read), so an agent that only reads can "
      "be given a token that cannot write.")
def _write_scope_same_as_read(ctx: Any) -> Iterator[Hit]:
    reads: dict[str, frozenset[str]] = {}
    for op in _ops(ctx):
        scopes = _scopes(op)
        if not op.is_write and scopes:
            reads[_resource(op.path)] = reads.get(_resource(op.path), frozenset()) | scopes
    for op in _ops(ctx):
        scopes = _scopes(op)
        read = reads.get(_resource(op.path))
        if op.is_write and scopes and read is not None and scopes <= read:
            yield Hit(op.pointer + "/security", f"{op.key} needs only {', '.join(sorted(scopes))}, which reading "
                      f"{_resource(op.path)} needs too: least privilege is impossible", op.key)


@rule("response-schema-missing", "warning", "Success response has no schema",
      "Document the 2xx body with a schema so the agent knows what comes back (use 204 when there is no body).")
def _response_schema_missing(ctx: Any) -> Iterator[Hit]:
    for op in _ops(ctx):
        if op.method == "head":
            continue
        success = [(s, r) for s, r in op.responses.items() if s.startswith("2") or s.upper() == "2XX"]
        if not success:
            yield Hit(op.pointer + "/responses", f"{op.key} documents no 2xx response", op.key)
            continue
        if any(s in ("204", "205") or _has_schema(r) for s, r in success):
            continue
        status = success[0][0]
        if status == "202":
            # Accepted (RFC 9110 §15.3.3): the answer should say where to follow the work, and
            # a Location or Retry-After header does that without a body; "use 204" would be wrong.
            if any(h.lower() in ("location", "retry-after", "operation-location") for h in success[0][1].headers):
                continue
            yield Hit(f"{op.pointer}/responses/{status}", f"the 202 response of {op.key} says neither where nor "
                      "when to check the accepted work", op.key,
                      "Document a body with the job id and status, or a Location header to poll.")
            continue
        yield Hit(f"{op.pointer}/responses/{status}", f"the {status} response of {op.key} has no body schema", op.key)


_ITEMS_KEYS = frozenset({"data", "items", "results", "entries", "records", "list", "values", "nodes", "edges",
                         "elements", "objects", "content", "hits", "rows"})
_PAGE_PARAM = re.compile(
    r"^(limit|page|pages|perpage|pagesize|pagenumber|pageno|size|offset|cursor|start|startingafter|endingbefore|"
    r"after|before|next|nexttoken|pagetoken|skip|top|maxresults|maxitems|count|marker|continuation|"
    r"continuationtoken|first|last|from|since|sincetoken)$")
_PAGE_FIELD = re.compile(r"next|cursor|has_?more|paging|pagination|page|links|continuation|total", re.IGNORECASE)


def _success_schema(spec: Spec, op: Operation) -> Any:
    for status, resp in sorted(op.responses.items()):
        if status.startswith("2"):
            for media in resp.content.values():
                if media.schema is not None:
                    return spec.deref(media.schema)
    return None


@rule("pagination-missing", "warning", "List operation without pagination",
      "Add limit/cursor (or page) parameters and return a next cursor, so an agent never pulls an unbounded list.")
def _pagination_missing(ctx: Any) -> Iterator[Hit]:
    spec = ctx.spec
    for op in _ops(ctx):
        if op.method != "get":
            continue
        schema = _success_schema(spec, op)
        if not isinstance(schema, dict):
            continue
        is_list = schema.get("type") == "array"
        raw_props = schema.get("properties")
        props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
        if not is_list:
            for key, sub in props.items():
                sub_r = spec.deref(sub)
                if str(key).lower() in _ITEMS_KEYS and isinstance(sub_r, dict) and sub_r.get("type") == "array":
                    is_list = True
        if not is_list:
            continue
        if any(_PAGE_PARAM.match(re.sub(r"[^a-z]", "", p.name.lower())) for p in op.parameters if p.location == "query"):
            continue
        if any(_PAGE_FIELD.search(str(k)) for k in props):
            continue
        if any("link" == h.lower() for r in op.responses.values() for h in r.headers):
            continue
        yield Hit(op.pointer, f"{op.key} returns a list but takes no page size or cursor", op.key)
