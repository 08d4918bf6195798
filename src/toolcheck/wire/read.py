"""What a server parses from the wire (the reading half): parameters, query strings, cookies, forms.

The mock reads every request through it (:mod:`toolcheck.mock._params` validates what it
returns); the negative generator needs it to prove that a mutated parameter is really invalid
(``limit="5"`` is the same bytes as ``limit=5`` in a query string, so "number as a string" is
*not* a negative for a query integer); and the round-trip property test holds the writing half
(:mod:`toolcheck.wire.params`) to it.

OpenAPI 3.1 §4.8.12.4 (style values): path ``simple``/``label``/``matrix``, query ``form``/
``spaceDelimited``/``pipeDelimited``/``deepObject``, header ``simple``, cookie ``form``.
Values arrive as strings; they are read as the schema's type so that ``?limit=10`` passes
``type: integer`` and ``?limit=ten`` fails with a message that says so.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

from toolcheck._absent import ABSENT
from toolcheck.checks._fastcheck import is_valid
from toolcheck.generate import merge
from toolcheck.generate._flatten import flat_types, flatten
from toolcheck.spec import Parameter, Spec
from toolcheck.wire.params import scalar

if TYPE_CHECKING:
    from toolcheck.spec import Operation


# --- one value -------------------------------------------------------------------------------
def schema_types(spec: Spec, schema: Any, depth: int = 0) -> tuple[list[str], dict[str, Any]]:
    """The JSON types ``schema`` allows (looking into ``anyOf``/``oneOf``/``allOf`` branches, at
    most four deep: a ``$ref`` cycle through branches ends there) and the schema, dereferenced."""
    resolved = spec.deref(schema) if isinstance(schema, dict) else {}
    if not isinstance(resolved, dict) or depth > 4:
        return [], {}
    kind = resolved.get("type")
    types = [kind] if isinstance(kind, str) else [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []
    if not types:
        for key in ("oneOf", "anyOf", "allOf"):
            for branch in resolved.get(key) or []:
                sub_types, _ = schema_types(spec, branch, depth + 1)
                types.extend(t for t in sub_types if t not in types)
        if not types and "properties" in resolved:
            types = ["object"]
        if not types and "items" in resolved:
            types = ["array"]
    return types, resolved


def coerce(spec: Spec, schema: Any, value: str) -> Any:
    """A wire string read as the schema's type (integer, number, boolean, null), else unchanged.

    When several readings are possible (``anyOf: [integer, string enum]``, a nullable enum,
    Stripe's ``created``: ``anyOf: [object, integer]``), the first that validates wins: typed
    readings, then the string, then null.
    """
    types, _ = schema_types(spec, schema)
    readings: list[Any] = []
    for kind in [t for t in types if t in ("integer", "number", "boolean")] + ["string", "null"]:
        reading = _read_as(kind, value, types)
        if reading is not ABSENT and reading not in readings:
            readings.append(reading)
    if not readings:
        return value
    if len(readings) == 1:
        return readings[0]
    for reading in readings:
        if is_valid(spec, schema, reading):
            return reading
    return readings[0]


def _read_as(kind: str, value: str, types: list[str]) -> Any:
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            return ABSENT
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            return ABSENT
        if number != number or number in (float("inf"), float("-inf")):
            return ABSENT
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    if kind == "boolean":
        return value == "true" if value in ("true", "false") else ABSENT
    if kind == "string":
        return value if "string" in types or not types else ABSENT
    if kind == "null":
        return None if "null" in types and value in ("", "null") else ABSENT
    return ABSENT


def _listed_or_scalar(spec: Spec, schema: Any, types: list[str], listed: list[Any], single: str | None) -> Any:
    """The items read for an array schema, unless the schema also allows a scalar and one value
    was sent that reads as it (``oneOf: [string, array]``: Discord's ``sku_ids``)."""
    if single is not None and len(types) > 1 and schema is not None and not is_valid(spec, schema, listed):
        value = coerce(spec, schema, single)
        if is_valid(spec, schema, value):
            return value
    return listed


def _items_schema(resolved: dict[str, Any]) -> Any:
    items = resolved.get("items")
    return items if isinstance(items, (dict, bool)) else {}


# --- parameters ------------------------------------------------------------------------------
def parse_query(raw: str) -> list[tuple[str, str]]:
    """The query string's pairs, blank values kept; at most 1000 (beyond: none, as refused)."""
    try:
        return parse_qsl(raw, keep_blank_values=True, max_num_fields=1000)
    except ValueError:
        return []


def parse_cookies(header: str) -> dict[str, str]:
    """A ``Cookie`` header's pairs (RFC 6265 §4.2.1), values percent-decoded and unquoted."""
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            out[name.strip()] = unquote(value.strip().strip('"'))
    return out


def _split_pairs(parts: list[str]) -> dict[str, str]:
    return {parts[i]: parts[i + 1] for i in range(0, len(parts) - 1, 2)}


def _members(spec: Spec, resolved: dict[str, Any], raw: dict[str, str]) -> dict[str, Any]:
    raw_props = resolved.get("properties")
    props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
    extra = resolved.get("additionalProperties")
    out: dict[str, Any] = {}
    for key, text in raw.items():
        sub = props.get(key, extra if isinstance(extra, dict) else {})
        out[key] = coerce(spec, sub, text)
    return out


def read_value(spec: Spec, param: Parameter, raw: Any, query: list[tuple[str, str]] | None = None) -> Any:
    """Decode one parameter from its wire form (``raw`` is a str, or a list for exploded query)."""
    types, resolved = schema_types(spec, param.schema)
    style = param.style
    if param.media_type is not None:
        import orjson

        text = raw[0] if isinstance(raw, list) else raw
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return text
    if style == "deepObject" and query is not None:
        # OpenAPI 3.1 §4.8.12.4: `name[key]=value`; leaves are read by the schema of their branch
        # (Stripe: `created[gte]=5` for `anyOf: [{gte: integer ...}, integer]`), `name[]=a` as a list.
        prefix = param.name + "["
        bracketed = [(k, v) for k, v in query if k.startswith(prefix)]
        if bracketed:
            wrapper = {"type": "object", "properties": {param.name: param.schema}}
            return form_tree(spec, wrapper, bracketed).get(param.name, {})
        if "object" in types and "array" not in types:  # a plain `created=537`: read as the scalar branches
            text = raw[0] if isinstance(raw, list) and raw else raw if isinstance(raw, str) else ""
            return coerce(spec, param.schema, text)
    if "array" in types:
        items = _items_schema(resolved)
        if isinstance(raw, list):
            if param.explode or len(raw) > 1:
                parts = raw
            else:
                parts = _split_array(raw[0] if raw else "", style)
        elif style == "matrix" and param.explode:
            parts = [p.partition("=")[2] for p in raw.split(";") if p]
        else:
            parts = _split_array(_strip_prefix(raw, param), style, path_explode=param.explode)
        listed = [coerce(spec, items, p) for p in parts]
        single = raw if isinstance(raw, str) else raw[0] if isinstance(raw, list) and len(raw) == 1 else None
        return _listed_or_scalar(spec, param.schema, types, listed,
                                 None if single is None else _strip_prefix(single, param))
    if "object" in types and types[0] == "object":
        if isinstance(raw, list):
            raw = raw[0] if raw else ""
        text = _strip_prefix(raw, param)
        if param.explode and "=" in text:
            sep = ";" if style == "matrix" else "." if style == "label" else ","
            pairs = dict(p.partition("=")[::2] for p in text.split(sep) if p)
        else:
            pairs = _split_pairs(text.split(","))
        return _members(spec, resolved, pairs)
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    return coerce(spec, param.schema, _strip_prefix(raw, param))


def _split_array(text: str, style: str, *, path_explode: bool = False) -> list[str]:
    if text == "":
        return []
    sep = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
    if style == "label" and path_explode:
        sep = "."
    return text.split(sep)


def _strip_prefix(text: str, param: Parameter) -> str:
    if param.location != "path":
        return text
    if param.style == "label" and text.startswith("."):
        return text[1:]
    if param.style == "matrix":
        prefix = f";{param.name}="
        if text.startswith(prefix):
            return text[len(prefix):]
        if text.startswith(";"):
            return text[1:]
    return text


def exploded_members(spec: Spec, op: Operation, param: Parameter,
                     query_map: dict[str, list[str]]) -> dict[str, Any] | None:
    """An object query parameter in the default ``form``/``explode: true`` style, whose members
    arrive as their own pairs (OpenAPI 3.1 §4.8.12.4: ``?offset=1&limit=123`` for
    ``pagination``): the pairs named like its properties, and, when it allows additional
    properties, the pairs no other parameter claims. None when the schema is not an object or
    no member was sent."""
    types, resolved = schema_types(spec, param.schema)
    if not types or types[0] != "object":
        return None
    raw_props = resolved.get("properties")
    props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
    extra = resolved.get("additionalProperties", True)
    claimed = {p.name for p in op.parameters if p.location == "query"}
    picked: dict[str, str] = {}
    for key, given in query_map.items():
        if key in props or (extra is not False and key not in claimed and "[" not in key):
            picked[key] = given[0] if given else ""
    return _members(spec, resolved, picked) if picked else None


# --- form bodies and bracketed pairs ---------------------------------------------------------
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
_SEPARATORS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


def read_form(spec: Spec, schema: Any, text: str, encoding: Any = None) -> dict[str, Any]:
    """A form body as a tree: ``a=1&b[c]=2&d[]=x&e[0][f]=y`` (the bracket style of Rails, PHP,
    Stripe), leaves read as their schema's type, index maps turned into arrays."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=5000)
    except ValueError:
        pairs = []
    if isinstance(encoding, dict) and encoding:
        pairs = _unstyle(spec, schema, pairs, encoding)
    tree = form_tree(spec, schema, pairs)
    # An empty array has no pairs at all in a form (`tags=a&tags=b` for two items, nothing for
    # none), so a required array that is absent was sent empty.
    flat = flatten(spec, schema)
    props = flat.get("properties") if isinstance(flat, dict) else None
    if isinstance(props, dict) and isinstance(flat.get("required"), list):
        for name in flat["required"]:
            sub = flatten(spec, props.get(name)) if isinstance(name, str) else None
            if isinstance(sub, dict) and name not in tree and flat_types(sub) == ["array"]:
                tree[name] = []
    return tree


def _unstyle(spec: Spec, schema: Any, pairs: list[tuple[str, str]], encoding: dict[str, Any]) -> list[tuple[str, str]]:
    """Non-exploded ``encoding`` styles (OpenAPI 3.1 §4.8.15.1) read back into bracket pairs:
    ``tags=a,b`` (form), ``a b`` (spaceDelimited), ``a|b`` (pipeDelimited) for an array,
    ``obj=foo,1,bar,2`` for an object."""
    flat = flatten(spec, schema)
    props = flat.get("properties") if isinstance(flat, dict) else None
    if not isinstance(props, dict):
        return pairs
    out: list[tuple[str, str]] = []
    for key, value in pairs:
        rule = encoding.get(key)
        style = rule.get("style", "form") if isinstance(rule, dict) else None
        explode = rule.get("explode", style == "form") if isinstance(rule, dict) else True
        sep = _SEPARATORS.get(style or "")
        sub = flatten(spec, props.get(key)) if key in props else None
        kinds = flat_types(sub) if isinstance(sub, dict) else []
        if sep is None or explode or "[" in key:
            out.append((key, value))
        elif "array" in kinds and "string" not in kinds:
            out.extend((f"{key}[{i}]", part) for i, part in enumerate(value.split(sep)) if value)
        elif "object" in kinds and style == "form":
            parts = value.split(",")
            out.extend((f"{key}[{parts[i]}]", parts[i + 1]) for i in range(0, len(parts) - 1, 2))
        else:
            out.append((key, value))
    return out


def form_tree(spec: Spec, schema: Any, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Bracketed ``(key, value)`` pairs as a tree shaped by ``schema`` (form bodies, and
    ``deepObject`` query parameters: ``created[gte]=5`` reads 5 as the integer its branch says)."""
    tree: dict[str, Any] = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        path = [head] + (_BRACKETS.findall("[" + rest) if rest else [])
        node: Any = tree
        for index, part in enumerate(path):
            last = index == len(path) - 1
            if part == "":  # `d[]=x`: append
                part = str(sum(1 for k in node if k.isdigit())) if isinstance(node, dict) else "0"
            if not isinstance(node, dict):
                break
            if last:
                if part in node and not isinstance(node[part], dict):
                    node[part] = [*node[part]] if isinstance(node[part], list) else [node[part]]
                    node[part].append(value)
                else:
                    node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                node = child
    shaped = shape(spec, schema, tree)
    return shaped if isinstance(shaped, dict) else tree


def _branch(spec: Spec, schema: Any, kind: str) -> Any:
    """The flattened schema, or its ``anyOf``/``oneOf`` branch whose type is ``kind``."""
    flat = flatten(spec, schema)
    if not isinstance(flat, dict):
        return {}
    for _kind, branches, _disc in flat.get("_choices") or []:
        for branch in branches:
            sub = flatten(spec, branch)
            if isinstance(sub, dict) and kind in flat_types(sub):
                return merge({k: v for k, v in flat.items() if k != "_choices"}, sub)
    return flat


def shape(spec: Spec, schema: Any, node: Any, depth: int = 0) -> Any:
    """A tree of strings (a form, multipart fields, XML text) read by ``schema``: digit-keyed
    maps become arrays where an array is expected, one value a one-item list, leaves their type."""
    if depth > 32:
        return node
    if isinstance(node, dict):
        wants_array = "array" in flat_types(_branch(spec, schema, "array")) and \
            "object" not in flat_types(flatten(spec, schema) or {})
        if node and all(k.isdigit() for k in node) and wants_array:
            flat = _branch(spec, schema, "array")
            items = flat.get("items", {}) if isinstance(flat, dict) else {}
            return [shape(spec, items, node[k], depth + 1) for k in sorted(node, key=int)]
        flat = _branch(spec, schema, "object")
        props = flat.get("properties") if isinstance(flat, dict) else None
        props = props if isinstance(props, dict) else {}
        extra = flat.get("additionalProperties") if isinstance(flat, dict) else None
        return {k: shape(spec, props.get(k, extra if isinstance(extra, dict) else {}), v, depth + 1)
                for k, v in node.items()}
    if isinstance(node, list):
        flat = _branch(spec, schema, "array")
        items = flat.get("items", {}) if isinstance(flat, dict) else {}
        return [shape(spec, items, v, depth + 1) for v in node]
    if isinstance(node, str):
        flat = flatten(spec, schema)
        kinds = flat_types(flat or {}) if isinstance(flat, dict) else []
        if "array" in kinds and "string" not in kinds:  # one value where a list is expected
            flat = _branch(spec, schema, "array")
            items = flat.get("items", {}) if isinstance(flat, dict) else {}
            return [shape(spec, items, node, depth + 1)]
        return coerce(spec, schema, node)
    return node


# --- multipart bodies --------------------------------------------------------------------------
def read_multipart(content_type: str, body: bytes) -> dict[str, Any] | None:
    """Fields of a multipart/form-data body (RFC 7578): text as str, JSON parts decoded,
    repeated names as lists, file parts as their text. None when the body is no well-formed
    form: no boundary, no start or close delimiter on a line of its own (RFC 2046 §5.1.1), a
    part without its header/body separator, or a part without ``Content-Disposition: form-data;
    name=...`` (RFC 7578 §4.2)."""
    import email.errors
    import email.parser
    import email.policy

    import orjson

    if "boundary=" not in content_type.lower():
        return None
    boundary = content_type[content_type.lower().index("boundary=") + 9:].split(";", 1)[0].strip().strip('"')
    if body.strip() == b"--" + boundary.encode("latin-1", "replace") + b"--":
        return {}  # a form with no fields: only the close delimiter (what clients send for an empty form)
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    try:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    except Exception:  # the email package raises many kinds on hostile input
        return None
    if not message.is_multipart() or message.defects:
        return None
    out: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_content_disposition() != "form-data" or any(
                isinstance(d, email.errors.MessageDefect) for d in part.defects):
            return None
        raw = part.get_payload(decode=True)
        payload = raw if isinstance(raw, bytes) else b""
        value: Any
        if "json" in (part.get_content_type() or "") and payload:
            try:
                value = orjson.loads(payload)
            except orjson.JSONDecodeError:
                value = payload.decode("utf-8", "replace")
        else:
            value = payload.decode("utf-8", "replace")
        if name in out:
            out[name] = [*out[name], value] if isinstance(out[name], list) else [out[name], value]
        else:
            out[name] = value
    return out


# --- what the senders' values read back as ---------------------------------------------------
def _read_text(spec: Spec, schema: Any, text: str) -> Any:
    """``text`` as a server reads it for ``schema``: an array's items split at commas."""
    types, resolved = schema_types(spec, schema)
    if "array" in types:
        listed = [coerce(spec, _items_schema(resolved), part) for part in text.split(",")] if text else []
        return _listed_or_scalar(spec, schema, types, listed, text)
    return coerce(spec, schema, text)


def wire_value(spec: Spec, param: Parameter, value: Any) -> Any:
    """``value`` as a server reads it back from the wire (``12345`` in a path is ``"12345"``)."""
    if param.schema is None or isinstance(value, dict):
        return value
    if param.media_type:  # `content` parameters carry JSON text; a string is sent as it is
        text = value if isinstance(value, str) else scalar(value)
        try:
            return json.loads(text)
        except ValueError:
            return text
    if isinstance(value, list):
        resolved = spec.deref(param.schema)
        items = resolved.get("items", {}) if isinstance(resolved, dict) else {}
        return [coerce(spec, items, scalar(v)) for v in value]
    return _read_text(spec, param.schema, scalar(value))


def parameter_accepts(spec: Spec, param: Parameter, value: Any) -> bool:
    """Would ``value``, sent on the wire and parsed back, satisfy the parameter's schema?"""
    if param.schema is None:
        return True
    try:
        return bool(spec.validator(param.schema).is_valid(wire_value(spec, param, value)))
    except Exception:  # an unevaluable schema proves nothing: treat as accepted
        return True


def form_read_back(value: Any) -> Any:
    """A form body as a server reads it back: an empty array or object sends no pair at all
    (:func:`toolcheck.wire.bodies.unexpressible`), so it reads as absent."""
    if isinstance(value, dict):
        kept = {k: form_read_back(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v != [] and v != {}}
    if isinstance(value, list):
        return [v for v in (form_read_back(item) for item in value) if v != [] and v != {}]
    return value
