"""Shrinking a failing case to a minimal one that fails the same way.

Hand-written (hypothesis's shrinker needs hypothesis to own the generation loop; fuzz draws
with its own generator): greedy passes that drop optional query parameters, headers and body
fields and cut long strings and lists, keeping a candidate only if it is still a valid
positive (or still violates exactly the original keyword at the original pointer) and the
target still fails the same (check, cause). Bounded by ``budget`` requests per finding.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.fuzz.checks import Failure
from toolcheck.fuzz.http import Exchange
from toolcheck.payloads.case import Case
from toolcheck.payloads.negative import _proof
from toolcheck.spec import Operation, Spec
from toolcheck.wire.read import parameter_accepts

# Values whose format a cut would break (dates, times, UUIDs, e-mail, URIs, IPs): never shortened,
# whatever the schema says, so a shrunk reproduction keeps every format valid.
_STRUCTURED = re.compile(
    r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-|[^@\s]+@[^@\s]+\.|[A-Za-z][A-Za-z0-9+.-]*://|"
    r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$|[0-9a-fA-F:]*::")


def shrink(spec: Spec, op: Operation, case: Case, exchange: Exchange, failure: Failure, *,
           send: Callable[[Case], Exchange], check: Callable[[Case, Exchange], list[Failure]],
           expired: Callable[[], bool], budget: int = 40) -> tuple[Case, Exchange, Failure]:
    """The simplest variant of ``case`` that still fails the same check for the same cause."""
    tries = 0
    improved = True
    while improved and tries < budget and not expired():
        improved = False
        for candidate in simpler(op, case, spec):
            if tries >= budget:
                break
            if candidate == case or not same_kind(spec, op, candidate):
                continue
            tries += 1
            result = send(candidate)
            for f in check(candidate, result):
                if f.check == failure.check and f.cause == failure.cause:
                    case, exchange, failure = candidate, result, f
                    improved = True
                    break
            if improved:
                break
    return case, exchange, failure


def simpler(op: Operation, case: Case, spec: Spec | None = None) -> Iterator[Case]:
    """Candidate simplifications: optional parameters and fields dropped, strings and lists cut.

    First every optional parameter at once, then every optional top-level body member at
    once (the first step of delta debugging): when the failure does not depend on them, one
    request removes them all. One at a time, a 400 for a header on a body with thirty optional
    members took the whole shrink budget, on every operation of a service that checks the header.
    """
    protected = case.pointer.split("/")[1:] if case.negative else []
    optional_params = {
        "query": {n for n in case.query if (p := op.parameter(n, "query")) is None or not p.required},
        "headers": {n for n in case.headers if (p := op.parameter(n, "header")) is None or not p.required},
    }
    optional_params["query"].discard(case.pointer[len("query/"):] if case.pointer.startswith("query/") else "")
    optional_params["headers"].discard(case.pointer[len("header/"):] if case.pointer.startswith("header/") else "")
    if len(optional_params["query"]) + len(optional_params["headers"]) > 1:
        yield case.with_(query={k: v for k, v in case.query.items() if k not in optional_params["query"]},
                         headers={k: v for k, v in case.headers.items() if k not in optional_params["headers"]})
    required = _required_members(spec, op, case)
    if isinstance(case.body, dict) and required is not None:
        keep = required | ({protected[0]} if protected else set())
        if len(set(case.body) - keep) > 1:
            yield case.with_(body={k: copy.deepcopy(v) for k, v in case.body.items() if k in keep})
    for name in list(case.query):
        param = op.parameter(name, "query")
        if (param is None or not param.required) and not (case.pointer == f"query/{name}"):
            yield case.with_(query={k: v for k, v in case.query.items() if k != name})
    for name in list(case.headers):
        param = op.parameter(name, "header")
        if (param is None or not param.required) and case.pointer != f"header/{name}":
            yield case.with_(headers={k: v for k, v in case.headers.items() if k != name})
    if isinstance(case.body, dict):
        yield from _drop_keys(case, case.body, [], protected)
    for name, value in case.query.items():
        if isinstance(value, str) and len(value) > 4 and case.pointer != f"query/{name}" and not _STRUCTURED.match(value):
            yield case.with_(query={**case.query, name: value[: max(1, len(value) // 3)]})
    if isinstance(case.body, (dict, list)):
        yield from _shorten(case, case.body, [], protected)


def _required_members(spec: Spec | None, op: Operation, case: Case) -> set[str] | None:
    """The required top-level members of the case's JSON body schema (None if unknown)."""
    if spec is None or op.request_body is None or not case.media_type:
        return None
    media = op.request_body.content.get(case.media_type)
    schema = spec.deref(media.schema) if media is not None else None
    if not isinstance(schema, dict) or any(k in schema for k in ("allOf", "anyOf", "oneOf")):
        return None
    required = schema.get("required") or []
    return {r for r in required if isinstance(r, str)} if isinstance(required, list) else None


