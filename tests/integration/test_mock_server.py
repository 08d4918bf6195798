"""The mock over a real socket: uvicorn on port 0 in a thread (and the CLI as a subprocess)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLE_SPEC
from toolcheck.checks.conformance import check_response
from toolcheck.cli import app
from toolcheck.mock.faults import FaultConfig
from toolcheck.mock.proxy import ValidationProxy
from toolcheck.mock.responder import Mock
from toolcheck.mock.server import LogRecord, MockApp, MockHolder, Running, start_in_thread
from toolcheck.spec import load_spec

AUTH = {"Authorization": "Bearer tok_123"}


@pytest.fixture(scope="module")
def spec() -> Any:
    return load_spec(str(EXAMPLE_SPEC))


@pytest.fixture(scope="module")
def served(spec: Any) -> Iterator[tuple[Running, list[LogRecord]]]:
    records: list[LogRecord] = []
    running = start_in_thread(MockApp(MockHolder(Mock(spec, stateful=True)), on_request=records.append))
    yield running, records
    running.stop()


@pytest.fixture
def client(served: tuple[Running, list[LogRecord]]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[0].url, timeout=10) as c:
        yield c


def test_answers_conform_and_are_logged(client: httpx.Client, spec: Any, served: Any) -> None:
    response = client.get("/customers", params={"q": "ada"}, headers=AUTH)
    assert response.status_code == 200
    assert check_response(spec, spec.operation("search_customers"), 200, dict(response.headers), raw=response.content) == []
    deadline = time.monotonic() + 5  # the log line is written just after the answer is sent
    while not any(r.path == "/customers" for r in served[1]) and time.monotonic() < deadline:
        time.sleep(0.01)
    record = [r for r in served[1] if r.path == "/customers"][-1]
    assert (record.method, record.status, record.source) == ("GET", 200, "generated")


def test_routing_over_the_wire(client: httpx.Client) -> None:
    assert client.get("/nope", headers=AUTH).status_code == 404
    response = client.patch("/customers", headers=AUTH)
    assert response.status_code == 405 and response.headers["allow"] == "GET"
    head = client.head("/tasks", headers=AUTH)
    assert head.status_code == 200 and head.content == b""


def test_validation_over_the_wire(client: httpx.Client) -> None:
    unauthorized = client.get("/tasks")
    assert unauthorized.status_code == 401 and "Bearer" in unauthorized.headers["www-authenticate"]
    assert client.get("/customers", params={"q": "a"}, headers=AUTH).status_code == 400
    assert client.post("/tickets", headers=AUTH, json={"subject": "x"}).status_code == 422
    wrong_type = client.post("/tickets", headers={**AUTH, "content-type": "application/xml"}, content=b"<a/>")
    assert wrong_type.status_code == 415
    malformed = client.post("/tickets", headers={**AUTH, "content-type": "application/json"}, content=b"{nope")
    assert malformed.status_code == 400 and "not valid JSON" in malformed.text


@pytest.mark.parametrize("body,content_type,expected", [
    ('{"€":1}'.encode(), "application/json", 422),
    ('{"subject":"日本語のチケット","customer_id":"cus_0001","body":"ü"}'.encode(), "application/json", 201),
    (b"[" * 200_000, "application/json", 400),
    (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "application/json", 400),
    (b"\xff\xfe\x00garbage", "application/json", 400),
    (b"subject=%FF%FE&body=x", "application/x-www-form-urlencoded", 415),
    (b"x" * (11 * 1024 * 1024), "application/json", 413),
])
def test_one_request_crash_cases(client: httpx.Client, body: bytes, content_type: str, expected: int) -> None:
    response = client.post("/tickets", headers={**AUTH, "content-type": content_type}, content=body)
    assert response.status_code == expected, response.text[:300]
    assert response.status_code != 500
    assert client.get("/customers", params={"q": "still-alive"}, headers=AUTH).status_code == 200


def test_non_ascii_paths_and_headers(client: httpx.Client) -> None:
    # a malformed id on operations documenting 404 but not 400: the documented 404
    assert client.get("/tasks/%E2%82%AC", headers=AUTH).status_code == 404
    assert client.get("/customers/%E2%82%AC%00", headers=AUTH).status_code == 404
    raw = client.get("/customers", params={"q": "Zoë €"}, headers=[*((k.encode(), v.encode()) for k, v in AUTH.items()), (b"X-Weird", "caf\u00e9".encode())])
    assert raw.status_code == 200


def test_prefer_header(client: httpx.Client) -> None:
    forced = client.get("/tasks", headers={**AUTH, "Prefer": "code=401"})
    assert forced.status_code == 401 and forced.headers["preference-applied"] == "code=401"
    example = client.get("/tasks", headers={**AUTH, "Prefer": "code=400, example=nothing"})
    assert example.json()["error"]["code"] == "invalid_request"
    # code=200: the stateless answer (stateful mode answers ids never created with the documented 404)
    first = client.get("/customers/cus_0001", headers={**AUTH, "Prefer": "dynamic=true, code=200"}).json()
    other = client.get("/customers/cus_0002", headers={**AUTH, "Prefer": "dynamic=true, code=200"}).json()
    assert first["id"] == "cus_0001" and other["id"] == "cus_0002" and first != other


def test_stateful_over_the_wire(client: httpx.Client) -> None:
    created = client.post("/invoices", headers=AUTH, json={
        "customer_id": "cus_0042", "currency": "EUR",
        "line_items": [{"description": "Consulting", "quantity": 2, "unit_amount": 15000}]})
    assert created.status_code == 201
    invoice = created.json()
    assert invoice["customer_id"] == "cus_0042"
    fetched = client.get(created.headers["location"], headers=AUTH)
    assert fetched.json() == invoice
    task = client.post("/tasks", headers=AUTH, json={"kind": "export_invoices"}).json()
    polls = [client.get(f"/tasks/{task['task_id']}", headers=AUTH).json()["status"] for _ in range(2)]
    assert [task["status"], *polls] == ["queued", "running", "completed"]
    assert client.delete(f"/tasks/{task['task_id']}", headers=AUTH).status_code == 204
    gone = client.get(f"/tasks/{task['task_id']}", headers=AUTH)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"


def test_faults_per_request(client: httpx.Client) -> None:
    failed = client.get("/tasks", headers={**AUTH, "Prefer": "fault=429"})
    assert failed.status_code == 429 and failed.headers["retry-after"].isdigit()
    truncated = client.get("/customers", params={"q": "trunc"}, headers={**AUTH, "Prefer": "fault=truncate"})
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(truncated.content)
    slow_start = time.perf_counter()
    client.get("/tasks", headers={**AUTH, "Prefer": "fault=latency:150ms"})
    assert time.perf_counter() - slow_start >= 0.15
    with pytest.raises(httpx.ReadTimeout):
        client.get("/tasks", headers={**AUTH, "Prefer": "fault=timeout:2s"}, timeout=0.2)


def test_server_wide_faults_are_seeded(spec: Any) -> None:
    def statuses() -> list[int]:
        mock = Mock(spec, seed=3, faults=FaultConfig.parse("error_rate=0.4,latency=5ms"))
        running = start_in_thread(MockApp(MockHolder(mock)))
        try:
            with httpx.Client(base_url=running.url) as c:
                return [c.get("/tasks", headers=AUTH).status_code for _ in range(15)]
        finally:
            running.stop()

    first = statuses()
    assert first == statuses() and 200 in first and any(s != 200 for s in first)


def test_validation_proxy(spec: Any, served: Any) -> None:
    proxy = ValidationProxy(spec, served[0].url)
    running = start_in_thread(MockApp(MockHolder(Mock(spec)), handler=proxy))
    try:
        with httpx.Client(base_url=running.url) as c:
            ok = c.get("/customers", params={"q": "ada"}, headers=AUTH)
            assert ok.status_code == 200 and ok.headers["x-toolcheck-violations"] == "0"
            bad = c.get("/customers", params={"q": "a", "limit": "0"}, headers=AUTH)
            assert bad.status_code == 400 and int(bad.headers["x-toolcheck-violations"]) >= 2
    finally:
        running.stop()
    assert proxy.stats.requests == 2 and proxy.stats.request_violations >= 2
    result = proxy.stats.result("t", time.time())
    assert result.count("failed") == 1


def test_hot_reload(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    doc: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}
    path.write_text(json.dumps(doc))
    events: list[str] = []

    def build() -> Mock:
        return Mock(load_spec(str(path), use_cache=False))

    first = build()
    running = start_in_thread(MockApp(MockHolder(first, build, first.spec.files), on_event=events.append, watch=0.05))
    try:
        with httpx.Client(base_url=running.url) as c:
            assert c.get("/b").status_code == 404
            doc["paths"]["/b"] = {"get": {"responses": {"200": {"description": "ok"}}}}
            path.write_text(json.dumps(doc))
            os.utime(path, (time.time() + 5, time.time() + 5))
            deadline = time.monotonic() + 10
            while c.get("/b").status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert c.get("/b").status_code == 200
            path.write_text("{ not json")
            os.utime(path, (time.time() + 10, time.time() + 10))
            deadline = time.monotonic() + 10
            while not any("failed" in e for e in events) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert c.get("/b").status_code == 200  # the broken edit keeps the last good spec
    finally:
        running.stop()
    assert any("reloaded" in e for e in events) and any("reload failed" in e for e in events)


def test_cli_bad_options_exit_2() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["mock", str(EXAMPLE_SPEC), "--faults", "chaos=1"])
    assert result.exit_code == 2
    assert "unknown fault" in result.output
    assert runner.invoke(app, ["mock", "/does/not/exist.yaml"]).exit_code == 2
    assert runner.invoke(app, ["mock", str(EXAMPLE_SPEC), "--proxy", "ftp://x"]).exit_code == 2


@pytest.mark.skipif(shutil.which(sys.executable) is None, reason="no interpreter path")
def test_cli_serves_over_a_real_socket(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolcheck", "mock", str(EXAMPLE_SPEC), "--port", "0", "--seed", "5", "--stateful"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, text=True,
    )
    try:
        assert proc.stderr is not None
        port = None
        deadline = time.monotonic() + 30
        while port is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if found:
                port = int(found.group(1))
        assert port is not None
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
            created = c.post("/tasks", headers=AUTH, json={"kind": "generate_report"})
            assert created.status_code == 202
            assert c.get(created.headers["location"], headers=AUTH).json()["status"] == "running"
        line = ""
        deadline = time.monotonic() + 5
        while "GET" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
        assert "/tasks/" in line and "200" in line
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_socket_stays_up_after_garbage(served: Any) -> None:
    running = served[0]
    with socket.create_connection((running.host, running.port), timeout=5) as sock:
        sock.sendall(b"\x00\x01GARBAGE \xff\r\n\r\n")
        sock.recv(1024)
    with httpx.Client(base_url=running.url) as c:
        assert c.get("/customers", params={"q": "ok"}, headers=AUTH).status_code == 200


def test_cli_proxy_counts_violations_and_writes_reports(tmp_path: Path, served: Any) -> None:
    import signal

    reports = tmp_path / "reports"
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolcheck", "mock", str(EXAMPLE_SPEC), "--port", "0", "--quiet",
         "--proxy", served[0].url, "--report", str(reports)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, text=True,
    )
    assert proc.stderr is not None
    port = None
    deadline = time.monotonic() + 30
    while port is None and time.monotonic() < deadline:
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", proc.stderr.readline())
        port = int(found.group(1)) if found else None
    assert port is not None
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
        assert c.get("/customers", params={"q": "ada"}, headers=AUTH).status_code == 200
        assert c.get("/customers", params={"limit": "9999"}, headers=AUTH).status_code == 400
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=20) == 1
    assert "2 request(s)" in rest and "request violation" in rest
    report = json.loads((reports / "report.json").read_text())
    assert report["summary"]["requests"] == 2 and report["summary"]["request_violations"] >= 2


def test_never_500_over_the_wire(served: Any) -> None:
    """Hostile requests through uvicorn: odd paths, queries, headers and bodies."""
    import random

    rng = random.Random(99)
    segments = ["tasks", "invoices", "customers", "tickets", "%E2%82%AC", "%00", "..", "%", "x" * 500, "task_abcdefgh"]
    bodies = [b"", b"{", b'{"\xe2\x82\xac":1}', b"[]" * 1000, b"\x00\xff", b'{"kind":"export_invoices"}', b"1e99999"]
    with httpx.Client(base_url=served[0].url, timeout=10) as c:
        for _ in range(60):
            path = "/" + "/".join(rng.choice(segments) for _ in range(rng.randint(1, 3)))
            query = {rng.choice(["q", "limit", "cursor", "status"]): rng.choice(["", "-1", "ab", "€", "%FF"])}
            headers = {**AUTH, "content-type": rng.choice(["application/json", "text/plain", "", "application/json; charset=latin-1"]),
                       "prefer": rng.choice(["", "code=abc", "dynamic=true", "example=x, code=404"])}
            method = rng.choice(["GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS"])
            response = c.request(method, path, params=query, headers=headers, content=rng.choice(bodies))
            assert response.status_code < 500, (method, path, response.text[:200])


def test_cli_port_in_use_exits_3() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["mock", str(EXAMPLE_SPEC), "--port", str(port), "--quiet"])
    assert result.exit_code == 3
    assert "cannot listen" in result.output


def test_cli_workers_serve_over_a_real_socket() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolcheck", "mock", str(EXAMPLE_SPEC), "--port", str(port), "--workers", "2", "--quiet"],
        stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env,
    )
    try:
        deadline = time.monotonic() + 30
        status = None
        while status is None and time.monotonic() < deadline:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/customers", params={"q": "ada"}, headers=AUTH, timeout=2).status_code
            except httpx.TransportError:
                time.sleep(0.1)
        assert status == 200
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
            assert all(c.get("/tasks", headers=AUTH).status_code == 200 for _ in range(10))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
