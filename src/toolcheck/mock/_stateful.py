"""The stateful answers (see :mod:`toolcheck.mock.state` for the rules they follow).

Every body stored or returned is checked against the operation's response schema; a change
that would break it (a request field the response does not allow, a job stage the enum does
not have) is dropped, so stateful answers stay as valid as generated ones.
"""

from __future__ import annotations

import copy
import random
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from toolcheck.mock._echo import echo_ids
from toolcheck.mock._errors import error_status
from toolcheck.mock._params import Issue
from toolcheck.mock.generate import GenerationError, _Generator, generate_value, is_valid, with_derived_totals
from toolcheck.mock.state import id_field, items_above, lifecycle
from toolcheck.wire.read import coerce

if TYPE_CHECKING:
    from toolcheck.mock.responder import Mock, MockResponse
    from toolcheck.spec import Operation


def answer(mock: Mock, op: Operation, path_params: dict[str, str], decoded: Any,
           rng: random.Random, params: dict[str, Any] | None = None, subject: str | None = None) -> MockResponse | None:
    """The stateful answer for ``op``, or None to fall back to the stateless one.

    ``params`` are the decoded parameters (``"query:limit"`` → 10): list answers honour a
    ``limit`` and filter on query parameters named like a field of the items (``?status=queued``).
    ``subject`` is who calls (a JWT's ``sub``, a ``--token``): what one subject creates, another
    neither lists nor reaches (the documented 404, else 403: OWASP API1, object-level authorization).
    """
    path = op.path.rstrip("/") or "/"
    resource = mock.resources[path]
    store = mock.store
    # Nested collections are per parent: /customers/A/notes and /customers/B/notes differ.
    collection = resource.collection
    for name, value in path_params.items():
        collection = collection.replace("{" + name + "}", value)
    status, response = mock.documented_status(op, {})
    schema = _schema(response)
    if path == resource.item:
        key = path_params.get(resource.id_param)
        if key is None:
            return None
        stored = store.get(collection, key)
        if stored is not None and store.foreign(collection, key, subject):
            status_for = 404 if op.response_for(404) is not None or op.response_for(403) is None else 403
            issue = Issue(f"/path/{resource.id_param}", f"{resource.item} {key!r} does not exist" if status_for == 404
                          else f"{resource.item} {key!r} belongs to another subject")
            return mock.error_response(op, status_for, [issue], rng)
        # Gone after a DELETE: 404 (or what the operation documents for it). When no such status
        # is documented, a repeated DELETE succeeds again (idempotent, RFC 9110 §9.2.2) and a PUT
        # creates anew, rather than answer a status the spec never promised.
        idempotent = op.method in ("delete", "put") and error_status(op, 404) == 404 and op.response_for(404) is None
        if stored is None and store.is_deleted(collection, key) and not idempotent:
            issue = Issue(f"/path/{resource.id_param}", f"{resource.item} {key!r} does not exist (it was deleted)")
            return mock.error_response(op, 404, [issue], rng)
        if stored is None and op.method == "get" and not store.is_deleted(collection, key) \
                and _documents_not_found(op) and not mock.seeded(resource, key):
            # Never created (nor named by the spec's examples): the documented 404, not invented data.
            # A write to such an id still succeeds (PUT and PATCH upsert, DELETE is idempotent).
            issue = Issue(f"/path/{resource.id_param}", f"{resource.item} {key!r} does not exist (never created)")
            return mock.error_response(op, 404, [issue], rng)
        if op.method == "get":
            if stored is None:
                return None
            body = _advance(mock, schema, stored)
            store.put(collection, key, body)
            shown = _fit(mock, schema, body)
            if shown is None:  # the spec reads it back in another shape: answer as the stateless mock
                return None
            return _finish(mock, op, status, response, copy.deepcopy(shown), (), rng)
        if op.method in ("patch", "put"):
            base = stored if stored is not None else _generate(mock, schema, rng, path_params)
            body = with_derived_totals(mock.spec, schema, _merge(mock, schema, base, decoded, keep=id_field(base, resource)))
            store.put(collection, key, body)
            shown = _fit(mock, schema, body)
            if shown is None:
                shown = _generate(mock, schema, rng, path_params)
            return _finish(mock, op, status, response, shown if schema is not None else None, (), rng)
        if op.method == "delete":
            store.delete(collection, key)
            body = _generate(mock, schema, rng, path_params) if schema is not None else None
            return _finish(mock, op, status, response, body, (), rng)
        return None
    if op.method == "post":
        # Identical POSTs must create distinct resources: draw from a per-create sequence.
        with mock.state_lock:
            mock.creates += 1
            sequence = mock.creates
        create_rng = random.Random(f"{mock.seed}|{op.key}|create|{sequence}")
        # A POST documented without a body (201 + Location) still creates what GET /x/{id} returns.
        stored_schema = schema if schema is not None else _item_schema(mock, resource)
        envelope = _generate(mock, stored_schema, create_rng, {})
        if not isinstance(envelope, dict):
            return None
        # A created object inside an envelope (`{"data": {...}}`, a common shape) is stored itself.
        wrapper = _envelope_key(mock, stored_schema, envelope, resource)
        item_schema = _prop(mock, stored_schema, wrapper) if wrapper else stored_schema
        body = envelope[wrapper] if wrapper else envelope
        sent = decoded.get(wrapper) if wrapper and isinstance(decoded, dict) and isinstance(decoded.get(wrapper), dict) \
            else decoded
        body = _merge(mock, item_schema, body, sent, keep=id_field(body, resource))
        body = with_derived_totals(mock.spec, item_schema, body)
        stages = _stages(mock, item_schema)
        if stages and body.get("status") != stages[0]:
            body = _try(mock, item_schema, body, {"status": stages[0], "progress": 0})
        field_name = id_field(body, resource)
        if field_name is None:
            return None
        body = _fit_id(mock, item_schema, body, field_name, resource, create_rng)
        shown = body
        if wrapper:
            shown = {**envelope, wrapper: body}
            if stored_schema is not None and not is_valid(mock.spec, stored_schema, shown):
                return None
        key = str(body[field_name])
        store.put(collection, key, body)
        store.own(collection, key, subject)
        location = f"{collection}/{quote(key, safe='')}"
        extra = (("location", location),) if location.isascii() else ()
        return _finish(mock, op, status, response, shown if schema is not None else None, extra, rng)
    if op.method == "get":
        items = store.listing(collection, subject)
        if not items or schema is None:
            return None
        limit = None
        for key, value in (params or {}).items():
            where, _, name = key.partition(":")
            if where != "query":
                continue
            if name in ("limit", "per_page", "page_size", "pageSize", "max_results") and isinstance(value, int):
                limit = max(0, value)
            elif isinstance(value, (str, int, bool)) and any(isinstance(i, dict) and name in i for i in items):
                items = [i for i in items if isinstance(i, dict) and i.get(name) == value]
        more = limit is not None and len(items) > limit
        if limit is not None:
            items = items[:limit]
        listing = _listing(mock, schema, items, rng, more)
        if listing is None:
            return None
        return _finish(mock, op, status, response, listing, (), rng)
    return None


