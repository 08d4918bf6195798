"""Policy matrix on an inline spec with inline scenario files: what applies, what covers it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from toolcheck.agent.init import scaffold
from toolcheck.agent.policy import (
    COVERED,
    MISSING,
    NOT_APPLICABLE,
    evaluate,
    high_risk_reason,
    long_running_reason,
)
from toolcheck.errors import UsageError
from toolcheck.results import CaseResult, RunResult, SuiteResult
from toolcheck.scenarios import load_paths
from toolcheck.spec import load_spec

ERR = {"description": "bad", "content": {"application/json": {"schema": {"type": "object"}}}}
JOB = {"type": "object", "properties": {"id": {"type": "string"},
                                         "status": {"type": "string", "enum": ["queued", "running", "succeeded", "failed"]}}}
SPEC = {
    "openapi": "3.1.0", "info": {"title": "p", "version": "1"},
    "security": [{"key": []}],
    "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
    "paths": {
        "/payments": {"post": {"operationId": "create_payment", "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"type": "object", "required": ["amount"], "properties": {"amount": {"type": "integer"}}}}}},
            "responses": {"201": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"id": {"type": "string"}}}}}}, "401": ERR, "422": ERR}}},
        "/jobs": {"post": {"operationId": "start_job", "responses": {"202": {"description": "queued", "content": {
            "application/json": {"schema": JOB}}}, "401": ERR}}},
        "/jobs/{id}": {"get": {"operationId": "get_job", "parameters": [{"name": "id", "in": "path", "required": True,
                                                                           "schema": {"type": "string"}}],
                               "responses": {"200": {"description": "job", "content": {"application/json": {"schema": JOB}}},
                                             "404": ERR}},
                       "delete": {"operationId": "delete_job", "parameters": [{"name": "id", "in": "path", "required": True,
                                                                                 "schema": {"type": "string"}}],
                                  "responses": {"204": {"description": "gone"}, "401": ERR, "404": ERR}}},
        "/public": {"post": {"operationId": "public_post", "security": [], "responses": {"200": {"description": "ok"}}}},
    },
}


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(SPEC))
    return path


def scenario(dir_: Path, name: str, steps: list[dict[str, Any]]) -> None:
    doc = {"toolcheck": "1.0", "name": name, "spec": "../openapi.json", "auth": {"key": "k"}, "steps": steps}
    (dir_ / f"{name}.toolcheck.yaml").write_text(yaml.safe_dump(doc))


def test_applicability(spec_file: Path) -> None:
    spec = load_spec(str(spec_file))
    assert long_running_reason(spec, spec.operation("start_job")) == "answers 202 Accepted"
    assert "job states" in long_running_reason(spec, spec.operation("get_job"))
    assert long_running_reason(spec, spec.operation("create_payment")) == ""
    assert high_risk_reason(spec.operation("delete_job")) == "DELETE"
    assert high_risk_reason(spec.operation("create_payment")).startswith("payments")
    assert high_risk_reason(spec.operation("get_job")) == ""


def test_matrix_from_scenarios(spec_file: Path) -> None:
    sc = spec_file.parent / "scenarios"
    sc.mkdir()
    scenario(sc, "jobs", [
        {"id": "start", "operation": "start_job", "expect": {"status": 202}, "outputs": {"id": "$response.body#/id"}},
        {"id": "wait", "operation": "get_job", "params": {"id": "$steps.start.outputs.id"},
         "poll": {"until": "$response.body#/status == 'succeeded'", "max_time": "2s"}},
        {"id": "no_key", "operation": "start_job", "auth": "none", "expect": {"status": 401}},
        {"id": "bad_key_but_no_expectation", "operation": "delete_job", "params": {"id": "x"}, "auth": "invalid"},
    ])
    scenario(sc, "pay", [
        {"id": "pay", "operation": "POST /payments", "body": {"amount": 1}, "expect": {"status": 201}},
        {"id": "pay_bad", "operation": "create_payment", "body": {}, "expect": {"status": "4xx"}},
    ])
    spec = load_spec(str(spec_file))
    result = evaluate(spec, load_paths([str(sc)]))
    cells = {row.operation.operation_id: {k: c.status for k, c in row.cells.items()} for row in result.rows}
    assert cells["start_job"] == {"schema": COVERED, "auth-failure": COVERED, "long-running": COVERED, "high-risk": NOT_APPLICABLE,
                                  "least-privilege": NOT_APPLICABLE}
    assert cells["get_job"]["long-running"] == COVERED and cells["get_job"]["schema"] == COVERED
    assert cells["create_payment"] == {"schema": COVERED, "auth-failure": MISSING, "long-running": NOT_APPLICABLE,
                                       "high-risk": COVERED, "least-privilege": NOT_APPLICABLE}
    assert cells["delete_job"] == {"schema": MISSING, "auth-failure": MISSING, "long-running": NOT_APPLICABLE,
                                   "high-risk": MISSING, "least-privilege": NOT_APPLICABLE}
    assert cells["public_post"]["auth-failure"] == NOT_APPLICABLE  # no auth to fail (lint reports it)
    assert not result.ok
    assert ("create_payment", "auth-failure") in [(op.operation_id, r) for op, r in result.gaps]
    run = result.to_run_result()
    suite = next(s for s in run.suites if s.name == "delete_job")
    assert [c.status for c in suite.cases] == ["failed", "failed", "skipped", "failed", "skipped"]
    assert run.summary["policy"] == "failed"

    only_schema = evaluate(spec, load_paths([str(sc)]), config={"require": ["schema"], "ignore": ["DELETE /jobs/{id}", "public_post"]})
    assert only_schema.ok and only_schema.ignored == ("DELETE /jobs/{id}", "POST /public")
    fuzz = RunResult(tool="fuzz", title="f", summary={"phases": {"boundary": 9, "fuzz": 20}}, suites=(
        SuiteResult("delete_job (DELETE /jobs/{id})", (CaseResult("all checks", "passed"),),
                    properties={"operation": "DELETE /jobs/{id}", "requests": "29"}),
        SuiteResult("get_job (GET /jobs/{id})", (CaseResult("all checks", "skipped"),),
                    properties={"operation": "GET /jobs/{id}", "requests": "0"})))
    with_fuzz = evaluate(spec, load_paths([str(sc)]), fuzz=fuzz)
    row = next(r for r in with_fuzz.rows if r.operation.operation_id == "delete_job")
    assert row.cells["schema"].status == COVERED and row.cells["high-risk"].status == COVERED
    assert row.cells["auth-failure"].status == MISSING  # the run had no auth phase
    assert "29 requests" in str(row.cells["schema"].evidence[0])
    with pytest.raises(UsageError, match="unknown requirement"):
        evaluate(spec, [], config={"require": ["speed"]})
    with pytest.raises(UsageError, match="policy.ignore"):
        evaluate(spec, [], config={"ignore": ["nope"]})


def test_scaffold_covers_the_policy(spec_file: Path) -> None:
    spec = load_spec(str(spec_file))
    docs = scaffold(spec, spec_file.parent / "out")
    steps = [s for doc in docs.values() for s in doc["steps"]]
    by_id = {s["id"]: s for s in steps}
    assert by_id["create_payment_requires_auth"]["auth"] == "none"
    assert by_id["create_payment_rejects_bad_request"]["body"] == {}  # required `amount` missing
    assert by_id["delete_job_rejects_bad_request"]["expect"]["status"] == 404  # deleting twice
    assert "poll" in by_id["get_job_until_done"]
    assert by_id["get_job_until_done"]["params"]["id"] == "$steps.start_job.outputs.id"
    out = spec_file.parent / "out"
    out.mkdir()
    for name, doc in docs.items():
        (out / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    assert evaluate(spec, load_paths([str(out)])).ok


def test_scaffold_chains_ids_by_pattern_and_tests_undocumented_errors(tmp_path: Path) -> None:
    doc = {
        "openapi": "3.1.0", "info": {"title": "c", "version": "1"},
        "paths": {
            "/brands": {"post": {"operationId": "create_brand", "responses": {"201": {"description": "ok", "content": {
                "application/json": {"schema": {"type": "object", "required": ["sid", "account_id"], "properties": {
                    "account_id": {"type": "string"}, "sid": {"type": "string", "pattern": "^BN[0-9a-f]{8}$"},
                    "first_id": {"type": "string"}}}}}}}}},
            "/brands/{BrandSid}": {"delete": {"operationId": "delete_brand", "parameters": [
                {"name": "BrandSid", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^BN[0-9a-f]{8}$"}}],
                "responses": {"204": {"description": "gone"}}}},
        },
    }
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc))
    spec = load_spec(str(path))
    (scenario_doc,) = scaffold(spec, tmp_path / "out").values()
    steps = {s["id"]: s for s in scenario_doc["steps"]}
    assert steps["create_brand"]["outputs"] == {"BrandSid": "$response.body#/sid"}  # same pattern, not account_id
    negative = steps["delete_brand_rejects_bad_request"]
    assert negative["expect"]["status"] == "4xx" and negative["contract"] == "warning"  # no documented 4xx


def test_scenarios_of_another_spec_are_not_counted(spec_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "openapi.json").write_text(json.dumps(SPEC))
    sc = other / "scenarios"
    sc.mkdir()
    scenario(sc, "pay", [{"id": "pay", "operation": "create_payment", "body": {"amount": 1}, "expect": {"status": 201}}])
    result = evaluate(load_spec(str(spec_file)), load_paths([str(sc)]))
    assert result.scenarios == 0 and any("another spec" in n for n in result.notes)
    row = next(r for r in result.rows if r.operation.operation_id == "create_payment")
    assert row.cells["schema"].status == MISSING


def test_scaffold_form_bodies_carry_no_empty_containers(tmp_path: Path) -> None:
    # An empty array or object in a urlencoded body sends no pair at all: the server reads the
    # member as absent (Stripe: `prices: []` made a required member vanish, 400 from the mock).
    schema = {"type": "object", "required": ["name", "tags"], "properties": {
        "name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
        "extra": {"type": "object", "properties": {"x": {"type": "string"}}}}}
    doc = {"openapi": "3.1.0", "info": {"title": "f", "version": "1"}, "paths": {"/things": {"post": {
        "operationId": "make", "requestBody": {"content": {"application/x-www-form-urlencoded": {
            "schema": schema, "examples": {"empty": {"value": {"name": "a", "tags": []}},
                                           "loose": {"value": {"name": "b", "tags": ["t"], "extra": {}}}}}}},
        "responses": {"200": {"description": "ok"}}}}}}
    path = tmp_path / "f.json"
    path.write_text(json.dumps(doc))
    (scenario_doc,) = scaffold(load_spec(str(path)), tmp_path / "out").values()
    assert scenario_doc["steps"][0]["body"] == {"name": "b", "tags": ["t"]}  # first example read back as sent


def test_scaffold_does_not_chain_an_object_named_like_the_id(tmp_path: Path) -> None:
    # DigitalOcean: POST /floating_ips answers {"floating_ip": {"ip": ...}}; chaining the wrapper
    # put a whole object into the path of GET /floating_ips/{floating_ip} (404 from the mock).
    wrapped = {"type": "object", "properties": {"floating_ip": {"type": "object", "properties": {
        "ip": {"type": "string", "format": "ipv4"}}}}}
    doc = {"openapi": "3.1.0", "info": {"title": "w", "version": "1"}, "paths": {
        "/floating_ips": {"post": {"operationId": "create_ip", "responses": {"202": {"description": "ok", "content": {
            "application/json": {"schema": wrapped}}}}}},
        "/floating_ips/{floating_ip}": {"get": {"operationId": "get_ip", "parameters": [
            {"name": "floating_ip", "in": "path", "required": True, "schema": {"type": "string", "format": "ipv4"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": wrapped}}}}}}}}
    path = tmp_path / "w.json"
    path.write_text(json.dumps(doc))
    (scenario_doc,) = scaffold(load_spec(str(path)), tmp_path / "out").values()
    steps = {s["id"]: s for s in scenario_doc["steps"]}
    assert "outputs" not in steps["create_ip"]
    assert not str(steps["get_ip"]["params"]["floating_ip"]).startswith("$steps.")


def test_scaffold_does_not_chain_a_number_id_into_an_integer_parameter(tmp_path: Path) -> None:
    group = {"type": "object", "required": ["id"], "properties": {"id": {"type": "number"}}}
    doc = {"openapi": "3.1.0", "info": {"title": "n", "version": "1"}, "paths": {
        "/groups": {"post": {"operationId": "create_group", "responses": {"201": {"description": "ok", "content": {
            "application/json": {"schema": group}}}}}},
        "/groups/{group_id}": {"get": {"operationId": "get_group", "parameters": [
            {"name": "group_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": group}}}}}}}}
    path = tmp_path / "n.json"
    path.write_text(json.dumps(doc))
    (scenario_doc,) = scaffold(load_spec(str(path)), tmp_path / "out").values()
    assert isinstance({s["id"]: s for s in scenario_doc["steps"]}["get_group"]["params"]["group_id"], int)


def test_scaffold_negative_body_is_one_the_schema_rejects(tmp_path: Path) -> None:
    # GitHub's DELETE /user/emails takes an object, an array or a string: "not an object" is valid.
    schema = {"oneOf": [{"type": "object", "required": ["emails"], "properties": {
        "emails": {"type": "array", "items": {"type": "string"}}}}, {"type": "array"}, {"type": "string"}]}
    doc = {"openapi": "3.1.0", "info": {"title": "e", "version": "1"}, "paths": {"/emails": {"delete": {
        "operationId": "delete_emails", "requestBody": {"content": {"application/json": {
            "schema": schema, "example": {"emails": ["a@example.com"]}}}},
        "responses": {"204": {"description": "gone"}, "422": {"description": "bad"}}}}}}
    path = tmp_path / "e.json"
    path.write_text(json.dumps(doc))
    spec = load_spec(str(path))
    (scenario_doc,) = scaffold(spec, tmp_path / "out").values()
    negative = {s["id"]: s for s in scenario_doc["steps"]}["delete_emails_rejects_bad_request"]
    assert not spec.validator(schema).is_valid(negative["body"])


def test_scaffold_form_body_fills_deep_members_the_wire_cannot_leave_empty(tmp_path: Path) -> None:
    # Stripe's phases[].items[] objects sit deep enough for the generator to leave them {} (no
    # optional members), which a form sends as nothing: the required `items` vanished.
    leaf = {"type": "object", "properties": {"price": {"type": "string"}}}
    schema = {"type": "object", "required": ["phases"], "properties": {"phases": {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["items"], "properties": {"items": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["inner"], "properties": {"inner": {"type": "array", "minItems": 1,
                                                                        "items": leaf}}}}}}}}}
    doc = {"openapi": "3.1.0", "info": {"title": "d", "version": "1"}, "paths": {"/schedules": {"post": {
        "operationId": "schedule", "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": schema}}},
        "responses": {"200": {"description": "ok"}}}}}}
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc))
    spec = load_spec(str(path))
    (scenario_doc,) = scaffold(spec, tmp_path / "out").values()
    body = scenario_doc["steps"][0]["body"]
    assert spec.validator(schema).is_valid(body)
    assert "{}" not in json.dumps(body) and "[]" not in json.dumps(body)


def test_scaffold_does_not_chain_an_id_into_an_operation_that_types_it_otherwise(tmp_path: Path) -> None:
    # GitLab v3: a project's `id` is a string, and so is {id} on most of its paths, but one
    # operation declares {id} an integer: chaining the string there got 400 from the mock.
    project = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    ok = {"description": "ok", "content": {"application/json": {"schema": project}}}

    def pid(kind: str) -> list[dict[str, Any]]:
        return [{"name": "id", "in": "path", "required": True, "schema": {"type": kind}}]

    doc = {"openapi": "3.1.0", "info": {"title": "g", "version": "1"}, "paths": {
        "/projects": {"post": {"operationId": "create_project", "responses": {"201": ok}}},
        "/projects/{id}": {"get": {"operationId": "get_project", "parameters": pid("string"), "responses": {"200": ok}}},
        "/projects/{id}/emoji": {"post": {"operationId": "award", "parameters": pid("integer"),
                                          "responses": {"201": {"description": "ok"}}}}}}
    path = tmp_path / "g.json"
    path.write_text(json.dumps(doc))
    (scenario_doc,) = scaffold(load_spec(str(path)), tmp_path / "out").values()
    steps = {s["id"]: s for s in scenario_doc["steps"]}
    assert steps["get_project"]["params"]["id"] == "$steps.create_project.outputs.id"
    assert isinstance(steps["award"]["params"]["id"], int)


def _job_spec(tmp_path: Path, op: dict[str, Any], response: dict[str, Any]) -> Any:
    doc = {"openapi": "3.1.0", "info": {"title": "j", "version": "1"}, "paths": {"/messages": {"post": {
        "operationId": "send_message", **op,
        "responses": {"202": {"description": "queued", "content": {"application/json": {"schema": response}}}}}}}}
    path = tmp_path / "j.json"
    path.write_text(json.dumps(doc))
    return load_spec(str(path))


def test_a_job_status_inside_an_envelope_is_long_running(tmp_path: Path) -> None:
    spec = _job_spec(tmp_path, {}, {"type": "object", "properties": {"data": JOB}})
    (op,) = spec.operations
    doc = json.loads(json.dumps({"openapi": "3.1.0", "info": {"title": "j", "version": "1"}, "paths": {"/jobs": {"get": {
        "operationId": "get", "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "object", "properties": {"data": JOB}}}}}}}}}}))
    (tmp_path / "e.json").write_text(json.dumps(doc))
    (enveloped,) = load_spec(str(tmp_path / "e.json")).operations
    assert "data.status" in long_running_reason(load_spec(str(tmp_path / "e.json")), enveloped)
    assert long_running_reason(spec, op)  # a 202 already says so


def test_init_retries_only_what_can_be_repeated(tmp_path: Path) -> None:
    body = {"type": "object", "properties": {"id": {"type": "string"}}}
    notes: list[str] = []
    (plain,) = scaffold(_job_spec(tmp_path, {}, body), tmp_path / "a", notes=notes).values()
    step = {s["id"]: s for s in plain["steps"]}["send_message"]
    assert "retry" not in step and step["timeout"] == "10s"  # a retry could send the message twice
    assert any("no retry" in n and "send_message" in n for n in notes)
    keyed = _job_spec(tmp_path, {"parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}]},
                      body)
    (with_key,) = scaffold(keyed, tmp_path / "b").values()
    assert {s["id"]: s for s in with_key["steps"]}["send_message"]["retry"] == 2
