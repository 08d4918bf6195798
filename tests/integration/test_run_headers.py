"""`run -H/--header` and `--auth` for a scheme the spec does not declare (issue 17), over a real socket.

jupyter_server's spec declares no security scheme but its server wants `Authorization: token
...`: `--auth` had nothing to attach to and was dropped without a word.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SECRET = "token-0f3c9a77e1d2"

SPEC = """
swagger: "2.0"
info: {title: tokens, version: "1"}
paths:
  /api/me:
    get:
      operationId: me
      produces: [application/json]
      responses:
        200: {description: ok, schema: {type: object}}
        403: {description: forbidden}
"""

SCENARIO = """
name: headers
spec: spec.yaml
steps:
  - id: me
    operation: me
    expect: {status: 200}
  - id: without_credentials
    operation: me
    auth: none
    expect: {status: 403}
  - id: tenant_kept
    operation: me
    auth: none
    headers: {X-Tenant: from-the-step}
    expect: {status: 403}
"""


class Api(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        Api.seen.append({k.lower(): v for k, v in self.headers.items()})
        ok = self.headers.get("Authorization") == f"token {SECRET}"
        body = b'{"me": "someone"}' if ok else b""
        self.send_response(200 if ok else 403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    Api.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "spec.yaml").write_text(SPEC)
    (tmp_path / "s.toolcheck.yaml").write_text(SCENARIO)
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "toolcheck", "run", "s.toolcheck.yaml", *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)


def test_header_option_sends_credentials_except_on_auth_failure_steps(server: str, tmp_path: Path) -> None:
    proc = _run(tmp_path, "--base-url", server, "-H", f"Authorization: token {SECRET}",
                "--header", "X-Tenant: acme", "--reports", "out")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    me, without, tenant = Api.seen
    assert me["authorization"] == f"token {SECRET}" and me["x-tenant"] == "acme"
    assert "authorization" not in without and without["x-tenant"] == "acme"
    assert tenant["x-tenant"] == "from-the-step"  # the step's own header wins
    reports = "".join(p.read_text() for p in (tmp_path / "out").iterdir())
    assert SECRET not in reports + proc.stdout + proc.stderr


def test_auth_for_an_undeclared_scheme_warns(server: str, tmp_path: Path) -> None:
    proc = _run(tmp_path, "--base-url", server, "--auth", f"token={SECRET}", "--no-reports")
    assert proc.returncode == 1  # nothing was sent: the first step gets 403
    assert ("warning: --auth token: no security scheme 'token' in spec.yaml (it declares no security scheme); "
            "this credential is not sent.") in " ".join(proc.stderr.split())
    assert all("authorization" not in seen for seen in Api.seen)


@pytest.mark.parametrize("bad", ["no-separator", ": value", "Bad Name: x", "X-A: one\ntwo"])
def test_a_malformed_header_is_a_usage_error(tmp_path: Path, bad: str) -> None:
    proc = _run(tmp_path, "--mock", "-H", bad, "--no-reports")
    assert proc.returncode == 2
    assert "--header" in proc.stderr and "Traceback" not in proc.stderr
