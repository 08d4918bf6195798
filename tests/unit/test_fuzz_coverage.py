"""Fuzz coverage is honest: breadth-first rounds, a budget that buys breadth, "M of N tested".

Synthetic specs against ``httpx.MockTransport`` handlers (no network); the CLI half uses the
built-in mock.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from toolcheck.cli import app
from toolcheck.fuzz import Fuzzer, FuzzOptions
from toolcheck.fuzz.identity import deletes_identity
from toolcheck.fuzz.results import to_run_result
from toolcheck.report import render_html, render_junit
from toolcheck.spec import load_spec_dict


def _many(n: int) -> dict[str, Any]:
    """``n`` collections, each with a create (JSON body) and a read by id."""
    paths: dict[str, Any] = {}
    for i in range(n):
        paths[f"/things{i}"] = {"post": {
            "operationId": f"create{i}",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["name"], "additionalProperties": False,
                "properties": {"name": {"type": "string", "maxLength": 20}, "n": {"type": "integer", "minimum": 0}}}}}},
            "responses": {"201": {"description": "ok"}, "422": {"description": "bad"}}}}
    return {"openapi": "3.1.0", "info": {"title": "many", "version": "1"}, "paths": paths}


def _handler(calls: list[httpx.Request], delay: float = 0.0) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if delay:
            time.sleep(delay)
        try:
            body = json.loads(request.content or b"null")
        except ValueError:
            return httpx.Response(422)
        ok = isinstance(body, dict) and isinstance(body.get("name"), str) and set(body) <= {"name", "n"}
        return httpx.Response(201 if ok else 422)
    return handler


def test_rounds_run_breadth_first_across_operations() -> None:
    spec = load_spec_dict(_many(4))
    events: list[tuple[str, str]] = []
    client = httpx.Client(transport=httpx.MockTransport(_handler([])), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, max_examples=6, phases=(
        "examples", "boundary", "fuzz")), on_event=lambda kind, data: events.append((data.get("phase", ""), data.get("operation", ""))) if kind == "operation" else None)
    fuzzer.run(list(spec.operations))
    order = {"examples": 0, "boundary": 1, "fuzz": 2}
    phases = [order[p] for p, _ in events]
    assert phases == sorted(phases), events  # no operation starts a phase before every one finished the last
    assert {op for p, op in events if p == "boundary"} == {f"create{i}" for i in range(4)}


def test_a_budget_buys_breadth_and_the_result_says_how_much_was_tested() -> None:
    spec = load_spec_dict(_many(30))
    calls: list[httpx.Request] = []
    client = httpx.Client(transport=httpx.MockTransport(_handler(calls, delay=0.02)), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, max_time=0.3))
    operations = list(spec.operations)
    findings = fuzzer.run(operations)
    result = to_run_result(spec, fuzzer, findings, operations, findings_file="f.json", target="--base-url http://t")
    cover = result.summary["coverage"]
    per_path: dict[str, int] = {}
    for request in calls:
        per_path[request.url.path] = per_path.get(request.url.path, 0) + 1
    # 30 operations × (minimal, maximal, negatives ...) at 20 ms each cannot fit in 0.3 s
    assert cover["operations_total"] == 30 and not cover["complete"]
    assert cover["operations_tested"] == len(per_path) < 30
    assert max(per_path.values()) <= 2  # each tested operation got its bounds, none went deep
    assert set(cover["phases"]) == {"boundary"} and cover["phases"]["boundary"]["operations"] == len(per_path)
    assert result.incomplete == f"{len(per_path)} of 30 operations tested (time budget reached)"
    assert not result.ok and not result.interrupted
    assert ">INCOMPLETE<" in render_html(result) and "incomplete" in render_html(result)
    junit = render_junit(result)
    assert 'name="coverage incomplete"' in junit and f"{len(per_path)} of 30 operations tested" in junit
    untested = [s for s in result.suites if s.cases[0].status == "skipped"]
    assert len(untested) == 30 - len(per_path)
    assert untested[0].cases[0].message == "not tested: the time budget ran out first"


def test_ctrl_c_is_reported_as_interrupted_not_as_a_budget() -> None:
    spec = load_spec_dict(_many(5))
    calls: list[httpx.Request] = []
    inner = _handler(calls)

    def handler(request: httpx.Request) -> httpx.Response:
        if len(calls) == 6:
            raise KeyboardInterrupt
        return inner(request)  # type: ignore[no-any-return]

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1))
    operations = list(spec.operations)
    findings = fuzzer.run(operations)
    result = to_run_result(spec, fuzzer, findings, operations, findings_file="f.json", target="--mock")
    assert fuzzer.cancelled and result.interrupted
    assert result.summary["time_budget_hit"] is False
    assert result.incomplete.endswith("operations tested (interrupted)")


def _identity_spec() -> dict[str, Any]:
    ok = {"204": {"description": "gone"}, "200": {"description": "ok"}}
    item = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {"openapi": "3.1.0", "info": {"title": "ids", "version": "1"}, "paths": {
        "/users/me": {"delete": {"operationId": "delete_me", "responses": ok}},
        "/accounts": {"delete": {"operationId": "delete_accounts", "responses": ok},
                      "get": {"operationId": "list_accounts", "responses": ok}},
        "/api-keys/{id}": {"delete": {"operationId": "revoke_key", "parameters": [item], "responses": ok}},
        "/sessions/{id}": {"delete": {"operationId": "kill_kernel_session", "parameters": [item], "responses": ok}},
        "/items/{id}": {"delete": {"operationId": "delete_item", "parameters": [item], "responses": ok},
                        "get": {"operationId": "get_item", "parameters": [item], "responses": ok}},
    }}


def test_deletes_of_the_callers_identity_are_held_back_and_other_deletes_run_last() -> None:
    spec = load_spec_dict(_identity_spec())
    held = {op.operation_id for op in spec.operations if deletes_identity(op)}
    assert held == {"delete_me", "delete_accounts", "revoke_key"}
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(204 if request.method == "DELETE" else 200)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, phases=("boundary",)))
    operations = list(spec.operations)
    findings = fuzzer.run(operations)
    sent = [(r.method, r.url.path) for r in calls]
    assert not any(path in ("/users/me", "/accounts") and method == "DELETE" for method, path in sent)
    assert not any(path.startswith("/api-keys/") for _, path in sent)
    first_delete = next(i for i, (method, _) in enumerate(sent) if method == "DELETE")
    # within the first round (bounds: 2 valid requests per operation), every GET came before any DELETE
    assert all(method == "GET" for method, _ in sent[:first_delete]) and first_delete >= 3
    result = to_run_result(spec, fuzzer, findings, operations, findings_file="f.json", target="--mock")
    assert sorted(result.summary["coverage"]["held_back"]) == sorted(held)
    assert "3 delete(s) of the caller's own identity held back" in result.incomplete

    calls.clear()
    asked = Fuzzer(spec, client, base_url="http://t",
                   options=FuzzOptions(seed=1, phases=("boundary",), identity_deletes=True))
    asked.run(operations)
    assert ("DELETE", "/users/me") in [(r.method, r.url.path) for r in calls]


@pytest.mark.parametrize("require", [False, True])
def test_cli_says_m_of_n_tested_and_require_complete_fails_an_incomplete_run(tmp_path: Path, require: bool) -> None:
    spec = tmp_path / "many.json"
    spec.write_text(json.dumps(_many(300)))
    reports = tmp_path / "reports"
    args = ["fuzz", str(spec), "--mock", "--seed", "1", "--max-time", "0.2", "--reports", str(reports)]
    result = CliRunner().invoke(app, [*args, "--require-complete"] if require else args)
    assert result.exit_code == (1 if require else 0), result.output
    assert "of 300 operations tested" in result.output and "incomplete" in result.output
    assert "no findings in 300" not in result.output
    report = json.loads((reports / "report.json").read_text())
    cover = report["summary"]["coverage"]
    assert cover["operations_total"] == 300 and cover["complete"] is False
    assert report["incomplete"].startswith(f"{cover['operations_tested']} of 300 operations tested")
    assert "INCOMPLETE" in (reports / "report.html").read_text()


def test_under_a_budget_every_operation_gets_its_share_of_the_bounds_round(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each request costs one second of a fake clock (no timing): 20 operations, each with many
    edges, and a budget that fits the first round and about three bounds cases per operation."""
    import types

    from toolcheck.fuzz import cases, plan, runner

    clock = [0.0]
    for module in (runner, plan, cases):
        monkeypatch.setattr(module, "time", types.SimpleNamespace(perf_counter=lambda: clock[0]))
    calls: list[httpx.Request] = []
    inner = _handler(calls)

    def handler(request: httpx.Request) -> httpx.Response:
        clock[0] += 1.0
        return inner(request)  # type: ignore[no-any-return]

    spec = load_spec_dict(_many(20))
    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, max_time=80, shrink=False))
    fuzzer.run(list(spec.operations))
    per_path: dict[str, int] = {}
    for request in calls:
        per_path[request.url.path] = per_path.get(request.url.path, 0) + 1
    assert len(per_path) == 20
    # the minimal request of the first round, then the bounds round's maximal at least, for every one
    assert min(per_path.values()) >= 2, per_path
    assert max(per_path.values()) <= 6, per_path  # none took the others' share


