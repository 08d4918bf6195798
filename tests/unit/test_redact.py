"""Secret redaction rules: by name, by known value (also encoded), and leak detection."""

from __future__ import annotations

import pytest

from toolcheck.redact import MASK, Redactor, is_secret_name


@pytest.mark.parametrize("name", ["Authorization", "X-Api-Key", "cookie", "access_token", "clientSecret",
                                  "password", "refreshToken", "session_id", "api-key"])
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["key_count", "max_tokens", "token_type", "name", "customer_id", "status", "monkey"])
def test_not_secret_names(name: str) -> None:
    assert not is_secret_name(name)


def test_known_values_are_masked_everywhere_even_encoded() -> None:
    r = Redactor()
    r.add("p@ss word/42", "password input")
    text = 'url=https://x/?q=p%40ss%20word%2F42 json={"v": "p@ss word/42"} plain p@ss word/42'
    out = r.redact_text(text)
    assert "p@ss" not in out and "p%40ss" not in out
    assert out.count(MASK) >= 3


def test_values_under_secret_names_are_masked_in_structures() -> None:
    r = Redactor()
    value = {"user": "ada", "password": "hunter2", "nested": [{"api_key": "k-123456"}], "token_type": "bearer"}
    out = r.redact_value(value)
    assert out["user"] == "ada" and out["token_type"] == "bearer"
    assert out["password"] == MASK and out["nested"][0]["api_key"] == MASK
    headers = r.redact_headers({"Authorization": "Bearer abcdefgh", "Accept": "application/json"})
    assert "abcdefgh" not in str(headers) and headers["Accept"] == "application/json"


def test_leaks_name_the_secret_not_the_value() -> None:
    r = Redactor()
    r.add("tok-abcdef123456", "bearer token")
    leaks = r.leaks('{"echo": "tok-abcdef123456"}')
    assert leaks and all("tok-abcdef123456" not in label for label in leaks)
    assert r.leaks("nothing here") == []


def test_the_working_directory_variables_are_not_secrets_but_real_ones_are() -> None:
    from toolcheck.scenarios import register_env_secrets

    redactor = Redactor()
    register_env_secrets(redactor, {"PWD": "/home/dev/project", "OLDPWD": "/home/dev",
                                    "DB_PASSWORD": "hunter2-hunter2", "SHELL": "/bin/bash"})
    text = redactor.redact_text("/home/dev/project/one.toolcheck.yaml:4 password hunter2-hunter2")
    assert text.startswith("/home/dev/project/one.toolcheck.yaml:4") and "hunter2-hunter2" not in text
