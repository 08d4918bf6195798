"""The stateful phase: create → read → delete chains, from OpenAPI links or inferred.

Hand-written. ``PUT /things/{x}`` that answers 2xx is followed by ``GET /things/{x}``. A chain
is inferred when ``POST /things`` answers 2xx and ``GET /things/{x}`` exists: ``x`` is read from the create response (a body field named ``x``, else ``id``, else
the last segment of the ``Location`` header). OpenAPI ``links`` whose parameters are
``$response.body#/...`` or ``$response.header.X`` runtime expressions (OpenAPI 3.1 §4.8.20.4)
give explicit chains. If ``DELETE /things/{x}`` exists, the chain ends with a delete and a
read that must now fail (404/410).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from toolcheck.spec import Operation, Spec
from toolcheck.spec._pointer import resolve_pointer


@dataclass(frozen=True)
class Chain:
    """``create`` then ``read`` (then ``delete``), with where ``read``'s parameters come from.

    Attributes:
        sources: read parameter name → runtime expression (``$response.body#/id``,
            ``$response.header.Location``, ``$request.path.org``).
        origin: ``link`` or ``inferred``.
    """

    create: Operation
    read: Operation
    delete: Operation | None
    sources: dict[str, str] = field(default_factory=dict)
    origin: str = "inferred"


def _segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def _response_props(spec: Spec, op: Operation) -> set[str]:
    props: set[str] = set()
    for status, response in op.responses.items():
        if not status.startswith("2"):
            continue
        for media in response.content.values():
            schema = spec.deref(media.schema)
            if isinstance(schema, dict):
                for part in [schema, *[spec.deref(s) for s in schema.get("allOf") or []]]:
                    if isinstance(part, dict) and isinstance(part.get("properties"), dict):
                        props.update(part["properties"])
    return props


def infer_chains(spec: Spec, operations: list[Operation] | None = None) -> list[Chain]:
    """Every chain the spec's links describe, plus inferred collection/item chains."""
    ops = list(operations if operations is not None else spec.operations)
    chains: list[Chain] = []
    seen: set[tuple[str, str]] = set()
    by_id = {op.operation_id: op for op in spec.operations}
    for op in ops:
        if op.method not in ("post", "put"):
            continue
        for status, response in op.responses.items():
            if not status.startswith("2"):
                continue
            for link in response.links.values():
                if not isinstance(link, dict):
                    continue
                target = by_id.get(str(link.get("operationId", "")))
                ref = link.get("operationRef")
                if target is None and isinstance(ref, str) and ref.startswith("#/paths/"):
                    target = _by_ref(spec, ref)
                params: dict[str, Any] = link["parameters"] if isinstance(link.get("parameters"), dict) else {}
                if target is None or target.method != "get" or (op.operation_id, target.operation_id) in seen:
                    continue
                sources = {str(k).split(".")[-1]: str(v) for k, v in params.items() if isinstance(v, str)}
                seen.add((op.operation_id, target.operation_id))
                chains.append(Chain(op, target, _delete_for(spec, target), sources, "link"))
    for op in ops:
        if op.method != "post":
            continue
        base = _segments(op.path)
        props = _response_props(spec, op)
        for read in spec.operations:
            if read.method != "get":
                continue
            segs = _segments(read.path)
            if len(segs) != len(base) + 1 or segs[:-1] != base or not _is_param(segs[-1]):
                continue
            if (op.operation_id, read.operation_id) in seen:
                continue
            name = segs[-1][1:-1]
            if name in props:
                source = f"$response.body#/{name}"
            elif "id" in props:
                source = "$response.body#/id"
            else:
                source = "$response.header.Location"
            sources = {name: source}
            for seg in base:
                if _is_param(seg):
                    sources[seg[1:-1]] = f"$request.path.{seg[1:-1]}"
            seen.add((op.operation_id, read.operation_id))
            chains.append(Chain(op, read, _delete_for(spec, read), sources, "inferred"))
    for op in ops:
        # PUT /things/{id} that answers 2xx created or replaced the thing: GET of the same path must find it.
        segs = _segments(op.path)
        if op.method != "put" or not segs or not _is_param(segs[-1]):
            continue
        getter = next((r for r in spec.operations if r.method == "get" and r.path == op.path), None)
        if getter is None or (op.operation_id, getter.operation_id) in seen:
            continue
        sources = {seg[1:-1]: f"$request.path.{seg[1:-1]}" for seg in segs if _is_param(seg)}
        seen.add((op.operation_id, getter.operation_id))
        chains.append(Chain(op, getter, _delete_for(spec, getter), sources, "inferred"))
    return chains


def _by_ref(spec: Spec, ref: str) -> Operation | None:
    from toolcheck.spec._pointer import unescape

    parts = ref[len("#/paths/"):].split("/")
    if len(parts) != 2:
        return None
    path, method = unescape(parts[0]), parts[1].lower()
    for op in spec.operations:
        if op.path == path and op.method == method:
            return op
    return None


def _delete_for(spec: Spec, read: Operation) -> Operation | None:
    for op in spec.operations:
        if op.method == "delete" and op.path == read.path:
            return op
    return None


def evaluate_expression(expression: str, *, request_path: dict[str, Any], body: Any, headers: dict[str, str]) -> Any:
    """Value of a link runtime expression against the create exchange (None if absent)."""
    if expression.startswith("$response.body"):
        pointer = expression[len("$response.body"):].lstrip("#")
        try:
            return resolve_pointer(body, pointer) if pointer else body
        except (KeyError, IndexError, TypeError, ValueError):
            return None
    if expression.startswith("$response.header."):
        name = expression[len("$response.header."):].lower()
        value = next((v for k, v in headers.items() if k.lower() == name), None)
        if value is not None and name == "location":
            # The last segment as the server meant it: "/files/a%20b" is the id "a b" (RFC 3986
            # §2.1); the sender encodes it again when it builds the read's path.
            return unquote(value.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1])
        return value
    if expression.startswith("$request.path."):
        return request_path.get(expression[len("$request.path."):])
    if expression.startswith("$"):
        return None
    return expression