def under_deleted(mock: Mock, op: Operation, path_params: dict[str, str], rng: random.Random) -> MockResponse | None:
    """The documented 404 for a path below a deleted item (``GET /tags/57/sites`` after
    ``DELETE /tags/57``): what hangs under a resource is gone with it. None otherwise."""
    if not _documents_not_found(op):
        return None
    for resource in items_above(mock.all_resources, op.path.rstrip("/") or "/"):
        key = path_params.get(resource.id_param)
        collection = resource.collection
        for name, value in path_params.items():
            collection = collection.replace("{" + name + "}", value)
        if key is not None and mock.store.get(collection, key) is None and mock.store.is_deleted(collection, key):
            issue = Issue(f"/path/{resource.id_param}", f"{resource.item} {key!r} does not exist (it was deleted)")
            return mock.error_response(op, 404, [issue], rng)
    return None


def _finish(mock: Mock, op: Operation, status: int, response: Any, body: Any,
            extra: tuple[tuple[str, str], ...], rng: random.Random) -> MockResponse:
    """The answer, with the headers the spec documents for it (a required one is never left out)."""
    named = {name for name, _ in extra}
    documented = tuple(h for h in mock.documented_headers(op, status, response, rng, "", None) if h[0] not in named)
    media_type = None
    if body is None and response is not None and response.content:
        # The status documents a body the store has no JSON shape for (S3: `200` as `text/xml`
        # only): the stateless body of the documented type, never an unlabelled empty answer.
        body, media_type = mock.documented_body(op, status, response, rng)
    return mock.finish(op, status, body, extra + documented, None, 0.0, "state", media_type or None)


