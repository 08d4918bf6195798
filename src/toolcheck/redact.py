"""Secret redaction for every output (terminal, JSON, JUnit, HTML, Markdown, curl lines).

Hand-written because the rules are ours: a :class:`Redactor` masks

* **known values**: secrets learnt at run time (tokens, ``format: password`` inputs, captured
  outputs marked ``secret: true``, env values named like secrets). They are replaced wherever
  they appear, also URL-encoded or JSON-escaped, in headers, bodies, URLs and free text;
* **by name**: headers, JSON fields and query parameters whose name says "secret"
  (:func:`is_secret_name`): ``Authorization``, ``Cookie``, ``X-Api-Key``, ``*token*``,
  ``*secret*``, ``*password*`` ... but not counters or metadata such as ``key_count``,
  ``max_tokens`` or ``token_type``.

The mask is fixed (``***``) so nothing about the secret (length, suffix) leaks. Values shorter
than ``min_length`` characters are not searched for in free text (masking every ``"ab"`` would
shred the report); they are still masked wherever their *name* marks them.

:meth:`Redactor.leaks` answers the opposite question: which known secrets appear in a text
(the run engine flags a secret echoed back in a response). It returns labels, never values.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote

MASK = "***"

# Names that are secret whatever their shape.
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)
# A word (after splitting camelCase/snake/kebab) that marks a secret.
_SECRET_WORDS = frozenset(
    {
        "token", "tokens", "secret", "secrets", "password", "passwords", "passwd", "pwd", "passphrase",
        "passcode", "credential", "credentials", "creds", "auth", "authorization", "authentication",
        "session", "sessionid", "signature", "sig", "cookie", "cookies", "apikey", "otp", "cvv", "cvc",
        "pin", "privatekey", "accesskey", "secretkey", "jwt", "bearer", "sid", "csrf", "xsrf",
    }
)
# Compact (separator-free) substrings that mark a secret even inside one word ("clientsecret").
_SECRET_FRAGMENTS = ("password", "passwd", "secret", "credential", "apikey", "accesstoken",
                     "refreshtoken", "authtoken", "idtoken", "privatekey", "accesskey", "sessionid",
                     "signature", "bearertoken")
# A last word that turns a secret-looking name into metadata about the secret.
_META_WORDS = frozenset(
    {
        "count", "counts", "type", "types", "limit", "limits", "length", "len", "size", "usage",
        "expires", "expiry", "expiration", "ttl", "url", "uri", "urls", "endpoint", "name", "names",
        "format", "scheme", "schemes", "method", "methods", "header", "hint", "required", "enabled",
        "mode", "field", "location", "in", "policy", "rotation", "status", "strength", "min", "max",
        "at", "kind", "version", "algorithm", "alg", "description", "flow", "flows", "provider",
        "details", "detail", "check", "checks", "metadata", "failure", "support", "supported", "minute",
        "minutes", "second", "seconds", "hour", "day", "per", "rate", "remaining", "used", "estimate",
    }
)
# Words before "tokens" that make it an LLM token count (max_tokens, prompt_tokens ...).
_COUNT_PREFIXES = frozenset(
    {"max", "total", "prompt", "completion", "input", "output", "num", "cached", "reasoning", "min"}
)
# Words before "key" that make it a non-secret identifier (idempotency_key, sort_key ...).
_BENIGN_KEY_PREFIXES = frozenset(
    {
        "idempotency", "sort", "primary", "foreign", "partition", "cache", "routing", "dedup",
        "deduplication", "object", "lookup", "group", "public", "row", "shard", "map", "event",
        "message", "correlation", "lock", "bucket", "s3", "translation", "i18n", "dict", "hash",
        "composite", "unique", "natural", "range", "index", "option", "setting", "config", "attribute",
        "max", "min", "num", "total", "count", "ruleset", "rule", "join",
    }
)
# Words before "tokens" that make it a list of credentials (access_tokens), not a count.
_TOKEN_QUALIFIERS = frozenset(
    {"access", "refresh", "api", "auth", "id", "bearer", "session", "user", "public", "link", "device",
     "personal", "oauth", "secret", "reset", "invite", "verification", "csrf", "xsrf"}
)
_AUTH_NOT = frozenset({"author", "authors", "authored", "authority", "authorities", "authoring"})

_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORD_SPLIT.split(name) if w]


@functools.lru_cache(maxsize=4096)  # pure, and asked for the same few names per header, field and step
def is_secret_name(name: str) -> bool:
    """Whether a header, JSON field or query parameter called ``name`` holds a secret.

    Args:
        name: the name as written (``X-Api-Key``, ``accessToken``, ``client_secret``).

    Returns:
        True for names such as ``Authorization``, ``api_key``, ``sessionId``, ``refresh-token``;
        False for metadata such as ``key_count``, ``max_tokens``, ``token_type``, ``author``,
        ``idempotency_key``.
    """
    if not name:
        return False
    lowered = name.strip().lower()
    if lowered in _SECRET_HEADERS:
        return True
    words = _words(name)
    if not words:
        return False
    last = words[-1]
    if last in _META_WORDS and len(words) > 1:
        return False
    if last in ("id", "ids") and len(words) > 1:
        # An identifier of a secret (api_key_id, authorization_id) is not one; a session id is.
        return words[-2] in ("session", "sid")
    if last in ("key", "keys"):
        return not (len(words) > 1 and words[-2] in _BENIGN_KEY_PREFIXES)
    for i, word in enumerate(words):
        before = words[i - 1] if i else ""
        if word == "tokens":
            # LLM usage counters (text_tokens, max_tokens_per_1_minute) vs lists of credentials.
            if len(words) == 1 or before in _TOKEN_QUALIFIERS:
                return True
            continue
        if word == "token" and before in _COUNT_PREFIXES:
            continue
        if word in ("authorization", "authorizations"):
            # The header, or a field named exactly so; Stripe's issuing_authorization is an object.
            after = words[i + 1] if i + 1 < len(words) else ""
            if len(words) == 1 or before in ("proxy", "x", "http") or after in ("code", "token", "value"):
                return True
            continue
        if word in _SECRET_WORDS:
            return True
        if word.startswith("auth") and word not in _AUTH_NOT and word not in ("authorization", "authorizations"):
            return True
        if word.endswith("token") and word != "tokenizer":
            return True
    compact = "".join(words)
    return any(fragment in compact for fragment in _SECRET_FRAGMENTS)


def _mask_authorization(value: str) -> str:
    # Keep the scheme ("Bearer ***"): it helps debugging and is not secret (RFC 9110 §11.4).
    scheme, sep, _rest = value.strip().partition(" ")
    if sep and scheme.isalpha() and len(scheme) <= 20:
        return f"{scheme} {MASK}"
    return MASK


def _mask_cookie(value: str, *, set_cookie: bool) -> str:
    # Keep cookie names and Set-Cookie attributes (RFC 6265), mask the values.
    if set_cookie:
        first, sep, attrs = value.partition(";")
        cname, eq, _v = first.partition("=")
        return f"{cname.strip()}={MASK}{sep}{attrs}" if eq else MASK
    parts = []
    for part in value.split(";"):
        cname, eq, _v = part.partition("=")
        parts.append(f"{cname.strip()}={MASK}" if eq else MASK)
    return "; ".join(parts)


_HEADER_LINE = re.compile(
    r"(?im)(^[ \t]*|-H[ \t]+['\"]?|--header[ \t]+['\"]?)([A-Za-z0-9!#$%&*+.^_`|~-]+)([ \t]*:[ \t]*)([^'\"\r\n]*)"
)
_QUERY_PARAM = re.compile(r"([?&;])([^=&#\s'\"<>]+)=([^&#\s'\"<>]*)")
_CURL_USER = re.compile(r"((?:^|\s)(?:-u|--user)[ \t]+['\"]?)([^'\"\s:]+):([^'\"\s]+)")
_JSON_FIELD = re.compile(r'"((?:[^"\\]|\\.){1,128})"(\s*:\s*)"((?:[^"\\]|\\.)*)"')
_URL_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@'\"]+):([^/\s@'\"]+)@")


def _basic_pair(token: str) -> str | None:
    """The ``user:password`` inside a Basic credential, or None when it is not one."""
    import base64
    import binascii

    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return decoded if ":" in decoded else None


class Redactor:
    """Masks known secret values and secret-named fields; thread-safe for parallel runs.

    Args:
        secrets: values known to be secret from the start.
        mask: the replacement text.
        min_length: shorter known values are masked only by name, not searched in text.
        secret_names: which header, field and query names hold secrets (default
            :func:`is_secret_name`). Fuzz passes the names its credentials really use, so a body
            field called ``key`` stays readable and its reproduction reproduces.
    """

    def __init__(self, secrets: Iterable[str] = (), *, mask: str = MASK, min_length: int = 4,
                 secret_names: Callable[[str], bool] | None = None) -> None:
        self.mask = mask
        self._is_secret: Callable[[str], bool] = secret_names or is_secret_name
        self.min_length = min_length
        self._lock = threading.Lock()
        self._labels: dict[str, str] = {}  # variant → label
        self._pattern: re.Pattern[str] | None = None
        self._dirty = False
        for value in secrets:
            self.add(value)

    # -- known values -------------------------------------------------------------------------
    def add(self, value: object, label: str | None = None) -> None:
        """Remember a secret value; ``Bearer x`` / ``Basic x`` also remember ``x``.

        Args:
            value: the secret (non-strings are converted with ``str``; None is ignored).
            label: how :meth:`leaks` names it (an input or output name); never the value.
        """
        if value is None or isinstance(value, bool):
            return
        text = str(value).strip()
        if len(text) < self.min_length:
            return
        with self._lock:
            name = label or f"secret #{len(set(self._labels.values())) + 1}"
            candidates = [text]
            scheme, sep, rest = text.partition(" ")
            if sep and scheme.lower() in ("bearer", "basic", "token", "digest") and len(rest.strip()) >= self.min_length:
                candidates.append(rest.strip())
                if scheme.lower() == "basic":  # RFC 7617: base64(user-id ":" password); an echo may decode it
                    pair = _basic_pair(rest.strip())
                    if pair is not None:
                        candidates.append(pair)
            for candidate in candidates:
                variants = (candidate, quote(candidate, safe=""), quote(candidate), quote_plus(candidate),
                            json.dumps(candidate)[1:-1], json.dumps(candidate, ensure_ascii=False)[1:-1])
                for variant in variants:
                    if variant not in self._labels:
                        self._labels[variant] = name
                        self._dirty = True

    def copy(self) -> Redactor:
        """An independent redactor with the same known secrets and settings."""
        twin = Redactor(mask=self.mask, min_length=self.min_length, secret_names=self._is_secret)
        with self._lock:
            twin._labels = dict(self._labels)
        twin._dirty = bool(twin._labels)
        return twin

    @property
    def generation(self) -> int:
        """Grows whenever a new secret is learnt (caches of redacted text compare it)."""
        return len(self._labels)

    def known(self) -> bool:
        """Whether any secret value is known."""
        return bool(self._labels)

    def _known_pattern(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._dirty or (self._pattern is None and self._labels):
                ordered = sorted(self._labels, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None
                self._dirty = False
            return self._pattern

    def leaks(self, text: str | bytes | None) -> list[str]:
        """Labels of the known secrets that appear in ``text`` (sorted, no duplicates, no values)."""
        if not text:
            return []
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        pattern = self._known_pattern()
        if pattern is None:
            return []
        return sorted({self._labels[m.group(0)] for m in pattern.finditer(text)})

    def redact_known(self, obj: Any) -> Any:
        """Replace known secret values inside any JSON-like value (keys kept, names not judged)."""
        pattern = self._known_pattern()
        if pattern is None:
            return obj
        return self._walk_known(obj, pattern, 0)

    def _walk_known(self, obj: Any, pattern: re.Pattern[str], depth: int) -> Any:
        if isinstance(obj, str):
            return pattern.sub(self.mask, obj)
        if depth > 200:
            return obj
        if isinstance(obj, Mapping):
            return {pattern.sub(self.mask, str(k)): self._walk_known(v, pattern, depth + 1) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [self._walk_known(v, pattern, depth + 1) for v in obj]
        return obj

    # -- text ---------------------------------------------------------------------------------
    def redact_text(self, text: str) -> str:
        """Mask secrets in free text: known values, secret header lines (``Authorization: ...``,
        ``-H 'X-Api-Key: ...'``), secret query parameters, ``-u user:pass``, URL user-info and
        ``"password": "..."`` JSON fields."""
        if not text:
            return text
        pattern = self._known_pattern()
        if pattern is not None:
            text = pattern.sub(self.mask, text)
        if ":" not in text and "=" not in text:
            return text  # every name rule below needs a `:` (header, JSON field, user-info) or a `=` (query)
        text = _HEADER_LINE.sub(self._header_line, text)
        text = _QUERY_PARAM.sub(self._query_param, text)
        text = _CURL_USER.sub(lambda m: f"{m.group(1)}{m.group(2)}:{self.mask}", text)
        text = _URL_USERINFO.sub(lambda m: f"{m.group(1)}:{self.mask}@", text)
        return _JSON_FIELD.sub(self._json_field, text)

    def _header_line(self, m: re.Match[str]) -> str:
        name, value = m.group(2), m.group(4)
        if not value or value == self.mask or not self._is_secret(name):
            return m.group(0)
        return f"{m.group(1)}{name}{m.group(3)}{self._mask_header(name, value)}"

    def _query_param(self, m: re.Match[str]) -> str:
        if not m.group(3) or not self._is_secret(unquote(m.group(2))):
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}={self.mask}"

    def _json_field(self, m: re.Match[str]) -> str:
        if not m.group(3) or not self._is_secret(m.group(1)):
            return m.group(0)
        return f'"{m.group(1)}"{m.group(2)}"{self.mask}"'

    def redact_url(self, url: str) -> str:
        """Mask secret query parameters, user-info passwords and known values in a URL."""
        return self.redact_text(url)

    # -- structures ---------------------------------------------------------------------------
    def _mask_header(self, name: str, value: str) -> str:
        lowered = name.lower()
        if lowered in ("authorization", "proxy-authorization"):
            return _mask_authorization(value)
        if lowered in ("cookie", "set-cookie"):
            return _mask_cookie(value, set_cookie=lowered == "set-cookie")
        return self.mask

    def redact_headers(self, headers: Any) -> Any:
        """Redact a header mapping or a list of ``(name, value)`` pairs; returns the same shape.

        Secret-named headers are masked (``Authorization`` keeps its scheme, cookies keep their
        names); other values have known secrets replaced.
        """
        if headers is None:
            return None
        if isinstance(headers, Mapping):
            return {str(k): self._header_value(str(k), v) for k, v in headers.items()}
        out: list[Any] = []
        for item in headers:
            if isinstance(item, (list, tuple)) and len(item) == 2:
                out.append([str(item[0]), self._header_value(str(item[0]), item[1])])
            else:
                out.append(self.redact_value(item))
        return out

    def _header_value(self, name: str, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [self._header_value(name, v) for v in value]
        if value is None:
            return None
        text = str(value)
        if self._is_secret(name) and text:
            return self._mask_header(name, text)
        return self.redact_text(text)

    def redact_value(self, obj: Any, *, _depth: int = 0) -> Any:
        """Deep-redact a JSON-like value: secret-named fields masked, strings cleaned as text.

        ``None``, booleans and empty strings under a secret name are kept (they hold nothing).
        """
        if isinstance(obj, str):
            return self.redact_text(obj)
        if _depth > 200:
            return self.mask
        if isinstance(obj, Mapping):
            out: dict[str, Any] = {}
            pattern = self._known_pattern()
            for key, value in obj.items():
                skey = str(key)
                if pattern is not None:  # a map keyed by a token must not print the token
                    skey = pattern.sub(self.mask, skey)
                if self._is_secret(skey) and not (value is None or isinstance(value, bool) or value == ""):
                    out[skey] = self.mask
                else:
                    out[skey] = self.redact_value(value, _depth=_depth + 1)
            return out
        if isinstance(obj, (list, tuple)):
            return [self.redact_value(v, _depth=_depth + 1) for v in obj]
        return obj


def redact_text(text: str) -> str:
    """Name-rule redaction of free text with no known secrets (see :meth:`Redactor.redact_text`)."""
    return _DEFAULT.redact_text(text)


def redact_value(obj: Any) -> Any:
    """Name-rule deep redaction with no known secrets (see :meth:`Redactor.redact_value`)."""
    return _DEFAULT.redact_value(obj)


def redact_headers(headers: Any) -> Any:
    """Name-rule header redaction with no known secrets (see :meth:`Redactor.redact_headers`)."""
    return _DEFAULT.redact_headers(headers)


_DEFAULT = Redactor()
