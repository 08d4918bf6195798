"""A step (operation + rendered values) as a request: run's names for the wire layer.

What is run's own lives here: placing a scenario's loosely named parameters (``pet_id`` for
``petId``), auth modes (``default``/``none``/``invalid``/a map), Arazzo payload replacements and
operation look-up. Serialisation, credentials, URLs and curl are :mod:`toolcheck.wire`'s. Pure
functions: no I/O.
"""

from __future__ import annotations

from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.spec import Operation, Spec
from toolcheck.wire import Request, apply_credentials, apply_invalid, build_request
from toolcheck.wire.auth import INVALID_TOKEN
from toolcheck.wire.curl import curl as render_curl

__all__ = ["INVALID_TOKEN", "Prepared", "apply_auth", "build", "curl", "find_operation", "missing_path_params",
           "replace_at"]

Prepared = Request  # the one request type of the wire layer


def build(spec: Spec, op: Operation, params: list[tuple[str, str | None, Any]], body: Any,
          media_type: str | None) -> Request:
    """Place each parameter where the spec says, expand the path, encode the body (all in
    :func:`toolcheck.wire.build_request`: one writer of requests for run, fuzz and the agent bridge).

    ``params`` are ``(name, location or None, rendered value)``; a None location is looked up
    in the operation (first path, then query, header, cookie); unknown ones go to the query.
    A missing or ``null`` value leaves the parameter out.
    """
    where_values: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}, "cookie": {}}
    undocumented: list[str] = []
    for name, location, value in params:
        param = op.parameter(name, location) if location else op.parameter(name)
        if param is None:
            param = _loose_parameter(op, name, location)
            if param is not None:
                name = param.name
            elif location not in ("header", "cookie"):
                undocumented.append(name)
        where = location or (param.location if param is not None else "query")
        if value is ABSENT or value is None or where not in where_values:
            continue
        where_values[where][name] = value
    request = build_request(spec, op, path=where_values["path"], query=where_values["query"],
                            headers=where_values["header"], cookies=where_values["cookie"],
                            body=body, media_type=media_type)
    request.undocumented = undocumented
    return request


def _loose_parameter(op: Operation, name: str, location: str | None) -> Any:
    """``pet_id`` for ``petId``: a unique match ignoring case, ``_`` and ``-`` (Arazzo examples
    name parameters loosely; an exact match always wins)."""
    key = name.replace("_", "").replace("-", "").casefold()
    hits = [p for p in op.parameters if (location is None or p.location == location)
            and p.name.replace("_", "").replace("-", "").casefold() == key]
    return hits[0] if len(hits) == 1 else None


def missing_path_params(prepared: Request, op: Operation) -> list[str]:
    return [p.name for p in op.parameters if p.location == "path" and p.name not in prepared.path_params]


def find_operation(spec: Spec, ref: str) -> Operation:
    """``spec.operation(ref)``, falling back to a unique case-insensitive operationId match
    (the official FAPI-PAR Arazzo example calls ``PAR`` an operation its spec names ``Par``).

    Raises:
        KeyError: no operation, with the closest names.
    """
    try:
        return spec.operation(ref)
    except KeyError:
        folded = [op for op in spec.operations if op.operation_id.casefold() == ref.casefold()]
        if len(folded) == 1:
            return folded[0]
        raise


def apply_auth(prepared: Request, spec: Spec, op: Operation, mode: Any, credentials: dict[str, Any],
               placeholder: bool = False) -> str | None:
    """Add credentials per the operation's security requirement (:mod:`toolcheck.wire.auth`).

    ``mode`` is ``default`` (the scenario's credentials), ``none``, ``invalid`` (a deliberately
    bad credential for each scheme of the first requirement) or a ``{scheme: value}`` map.
    With ``placeholder`` (a mock target) a scheme without a credential gets the mock's
    placeholder. Returns a note when no requirement could be satisfied (the step still runs).
    """
    if mode == "none" or not op.security:
        return None
    if mode == "invalid":
        apply_invalid(spec, op, prepared)
        return None
    creds = {**credentials, **mode} if isinstance(mode, dict) else credentials
    creds = {k: v for k, v in creds.items() if v is not ABSENT}
    return apply_credentials(spec, op, prepared, creds, placeholder=placeholder)


IDENTITY_KEYS = frozenset({"scopes", "profile", "subject"})
SKIPPED_PREFIX = "skipped: "  # a problem that skips the step (said, counted) rather than failing it


def is_identity(mode: Any, spec: Spec) -> bool:
    """``auth: {scopes: [...]}`` / ``{profile: reader}``: who to call as, not a ``{scheme: value}`` map
    (a spec whose scheme is literally named ``scopes`` keeps the map reading)."""
    return (isinstance(mode, dict) and bool(mode) and set(mode) <= IDENTITY_KEYS
            and not any(k in spec.security_schemes for k in mode))


def identity_credentials(spec: Spec, op: Operation, mode: dict[str, Any], profiles: dict[str, dict[str, Any]],
                         mock: bool) -> tuple[dict[str, Any], str | None]:
    """Credentials for an identity step, or why there are none.

    ``profile`` names credentials given with ``--auth-profile NAME:SCHEME=VALUE``; ``scopes``
    against the mock is a placeholder token holding exactly those scopes (and ``subject``) for each
    scheme of the operation's first security alternative. A live target needs a profile.
    """
    scopes, profile = mode.get("scopes"), mode.get("profile")
    if profile is not None and (not mock or scopes is None):
        if profile not in profiles:
            known = ", ".join(sorted(profiles)) or "none"
            return {}, (f"{SKIPPED_PREFIX}auth profile {profile!r} was not given: pass --auth-profile "
                        f"{profile}:SCHEME=VALUE to test this step on a live target (given: {known})")
        return dict(profiles[profile]), None
    if scopes is None:
        return {}, "auth needs `scopes` or `profile`"
    if not mock:
        return {}, (f"auth.scopes {list(scopes)} needs a token holding exactly those scopes on a live target: "
                    "give one with --auth-profile NAME:SCHEME=VALUE and `auth: {profile: NAME}`")
    from toolcheck.wire.auth import handler_for

    creds: dict[str, Any] = {}
    for requirement in op.security[:1]:
        for name in requirement:
            scheme = spec.security_schemes.get(name)
            h = handler_for(scheme) if scheme is not None else None
            made = h.with_scopes(scheme, [str(s) for s in scopes], str(mode.get("subject") or "toolcheck")) \
                if h is not None and scheme is not None else None
            if made is None:
                return {}, f"the {name} scheme cannot carry scopes on the mock (use --auth-profile)"
            creds[name] = made
    return creds, None


def curl(prepared: Request, base_url: str, redactor: Any = None) -> str:
    """A shell-quoted curl command reproducing the request (:func:`toolcheck.wire.curl.curl`)."""
    return render_curl(prepared, base_url, redactor)


def replace_at(body: Any, pointer: str, value: Any) -> Any:
    """Set ``value`` at a JSON pointer inside a request body (Arazzo payload replacements)."""
    if not pointer or pointer == "/":
        return value
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/")]
    node = body
    for token in tokens[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(token, {})
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return body
    last = tokens[-1]
    if isinstance(node, dict):
        node[last] = value
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = value
    return body
