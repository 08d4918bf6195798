"""Credentials rejected, or lost mid-run, are never a pass (issue 11 item 5, issue 13 item 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from toolcheck.cli import app
from toolcheck.fuzz import Auth, Fuzzer, FuzzOptions
from toolcheck.fuzz.results import to_run_result
from toolcheck.spec import load_spec_dict

JWT_SPEC = """\
openapi: 3.0.3
info: {title: jwt, version: "1"}
components:
  securitySchemes:
    jwt: {type: http, scheme: bearer, bearerFormat: JWT}
security: [{jwt: []}]
paths:
  /notes:
    get:
      operationId: list_notes
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {type: string}}}}}
    post:
      operationId: create_note
      requestBody:
        required: true
        content: {application/json: {schema: {type: object, required: [text], properties: {text: {type: string}}}}}
      responses:
        "201": {description: created}
"""


def _spec() -> Any:
    ok = {"200": {"description": "ok"}, "204": {"description": "gone"}, "401": {"description": "no"}}
    team = [{"name": "team", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[a-z]{3}$"}}]
    paths: dict[str, Any] = {f"/reports{i}": {"get": {"operationId": f"report{i}", "responses": ok, "parameters": [
        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 8}}]}} for i in range(4)}
    paths["/teams/{team}"] = {"delete": {"operationId": "delete_team", "parameters": team, "responses": ok}}
    return load_spec_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                           "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}},
                           "security": [{"b": []}], "paths": paths})


def test_credentials_that_stop_working_mid_run_name_the_request_after_which_it_began() -> None:
    spec = _spec()
    revoked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if revoked or request.headers.get("authorization") != "Bearer good":
            return httpx.Response(401)
        if request.method == "DELETE":
            revoked.append(request.url.path)  # deleting the team deleted the caller's membership too
            return httpx.Response(204)
        return httpx.Response(200)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", auth=Auth(headers={"Authorization": "Bearer good"}),
                    options=FuzzOptions(seed=1, max_examples=30, phases=("examples", "boundary", "fuzz")))
    operations = list(spec.operations)
    findings = fuzzer.run(operations)
    verdict = fuzzer.health.verdict()
    assert verdict["status"] == "lost", verdict
    assert verdict["after"] == f"DELETE {revoked[0]} → 204"
    result = to_run_result(spec, fuzzer, findings, operations, findings_file="f.json", target="--base-url http://t")
    assert result.summary["auth"]["status"] == "lost" and not result.ok
    assert result.suites[0].cases[0].status == "error" and revoked[0] in result.suites[0].cases[0].message


def test_a_restricted_area_is_not_lost_credentials() -> None:
    spec = _spec()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path in ("/reports0", "/reports1", "/reports2"):
            return httpx.Response(403)  # admin-only reports: valid credentials, insufficient rights
        return httpx.Response(204 if request.method == "DELETE" else 200)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", auth=Auth(headers={"Authorization": "Bearer good"}),
                    options=FuzzOptions(seed=1, max_examples=30, phases=("examples", "boundary", "fuzz")))
    fuzzer.run(list(spec.operations))
    assert fuzzer.health.verdict()["status"] == "ok"


def test_every_valid_request_refused_without_credentials_is_could_not_test() -> None:
    spec = _spec()
    client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(401)), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, max_examples=5))
    fuzzer.run(list(spec.operations))
    verdict = fuzzer.health.verdict()
    assert verdict["status"] == "rejected" and "no credentials were given" in verdict["message"]


def test_fuzz_mock_of_a_jwt_spec_never_passes_on_401s(tmp_path: Path) -> None:
    """Regression (issue 11): 401 on every request from its own mock, 'no findings', exit 0."""
    spec = tmp_path / "jwt.yaml"
    spec.write_text(JWT_SPEC)
    result = CliRunner().invoke(app, ["fuzz", str(spec), "--mock", "--seed", "1", "--reports", str(tmp_path / "r"),
                                      "--format", "json"])
    import json

    report = json.loads((tmp_path / "r" / "report.json").read_text())
    auth = report["summary"]["auth"]
    if auth["accepted"] == 0:  # the mock refused its own placeholder credential: say so, exit 2
        assert result.exit_code == 2, result.output
        assert auth["status"] == "rejected" and "could not test" in result.output
    else:  # the mock accepts the placeholder: the run really tested the operations
        assert auth["status"] == "ok" and result.exit_code in (0, 1), result.output
