"""Loading a hostile spec costs bounded time and memory and never crashes (issue 12, Low).

Before: a 10 MB YAML flow list of 5M items took 46 s and 1.5 GB (the issue's 62 MB file: 133 s
and 6.7 GB); 199 bad escapes cost 199 re-parses (222 s on 4.4 MB); a 5,000-digit integer
ended the run with exit 3; duplicate keys silently dropped an operation; a path key not
starting with `/` was only a warning, and its operation was built and called.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security._helpers import toolcheck
from toolcheck.errors import SpecLoadError
from toolcheck.spec import _parse, load_spec

HEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"


def test_a_yaml_file_with_too_many_nodes_is_refused_before_it_is_built(tmp_path: Path) -> None:
    spec = tmp_path / "dense.yaml"
    spec.write_text(HEAD + "paths: {}\nx-data: [" + ",".join(["a"] * 300_000) + "]\n")
    result = toolcheck("check", str(spec), env={"TOOLCHECK_MAX_SPEC_NODES": "200000", "TOOLCHECK_NO_CACHE": "1"})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "nodes" in result.stderr and "TOOLCHECK_MAX_SPEC_NODES" in result.stderr
    assert "dense.yaml" in result.stderr


def test_the_node_budget_is_shared_by_every_file_of_a_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLCHECK_MAX_SPEC_NODES", "60000")
    for i in range(3):
        (tmp_path / f"part{i}.yaml").write_text("type: object\nx-data: [" + ",".join(["a"] * 15_000) + "]\n")
    refs = "".join(f"  /p{i}:\n    post:\n      requestBody:\n        content:\n          application/json:\n"
                   f"            schema: {{$ref: 'part{i}.yaml'}}\n      responses: {{'200': {{description: ok}}}}\n"
                   for i in range(3))
    (tmp_path / "openapi.yaml").write_text(HEAD + "paths:\n" + refs)
    spec = load_spec(str(tmp_path / "openapi.yaml"), use_cache=False)
    assert any("nodes" in p.message for p in spec.problems), [p.message for p in spec.problems]


def test_a_genuine_spec_is_far_below_the_node_budget() -> None:
    from tests.conftest import SPECS

    stripe = SPECS / "stripe-2023-09-12.yaml"
    if not stripe.exists():
        pytest.skip("the shared corpus is not here")
    assert _parse.parse_bytes(stripe.read_bytes(), "stripe").nodes * 5 < _parse.MAX_NODES


def test_bad_escapes_are_repaired_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [HEAD, "paths: {}\n", "x-notes:\n"]
    lines += [f'  - "item {i} \\d+ \\q"\n' for i in range(199)]
    lines += ["  - 'single \\d stays'\n", "  - plain \\d stays\n", "  - |\n    block \\d stays\n"]
    text = "".join(lines)
    loads = []
    real = _parse._load_yaml

    def counting(t: str) -> object:
        loads.append(1)
        return real(t)

    monkeypatch.setattr(_parse, "_load_yaml", counting)
    parsed = _parse.parse_text(text, "escapes.yaml")
    assert len(loads) == 2  # as written, then once repaired: not once per escape
    notes = parsed.data["x-notes"]
    assert notes[0] == "item 0 \\d+ \\q" and notes[198] == "item 198 \\d+ \\q"
    assert notes[199:] == ["single \\d stays", "plain \\d stays", "block \\d stays\n"]
    assert parsed.warnings == ["line 5: 398 invalid backslash escape(s) in double-quoted strings kept as literal backslashes"]


def test_valid_escapes_and_the_marker_character_survive_the_repair() -> None:
    text = HEAD + 'paths: {}\nx-a: "tab\\tquote\\" bad\\d"\nx-b: "\\ue000 literal"\nx-c: \\ue000 plain\n'
    parsed = _parse.parse_text(text, "x.yaml")
    assert parsed.data["x-a"] == 'tab\tquote" bad\\d'
    assert parsed.data["x-b"] == "\ue000 literal"
    assert parsed.data["x-c"] == "\\ue000 plain"


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_an_integer_of_5000_digits_is_an_error_at_its_line(tmp_path: Path, fmt: str) -> None:
    big = "9" * 5000
    spec = tmp_path / f"big.{fmt}"
    if fmt == "yaml":
        spec.write_text(HEAD + f"paths: {{}}\nx-big: {big}\n")
    else:
        spec.write_text(f'{{"openapi": "3.1.0", "info": {{"title": "t", "version": "1"}}, "paths": {{}},\n"x": {big}}}')
    result = toolcheck("check", str(spec), env={"TOOLCHECK_NO_CACHE": "1"})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert ("5,000 digits" in result.stderr and f"big.{fmt}:" in result.stderr) or "invalid JSON" in result.stderr


DUPLICATED_OPERATION = HEAD + """paths:
  /accounts/{id}:
    get:
      operationId: get_account
      responses: {'200': {description: ok}}
    delete:
      operationId: delete_account
      responses: {'204': {description: gone}}
    get:
      operationId: close_account
      responses: {'200': {description: ok}}
