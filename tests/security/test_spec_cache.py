"""The spec cache stands for every file a load read (issue 12, Medium) and stays bounded (issue 17).

Two folders holding the same ``openapi.yaml`` with different referenced files used to share one
cache entry: ``drift A/openapi.yaml B/openapi.yaml`` said "no breaking changes" with the cache
on and found the break with it off.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.security._helpers import toolcheck
from toolcheck.spec import _cache, load_spec

ROOT = """openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /items/{id}:
    get:
      operationId: get_item
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "item.yaml"}
"""
ITEM_A = "type: object\nrequired: [id, name]\nproperties:\n  id: {type: string}\n  name: {type: string}\n"
ITEM_B = "type: object\nrequired: [id]\nproperties:\n  id: {type: string}\n"  # `name` removed: breaking


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "A", tmp_path / "B"
    for folder, item in ((a, ITEM_A), (b, ITEM_B)):
        folder.mkdir()
        (folder / "openapi.yaml").write_text(ROOT)
        (folder / "item.yaml").write_text(item)
    return a, b


def test_drift_between_folders_with_identical_roots_finds_the_break_with_the_cache_on(tmp_path: Path) -> None:
    a, b = _folders(tmp_path)
    env = {"TOOLCHECK_CACHE_DIR": str(tmp_path / "cache")}
    toolcheck("check", str(a / "openapi.yaml"), env=env)  # fills the cache from A
    result = toolcheck("drift", str(a / "openapi.yaml"), str(b / "openapi.yaml"), env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "name" in result.stdout
    again = toolcheck("drift", str(a / "openapi.yaml"), str(b / "openapi.yaml"), env=env)  # both cached now
    assert again.returncode == 1 and again.stdout == result.stdout


def test_a_referenced_file_changed_in_place_with_its_mtime_restored_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOOLCHECK_CACHE_DIR", str(tmp_path / "cache"))
    a, _ = _folders(tmp_path)
    item = a / "item.yaml"
    first = load_spec(str(a / "openapi.yaml"))
    assert "name" in str(first.document)
    st = item.stat()
    item.write_text(ITEM_A.replace("name", "nome"))  # same size
    os.utime(item, ns=(st.st_atime_ns, st.st_mtime_ns))
    second = load_spec(str(a / "openapi.yaml"))
    assert "nome" in str(second.document)


def test_a_cached_load_still_checks_the_ref_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same root elsewhere, where its ref leaves the folder, is refused, not served from A."""
    monkeypatch.setenv("TOOLCHECK_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "item.yaml").write_text(ITEM_A)
    a = tmp_path / "A"
    a.mkdir()
    (a / "openapi.yaml").write_text(ROOT.replace("item.yaml", "../lib/item.yaml"))
    allowed = load_spec(str(a / "openapi.yaml"), ref_roots=[str(tmp_path / "lib")])
    assert not allowed.problems
    refused = load_spec(str(a / "openapi.yaml"))
    assert any("refused" in p.message for p in refused.problems)


def test_the_cache_folder_is_bounded_by_age_and_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    old = cache / "old-entry.json"
    old.write_bytes(b"x" * 100)
    month_ago = time.time() - 40 * 86_400
    os.utime(old, (month_ago, month_ago))
    for i in range(10):
        entry = cache / f"e{i}.json"
        entry.write_bytes(b"x" * 400_000)
        os.utime(entry, (time.time() - 100 + i, time.time() - 100 + i))
    monkeypatch.setenv("TOOLCHECK_CACHE_MAX_MB", "2")
    _cache.prune(cache)
    left = sorted(p.name for p in cache.iterdir())
    assert "old-entry.json" not in left
    assert sum(p.stat().st_size for p in cache.iterdir()) <= 2 * 1024 * 1024
    assert left == [f"e{i}.json" for i in range(5, 10)]  # the most recently used stay
