"""One request type and one URL builder for every sender (run, fuzz, payloads, replay, the agent bridge).

:func:`build_request` places each value where the operation says (path, query, header, cookie),
serialises it per its style (:mod:`toolcheck.wire.params`) and encodes the body
(:mod:`toolcheck.wire.bodies`); credentials are added by :mod:`toolcheck.wire.auth`.
:func:`join_url` is the only way a request gets an absolute URL, and it never leaves the target:
the result keeps the base URL's scheme, host, port and path prefix, or :class:`OriginError` is
raised (a spec from a pull request must not send the CI token to another host). No sender follows
redirects (:func:`toolcheck.wire.client.make_client`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from toolcheck._absent import ABSENT
from toolcheck.errors import ToolcheckError
from toolcheck.wire.bodies import base_type, encode_body, is_json
from toolcheck.wire.params import cookie_pair, header_text, path_key, path_segment, query_pairs

if TYPE_CHECKING:
    import httpx

    from toolcheck.spec import Operation, Spec


class OriginError(ToolcheckError):
    """A request would leave the target's origin or path prefix (exit 2: the spec is at fault)."""


@dataclass
class Request:
    """A request ready to send and to show in a report (credentials included, unredacted).

    Attributes:
        path: the expanded path, relative to the base URL, starting with ``/``.
        selectors: literal query parts of AWS-style path keys (``?Action=List``), sent first.
        query: ``(name, text)`` pairs, already serialised, not yet percent-encoded.
        body: the structured body (:data:`ABSENT` without one), for reports and ``$request.body``.
        auth: an ``httpx.Auth`` flow for schemes that answer a challenge (Digest), else None.
    """

    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    body: Any = ABSENT
    selectors: list[tuple[str, str | None]] = field(default_factory=list)
    path_params: dict[str, Any] = field(default_factory=dict)
    query_params: dict[str, Any] = field(default_factory=dict)
    auth_schemes: tuple[str, ...] = ()
    auth: httpx.Auth | None = None
    auth_display: str = ""
    undocumented: list[str] = field(default_factory=list)

    def target(self) -> str:
        """Path and query string, relative to the base URL (``/items/3?limit=5``)."""
        texts = [quote(k, safe="") + ("" if v is None else "=" + quote(v, safe="")) for k, v in self.selectors]
        if self.query:
            texts.append(urlencode(self.query, quote_via=quote))
        return self.path + ("?" + "&".join(texts) if texts else "")

    def url(self, base_url: str) -> str:
        return join_url(base_url, self.target())

    def all_headers(self) -> dict[str, str]:
        """The headers to send, with the ``Cookie`` header made from :attr:`cookies`."""
        if not self.cookies:
            return dict(self.headers)
        merged = dict(self.headers)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        existing = next((k for k in merged if k.lower() == "cookie"), None)
        if existing is not None:
            merged[existing] = merged[existing] + "; " + cookie
        else:
            merged["Cookie"] = cookie
        return merged


_DOT_SEGMENT = re.compile(r"(?:^|/)\.{1,2}(?:[/?#]|$)")


