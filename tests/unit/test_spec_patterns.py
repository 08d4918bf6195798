"""The bounded pattern matcher answers as RE2's public ``search`` does, through its faster direct call."""

from __future__ import annotations

import pytest
import re2

from toolcheck.spec.patterns import PatternTimeout, compile_search

PATTERNS = [
    r"^[a-z0-9-]{1,63}$", r"^task_[A-Za-z0-9]{8,}$", r"\d+", r"^$", r"", r"é+", r"^[\p{L}]+$", r"(?i)abc",
    r"^\w+@\w+\.\w{2,}$", r"^(a+)+$", r"^.{3}$", r"b", r"^a|b$", r"\bword\b",
]
TEXTS = ["", "a", "hello-world", "task_ABCdef12", "123", "ééé", "Bücher", "ABC", "x@y.io", "a" * 40 + "!",
         "abc\n", "日本語", "word", "sword", "b", "\u0000", "a" * 5000]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_direct_call_agrees_with_re2_search(pattern: str) -> None:
    options = re2.Options()
    options.log_errors = False
    public = re2.compile(pattern, options)
    matched = compile_search(pattern)
    for text in TEXTS:
        assert matched(text) is (public.search(text) is not None), (pattern, text)


def test_a_pattern_re2_refuses_runs_bounded_on_the_fallback() -> None:
    lookahead = compile_search(r"^(?=.*\d)(?:(a|aa)+)$")
    assert lookahead("1a") is False and lookahead("aaa") is False
    with pytest.raises(PatternTimeout):
        compile_search(r"^(?=a)(a|aa)+$")("a" * 64 + "!")


def test_an_invalid_pattern_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="invalid pattern"):
        compile_search("([")
