"""What a new user installs (issue 17): the distribution name, the action's install step, LICENSE.

"toolcheck" on the public package index is an unrelated package, so every install instruction
must name this project's distribution, and the GitHub action must install its own checkout.
"""
from __future__ import annotations

import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DIST = PYPROJECT["project"]["name"]


def test_the_distribution_is_not_the_unrelated_toolcheck_package() -> None:
    assert DIST != "toolcheck"
    assert PYPROJECT["project"]["scripts"]["toolcheck"] == "toolcheck.cli:main"


def _install_lines() -> list[tuple[str, str]]:
    files = [ROOT / "README.md", ROOT / "action.yml", *sorted((ROOT / "docs").glob("*.md")),
             *sorted((ROOT / "src" / "toolcheck").rglob("*.py"))]
    out = []
    for path in files:
        for line in path.read_text().splitlines():
            if "pip install" in line:
                out.append((path.name, line))
    return out


def test_every_install_instruction_names_this_distribution() -> None:
    lines = _install_lines()
    assert lines
    for name, line in lines:
        # the arguments of each `pip install`, up to the end of that shell command
        for args in re.findall(r"pip install([^&;|#`)\n]*)", line):
            for word in args.split():
                if re.fullmatch(r"toolcheck(\[[\w,]+\])?([=<>!~].*)?", word.strip("'\"")):
                    pytest.fail(f"{name}: installs the unrelated 'toolcheck' package: {line.strip()}")
        if "toolcheck-" in line or "toolcheck_" in line:
            assert DIST in line, (name, line)


def _install_step() -> dict[str, Any]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    return next(s for s in steps if "pip install" in s.get("run", ""))


def _run_install(tmp_path: Path, version: str) -> tuple[int, list[str], str]:
    """Run the action's install script with `python` replaced by a recorder of its arguments."""
    step = _install_step()
    assert "${{" not in step["run"], "inputs must reach the script through env, not be pasted into it"
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    log = tmp_path / "calls"
    fake = bindir / "python"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "TOOLCHECK_VERSION": version,
           "TOOLCHECK_ACTION_PATH": "/checkout/of/the/action"}
    assert set(step["env"]) == {"TOOLCHECK_VERSION", "TOOLCHECK_ACTION_PATH"}
    assert step["env"]["TOOLCHECK_ACTION_PATH"] == "${{ github.action_path }}"
    proc = subprocess.run(["bash", "-c", step["run"]], env=env, capture_output=True, text=True,
                          timeout=30, check=False)
    calls = log.read_text().splitlines() if log.exists() else []
    return proc.returncode, calls, proc.stdout + proc.stderr


def test_the_action_installs_its_own_checkout_by_default(tmp_path: Path) -> None:
    code, calls, _ = _run_install(tmp_path, "")
    assert code == 0
    assert calls == ["-m pip install -q -- /checkout/of/the/action"]


def test_the_action_version_input_is_a_pin_of_this_distribution(tmp_path: Path) -> None:
    code, calls, _ = _run_install(tmp_path, "0.1.0")
    assert code == 0
    assert calls == [f"-m pip install -q -- {DIST}==0.1.0"]


@pytest.mark.parametrize("version", ["toolcheck", "toolcheck>=0.1", "0.1; touch /tmp/x", "$(id)",
                                     "git+https://example.com/x"])
def test_the_action_refuses_anything_but_a_release_number(tmp_path: Path, version: str) -> None:
    code, calls, out = _run_install(tmp_path, version)
    assert code == 2
    assert calls == []
    assert "release number" in out


def test_the_license_file_matches_pyproject() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "WITHOUT WARRANTY OF ANY KIND" in text
