"""Lint rules on inline specs: each rule fires on a bad operation and not on a good one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from toolcheck.agent._config import load_config
from toolcheck.agent._rules import RULES
from toolcheck.agent.lint import lint, resolve_rules
from toolcheck.agent.sarif import to_sarif
from toolcheck.errors import UsageError
from toolcheck.findings import Severity
from toolcheck.spec import Spec, load_spec, load_spec_dict
from toolcheck.spec._lines import yaml_block_index
from toolcheck.spec._parse import yaml_line_index

ERR = {"description": "bad", "content": {"application/json": {"schema": {"type": "object", "properties": {
    "code": {"type": "string"}, "message": {"type": "string"}}}}}}
PAGE = {"type": "object", "properties": {"data": {"type": "array", "items": {"type": "string"}}}}


def good_op(op_id: str, **extra: object) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": op_id, "summary": f"Do the {op_id} thing well",
          "description": "A description an agent can use to decide when to call this tool.",
          "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "400": ERR}}
    op.update(extra)
    return op


def make(paths: dict[str, Any], **top: object) -> Spec:
    doc: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths,
           "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}}, "security": [{"b": []}]}
    doc.update(top)
    return load_spec_dict(doc)


def rules_hit(spec: Spec, **kw: object) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in lint(spec, **kw).findings:  # type: ignore[arg-type]
        out.setdefault(f.rule, []).append(f.operation)
    return out


def test_a_well_described_spec_is_clean(example_spec_path: Path) -> None:
    assert lint(load_spec(str(example_spec_path))).findings == ()
    assert rules_hit(make({"/a": {"get": good_op("get_alpha")}})) == {}


@pytest.mark.parametrize(("rule", "op"), [
    ("operation-id-missing", {k: v for k, v in good_op("x").items() if k != "operationId"}),
    ("operation-id-vague", good_op("getUsingGET_1")),
    ("operation-id-vague", good_op("post1")),
    ("summary-missing", {**good_op("fetch_alpha"), "summary": ""}),
    ("description-missing", {**good_op("fetch_alpha"), "description": ""}),
    ("description-vague", {**good_op("fetch_alpha"), "summary": "Fetch alpha", "description": "TODO"}),
    ("parameter-description-missing", good_op("fetch_alpha", parameters=[{"name": "q", "in": "query", "schema": {"type": "string"}}])),
    ("enum-without-meaning", good_op("fetch_alpha", parameters=[{"name": "mode", "in": "query", "description": "The mode.",
                                                                  "schema": {"type": "integer", "enum": [1, 2, 3]}}])),
    ("error-schema-missing", {**good_op("fetch_alpha"), "responses": {"200": good_op("z")["responses"]["200"]}}),
    ("response-schema-missing", {**good_op("fetch_alpha"), "responses": {"200": {"description": "ok"}, "400": ERR}}),
    ("pagination-missing", {**good_op("list_alphas"), "responses": {"200": {"description": "ok", "content": {
        "application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}}, "400": ERR}}),
    ("description-oversized", {**good_op("fetch_alpha"), "description": "word " * 400}),
    ("argument-description-oversized", good_op("fetch_alpha", parameters=[
        {"name": "q", "in": "query", "description": "What to look for. " * 80, "schema": {"type": "string"}}])),
])
def test_rule_fires(rule: str, op: dict[str, Any]) -> None:
    assert rule in rules_hit(make({"/a": {"get": op}}))


def test_enum_explained_or_paginated_list_is_fine() -> None:
    explained = good_op("fetch_alpha", parameters=[{"name": "mode", "in": "query", "description": "1 = fast, 2 = slow, 3 = off",
                                                   "schema": {"type": "integer", "enum": [1, 2, 3]}}])
    paged = {**good_op("list_alphas", parameters=[{"name": "cursor", "in": "query", "description": "Next page."}]),
             "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": PAGE}}}, "400": ERR}}
    hits = rules_hit(make({"/a": {"get": explained}, "/b": {"get": paged}}))
    assert "enum-without-meaning" not in hits and "pagination-missing" not in hits
    unpaged = {**paged, "parameters": []}
    assert rules_hit(make({"/b": {"get": unpaged}}))["pagination-missing"] == ["GET /b"]


def test_write_without_security_collisions_and_duplicates() -> None:
    spec = make({
        "/a": {"post": good_op("make.alpha", security=[], description="Creates an alpha from scratch.")},
        "/b": {"post": good_op("make_alpha", description="Copies an existing beta into a new alpha record.")},
        "/c": {"get": good_op("read_gamma", description="Returns the gamma record with all of its fields and history.")},
        "/d": {"get": good_op("read_gamma_v2", description="Returns the gamma record with all of its fields and history.",
                               summary="Do the read_gamma thing well")},
    })
    hits = rules_hit(spec)
    assert hits["write-without-security"] == ["POST /a"]
    assert hits["name-collision"] == ["POST /b"]
    assert hits["name-invalid"] == ["POST /a"]
    assert hits["near-duplicate-tools"] == ["GET /d"]


def test_config_changes_severity_disables_and_rejects_unknown_rules() -> None:
    spec = make({"/a": {"get": {**good_op("fetch_alpha"), "summary": "", "description": ""}}})
    result = lint(spec, rules={"summary-missing": "error", "description-missing": "off"})
    assert [(f.rule, f.severity) for f in result.findings] == [("summary-missing", "error")]
    assert result.failed(Severity.ERROR) and not lint(spec, rules={"summary-missing": "info"}).failed(Severity.WARNING)
    with pytest.raises(UsageError, match="Did you mean summary-missing"):
        resolve_rules({"sumary-missing": "off"})
    with pytest.raises(UsageError, match="severity"):
        resolve_rules({"summary-missing": "loud"})
    with pytest.raises(UsageError, match="no option"):
        resolve_rules({"response-oversized": {"max_token": 3}})
    assert resolve_rules({"response-oversized": {"max_tokens": 3}})["response-oversized"].options["max_tokens"] == 3
    ignored = make({"/a": {"get": {**good_op("fetch_alpha"), "summary": "", "x-toolcheck-lint-ignore": ["summary-missing"]}}})
    assert "summary-missing" not in rules_hit(ignored)


def test_config_files(tmp_path: Path) -> None:
    (tmp_path / ".toolcheck.yaml").write_text("lint:\n  rules:\n    summary-missing: off\n")
    cfg, source = load_config(cwd=tmp_path)
    assert cfg["lint"]["rules"]["summary-missing"] is False and source.endswith(".toolcheck.yaml")
    other = tmp_path / "t"
    other.mkdir()
    (other / "toolcheck.toml").write_text('[lint.rules]\nsummary-missing = "error"\n')
    assert load_config(cwd=other)[0]["lint"]["rules"]["summary-missing"] == "error"
    (other / "bad.yaml").write_text("lint: [\n")
    with pytest.raises(UsageError, match="cannot parse config"):
        load_config(str(other / "bad.yaml"))


def test_sarif_is_well_formed() -> None:
    spec = make({"/a": {"get": {**good_op("fetch_alpha"), "summary": ""}}})
    log = to_sarif(lint(spec))
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == set(RULES)
    (result,) = run["results"]
    assert result["ruleId"] == "summary-missing" and result["level"] == "warning"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "summary-missing"
    json.dumps(log)


def test_findings_have_file_line_locations(example_spec_path: Path, tmp_path: Path) -> None:
    text = example_spec_path.read_text().replace("      summary: Get a customer by id\n", "")
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    (finding,) = [f for f in lint(load_spec(str(path))).findings if f.rule == "summary-missing"]
    line = int(finding.location.rsplit(":", 1)[1])
    assert text.splitlines()[line - 1].strip() == "get:"


def test_fast_yaml_index_agrees_with_the_exact_one(example_spec_path: Path) -> None:
    text = example_spec_path.read_text()
    exact, fast = yaml_line_index(text), yaml_block_index(text)
    paths = [k for k in exact if k.startswith("/paths")]
    found = [k for k in paths if k in fast]
    assert all(fast[k] == exact[k] for k in found)
    assert len(found) > 0.9 * len(paths)  # flow-style lists (`tags: [a]`) are not itemised
    assert all(k in fast for k in paths if k.count("/") <= 4)  # operations, their keys, responses


def test_lint_json_report_validates_as_data() -> None:
    spec = make({"/a": {"get": {**good_op("fetch_alpha"), "summary": ""}}})
    data = lint(spec).to_dict()
    jsonschema.validate(data, {"type": "object", "required": ["spec", "summary", "findings"]})
    assert data["summary"] == {"error": 0, "warning": 1, "info": 0}


def test_identical_specs_at_two_paths_locate_in_their_own_file(example_spec_path: Path, tmp_path: Path) -> None:
    # Big enough for the spec cache (which keys on content), so the second load is a cache hit.
    text = example_spec_path.read_text().replace("      summary: Get a customer by id\n", "")
    padding = "".join(f"# padding line {i} {'x' * 80}\n" for i in range(1700))
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "spec.yaml").write_text(text + padding)
    for name in ("a", "b"):
        spec = load_spec(str(tmp_path / name / "spec.yaml"))
        (finding,) = [f for f in lint(spec).findings if f.rule == "summary-missing"]
        assert f"{name}/spec.yaml:" in finding.location
        assert spec.files[0].endswith(f"{name}/spec.yaml")


def test_enums_that_explain_themselves_are_not_flagged() -> None:
    def with_enum(values: list) -> Spec:  # type: ignore[type-arg]
        return make({"/a": {"get": good_op("fetch_alpha", parameters=[
            {"name": "v", "in": "query", "description": "Which one.", "schema": {"enum": values}}])}})

    assert "enum-without-meaning" not in rules_hit(with_enum(["2011-01-01", "2024-06-20"]))
    assert "enum-without-meaning" not in rules_hit(with_enum(["+1", "laugh", "heart", "rocket"]))  # one code among words
    assert "enum-without-meaning" in rules_hit(with_enum(["A", "B", "C", "delta"]))