@functools.lru_cache(maxsize=64)
def _base(base_url: str) -> tuple[str, str, int | None, bytes, str]:
    """``(scheme, host, port, path prefix, root to append to)`` of a base URL, parsed once."""
    import httpx

    try:
        base = httpx.URL(base_url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise OriginError(f"invalid base URL {base_url!r}: {exc}") from None
    prefix = base.raw_path.split(b"?", 1)[0].rstrip(b"/")
    root = base_url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return base.scheme, base.host, base.port, prefix, root


def join_url(base_url: str, target: str) -> str:
    """``base_url`` + ``target`` (a path and query), refusing any result off the base's origin.

    Raises:
        OriginError: ``target`` does not start with ``/`` (RFC 3986 §4.2: ``//host`` or
            ``http://...`` would name another host; ``2/x`` glued to ``http://h:1808`` is port
            18082), or the joined URL's scheme, host, port or path prefix differ from the base's
            (after dot-segment removal, §5.2.4).
    """
    if not target.startswith("/") or target.startswith("//"):
        raise OriginError(f"refusing to send a request to {target[:200]!r}: a request path must start with a "
                          "single '/' (it would leave the target's origin)")
    scheme, host, port, prefix, root = _base(base_url)
    url = root + target
    # A path-absolute target after the authority cannot name another host; only dot-segments could
    # climb out of the prefix. Without them the join is safe as it is: no second parse (run's step
    # loop builds a URL per step; the parse cost ~40 µs of a ~20 µs request build).
    if target.isprintable() and not _DOT_SEGMENT.search(target.split("?", 1)[0].split("#", 1)[0]):
        return url
    import httpx

    try:
        joined = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise OriginError(f"invalid request URL {url[:200]!r}: {exc}") from None
    path = joined.raw_path.split(b"?", 1)[0]
    if (joined.scheme, joined.host, joined.port) != (scheme, host, port) or not (
            path == prefix or path.startswith(prefix + b"/") or (not prefix and path.startswith(b"/"))):
        raise OriginError(f"refusing to send a request to {str(joined)[:200]!r}: it leaves the target "
                          f"{root}")
    return url


def request_media_type(op: Operation, explicit: str | None) -> str | None:
    """The media type to send: the caller's, else the spec's (JSON preferred)."""
    if explicit:
        return explicit
    if op.request_body is None or not op.request_body.content:
        return None
    types = list(op.request_body.content)
    return next((t for t in types if is_json(base_type(t))), types[0])


def body_encoding(spec: Spec | None, op: Operation, media_type: str | None) -> tuple[Any, str | None]:
    """The ``encoding`` map and the XML root name (``xml.name``) of the operation's media type
    (without a ``spec`` to resolve the schema, no root name)."""
    if not media_type or op.request_body is None:
        return None, None
    entry = op.request_body.content.get(media_type)
    if entry is None:
        base = base_type(media_type)
        entry = next((e for k, e in op.request_body.content.items() if base_type(k) == base), None)
    if entry is None:
        return None, None
    schema = spec.deref(entry.schema) if entry.schema is not None and spec is not None else entry.schema
    xml = schema.get("xml") if isinstance(schema, dict) else None
    root = xml.get("name") if isinstance(xml, dict) and isinstance(xml.get("name"), str) else None
    return entry.encoding, root


def build_request(spec: Spec | None, op: Operation, *, path: Mapping[str, Any] | None = None,
                  query: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
                  headers: Mapping[str, Any] | None = None, cookies: Mapping[str, Any] | None = None,
                  body: Any = ABSENT, media_type: str | None = None, raw_body: bytes | None = None) -> Request:
    """The request for ``op`` with these parameter values (JSON values, serialised here).

    A parameter the operation does not declare is sent in its location with the default style.
    ``raw_body`` is sent as it is (malformed JSON probes); ``body`` is encoded for ``media_type``
    (the operation's, JSON preferred, when not given).
    """
    template, fragment, literal = path_key(op.path)
    request = Request(method=op.method.upper(), path=template)
    expanded = template
    for name, value in (path or {}).items():
        request.path_params[name] = value
        expanded = expanded.replace("{" + name + "}", path_segment(op.parameter(name, "path"), name, value))
    request.path = expanded
    items = query.items() if isinstance(query, Mapping) else (query or ())
    for name, value in items:
        request.query_params[name] = value
        request.query.extend(query_pairs(op.parameter(name, "query"), name, value))
    for name, value in (headers or {}).items():
        request.headers[str(name)] = header_text(op.parameter(str(name), "header"), value)
    for name, value in (cookies or {}).items():
        pair = cookie_pair(op.parameter(str(name), "cookie"), str(name), value)
        request.cookies[str(name)] = pair.partition("=")[2]
    # AWS-style keys ("/{Bucket}#cors", "/?Action=List"): the fragment is never sent, but its parts
    # go in the query string, as literal query parts do: they select the operation (the mock routes
    # by them). A bare fragment part naming a declared query parameter is carried by its value.
    declared = {p.name for p in op.parameters if p.location == "query"}
    selectors = [(k, v) for k, v in literal if k not in request.query_params]
    selectors += [(k, v) for k, v in fragment if k not in request.query_params and (k not in declared or v is not None)
                  and all(k != name for name, _ in selectors)]
    request.selectors = selectors
    if raw_body is not None:
        request.content = raw_body
        if media_type:
            request.headers.setdefault("Content-Type", media_type)
    elif body is not ABSENT:
        media = request_media_type(op, media_type)
        encoding, root = body_encoding(spec, op, media)
        request.content, content_type = encode_body(body, media, encoding, xml_root=root)
        request.body = body
        if not any(k.lower() == "content-type" for k in request.headers):
            request.headers["Content-Type"] = content_type
    return request
