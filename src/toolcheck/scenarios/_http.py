"""Turn a step (operation + rendered values) into an HTTP request; apply auth; curl reproduction.

Hand-written because the spec decides everything here: where each parameter goes, how arrays
are serialised (OpenAPI ``style``/``explode``, form by default), the request media type, and
how each security scheme carries its credential (RFC 6750 bearer, RFC 7617 basic, apiKey in
header/query/cookie). Pure functions: no I/O.
"""

from __future__ import annotations

import base64
import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import orjson

from toolcheck.scenarios.expressions import MISSING
from toolcheck.spec import Operation, Spec

# Deliberately malformed (not an RFC 6750 b64token, not base64): every server, strict or a mock
# that only checks a credential's shape, must refuse it.
INVALID_TOKEN = "toolcheck!invalid!credential"


@dataclass
class Prepared:
    """A request ready to send (and to show in a report)."""

    method: str
    path: str  # already expanded, relative to the base URL
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    body: Any = MISSING  # the structured body, for $request.body and reports
    path_params: dict[str, Any] = field(default_factory=dict)
    query_params: dict[str, Any] = field(default_factory=dict)
    auth_schemes: tuple[str, ...] = ()
    undocumented: list[str] = field(default_factory=list)  # parameters the operation does not declare


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)


def _query_pairs(name: str, value: Any, style: str, explode: bool) -> list[tuple[str, str]]:
    if value is None or value is MISSING:
        return []
    if isinstance(value, list):
        if explode and style == "form":
            return [(name, _scalar(v)) for v in value]
        sep = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return [(name, sep.join(_scalar(v) for v in value))]
    if isinstance(value, dict):
        if style == "deepObject":
            return _deep_pairs(name, value)
        if explode:
            return [(str(k), _scalar(v)) for k, v in value.items()]
        return [(name, ",".join(f"{k},{_scalar(v)}" for k, v in value.items()))]
    return [(name, _scalar(value))]


def _path_value(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(quote(_scalar(v), safe="") for v in value)
    if isinstance(value, dict):
        return ",".join(f"{quote(str(k), safe='')},{quote(_scalar(v), safe='')}" for k, v in value.items())
    return quote(_scalar(value), safe="")


def request_media_type(op: Operation, explicit: str | None) -> str | None:
    """The media type to send: the step's, else the spec's (JSON preferred)."""
    if explicit:
        return explicit
    if op.request_body is None or not op.request_body.content:
        return None
    types = list(op.request_body.content)
    for t in types:
        if t.split(";")[0].strip().lower() == "application/json" or t.endswith("+json"):
            return t
    return types[0]


def _deep_pairs(prefix: str, value: Any) -> list[tuple[str, str]]:
    """``a[b][0][c]=v``: a ``deepObject`` form field at any depth (the bracket style of Rails,
    PHP, Stripe, and what the mock reads)."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _deep_pairs(f"{prefix}[{k}]", v)]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in _deep_pairs(f"{prefix}[{i}]", v)]
    return [] if value is None or value is MISSING else [(prefix, _scalar(value))]


def _encoding(op: Operation, media: str | None) -> Any:
    """The ``encoding`` map of the spec's media type that ``media`` names (parameters ignored)."""
    if not media or op.request_body is None:
        return None
    base = media.split(";")[0].strip().lower()
    for key, entry in op.request_body.content.items():
        if key.split(";")[0].strip().lower() == base:
            return entry.encoding
    return None


def encode_body(body: Any, media_type: str | None, encoding: Any = None) -> tuple[bytes | None, str | None]:
    """Serialise a body for its media type: JSON, form-urlencoded (per the media type's
    ``encoding`` map: style, explode), or text as-is."""
    if body is MISSING:
        return None, None
    media = (media_type or "application/json").split(";")[0].strip().lower()
    if media == "application/x-www-form-urlencoded" and isinstance(body, dict):
        pairs: list[tuple[str, str]] = []
        for k, v in body.items():
            rule = encoding.get(k) if isinstance(encoding, dict) else None
            rule = rule if isinstance(rule, dict) else {}
            style = str(rule.get("style", "form"))
            if style == "deepObject" and isinstance(v, (dict, list)):
                pairs.extend(_deep_pairs(str(k), v))
            else:
                pairs.extend(_query_pairs(str(k), v, style, bool(rule.get("explode", style == "form"))))
        return urlencode(pairs).encode(), media_type or media
    if media.startswith("multipart/") and isinstance(body, dict):
        from toolcheck.fuzz.http import multipart_body  # the fuzzer's encoder: one wire format for both

        return multipart_body(body, encoding or {}, media)
    if isinstance(body, (bytes, bytearray)):
        return bytes(body), media_type or "application/octet-stream"
    if isinstance(body, str) and not (media == "application/json" or media.endswith("+json")):
        return body.encode("utf-8"), media_type or "text/plain"
    return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS), media_type or "application/json"


