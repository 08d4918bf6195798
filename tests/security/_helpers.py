"""Shared helpers for the hostile-input regression tests (loopback and temporary folders only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def toolcheck(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess, as CI would."""
    return subprocess.run(
        [sys.executable, "-m", "toolcheck", *args],
        capture_output=True, text=True, timeout=timeout, cwd=cwd, stdin=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})},
    )


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})


SPEC = """openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /items:
    get:
      operationId: list_items
      responses:
        "200": {description: ok}
"""
