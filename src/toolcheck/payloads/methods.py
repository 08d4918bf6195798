"""Requests with a method the path does not document: does the server refuse them properly?

RFC 9110 §15.5.6: a method the target resource does not support is answered 405 with an
``Allow`` header naming the methods it does; §15.6.2: a method the server does not recognise at
all may get 501. Schemathesis probes this in its coverage phase (``unexpected-methods``); we send
the same kind of request, once per (path, method), from an operation's valid case (its path
parameters aimed, where the runner can, at a resource created in this run, so the resource
exists and a 404 is not the router's answer to an unknown id).

A method counts as declared for the URL when any path template with the same shape documents
it, whatever its parameter schemas say: ``GET /flows/filter`` reaches ``GET /flows/{id}`` in
most routers, which then answers 404/422 for an id that is not one, and that is not a method
the server mishandles (Schemathesis counts it as one when the id's schema rejects "filter").
HEAD and OPTIONS are not probed: frameworks answer them for every route (RFC 9110 §9.3.2
makes HEAD the twin of GET; OPTIONS serves CORS preflights).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.payloads.case import NEGATIVE, Case
from toolcheck.spec import Operation, Spec

# The methods probed, in the order sent (TRACE is the one every server knows and few route).
PROBED = ("get", "put", "post", "delete", "patch", "trace")
KEYWORD = "method"  # Case.keyword of a method probe
_BODILESS = frozenset({"get", "delete", "trace"})  # TRACE must not carry content (RFC 9110 §9.3.8)


def _shape(path: str, values: Mapping[str, Any] | None = None) -> tuple[str | None, ...]:
    """A path template's segments; a parameter segment is its value in ``values`` if it is
    exactly one parameter with a scalar value there, else None (any segment)."""
    out: list[str | None] = []
    for seg in path.strip("/").split("/"):
        value = (values or {}).get(seg[1:-1]) if seg.startswith("{") and seg.endswith("}") else None
        out.append(None if "{" in seg else seg)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            out[-1] = str(value)
    return tuple(out)


def declared_methods(spec: Spec, op: Operation, path_params: Mapping[str, Any] | None = None) -> set[str]:
    """Methods the spec routes to ``op``'s URL (with ``path_params``): its own path's, and those
    of every template of the same shape whose literal segments do not contradict it."""
    mine = _shape(op.path, path_params)
    methods: set[str] = {op.method.lower()}
    for other in spec.operations:
        theirs = _shape(other.path.split("#", 1)[0].split("?", 1)[0])
        if len(theirs) == len(mine) and all(a is None or b is None or a == b for a, b in zip(mine, theirs, strict=True)):
            methods.add(other.method.lower())
    return methods


def method_probes(spec: Spec, op: Operation, base: Case) -> list[Case]:
    """One case per undocumented method, built from ``base`` (a valid case of ``op``)."""
    if "#" in op.path or "?" in op.path:
        return []  # AWS-style keys: the query selects the operation, not the method alone
    declared = declared_methods(spec, op, base.path_params)
    out = []
    for method in PROBED:
        if method in declared:
            continue
        bodiless = method in _BODILESS
        out.append(base.with_(method=method, kind=NEGATIVE, keyword=KEYWORD, pointer="method", lenient=False, llm=False,
                              body=ABSENT if bodiless else base.body, media_type=None if bodiless else base.media_type,
                              raw_body=None if bodiless else base.raw_body,
                              label=f"{method.upper()} {op.path}, a method the spec does not document for this path"))
    return out


def is_probe(case: Case, op: Operation) -> bool:
    """``case`` sends a method other than ``op``'s (built by :func:`method_probes`)."""
    return case.keyword == KEYWORD and case.method.lower() != op.method.lower()
