"""Credentials for a tool call: what the MCP bridge adds so the agent never handles secrets.

An agent calling a tool passes only the operation's arguments; the bridge adds the operation's
security requirement (the first alternative it can satisfy) from configured credentials, else a
well-formed placeholder the mock accepts (a RFC 6750 token, a JWT-shaped token when the scheme
says JWT, ``user:password`` for Basic, a non-empty API key).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from toolcheck.spec import Operation, Spec

PLACEHOLDER = "toolcheck-mock-token"
_JWT = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0b29sY2hlY2sifQ.c2ln"


def apply_credentials(spec: Spec, op: Operation, headers: dict[str, str], params: list[tuple[str, str]],
                      credentials: Mapping[str, str] | None = None, *, default: str | None = PLACEHOLDER) -> None:
    """Add credentials for ``op`` to ``headers``/``params`` in place.

    Args:
        credentials: a value per scheme name (a token, an API key, or ``user:password``).
        default: the value for schemes without a configured credential (None: leave them out).
    """
    creds = dict(credentials or {})
    alternatives = [alt for alt in op.security if alt]
    if not alternatives or any(not alt for alt in op.security):
        return
    chosen = next((alt for alt in alternatives if all(name in creds for name in alt)), alternatives[0])
    cookies: list[str] = []
    for name in chosen:
        scheme = spec.security_schemes.get(name)
        value = creds.get(name, default)
        if scheme is None or value is None:
            continue
        if scheme.type == "apiKey":
            key = scheme.param_name or name
            if scheme.location == "query":
                params.append((key, value))
            elif scheme.location == "cookie":
                cookies.append(f"{key}={value}")
            else:
                headers[key] = value
        elif scheme.type == "http" and scheme.scheme.lower() == "basic":
            raw = value if ":" in value else f"{value}:{value}"
            headers["Authorization"] = "Basic " + base64.b64encode(raw.encode()).decode()
        elif scheme.type == "http" and scheme.scheme.lower() not in ("", "bearer"):
            headers["Authorization"] = f"{scheme.scheme} {value}"
        elif scheme.type in ("http", "oauth2", "openIdConnect"):
            if value == PLACEHOLDER and "jwt" in scheme.bearer_format.lower():
                value = _JWT
            headers["Authorization"] = f"Bearer {value}"
    if cookies:
        headers["Cookie"] = "; ".join(filter(None, [headers.get("Cookie", ""), *cookies]))
