"""Sending cases: Case → httpx request, response → a small record, and curl reproductions.

The one adapter module of ``fuzz`` that does I/O. Credentials live in :class:`Auth`, never in
a case; :func:`curl` renders what was sent with secrets masked by :mod:`toolcheck.redact`.
"""

from __future__ import annotations

import base64
import json
import shlex
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from toolcheck.checks.conformance import is_json
from toolcheck.payloads.case import ABSENT, Case
from toolcheck.payloads.wire import deep_pairs, path_key, query_pairs, scalar, simple
from toolcheck.spec import Operation, Spec

INVALID_TOKEN = "toolcheck-invalid-credential"


@dataclass(frozen=True)
class Auth:
    """Credentials added to every request (and removed or spoiled by the auth checks).

    Attributes:
        headers: extra headers as given with ``-H`` (may hold secrets).
        query: extra query parameters (API keys in the query string).
        secrets: values to mask in every output.
    """

    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()


@dataclass
class Exchange:
    """One request and its response (or the transport error)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    elapsed: float = 0.0
    error: str = ""

    def json(self) -> Any:
        try:
            return json.loads(self.response_body) if self.response_body else None
        except ValueError:
            return None


def credential_names(spec: Spec, op: Operation) -> dict[str, set[str]]:
    """Header/query/cookie names that carry credentials for ``op`` (lower-case headers)."""
    names: dict[str, set[str]] = {"header": set(), "query": set(), "cookie": set()}
    for requirement in op.security:
        for scheme_name in requirement:
            scheme = spec.security_schemes.get(scheme_name)
            if scheme is None:
                continue
            if scheme.type == "apiKey" and scheme.location in names:
                names[scheme.location].add(scheme.param_name.lower() if scheme.location == "header" else scheme.param_name)
            elif scheme.type in ("http", "oauth2", "openIdConnect"):
                names["header"].add("authorization")
    return names


def mock_credentials(spec: Spec) -> Auth:
    """Well-formed credentials for every scheme the spec uses: the mock checks shape, not value."""
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    for op in spec.operations:
        h, q = invalid_credentials(spec, op, token="toolcheck-mock-credential")
        for name, value in h.items():
            if name == "Cookie" and "Cookie" in headers and value not in headers["Cookie"]:
                value = headers["Cookie"] + "; " + value
            headers[name] = value
        query.update(q)
    return Auth(headers=headers, query=query)


def invalid_credentials(spec: Spec, op: Operation, *, token: str = INVALID_TOKEN) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and query parameters with well-formed but wrong credentials for ``op``."""
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    for requirement in op.security[:1]:
        for scheme_name in requirement:
            scheme = spec.security_schemes.get(scheme_name)
            if scheme is None:
                continue
            if scheme.type == "http" and scheme.scheme.lower() == "basic":
                headers["Authorization"] = "Basic " + base64.b64encode(b"toolcheck:" + token.encode()).decode()
            elif scheme.type in ("http", "oauth2", "openIdConnect"):
                headers["Authorization"] = f"Bearer {token}"
            elif scheme.type == "apiKey" and scheme.location == "header":
                headers[scheme.param_name] = token
            elif scheme.type == "apiKey" and scheme.location == "query":
                query[scheme.param_name] = token
            elif scheme.type == "apiKey" and scheme.location == "cookie":
                headers["Cookie"] = f"{scheme.param_name}={token}"
    return headers, query


def _param_text(param: Any, value: Any) -> str:
    if param is not None and param.media_type and not isinstance(value, str):
        return json.dumps(value, separators=(",", ":"))
    return simple(value)


def path_segment(param: Any, name: str, value: Any) -> str:
    """One path parameter per its style (simple, label, matrix; OpenAPI 3.1 §4.8.12.4)."""
    style = getattr(param, "style", "simple") or "simple"
    explode = bool(getattr(param, "explode", False))
    if style == "label":
        if isinstance(value, list):
            return "." + (".".join if explode else ",".join)(quote(scalar(v), safe="") for v in value)
        if isinstance(value, dict):
            pairs = [f"{quote(str(k), safe='')}={quote(scalar(v), safe='')}" if explode
                     else f"{quote(str(k), safe='')},{quote(scalar(v), safe='')}" for k, v in value.items()]
            return "." + ("." if explode else ",").join(pairs)
        return "." + quote(scalar(value), safe="")
    if style == "matrix":
        if isinstance(value, list):
            if explode:
                return "".join(f";{name}={quote(scalar(v), safe='')}" for v in value)
            return f";{name}=" + ",".join(quote(scalar(v), safe="") for v in value)
        if isinstance(value, dict):
            if explode:
                return "".join(f";{quote(str(k), safe='')}={quote(scalar(v), safe='')}" for k, v in value.items())
            return f";{name}=" + ",".join(f"{quote(str(k), safe='')},{quote(scalar(v), safe='')}" for k, v in value.items())
        return f";{name}={quote(scalar(value), safe='')}"
    if isinstance(value, list):
        return ",".join(quote(scalar(v), safe="") for v in value)
    if isinstance(value, dict):
        sep = "=" if explode else ","
        return ",".join(f"{quote(str(k), safe='')}{sep}{quote(scalar(v), safe='')}" for k, v in value.items())
    return quote(scalar(value), safe="")


