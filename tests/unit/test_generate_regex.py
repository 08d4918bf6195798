"""The shared regex generator (``toolcheck.generate``) behind the mock and the fuzzer."""

from __future__ import annotations

import random
import re
import sys

import pytest

from toolcheck.generate import RegexError, string_from_regex


@pytest.mark.parametrize("pattern", [
    r"^task_[A-Za-z0-9]{8,}$", r"^[A-Z]{2}$", r"^\d{3}-\d{4}$", r"^(foo|bar)+baz?$",
    r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", r"^\+?[1-9]\d{1,14}$", r"[\w.-]+", r"^(a)\1$",
    # formerly the fuzzer's own generator's cases
    r"^inv_[A-Za-z0-9]{8,}$", r"^(a|bc)+\d{3}$", r"^\w+@\w+\.com$", r"[^abc]x",
    # conditional groups, atomic groups, look-arounds, wide ranges
    r"^(?:(a)|b)(?(1)c|d)$", r"^(?=.*\d)[a-z0-9]{6}$", r"^[\u4e00-\u9fff]{2}$",
    # atomic groups exist in Python's re from 3.11 on; before, such a pattern is a RegexError
    pytest.param(r"^(?>ab|a)c$", marks=pytest.mark.skipif(sys.version_info < (3, 11), reason="re has no (?>...) before 3.11")),
])
@pytest.mark.parametrize("minimal", [False, True])
def test_regex_generator_matches(pattern: str, minimal: bool) -> None:
    rng = random.Random(3)
    for _ in range(20):
        assert re.search(pattern, string_from_regex(pattern, rng, max_length=60, minimal=minimal, spread=8))
        assert re.search(pattern, string_from_regex(pattern, rng, max_length=60))


def test_regex_generator_honours_length_and_rejects_impossible() -> None:
    rng = random.Random(0)
    text = string_from_regex("^[a-z]+$", rng, min_length=30, max_length=40)
    assert 30 <= len(text) <= 40
    with pytest.raises(RegexError):
        string_from_regex("^[a-z]{5}$", rng, min_length=6)
    with pytest.raises(RegexError):
        string_from_regex("(unclosed", rng)


def test_minimal_takes_low_bounds_and_first_branch() -> None:
    rng = random.Random(5)
    assert len(string_from_regex(r"^inv_[a-z]{4,}$", rng, minimal=True)) == 8
    assert string_from_regex(r"^(ab|cde)x?$", rng, minimal=True) == "ab"


def test_spread_bounds_unbounded_repeats_and_seed_is_deterministic() -> None:
    rng = random.Random(1)
    lengths = {len(string_from_regex(r"^a*$", rng, spread=8)) for _ in range(200)}
    assert max(lengths) == 8 and min(lengths) == 0
    assert max(len(string_from_regex(r"^a*$", rng)) for _ in range(200)) == 3
    draws = [string_from_regex(r"^[A-Z]{2}-\d+$", random.Random(7)) for _ in range(2)]
    assert draws[0] == draws[1]


@pytest.mark.parametrize(("pattern", "low", "high"), [
    (r"^[0-9a-fA-F]+$", 40, 40),  # GitHub's commit_sha: a git SHA, exactly 40 hex digits
    (r"^[a-f]+\.json$", 40, 40),  # a fixed suffix after the repeat
    (r"^inv_[A-Za-z0-9]{8,}$", 40, 64),
    (r"^(ab)+$", 10, 10),
])
def test_a_length_window_is_reached_by_growing_the_repeat(pattern: str, low: int, high: int) -> None:
    for seed in range(5):
        text = string_from_regex(pattern, random.Random(seed), min_length=low, max_length=high)
        assert re.search(pattern, text) and low <= len(text) <= high, text
