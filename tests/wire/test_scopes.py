"""Scopes (issue 14): the mock reads what a token holds and refuses a missing scope with 403;
run can call as a token holding exactly some scopes (mock) or as a named profile (live)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import EXAMPLE_SPEC
from toolcheck.mock.responder import Mock
from toolcheck.mock.server import MockApp, MockHolder, Running, start_in_thread
from toolcheck.spec import load_spec
from toolcheck.wire.auth import jwt_claims, jwt_with, parse_token_option

BODY = {"customer_id": "cus_0001", "currency": "EUR", "line_items": [{"description": "x", "quantity": 1, "unit_amount": 1}]}


@pytest.fixture(scope="module")
def served() -> Iterator[Running]:
    spec = load_spec(str(EXAMPLE_SPEC))
    mock = Mock(spec, tokens=["rtok=invoices:read", "wtok=invoices:write,invoices:read", "opaque"])
    running = start_in_thread(MockApp(MockHolder(mock)))
    yield running
    running.stop()


def _create(url: str, token: str) -> httpx.Response:
    return httpx.post(f"{url}/invoices", json=BODY, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_a_token_without_the_write_scope_gets_403_insufficient_scope(served: Running) -> None:
    refused = _create(served.url, "rtok")
    assert refused.status_code == 403
    assert refused.headers["www-authenticate"] == 'Bearer realm="toolcheck-mock", error="insufficient_scope", scope="invoices:write"'
    assert refused.json()["error"]["code"] == "forbidden" and "invoices:write" in refused.json()["error"]["message"]
    assert _create(served.url, "wtok").status_code == 201
    assert _create(served.url, "opaque").status_code == 201  # names no scopes: holds them all
    assert _create(served.url, "nope").status_code == 401  # not one of the --token values


def test_jwt_scope_and_scp_claims() -> None:
    spec = load_spec(str(EXAMPLE_SPEC))
    mock = Mock(spec)
    from toolcheck.mock import MockTransport

    with httpx.Client(transport=MockTransport(spec), base_url="http://mock") as client:
        def create(token: str) -> int:
            return client.post("/invoices", json=BODY, headers={"Authorization": f"Bearer {token}"}).status_code

        assert create(jwt_with("ada", ["invoices:read"])) == 403
        assert create(jwt_with("ada", ["invoices:write"])) == 201
        scp = jwt_with("ada").rsplit(".", 2)[0].split(".")[0] + "." + _b64({"sub": "ada", "scp": ["invoices:write"]}) + ".x"
        assert create(scp) == 201
        assert create(jwt_with("ada")) == 201  # no scope claim: all scopes (without --strict-scopes)
    assert mock.strict_scopes is False
    strict = Mock(spec, strict_scopes=True)
    from toolcheck.mock import MockRequest

    headers = {"authorization": f"Bearer {jwt_with('ada')}", "content-type": "application/json"}
    import json

    assert strict.handle(MockRequest("POST", "/invoices", "", headers, json.dumps(BODY).encode())).status == 403


def _b64(claims: dict[str, Any]) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")


def test_token_option_parsing() -> None:
    assert parse_token_option("tok=a:read,b:write") == ("tok", frozenset({"a:read", "b:write"}))
    assert parse_token_option("dG9rZW4=") == ("dG9rZW4=", None)  # base64 padding is not a scope list
    assert parse_token_option("plain") == ("plain", None)
    assert jwt_claims(jwt_with("u", ["s1", "s2"])) == {"sub": "u", "scope": "s1 s2"}
    assert jwt_claims("not.a.jwt") == {}


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "toolcheck", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=180, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})


SCENARIO = {"toolcheck": "1.0", "name": "least privilege", "spec": str(EXAMPLE_SPEC), "steps": [
    {"id": "reader_cannot_create", "operation": "create_invoice", "auth": {"scopes": ["invoices:read"], "profile": "reader"},
     "body": BODY, "expect": {"status": 403}},
    {"id": "writer_can_create", "operation": "create_invoice", "auth": {"scopes": ["invoices:write"], "profile": "writer"},
     "body": BODY, "expect": {"status": 201}},
]}


def test_scoped_steps_against_the_mock_and_a_live_mock_with_profiles(tmp_path: Path, served: Running) -> None:
    (tmp_path / "lp.toolcheck.yaml").write_text(yaml.safe_dump(SCENARIO))
    mock = _cli("run", "lp.toolcheck.yaml", "--mock", "--no-reports", cwd=tmp_path)
    assert mock.returncode == 0, mock.stdout + mock.stderr
    # a mock that ignores scopes would let the reader create: the step must then fail
    live = _cli("run", "lp.toolcheck.yaml", "--base-url", served.url, "--no-reports",
                "--auth-profile", "reader:bearerAuth=rtok", "--auth-profile", "writer:bearerAuth=wtok", cwd=tmp_path)
    assert live.returncode == 0, live.stdout + live.stderr
    swapped = _cli("run", "lp.toolcheck.yaml", "--base-url", served.url, "--no-reports",
                   "--auth-profile", "reader:bearerAuth=wtok", "--auth-profile", "writer:bearerAuth=wtok", cwd=tmp_path)
    assert swapped.returncode == 1 and "reader_cannot_create" in swapped.stdout, swapped.stdout + swapped.stderr
    missing = _cli("run", "lp.toolcheck.yaml", "--base-url", served.url, "--no-reports", "-v", cwd=tmp_path)
    assert "--auth-profile reader:SCHEME=VALUE" in missing.stdout, missing.stdout + missing.stderr
    assert "2 skipped" in missing.stdout
    assert "rtok" not in live.stdout + live.stderr and "wtok" not in swapped.stdout + swapped.stderr


def test_stateful_objects_belong_to_their_creator() -> None:
    """Issue 14: in --stateful mode another subject neither reaches nor lists what one created."""
    import json

    from toolcheck.mock import MockRequest

    spec = load_spec(str(EXAMPLE_SPEC))
    mock = Mock(spec, stateful=True)

    def call(method: str, path: str, subject: str | None, body: Any = None) -> Any:
        token = jwt_with(subject) if subject else "opaque-token"
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        return mock.handle(MockRequest(method, path, "", headers, json.dumps(body).encode() if body else b""))

    created = call("POST", "/tasks", "alice", {"kind": "export_invoices"})
    assert created.status == 202, created.body
    task_id = json.loads(created.body)["task_id"]
    assert call("GET", f"/tasks/{task_id}", "alice").status == 200
    assert call("GET", f"/tasks/{task_id}", "bob").status == 404
    assert call("DELETE", f"/tasks/{task_id}", "bob").status == 404
    assert call("GET", f"/tasks/{task_id}", "alice").status == 200  # bob's delete did nothing
    assert task_id not in call("GET", "/tasks", "bob").body.decode()
    assert call("GET", f"/tasks/{task_id}", None).status == 200  # a credential naming no one: as before


def test_ownership_and_strict_scopes_over_a_real_socket() -> None:
    spec = load_spec(str(EXAMPLE_SPEC))
    running = start_in_thread(MockApp(MockHolder(Mock(spec, stateful=True, strict_scopes=True))))
    try:
        def h(subject: str, scopes: list[str] | None) -> dict[str, str]:
            return {"Authorization": f"Bearer {jwt_with(subject, scopes)}"}

        made = httpx.post(f"{running.url}/tasks", json={"kind": "export_invoices"}, headers=h("alice", ["tasks:write"]))
        assert made.status_code == 202, made.text
        task = made.json()["task_id"]
        assert httpx.get(f"{running.url}/tasks/{task}", headers=h("alice", ["tasks:read"])).status_code == 200
        assert httpx.get(f"{running.url}/tasks/{task}", headers=h("bob", ["tasks:read"])).status_code == 404
        # --strict-scopes: a token that names no scopes holds none
        bare = httpx.get(f"{running.url}/tasks/{task}", headers=h("alice", None))
        assert bare.status_code == 403 and "insufficient_scope" in bare.headers["www-authenticate"]
    finally:
        running.stop()


def test_arazzo_steps_take_x_toolcheck_auth(tmp_path: Path) -> None:
    flow = {
        "arazzo": "1.0.1", "info": {"title": "lp", "version": "1"},
        "sourceDescriptions": [{"name": "tools", "url": str(EXAMPLE_SPEC), "type": "openapi"}],
        "workflows": [{"workflowId": "reader", "steps": [
            {"stepId": "refused", "operationId": "create_invoice", "x-toolcheck-auth": {"scopes": ["invoices:read"]},
             "requestBody": {"contentType": "application/json", "payload": BODY},
             "successCriteria": [{"condition": "$statusCode == 403"}]},
            {"stepId": "allowed", "operationId": "create_invoice", "x-toolcheck-auth": {"scopes": ["invoices:write"]},
             "requestBody": {"contentType": "application/json", "payload": BODY},
             "successCriteria": [{"condition": "$statusCode == 201"}]}]}],
    }
    (tmp_path / "lp.arazzo.yaml").write_text(yaml.safe_dump(flow))
    proc = _cli("run", "lp.arazzo.yaml", "--mock", "--no-reports", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