def test_under_a_budget_every_round_gets_a_share_and_a_required_field_is_mutated_early() -> None:
    """Issue 13: a 60 s run on Prefect sent no negative at all (its bounds round, allowed the whole
    rest of the budget, spent it), so it missed the 500 a null ``name`` provokes in POST /work_pools/.
    In requests (no timing): 12 creates, each with one required and four optional members, and
    the last one crashes on a null ``name``; the budget is ~25 requests per operation."""
    members = ("name", "a", "b", "c", "d")
    item: dict[str, Any] = {"type": "object", "required": ["name"], "additionalProperties": False,
            "properties": {"name": {"type": "string", "maxLength": 20},
                           **{k: {"type": "string", "maxLength": 20} for k in ("a", "b", "c", "d")}}}
    spec = load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        f"/things{i}": {"post": {"operationId": f"create{i}", "requestBody": {"required": True, "content": {
            "application/json": {"schema": item}}}, "responses": {"201": {"description": "ok"}, "422": {"description": "bad"}}}}
        for i in range(12)}})
    negatives: dict[str, int] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.content or b"null")
        except ValueError:
            body = None
        if request.method != "POST":
            return httpx.Response(405, headers={"Allow": "POST"})
        valid = isinstance(body, dict) and isinstance(body.get("name"), str) and set(body) <= set(members) \
            and all(isinstance(v, str) for v in body.values())
        if not valid:
            negatives[request.url.path] = negatives.get(request.url.path, 0) + 1
        if request.url.path == "/things11" and isinstance(body, dict) and "name" in body and body["name"] is None:
            return httpx.Response(500, json={"error": "AttributeError: 'NoneType' object has no attribute 'strip'"})
        return httpx.Response(201 if valid else 422)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, max_requests=300, shrink=False))
    findings = fuzzer.run(list(spec.operations))
    assert fuzzer.stats.budget_hit and fuzzer.stats.cases <= 300 + 10
    # the negatives round reached every operation, the last one as far as its required member's null
    assert set(negatives) == {f"/things{i}" for i in range(12)}, negatives
    assert [(f.operation_id, f.failure.check) for f in findings if f.failure.check == "server_error"] == [
        ("create11", "server_error")]
