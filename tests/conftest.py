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
