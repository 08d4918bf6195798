"""`toolcheck run` end to end: a real local server, real processes, reports parsed back."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
TOKEN = "it-secret-token-7f3a9c"
TOOLCHECK = [sys.executable, "-m", "toolcheck"]


class AgentApi(BaseHTTPRequestHandler):
    """A small, honest implementation of examples/agent-tools (tasks, invoices, customers)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    state: dict[str, Any] = {}

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(status, {"error": {"code": code, "message": message}},
                   {"WWW-Authenticate": "Bearer"} if status == 401 else None)

    def _route(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._error(401, "unauthorized", "A valid bearer token is required.")
        st = self.server.state  # type: ignore[attr-defined]
        parts = [p for p in url.path.split("/") if p]
        now = "2026-01-01T00:00:00Z"
        if parts == ["tasks"] and method == "POST":
            st["n"] += 1
            tid = f"task_{st['n']:08d}"
            st["tasks"][tid] = 0
            return self._send(202, {"task_id": tid, "kind": "export_invoices", "status": "queued", "created_at": now},
                              {"Location": f"/tasks/{tid}"})
        if len(parts) == 2 and parts[0] == "tasks" and method == "GET":
            if parts[1] not in st["tasks"]:
                return self._error(404, "not_found", "No such task.")
            st["tasks"][parts[1]] += 1
            flow = st["task_flow"]
            status = flow[min(st["tasks"][parts[1]] - 1, len(flow) - 1)]
            body = {"task_id": parts[1], "kind": "export_invoices", "status": status, "created_at": now}
            if status == "failed":
                body["error"] = {"code": "export_failed", "message": "disk full"}
            return self._send(200, body, {"Retry-After": "0"})
        if parts == ["tasks"] and method == "GET":
            data = [{"task_id": t, "kind": "export_invoices", "status": "queued", "created_at": now} for t in st["tasks"]]
            return self._send(200, {"data": data[:5], "has_more": len(data) > 5, "next_cursor": None})
        if len(parts) == 2 and parts[0] == "tasks" and method == "DELETE":
            if parts[1] not in st["tasks"]:
                return self._error(404, "not_found", "No such task.")
            if st["tasks"][parts[1]] >= len(st["task_flow"]):
                return self._error(409, "conflict", "The task has finished.")
            del st["tasks"][parts[1]]
            return self._send(204)
        if parts == ["tickets"] and method == "POST":
            doc = json.loads(raw or b"{}")
            if doc.get("priority", "normal") not in ("low", "normal", "high", "urgent"):
                return self._error(422, "validation_failed", "priority: one of low, normal, high, urgent")
            st["n"] += 1
            return self._send(201, {"id": f"tkt_{st['n']:08d}", "customer_id": doc["customer_id"],
                                    "subject": doc["subject"], "status": "open",
                                    "priority": doc.get("priority", "normal"), "created_at": now})
        if parts == ["invoices"] and method == "POST":
            doc = json.loads(raw or b"{}")
            if not doc.get("line_items"):
                return self._error(422, "validation_failed", "line_items: at least one item")
            st["n"] += 1
            iid = f"inv_{st['n']:08d}"
            total = sum(i["quantity"] * i["unit_amount"] for i in doc["line_items"])
            inv = {"id": iid, "customer_id": doc["customer_id"], "currency": doc["currency"], "status": "draft",
                   "line_items": doc["line_items"], "total": total, "created_at": now}
            st["invoices"][iid] = inv
            return self._send(201, inv, {"Location": f"/invoices/{iid}"})
        if len(parts) == 2 and parts[0] == "invoices" and method == "GET":
            inv = st["invoices"].get(parts[1])
            return self._send(200, inv) if inv else self._error(404, "not_found", "No such invoice.")
        if parts == ["customers"] and method == "GET":
            q = parse_qs(url.query).get("q", [""])[0]
            if len(q) < 2:
                return self._error(400, "invalid_request", "q: at least 2 characters")
            data = [{"id": "cus_0001", "name": "Ada Lovelace", "email": "ada@example.com"}]
            return self._send(200, {"data": data, "has_more": False, "next_cursor": None})
        if len(parts) == 2 and parts[0] == "customers" and method == "GET":
            return self._send(200, {"id": parts[1], "name": "Ada Lovelace", "email": "ada@example.com"})
        return self._error(404, "not_found", "No such resource.")

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_DELETE(self) -> None:
        self._route("DELETE")


@pytest.fixture
def server() -> Iterator[Any]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), AgentApi)
    httpd.state = {"n": 0, "tasks": {}, "invoices": {}, "task_flow": ["queued", "running", "completed"]}  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"  # type: ignore[attr-defined]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "AGENT_TOOLS_TOKEN": TOKEN, **(env or {})}
    full_env.pop("GITHUB_STEP_SUMMARY", None) if "GITHUB_STEP_SUMMARY" not in (env or {}) else None
    return subprocess.run([*TOOLCHECK, "run", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120)


def copy_scenarios(tmp_path: Path) -> Path:
    target = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, target)
    for f in target.glob("*.toolcheck.yaml"):
        f.write_text(f.read_text().replace("../examples/agent-tools/openapi.yaml",
                                           str(ROOT / "examples" / "agent-tools" / "openapi.yaml")))
    return target