"""


def test_a_duplicated_operation_is_an_error_with_both_lines(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(DUPLICATED_OPERATION)
    problems = load_spec(str(spec), use_cache=False).problems
    dup = [p for p in problems if p.code == "duplicate-key"]
    assert len(dup) == 1 and dup[0].severity == "error"
    assert "'get'" in dup[0].message and "lines 5 and 11" in dup[0].message
    assert "openapi.yaml:5" in dup[0].location


def test_duplicate_paths_in_json_are_found(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text('{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {\n'
                    '"/a": {"get": {"responses": {"200": {"description": "ok"}}}},\n'
                    '"/b": {"get": {"responses": {"200": {"description": "ok"}}}},\n'
                    '"/a": {"delete": {"responses": {"204": {"description": "gone"}}}}}}\n')
    problems = load_spec(str(spec), use_cache=False).problems
    dup = [p for p in problems if p.code == "duplicate-key"]
    assert len(dup) == 1 and dup[0].severity == "error" and "lines 2 and 4" in dup[0].message


def test_a_duplicate_inside_example_data_is_a_warning(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(HEAD + "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n"
                    "          content:\n            application/json:\n              example: {id: 1, id: 2}\n")
    dup = [p for p in load_spec(str(spec), use_cache=False).problems if p.code == "duplicate-key"]
    assert len(dup) == 1 and dup[0].severity == "warning"


def test_the_json_duplicate_test_is_exact_on_escaped_quotes() -> None:
    raw = b'{"a": "say \\"x\\": y", "paths": {"/a": {}, "/a": {}}, "b": "\\u003a"}'
    import orjson

    found = _parse.json_duplicates(raw, orjson.loads(raw))
    assert [(d.parent, d.key) for d in found] == [("/paths", "/a")]


@pytest.mark.parametrize("key", ["http://127.0.0.1:9/steal", "2/x", "x", "{id}"])
def test_a_path_key_not_starting_with_a_slash_is_an_error_and_builds_no_operation(tmp_path: Path, key: str) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(HEAD + f"paths:\n  '{key}':\n    get:\n      operationId: steal\n"
                    "      responses: {'200': {description: ok}}\n  /ok:\n    get:\n      operationId: fine\n"
                    "      responses: {'200': {description: ok}}\n")
    loaded = load_spec(str(spec), use_cache=False)
    assert [op.operation_id for op in loaded.operations] == ["fine"]
    with pytest.raises(KeyError):
        loaded.operation("steal")
    bad = [p for p in loaded.problems if p.code == "path-format"]
    assert len(bad) == 1 and bad[0].severity == "error" and "openapi.yaml:4" in bad[0].location


def test_a_deeply_nested_document_is_an_error_not_a_crash(tmp_path: Path) -> None:
    spec = tmp_path / "deep.yaml"
    spec.write_text(HEAD + "paths: {}\nx: " + "[" * 50_000 + "]" * 50_000 + "\n")
    with pytest.raises(SpecLoadError, match="nest"):
        load_spec(str(spec), use_cache=False)
