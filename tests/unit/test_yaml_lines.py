"""Line numbers of double-quoted YAML keys: their escapes are YAML's (YAML 1.2.2 §5.7), not Python's."""

from __future__ import annotations

import warnings

import pytest
import yaml

from toolcheck.spec._lines import yaml_block_index
from toolcheck.spec._pointer import escape


@pytest.mark.parametrize("raw", [r"esc\e", r"slash\/x", r"nbsp\_x", r"nel\N", r"ls\L", r"ps\P", r"sp\ x", r"tab\tx",
                                 r"hex\x41", r"uni\u00e9", r"wide\U0001F600", r"quote\"x", r"back\\x", r"café\tx"])
def test_a_double_quoted_key_is_indexed_under_the_name_yaml_reads(raw: str) -> None:
    text = f'paths:\n  "{raw}":\n    get: {{}}\n'
    (name,) = yaml.safe_load(text)["paths"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Python's unicode_escape warned on \e and friends
        index = yaml_block_index(text)
    assert index[f"/paths/{escape(name)}"] == 2


def test_an_escape_yaml_does_not_know_keeps_its_text_and_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        index = yaml_block_index('a:\n  "q\\qx\\U7FFFFFFF":\n    b: 1\n')
    assert index["/a/q\\qx\\U7FFFFFFF"] == 2
