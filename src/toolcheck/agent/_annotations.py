"""MCP tool annotations (``readOnlyHint``, ``destructiveHint``, ``idempotentHint``,
``openWorldHint``) from an operation's method *and* what its name says it does.

MCP "Tools › Tool annotations": ``destructiveHint`` true means the tool may perform destructive
updates (false: only additive ones); ``idempotentHint`` true means repeating a call with the same
arguments has no additional effect. Clients use them to decide what to run without asking, so
an optimistic hint is the dangerous error: when in doubt, a write is destructive.

* GET/HEAD/OPTIONS: read-only (RFC 9110 §9.2.1 safe methods).
* DELETE: destructive, idempotent (RFC 9110 §9.2.2).
* PUT: destructive (it overwrites the whole resource), idempotent.
* PATCH: destructive (it overwrites fields), not idempotent (RFC 5789 §2).
* POST: additive and not idempotent (a create), unless its name or path says it removes,
  cancels, revokes, rejects, sends, pays or transfers (destructive or irreversible), or it is
  a query over POST (``search``, ``query``...: read-only).

An operation overrides any hint with ``x-toolcheck-annotations: {destructiveHint: false, ...}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from toolcheck.spec import Operation

HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")
EXTENSION = "x-toolcheck-annotations"

# Verbs whose effect removes or ends something, or cannot be taken back.
DESTRUCTIVE_VERBS = frozenset({
    "remove", "delete", "del", "destroy", "purge", "erase", "wipe", "drop", "truncate", "clear", "reset",
    "cancel", "abort", "terminate", "kill", "stop", "revoke", "reject", "decline", "deny", "void", "expire",
    "disable", "deactivate", "suspend", "ban", "block", "kick", "archive", "close", "unpublish", "unsubscribe",
    "uninstall", "unlink", "detach", "unassign", "unshare", "withdraw", "rollback", "overwrite", "replace",
})
# Verbs whose effect leaves the system: a message or money cannot be called back.
SEND_VERBS = frozenset({
    "send", "pay", "transfer", "payout", "charge", "refund", "capture", "email", "mail", "sms", "notify",
    "publish", "broadcast", "post", "tweet", "dispatch", "wire", "remit", "disburse", "invite",
})
# Verbs of a query sent as POST (a body too large or structured for a query string).
QUERY_VERBS = frozenset({
    "search", "query", "find", "lookup", "list", "get", "retrieve", "fetch", "count", "filter",
    "estimate", "preview", "calculate", "compute", "quote", "explain", "describe", "batchget", "graphql",
})


_IDEMPOTENCY = re.compile(r"^(x-)?idempotency[-_]?key$|^idempotency[-_]?token$|^client[-_]?request[-_]?(id|token)$",
                          re.IGNORECASE)


def has_idempotency_key(op: Operation) -> bool:
    """Does the operation take an idempotency key (``Idempotency-Key`` header and kin)?"""
    return any(p.location in ("header", "query") and _IDEMPOTENCY.match(p.name) for p in op.parameters)


def is_idempotent(op: Operation) -> bool:
    """Can the call be repeated safely: an idempotent method (RFC 9110 §9.2.2) or a key?"""
    return op.method.lower() in ("get", "head", "options", "put", "delete") or has_idempotency_key(op)


def words(text: str) -> list[str]:
    """Lower-case words of an identifier or sentence (``cancelTask`` → ``cancel task``)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text))
    return re.findall(r"[a-z0-9]+", spaced.lower())


def action_words(op: Operation) -> set[str]:
    """What the operation says it does: its operationId's words, the first word of its summary
    and its path's literal segments after the last parameter (``/orders/{id}/cancel``)."""
    found = set(words(op.operation_id)) if op.explicit_id else set()
    summary = words(op.summary)
    if summary:
        found.add(summary[0])
    tail = op.path.rstrip("/").rsplit("}", 1)[-1]
    for segment in tail.split("/"):
        found.update(words(segment.split(":")[-1]))  # Google-style custom methods: /tasks/{id}:cancel
    return found


def verb_kind(op: Operation) -> str:
    """``destructive``, ``send``, ``query`` or ``""`` for a POST (what its words say)."""
    said = action_words(op)
    if said & DESTRUCTIVE_VERBS:
        return "destructive"
    if said & (SEND_VERBS - {"post"}) or {"post", "message"} <= said:  # `post` alone is any create
        return "send"
    if said & QUERY_VERBS and not said & {"create", "add", "new", "insert", "upload", "import", "start", "run"}:
        return "query"
    return ""


def annotations_for(op: Operation) -> tuple[dict[str, bool], list[str]]:
    """The MCP annotations of ``op`` and notes (an override that could not be applied)."""
    method = op.method.lower()
    read_only = method in ("get", "head", "options")
    destructive = method in ("delete", "put", "patch")
    idempotent = method in ("get", "head", "options", "put", "delete")
    if method == "post":
        kind = verb_kind(op)
        if kind in ("destructive", "send"):
            destructive = True
        elif kind == "query":
            read_only, idempotent = True, True
    hints = {"readOnlyHint": read_only, "destructiveHint": destructive and not read_only,
             "idempotentHint": idempotent, "openWorldHint": True}
    notes: list[str] = []
    override = op.extensions.get(EXTENSION)
    if isinstance(override, Mapping):
        for key, value in override.items():
            if key in HINTS and isinstance(value, bool):
                hints[str(key)] = value
            else:
                notes.append(f"{EXTENSION}.{key}: not one of {', '.join(HINTS)} with a true/false value; ignored")
    elif override is not None:
        notes.append(f"{EXTENSION} must be a mapping of hint name to true/false; ignored")
    return hints, notes


def summarise(hints: Any) -> str:
    """``read-only``, ``destructive`` or ``additive``, for a listing."""
    if hints.get("readOnlyHint"):
        return "read-only"
    return "destructive" if hints.get("destructiveHint") else "additive"
