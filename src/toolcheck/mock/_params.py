"""Read path/query/header/cookie parameters off the wire (style/explode) and validate them.

OpenAPI 3.1 §4.8.12.4 (style values): path ``simple``/``label``/``matrix``, query ``form``/
``spaceDelimited``/``pipeDelimited``/``deepObject``, header ``simple``, cookie ``form``.
Values arrive as strings; they are coerced to the schema's type before validation so that
``?limit=10`` passes ``type: integer`` and ``?limit=ten`` fails with a message that says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

from toolcheck.findings import Finding
from toolcheck.mock._fastcheck import fast_check
from toolcheck.spec.jsonschema import describe, validator_for

if TYPE_CHECKING:
    from toolcheck.spec import Operation, Parameter, Spec

_MISSING = object()


@dataclass(frozen=True)
class Issue:
    """One request violation: ``field`` is a JSON pointer into ``{path, query, headers, cookies, body}``."""

    field: str
    message: str
    kind: str = "parameter"  # parameter | body | content_type | json | security

    def to_finding(self) -> Finding:
        """The shared record: the kind is the check, the field the pointer."""
        return Finding(self.kind, self.message, self.field)


def request_errors(spec: Spec, schema: Any, instance: Any, *, limit: int = 50,
                   skip_read_only: bool = False) -> list[tuple[str, str]]:
    """``(pointer, message)`` per violation; a missing required member points at the member.

    Like :func:`toolcheck.spec.jsonschema.schema_errors`, but ``required`` errors name the
    field (``/customer_id``, not ``/``), which is what a client needs to fix its request.
    With ``skip_read_only`` a missing ``readOnly`` member is not an error (OpenAPI 3.1 §4.8.24:
    read-only properties are required in responses only), so one schema serves both ways.
    """
    try:
        fast = fast_check(spec, schema)
        if fast is not None and fast(instance):
            return []
        validator = validator_for(spec, schema)
        if fast is None and validator.is_valid(instance):
            return []
        errors = sorted(validator.iter_errors(instance), key=lambda e: (len(e.path), str(e.message)))
    except RecursionError:
        return [("", "the value is nested too deeply to validate")]
    except Exception as exc:  # an unresolvable $ref: the spec's fault, not the client's
        return [("", f"the schema cannot be evaluated: {type(exc).__name__}")]
    out: list[tuple[str, str]] = []
    for error in _leaves(errors)[:limit]:
        pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)
        if error.validator in ("required", "dependentRequired") and isinstance(error.instance, dict):
            wanted = error.validator_value
            names = wanted if isinstance(wanted, list) else [n for v in (wanted or {}).values() for n in v]
            missing = [n for n in names if isinstance(n, str) and n not in error.instance
                       and error.message.startswith(repr(n))]
            if missing:
                if skip_read_only and _read_only(spec, error.schema, missing[0]):
                    continue
                pointer += "/" + missing[0].replace("~", "~0").replace("/", "~1")
        out.append((pointer, describe(error)))
    return out


def _read_only(spec: Spec, parent: Any, name: str) -> bool:
    props = parent.get("properties") if isinstance(parent, dict) else None
    sub = props.get(name) if isinstance(props, dict) else None
    if not isinstance(sub, dict):
        return False
    resolved = spec.deref(sub)
    return bool(sub.get("readOnly")) or (isinstance(resolved, dict) and bool(resolved.get("readOnly")))


def _leaves(errors: list[Any]) -> list[Any]:
    """Errors from ``allOf`` wrappers are replaced by their causes (the wrapper adds nothing)."""
    out: list[Any] = []
    for error in errors:
        if error.validator == "allOf" and error.context:
            out.extend(_leaves(sorted(error.context, key=lambda e: (len(e.path), str(e.message)))))
        else:
            out.append(error)
    return out


def parse_query(raw: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw, keep_blank_values=True, max_num_fields=1000)
    except ValueError:
        return []


def parse_cookies(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            out[name.strip()] = unquote(value.strip().strip('"'))
    return out


def _schema_info(spec: Spec, schema: Any) -> tuple[list[str], dict[str, Any]]:
    resolved = spec.deref(schema) if isinstance(schema, dict) else {}
    if not isinstance(resolved, dict):
        return [], {}
    kind = resolved.get("type")
    types = [kind] if isinstance(kind, str) else [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []
    if not types:
        for key in ("oneOf", "anyOf", "allOf"):
            for branch in resolved.get(key) or []:
                sub_types, _ = _schema_info(spec, branch)
                types.extend(t for t in sub_types if t not in types)
        if not types and "properties" in resolved:
            types = ["object"]
        if not types and "items" in resolved:
            types = ["array"]
    return types, resolved


def coerce(spec: Spec, schema: Any, value: str) -> Any:
    """A wire string read as the schema's type (integer, number, boolean, null), else unchanged.

    When several readings are possible (``anyOf: [integer, string enum]``, a nullable enum),
    the first that validates wins: typed readings, then the string, then null.
    """
    types, _ = _schema_info(spec, schema)
    readings: list[Any] = []
    for kind in [t for t in types if t in ("integer", "number", "boolean")] + ["string", "null"]:
        reading = _read_as(kind, value, types)
        if reading is not _MISSING and reading not in readings:
            readings.append(reading)
    if not readings:
        return value
    if len(readings) == 1:
        return readings[0]
    from toolcheck.mock.generate import is_valid

    for reading in readings:
        if is_valid(spec, schema, reading):
            return reading
    return readings[0]


def _read_as(kind: str, value: str, types: list[str]) -> Any:
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            return _MISSING
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            return _MISSING
        if number != number or number in (float("inf"), float("-inf")):
            return _MISSING
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    if kind == "boolean":
        return value == "true" if value in ("true", "false") else _MISSING
    if kind == "string":
        return value if "string" in types or not types else _MISSING
    if kind == "null":
        return None if "null" in types and value in ("", "null") else _MISSING
    return _MISSING


def _items_schema(resolved: dict[str, Any]) -> Any:
    items = resolved.get("items")
    return items if isinstance(items, (dict, bool)) else {}


def _split_pairs(parts: list[str]) -> dict[str, str]:
    return {parts[i]: parts[i + 1] for i in range(0, len(parts) - 1, 2)}


def _object(spec: Spec, resolved: dict[str, Any], raw: dict[str, str]) -> dict[str, Any]:
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
    types, resolved = _schema_info(spec, param.schema)
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
            from toolcheck.mock._validate import form_tree

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
        if single is not None and len(types) > 1 and param.schema is not None:
            # `oneOf: [string, array]` (Discord's sku_ids): one value may be the scalar branch
            valid = spec.validator(param.schema).is_valid
            if not valid(listed):
                scalar = coerce(spec, param.schema, _strip_prefix(single, param))
                if valid(scalar):
                    return scalar
        return listed
    if "object" in types and types[0] == "object":
        if isinstance(raw, list):
            raw = raw[0] if raw else ""
        text = _strip_prefix(raw, param)
        if param.explode and "=" in text:
            sep = ";" if style == "matrix" else "." if style == "label" else ","
            pairs = dict(p.partition("=")[::2] for p in text.split(sep) if p)
        else:
            pairs = _split_pairs(text.split(","))
        return _object(spec, resolved, pairs)
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


def validate_params(
    spec: Spec,
    op: Operation,
    path_params: Mapping[str, str],
    query: list[tuple[str, str]],
    headers: Mapping[str, str],
) -> tuple[dict[str, Any], list[Issue]]:
    """Decode and validate every declared parameter; returns the decoded values and the issues."""
    values: dict[str, Any] = {}
    issues: list[Issue] = []
    cookies: dict[str, str] | None = None
    query_map: dict[str, list[str]] = {}
    for key, value in query:
        query_map.setdefault(key, []).append(value)
    for param in op.parameters:
        where = param.location
        if where == "header" and param.name.lower() in _IGNORED_HEADERS:
            continue  # OpenAPI 3.1 §4.8.12.1: these header parameters SHALL be ignored
        raw: Any = _MISSING
        if where == "path":
            raw = path_params.get(param.name, _MISSING)
        elif where == "query":
            if param.name in query_map:
                raw = query_map[param.name]
            elif param.style == "deepObject" and any(k.startswith(param.name + "[") for k in query_map):
                raw = []
            elif param.explode and param.style == "form" and param.media_type is None:
                members = _exploded_members(spec, op, param, query_map)
                if members is not None:
                    pointer = f"/query/{param.name.replace('~', '~0').replace('/', '~1')}"
                    values[f"query:{param.name}"] = members
                    for sub, message in request_errors(spec, param.schema, members, limit=5):
                        issues.append(Issue(pointer + sub, f"query parameter {param.name!r}: {message}"))
                    continue
        elif where == "header":
            raw = headers.get(param.name.lower(), _MISSING)
        elif where == "cookie":
            if cookies is None:
                cookies = parse_cookies(headers.get("cookie", ""))
            raw = cookies.get(param.name, _MISSING)
        pointer = f"/{_SECTION.get(where, where)}/{param.name.replace('~', '~0').replace('/', '~1')}"
        if raw is _MISSING:
            if param.required or where == "path":
                issues.append(Issue(pointer, f"required {where} parameter {param.name!r} is missing"))
            continue
        if where == "query" and raw == [""]:
            # OpenAPI 3.x §4.8.12.2 `allowEmptyValue` (default false): `?name=` is refused unless
            # allowed, and when allowed it is "present, no value", whatever the schema's type.
            if not param.allow_empty_value:
                issues.append(Issue(pointer, f"{where} parameter {param.name!r} is empty (allowEmptyValue is not set)"))
            else:
                values[f"{where}:{param.name}"] = ""
            continue
        value = read_value(spec, param, raw, query)
        values[f"{where}:{param.name}"] = value
        if param.schema:
            for sub, message in request_errors(spec, param.schema, value, limit=5):
                issues.append(Issue(pointer + sub, f"{where} parameter {param.name!r}: {message}"))
    return values, issues


def _exploded_members(spec: Spec, op: Operation, param: Parameter,
                      query_map: dict[str, list[str]]) -> dict[str, Any] | None:
    """An object query parameter in the default ``form``/``explode: true`` style, whose members
    arrive as their own pairs (OpenAPI 3.1 §4.8.12.4: ``?offset=1&limit=123`` for
    ``pagination``): the pairs named like its properties, and, when it allows additional
    properties, the pairs no other parameter claims. None when the schema is not an object or
    no member was sent."""
    types, resolved = _schema_info(spec, param.schema)
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
    return _object(spec, resolved, picked) if picked else None


_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_SECTION = {"query": "query", "path": "path", "header": "headers", "cookie": "cookies"}
