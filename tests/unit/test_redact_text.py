"""Redaction of free text (curl lines, URLs, messages) and header shapes."""

from __future__ import annotations

import pytest

from toolcheck.redact import MASK, Redactor, is_secret_name, redact_headers, redact_text


@pytest.mark.parametrize("name", ["Set-Cookie", "Proxy-Authorization", "X-Auth-Token", "X-CSRF-Token", "id_token",
                                  "privateKey", "signature", "sig", "pwd", "client_credentials", "key", "apiKeys",
                                  "secret_access_key", "authToken", "sessionId", "passphrase"])
def test_more_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["author", "authorization_url", "idempotency_key", "sort_key", "public_key",
                                  "prompt_tokens", "completion_tokens", "total_tokens", "tokenizer", "keyboard",
                                  "keyword", "password_policy", "secret_count", "auth_required", "X-Request-Id",
                                  "Content-Type", "session_ttl", "token_expires_at", ""])
def test_more_non_secret_names(name: str) -> None:
    assert not is_secret_name(name)


def test_curl_command_is_cleaned() -> None:
    curl = ("curl -X POST 'http://127.0.0.1:1/a?api_key=abc123&page=2&sig=zz' -H 'Authorization: Bearer abc.def' "
            "-H \"X-Api-Key: k-999\" -H 'Content-Type: application/json' -u bob:hunter2 "
            "--data '{\"password\": \"p@ss\", \"name\": \"ok\"}' https://u:pw1@host/x")
    out = redact_text(curl)
    for secret in ("abc123", "abc.def", "k-999", "hunter2", "p@ss", "pw1", "=zz"):
        assert secret not in out, secret
    for kept in ("page=2", "Content-Type: application/json", "Bearer ***", "bob:", '"name": "ok"', "u:***@host"):
        assert kept in out, kept


def test_header_lines_in_messages() -> None:
    text = "GET /x\nAuthorization: Basic dXNlcjpwYXNz\nCookie: a=1; b=2\nAccept: */*"
    out = redact_text(text)
    assert "dXNlcjpwYXNz" not in out and "Authorization: Basic ***" in out
    assert "Cookie: a=***; b=***" in out and "Accept: */*" in out


def test_header_shapes_are_kept() -> None:
    pairs = [("Set-Cookie", "sid=abc; Path=/; HttpOnly"), ("Set-Cookie", "theme=dark"), ("Accept", "x")]
    out = redact_headers(pairs)
    assert out == [["Set-Cookie", "sid=***; Path=/; HttpOnly"], ["Set-Cookie", "theme=***"], ["Accept", "x"]]
    multi = redact_headers({"x-api-key": ["a1", "b2"], "Authorization": "opaque-no-scheme"})
    assert multi == {"x-api-key": [MASK, MASK], "Authorization": MASK}
    assert redact_headers(None) is None


def test_known_secrets_in_header_values_and_bodies() -> None:
    r = Redactor(["captured-task-token-77"])
    headers = r.redact_headers({"Location": "/tasks/1?t=captured-task-token-77"})
    assert headers["Location"] == f"/tasks/1?t={MASK}"
    body = r.redact_value({"echo": ["captured-task-token-77"], "n": 3, "ok": True, "token": None})
    assert body == {"echo": [MASK], "n": 3, "ok": True, "token": None}


def test_bearer_values_and_short_values() -> None:
    r = Redactor(min_length=4)
    r.add("Bearer zyx98765", "auth")
    r.add("abc")  # too short to search for in free text
    r.add(None)
    assert r.redact_text("token was zyx98765") == f"token was {MASK}"
    assert r.redact_text("abc is fine") == "abc is fine"
    assert r.leaks(b"... zyx98765 ...") == ["auth"]


def test_redact_known_leaves_names_alone() -> None:
    r = Redactor(["s3cr3t-value"])
    schema = {"properties": {"password": {"type": "string"}}, "example": "s3cr3t-value"}
    assert r.redact_known(schema) == {"properties": {"password": {"type": "string"}}, "example": MASK}


def test_deep_values_are_bounded() -> None:
    deep: object = "leaf"
    for _ in range(500):
        deep = [deep]
    out = Redactor().redact_value(deep)
    for _ in range(201):
        assert isinstance(out, list)
        out = out[0]
    assert out == MASK


def test_every_common_encoding_of_a_known_value_is_masked() -> None:
    secret = 'a b/c+d"é\\x'
    r = Redactor([secret])
    from json import dumps
    from urllib.parse import quote, quote_plus

    for form in (secret, quote(secret), quote(secret, safe=""), quote_plus(secret), dumps(secret)[1:-1],
                 dumps(secret, ensure_ascii=False)[1:-1]):
        assert r.redact_text(f"[{form}]") == f"[{MASK}]", form
        assert r.leaks(form)


@pytest.mark.parametrize("name, secret", [
    ("text_tokens", False), ("cache_write_tokens", False), ("max_tokens_per_1_minute", False),
    ("input_tokens_details", False), ("MaxKeys", False), ("cvc_check", False), ("authorization_id", False),
    ("api_key_id", False), ("issuing_authorization", False), ("include_auth_metadata", False),
    ("access_tokens", True), ("link_session_id", True), ("authorization_code", True), ("cvc", True),
    ("NextContinuationToken", True), ("demoAccountPassword", True), ("emv_auth_data", True),
])
def test_names_seen_in_real_specs(name: str, secret: bool) -> None:
    # LLM usage counters and identifiers of secrets stay readable; credentials do not.
    assert is_secret_name(name) is secret
