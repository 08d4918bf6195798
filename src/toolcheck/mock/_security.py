"""Check a request against an operation's security requirements: the mock's side of
:mod:`toolcheck.wire.auth` (one handler per scheme type verifies what the senders write).

Prism accepts any ``Bearer x``, which teaches agents nothing: the handlers check the
credential's *shape* (RFC 6750 ``b64token``, a declared JWT's three parts, Basic's
``user:password``, Digest's fields, a non-empty API key), refuse toolcheck's own invalid
credential, and, when the user gave ``tokens``, that the credential is one of them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from toolcheck.wire.auth import REALM, AuthFailure, Incoming, identity_of
from toolcheck.wire.auth import check_security as _check
from toolcheck.wire.read import parse_cookies, parse_query

if TYPE_CHECKING:
    from toolcheck.spec import Operation, Spec

__all__ = ["REALM", "AuthFailure", "check_security", "subject_of"]


def check_security(
    spec: Spec,
    op: Operation,
    headers: Mapping[str, str],
    query: str,
    tokens: Collection[str] | None = None,
    *,
    method: str = "GET",
    path: str = "/",
    scope_map: Mapping[str, frozenset[str]] | None = None,
    strict_scopes: bool = False,
) -> AuthFailure | None:
    """``None`` when some security alternative is satisfied, else the first alternative's failure
    (``headers`` lower-case, ``query`` the raw query string)."""
    if not op.security:
        return None
    incoming = Incoming(headers, parse_query(query) if query else [], parse_cookies(headers.get("cookie", "")),
                        method, path)
    return _check(spec, op, incoming, tokens, scope_map=scope_map, strict_scopes=strict_scopes)


def subject_of(spec: Spec, op: Operation, headers: Mapping[str, str], query: str,
               scope_map: Mapping[str, frozenset[str]] | None = None) -> str | None:
    """Who calls ``op`` (a JWT's ``sub``, a scoped ``--token``), for the stateful store's owners."""
    incoming = Incoming(headers, parse_query(query) if query else [], parse_cookies(headers.get("cookie", "")))
    return identity_of(spec, op, incoming, scope_map).subject