def build(op: Operation, params: list[tuple[str, str | None, Any]], body: Any, media_type: str | None) -> Prepared:
    """Place each parameter where the spec says, expand the path, encode the body.

    ``params`` are ``(name, location or None, rendered value)``; a None location is looked up
    in the operation (first path, then query, header, cookie); unknown ones go to the query.
    """
    prepared = Prepared(method=op.method.upper(), path=op.path)
    for name, location, value in params:
        param = op.parameter(name, location) if location else op.parameter(name)
        if param is None:
            param = _loose_parameter(op, name, location)
            if param is not None:
                name = param.name
            elif location not in ("header", "cookie"):
                prepared.undocumented.append(name)
        where = location or (param.location if param is not None else "query")
        if value is MISSING or (value is None and where != "query"):
            continue
        if param is not None and param.media_type and not isinstance(value, str):
            value = orjson.dumps(value).decode()  # a `content`-serialised parameter (OpenAPI 3 §4.8.12)
        if where == "path":
            prepared.path_params[name] = value
        elif where == "query":
            style = param.style if param is not None else "form"
            explode = param.explode if param is not None else True
            prepared.query.extend(_query_pairs(name, value, style, explode))
            prepared.query_params[name] = value
        elif where == "header":
            prepared.headers[name] = _scalar(value)
        elif where == "cookie":
            prepared.cookies[name] = _scalar(value)
    # AWS-style keys ("/{Bucket}/{Key}#x-amz-copy-source&partNumber", "/?Action=List"): a
    # fragment is never sent, so its parts, like literal query parts, go in the query string,
    # where they tell the operations apart (as the fuzzer sends them and the mock routes them).
    path = op.path
    fragment: tuple[tuple[str, str | None], ...] = ()
    literal: tuple[tuple[str, str | None], ...] = ()
    if "#" in path or "?" in path:
        from toolcheck.payloads.wire import path_key  # not loaded for the usual path

        path, fragment, literal = path_key(op.path)
    for name, value in prepared.path_params.items():
        path = path.replace("{" + name + "}", _path_value(value))
    prepared.path = path
    declared = {p.name for p in op.parameters if p.location == "query"}
    selectors = [(k, v) for k, v in literal if k not in prepared.query_params]
    selectors += [(k, v) for k, v in fragment if k not in prepared.query_params and (k not in declared or v is not None)
                  and all(k != name for name, _ in selectors)]
    prepared.query[:0] = [(k, "" if v is None else v) for k, v in selectors]
    media = request_media_type(op, media_type)
    content, content_type = encode_body(body, media, _encoding(op, media))
    if content is not None:
        prepared.content = content
        prepared.body = body
        if content_type and not any(k.lower() == "content-type" for k in prepared.headers):
            prepared.headers["Content-Type"] = content_type
    return prepared


def _loose_parameter(op: Operation, name: str, location: str | None) -> Any:
    """``pet_id`` for ``petId``: a unique match ignoring case, ``_`` and ``-`` (Arazzo examples
    name parameters loosely; an exact match always wins)."""
    key = name.replace("_", "").replace("-", "").casefold()
    hits = [p for p in op.parameters if (location is None or p.location == location)
            and p.name.replace("_", "").replace("-", "").casefold() == key]
    return hits[0] if len(hits) == 1 else None


def missing_path_params(prepared: Prepared, op: Operation) -> list[str]:
    return [p.name for p in op.parameters if p.location == "path" and p.name not in prepared.path_params]


