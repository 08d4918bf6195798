"""The mock answers integers beyond 64 bits (fuzz's edge values found it answering 500)."""

from __future__ import annotations

import json

from toolcheck.mock._encode import encode_body


def test_integers_beyond_64_bits_are_encoded_as_json_numbers() -> None:
    value = {"total": 10000 * (2**53 + 1), "items": [2**64, -(2**70)], "ok": 1}
    assert json.loads(encode_body(value, "application/json")) == value
    assert json.loads(encode_body(value, "text/plain")) == value
