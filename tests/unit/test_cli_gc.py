"""The collector around a `toolcheck run` process: paused while it starts, on while steps run.

Start-up objects (modules, the spec, the scenarios) are frozen rather than collected again and
again; the steps must run with the collector on (long runs make garbage), and callers of
``main([...])`` inside their own process keep their collector untouched.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SPEC = Path(__file__).resolve().parents[2] / "examples" / "agent-tools" / "openapi.yaml"


def _scenario(tmp_path: Path) -> Path:
    scenario = tmp_path / "gc.toolcheck.yaml"
    scenario.write_text(f"name: gc\nspec: {SPEC}\nsteps:\n  - id: list\n    operation: list_tasks\n")
    return scenario


def _last_lines(code: str) -> list[str]:
    """The last two lines a fresh interpreter prints running ``code`` (stderr shown on failure)."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    lines = out.stdout.strip().splitlines()[-2:]
    if len(lines) < 2 or not lines[0].startswith("exit"):
        raise AssertionError(out.stdout + out.stderr)
    return lines


def test_a_run_process_runs_its_steps_with_the_collector_on(tmp_path: Path) -> None:
    code = ("import gc, sys\n"
            "import toolcheck.scenarios as scenarios\n"
            "seen = []\n"
            "original = scenarios.run_units\n"
            "def run_units(*args, **kwargs):\n"
            "    seen.append((gc.isenabled(), gc.get_freeze_count() > 0))\n"
            "    return original(*args, **kwargs)\n"
            "scenarios.run_units = run_units\n"
            f"sys.argv = ['toolcheck', 'run', {str(_scenario(tmp_path))!r}, '--mock', '--no-reports', '-q']\n"
            "from toolcheck.cli import main\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    print('exit', exc.code)\n"
            "print(seen)\n")
    assert _last_lines(code) == ["exit 0", "[(True, True)]"]


def test_main_called_in_process_leaves_the_collector_alone(tmp_path: Path) -> None:
    # In a fresh interpreter: in the test process, other tests' mock servers (hot reload
    # re-freezes the spec) may change the freeze count at any moment.
    code = ("import gc\n"
            "from toolcheck.cli import main\n"
            "frozen = gc.get_freeze_count()\n"
            "try:\n"
            f"    main(['run', {str(_scenario(tmp_path))!r}, '--mock', '--no-reports', '-q'])\n"
            "except SystemExit as exc:\n"
            "    print('exit', exc.code)\n"
            "print(gc.isenabled(), gc.get_freeze_count() == frozen)\n")
    assert _last_lines(code) == ["exit 0", "True True"]
