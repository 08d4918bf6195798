"""`init` → `run` against a strict live server over a real socket (issue 17).

The server takes only what a real one would: an engine it has installed (listed by `GET
/engines`), a file format from the short list its description gives, no client-made ids, the
job's own runner id on an update; a rename moves the file, a delete takes its versions along.
The mock accepts any string for all of these, so a scaffold can be green there and red here.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

SPEC = """
openapi: 3.0.3
info: {title: strict, version: '1'}
paths:
  /engines:
    get:
      operationId: list_engines
      tags: [engines]
      responses:
        '200':
          description: installed engines
          content:
            application/json:
              schema:
                type: object
                properties:
                  default: {type: string, description: Default engine name}
                  engines: {type: object, additionalProperties: {type: object}}
  /jobs:
    post:
      operationId: create_job
      tags: [jobs]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Job'}}}
      responses:
        '201': {description: started, content: {application/json: {schema: {$ref: '#/components/schemas/Job'}}}}
  /jobs/{job_id}:
    parameters: [{name: job_id, in: path, required: true, schema: {type: string}}]
    get:
      operationId: get_job
      tags: [jobs]
      responses:
        '200': {description: the job, content: {application/json: {schema: {$ref: '#/components/schemas/Job'}}}}
    patch:
      operationId: update_job
      tags: [jobs]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Job'}}}
      responses:
        '200': {description: updated, content: {application/json: {schema: {$ref: '#/components/schemas/Job'}}}}
    delete:
      operationId: delete_job
      tags: [jobs]
      responses: {'204': {description: deleted}}
  /files/{path}:
    parameters: [{name: path, in: path, required: true, schema: {type: string}}]
    get:
      operationId: read_file
      tags: [files]
      parameters:
        - {name: format, in: query, schema: {type: string, enum: [text, raw]}}
      responses: {'200': {description: ok}, '404': {description: missing}}
    put:
      operationId: save_file
      tags: [files]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                kind: {type: string, description: "Item kind ('folder', 'document')"}
                format: {type: string, description: "Encoding ('json', 'text', 'raw')"}
                content: {type: string}
      responses: {'201': {description: created}, '200': {description: saved}}
    patch:
      operationId: rename_file
      tags: [files]
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {path: {type: string, description: New path of the file}}}
      responses: {'200': {description: renamed}}
    delete:
      operationId: delete_file
      tags: [files]
      responses: {'204': {description: deleted}}
  /files/{path}/versions:
    parameters: [{name: path, in: path, required: true, schema: {type: string}}]
    post:
      operationId: create_version
      tags: [files]
      responses:
        '201':
          description: saved
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: string}}}
  /files/{path}/versions/{version_id}:
    parameters:
      - {name: path, in: path, required: true, schema: {type: string}}
      - {name: version_id, in: path, required: true, schema: {type: string}}
    delete:
      operationId: delete_version
      tags: [files]
      responses: {'204': {description: deleted}}
components:
  schemas:
    Job:
      type: object
      properties:
        id: {type: string, format: uuid}
        engine: {type: string, description: Engine name to run the job on}
        runner:
          type: object
          required: [id]
          properties: {id: {type: string}, name: {type: string}}
