"""Hostile-input fixtures: a loopback API whose answers each test chooses, and a scenario workspace.

The API binds 127.0.0.1 on port 0 (a real socket, nothing leaves the machine) and records every
request it receives, so a test can assert what toolcheck sent as well as what it reported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

TOOLCHECK = [sys.executable, "-m", "toolcheck"]

SPEC = """\
openapi: 3.0.3
info: {title: hostile, version: "1"}
servers: [{url: "http://127.0.0.1:9/"}]
paths:
  /thing:
    get:
      operationId: getThing
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {}
  /basic:
    get:
      operationId: getBasic
      security: [{basicAuth: []}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {}}}}
  /slow:
    get:
      operationId: getSlow
      responses:
        "200": {description: ok, content: {application/json: {schema: {}}}}
components:
  securitySchemes:
    basicAuth: {type: http, scheme: basic}
"""


@dataclass
class Api:
    """What the loopback API answers (per path) and what it received."""

    url: str = ""
    answers: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0  # seconds /slow waits before answering
    echo: bool = False  # /thing answers {"seen": [[name, value], ...]}: pairs, so no field name marks a secret

    def json(self, path: str, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.answers[path] = (status, {"Content-Type": "application/json", **(headers or {})}, raw)


def _handler(api: Api) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            api.received.append({"path": self.path, "headers": dict(self.headers.items())})
            path = self.path.split("?")[0]
            if path == "/slow" and api.delay:
                import time

                time.sleep(api.delay)
            status, headers, raw = api.answers.get(path, (200, {"Content-Type": "application/json"}, b"{}"))
            if api.echo and path in ("/thing", "/basic"):
                raw = json.dumps({"seen": [[k, v] for k, v in self.headers.items()]}).encode()
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    return Handler


@pytest.fixture
def api() -> Iterator[Api]:
    state = Api()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "openapi.yaml").write_text(SPEC)
    return tmp_path


def write_scenario(folder: Path, text: str, name: str = "hostile.toolcheck.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def toolcheck(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a subprocess. ``timeout`` is a hang guard (a test fails on it), not a speed check."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")}
    full_env.update({"NO_COLOR": "1", "COLUMNS": "200", **(env or {})})
    return subprocess.run([*TOOLCHECK, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)
