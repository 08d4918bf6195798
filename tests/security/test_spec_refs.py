"""`$ref` confinement (issue 12, High 2): a spec from a pull request cannot read the CI machine.

Before the fix, absolute paths, ``../``, ``file://`` and symlinks were followed and
``toolcheck tools`` printed the file; ``$ref: /dev/zero`` read 2.6 GB; a FIFO hung forever; a
remote spec could reference ``file://``.
"""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security._helpers import git, toolcheck
from toolcheck.spec import load_spec

SECRET = "s3cr3t-t0ken-do-not-print"


def spec_with_refs(refs: list[str]) -> str:
    """One operation per ref, each request body schema being that $ref (tools print them)."""
    lines = ["openapi: 3.1.0", "info: {title: t, version: '1'}", "paths:"]
    for i, ref in enumerate(refs):
        lines += [f"  /r{i}:", "    post:", f"      operationId: r{i}", "      requestBody:", "        content:",
                  "          application/json:", f"            schema: {{$ref: '{ref}'}}",
                  "      responses:", "        '200': {description: ok}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, Path]:
    """A home with docker credentials, a secret elsewhere on disk, and a spec folder."""
    home = tmp_path / "home"
    (home / ".docker").mkdir(parents=True)
    (home / ".docker" / "config.json").write_text(f'{{"auths": {{"r.example": {{"auth": "{SECRET}"}}}}}}')
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"type: object\ndescription: {SECRET}\n")
    api = tmp_path / "project" / "api"
    api.mkdir(parents=True)
    (api / "ok.yaml").write_text("type: object\nproperties: {id: {type: integer}}\n")
    (api / ".env").write_text(f"description: {SECRET}\n")
    (api / "link.yaml").symlink_to(outside / "secret.yaml")
    return {"home": home, "outside": outside, "api": api}


def _escapes(m: dict[str, Path]) -> list[str]:
    secret = m["outside"] / "secret.yaml"
    return [
        str(secret),                                    # absolute path
        "../../outside/secret.yaml",                    # ../ escape
        secret.as_uri(),                                # file://
        "link.yaml",                                    # symlink pointing outside
        str(m["home"] / ".docker" / "config.json"),     # ~/.docker/config.json
        ".env",                                         # a hidden file inside the folder
    ]


def test_tools_prints_nothing_of_files_outside_the_spec_folder(machine: dict[str, Path]) -> None:
    spec = machine["api"] / "openapi.yaml"
    spec.write_text(spec_with_refs(["ok.yaml", *_escapes(machine)]))
    result = toolcheck("tools", str(spec), env={"HOME": str(machine["home"]), "TOOLCHECK_NO_CACHE": "1"})
    assert SECRET not in result.stdout + result.stderr
    assert '"id"' in result.stdout  # the file inside the folder is still read


def test_each_refused_ref_is_an_error_at_its_location(machine: dict[str, Path]) -> None:
    spec = machine["api"] / "openapi.yaml"
    escapes = _escapes(machine)
    spec.write_text(spec_with_refs(escapes))
    loaded = load_spec(str(spec), use_cache=False)
    refused = [p for p in loaded.problems if p.severity == "error" and "refused" in p.message]
    assert len(refused) == len(escapes), [p.message for p in loaded.problems]
    for problem, ref in zip(sorted(refused, key=lambda p: p.pointer), escapes, strict=True):
        assert ref in problem.message or ref.rsplit("/", 1)[-1] in problem.message
        assert "openapi.yaml:" in problem.location  # file:line of the $ref itself
    assert SECRET not in repr(loaded.document)