def _shorten(case: Case, node: Any, path: list[Any], protected: list[str]) -> Iterator[Case]:
    """Cut long strings (and lists) not on the mutated path: readable reproductions."""

    items = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
    for key, value in items:
        here = [*path, key]
        if [str(p) for p in here] == protected[: len(here)] and len(here) == len(protected):
            continue
        replacement: Any = None
        if isinstance(value, str) and len(value) > 4 and not _STRUCTURED.match(value):
            replacement = value[: max(1, len(value) // 3)]
        elif isinstance(value, list) and len(value) > 1:
            replacement = value[:1]
        if replacement is not None:
            body = copy.deepcopy(case.body)
            target = body
            for part in path:
                target = target[part]
            target[key] = replacement
            yield case.with_(body=body)
        if isinstance(value, (dict, list)) and len(here) < 4:
            yield from _shorten(case, value, here, protected)


def _drop_keys(case: Case, node: dict[str, Any], path: list[str], protected: list[str]) -> Iterator[Case]:

    for key in list(node):
        if protected[: len(path) + 1] == [*path, key]:
            continue
        body = copy.deepcopy(case.body)
        target = body
        for part in path:
            target = target[part]
        del target[key]
        yield case.with_(body=body)
    for key, value in node.items():
        if isinstance(value, dict) and len(path) < 3:
            yield from _drop_keys(case, value, [*path, key], protected)


def same_kind(spec: Spec, op: Operation, case: Case) -> bool:
    """A positive candidate is still valid; a negative one still violates exactly the same thing.

    Every part the case did not deliberately break must stay valid, formats included: a
    negative in a query parameter whose body's ``date-time`` was cut to ``"20"`` is a second,
    unintended violation, and the reproduction would lie about its cause.
    """
    media = op.request_body.content.get(case.media_type or "") if op.request_body and case.media_type else None
    schema = media.schema if media is not None else None
    if case.negative and case.pointer.startswith("body"):
        if schema is not None and case.body is not ABSENT:
            # Still invalid for the same reason, and only that one: shrinking must not add
            # a second violation (dropping another required field, say).
            errors = list(spec.validator(schema).iter_errors(case.body))
            proof = _proof(spec, schema, case.body)
            if not (len(errors) == 1 and proof is not None and "body" + proof[1] == case.pointer
                    and proof[0] == case.keyword):
                return False
        return _parameters_valid(spec, op, case)
    if schema is not None and case.body is not ABSENT and not spec.validator(schema).is_valid(case.body):
        return False
    return _parameters_valid(spec, op, case)


def _parameters_valid(spec: Spec, op: Operation, case: Case) -> bool:
    """Every parameter valid, except the one a negative case breaks on purpose."""
    for param in op.parameters:
        here = f"{param.location}/{param.name}"
        if case.negative and (case.pointer == here or case.pointer.startswith(here + "/")):
            continue
        slot = {"query": case.query, "header": case.headers, "path": case.path_params, "cookie": case.cookies}.get(param.location)
        if slot is None:
            continue
        if param.required and param.name not in slot and param.location != "header":
            return False
        if param.name in slot and not parameter_accepts(spec, param, slot[param.name]):
            return False
    return True
