"""Output without a terminal (a CI log): no hard wrap at 80 columns (issue 17).

A suggested command or a path split over two lines cannot be copied from the log.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "agent-tools" / "openapi.yaml"


def test_a_suggested_command_stays_on_one_line_in_a_log(tmp_path: Path) -> None:
    out = tmp_path / "a-rather-long-directory-name-for-the-scaffolded-scenarios" / "of-this-api"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["NO_COLOR"] = "1"
    # stdout and stderr are pipes: no terminal, as in CI
    proc = subprocess.run([sys.executable, "-m", "toolcheck", "init", str(SPEC), "--out", str(out)],
                          env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout + proc.stderr
    expected = f"next: toolcheck run {out} --mock && toolcheck policy {SPEC} --scenarios {out}"
    assert len(expected) > 160
    assert expected in text.splitlines(), text
    for line in text.splitlines():
        assert line == line.rstrip(), "no padding to a made-up width"
