"""Drift over the real specs: diff(s, s) is empty, and the real spec pairs give a changelog.

Bounded: each spec is loaded twice (the second time without the cache, so the two documents
are distinct objects) and must diff within a generous per-spec budget; the biggest specs are
sampled unless TOOLCHECK_CORPUS_FULL is set.
"""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NEEDS_SHARED, SPECS, shared_specs_available
from toolcheck.drift import diff
from toolcheck.drift.formats import to_changelog
from toolcheck.errors import SpecLoadError
from toolcheck.spec import load_spec

pytestmark = [pytest.mark.corpus, pytest.mark.skipif(not shared_specs_available(), reason=NEEDS_SHARED)]
BUDGET_S = 20.0
BIG = 2_500_000


def _entries() -> list[tuple[str, int]]:
    if not shared_specs_available():
        return []
    with open(SPECS / "MANIFEST.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out = []
    for row in rows:
        size = int(row.get("size_bytes") or 0)
        if size > BIG and not os.environ.get("TOOLCHECK_CORPUS_FULL"):
            continue  # the big pairs are covered by the pair tests below
        out.append((row["file"], size))
    return out


@pytest.mark.parametrize("name", [n for n, _ in _entries()])
def test_diff_of_a_spec_with_itself_is_empty(name: str) -> None:
    path = SPECS / name
    try:
        a = load_spec(str(path))
        b = load_spec(str(path), use_cache=False)
    except SpecLoadError as exc:  # loading is the spec package's concern
        pytest.skip(f"not loadable: {exc}")
    assert a.document is not b.document
    started = time.perf_counter()
    report = diff(a, b)
    assert time.perf_counter() - started < BUDGET_S
    assert report.findings == (), [f.message for f in report.findings[:5]]


PAIRS = sorted(p for p in (SPECS / "pairs").iterdir() if (p / "meta.json").is_file()) if (SPECS / "pairs").is_dir() else []


def _side(pair: Path, meta: dict[str, Any], side: str) -> Path:
    return pair / str(meta[side]["file"])


@pytest.mark.parametrize("pair", PAIRS, ids=[p.name for p in PAIRS])
def test_real_pairs_give_a_plausible_changelog(pair: Path) -> None:
    meta = json.loads((pair / "meta.json").read_text())
    old = load_spec(str(_side(pair, meta, "old")))
    new = load_spec(str(_side(pair, meta, "new")))
    report = diff(old, new)
    summary = meta["drift_summary"]
    removed_ops = [f for f in report.findings if f.rule in (
        "operation-removed", "operation-removed-deprecated", "operation-removed-before-sunset",
        "path-removed", "path-removed-deprecated", "path-removed-before-sunset")]
    moved = [f for f in report.findings if f.rule == "operation-moved"]
    assert len(removed_ops) + len(moved) == summary["operations_removed"]
    added = [f for f in report.findings if f.rule == "operation-added"]
    assert len(added) + len(moved) == summary["operations_added"]
    removed_schemas = {f.before for f in report.findings if f.rule == "api-schema-removed"}
    assert len(removed_schemas) == summary["schemas_removed"]
    if summary["schemas_changed"]:
        assert any(f.operations for f in report.findings)  # shared component changes reached operations
    text = to_changelog(report)
    assert text.count("\n## ") >= min(summary["operations_added"], 1)


@pytest.mark.parametrize("name", [n for n, size in _entries() if size < 1_500_000])
def test_a_spec_and_its_31_rewrite_are_equivalent(name: str, tmp_path: Path) -> None:
    """Swagger 2.0 / OpenAPI 3.0 specs against their 3.1 form (the loader's normalised document)."""
    try:
        original = load_spec(str(SPECS / name))
    except SpecLoadError as exc:
        pytest.skip(f"not loadable: {exc}")
    document = dict(original.document, openapi="3.1.0")
    rewritten = tmp_path / "rewritten.json"
    rewritten.write_text(json.dumps(document, default=str))
    report = diff(original, load_spec(str(rewritten), use_cache=False))
    assert [f.message for f in report.findings if f.level != "info"] == []
