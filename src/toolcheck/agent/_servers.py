"""Which base URL a tool call goes to when its operation names its own ``servers``.

OpenAPI 3.x lets a path item or an operation override the document's ``servers`` (OAS 3.1
§4.8.9.1 Path Item ``servers``, §4.8.10.1 Operation ``servers``): Stripe uploads files to
``files.stripe.com``, GitHub uploads release assets to ``uploads.github.com``. The bridge sends
such a call to the operation's server, under the origin rule of ``docs/security.md``: a request
never leaves the target's origin (scheme, host, port; RFC 6454) unless the user passed that
origin. So, with the target ``T`` (``--target``, or the in-process mock):

* no override (one of the operation's servers is a document server): ``T``, as for every call;
* a relative server URL (``/v2``): resolved against ``T`` (RFC 3986 §5.2), so on ``T``'s origin;
* an absolute one on ``T``'s origin: that URL (its own base path);
* one on another origin: refused (:class:`~toolcheck.wire.OriginError`, a tool error the agent
  sees) unless its origin is among the allowed ones (``serve-mcp --allow-origin``). Credentials
  go only where the user pointed them;
* the mock answers every documented base path, so it gets the override's path on its own origin.

Server variables take their ``default`` (OAS 3.1 §4.8.6); a variable without one is refused.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from toolcheck.spec import Operation, Spec
from toolcheck.wire import OriginError

_VARIABLE = re.compile(r"\{([^{}]*)\}")


def origin(url: str) -> str:
    """``scheme://host[:port]`` with the default port left out (RFC 6454 §4), lower-cased."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    shown = f":{port}" if port is not None and port != {"http": 80, "https": 443}.get(scheme) else ""
    return f"{scheme}://{host}{shown}"


def _at(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer.lstrip("/").split("/") if pointer else ():
        if not isinstance(node, dict):
            return None
        node = node.get(token.replace("~1", "/").replace("~0", "~"))
    return node


def _server_objects(spec: Spec, op: Operation) -> Iterator[dict[str, Any]]:
    """The raw Server Objects in scope for ``op``: its own, its path item's, the document's."""
    document = spec.document
    parent = op.pointer.rsplit("/", 1)[0] if op.pointer else ""
    for node in (_at(document, op.pointer), _at(document, parent), document):
        servers = node.get("servers") if isinstance(node, dict) else None
        for server in servers if isinstance(servers, list) else ():
            if isinstance(server, dict):
                yield server


def expand(url: str, server: dict[str, Any] | None) -> str:
    """``url`` with each ``{variable}`` replaced by its default.

    Raises:
        OriginError: a variable without a default (no URL can be chosen for it).
    """
    variables = server.get("variables") if server else None
    variables = variables if isinstance(variables, dict) else {}

    def value(match: re.Match[str]) -> str:
        var = variables.get(match.group(1))
        if isinstance(var, dict) and isinstance(var.get("default"), (str, int, float)):
            return str(var["default"])
        raise OriginError(f"the server URL {url[:200]!r} has the variable {{{match.group(1)}}} with no default")

    return _VARIABLE.sub(value, url)


def overriding_servers(spec: Spec, op: Operation) -> list[str]:
    """The operation's own server URLs (variables expanded) when they replace the document's,
    else ``[]``. A server whose variable has no default is left out.

    A path-level or operation-level list that still names one of the document's servers is
    no override: the target stands for that server.
    """
    if not op.servers or set(op.servers) & set(spec.servers):
        return []
    raw = {str(s.get("url", "")): s for s in _server_objects(spec, op)}
    urls = []
    for url in op.servers:
        try:
            urls.append(expand(url, raw.get(url)))
        except OriginError:
            continue
    return urls or [op.servers[0]]


def operation_base(spec: Spec, op: Operation, target: str, *, mock: bool = False,
                   allowed_origins: Collection[str] = ()) -> str:
    """The base URL a call to ``op`` is sent to (see the module docstring).

    Raises:
        OriginError: the operation's server is on another origin than ``target`` and that
            origin is not allowed, or its URL cannot be expanded.
    """
    servers = overriding_servers(spec, op)
    if not servers:
        return target
    root = target.rstrip("/") + "/"
    resolved = [url for url in (urljoin(root, u) for u in servers) if "{" not in url]
    if mock:  # every documented base path is the mock's: no request leaves this process
        return origin(target) + urlsplit(resolved[0]).path.rstrip("/") if resolved else target
    if not resolved:
        raise OriginError(f"{op.key} is served from {servers[0][:200]!r} (the operation's `servers`), whose "
                          "variables have no default: no URL can be chosen for it")
    wanted = origin(target)
    allowed = {origin(o) for o in allowed_origins}
    for url in resolved:
        if origin(url) == wanted:
            return url
    for url in resolved:
        if origin(url) in allowed:
            return url
    others = ", ".join(dict.fromkeys(origin(u) for u in resolved))
    raise OriginError(
        f"{op.key} is served from {resolved[0]} (the operation's `servers`), another origin than the target "
        f"{wanted}; toolcheck does not send a request, nor credentials, off the target's origin unless told to: "
        f"pass --allow-origin {origin(resolved[0])} to send this operation's calls there (servers: {others})")
