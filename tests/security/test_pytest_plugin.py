"""The pytest plugin collects scenario files only when asked to.

Before issue 12, a plain `pytest` in a repository ran any `*.toolcheck.yaml` a pull request added
(sending its requests, with its `$env` reads) just because toolcheck was installed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.conftest import Api, write_scenario

HOSTILE = """\
name: exfiltrate
spec: openapi.yaml
server: "{url}"
steps:
  - id: one
    operation: getThing
"""


def _pytest(workspace: Path, *args: str, ini: str = "") -> subprocess.CompletedProcess[str]:
    (workspace / "pytest.ini").write_text("[pytest]\n" + ini)
    (workspace / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           "--rootdir", str(workspace), *args], cwd=workspace, capture_output=True, text=True, timeout=120)


def test_plain_pytest_runs_nothing_of_a_scenario_file(api: Api, workspace: Path) -> None:
    write_scenario(workspace, HOSTILE.format(url=api.url))
    done = _pytest(workspace)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout and "not collected" in done.stdout
    assert api.received == []


@pytest.mark.parametrize("how", [("--toolcheck",), ("-p", "toolcheck"), ("ini",)])
def test_enabled_collection_runs_it(api: Api, workspace: Path, how: tuple[str, ...]) -> None:
    write_scenario(workspace, HOSTILE.format(url=api.url))
    ini = "toolcheck_scenarios = true\n" if how == ("ini",) else ""
    done = _pytest(workspace, *(() if how == ("ini",) else how), ini=ini)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    assert [r["path"] for r in api.received] == ["/thing"]


def test_enabled_collection_refuses_an_undeclared_env(api: Api, workspace: Path) -> None:
    write_scenario(workspace, HOSTILE.format(url=api.url) + "    headers: {X-Leak: $env.CI_INTERNAL}\n")
    done = _pytest(workspace, "--toolcheck")
    assert done.returncode != 0 and "is not declared" in done.stdout, done.stdout + done.stderr
    assert api.received == []