"""


class Strict(BaseHTTPRequestHandler):
    """A server with the rules above; anything it does not know is a 4xx/5xx, as on a real one."""

    jobs: dict[str, dict[str, Any]] = {}
    files: dict[str, list[str]] = {}  # path -> version ids

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: Any = None) -> None:
        raw = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length)) if length else None

    def _route(self) -> tuple[str, ...]:
        from urllib.parse import unquote, urlsplit

        return tuple(unquote(p) for p in urlsplit(self.path).path.strip("/").split("/"))

    def do_GET(self) -> None:
        route = self._route()
        if route == ("engines",):
            return self._send(200, {"default": "fast", "engines": {"fast": {}}})
        if route[0] == "jobs" and len(route) == 2:
            job = self.jobs.get(route[1])
            return self._send(200, job) if job else self._send(404, {"message": "no such job"})
        if route[0] == "files" and len(route) == 2:
            return self._send(200, {"path": route[1]}) if route[1] in self.files else self._send(404, {})
        return self._send(404, {})

    def do_POST(self) -> None:
        route, body = self._route(), self._body() or {}
        if route == ("jobs",):
            if "id" in body:
                return self._send(400, {"message": "id is assigned by the server"})
            if body.get("engine") != "fast":
                return self._send(500, {"message": f"no such engine {body.get('engine')!r}"})
            job_id = str(uuid.uuid4())
            job = {"id": job_id, "engine": "fast", "runner": {"id": str(uuid.uuid4()), "name": "r1"}}
            self.jobs[job_id] = job
            return self._send(201, job)
        if route[0] == "files" and route[2:] == ("versions",):
            if route[1] not in self.files:
                return self._send(404, {})
            self.files[route[1]].append(vid := uuid.uuid4().hex)
            return self._send(201, {"id": vid})
        return self._send(404, {})

    def do_PUT(self) -> None:
        route, body = self._route(), self._body() or {}
        if route[0] == "files" and len(route) == 2:
            if body.get("format") not in ("text", "raw") or body.get("kind") not in ("folder", "document"):
                return self._send(400, {"message": "bad format or kind"})
            created = route[1] not in self.files
            self.files.setdefault(route[1], [])
            return self._send(201 if created else 200, {"path": route[1]})
        return self._send(404, {})

    def do_PATCH(self) -> None:
        route, body = self._route(), self._body() or {}
        if route[0] == "jobs" and len(route) == 2:
            job = self.jobs.get(route[1])
            if job is None:
                return self._send(404, {})
            if body.get("id", job["id"]) != job["id"] or (body.get("runner") or {}).get("id", job["runner"]["id"]) != job["runner"]["id"]:
                return self._send(400, {"message": "no such runner"})
            return self._send(200, job)
        if route[0] == "files" and len(route) == 2:
            if route[1] not in self.files:
                return self._send(404, {})
            self.files[body.get("path") or route[1]] = self.files.pop(route[1])
            return self._send(200, {"path": body.get("path")})
        return self._send(404, {})

    def do_DELETE(self) -> None:
        route = self._route()
        if route[0] == "jobs" and len(route) == 2:
            return self._send(204) if self.jobs.pop(route[1], None) else self._send(404, {})
        if route[0] == "files" and len(route) == 2:
            return self._send(204) if self.files.pop(route[1], None) is not None else self._send(404, {})
        if route[0] == "files" and len(route) == 4 and route[1] in self.files and route[3] in self.files[route[1]]:
            self.files[route[1]].remove(route[3])
            return self._send(204)
        return self._send(404, {})


@pytest.fixture
def server() -> Iterator[str]:
    Strict.jobs, Strict.files = {}, {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Strict)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _toolcheck(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "toolcheck", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)


def test_init_then_run_passes_against_a_strict_live_server(server: str, tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC)
    made = _toolcheck(tmp_path, "init", "spec.yaml", "--out", "scenarios")
    assert made.returncode == 0, made.stdout + made.stderr
    ran = _toolcheck(tmp_path, "run", "scenarios", "--base-url", server, "--reports", "out", "--format", "json")
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    cases = {c["name"]: c["status"] for s in report["suites"] for c in s["cases"]}
    assert ran.returncode == 0, {k: v for k, v in cases.items() if v != "passed"}
    assert set(cases.values()) == {"passed"}
    assert {"create_job", "update_job", "save_file", "rename_file", "delete_version", "delete_file"} <= set(cases)
    # the same files stay green on the mock, where any string passes
    mocked = _toolcheck(tmp_path, "run", "scenarios", "--mock", "--no-reports")
    assert mocked.returncode == 0, mocked.stdout + mocked.stderr
    assert not re.search(r"\bskipped\b", ran.stdout.lower()) or "0 skipped" in ran.stdout.lower()
