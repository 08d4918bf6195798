"""The composite action passes every input to bash through `env:`, never pasted into the script.

Before issue 12, `${{ inputs.version }}` sat inside the install script (a quote in it was bash
code), and an unbalanced quote in `command` ended in a Python traceback with exit 1, not exit 2.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _steps() -> list[dict[str, Any]]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    steps: list[dict[str, Any]] = action["runs"]["steps"]
    return steps


def _expand(text: str, values: dict[str, str]) -> str:
    """What the runner does with `${{ ... }}` in `env:` values (a plain substitution)."""
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: values[m.group(1)], text)


def _run_step(name: str, inputs: dict[str, str], tmp_path: Path, path_prefix: str | None = None) -> subprocess.CompletedProcess[str]:
    [step] = [s for s in _steps() if s.get("name") == name]
    values = {f"inputs.{k}": v for k, v in inputs.items()} | {"github.action_path": str(ROOT)}
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update({k: _expand(str(v), values) for k, v in (step.get("env") or {}).items()})
    env["GITHUB_OUTPUT"] = str(tmp_path / "github_output")
    # The action runs after setup-python and the install: `python` and `toolcheck` are on PATH.
    env["PATH"] = os.pathsep.join([*([path_prefix] if path_prefix else []), str(Path(sys.executable).parent), env["PATH"]])
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)


def test_no_expression_is_pasted_into_a_script() -> None:
    for step in _steps():
        assert "${{" not in str(step.get("run", "")), step.get("name")


def test_a_hostile_version_is_refused_not_run(tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    log = tmp_path / "argv.txt"
    (fake / "python").write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {log}\n")
    (fake / "python").chmod(0o755)
    hostile = 'x"; touch pwned; echo "\n::stop-commands::forged'
    done = _run_step("Install toolcheck", {"version": hostile}, tmp_path, path_prefix=str(fake))
    # refused as a whole: not run as code, not installed, not echoed into the log (a newline in it
    # would forge a workflow command)
    assert done.returncode == 2, done.stdout + done.stderr
    assert not (tmp_path / "pwned").exists() and not log.exists()
    assert "stop-commands" not in done.stdout + done.stderr
    pinned = _run_step("Install toolcheck", {"version": "1.2.3"}, tmp_path, path_prefix=str(fake))
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr
    assert log.read_text().splitlines() == ["-m", "pip", "install", "-q", "--", "toolcheck-cli==1.2.3"]


def test_an_unbalanced_quote_in_command_is_exit_2_with_a_message(tmp_path: Path) -> None:
    done = _run_step("Run toolcheck", {"command": "check 'openapi.yaml"}, tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "cannot be split" in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "github_output").read_text().strip() == "exit-code=2"


def test_a_command_with_shell_syntax_runs_nothing_else(tmp_path: Path) -> None:
    done = _run_step("Run toolcheck", {"command": "--version; touch pwned $(touch pwned2)"}, tmp_path)
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()
    assert done.returncode == 2, done.stdout + done.stderr  # toolcheck itself refuses the extra arguments
