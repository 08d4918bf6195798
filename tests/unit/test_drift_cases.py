"""The oasdiff ground-truth pairs in ../shared/drift-cases, scored as their README says.

Breaking cases must be reported as breaking (an error or warning) with the expected oasdiff
ids among the findings' mapped ids; negative cases (scope ``all``, nothing expected) must have
no error or warning; recall of the expected ids over all cases must reach 90%.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NEEDS_SHARED, SHARED
from toolcheck.drift import diff
from toolcheck.spec import load_spec

CASES_DIR = SHARED / "drift-cases"
CASES = sorted(p for p in CASES_DIR.iterdir() if (p / "expected.json").is_file()) if CASES_DIR.is_dir() else []
pytestmark = pytest.mark.skipif(not CASES, reason=NEEDS_SHARED)


def _run(case: Path) -> tuple[dict[str, Any], collections.Counter[str], bool]:
    expected = json.loads((case / "expected.json").read_text())
    report = diff(load_spec(str(case / "base.yaml"), use_cache=False),
                  load_spec(str(case / "revision.yaml"), use_cache=False))
    got: collections.Counter[str] = collections.Counter()
    for f in report.findings:
        for oid in set(f.oasdiff):
            got[oid] += max(1, len(f.operations))
    breaking = any(f.level in ("error", "warning") for f in report.findings)
    return expected, got, breaking


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path) -> None:
    expected, got, breaking = _run(case)
    ids = {e["id"] for e in expected["expected"]}
    if expected["breaking"]:
        assert breaking, f"{case.name}: expected a breaking finding"
        blocking = {e["id"] for e in expected["expected"] if e["level"] in ("ERR", "WARN")}
        missing = {i for i in blocking if not got[i]}
        assert not missing, f"{case.name}: breaking ids not reported: {missing}"
    elif expected["checks_scope"] == "all" and not ids:
        assert not breaking, f"{case.name}: negative case reported as breaking"
    else:
        # INFO-only single-check cases: the expected changelog ids must be there too
        assert ids <= set(got), f"{case.name}: not reported: {ids - set(got)}"


def test_recall_of_expected_oasdiff_ids() -> None:
    hit = total = hit_multi = total_multi = 0
    for case in CASES:
        expected, got, _ = _run(case)
        counts = collections.Counter(e["id"] for e in expected["expected"])
        total += len(counts)
        hit += sum(1 for i in counts if got[i])
        total_multi += sum(counts.values())
        hit_multi += sum(min(n, got[i]) for i, n in counts.items())
    recall = hit / total
    print(f"\ndrift-cases recall: {hit}/{total} distinct ids = {recall:.1%}; "
          f"with multiplicity {hit_multi}/{total_multi} = {hit_multi / total_multi:.1%}")
    assert recall >= 0.9


def test_precision_is_reported() -> None:
    """Precision on `all` + `exact` + WARN cases (README scoring); printed, not asserted: toolcheck
    deliberately reports more than oasdiff (content parameters, operationId, security scheme type)."""
    true_pos = false_pos = 0
    for case in CASES:
        expected = json.loads((case / "expected.json").read_text())
        if (expected["checks_scope"], expected["assertion"], expected["min_level"]) != ("all", "exact", "WARN"):
            continue
        report = diff(load_spec(str(case / "base.yaml")), load_spec(str(case / "revision.yaml")))
        left = collections.Counter(e["id"] for e in expected["expected"])
        for f in report.findings:
            if f.level == "info":
                continue
            hit = next((i for i in f.oasdiff if left[i] > 0), None)
            if hit is None:
                false_pos += 1
            else:
                left[hit] -= 1
                true_pos += 1
    print(f"\ndrift-cases precision (all/exact/WARN): {true_pos}/{true_pos + false_pos}")
    assert true_pos > 0
