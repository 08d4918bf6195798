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


def test_old_option_spellings_still_work_and_say_the_new_one(tmp_path: Path) -> None:
    """One option vocabulary (issue 17): --report-format, --reports DIR, --out, -o = --operation."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    scenarios = ROOT / "scenarios" / "customers.toolcheck.yaml"
    old = subprocess.run([sys.executable, "-m", "toolcheck", "run", str(scenarios), "--mock", "--reports", "r",
                          "--format", "json"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert old.returncode == 0, old.stdout + old.stderr
    assert "warning: run --format is deprecated: use --report-format" in old.stderr
    assert [p.name for p in (tmp_path / "r").iterdir()] == ["report.json"]
    drift = subprocess.run([sys.executable, "-m", "toolcheck", "drift", str(SPEC), str(SPEC), "-o", "d.txt",
                            "--report-dir", "dr", "--reports", "json"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)
    assert drift.returncode == 0, drift.stdout + drift.stderr
    assert "drift --output/-o is deprecated: use --out" in drift.stderr
    assert "drift --report-dir is deprecated: use --reports" in drift.stderr
    assert "drift --reports FORMATS is deprecated: use --report-format FORMATS" in drift.stderr
    assert (tmp_path / "d.txt").is_file() and [p.name for p in (tmp_path / "dr").iterdir()] == ["report.json"]
    new = subprocess.run([sys.executable, "-m", "toolcheck", "drift", str(SPEC), str(SPEC), "--out", "e.txt",
                          "--reports", "er", "--report-format", "junit"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert new.returncode == 0 and "deprecated" not in new.stderr, new.stderr
    assert (tmp_path / "e.txt").is_file() and [p.name for p in (tmp_path / "er").iterdir()] == ["junit.xml"]
