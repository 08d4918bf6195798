"""Arazzo 1.0/1.1 documents run natively: the official examples against the mock of their own
OpenAPI files, and the flow features (criteria, goto/end/retry, sub-workflows) on a local API."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import NEEDS_SHARED, SHARED
from toolcheck.errors import ScenarioError, SpecLoadError
from toolcheck.redact import Redactor
from toolcheck.results import CaseResult
from toolcheck.scenarios import (
    RunContext,
    Settings,
    Target,
    Targets,
    expand,
    load_file,
    load_paths,
    run_units,
)
from toolcheck.scenarios.runner import run_scenario
from toolcheck.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
ARAZZO = SHARED / "arazzo"
SPEC = ROOT / "examples" / "agent-tools" / "openapi.yaml"

pytestmark = pytest.mark.skipif(not ARAZZO.is_dir(), reason=NEEDS_SHARED)


def run_mock(path: Path, *, seed: int = 0, sources: dict[str, str] | None = None,
             inputs: dict[str, Any] | None = None) -> list[Any]:
    scenarios = load_paths([str(path)])
    targets = Targets(mock=True, seed=seed, sources=sources or {})
    for s in scenarios:
        targets.check(s)
    run = RunContext(settings=Settings(placeholder_credential="mock-credential"), redactor=Redactor(),
                     inputs=inputs or {}, synthesize_inputs=True)
    return [suite for suite, unreachable in run_units(expand(scenarios), targets, run) if not unreachable]


def _url(case: CaseResult) -> str:
    assert case.details.request is not None, case
    return case.details.request.url


def executed(suites: list[Any]) -> list[Any]:
    return [c for s in suites for c in s.cases if c.status in ("passed", "failed")]


@pytest.mark.parametrize("name", ["pet-coupons.arazzo.yaml", "FAPI-PAR.arazzo.yaml", "oauth.arazzo.yaml",
                                  "bnpl-arazzo.yaml"])
def test_official_examples_run_against_their_own_mock(name: str) -> None:
    sources = {"BnplApi": str(ARAZZO / "bnpl-openapi.yaml")}
    suites = run_mock(ARAZZO / name, sources=sources)
    assert suites, "every top-level workflow yields a suite"
    cases = executed(suites)
    assert cases and all(c.status != "error" for s in suites for c in s.cases)
    for case in cases:
        request, response = case.details.request, case.details.response
        if request is not None and not case.message.startswith("cannot call"):  # sent (sub-workflow calls are not)
            assert response is not None and response.status is not None and response.status >= 100
            assert request.url.startswith(("http://", "https://"))


def test_fapi_par_steps_bind_and_pass_until_the_documents_own_gap() -> None:
    [suite] = run_mock(ARAZZO / "FAPI-PAR.arazzo.yaml")
    status = {c.name: c.status for c in suite.cases}
    # `PAR` is spelled `Par` in its spec; client_assertion is a `content: application/json` query parameter.
    assert status["PARStep"] == "passed" and status["AuthzCodeStep"] == "passed"
    assert "client_assertion=%7B" in _url(suite.cases[0])


def test_pet_coupons_sub_workflow_outputs_flow_back() -> None:
    suites = run_mock(ARAZZO / "pet-coupons.arazzo.yaml", seed=1)
    assert all(s.ok for s in suites), [(c.name, c.message) for s in suites for c in s.cases]
    apply = next(s for s in suites if s.properties.get("workflow") == "apply-coupon")
    coupons = next(c for c in apply.cases if c.name == "find-coupons")
    # `pet_id` in the Arazzo document is `petId` in its spec: bound by the loose name match.
    assert re.search(r"/pet/\d+/coupons$", _url(coupons))
    buy = next(s for s in suites if s.properties.get("workflow") == "buy-available-pet")
    assert [c.name for c in buy.cases] == ["find-pet", "place-order › place-order", "place-order"]
    assert buy.ok
    assert json.loads(buy.properties["outputs"])["buy_pet_order_id"] is not None
    assert {s.properties.get("workflow") for s in suites} == {"apply-coupon", "buy-available-pet"}  # place-order is called


def test_remote_source_needs_an_override(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="--source petStoreDescription="):
        run_mock(ARAZZO / "LoginAndRetrievePets.arazzo.yaml")
    petstore = tmp_path / "petstore.yaml"
    petstore.write_text("""
openapi: 3.0.3
info: {title: Petstore, version: '1'}
paths:
  /user/login:
    get:
      operationId: loginUser
      parameters:
        - {name: username, in: query, schema: {type: string}}
        - {name: password, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          headers:
            X-Rate-Limit: {schema: {type: integer}}
          content: {application/json: {schema: {type: string}}}
  /pet/findByStatus:
    get:
      parameters:
        - {name: status, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {type: array, items: {type: object}}}}
