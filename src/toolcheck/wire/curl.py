"""One curl renderer: a copy-pasteable command for a request, secrets masked by the redactor."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toolcheck.wire.request import Request

MAX_BODY = 4000


def curl(request: Request, base_url: str, redactor: Any = None) -> str:
    """``curl -sS -X METHOD URL -H ... --data-binary BODY`` for ``request`` sent to ``base_url``.

    With a ``redactor`` (:class:`toolcheck.redact.Redactor`), credentials in the URL, headers and
    body are masked; a body over 4,000 characters is cut (the report says so).
    """
    url = request.url(base_url)
    headers = request.all_headers()
    body = request.content.decode("utf-8", "replace") if request.content is not None else None
    auth = request.auth_display
    if redactor is not None:
        url = redactor.redact_url(url)
        headers = redactor.redact_headers(headers)
        body = redactor.redact_text(body) if body is not None else None
        auth = redactor.redact_text(auth) if auth else auth
    parts = ["curl", "-sS", "-X", request.method, url]
    if auth:
        parts += shlex.split(auth)
    for name, value in headers.items():
        parts += ["-H", f"{name}: {value}"]
    if body is not None:
        parts += ["--data-binary", body if len(body) <= MAX_BODY else body[:MAX_BODY] + "..."]
    return " ".join(shlex.quote(p) for p in parts)