def _fit(mock: Mock, schema: Any, body: Any) -> Any:
    """``body`` as this operation's response shows it, or None when it does not fit its schema
    (Netlify: POST /accounts answers an account, GET /accounts/{id} documents a list of them;
    an envelope: ``{"data": body}``)."""
    if schema is None or is_valid(mock.spec, schema, body):
        return body
    if is_valid(mock.spec, schema, [body]):
        return [body]
    gen = _Generator(mock.spec, random.Random(0), "response")
    flat = gen.flatten(schema)
    props = flat.get("properties") if isinstance(flat, dict) else None
    if not isinstance(props, dict) or not isinstance(body, dict):
        return None
    for key in sorted(props, key=lambda k: k not in _ENVELOPES):
        if not is_valid(mock.spec, props[key], body):
            continue
        try:
            page = generate_value(mock.spec, schema, rng=random.Random(0))
        except GenerationError:
            return None
        if isinstance(page, dict):
            trial = {**page, key: body}
            if is_valid(mock.spec, schema, trial):
                return trial
    return None


_ENVELOPES = ("data", "item", "result", "resource", "object", "record", "entity")


def _envelope_key(mock: Mock, schema: Any, body: dict[str, Any], resource: Any) -> str | None:
    """The member of ``body`` that holds the created object when ``body`` is an envelope: it has
    no id of its own and one object member (``data``, ``item``...) does."""
    if id_field(body, resource) is not None:
        return None
    for key in sorted(body, key=lambda k: k not in _ENVELOPES):
        inner = body[key]
        if isinstance(inner, dict) and id_field(inner, resource) is not None:
            return key
    return None


def _prop(mock: Mock, schema: Any, key: str) -> Any:
    gen = _Generator(mock.spec, random.Random(0), "response")
    flat = gen.flatten(schema) if schema is not None else None
    props = flat.get("properties") if isinstance(flat, dict) else None
    return props.get(key) if isinstance(props, dict) else None


def _documents_not_found(op: Operation) -> bool:
    """The operation documents what a missing item gets: ``404``/``410`` or a ``4XX`` range."""
    return any(code in op.responses for code in ("404", "410", "4XX", "4xx"))


def _fit_id(mock: Mock, schema: Any, body: dict[str, Any], field_name: str, resource: Any,
            rng: random.Random) -> dict[str, Any]:
    """The created id made readable back: when it breaks the item path parameter's schema
    (HubSpot: a string ``id`` in the body, ``{subscriptionId}`` an int32 in the path), it is
    redrawn from the parameter's schema, if the body schema still accepts it."""
    param_schema = None
    for candidate in mock.spec.operations:
        if (candidate.path.rstrip("/") or "/") == resource.item:
            param = candidate.parameter(resource.id_param, "path")
            if param is not None and param.schema:
                param_schema = param.schema
                break
    if param_schema is None:
        return body
    key = str(body[field_name])
    if is_valid(mock.spec, param_schema, coerce(mock.spec, param_schema, key)):
        return body
    try:
        value = generate_value(mock.spec, param_schema, rng=rng, name=resource.id_param)
    except GenerationError:
        return body
    for choice in (value, str(value)):
        trial = {**body, field_name: choice}
        if (schema is None or is_valid(mock.spec, schema, trial)) and \
                is_valid(mock.spec, param_schema, coerce(mock.spec, param_schema, str(choice))):
            return trial
    return body


