"""Match a request path to an operation: templates, server base paths, 404 and 405.

Pure and compiled once per spec. Literal paths are a dict lookup; templated paths are tried
most-specific first (more literal characters wins, as OpenAPI 3.1 §4.8.8 asks: ``/users/me``
before ``/users/{id}``). A path is tried as given and with each server base path removed, so
both ``/v1/users`` and ``/users`` reach ``GET /users`` when the server URL ends in ``/v1``.

Path keys with a suffix (found by ``fuzz --mock`` on the AWS specs of APIs.guru): a
``#fragment`` (``/{Bucket}#cors``, ``/{Key}#uploadId``, ``/layers#find=LayerVersion&Arn``) is
never sent by a client, so it is stripped for routing and its ``&``-separated parts
(``name`` or ``name=value``; ``name!`` markers ignored) only *choose* among operations that
share the path and method: the one whose parts the query string satisfies, else the one
without a suffix, else the closest. A literal ``?query`` part (``/?Action=List``) must be
satisfied by the query string for the operation to match at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote

if TYPE_CHECKING:
    from toolcheck.spec import Operation, Spec

_PARAM = re.compile(r"\{([^{}/]+)\}")


@dataclass(frozen=True)
class Match:
    """A routed request: the operation and its raw (still percent-decoded) path parameters."""

    operation: Operation
    params: dict[str, str]


@dataclass(frozen=True)
class NoMatch:
    """No operation: ``allowed`` is empty for 404, else the methods the path does accept (405)."""

    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Variant:
    """One operation on a (path, method): ``needs`` are query parts from the path key's suffix."""

    operation: Operation
    needs: tuple[tuple[str, str | None], ...] = ()
    strict: bool = False  # a literal ``?query`` must be satisfied; a ``#fragment`` is a hint


@dataclass
class _Template:
    regex: re.Pattern[str]
    names: tuple[str, ...]
    literal: int
    methods: dict[str, list[_Variant]] = field(default_factory=dict)


def split_key(path: str) -> tuple[str, tuple[tuple[str, str | None], ...], bool]:
    """``/{Bucket}#analytics&id`` → ``("/{Bucket}", (("analytics", None), ("id", None)), False)``."""
    cut = min((i for i in (path.find("#"), path.find("?")) if i >= 0), default=-1)
    if cut < 0:
        return path, (), False
    strict = path[cut] == "?"
    needs: list[tuple[str, str | None]] = []
    for token in re.split(r"[&#?]", path[cut + 1:]):
        if not token or token.endswith("!"):
            continue
        key, sep, value = token.partition("=")
        needs.append((unquote(key), unquote(value) if sep else None))
    return path[:cut] or "/", tuple(needs), strict


def _pick(variants: list[_Variant], query: str) -> Operation | None:
    """The operation among ``variants`` the query string chooses (see the module docstring)."""
    if len(variants) == 1 and not variants[0].strict:
        return variants[0].operation
    given: dict[str, set[str]] = {}
    if query:
        try:
            for key, value in parse_qsl(query, keep_blank_values=True, max_num_fields=1000):
                given.setdefault(key, set()).add(value)
        except ValueError:
            pass
    best: Operation | None = None
    best_rank: tuple[int, ...] = ()
    for index, variant in enumerate(variants):
        met = sum(1 for key, value in variant.needs if key in given and (value is None or value in given[key]))
        full = met == len(variant.needs)
        if variant.strict and not full:
            continue
        rank = (int(full), met, -len(variant.needs), -index)
        if best is None or rank > best_rank:
            best, best_rank = variant.operation, rank
    return best


_AUTHORITY = re.compile(r"^(?:[^:/?#]*:)?//[^/?#]*")  # scheme (maybe a {variable}) and host


def base_paths(urls: tuple[str, ...] | list[str]) -> list[str]:
    """The path parts of server URLs (``https://x/v1`` → ``/v1``), variables replaced by ``[^/]+``."""
    out: list[str] = []
    for url in urls:
        # Not urlsplit: it leaves a templated scheme ("{scheme}://host/v1") or host in the path.
        authority = _AUTHORITY.match(url)
        path = url[authority.end():] if authority else url
        path = path.split("?", 1)[0].split("#", 1)[0]
        path = "/" + path.strip("/") if path.strip("/") else ""
        if path and path not in out:
            out.append(path)
    return sorted(out, key=len, reverse=True)


