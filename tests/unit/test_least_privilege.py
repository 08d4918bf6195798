"""Least privilege (issue 14): policy requires, init scaffolds and lint judges scoped writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.conftest import EXAMPLE_SPEC
from toolcheck.agent.init import scaffold
from toolcheck.agent.lint import lint
from toolcheck.agent.policy import COVERED, MISSING, evaluate
from toolcheck.agent.tools import build_tools
from toolcheck.scenarios import load_paths
from toolcheck.spec import load_spec, load_spec_dict

BODY = {"customer_id": "cus_0001", "currency": "EUR", "line_items": [{"description": "x", "quantity": 1, "unit_amount": 1}]}


def _scenario(tmp: Path, steps: list[dict[str, Any]]) -> Path:
    path = tmp / "lp.toolcheck.yaml"
    path.write_text(yaml.safe_dump({"toolcheck": "1.0", "name": "lp", "spec": str(EXAMPLE_SPEC), "steps": steps}))
    return path


def test_policy_on_the_example_fails_without_the_step_and_passes_with_it(tmp_path: Path) -> None:
    spec = load_spec(str(EXAMPLE_SPEC))
    config = {"require": ["least-privilege"], "ignore": ["create_task", "cancel_task", "open_ticket"]}
    plain = _scenario(tmp_path, [{"id": "create", "operation": "create_invoice", "body": BODY, "expect": {"status": 201}}])
    result = evaluate(spec, load_paths([str(plain)]), config=config)
    assert not result.ok and [(op.operation_id, req) for op, req in result.gaps] == [("create_invoice", "least-privilege")]
    narrow = _scenario(tmp_path, [{"id": "reader_refused", "operation": "create_invoice", "body": BODY,
                                   "auth": {"scopes": ["invoices:read"]}, "expect": {"status": 403}}])
    assert evaluate(spec, load_paths([str(narrow)]), config=config).ok
    # a "narrow" token that holds the write scope proves nothing
    wide = _scenario(tmp_path, [{"id": "writer", "operation": "create_invoice", "body": BODY,
                                 "auth": {"scopes": ["invoices:write"]}, "expect": {"status": 403}}])
    row = next(r for r in evaluate(spec, load_paths([str(wide)]), config=config).rows
               if r.operation.operation_id == "create_invoice")
    assert row.cells["least-privilege"].status == MISSING


def test_init_scaffolds_a_refused_narrow_token_that_passes_on_the_mock(tmp_path: Path) -> None:

    docs = scaffold(load_spec(str(EXAMPLE_SPEC)), tmp_path, spec_path=str(EXAMPLE_SPEC))
    steps = [s for d in docs.values() for s in d["steps"] if s["id"].endswith("_refuses_narrow_token")]
    ids = {s["operation"] for s in steps}
    assert {"create_invoice", "create_task", "cancel_task", "open_ticket"} <= ids
    invoice = next(s for s in steps if s["operation"] == "create_invoice")
    assert invoice["auth"]["scopes"] == ["invoices:read"] and invoice["expect"]["status"] == 403
    spec = load_spec(str(EXAMPLE_SPEC))
    written = []
    for name, doc in docs.items():
        path = tmp_path / name
        path.write_text(yaml.safe_dump(doc))
        written.append(str(path))
    result = evaluate(spec, load_paths(written))
    assert all(row.cells["least-privilege"].status in (COVERED, "n/a") for row in result.rows)


def test_lint_flags_writes_whose_scopes_reads_already_need() -> None:
    def spec(write_scope: str) -> Any:
        return load_spec_dict({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "components": {"securitySchemes": {"o": {"type": "oauth2", "flows": {"clientCredentials": {
                "tokenUrl": "/token", "scopes": {"inv": "", "inv:read": "", "inv:write": ""}}}}}},
            "paths": {"/invoices": {
                "get": {"operationId": "list_invoices", "security": [{"o": ["inv"]}], "responses": {"200": {"description": "ok"}}},
                "post": {"operationId": "create_invoice", "security": [{"o": [write_scope]}],
                         "responses": {"201": {"description": "ok"}}}}}})

    def hits(write_scope: str) -> list[str]:
        return [f.operation for f in lint(spec(write_scope)).findings if f.rule == "write-scope-same-as-read"]

    assert hits("inv") == ["POST /invoices"]
    assert hits("inv:write") == []


def test_tools_name_the_scopes_they_need() -> None:
    tools = {t.name: t for t in build_tools(load_spec(str(EXAMPLE_SPEC)))}
    assert tools["create_invoice"].description.endswith("Requires scope: invoices:write.")
    assert "Requires scope: invoices:read." in tools["get_invoice"].render("mcp")["description"]