""")
    [suite] = run_mock(ARAZZO / "LoginAndRetrievePets.arazzo.yaml", sources={"petStoreDescription": str(petstore)})
    assert [c.status for c in suite.cases] == ["passed", "passed"]
    assert "password=" in _url(suite.cases[0])
    assert "toolcheck-example-password" not in json.dumps(suite.to_dict())  # a secret-named input is masked


def test_unresolvable_source_is_a_load_error() -> None:
    [scenario] = load_paths([str(ARAZZO / "ExtendedParametersExample.arazzo.yaml")])
    with pytest.raises(SpecLoadError, match="animals.yaml"):
        Targets(mock=True).check(scenario)


FLOW = """
arazzo: 1.1.0
info: {title: flows, version: '1'}
sourceDescriptions:
  - {name: tools, url: SPEC, type: openapi}
workflows:
  - workflowId: main
    inputs: {type: object, properties: {kind: {type: string, default: export_invoices}}}
    steps:
      - stepId: create
        operationId: $sourceDescriptions.tools.create_task
        requestBody: {contentType: application/json, payload: '{"kind": "{$inputs.kind}"}'}
        successCriteria:
          - condition: $statusCode == 202
          - {context: $response.header.Location, condition: '^/tasks/task_', type: regex}
          - {context: $response.body, condition: '$[?@ == "QUEUED"]', type: jsonpath}
        outputs: {id: $response.body#/task_id}
      - stepId: poll
        operationId: get_task
        parameters:
          - reference: $components.parameters.taskId
        successCriteria:
          - condition: $response.body#/status == 'completed'
        onFailure:
          - {name: again, type: retry, retryAfter: 0, retryLimit: 5, criteria: [{condition: $statusCode == 200}]}
        onSuccess:
          - {name: done, type: goto, stepId: summary}
      - stepId: never
        operationId: cancel_task
        parameters: [{name: task_id, in: path, value: x}]
      - stepId: summary
        workflowId: describe
        parameters: [{name: id, value: $steps.create.outputs.id}]
        outputs: {final: $outputs.status}
        onSuccess: [{name: stop, type: end}]
    outputs: {status: $steps.summary.outputs.final}
  - workflowId: describe
    inputs: {type: object, properties: {id: {type: string}}}
    steps:
      - stepId: read
        operationId: get_task
        parameters: [{name: task_id, in: path, value: $inputs.id}]
        outputs: {status: $response.body#/status}
    outputs: {status: $steps.read.outputs.status}
components:
  parameters:
    taskId: {name: task_id, in: path, value: $steps.create.outputs.id}
"""


def test_arazzo_flow_control_on_a_scripted_api(tmp_path: Path) -> None:
    doc = tmp_path / "flow.arazzo.yaml"
    doc.write_text(FLOW.replace("SPEC", str(SPEC)))
    polls = {"n": 0}

    def api(request: httpx.Request) -> httpx.Response:
        base = {"task_id": "task_abcdefgh", "kind": "export_invoices", "created_at": "2026-01-01T00:00:00Z"}
        if request.method == "POST":
            assert json.loads(request.content) == {"kind": "export_invoices"}
            return httpx.Response(202, json={**base, "status": "queued"}, headers={"Location": "/tasks/task_abcdefgh"})
        if request.method == "DELETE":
            raise AssertionError("the goto must skip this step")
        polls["n"] += 1
        return httpx.Response(200, json={**base, "status": "completed" if polls["n"] >= 3 else "running"})

    scenarios = load_file(doc)
    main = next(s for s in scenarios if s.workflow_id == "main")
    assert next(s for s in scenarios if s.workflow_id == "describe").callable_only
    client = httpx.Client(transport=httpx.MockTransport(api))
    suite, _ = run_scenario(main, {"tools": Target(load_spec(str(SPEC)), client, "http://api.test")},
                            RunContext(redactor=Redactor()))
    names = [(c.name, c.status) for c in suite.cases]
    # Arazzo simple conditions and jsonpath over the body: string comparison is case-insensitive
    # only in simple conditions, so '"QUEUED"' must not match the jsonpath filter.
    assert names[0] == ("create", "failed")
    assert not suite.ok
    doc.write_text(FLOW.replace("SPEC", str(SPEC)).replace('"QUEUED"', '"queued"'))
    polls["n"] = 0
    main = next(s for s in load_file(doc) if s.workflow_id == "main")
    suite, _ = run_scenario(main, {"tools": Target(load_spec(str(SPEC)), client, "http://api.test")},
                            RunContext(redactor=Redactor()))
    names = [(c.name, c.status) for c in suite.cases]
    assert names == [("create", "passed"), ("poll", "passed"), ("describe › read", "passed"), ("summary", "passed")], names
    assert suite.cases[1].properties["attempts"] == "3"
    assert suite.ok and json.loads(suite.properties["outputs"]) == {"status": "completed"}


def test_invalid_arazzo_documents_report_file_and_line(tmp_path: Path) -> None:
    doc = tmp_path / "bad.arazzo.yaml"
    doc.write_text(FLOW.replace("SPEC", str(SPEC)).replace("type: retry, retryAfter", "type: jump, retryAfter"))
    with pytest.raises(ScenarioError) as info:
        load_file(doc)
    assert info.value.location and info.value.location.startswith(f"{doc}:")
    doc.write_text(FLOW.replace("SPEC", str(SPEC)).replace("$statusCode == 202", "$statusCode === 202"))
    with pytest.raises(ScenarioError, match="condition"):
        load_file(doc)


DEPENDS = """
arazzo: 1.0.1
info: {title: depends, version: '1'}
sourceDescriptions: [{name: tools, url: SPEC, type: openapi}]
workflows:
  - workflowId: setup
    steps:
      - stepId: start
        operationId: create_task
        x-security: [{schemeName: bearerAuth, values: {token: setup-token-1234}}]
        requestBody:
          payload: {kind: placeholder, parameters: {format: csv}}
          replacements:
            - {target: /kind, value: generate_report}
            - {target: /parameters/format, value: $inputs.format}
        outputs:
          id: {context: $response.body, selector: $.task_id, type: jsonpath}   # an Arazzo 1.1 Selector
    outputs: {id: $steps.start.outputs.id}
  - workflowId: use
    dependsOn: [setup]
    x-security: [{schemeName: bearerAuth, values: {token: use-token-5678}}]
    steps:
      - stepId: read
        operationId: get_task
        parameters:
          - name: task_id
            in: path
            value: {context: $workflows.setup.outputs, selector: /id, type: jsonpointer}
        successCriteria: [{condition: $statusCode == 200}]
"""


def test_depends_on_replacements_and_x_security(tmp_path: Path) -> None:
    doc = tmp_path / "depends.arazzo.yaml"
    doc.write_text(DEPENDS.replace("SPEC", str(SPEC)))
    seen: list[tuple[str, str | None, bytes]] = []

    def api(request: httpx.Request) -> httpx.Response:
        seen.append((f"{request.method} {request.url.path}", request.headers.get("authorization"), request.content))
        body = {"task_id": "task_deadbeef", "kind": "generate_report", "status": "queued", "created_at": "2026-01-01T00:00:00Z"}
        return httpx.Response(202 if request.method == "POST" else 200, json=body)

    use = next(s for s in load_file(doc) if s.workflow_id == "use")
    client = httpx.Client(transport=httpx.MockTransport(api))
    redactor = Redactor()
    suite, _ = run_scenario(use, {"tools": Target(load_spec(str(SPEC)), client, "http://api.test")},
                            RunContext(redactor=redactor, inputs={"format": "json"}))
    assert [c.name for c in suite.cases] == ["setup › start", "read"] and suite.ok
    assert seen[0][:2] == ("POST /tasks", "Bearer setup-token-1234")
    assert json.loads(seen[0][2]) == {"kind": "generate_report", "parameters": {"format": "json"}}
    assert seen[1][:2] == ("GET /tasks/task_deadbeef", "Bearer use-token-5678")
    assert "use-token-5678" not in json.dumps(suite.to_dict()) and redactor.leaks("x use-token-5678")


HANDLED = """
arazzo: 1.0.1
info: {title: handled, version: '1'}
sourceDescriptions: [{name: tools, url: SPEC, type: openapi}]
workflows:
  - workflowId: lookup
    steps:
      - stepId: find
        operationId: get_task
        parameters: [{name: task_id, in: path, value: task_missing01}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - {name: create-instead, type: goto, stepId: create, criteria: [{condition: $statusCode == 404}]}
      - stepId: never
        operationId: list_tasks
      - stepId: create
        operationId: create_task
        requestBody: {payload: {kind: export_invoices}}
        successCriteria: [{condition: $statusCode == 202}]
"""


def test_a_failure_the_document_handles_is_flow_control(tmp_path: Path) -> None:
    doc = tmp_path / "handled.arazzo.yaml"
    doc.write_text(HANDLED.replace("SPEC", str(SPEC)))
    body = {"task_id": "task_deadbeef", "kind": "export_invoices", "status": "queued", "created_at": "2026-01-01T00:00:00Z"}
    error = {"error": {"code": "not_found", "message": "no"}}

    def api(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.startswith("/tasks/"):
            return httpx.Response(404, json=error)
        if request.method == "POST":
            return httpx.Response(202, json=body)
        raise AssertionError("goto must skip list_tasks")

    [scenario] = load_file(doc)
    client = httpx.Client(transport=httpx.MockTransport(api))
    suite, _ = run_scenario(scenario, {"tools": Target(load_spec(str(SPEC)), client, "http://api.test")},
                            RunContext(redactor=Redactor()))
    assert [(c.name, c.status) for c in suite.cases] == [("find", "passed"), ("create", "passed")]
    assert "handled by onFailure 'create-instead'" in suite.cases[0].message

    def broken(request: httpx.Request) -> httpx.Response:  # a 404 without the documented Error payload
        return httpx.Response(404, json={"oops": True}) if request.method == "GET" else httpx.Response(202, json=body)

    client = httpx.Client(transport=httpx.MockTransport(broken))
    suite, _ = run_scenario(scenario, {"tools": Target(load_spec(str(SPEC)), client, "http://api.test")},
                            RunContext(redactor=Redactor()))
    assert suite.cases[0].status == "failed"  # a contract violation is never flow control