def find_operation(spec: Spec, ref: str) -> Operation:
    """``spec.operation(ref)``, falling back to a unique case-insensitive operationId match
    (the official FAPI-PAR Arazzo example calls ``PAR`` an operation its spec names ``Par``).

    Raises:
        KeyError: no operation, with the closest names.
    """
    try:
        return spec.operation(ref)
    except KeyError:
        folded = [op for op in spec.operations if op.operation_id.casefold() == ref.casefold()]
        if len(folded) == 1:
            return folded[0]
        raise


def apply_auth(prepared: Prepared, spec: Spec, op: Operation, mode: Any, credentials: dict[str, Any],
               placeholder: str | None = None) -> str | None:
    """Add credentials per the operation's security requirement.

    ``mode`` is ``default`` (the scenario's credentials), ``none``, ``invalid`` (a deliberately
    bad credential for each scheme of the first requirement) or a ``{scheme: value}`` map.
    Returns a note when no requirement could be satisfied (the step still runs).
    """
    if mode == "none" or not op.security:
        return None
    requirements = [r for r in op.security if r] or []
    if not requirements:
        return None  # authentication optional
    if mode == "invalid":
        for scheme_name in requirements[0]:
            _apply_one(prepared, spec, scheme_name, INVALID_TOKEN, invalid=True)
        return None
    creds = credentials if mode == "default" else {**credentials, **mode} if isinstance(mode, dict) else credentials
    for requirement in requirements:
        if all(creds.get(name) not in (None, "", MISSING) for name in requirement):
            for name in requirement:
                _apply_one(prepared, spec, name, creds[name])
            return None
    wanted = " or ".join(" + ".join(r) for r in requirements)
    if placeholder is not None:
        for scheme_name in requirements[0]:
            _apply_one(prepared, spec, scheme_name, placeholder)
        return f"no credentials for {wanted}; sent a placeholder credential (mock target)"
    return f"no credentials for {wanted}; sent without authentication"


def _apply_one(prepared: Prepared, spec: Spec, scheme_name: str, value: Any, invalid: bool = False) -> None:
    scheme = spec.security_schemes.get(scheme_name)
    prepared.auth_schemes += (scheme_name,)
    if scheme is None:
        return
    if isinstance(value, dict):
        token = value.get("token") or value.get("value")
        user, password = value.get("username"), value.get("password")
    else:
        token, user, password = value, None, None
    if scheme.type == "http" and scheme.scheme.lower() == "basic":
        if user is None and isinstance(token, str) and ":" in token:
            user, _, password = token.partition(":")
        raw = f"{user or token or ''}:{password or ''}"
        prepared.headers["Authorization"] = "Basic " + (INVALID_TOKEN if invalid else base64.b64encode(raw.encode()).decode())
    elif scheme.type == "http" and scheme.scheme.lower() not in ("", "bearer"):
        prepared.headers["Authorization"] = f"{scheme.scheme} {token}"
    elif scheme.type in ("http", "oauth2", "openIdConnect"):
        prepared.headers["Authorization"] = f"Bearer {token}"
    elif scheme.type == "apiKey":
        name = scheme.param_name or scheme_name
        if scheme.location == "query":
            prepared.query.append((name, _scalar(token)))
        elif scheme.location == "cookie":
            prepared.cookies[name] = _scalar(token)
        else:
            prepared.headers[name] = _scalar(token)


def curl(method: str, url: str, headers: dict[str, str], content: bytes | None) -> str:
    """A shell-quoted curl command reproducing the request (pass redacted headers)."""
    parts = ["curl", "-sS", "-X", method, shlex.quote(url)]
    for k, v in headers.items():
        parts += ["-H", shlex.quote(f"{k}: {v}")]
    if content:
        text = content.decode("utf-8", "replace")
        parts += ["--data-raw", shlex.quote(text if len(text) <= 4000 else text[:4000] + "...")]
    return " ".join(parts)


def replace_at(body: Any, pointer: str, value: Any) -> Any:
    """Set ``value`` at a JSON pointer inside a request body (Arazzo payload replacements)."""
    if not pointer or pointer == "/":
        return value
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/")]
    node = body
    for token in tokens[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(token, {})
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return body
    last = tokens[-1]
    if isinstance(node, dict):
        node[last] = value
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = value
    return body
