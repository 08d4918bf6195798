"""One server-wide cause is one finding (issue 13): a router that answers every undocumented method
the same way is reported once, listing the operations it was seen on, over a real socket."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from toolcheck.cli import app

PATHS = ("/alpha", "/beta", "/gamma")


class Lenient(BaseHTTPRequestHandler):
    """Answers every method on every path with the same 200: the server-wide bug."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({"ok": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_TRACE = _answer


@pytest.fixture()
def lenient() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Lenient)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _spec(tmp_path: Path) -> Path:
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"ok": {"type": "boolean"}}}}}}}
    doc = {"openapi": "3.1.0", "info": {"title": "lenient", "version": "1"},
           "paths": {p: {"get": {"operationId": p.strip("/"), "responses": ok}} for p in PATHS}}
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_one_unsupported_method_cause_is_one_finding_that_lists_every_operation(lenient: str, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    result = CliRunner().invoke(app, ["fuzz", str(_spec(tmp_path)), "--base-url", lenient, "--phases", "examples,boundary",
                                      "--reports", str(reports)], env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    findings = json.loads((reports / "fuzz-findings.json").read_text())["findings"]
    grouped = [f for f in findings if f["check"] == "unsupported_method"]
    assert len(grouped) == 1, [(f["operation_id"], f["cause"]) for f in grouped]
    [finding] = grouped
    # the JSON keeps every affected operation, with the request that showed it there
    assert sorted(o["operation_id"] for o in finding["operations"]) == ["alpha", "beta", "gamma"]
    for affected in finding["operations"]:
        assert affected["curl"].startswith("curl ") and affected["method"] in ("PUT", "POST", "DELETE", "PATCH", "TRACE")
    assert finding["count"] == 15  # five undocumented methods on each of three paths
    # the terminal shows it once, with the operations
    lines = [line for line in result.output.splitlines() if line.startswith("✗") and " unsupported_method " in line]
    assert len(lines) == 1 and "3 operations" in lines[0], result.output
    assert "alpha" in result.output and "beta" in result.output and "gamma" in result.output
    # the reports count it once: one failed case, in a suite of its own
    report = json.loads((reports / "report.json").read_text())
    assert report["totals"]["failed"] == sum(1 for f in findings if f["severity"] == "error")
    failed = [(s["name"], c["name"]) for s in report["suites"] for c in s["cases"] if c["status"] == "failed"
              and c["name"].startswith("unsupported_method")]
    assert len(failed) == 1 and "3 operations" in failed[0][0], failed
