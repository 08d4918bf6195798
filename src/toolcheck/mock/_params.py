"""Validate path/query/header/cookie parameters against their operation.

Reading them off the wire (style/explode, the schema's type) is the wire layer's parsing half,
:mod:`toolcheck.wire.read`; this module says what is wrong with what it read: a missing
required parameter, an empty one (``allowEmptyValue``), a value its schema refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolcheck._absent import ABSENT
from toolcheck.findings import Finding
from toolcheck.mock._fastcheck import fast_check
from toolcheck.spec.jsonschema import describe, validator_for
from toolcheck.wire.read import exploded_members, parse_cookies, read_value

if TYPE_CHECKING:
    from toolcheck.spec import Operation, Spec


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
    direction = "request" if skip_read_only else None  # also inside anyOf/oneOf branches
    try:
        fast = fast_check(spec, schema, direction)
        if fast is not None and fast(instance):
            return []
        validator = validator_for(spec, schema, direction)
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
        raw: Any = ABSENT
        if where == "path":
            raw = path_params.get(param.name, ABSENT)
        elif where == "query":
            if param.name in query_map:
                raw = query_map[param.name]
            elif param.style == "deepObject" and any(k.startswith(param.name + "[") for k in query_map):
                raw = []
            elif param.explode and param.style == "form" and param.media_type is None:
                members = exploded_members(spec, op, param, query_map)
                if members is not None:
                    pointer = f"/query/{param.name.replace('~', '~0').replace('/', '~1')}"
                    values[f"query:{param.name}"] = members
                    for sub, message in request_errors(spec, param.schema, members, limit=5):
                        issues.append(Issue(pointer + sub, f"query parameter {param.name!r}: {message}"))
                    continue
        elif where == "header":
            raw = headers.get(param.name.lower(), ABSENT)
        elif where == "cookie":
            if cookies is None:
                cookies = parse_cookies(headers.get("cookie", ""))
            raw = cookies.get(param.name, ABSENT)
        pointer = f"/{_SECTION.get(where, where)}/{param.name.replace('~', '~0').replace('/', '~1')}"
        if raw is ABSENT:
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


_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_SECTION = {"query": "query", "path": "path", "header": "headers", "cookie": "cookies"}