def all_report_text(reports: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in reports.iterdir() if p.is_file())


def test_sample_scenarios_pass_against_a_real_server(server: Any, tmp_path: Path) -> None:
    scen = copy_scenarios(tmp_path)
    summary = tmp_path / "summary.md"
    proc = run_cli(str(scen), "--base-url", server.url, "--reports", "out", "-j", "2", cwd=tmp_path,
                   env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    reports = tmp_path / "out"
    junit = ET.parse(reports / "junit.xml").getroot()
    suites = junit.findall("testsuite")
    names = [s.get("name", "") for s in suites]
    assert names == sorted(names)  # unit order = sorted files, whatever -j did
    tasks = next(s for s in suites if s.get("name") == "Long-running task lifecycle")
    wait = next(c for c in tasks.findall("testcase") if c.get("name") == "wait")
    props = {p.get("name"): p.get("value") for p in wait.iter("property")}
    assert props["attempts"] == "3"  # queued → running → completed, every attempt recorded
    report = json.loads((reports / "report.json").read_text())
    assert report["totals"]["failed"] == 0 and report["totals"]["passed"] >= 10
    assert len([s for s in report["suites"] if s["name"].startswith("Invoices [row")]) == 2
    # The password input and the bearer token never reach a report, the terminal or the summary.
    assert TOKEN not in all_report_text(reports) + proc.stdout + proc.stderr + summary.read_text()
    assert "Long-running task lifecycle" in summary.read_text()


def test_a_failing_step_exits_1_and_every_report_names_it(server: Any, tmp_path: Path) -> None:
    server.state["task_flow"] = ["running", "failed"]
    scen = copy_scenarios(tmp_path)
    text = (scen / "tasks.toolcheck.yaml").read_text()
    (scen / "tasks.toolcheck.yaml").write_text(text.replace(
        "until: $response.body#/status == 'completed' || $response.body#/status == 'failed'",
        "until: $response.body#/status == 'completed'\n      fail_if: $response.body#/status == 'failed'"))
    proc = run_cli(str(scen / "tasks.toolcheck.yaml"), "--base-url", server.url, "--reports", "out", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "wait" in proc.stdout and "fail_if" in proc.stdout
    reports = tmp_path / "out"
    junit = ET.parse(reports / "junit.xml").getroot()
    failures = [(c.get("name"), c.find("failure")) for c in junit.iter("testcase") if c.find("failure") is not None]
    assert [name for name, _ in failures] == ["wait"]
    element = failures[0][1]
    assert element is not None and "fail_if" in (element.get("message") or "")
    report = json.loads((reports / "report.json").read_text())
    [case] = [c for s in report["suites"] for c in s["cases"] if c["status"] == "failed"]
    assert case["name"] == "wait" and [a["attempt"] for a in case["details"]["attempts"]] == [1, 2]
    assert report["summary"]["violations"] == {"expect.poll": 1} and report["summary"]["requests"] >= 3
    html = (reports / "report.html").read_text()
    assert "wait" in html and "fail_if" in html and "<script src=" not in html


def test_unreachable_target_exits_3(tmp_path: Path) -> None:
    scen = copy_scenarios(tmp_path)
    proc = run_cli(str(scen / "customers.toolcheck.yaml"), "--base-url", "http://127.0.0.1:9", "--no-reports", cwd=tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "unreachable" in proc.stdout


def test_invalid_scenario_exits_2_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toolcheck.yaml"
    bad.write_text("name: bad\nspec: x.yaml\nsteps:\n  - id: one\n    operation: get_task\n    poll: {interval: 1s}\n")
    proc = run_cli(str(bad), "--mock", cwd=tmp_path)
    assert proc.returncode == 2
    assert re.search(r"bad\.toolcheck\.yaml:6: .*until", proc.stderr), proc.stderr
    assert "Traceback" not in proc.stderr
    unknown = tmp_path / "op.toolcheck.yaml"
    unknown.write_text(f"name: op\nspec: {ROOT / 'examples/agent-tools/openapi.yaml'}\nsteps:\n  - id: a\n    operation: get_taks\n")
    proc = run_cli(str(unknown), "--mock", cwd=tmp_path)
    assert proc.returncode == 2 and "get_task" in proc.stderr and "op.toolcheck.yaml:4" in proc.stderr


def test_shards_partition_the_scenarios(tmp_path: Path) -> None:
    scen = copy_scenarios(tmp_path)
    seen = []
    for i in (1, 2):
        proc = run_cli(str(scen), "--mock", "--shard", f"{i}/2", "--report-format", "json", "--reports", f"s{i}", cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        seen.append({s["file"] for s in json.loads((tmp_path / f"s{i}" / "report.json").read_text())["suites"]})
    assert seen[0] and seen[1] and not seen[0] & seen[1]
    assert len(seen[0] | seen[1]) == len(list(scen.glob("*.toolcheck.yaml")))
    assert run_cli(str(scen), "--mock", "--shard", "3/2", cwd=tmp_path).returncode == 2
    merged = subprocess.run([*TOOLCHECK, "report", "merge", "merged", "s1", "s2"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    junit = ET.parse(tmp_path / "merged" / "junit.xml").getroot()
    assert {s.get("file") for s in junit.findall("testsuite")} == seen[0] | seen[1]


def test_pytest_plugin_collects_scenarios(server: Any, tmp_path: Path) -> None:
    scen = copy_scenarios(tmp_path)
    env = {**os.environ, "AGENT_TOOLS_TOKEN": TOKEN}
    proc = subprocess.run([sys.executable, "-m", "pytest", str(scen), "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           "--toolcheck-base-url", server.url, "--rootdir", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"\b5 passed\b", proc.stdout), proc.stdout  # tasks, customers, tickets, 2 invoice rows
    server.state["task_flow"] = ["running", "queued"]
    env.pop("AGENT_TOOLS_TOKEN")  # the credential comes from --toolcheck-auth this time
    proc = subprocess.run([sys.executable, "-m", "pytest", str(scen / "tasks.toolcheck.yaml"), "-q", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "--toolcheck-base-url", server.url, "--rootdir", str(tmp_path),
                           "--toolcheck-auth", f"bearerAuth={TOKEN}"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "backwards" in proc.stdout and TOKEN not in proc.stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_interrupted_run_leaves_valid_reports(server: Any, tmp_path: Path, jobs: str) -> None:
    import signal
    import time

    server.state["task_flow"] = ["running"]  # the task never ends: the poll keeps going
    scen = copy_scenarios(tmp_path)
    text = (scen / "tasks.toolcheck.yaml").read_text()
    (scen / "tasks.toolcheck.yaml").write_text(text.replace("max_attempts: 20", "max_attempts: 1000")
                                               .replace("max_time: 10s", "max_time: 60s").replace("interval: 10ms", "interval: 50ms"))
    env = {**os.environ, "NO_COLOR": "1", "AGENT_TOOLS_TOKEN": TOKEN}
    proc = subprocess.Popen([*TOOLCHECK, "run", str(scen / "customers.toolcheck.yaml"), str(scen / "tasks.toolcheck.yaml"),
                             "--base-url", server.url, "--reports", "out", "-j", jobs], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    report = tmp_path / "out" / "report.json"
    deadline = time.monotonic() + 60
    while not report.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.3)  # now inside the endless poll of the second scenario
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    data = json.loads(report.read_text())
    assert data["interrupted"] is True
    names = [s["name"] for s in data["suites"]]
    assert names[0] == "Customer search and lookup"
    if len(names) > 1:  # with -j the poll in flight may end (as interrupted) before the process exits
        wait = next(c for c in data["suites"][1]["cases"] if c["name"] == "wait")
        assert wait["status"] == "failed" and "interrupted" in wait["message"]
    ET.parse(tmp_path / "out" / "junit.xml")
    assert "Customer search and lookup" in (tmp_path / "out" / "report.html").read_text()


ARAZZO_FLOW = """
arazzo: 1.1.0
info: {title: Agent tools over a socket, version: '1'}
sourceDescriptions:
  - {name: tools, url: SPEC, type: openapi}
workflows:
  - workflowId: export
    inputs:
      type: object
      properties:
        token: {type: string, format: password}
    steps:
      - stepId: start
        operationId: create_task
        parameters:
          - {name: Authorization, in: header, value: 'Bearer {$inputs.token}'}
        requestBody: {contentType: application/json, payload: {kind: export_invoices}}
        successCriteria:
          - condition: $statusCode == 202
          - {context: $response.header.Location, condition: '^/tasks/task_', type: regex}
        outputs: {id: $response.body#/task_id}
      - stepId: wait
        operationId: get_task
        parameters:
          - {name: task_id, in: path, value: $steps.start.outputs.id}
          - {name: Authorization, in: header, value: 'Bearer {$inputs.token}'}
        successCriteria:
          - {context: $response.body, condition: '$[?@ == "completed"]', type: jsonpath}
        onFailure:
          - {name: poll, type: retry, retryAfter: 0, retryLimit: 5}
    outputs: {task: $steps.start.outputs.id}
"""


def test_an_arazzo_workflow_over_a_real_socket(server: Any, tmp_path: Path) -> None:
    doc = tmp_path / "flow.arazzo.yaml"
    doc.write_text(ARAZZO_FLOW.replace("SPEC", str(ROOT / "examples" / "agent-tools" / "openapi.yaml")))
    (tmp_path / "inputs.yaml").write_text(f"token: {TOKEN}\n")
    proc = run_cli(str(doc), "--base-url", server.url, "--inputs", "inputs.yaml", "--reports", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    [suite] = report["suites"]
    assert [(c["name"], c["status"]) for c in suite["cases"]] == [("start", "passed"), ("wait", "passed")]
    wait = suite["cases"][1]
    assert wait["properties"]["attempts"] == "3"  # retried twice by onFailure, one test case
    assert [a["attempt"] for a in wait["details"]["attempts"]] == [1, 2, 3]
    assert json.loads(suite["properties"]["outputs"]) == {"task": "task_00000001"}
    assert TOKEN not in (tmp_path / "out" / "report.json").read_text() + proc.stdout
