"""`toolcheck check` as a user runs it: exit codes, one-paragraph errors, JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_SPEC, ROOT


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolcheck", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True, text=True, timeout=120, cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **(env or {})},
    )


def test_example_spec_is_clean() -> None:
    result = run("check", str(EXAMPLE_SPEC), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["openapi_version"] == "3.1.0"
    assert data["operations"] == 9
    assert data["problems"] == []


BOMB = "openapi: 3.0.0\na: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{n}: &{n} [{','.join(['*' + p] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    "name, content, fragment",
    [
        ("empty.yaml", b"", "empty"),
        ("binary.json", b"\x00\x01\x02\xff" * 100, "binary"),
        ("invalid.yaml", b"openapi: 3.0.0\ninfo: {title: [\n", "invalid YAML"),
        ("bomb.yaml", BOMB.encode(), "alias"),
        ("version.yaml", b"openapi: 9.9.9\ninfo: {title: t, version: '1'}\npaths: {}\n", "unsupported OpenAPI version"),
        ("list.json", b"[1, 2, 3]", "not an object"),
        ("latin1.yaml", "openapi: 3.0.0\ninfo: {title: caf\xe9}\n".encode("latin-1"), "not UTF-8"),
        ("missing.yaml", None, "no such file"),
    ],
)
def test_bad_input_is_one_paragraph_and_exit_2(tmp_path: Path, name: str, content: bytes | None, fragment: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = run("check", str(path))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr
    assert name in result.stderr  # the location names the file
    assert result.stderr.strip().count("\n") <= 3  # one paragraph (wrapped at most)


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:
        fh.truncate(70 * 1024 * 1024)
    result = run("check", str(path))
    assert result.returncode == 2
    assert "limit" in result.stderr and "Traceback" not in result.stderr


def test_dangling_and_circular_refs_load_with_error_problems(tmp_path: Path) -> None:
    """A broken $ref is an error *problem* at its line (exit 1); the rest still loads."""
    path = tmp_path / "refs.yaml"
    path.write_text(
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
        "        '200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: '#/components/schemas/Nope'}\n"
        "components:\n  schemas:\n    Loop: {allOf: [{$ref: '#/components/schemas/Loop'}]}\n"
    )
    result = run("check", str(path), "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["operations"] == 1
    codes = {(p["code"], p["severity"]) for p in data["problems"]}
    assert ("dangling-ref", "error") in codes and ("circular-ref", "error") in codes
    assert any(p["location"].endswith("refs.yaml:11") for p in data["problems"])


def test_stdin_and_git_revision_sources(tmp_path: Path) -> None:
    text = EXAMPLE_SPEC.read_bytes()
    result = run("check", "-", "--format", "json", stdin=text)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["operations"] == 9

    repo = tmp_path / "repo"
    repo.mkdir()
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / "openapi.yaml").write_bytes(text)
    subprocess.run(["git", "add", "openapi.yaml"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "spec"], cwd=repo, check=True, env={**os.environ, **env})
    (repo / "openapi.yaml").write_text("not: a spec\n")  # the working tree differs from HEAD
    result = run("check", "git:HEAD:openapi.yaml", "--format", "json", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["operations"] == 9
    bad = run("check", "git:no-such-rev:openapi.yaml", cwd=repo)
    assert bad.returncode == 2 and "git" in bad.stderr


def test_urls_need_allow_network() -> None:
    result = run("check", "https://example.invalid/openapi.yaml")
    assert result.returncode == 2
    assert "--allow-network" in result.stderr


def test_core_does_not_import_cli_libraries() -> None:
    """Imports point downward: the core never pulls typer or rich (ARCHITECTURE.md, practice 1)."""
    code = (
        "import sys, toolcheck.spec, toolcheck.checks, toolcheck.results;"
        "from toolcheck.spec import load_spec; load_spec(sys.argv[1]);"
        "bad = [m for m in ('typer', 'rich') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(EXAMPLE_SPEC)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_strict_mode_reports_what_a_strict_validator_rejects(tmp_path: Path) -> None:
    path = tmp_path / "strict.yaml"
    # `required: yes` on a parameter is a YAML bool, fine; an integer `maxLength` written as a
    # string loads (with a warning) but the strict validator rejects the document as written.
    path.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      parameters:\n        - {name: q, in: query, schema: {type: string, maxLength: '100'}}\n"
        "      responses: {'200': {description: ok}}\n"
    )
    lenient = run("check", str(path), "--format", "json")
    assert lenient.returncode == 0
    assert any(p["code"] == "number-as-string" for p in json.loads(lenient.stdout)["problems"])
    strict = run("check", str(path), "--format", "json", "--strict")
    assert strict.returncode == 1
    assert any(p["code"] == "strict-validation" for p in json.loads(strict.stdout)["problems"])
