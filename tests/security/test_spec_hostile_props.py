"""Hostile-input properties of the spec loader (issue 12): whatever a pull request writes, loading
it ends in a Spec or a SpecLoadError, never another exception, and never shows a byte of a file
outside the spec's folder. Bounded by example counts, not by time.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolcheck.errors import SpecLoadError
from toolcheck.spec import load_spec

SECRET = "outside-secret-8c1f"

WEIRD_REFS = [
    "/etc/passwd", "../secret.yaml", "../../secret.yaml", "file:///etc/passwd", "file://other-host/x",
    "file:../secret.yaml", "http://127.0.0.1:9/x.yaml", "#/nope", "#/components/schemas/A", "#", "",
    "other.yaml", "other.yaml#/a", "other.yaml#/a/b/~1c", "link.yaml", ".env", "~/.ssh/id_rsa",
    "%2e%2e/secret.yaml", "git:HEAD:x", "C:\\windows\\x", "other.yaml#" + "/a" * 200, "x" * 300,
    "\u0000", "\ud7ff.yaml", "fifo.yaml", "dir", "dir/", "./other.yaml", "other.yaml#/a/$ref",
]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(allow_nan=False),
                    st.text(max_size=20))
refs = st.sampled_from(WEIRD_REFS).map(lambda r: {"$ref": r})
values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(scalars, refs),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(["$ref", "type", "properties", "items", "allOf", "example",
                                                   "get", "post", "parameters", "responses", "schema", "200"]),
                                  st.text(max_size=8)), children, max_size=4),
    ),
    max_leaves=25,
)
path_keys = st.one_of(st.sampled_from(["/a", "/a/{id}", "a", "http://127.0.0.1:9/x", "", "/{", "//x", "/a?b"]),
                      st.text(max_size=10))
documents = st.fixed_dictionaries(
    {"openapi": st.sampled_from(["3.0.3", "3.1.0", "2.0", "9", 3.1]),
     "info": st.one_of(st.just({"title": "t", "version": "1"}), values),
     "paths": st.dictionaries(path_keys, st.dictionaries(st.sampled_from(["get", "post", "parameters", "$ref"]),
                                                         values, max_size=3), max_size=4)},
    optional={"components": st.fixed_dictionaries({"schemas": st.dictionaries(st.sampled_from(["A", "B"]), values)}),
              "swagger": st.just("2.0"), "definitions": values},
)


def _render(doc: Any, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(doc).encode()
    return yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass")


def _load_in_sandbox(root: bytes, other: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "secret.yaml").write_text(f"type: object\ndescription: {SECRET}\n")
        api = base / "api"
        api.mkdir()
        (api / "other.yaml").write_bytes(other)
        (api / "link.yaml").symlink_to(base / "secret.yaml")
        (api / ".env").write_text(f"description: {SECRET}\n")
        (api / "dir").mkdir()
        import os

        os.mkfifo(api / "fifo.yaml")
        (api / "openapi.yaml").write_bytes(root)
        try:
            spec = load_spec(str(api / "openapi.yaml"), use_cache=False)
        except SpecLoadError:
            return
        seen = repr(spec.document) + repr([(p.message, p.location) for p in spec.problems])
        seen += repr([op.to_dict() if hasattr(op, "to_dict") else op for op in spec.operations])
        assert SECRET not in seen


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents, values, st.sampled_from(["json", "yaml"]))
def test_structured_hostile_specs_load_or_fail_cleanly(doc: Any, other: Any, fmt: str) -> None:
    try:
        root = _render(doc, fmt)
        other_bytes = _render(other, "yaml")
    except (ValueError, UnicodeEncodeError, yaml.YAMLError):
        return  # not representable in that format: nothing to load
    _load_in_sandbox(root, other_bytes)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
       st.sampled_from(["openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n", ""]))
def test_arbitrary_bytes_load_or_fail_cleanly(noise: bytes, prefix: str) -> None:
    _load_in_sandbox(prefix.encode() + noise, noise)
