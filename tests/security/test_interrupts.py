"""Ctrl-C twice, or SIGTERM, still leaves readable reports of what finished (real processes, real signals).

Before issue 12, a second Ctrl-C during `run` landed in report writing and left no HTML, and
`fuzz` died on SIGTERM (or a double Ctrl-C) without writing any report.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.security.conftest import TOOLCHECK, Api, write_scenario

FIRST_NOTICE = "interrupted: stopping"


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")}
    env["NO_COLOR"] = "1"
    return subprocess.Popen([*TOOLCHECK, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_for(predicate: Callable[[], bool], proc: subprocess.Popen[str], what: str) -> None:
    for _ in range(1200):  # a hang guard of ~60 s, not a speed check
        if predicate():
            return
        if proc.poll() is not None:
            raise AssertionError(f"the process ended before {what}: {proc.communicate()}")
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"never saw {what}")


def _read_line_with(proc: subprocess.Popen[str], needle: str) -> None:
    assert proc.stderr is not None
    seen = ""
    deadline = 1200
    while deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 0.05)
        if ready:
            line = proc.stderr.readline()
            seen += line
            if needle in line:
                return
            if not line and proc.poll() is not None:
                break
        deadline -= 1
    proc.kill()
    raise AssertionError(f"never saw {needle!r} on stderr: {seen!r}")


def _readable(folder: Path, *, findings: bool = False) -> dict[str, Any]:
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    ET.parse(folder / "junit.xml")
    assert "</html>" in (folder / "report.html").read_text(encoding="utf-8")
    if findings:
        json.loads((folder / "fuzz-findings.json").read_text(encoding="utf-8"))
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]  # atomic: no temp file left behind
    assert isinstance(report, dict)
    return report


def _run_scenarios(workspace: Path) -> None:
    write_scenario(workspace, "name: quick\nspec: openapi.yaml\nsteps:\n  - {id: one, operation: getThing}\n",
                   name="a.toolcheck.yaml")
    write_scenario(workspace, "name: stuck\nspec: openapi.yaml\nsteps:\n  - {id: one, operation: getSlow, timeout: 60}\n",
                   name="b.toolcheck.yaml")


@pytest.mark.parametrize("gap", [0.0, 0.05])
def test_run_double_ctrl_c_leaves_every_report(api: Api, workspace: Path, gap: float) -> None:
    api.delay = 30.0  # the second scenario hangs on /slow
    _run_scenarios(workspace)
    proc = _start(["run", "a.toolcheck.yaml", "b.toolcheck.yaml", "--base-url", api.url, "--reports", "r"], workspace)
    _wait_for(lambda: any(r["path"] == "/slow" for r in api.received), proc, "the request to /slow")
    proc.send_signal(signal.SIGINT)
    time.sleep(gap)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    report = _readable(workspace / "r")
    assert report["interrupted"] is True
    assert [s["name"] for s in report["suites"]] == ["quick"]  # what finished, and only that


def test_run_second_ctrl_c_during_report_writing_is_acknowledged(api: Api, workspace: Path) -> None:
    api.delay = 30.0
    _run_scenarios(workspace)
    proc = _start(["run", "a.toolcheck.yaml", "b.toolcheck.yaml", "--base-url", api.url, "--reports", "r"], workspace)
    _wait_for(lambda: any(r["path"] == "/slow" for r in api.received), proc, "the request to /slow")
    proc.send_signal(signal.SIGINT)
    _read_line_with(proc, FIRST_NOTICE)  # the run is now stopping and about to write its reports
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    _readable(workspace / "r")


@pytest.mark.parametrize("signals", [(signal.SIGTERM,), (signal.SIGINT, signal.SIGINT), (signal.SIGTERM, signal.SIGINT)])
def test_fuzz_writes_its_reports_when_stopped(api: Api, workspace: Path, signals: tuple[int, ...]) -> None:
    api.delay = 30.0
    proc = _start(["fuzz", "openapi.yaml", "--base-url", api.url, "--reports", "f", "--seed", "3", "--workers", "1",
                   "--operation", "getSlow", "--timeout", "60"], workspace)
    _wait_for(lambda: sum(r["path"] == "/slow" for r in api.received) >= 1, proc, "a request to /slow")
    for sig in signals:
        proc.send_signal(sig)
        time.sleep(0.05)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    _readable(workspace / "f", findings=True)