def test_devices_and_fifos_are_refused_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    os.symlink("/dev/zero", tmp_path / "zero.yaml")
    (tmp_path / "folder.yaml").mkdir()
    spec = tmp_path / "openapi.yaml"
    spec.write_text(spec_with_refs(["pipe.yaml", "zero.yaml", "/dev/zero", "folder.yaml", "."]))
    # --ref-root /dev lets the device through the folder rule: its type alone must stop it.
    # A hang or a multi-GB read fails this subprocess's time bound instead of passing.
    result = toolcheck("check", str(spec), "--format", "json", "--ref-root", "/dev",
                       env={"TOOLCHECK_NO_CACHE": "1"}, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stdout.count("a FIFO, not a regular file") == 1, result.stdout
    assert result.stdout.count("a device, not a regular file") == 2, result.stdout
    assert result.stdout.count("a directory, not a regular file") == 2, result.stdout


def test_a_device_named_as_the_root_is_refused(tmp_path: Path) -> None:
    result = toolcheck("check", "/dev/zero", timeout=60)
    assert result.returncode == 2 and "not a regular file" in result.stderr


def test_total_size_of_referenced_files_is_bounded(tmp_path: Path) -> None:
    body = "type: object\ndescription: " + "x" * 6000 + "\n"
    for i in range(5):
        (tmp_path / f"big{i}.yaml").write_text(body)
    spec = tmp_path / "openapi.yaml"
    spec.write_text(spec_with_refs([f"big{i}.yaml" for i in range(5)]))
    os.environ["TOOLCHECK_MAX_SPEC_MB"] = str(10_000 / 1048576)  # 10 kB a file, 20 kB in all
    try:
        loaded = load_spec(str(spec), use_cache=False)
    finally:
        del os.environ["TOOLCHECK_MAX_SPEC_MB"]
    over = [p for p in loaded.problems if "together are over" in p.message]
    assert over, [p.message for p in loaded.problems]


def test_ref_root_widens_what_refs_may_read(machine: dict[str, Path]) -> None:
    spec = machine["api"] / "openapi.yaml"
    spec.write_text(spec_with_refs(["../../outside/secret.yaml"]))
    denied = toolcheck("check", str(spec), env={"TOOLCHECK_NO_CACHE": "1"})
    assert denied.returncode == 1 and "--ref-root" in denied.stdout + denied.stderr
    allowed = toolcheck("check", str(spec), "--ref-root", str(machine["outside"]), env={"TOOLCHECK_NO_CACHE": "1"})
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def test_the_git_work_tree_holding_the_spec_is_readable(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "error.yaml").write_text("type: object\n")
    (tmp_path / "api").mkdir()
    spec = tmp_path / "api" / "openapi.yaml"
    spec.write_text(spec_with_refs(["../common/error.yaml"]))
    assert any("refused" in p.message for p in load_spec(str(spec), use_cache=False).problems)
    git(tmp_path, "init", "-q")
    assert not load_spec(str(spec), use_cache=False).problems
    (tmp_path / ".git" / "config.yaml").write_text(f"description: {SECRET}\n")
    spec.write_text(spec_with_refs(["../.git/config.yaml"]))
    assert any("dot" in p.message for p in load_spec(str(spec), use_cache=False).problems)


@pytest.mark.parametrize("command", ["check", "tools", "lint", "policy", "init", "serve-mcp", "drift", "fuzz",
                                     "payloads", "replay", "mock", "run"])
def test_every_command_that_loads_specs_takes_ref_root(command: str) -> None:
    result = toolcheck(command, "--help")
    assert "--ref-root" in result.stdout, result.stdout


# --- remote specs -----------------------------------------------------------------------------

class _Files(http.server.SimpleHTTPRequestHandler):
    routes: dict[str, tuple[int, str]] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status, body = self.routes.get(self.path, (404, "missing"))
        self.send_response(status)
        if status in (301, 302, 307):
            self.send_header("Location", body)
            body = ""
        self.send_header("Content-Length", str(len(body.encode())))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


def _serve(routes: dict[str, tuple[int, str]]) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = type("Handler", (_Files,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def two_origins() -> Iterator[tuple[dict[str, tuple[int, str]], str, dict[str, tuple[int, str]], str]]:
    mine: dict[str, tuple[int, str]] = {}
    other: dict[str, tuple[int, str]] = {}
    a, a_url = _serve(mine)
    b, b_url = _serve(other)
    try:
        yield mine, a_url, other, b_url
    finally:
        a.shutdown()
        b.shutdown()
        a.server_close()
        b.server_close()


def test_a_remote_spec_never_reaches_local_files_nor_other_origins(
    machine: dict[str, Path], two_origins: tuple[dict[str, tuple[int, str]], str, dict[str, tuple[int, str]], str],
) -> None:
    mine, a_url, other, b_url = two_origins
    other["/leak.yaml"] = (200, f"description: {SECRET}\n")
    mine["/ok.yaml"] = (200, "type: object\n")
    mine["/hop.yaml"] = (302, f"{b_url}/leak.yaml")
    refs = ["ok.yaml", (machine["outside"] / "secret.yaml").as_uri(), f"{b_url}/leak.yaml", "hop.yaml",
            str(machine["outside"] / "secret.yaml")]
    mine["/openapi.yaml"] = (200, spec_with_refs(refs))
    loaded = load_spec(f"{a_url}/openapi.yaml", allow_network=True, use_cache=False)
    assert SECRET not in repr(loaded.document)
    errors = [p.message for p in loaded.problems if p.severity == "error"]
    assert any("local files" in m for m in errors), errors
    assert sum("own origin" in m for m in errors) == 2, errors  # direct, and through a redirect
    assert len(errors) == 4, errors  # the absolute path is a same-origin URL: 404, not a local file


def test_a_git_spec_reads_no_local_file(machine: dict[str, Path]) -> None:
    repo = machine["api"].parent
    git(repo, "init", "-q")
    (machine["api"] / "openapi.yaml").write_text(spec_with_refs([(machine["outside"] / "secret.yaml").as_uri()]))
    git(repo, "add", "api/openapi.yaml")
    git(repo, "commit", "-q", "-m", "x")
    result = toolcheck("tools", "git:HEAD:api/openapi.yaml", cwd=repo, env={"TOOLCHECK_NO_CACHE": "1"})
    assert SECRET not in result.stdout + result.stderr
    loaded_problems = toolcheck("check", "git:HEAD:api/openapi.yaml", cwd=repo, env={"TOOLCHECK_NO_CACHE": "1"})
    assert "same revision" in loaded_problems.stdout


def test_check_strict_reads_refs_through_the_same_rules(machine: dict[str, Path]) -> None:
    """openapi-spec-validator resolves $refs itself: it must not get its own file handler."""
    (machine["outside"] / "response.yaml").write_text(f"description: ok\ncontent: {SECRET}\n")
    spec = machine["api"] / "openapi.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
                    f"        '200': {{$ref: '{machine['outside'] / 'response.yaml'}'}}\n")
    result = toolcheck("check", "--strict", str(spec), env={"TOOLCHECK_NO_CACHE": "1"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert "strict: the validator stopped" in result.stdout and "refused" in result.stdout
