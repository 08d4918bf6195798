"""The wire layer: the one writer (and, for the mock, reader) of HTTP requests for an Operation.

``params`` (styles), ``bodies`` (media types), ``auth`` (one handler per security-scheme type),
``request`` (one request type, one URL builder that never leaves the target), ``curl`` (one
renderer), ``client`` (no redirects), ``read`` (what a server parses back). run, fuzz, payloads,
replay, init, tools and serve-mcp write through it; the mock reads through its parsing half.
"""

from toolcheck.wire.auth import (
    INVALID_TOKEN,
    AuthFailure,
    Credential,
    Incoming,
    SchemeHandler,
    apply_credentials,
    apply_invalid,
    check_security,
    credential_names,
    handler,
    placeholders,
    secrets_of,
)
from toolcheck.wire.request import OriginError, Request, build_request, join_url

__all__ = [
    "INVALID_TOKEN", "AuthFailure", "Credential", "Incoming", "OriginError", "Request",
    "SchemeHandler", "apply_credentials", "apply_invalid", "build_request", "check_security",
    "credential_names", "handler", "join_url", "placeholders", "secrets_of",
]