def form_pairs(body: dict[str, Any], encoding: Any) -> list[tuple[str, str]]:
    """Form fields per OpenAPI defaults (style form, explode: lists repeat the key) or the
    media type's ``encoding`` (``deepObject``: ``key[prop]=v``); empty containers are left out."""
    pairs: list[tuple[str, str]] = []
    for key, value in body.items():
        spec = encoding.get(key) if isinstance(encoding, dict) else None
        style = spec.get("style", "form") if isinstance(spec, dict) else "form"
        explode = spec.get("explode", style == "form") if isinstance(spec, dict) else True
        if isinstance(value, list):
            if explode:
                pairs.extend((key, scalar(v)) for v in value)
            elif value:
                pairs.append((key, ",".join(scalar(v) for v in value)))
        elif isinstance(value, dict):
            if style == "deepObject":
                pairs.extend(deep_pairs(key, value))
            elif value:
                pairs.append((key, json.dumps(value, separators=(",", ":"))))
        else:
            pairs.append((key, scalar(value)))
    return pairs


def multipart_body(body: dict[str, Any], encoding: dict[str, Any], media_type: str) -> tuple[bytes, str]:
    """A multipart body of :func:`multipart_fields` and its Content-Type (with the boundary)."""
    boundary = "toolcheckboundary"
    parts = []
    for name, content_type, text in multipart_fields(body, encoding):
        head = f'Content-Disposition: form-data; name="{name}"'
        if content_type:
            head += f"\r\nContent-Type: {content_type}"
        parts.append(f"--{boundary}\r\n{head}\r\n\r\n{text}\r\n")
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"{media_type}; boundary={boundary}"


def multipart_fields(body: dict[str, Any], encoding: Any) -> list[tuple[str, str | None, str]]:
    """``(name, part content type, text)`` for each field of a multipart body.

    OpenAPI 3 multipart defaults (3.1 §4.8.14.4, §4.8.15): a primitive is a ``text/plain`` part,
    an object or array an ``application/json`` part, unless the property's ``encoding`` gives
    another ``contentType`` (then an array is sent as one part per item, as RFC 7578 §4.3
    repeats a name)."""
    out: list[tuple[str, str | None, str]] = []
    for key, value in body.items():
        rule = encoding.get(key) if isinstance(encoding, dict) else None
        declared = rule.get("contentType") if isinstance(rule, dict) and isinstance(rule.get("contentType"), str) else None
        if isinstance(value, (dict, list)):
            kind = (declared or "application/json").split(",", 1)[0].strip()
            if "json" in kind.lower() or "*" in kind or isinstance(value, dict):
                out.append((key, kind if "*" not in kind else "application/json",
                            json.dumps(value, separators=(",", ":"), ensure_ascii=False)))
            else:
                out.extend((key, None, scalar(v)) for v in value)
        else:
            out.append((key, None, scalar(value)))
    return out


def _xml_name(tag: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "_-." else "_" for ch in tag) or "item"
    return "_" + safe if safe[0].isdigit() or safe[0] in "-." else safe


def _xml(tag: str, value: Any) -> str:
    from xml.sax.saxutils import escape

    name = _xml_name(tag)
    if isinstance(value, list):  # unwrapped arrays repeat the property's element (OpenAPI XML object)
        return "".join(_xml(tag, v) for v in value)
    if isinstance(value, dict):
        inner = "".join(_xml(str(k), v) for k, v in value.items())
    elif value is None:
        return f"<{name}/>"
    else:
        inner = escape(scalar(value))
    return f"<{name}>{inner}</{name}>"


def xml_document(body: Any, root: str | None = None) -> bytes:
    """``body`` as an XML document: ``root`` (the schema's ``xml.name``), else the single
    top-level property of an object (AWS: ``{"CORSConfiguration": {...}}``), else ``root``."""
    if root is None and isinstance(body, dict) and len(body) == 1 and isinstance(next(iter(body.values())), dict):
        [(root, body)] = body.items()
    return ('<?xml version="1.0" encoding="UTF-8"?>' + _xml(root or "root", body)).encode("utf-8")


def encode_body(case: Case, encoding: Any = None, *, xml_root: str | None = None) -> tuple[bytes | None, str | None]:
    if case.raw_body is not None:
        return case.raw_body, case.media_type
    if case.body is ABSENT:
        return None, None
    media = case.media_type or "application/json"
    base = media.split(";", 1)[0].strip().lower()
    if is_json(base):
        return json.dumps(case.body, ensure_ascii=False).encode(), media
    if base == "application/x-www-form-urlencoded" and isinstance(case.body, dict):
        return urlencode(form_pairs(case.body, encoding or {})).encode(), media
    if base.startswith("multipart/") and isinstance(case.body, dict):
        return multipart_body(case.body, encoding or {}, base)
    if base.endswith(("/xml", "+xml")):
        # a JSON text under an XML content type is no request a real server could read
        return (case.body.encode() if isinstance(case.body, str) else xml_document(case.body, xml_root)), media
    return (case.body if isinstance(case.body, str) else json.dumps(case.body)).encode(), media


