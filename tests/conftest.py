from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TOOLCHECK_SHARED", ROOT.parent / "shared"))
SPECS = SHARED / "specs"
EXAMPLE_SPEC = ROOT / "examples" / "agent-tools" / "openapi.yaml"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test session gets its own spec cache, so tests never read a developer's cache."""
    monkeypatch.setenv("TOOLCHECK_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "spec-cache"))


@pytest.fixture
def example_spec_path() -> Path:
    return EXAMPLE_SPEC


def shared_specs_available() -> bool:
    return (SPECS / "MANIFEST.tsv").is_file()


# Skip reasons name what to install or put where, never an internal name (issue 17).
NEEDS_SHARED = (f"needs the shared corpus (specs/, arazzo/, drift-cases/, research/) at {SHARED}: "
                "put it there or set TOOLCHECK_SHARED to its folder")
NEEDS_CHROMIUM = ("needs a working Chromium: `apt-get install chromium` on Debian (on Ubuntu, "
                  "chromium-browser is a snap stub that cannot run here: use Debian or Google Chrome)")


def chromium_path() -> str | None:
    """A Chromium that really starts: Ubuntu's chromium-browser may be a stub asking for a snap."""
    import shutil
    import subprocess

    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path is None:
            continue
        try:
            probe = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0 and ("Chromium" in probe.stdout or "Chrome" in probe.stdout):
            return path
    return None
