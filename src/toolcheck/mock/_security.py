"""Check a request against an operation's security requirements (RFC 6750, RFC 7617).

An operation's ``security`` is a list of alternatives; each alternative lists schemes that must
*all* be satisfied. The mock checks the credential's *shape* (a bearer token must be a
RFC 6750 ``b64token``, a declared JWT must have three base64url parts, Basic must decode to
``user:password``, an API key must be non-empty), and, when the user gave ``tokens``, that the
credential is one of them: Prism accepts any ``Bearer x``, which teaches agents nothing.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from toolcheck.mock._params import parse_cookies, parse_query

if TYPE_CHECKING:
    from toolcheck.spec import Operation, SecurityScheme, Spec

_B64TOKEN = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")
_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
REALM = "toolcheck-mock"


@dataclass(frozen=True)
class AuthFailure:
    """Why authentication failed and the ``WWW-Authenticate`` challenge to send with the 401."""

    message: str
    challenge: str


def check_security(
    spec: Spec,
    op: Operation,
    headers: Mapping[str, str],
    query: str,
    tokens: Collection[str] | None = None,
) -> AuthFailure | None:
    """``None`` when some security alternative is satisfied, else the first alternative's failure."""
    if not op.security:
        return None
    first: AuthFailure | None = None
    for alternative in op.security:
        failure: AuthFailure | None = None
        for name in alternative:
            scheme = spec.security_schemes.get(name)
            if scheme is None:
                continue  # an undefined scheme is a spec problem, reported by `check`
            failure = _check_scheme(scheme, headers, query, tokens)
            if failure is not None:
                break
        if failure is None:
            return None
        first = first or failure
    return first


def _challenge(scheme: SecurityScheme, error: str = "") -> str:
    if scheme.type == "http" and scheme.scheme.lower() == "basic":
        return f'Basic realm="{REALM}", charset="UTF-8"'
    if scheme.type == "apiKey":
        return f'ApiKey realm="{REALM}", in="{scheme.location}", name="{scheme.param_name}"'
    kind = scheme.scheme.capitalize() if scheme.type == "http" and scheme.scheme else "Bearer"
    suffix = f', error="{error}"' if error else ""
    return f'{kind} realm="{REALM}"{suffix}'


def _check_scheme(
    scheme: SecurityScheme,
    headers: Mapping[str, str],
    query: str,
    tokens: Collection[str] | None,
) -> AuthFailure | None:
    kind = scheme.type
    if kind == "mutualTLS":
        return None  # the transport's job; nothing to see at the HTTP layer
    if kind == "apiKey":
        value: str | None
        if scheme.location == "header":
            value = headers.get(scheme.param_name.lower())
        elif scheme.location == "query":
            value = next((v for k, v in parse_query(query) if k == scheme.param_name), None)
        else:
            value = parse_cookies(headers.get("cookie", "")).get(scheme.param_name)
        if not value or not value.strip():
            return AuthFailure(f"the API key {scheme.param_name!r} ({scheme.location}) is missing", _challenge(scheme))
        if tokens and value not in tokens:
            return AuthFailure(f"the API key {scheme.param_name!r} is not valid", _challenge(scheme))
        return None
    authorization = headers.get("authorization", "")
    wanted = "basic" if kind == "http" and scheme.scheme.lower() == "basic" else (
        scheme.scheme.lower() if kind == "http" and scheme.scheme else "bearer")
    given, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if not authorization:
        return AuthFailure(f"an `Authorization: {wanted.capitalize()} ...` header is required", _challenge(scheme))
    if given.lower() != wanted:
        return AuthFailure(f"expected the {wanted.capitalize()} scheme, got {given[:20]!r}", _challenge(scheme, "invalid_request"))
    if not credential:
        return AuthFailure(f"the {wanted.capitalize()} credential is empty", _challenge(scheme, "invalid_request"))
    if wanted == "basic":
        try:
            decoded = base64.b64decode(credential, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return AuthFailure("the Basic credential is not base64 of user:password", _challenge(scheme))
        if ":" not in decoded:
            return AuthFailure("the Basic credential has no ':' between user and password", _challenge(scheme))
    elif wanted == "bearer":
        if not _B64TOKEN.match(credential):
            return AuthFailure("the bearer token has characters RFC 6750 does not allow", _challenge(scheme, "invalid_token"))
        if "jwt" in scheme.bearer_format.lower() and not _JWT.match(credential):
            return AuthFailure("the bearer token is not a JWT (header.payload.signature)", _challenge(scheme, "invalid_token"))
    if tokens and credential not in tokens:
        return AuthFailure("the token is not one of the accepted tokens", _challenge(scheme, "invalid_token"))
    return None