def build(spec: Spec, op: Operation, case: Case, auth: Auth, *, credentials: str = "valid") -> tuple[str, str, dict[str, str], bytes | None]:
    """``(method, path?query, headers, body)`` for ``case``; ``credentials`` is valid/none/invalid."""
    # AWS-style keys ("/{Bucket}#cors", "/?Action=List"): the fragment is never sent, but its
    # parts go in the query string, as literal query parts do: they select the operation.
    path, fragment, literal = path_key(op.path)
    for name, value in case.path_params.items():
        param = op.parameter(name, "path")
        path = path.replace("{" + name + "}", path_segment(param, name, value))
    pairs: list[tuple[str, str]] = []
    for name, value in case.query.items():
        param = op.parameter(name, "query")
        pairs.extend(query_pairs(param, value) if param is not None else [(name, simple(value))])
    headers: dict[str, str] = {str(k): _param_text(op.parameter(str(k), "header"), v) for k, v in case.headers.items()}
    if case.cookies:
        headers["Cookie"] = "; ".join(f"{k}={_param_text(op.parameter(str(k), 'cookie'), v)}" for k, v in case.cookies.items())
    if credentials == "valid":
        for k, v in auth.query.items():
            pairs.append((k, v))
        headers.update(auth.headers)
    elif credentials == "invalid":
        bad_headers, bad_query = invalid_credentials(spec, op)
        headers.update(bad_headers)
        pairs.extend(bad_query.items())
    media_spec = op.request_body.content.get(case.media_type or "") if op.request_body is not None else None
    schema = spec.deref(media_spec.schema) if media_spec is not None else None
    xml = schema.get("xml") if isinstance(schema, dict) else None
    root = xml.get("name") if isinstance(xml, dict) and isinstance(xml.get("name"), str) else None
    body, media = encode_body(case, media_spec.encoding if media_spec is not None else None, xml_root=root)
    if body is not None and media:
        headers["Content-Type"] = media
    declared = {p.name for p in op.parameters if p.location == "query"}
    selectors = [(k, v) for k, v in literal if k not in case.query]
    # A bare fragment part naming a declared query parameter is carried by the case's value (a
    # missing-required negative for it is not generated: see payloads.negative).
    selectors += [(k, v) for k, v in fragment if k not in case.query and (k not in declared or v is not None)
                  and all(k != name for name, _ in selectors)]
    texts = [quote(k, safe="") + ("" if v is None else "=" + quote(v, safe="")) for k, v in selectors]
    if pairs:
        texts.append(urlencode(pairs, quote_via=quote))
    url = path + ("?" + "&".join(texts) if texts else "")
    return op.method.upper(), url, headers, body


def send(client: httpx.Client, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Exchange:
    """Send one request; transport errors are recorded in ``Exchange.error``, not raised."""
    exchange = Exchange(method=method, url=url, headers=headers, body=body)
    started = time.perf_counter()
    for _attempt in (1, 2):
        try:
            response = client.request(method, url, headers=headers, content=body)
            exchange.status = response.status_code
            exchange.response_headers = dict(response.headers)
            exchange.response_body = response.content
            exchange.error = ""
            break
        except httpx.TimeoutException:
            exchange.error = "timeout"
            break
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            # A kept-alive connection the server closed after an earlier request (often a crash
            # on that one) fails the *next* request: retry once on a fresh connection.
            exchange.error = f"{type(exc).__name__}: {exc}"
        except (httpx.TransportError, httpx.InvalidURL, UnicodeEncodeError, ValueError) as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
            break
    exchange.elapsed = time.perf_counter() - started
    return exchange


def curl(base_url: str, exchange: Exchange, redactor: Any) -> str:
    """A copy-pasteable curl command for ``exchange``, secrets masked."""
    url = base_url.rstrip("/") + exchange.url
    parts = ["curl", "-X", exchange.method, redactor.redact_url(url)]
    for name, value in redactor.redact_headers(dict(exchange.headers)).items():
        parts += ["-H", f"{name}: {value}"]
    if exchange.body is not None:
        text = exchange.body.decode("utf-8", "replace")
        parts += ["--data-binary", redactor.redact_text(text)]
    return " ".join(shlex.quote(p) for p in parts)


def make_client(base_url: str, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An httpx client for fuzzing.

    ``TCP_NODELAY`` matters: httpcore writes headers and body separately, and with Nagle's
    algorithm plus the server's delayed ACK every request with a body waits ~40 ms
    (measured: 23 → 1,300 cases/s against the planted-bug service).
    """
    import socket

    if transport is None:
        transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    return httpx.Client(base_url=base_url, timeout=timeout, transport=transport, follow_redirects=False)