def _item_schema(mock: Mock, resource: Any) -> Any:
    for candidate in mock.spec.operations:
        if candidate.method == "get" and (candidate.path.rstrip("/") or "/") == resource.item:
            _status, response = mock.documented_status(candidate, {})
            return _schema(response)
    return None


def _schema(response: Any) -> Any:
    if response is None:
        return None
    for media_type, media in response.content.items():
        if "json" in media_type and media.schema is not None:
            return media.schema
    return None


def _generate(mock: Mock, schema: Any, rng: random.Random, path_params: dict[str, str]) -> Any:
    if schema is None:
        return None
    try:
        value = generate_value(mock.spec, schema, rng=rng)
    except GenerationError:
        return None
    return echo_ids(mock.spec, schema, value, path_params)


def _try(mock: Mock, schema: Any, body: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = body
    for key, value in changes.items():
        if key not in body:
            continue
        trial = {**out, key: value}
        if schema is None or is_valid(mock.spec, schema, trial):
            out = trial
    return out


def _merge(mock: Mock, schema: Any, base: Any, decoded: Any, keep: str | None) -> Any:
    """Request fields copied onto ``base`` where the response schema accepts them."""
    if not isinstance(base, dict) or not isinstance(decoded, dict):
        return base
    # Only fields the response documents, never writeOnly ones (a password is not echoed back).
    gen = _Generator(mock.spec, random.Random(0), "response")
    flat = gen.flatten(schema) if schema is not None else {}
    props = flat.get("properties") if isinstance(flat, dict) else None
    props = props if isinstance(props, dict) else {}
    changes = {k: v for k, v in decoded.items() if k != keep and k in props and not gen.hidden(props[k])}
    trial = {**base, **changes}
    if schema is None or is_valid(mock.spec, schema, trial):
        return trial
    out = dict(base)
    for key, value in changes.items():
        candidate = {**out, key: value}
        if is_valid(mock.spec, schema, candidate):
            out = candidate
    return out


def _stages(mock: Mock, schema: Any) -> list[str]:
    if schema is None:
        return []
    gen = _Generator(mock.spec, random.Random(0), "response")
    flat = gen.flatten(schema)
    props = flat.get("properties") if isinstance(flat, dict) else None
    if not isinstance(props, dict) or "status" not in props:
        return []
    status = gen.flatten(props["status"])
    if not isinstance(status, dict):
        return []
    scripted = status.get("x-toolcheck-lifecycle")
    if isinstance(scripted, list) and all(isinstance(s, str) for s in scripted):
        return list(scripted)
    enum = status.get("enum")
    return lifecycle(enum) if isinstance(enum, list) else []


def _advance(mock: Mock, schema: Any, stored: Any) -> Any:
    """The next job stage (queued → running → completed), once per read."""
    stages = _stages(mock, schema)
    if not stages or not isinstance(stored, dict) or stored.get("status") not in stages:
        return stored
    index = stages.index(stored["status"])
    if index + 1 >= len(stages):
        return stored
    nxt = stages[index + 1]
    progress = 100 if index + 1 == len(stages) - 1 else 50
    return _try(mock, schema, stored, {"status": nxt, "progress": progress})


def _listing(mock: Mock, schema: Any, items: list[Any], rng: random.Random, more: bool = False) -> Any:
    try:
        page = generate_value(mock.spec, schema, rng=rng)
    except GenerationError:
        return None
    if isinstance(page, list):
        return items if is_valid(mock.spec, schema, items) else None
    if not isinstance(page, dict):
        return None
    gen = _Generator(mock.spec, rng, "response")
    flat = gen.flatten(schema)
    props = flat.get("properties") if isinstance(flat, dict) else {}
    for key, sub in (props or {}).items():
        sub_flat = gen.flatten(sub)
        if isinstance(sub_flat, dict) and sub_flat.get("type") == "array":
            trial = {**page, key: list(items)}
            for flag in ("has_more", "hasMore"):
                if flag in trial:
                    trial[flag] = more
            if "next_cursor" in trial and not more:
                trial["next_cursor"] = None
            if is_valid(mock.spec, schema, trial):
                return trial
            trial = {**page, key: list(items)}
            if is_valid(mock.spec, schema, trial):
                return trial
    return None
