"""What `toolcheck check` reports is the shared Finding, in the shared Severity, with its report unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from toolcheck.cli import app
from toolcheck.findings import Finding, Severity
from toolcheck.spec import Problem, load_spec

SPEC = """openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Missing'}}}
"""


def _problems(tmp_path: Path) -> tuple[Problem, ...]:
    path = tmp_path / "api.yaml"
    path.write_text(SPEC)
    return load_spec(str(path), use_cache=False).problems


def test_a_spec_problem_is_a_shared_finding(tmp_path: Path) -> None:
    (problem,) = [p for p in _problems(tmp_path) if p.code == "dangling-ref"]
    assert isinstance(problem, Finding) and problem.check == "dangling-ref"
    assert problem.severity is Severity.ERROR
    assert problem.location.endswith("api.yaml:9"), problem.location
    assert problem.to_dict() == {"severity": "error", "location": problem.location, "message": problem.message,
                                 "pointer": problem.pointer, "code": "dangling-ref"}


def test_without_a_line_the_location_is_the_file_and_pointer() -> None:
    def broken(pointer: str) -> str:
        raise ValueError(pointer)

    assert Problem("x", "m", "/a/b", Severity.WARNING, source="s.yaml").location == "s.yaml#/a/b"
    assert Problem("x", "m", "/a", source="s.yaml", locate=broken).location == "s.yaml#/a"
    assert Problem("x", "m", "/a", source="s.yaml", locate=lambda p: f"s.yaml:3 {p}").location == "s.yaml:3 /a"


def test_check_writes_the_shared_words(tmp_path: Path) -> None:
    _problems(tmp_path)
    result = CliRunner().invoke(app, ["check", str(tmp_path / "api.yaml"), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["errors"] == 1 and {p["severity"] for p in data["problems"]} <= {"error", "warning", "info"}
    assert all(set(p) == {"severity", "location", "message", "pointer", "code"} for p in data["problems"])
