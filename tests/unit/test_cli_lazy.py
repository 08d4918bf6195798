"""Lazy command registration: the entry point imports only the module of the command it runs,
yet `toolcheck --help` and `toolcheck.cli.app` still carry every command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import toolcheck.cli as cli


def _names() -> set[str]:
    app = cli.app  # every command module registered
    names = {c.name or (c.callback.__name__.replace("_", "-") if c.callback else "") for c in app.registered_commands}
    return names | {g.name or "" for g in app.registered_groups}


def test_the_table_names_every_registered_command_and_its_module() -> None:
    assert _names() == set(cli.COMMANDS)
    assert set(cli.COMMANDS.values()) == set(cli.MODULES)
    app = cli.app
    for command in app.registered_commands:
        assert command.callback is not None
        name = command.name or command.callback.__name__.replace("_", "-")
        assert command.callback.__module__ == f"toolcheck.cli.{cli.COMMANDS[name]}", name


def _loaded_after(*args: str) -> tuple[list[str], str]:
    code = ("import sys\nfrom toolcheck.cli import main\n"
            f"try:\n    main({list(args)!r})\nexcept SystemExit:\n    pass\n"
            "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('toolcheck.cli.')"
            " and not m.rsplit('.', 1)[1].startswith('_')))")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    return eval(out.stdout.strip().splitlines()[-1]), out.stdout


@pytest.mark.parametrize(("args", "modules"), [
    (("run", "--help"), ["run"]),
    (("payloads", "--help"), ["fuzz"]),
    (("report", "merge", "--help"), ["report"]),
    (("--help",), sorted(cli.MODULES)),
    (("--help", "run"), sorted(cli.MODULES)),
    (("no-such-command",), sorted(cli.MODULES)),
])
def test_only_the_named_command_module_is_imported(args: tuple[str, ...], modules: list[str]) -> None:
    loaded, _ = _loaded_after(*args)
    assert loaded == modules


def test_help_lists_every_command_and_errors_stay_usage_errors() -> None:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    run = [sys.executable, "-m", "toolcheck"]
    shown = subprocess.run([*run, "--help"], capture_output=True, text=True, timeout=60, env=env)
    assert shown.returncode == 0
    for name in cli.COMMANDS:
        assert f" {name} " in shown.stdout, name
    version = subprocess.run([*run, "--version"], capture_output=True, text=True, timeout=60, env=env)
    assert version.returncode == 0 and version.stdout.startswith("toolcheck ")
    for bad in (["no-such-command"], ["run"], ["run", "--no-such-option", "x"]):
        proc = subprocess.run([*run, *bad], capture_output=True, text=True, timeout=60, env=env)
        assert proc.returncode == 2, bad
        assert "Traceback" not in proc.stderr, bad
    for name in cli.COMMANDS:
        proc = subprocess.run([*run, name, "--help"], capture_output=True, text=True, timeout=60, env=env)
        assert proc.returncode == 0 and "Usage:" in proc.stdout and f" {name} " in proc.stdout, name


def test_a_run_loads_neither_pydantic_nor_the_jsonpath_library_for_plain_paths(tmp_path: Any) -> None:
    # Start-up budget of issue 4: typer >= 0.29 coerces options through pydantic (~0.1 s), and
    # $.a.b[0] paths need no RFC 9535 library. `--list` parses every option and loads the scenario.
    spec = Path(__file__).resolve().parents[2] / "examples" / "agent-tools" / "openapi.yaml"
    scenario = tmp_path / "plain.toolcheck.yaml"
    scenario.write_text(f"name: plain\nspec: {spec}\nsteps:\n  - id: list\n    operation: list_tasks\n"
                        "    expect:\n      status: 200\n      body:\n        - {path: '$.data[0].id', exists: true}\n"
                        "        - {path: $.has_more, type: boolean}\n")
    code = ("import sys\nfrom toolcheck.cli import main\n"
            f"try:\n    main(['run', {str(scenario)!r}, '--list', '--no-reports', '-q'])\nexcept SystemExit as exc:\n"
            "    print('exit', exc.code)\n"
            "print(sorted(m for m in ('pydantic', 'jsonpath_rfc9535') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-2:] == ["exit 0", "[]"], out.stdout + out.stderr
