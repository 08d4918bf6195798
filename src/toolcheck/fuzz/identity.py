"""Operations that would delete the caller's own identity (and so end the run's login).

Hand-written heuristic over the path, not the fixture: a fuzzer that sends ``DELETE /accounts``,
``DELETE /users/me`` or ``DELETE /api-keys/{id}`` with the credentials it was given may delete
the account or key it is authenticated with, and every later request then tests nothing but
the 401 handler. Such operations are held back unless the user asks for them
(``--include-identity-deletes``); the rest of the deletes run last in every round.
"""

from __future__ import annotations

import re

from toolcheck.spec import Operation

# "me", "self" ...: the caller itself (GitHub's /user, Slack's users.deleteMe, /accounts/self).
_SELF = frozenset({"me", "self", "current", "whoami", "my", "mine", "myself", "currentuser"})
# A collection or singleton of the caller's own, deleted without naming a member: DELETE /accounts.
_IDENTITY = frozenset({
    "account", "accounts", "user", "users", "profile", "profiles", "session", "login", "auth",
    "identity", "identities", "principal", "apikey", "apikeys", "token", "tokens", "credential", "credentials",
})
# Collections of credentials: DELETE /api-keys/{id} may revoke the key the run uses. (Not
# "sessions": Jupyter's /api/sessions/{id} are kernel sessions, not logins.)
_CREDENTIALS = frozenset({"apikey", "apikeys", "token", "tokens", "accesstoken", "accesstokens",
                          "credential", "credentials", "personalaccesstokens"})
_SPLIT = re.compile(r"[-_.]")


def _word(segment: str) -> str:
    return _SPLIT.sub("", segment.lower())


def deletes_identity(op: Operation) -> bool:
    """``op`` may delete the identity or credential the run authenticates with."""
    if op.method != "delete":
        return False
    segments = [s for s in op.path.strip("/").split("/") if s]
    literal = [s for s in segments if not (s.startswith("{") and s.endswith("}"))]
    if not literal:
        return False
    if any(_word(s) in _SELF for s in literal):
        return True  # DELETE /users/me, /accounts/self
    if segments[-1] == literal[-1] and _word(literal[-1]) in _IDENTITY:
        return True  # DELETE /accounts, /user, /session
    return _word(literal[-1]) in _CREDENTIALS  # DELETE /api-keys/{id}, /tokens/{id}
