"""The ``authz`` phase: does the API refuse an identity the spec says may not call it?

Broken function-level authorization (OWASP API5): every operation whose security requirement needs
a scope is called, with a valid request, by an identity that lacks that scope; anything but
401/403 is a finding naming the identity and the missing scopes, with the request to reproduce it.

Identities come from ``--identity NAME=SCHEME:VALUE`` (their scopes from ``--identity-scopes
NAME=S1,S2``, else a JWT's ``scope``/``scp`` claim); against ``--mock`` a token holding none of the
operation's scopes is made for each operation. An identity whose scopes are unknown proves nothing
about scopes and is not used here.

Broken object-level authorization (OWASP API1): what the run's own credentials create (the
create → read chains of the stateful phase) is read, then deleted, by another identity (the first
``--identity`` that can call the operation; against ``--mock``, a token naming another subject).
Anything but a refusal is a finding naming both identities, with both requests to reproduce it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolcheck.checks.registry import FUZZ, register
from toolcheck.errors import UsageError
from toolcheck.findings import Severity
from toolcheck.fuzz.checks import make_failure
from toolcheck.fuzz.http import Auth
from toolcheck.fuzz.phases import create_for, step
from toolcheck.payloads.values import MINIMAL, Unsatisfiable
from toolcheck.wire import Request, apply_credentials
from toolcheck.wire.auth import handler_for, jwt_claims

if TYPE_CHECKING:
    from toolcheck.fuzz.runner import Fuzzer
    from toolcheck.spec import Operation, Spec

register("object_level_authorization", Severity.ERROR, "One identity cannot reach another's objects",
         commands=(FUZZ,), description="""
         The `authz` phase creates a resource with the run's credentials (the stateful phase's create →
         read chains), then reads and deletes it as another identity (the first `--identity` that can
         call the operation; against `--mock`, a token naming another subject). A 2xx is a finding
         (broken object-level authorization, OWASP API1); the owner's create and the other identity's
         request are both in the reproduction.""",
         hint="server: an object created by one identity was served to (or deleted by) another.")
register("scope_not_enforced", Severity.ERROR, "An identity without a required scope is refused",
         commands=(FUZZ,), description="""
         The `authz` phase calls each operation whose security requirement needs a scope with a valid
         request from an identity that lacks one of those scopes (`--identity` with `--identity-scopes`,
         or a JWT's `scope`/`scp` claim; against `--mock`, a token holding none of them). Anything but
         401/403 is a finding (broken function-level authorization, OWASP API5).""",
         hint="server: this operation's documented scope is not checked; a token that lacks it was served.")


@dataclass(frozen=True)
class Identity:
    """Who a request speaks for: a credential per security scheme, and the scopes it holds."""

    name: str
    credentials: dict[str, str]
    scopes: frozenset[str] | None = None


def parse_identities(values: list[str], scopes: list[str], spec: Spec) -> tuple[Identity, ...]:
    """``NAME=SCHEME:VALUE`` (repeatable, several schemes per name) and ``NAME=SCOPE,SCOPE``.

    Raises:
        UsageError: a malformed value, or a scheme the spec does not define.
    """
    creds: dict[str, dict[str, str]] = {}
    for raw in values:
        name, sep, rest = raw.partition("=")
        scheme, sep2, value = rest.partition(":")
        if not sep or not sep2 or not name or not scheme:
            raise UsageError(f"--identity expects NAME=SCHEME:VALUE, got {raw.split(':', 1)[0]!r}...")
        if scheme not in spec.security_schemes:
            raise UsageError(f"--identity {name}: no security scheme {scheme!r} in the spec "
                             f"(schemes: {', '.join(sorted(spec.security_schemes)) or 'none'})")
        creds.setdefault(name, {})[scheme] = value
    held: dict[str, frozenset[str]] = {}
    for raw in scopes:
        name, sep, rest = raw.partition("=")
        if not sep or name not in creds:
            raise UsageError(f"--identity-scopes {raw!r}: expected NAME=SCOPE,SCOPE for a NAME given with --identity")
        held[name] = frozenset(s for s in rest.replace(" ", ",").split(",") if s)
    out = []
    for name, given in creds.items():
        known = held.get(name)
        if known is None:  # a JWT says what it holds
            for value in given.values():
                claims = jwt_claims(value)
                if isinstance(claims.get("scope"), str):
                    known = frozenset(claims["scope"].split())
                elif isinstance(claims.get("scp"), list):
                    known = frozenset(str(s) for s in claims["scp"])
        out.append(Identity(name, given, known))
    return tuple(out)


def _needed(op: Operation) -> tuple[str, tuple[str, ...]] | None:
    """The first scheme of ``op``'s first alternative that needs scopes, and those scopes."""
    for alternative in op.security[:1]:
        for scheme, scopes in alternative.items():
            if scopes:
                return scheme, tuple(scopes)
    return None


def _narrow(spec: Spec, op: Operation, scheme_name: str) -> Identity | None:
    """Against the mock: a token for ``scheme_name`` holding no scope at all."""
    scheme = spec.security_schemes.get(scheme_name)
    h = handler_for(scheme) if scheme is not None else None
    made = h.with_scopes(scheme, [], "toolcheck-narrow") if h is not None and scheme is not None else None
    if made is None:
        return None
    others = {name: h2.placeholder(s2) for name in op.security[0] if name != scheme_name
              for s2 in [spec.security_schemes.get(name)] if s2 is not None
              for h2 in [handler_for(s2)] if h2 is not None}
    return Identity("a token with no scopes", {scheme_name: made.token, **{k: v.token for k, v in others.items()}},
                    frozenset())


def _auth_for(spec: Spec, op: Operation, identity: Identity) -> Auth:
    scratch = Request(method=op.method, path=op.path)
    apply_credentials(spec, op, scratch, identity.credentials)
    return Auth(headers=scratch.all_headers(), query=dict(scratch.query),
                secrets=tuple(v for v in identity.credentials.values() if v))


def function_level(fuzzer: Fuzzer, op: Operation) -> None:
    """Call ``op`` as an identity lacking one of its scopes; a success is a finding."""
    needed = _needed(op)
    if needed is None:
        return
    scheme_name, scopes = needed
    lacking = [i for i in fuzzer.options.identities
               if i.scopes is not None and scheme_name in i.credentials and not set(scopes) <= i.scopes]
    if not lacking and fuzzer.options.narrow_tokens:
        made = _narrow(fuzzer.spec, op, scheme_name)
        lacking = [made] if made is not None else []
    if not lacking:
        return
    identity = lacking[0]
    factory = fuzzer._factory(op, salt=13)
    try:
        case = (factory.examples() or [factory.positive(MINIMAL)])[0]
    except Unsatisfiable:
        return
    pool: dict[str, Any] = fuzzer._pool.get(op.operation_id, {})
    missing = sorted(set(scopes) - (identity.scopes or frozenset()))
    case = case.with_(path_params={**case.path_params, **pool}, phase="authz",
                      label=f"valid request from {identity.name}, which lacks {', '.join(missing)}")
    exchange = fuzzer._send(op, case, credentials=_auth_for(fuzzer.spec, op, identity))
    if 200 <= exchange.status < 300:
        failure = make_failure("scope_not_enforced", f"{identity.name} lacks {', '.join(missing)}",
                               f"HTTP {exchange.status} for {identity.name}, which lacks the scope(s) "
                               f"{', '.join(missing)} that {op.operation_id} requires")
        fuzzer.findings.add(fuzzer._finding(op, case, exchange, failure))


MAX_CHAINS = 10  # resources created for the object-level check (each costs a create and up to two calls)


def _other(fuzzer: Fuzzer, op: Operation) -> Identity | None:
    """Another identity that can call ``op``: a given one, else (mock) a token naming another subject."""
    needed = {name for alternative in op.security[:1] for name in alternative}
    given: tuple[Identity, ...] = fuzzer.options.identities
    for identity in given:
        if needed and needed <= set(identity.credentials):
            return identity
    if not fuzzer.options.narrow_tokens or not needed:
        return None
    made: dict[str, str] = {}
    for name in needed:
        scheme = fuzzer.spec.security_schemes.get(name)
        h = handler_for(scheme) if scheme is not None else None
        credential = h.as_subject(scheme, "toolcheck-other") if h is not None and scheme is not None else None
        if credential is None:
            return None
        made[name] = credential.token or f"{credential.username}:{credential.password}"
    return Identity("another subject (toolcheck-other)", made)


def object_level(fuzzer: Fuzzer, operations: list[Operation]) -> None:
    """Create as the run's identity, then read and delete as another: both must be refused."""
    from toolcheck.fuzz import stateful as st

    chosen = {op.operation_id for op in operations}
    chains = [c for c in st.infer_chains(fuzzer.spec) if c.create.operation_id in chosen and c.read.security]
    for chain in chains[:MAX_CHAINS]:
        if fuzzer._expired():
            return
        other = _other(fuzzer, chain.read)
        if other is None:
            continue
        made = create_for(fuzzer, chain, phase="authz")
        if made is None:
            continue
        created_case, created, read_case = made
        owner_step = step(fuzzer, "create (owner)", chain.create, created_case, created)
        for op, role in ((chain.read, "read"), (chain.delete, "delete")):
            if op is None or op.operation_id in fuzzer.stats.held_back:
                continue
            ids = {k: v for k, v in read_case.path_params.items() if op.parameter(k, "path") is not None}
            case = read_case.with_(path_params={**read_case.path_params, **ids}, phase="authz",
                                   label=f"{role} what the run's identity created, as {other.name}")
            if op is not chain.read:
                try:
                    own = fuzzer._factory(op, salt=17).positive(MINIMAL, phase="authz")
                except Unsatisfiable:
                    continue
                case = own.with_(path_params={**own.path_params, **ids}, label=case.label)
            exchange = fuzzer._send(op, case, credentials=_auth_for(fuzzer.spec, op, other))
            if 200 <= exchange.status < 300:
                failure = make_failure("object_level_authorization", f"{other.name} may {role}",
                                       f"HTTP {exchange.status}: {other.name} could {role} what "
                                       f"{chain.create.operation_id} created for the run's identity ({op.operation_id})")
                steps = [owner_step, step(fuzzer, f"{role} as {other.name}", op, case, exchange)]
                fuzzer.findings.add(fuzzer._finding(op, case, exchange, failure, steps))
                break
