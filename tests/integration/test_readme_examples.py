"""The README's example commands work as printed (issue 17).

Every `toolcheck ...` line of the README's bash blocks that needs nothing outside this
repository (no live server, no placeholder file such as `openapi.yaml` or `old.yaml`, no
long-running server command) is run in a copy of the bundled example and must exit 0; the
README's own `policy ... --scenarios scenarios/` must say the policy is met.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVERS = {"mock", "serve-mcp"}  # they serve until stopped
NEEDS_A_LIVE_API = {"run", "fuzz"}  # unless --mock


def _commands() -> list[tuple[int, list[str]]]:
    text = (ROOT / "README.md").read_text()
    out: list[tuple[int, list[str]]] = []
    for block in re.finditer(r"^```bash\n(.*?)^```", text, re.M | re.S):
        first = text.count("\n", 0, block.start(1)) + 1
        for offset, line in enumerate(block.group(1).splitlines()):
            if line.startswith("toolcheck "):
                out.append((first + offset, shlex.split(line, comments=True)))
    return out


def _runnable(argv: list[str], cwd: Path) -> str | None:
    """Why the command cannot run here, or None."""
    command = argv[1]
    if command in SERVERS:
        return "a server"
    if command in NEEDS_A_LIVE_API and "--mock" not in argv:
        return "needs a live API"
    if any(arg.startswith("git:") for arg in argv):
        return "needs git history"
    options_with_outputs = {"--out", "-o", "--reports"}
    for before, arg in zip(argv[1:], argv[2:], strict=False):
        if arg.startswith("-") or before in options_with_outputs:
            continue
        if "/" in arg or arg.endswith((".yaml", ".json")):
            if not (cwd / arg).exists():
                return f"{arg} is a placeholder"
    return None


def test_readme_example_commands_exit_0(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    ran: list[str] = []
    for line, argv in _commands():
        if _runnable(argv, tmp_path) is not None:
            continue
        proc = subprocess.run([sys.executable, "-m", "toolcheck", *argv[1:]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, f"README.md:{line}: {shlex.join(argv)} exited {proc.returncode}\n" \
                                     f"{proc.stdout[-3000:]}{proc.stderr[-2000:]}"
        ran.append(" ".join(argv[:2]))
        if argv[1] == "policy":
            assert "policy met" in proc.stdout
    # the examples a new user tries first really ran
    for expected in ("toolcheck check", "toolcheck run", "toolcheck init", "toolcheck policy", "toolcheck lint",
                     "toolcheck tools", "toolcheck payloads"):
        assert expected in ran, (expected, ran)


@pytest.mark.parametrize(("argv", "why"), [
    ("toolcheck mock examples/agent-tools/openapi.yaml --port 4010", "a server"),
    ("toolcheck run scenarios/ --base-url http://localhost:8000", "needs a live API"),
    ("toolcheck drift old.yaml new.yaml -f github", "old.yaml is a placeholder"),
])
def test_what_is_left_out_is_left_out_for_a_reason(tmp_path: Path, argv: str, why: str) -> None:
    assert _runnable(shlex.split(argv), tmp_path) == why