class Router:
    """Routes ``(method, path)`` to an :class:`Operation` of a spec."""

    def __init__(self, spec: Spec) -> None:
        self.static: dict[str, dict[str, list[_Variant]]] = {}
        templates: dict[str, _Template] = {}
        urls: list[str] = list(spec.servers)
        for op in spec.operations:
            urls.extend(op.servers)
            path, needs, strict = split_key(op.path if op.path.startswith("/") else "/" + op.path)
            norm = path.rstrip("/") or "/"
            variant = _Variant(op, needs, strict)
            if "{" not in path:
                self.static.setdefault(norm, {}).setdefault(op.method.upper(), []).append(variant)
                continue
            template = templates.get(norm)
            if template is None:
                template = templates[norm] = _compile(norm)
            template.methods.setdefault(op.method.upper(), []).append(variant)
        self.templates = sorted(templates.values(), key=lambda t: (-t.literal, len(t.names)))
        self.bases = [b for b in base_paths(urls) if "{" not in b]
        self.base_patterns = [re.compile("^" + _PARAM.sub("[^/]+", re.escape(b).replace(r"\{", "{").replace(r"\}", "}")))
                              for b in base_paths(urls) if "{" in b]

    def match(self, method: str, path: str, query: str = "") -> Match | NoMatch:
        """Route a request; ``path`` is the raw path (percent-encoded, no query), ``query`` the
        raw query string (it only chooses among path keys with ``#``/``?`` suffixes)."""
        method = method.upper()
        if "#" in path:  # only in-process callers send one (on the wire it is %23): read it as query parts
            path, _, fragment = path.partition("#")
            query = "&".join(p for p in (query, fragment) if p)
        allowed: set[str] = set()
        for candidate in self._candidates(path):
            found = self._match_one(method, candidate, query, allowed)
            if found is not None:
                return found
        if method == "HEAD" and "GET" in allowed:
            return self.match("GET", path, query)
        return NoMatch(tuple(sorted(allowed)))

    def _candidates(self, path: str) -> list[str]:
        path = path or "/"
        norm = path.rstrip("/") or "/"
        out = [norm]
        for base in self.bases:
            if norm == base or norm.startswith(base + "/"):
                out.append(norm[len(base):] or "/")
        for pattern in self.base_patterns:
            found = pattern.match(norm)
            if found:
                out.append(norm[found.end():] or "/")
        return out

    def _match_one(self, method: str, path: str, query: str, allowed: set[str]) -> Match | None:
        ops = self.static.get(path)
        if ops is None and "%" in path:  # a literal the client had to encode: DigitalOcean's /<upload_url>
            ops = self.static.get(unquote(path))
        if ops is not None:
            variants = ops.get(method)
            op = _pick(variants, query) if variants else None
            if op is not None:
                return Match(op, {})
            allowed.update(m for m in ops if m != method)  # a literal ?query that did not match: 404
            if any(not v.strict for vs in ops.values() for v in vs):
                # A concrete path is matched before its templated counterparts (OpenAPI 3.1 §4.8.8),
                # then its methods decide: `DELETE /files/upload_sessions` is a 405 there, not
                # `DELETE /files/{file_id}` (see docs/mock.md, "Overlapping paths").
                return None
        for template in self.templates:
            found = template.regex.match(path)
            if found is None:
                continue
            variants = template.methods.get(method)
            op = _pick(variants, query) if variants else None
            if op is None:
                allowed.update(m for m in template.methods if m != method)
                if not any(v.strict for vs in template.methods.values() for v in vs):
                    return None  # the most specific template decides, as the concrete path does
                continue
            params = {name: unquote(found.group(i + 1)) for i, name in enumerate(template.names)}
            return Match(op, params)
        return None


def _compile(path: str) -> _Template:
    names: list[str] = []
    pattern: list[str] = ["^"]
    literal = 0
    last = 0
    for found in _PARAM.finditer(path):
        text = path[last:found.start()]
        pattern.append(re.escape(text))
        literal += len(text)
        names.append(found.group(1))
        pattern.append("([^/]+)")
        last = found.end()
    tail = path[last:]
    pattern.append(re.escape(tail))
    literal += len(tail)
    pattern.append("$")
    return _Template(re.compile("".join(pattern)), tuple(names), literal)
