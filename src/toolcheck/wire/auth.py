"""Credentials on the wire: one handler per security-scheme type, both halves.

Each handler knows, for its scheme type, how to apply a real credential to a request, what
placeholder credential the mock accepts, how to spoil a credential (the invalid-credential
probes of run and fuzz), which strings to redact, and, on the mock's side, how to verify a
request (shape, and value when the user gave ``--token``s). Adding a scheme type is one
:class:`SchemeHandler` subclass registered with :func:`handler`, plus its tests.

Shapes follow the RFCs: bearer tokens are RFC 6750 ``b64token``s, Basic is RFC 7617, Digest is
RFC 7616 (``httpx.DigestAuth`` answers the server's challenge), a declared JWT has three
base64url parts (RFC 7519). The invalid credential is well formed (a strict server must refuse
it by value, not by shape) and carries :data:`INVALID_MARK`, which the mock refuses like a real
server would refuse a wrong credential.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets as _secrets
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolcheck.wire.params import scalar

if TYPE_CHECKING:
    from toolcheck.spec import Operation, SecurityScheme, Spec
    from toolcheck.wire.request import Request

INVALID_MARK = "toolcheck-invalid"
INVALID_TOKEN = INVALID_MARK + "-credential"
PLACEHOLDER = "toolcheck-mock-token"
REALM = "toolcheck-mock"
# {"alg":"none"}.{"sub":"toolcheck"}.<sig>: JWT-shaped (RFC 7519 §3), unsigned: the mock reads claims, never verifies
_JWT_HEAD = "eyJhbGciOiJub25lIn0"
_JWT_BODY = "eyJzdWIiOiJ0b29sY2hlY2sifQ"
_B64TOKEN = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")
_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Credential:
    """A credential for one scheme: a token (bearer, API key) or a user and password."""

    token: str = ""
    username: str | None = None
    password: str | None = None

    @classmethod
    def of(cls, value: Any) -> Credential:
        """From what a user or a scenario gives: a string, or ``{token|value, username, password}``."""
        if isinstance(value, Credential):
            return value
        if isinstance(value, dict):
            token = value.get("token") or value.get("value")
            user, password = value.get("username"), value.get("password")
            return cls("" if token is None else scalar(token), None if user is None else scalar(user),
                       None if password is None else scalar(password))
        return cls("" if value is None else scalar(value))

    def user_password(self) -> tuple[str, str]:
        """``(user, password)``: given, or ``user:password`` in the token (a lone token is the user: `-u key:` as Stripe takes it)."""
        if self.username is not None:
            return self.username, self.password or ""
        user, sep, password = self.token.partition(":")
        return (user, password) if sep else (self.token, "")


@dataclass(frozen=True)
class AuthFailure:
    """Why authentication or authorisation failed and the ``WWW-Authenticate`` challenge to send:
    401 for a missing or wrong credential, 403 for a valid one that lacks a scope (RFC 6750 §3.1)."""

    message: str
    challenge: str
    status: int = 401
    missing_scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Identity:
    """Who a credential speaks for and which scopes it holds (``None``: not said, so all)."""

    subject: str | None = None
    scopes: frozenset[str] | None = None


def parse_token_option(text: str) -> tuple[str, frozenset[str] | None]:
    """``VALUE`` or ``VALUE=SCOPE[,SCOPE...]`` (the mock's ``--token``): the credential and its scopes.
    The last ``=`` splits, and only when scopes follow (a base64 value may end in ``=`` padding)."""
    value, sep, scopes = text.rpartition("=")
    if sep and value and scopes and not scopes.startswith("="):
        return value, frozenset(s for s in re.split(r"[,\s]+", scopes) if s)
    return text, None


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT-shaped token (RFC 7519 §7.2 steps 1-7, no signature check: a mock),
    or ``{}``."""
    parts = token.split(".")
    if len(parts) != 3 or len(parts[1]) > 16384:
        return {}
    try:
        import json

        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def jwt_with(subject: str = "toolcheck", scopes: Collection[str] | None = None) -> str:
    """An unsigned JWT-shaped token with a subject and (OAuth 2 ``scope`` claim) scopes, which the
    mock reads (RFC 8693 §4.2 spells scopes space-separated)."""
    import json

    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")

    claims: dict[str, Any] = {"sub": subject}
    if scopes is not None:
        claims["scope"] = " ".join(scopes)
    return f"{_JWT_HEAD}.{b64(claims)}.c2ln"


def _claimed(token: str, scope_map: Mapping[str, frozenset[str]] | None) -> Identity:
    """The identity a bearer-like token speaks for: the user's ``--token VALUE=SCOPES`` first,
    else a JWT's ``sub`` and ``scope`` (space-separated) or ``scp`` (array) claims."""
    mapped = scope_map.get(token) if scope_map else None
    claims = jwt_claims(token) if token.count(".") == 2 else {}
    subject = claims.get("sub") if isinstance(claims.get("sub"), str) else None
    if mapped is not None:
        return Identity(subject or token[:16], mapped)
    scopes: frozenset[str] | None = None
    if isinstance(claims.get("scope"), str):
        scopes = frozenset(claims["scope"].split())
    elif isinstance(claims.get("scp"), list):
        scopes = frozenset(str(s) for s in claims["scp"])
    return Identity(subject, scopes)


@dataclass(frozen=True)
class Incoming:
    """What the mock sees of a request: lower-case headers, query pairs and cookies."""

    headers: Mapping[str, str]
    query: list[tuple[str, str]]
    cookies: Mapping[str, str]
    method: str = "GET"
    path: str = "/"


class SchemeHandler:
    """The behaviour of one security-scheme type (subclass and register with :func:`handler`)."""

    def apply(self, scheme: SecurityScheme, credential: Credential, request: Request) -> None:
        raise NotImplementedError

    def placeholder(self, scheme: SecurityScheme) -> Credential:
        """A credential the mock accepts (its shape is right; the mock checks nothing else)."""
        return Credential(PLACEHOLDER)

    def apply_invalid(self, scheme: SecurityScheme, request: Request) -> None:
        """A well-formed credential that no server may accept."""
        self.apply(scheme, Credential(INVALID_TOKEN), request)

    def secrets(self, scheme: SecurityScheme, credential: Credential) -> list[str]:
        """Strings that must never reach a report (the credential and its encodings)."""
        return [s for s in (credential.token, credential.password) if s]

    def carrier(self, scheme: SecurityScheme) -> tuple[str, str]:
        """``(location, name)`` of what carries the credential (header names lower-case)."""
        return "header", "authorization"

    def verify(self, scheme: SecurityScheme, incoming: Incoming, tokens: Collection[str] | None) -> AuthFailure | None:
        raise NotImplementedError

    def challenge(self, scheme: SecurityScheme, error: str = "") -> str:
        suffix = f', error="{error}"' if error else ""
        return f'Bearer realm="{REALM}"{suffix}'

    def identity(self, scheme: SecurityScheme, incoming: Incoming,
                 scope_map: Mapping[str, frozenset[str]] | None) -> Identity:
        """Who the (already verified) credential speaks for, and its scopes."""
        credential = incoming.headers.get("authorization", "").partition(" ")[2].strip()
        return _claimed(credential, scope_map) if credential else Identity()

    def with_scopes(self, scheme: SecurityScheme, scopes: Collection[str], subject: str = "toolcheck") -> Credential | None:
        """A placeholder credential holding exactly ``scopes`` (None: this scheme cannot say)."""
        return None

    def as_subject(self, scheme: SecurityScheme, subject: str) -> Credential | None:
        """A placeholder credential the mock reads as ``subject`` (every scope; None: cannot say)."""
        return None


_HANDLERS: dict[str, SchemeHandler] = {}


def handler(*kinds: str) -> Callable[[type[SchemeHandler]], type[SchemeHandler]]:
    """Register a handler for scheme kinds: ``apiKey``, ``http:basic``, ``http:*`` (any other
    HTTP scheme), ``oauth2``..., see :func:`kind_of`."""
    def register(cls: type[SchemeHandler]) -> type[SchemeHandler]:
        instance = cls()
        for kind in kinds:
            _HANDLERS[kind] = instance
        return cls
    return register


def kind_of(scheme: SecurityScheme) -> str:
    if scheme.type == "http":
        return "http:" + (scheme.scheme.lower() or "bearer")
    return scheme.type


def handler_for(scheme: SecurityScheme) -> SchemeHandler | None:
    kind = kind_of(scheme)
    return _HANDLERS.get(kind) or (_HANDLERS.get("http:*") if kind.startswith("http:") else None)


def _authorization(incoming: Incoming, wanted: str, scheme: SecurityScheme,
                   challenge: Callable[[str], str]) -> tuple[str, AuthFailure | None]:
    """The credential after ``Authorization: <wanted> ``, or why there is none."""
    authorization = incoming.headers.get("authorization", "")
    given, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    label = wanted.capitalize()
    if not authorization:
        return "", AuthFailure(f"an `Authorization: {label} ...` header is required", challenge(""))
    if given.lower() != wanted:
        return "", AuthFailure(f"expected the {label} scheme, got {given[:20]!r}", challenge("invalid_request"))
    if not credential:
        return "", AuthFailure(f"the {label} credential is empty", challenge("invalid_request"))
    return credential, None


@handler("apiKey")
class ApiKey(SchemeHandler):
    """An API key in a header, the query string or a cookie (OpenAPI 3.1 §4.8.27)."""

    def apply(self, scheme: SecurityScheme, credential: Credential, request: Request) -> None:
        name = scheme.param_name or scheme.name
        if scheme.location == "query":
            request.query.append((name, credential.token))
        elif scheme.location == "cookie":
            request.cookies[name] = credential.token
        else:
            request.headers[name] = credential.token

    def carrier(self, scheme: SecurityScheme) -> tuple[str, str]:
        name = scheme.param_name or scheme.name
        return (scheme.location or "header"), (name.lower() if scheme.location in ("header", "") else name)

    def verify(self, scheme: SecurityScheme, incoming: Incoming, tokens: Collection[str] | None) -> AuthFailure | None:
        value: str | None
        if scheme.location == "query":
            value = next((v for k, v in incoming.query if k == scheme.param_name), None)
        elif scheme.location == "cookie":
            value = incoming.cookies.get(scheme.param_name)
        else:
            value = incoming.headers.get(scheme.param_name.lower())
        if not value or not value.strip():
            return AuthFailure(f"the API key {scheme.param_name!r} ({scheme.location}) is missing", self.challenge(scheme))
        if INVALID_MARK in value or (tokens and value not in tokens):
            return AuthFailure(f"the API key {scheme.param_name!r} is not valid", self.challenge(scheme))
        return None

    def challenge(self, scheme: SecurityScheme, error: str = "") -> str:
        return f'ApiKey realm="{REALM}", in="{scheme.location}", name="{scheme.param_name}"'

    def identity(self, scheme: SecurityScheme, incoming: Incoming,
                 scope_map: Mapping[str, frozenset[str]] | None) -> Identity:
        if scheme.location == "query":
            value = next((v for k, v in incoming.query if k == scheme.param_name), "")
        elif scheme.location == "cookie":
            value = incoming.cookies.get(scheme.param_name, "")
        else:
            value = incoming.headers.get(scheme.param_name.lower(), "")
        return _claimed(value, scope_map) if value else Identity()

    def with_scopes(self, scheme: SecurityScheme, scopes: Collection[str], subject: str = "toolcheck") -> Credential | None:
        return Credential(jwt_with(subject, scopes))  # a JWT-shaped key: the mock reads its claims

    def placeholder(self, scheme: SecurityScheme) -> Credential:
        return Credential(jwt_with("toolcheck"))  # names a subject: what it creates is its own

    def as_subject(self, scheme: SecurityScheme, subject: str) -> Credential | None:
        return Credential(jwt_with(subject))


@handler("http:basic")
class Basic(SchemeHandler):
    """RFC 7617: ``Authorization: Basic base64(user:password)``."""

    def apply(self, scheme: SecurityScheme, credential: Credential, request: Request) -> None:
        user, password = credential.user_password()
        request.headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def apply_invalid(self, scheme: SecurityScheme, request: Request) -> None:
        self.apply(scheme, Credential(username=INVALID_MARK, password=INVALID_TOKEN), request)

    def placeholder(self, scheme: SecurityScheme) -> Credential:
        return Credential(username="toolcheck", password=PLACEHOLDER)

    def as_subject(self, scheme: SecurityScheme, subject: str) -> Credential | None:
        return Credential(username=subject, password=PLACEHOLDER)

    def secrets(self, scheme: SecurityScheme, credential: Credential) -> list[str]:
        user, password = credential.user_password()
        pair = f"{user}:{password}"
        return [s for s in (pair, base64.b64encode(pair.encode()).decode(), password) if s and s != ":"]

    def verify(self, scheme: SecurityScheme, incoming: Incoming, tokens: Collection[str] | None) -> AuthFailure | None:
        credential, failure = _authorization(incoming, "basic", scheme, lambda e: self.challenge(scheme, e))
        if failure is not None:
            return failure
        try:
            decoded = base64.b64decode(credential, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return AuthFailure("the Basic credential is not base64 of user:password", self.challenge(scheme))
        if ":" not in decoded:
            return AuthFailure("the Basic credential has no ':' between user and password", self.challenge(scheme))
        if INVALID_MARK in decoded or (tokens and decoded not in tokens and credential not in tokens):
            return AuthFailure("the user or password is not valid", self.challenge(scheme))
        return None

    def challenge(self, scheme: SecurityScheme, error: str = "") -> str:
        return f'Basic realm="{REALM}", charset="UTF-8"'

    def identity(self, scheme: SecurityScheme, incoming: Incoming,
                 scope_map: Mapping[str, frozenset[str]] | None) -> Identity:
        credential = incoming.headers.get("authorization", "").partition(" ")[2].strip()
        try:
            decoded = base64.b64decode(credential, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return Identity()
        user = decoded.partition(":")[0]
        scopes = scope_map.get(decoded) if scope_map else None
        return Identity(user, scopes)


@handler("http:bearer", "oauth2", "openIdConnect")
class Bearer(SchemeHandler):
    """RFC 6750 bearer tokens (HTTP bearer, OAuth 2, OpenID Connect); JWT-shaped when declared."""

    def apply(self, scheme: SecurityScheme, credential: Credential, request: Request) -> None:
        request.headers["Authorization"] = f"Bearer {credential.token}"

    def placeholder(self, scheme: SecurityScheme) -> Credential:
        # JWT-shaped whatever the declared format (a JWT is a valid RFC 6750 b64token), so the mock
        # reads a subject from it: what it creates is its own (object-level authorization)
        return Credential(f"{_JWT_HEAD}.{_JWT_BODY}.c2ln")

    def as_subject(self, scheme: SecurityScheme, subject: str) -> Credential | None:
        return Credential(jwt_with(subject))

    def apply_invalid(self, scheme: SecurityScheme, request: Request) -> None:
        token = f"{_JWT_HEAD}.{_JWT_BODY}.{INVALID_TOKEN}" if "jwt" in scheme.bearer_format.lower() else INVALID_TOKEN
        self.apply(scheme, Credential(token), request)

    def with_scopes(self, scheme: SecurityScheme, scopes: Collection[str], subject: str = "toolcheck") -> Credential | None:
        return Credential(jwt_with(subject, scopes))

    def verify(self, scheme: SecurityScheme, incoming: Incoming, tokens: Collection[str] | None) -> AuthFailure | None:
        credential, failure = _authorization(incoming, "bearer", scheme, lambda e: self.challenge(scheme, e))
        if failure is not None:
            return failure
        if not _B64TOKEN.match(credential):
            return AuthFailure("the bearer token has characters RFC 6750 does not allow", self.challenge(scheme, "invalid_token"))
        if "jwt" in scheme.bearer_format.lower() and not _JWT.match(credential):
            return AuthFailure("the bearer token is not a JWT (header.payload.signature)", self.challenge(scheme, "invalid_token"))
        if INVALID_MARK in credential or (tokens and credential not in tokens):
            return AuthFailure("the token is not one of the accepted tokens", self.challenge(scheme, "invalid_token"))
        return None


@handler("http:*")
class OtherHttp(SchemeHandler):
    """Any other HTTP authentication scheme (RFC 9110 §11): ``Authorization: <Scheme> <token>``."""

    def apply(self, scheme: SecurityScheme, credential: Credential, request: Request) -> None:
        request.headers["Authorization"] = f"{scheme.scheme} {credential.token}"

    def verify(self, scheme: SecurityScheme, incoming: Incoming, tokens: Collection[str] | None) -> AuthFailure | None:
        wanted = scheme.scheme.lower()
        credential, failure = _authorization(incoming, wanted, scheme, lambda e: self.challenge(scheme, e))
        if failure is not None:
            return failure
        if INVALID_MARK in credential or (tokens and credential not in tokens):
            return AuthFailure("the credential is not one of the accepted tokens", self.challenge(scheme, "invalid_token"))
        return None

    def challenge(self, scheme: SecurityScheme, error: str = "") -> str:
        suffix = f', error="{error}"' if error else ""
        return f'{scheme.scheme.capitalize()} realm="{REALM}"{suffix}'


@handler("mutualTLS")
class MutualTLS(SchemeHandler):
    """Client certificates: the transport's job, nothing to write or see at the HTTP layer."""

    def apply(self, scheme: SecurityScheme, credential: Credential, request: Request) -> None:
        return None

    def apply_invalid(self, scheme: SecurityScheme, request: Request) -> None:
        return None

    def carrier(self, scheme: SecurityScheme) -> tuple[str, str]:
        return "tls", ""

    def verify(self, scheme: SecurityScheme, incoming: Incoming, tokens: Collection[str] | None) -> AuthFailure | None:
        return None


# -- applying credentials to an operation's request --------------------------------------------
def requirement_for(op: Operation, available: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The first security alternative whose schemes all have a credential, else None."""
    for requirement in op.security:
        if requirement and all(available.get(name) not in (None, "") for name in requirement):
            return requirement
    return None


def apply_credentials(spec: Spec, op: Operation, request: Request, credentials: Mapping[str, Any], *,
                      placeholder: bool = False) -> str | None:
    """Add credentials for ``op``'s security requirement to ``request`` in place.

    The first alternative whose schemes all have a credential in ``credentials`` (keyed by scheme
    name) is used; with ``placeholder`` the first alternative gets the mock's placeholder where a
    credential is missing. Returns a note when no alternative could be satisfied (the request is
    still sent, without credentials), None otherwise.
    """
    alternatives = [r for r in op.security if r]
    if not alternatives or len(alternatives) < len(op.security):
        return None  # no security, or authentication optional (an empty alternative)
    chosen = requirement_for(op, credentials)
    if chosen is None and not placeholder:
        wanted = " or ".join(" + ".join(r) for r in alternatives)
        return f"no credentials for {wanted}; sent without authentication"
    for name in chosen or alternatives[0]:
        scheme = spec.security_schemes.get(name)
        h = handler_for(scheme) if scheme is not None else None
        if scheme is None or h is None:
            continue
        given = credentials.get(name)
        h.apply(scheme, Credential.of(given) if given not in (None, "") else h.placeholder(scheme), request)
        request.auth_schemes += (name,)
    if chosen is None:
        wanted = " or ".join(" + ".join(r) for r in alternatives)
        return f"no credentials for {wanted}; sent a placeholder credential (mock target)"
    return None


def apply_invalid(spec: Spec, op: Operation, request: Request) -> None:
    """Spoil the credentials of ``op``'s first security alternative (the invalid-credential probe)."""
    for requirement in op.security[:1]:
        for name in requirement:
            scheme = spec.security_schemes.get(name)
            h = handler_for(scheme) if scheme is not None else None
            if scheme is not None and h is not None:
                h.apply_invalid(scheme, request)
                request.auth_schemes += (name,)


def placeholders(spec: Spec) -> dict[str, Credential]:
    """A placeholder credential (one the mock accepts) for every scheme the spec defines."""
    out: dict[str, Credential] = {}
    for name, scheme in spec.security_schemes.items():
        h = handler_for(scheme)
        if h is not None:
            out[name] = h.placeholder(scheme)
    return out


def secrets_of(spec: Spec, credentials: Mapping[str, Any]) -> list[str]:
    """Every string the given credentials put on the wire (to redact), per their scheme."""
    out: list[str] = []
    for name, value in credentials.items():
        scheme = spec.security_schemes.get(name)
        h = handler_for(scheme) if scheme is not None else None
        if value in (None, ""):
            continue
        credential = Credential.of(value)
        out.extend(h.secrets(scheme, credential) if h is not None and scheme is not None
                   else [s for s in (credential.token, credential.password) if s])
    return out


def credential_names(spec: Spec, op: Operation) -> dict[str, set[str]]:
    """Header/query/cookie names that carry credentials for ``op`` (lower-case headers)."""
    names: dict[str, set[str]] = {"header": set(), "query": set(), "cookie": set()}
    for requirement in op.security:
        for name in requirement:
            scheme = spec.security_schemes.get(name)
            h = handler_for(scheme) if scheme is not None else None
            if scheme is None or h is None:
                continue
            location, carried = h.carrier(scheme)
            if location in names:
                names[location].add(carried)
    return names


# -- the mock's half --------------------------------------------------------------------------
def check_security(spec: Spec, op: Operation, incoming: Incoming, tokens: Collection[str] | None = None, *,
                   scope_map: Mapping[str, frozenset[str]] | None = None,
                   strict_scopes: bool = False) -> AuthFailure | None:
    """``None`` when some security alternative is satisfied, else the first alternative's failure.

    An operation's ``security`` is a list of alternatives; each lists schemes that must *all* be
    satisfied, with the scopes each needs. Prism accepts any ``Bearer x``, which teaches agents
    nothing: the mock checks the credential's shape, refuses toolcheck's own invalid credential,
    and, when the user gave ``tokens``, that the credential is one of them. A valid credential that
    lacks a required scope is a 403 (RFC 6750 §3.1 ``insufficient_scope``); a credential that says
    nothing of its scopes holds them all, unless ``strict_scopes``.
    """
    if not op.security:
        return None
    first: AuthFailure | None = None
    for alternative in op.security:
        failure: AuthFailure | None = None
        for name, required in alternative.items():
            scheme = spec.security_schemes.get(name)
            h = handler_for(scheme) if scheme is not None else None
            if scheme is None or h is None:
                continue  # an undefined scheme is a spec problem, reported by `check`
            failure = h.verify(scheme, incoming, tokens)
            if failure is None and required:
                failure = _scope_failure(h, scheme, incoming, tuple(required), scope_map, strict_scopes)
            if failure is not None:
                break
        if failure is None:
            return None
        if first is None or (first.status == 401 and failure.status == 403):
            first = failure  # authenticated but not allowed says more than "not authenticated"
    return first


def _scope_failure(h: SchemeHandler, scheme: SecurityScheme, incoming: Incoming, required: tuple[str, ...],
                   scope_map: Mapping[str, frozenset[str]] | None, strict: bool) -> AuthFailure | None:
    held = h.identity(scheme, incoming, scope_map).scopes
    if held is None and not strict:
        return None
    missing = tuple(s for s in required if s not in (held or ()))
    if not missing:
        return None
    wanted = " ".join(required).replace('"', "'")
    return AuthFailure(f"the credential lacks the scope(s) {', '.join(missing)} (this operation needs {' and '.join(required)})",
                       f'Bearer realm="{REALM}", error="insufficient_scope", scope="{wanted}"', 403, missing)


def identity_of(spec: Spec, op: Operation, incoming: Incoming,
                scope_map: Mapping[str, frozenset[str]] | None = None) -> Identity:
    """The identity of the first scheme of ``op`` whose credential names a subject (the owner of
    what a stateful mock stores); an empty identity when none does."""
    for alternative in op.security:
        for name in alternative:
            scheme = spec.security_schemes.get(name)
            h = handler_for(scheme) if scheme is not None else None
            if scheme is not None and h is not None:
                found = h.identity(scheme, incoming, scope_map)
                if found.subject:
                    return found
    return Identity()


def new_nonce() -> str:
    return _secrets.token_hex(16)


def _digest_hash(algorithm: str, text: str) -> str:
    name = algorithm.lower().removesuffix("-sess")
    return hashlib.new("sha256" if name == "sha-256" else "md5", text.encode()).hexdigest()


_DIGEST_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


@handler("http:digest")
class Digest(SchemeHandler):
    """RFC 7616 Digest: the client answers the server's challenge (nonce) with a hash of the
    user, password, method and URI; ``httpx.DigestAuth`` runs that exchange for real targets.

    Against the mock, the placeholder user and password are accepted by shape, and with
    ``--token user:password`` the response hash is recomputed and compared.
    """

    def apply(self, scheme: SecurityScheme, credential: Credential, request: Request) -> None:
        import httpx

        user, password = credential.user_password()
        request.auth = httpx.DigestAuth(user, password)
        request.auth_display = f"--digest -u {user}:{password}"

    def placeholder(self, scheme: SecurityScheme) -> Credential:
        return Credential(username="toolcheck", password=PLACEHOLDER)

    def apply_invalid(self, scheme: SecurityScheme, request: Request) -> None:
        self.apply(scheme, Credential(username=INVALID_MARK, password=INVALID_TOKEN), request)

    def secrets(self, scheme: SecurityScheme, credential: Credential) -> list[str]:
        user, password = credential.user_password()
        return [s for s in (f"{user}:{password}", password) if s and s != ":"]

    def challenge(self, scheme: SecurityScheme, error: str = "") -> str:
        stale = ', stale=true' if error == "stale" else ""
        return f'Digest realm="{REALM}", qop="auth", algorithm=SHA-256, nonce="{new_nonce()}"{stale}'

    def verify(self, scheme: SecurityScheme, incoming: Incoming, tokens: Collection[str] | None) -> AuthFailure | None:
        credential, failure = _authorization(incoming, "digest", scheme, lambda e: self.challenge(scheme, e))
        if failure is not None:
            return failure
        fields = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
                  for m in _DIGEST_PARAM.finditer(credential[:4096])}
        missing = [k for k in ("username", "realm", "nonce", "uri", "response") if not fields.get(k)]
        if missing:
            return AuthFailure(f"the Digest credential lacks {', '.join(missing)} (RFC 7616 §3.4)", self.challenge(scheme))
        if INVALID_MARK in fields["username"]:
            return AuthFailure("the user or password is not valid", self.challenge(scheme))
        if tokens:
            algorithm = fields.get("algorithm") or "MD5"
            for token in tokens:
                user, sep, password = token.partition(":")
                if not sep or user != fields["username"]:
                    continue
                ha1 = _digest_hash(algorithm, f"{user}:{fields['realm']}:{password}")
                if algorithm.lower().endswith("-sess"):
                    ha1 = _digest_hash(algorithm, f"{ha1}:{fields['nonce']}:{fields.get('cnonce', '')}")
                ha2 = _digest_hash(algorithm, f"{incoming.method}:{fields['uri']}")
                if fields.get("qop"):
                    expected = _digest_hash(algorithm, f"{ha1}:{fields['nonce']}:{fields.get('nc', '')}:"
                                                       f"{fields.get('cnonce', '')}:{fields['qop']}:{ha2}")
                else:
                    expected = _digest_hash(algorithm, f"{ha1}:{fields['nonce']}:{ha2}")
                if _secrets.compare_digest(expected, fields["response"]):
                    return None
            return AuthFailure("the user or password is not valid", self.challenge(scheme))
        return None
