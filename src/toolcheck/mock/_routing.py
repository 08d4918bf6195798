"""Match a request path to an operation: templates, server base paths, 404 and 405.

Pure and compiled once per spec. Literal paths are a dict lookup; templated paths are tried
most-specific first (more literal characters wins, as OpenAPI 3.1 §4.8.8 asks: ``/users/me``
before ``/users/{id}``). A path is tried as given and with each server base path removed, so
both ``/v1/users`` and ``/users`` reach ``GET /users`` when the server URL ends in ``/v1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

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


@dataclass
class _Template:
    regex: re.Pattern[str]
    names: tuple[str, ...]
    literal: int
    methods: dict[str, Operation] = field(default_factory=dict)


def base_paths(urls: tuple[str, ...] | list[str]) -> list[str]:
    """The path parts of server URLs (``https://x/v1`` → ``/v1``), variables replaced by ``[^/]+``."""
    out: list[str] = []
    for url in urls:
        try:
            path = urlsplit(url).path if "://" in url else url
        except ValueError:
            continue
        path = "/" + path.strip("/") if path.strip("/") else ""
        if path and path not in out:
            out.append(path)
    return sorted(out, key=len, reverse=True)


class Router:
    """Routes ``(method, path)`` to an :class:`Operation` of a spec."""

    def __init__(self, spec: Spec) -> None:
        self.static: dict[str, dict[str, Operation]] = {}
        templates: dict[str, _Template] = {}
        urls: list[str] = list(spec.servers)
        for op in spec.operations:
            urls.extend(op.servers)
            path = op.path if op.path.startswith("/") else "/" + op.path
            norm = path.rstrip("/") or "/"
            if "{" not in path:
                self.static.setdefault(norm, {})[op.method.upper()] = op
                continue
            template = templates.get(norm)
            if template is None:
                template = templates[norm] = _compile(norm)
            template.methods[op.method.upper()] = op
        self.templates = sorted(templates.values(), key=lambda t: (-t.literal, len(t.names)))
        self.bases = [b for b in base_paths(urls) if "{" not in b]
        self.base_patterns = [re.compile("^" + _PARAM.sub("[^/]+", re.escape(b).replace(r"\{", "{").replace(r"\}", "}")))
                              for b in base_paths(urls) if "{" in b]

    def match(self, method: str, path: str) -> Match | NoMatch:
        """Route a request; ``path`` is the raw path (percent-encoded, no query)."""
        method = method.upper()
        allowed: set[str] = set()
        for candidate in self._candidates(path):
            found = self._match_one(method, candidate, allowed)
            if found is not None:
                return found
        if method == "HEAD" and "GET" in allowed:
            return self.match("GET", path)
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

    def _match_one(self, method: str, path: str, allowed: set[str]) -> Match | None:
        ops = self.static.get(path)
        if ops is not None:
            op = ops.get(method)
            if op is not None:
                return Match(op, {})
            allowed.update(ops)
        for template in self.templates:
            found = template.regex.match(path)
            if found is None:
                continue
            op = template.methods.get(method)
            if op is None:
                allowed.update(template.methods)
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
