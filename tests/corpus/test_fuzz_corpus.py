"""`fuzz --mock` over every real spec: no crash, no hang, bounded memory, a request budget respected."""

from __future__ import annotations

import csv
import resource
from pathlib import Path

import pytest

from toolcheck.fuzz import Fuzzer, FuzzOptions, make_client
from toolcheck.fuzz.http import mock_credentials
from toolcheck.spec import load_spec

from ..conftest import NEEDS_SHARED, SPECS, shared_specs_available

# A budget in requests, not seconds: the same work on an idle or a loaded machine (how fast it
# goes is benchmarks/' business). A chain in flight (create, read, delete) may end past it.
BUDGET = 120
SLACK = 10


def _files() -> list[str]:
    if not shared_specs_available():
        return []
    with open(SPECS / "MANIFEST.tsv", encoding="utf-8") as handle:
        return [row["file"] for row in csv.DictReader(handle, delimiter="\t")]


@pytest.mark.corpus
@pytest.mark.skipif(not shared_specs_available(), reason=NEEDS_SHARED)
@pytest.mark.parametrize("name", _files())
def test_fuzz_mock_is_bounded(name: str) -> None:
    from toolcheck.mock import MockTransport

    spec = load_spec(str(SPECS / name))
    client = make_client("http://mock.toolcheck", transport=MockTransport(spec, seed=1), timeout=5)
    fuzzer = Fuzzer(spec, client, base_url="http://mock.toolcheck", auth=mock_credentials(spec),
                    options=FuzzOptions(seed=1, max_requests=BUDGET, invalid_credentials=False))
    findings = fuzzer.run(list(spec.operations))
    assert fuzzer.stats.cases <= BUDGET + SLACK
    if spec.operations:
        assert fuzzer.stats.cases > 0
    if fuzzer.stats.cases >= BUDGET:  # cut by the budget: never reported as a complete run
        assert fuzzer.stats.budget_hit
    # the mock answers everything: a transport error here would be a bug in toolcheck
    assert not [f for f in findings if f.failure.check == "transport_error"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < 1024


def _largest(n: int) -> list[str]:
    if not shared_specs_available():
        return []
    with open(SPECS / "MANIFEST.tsv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t") if r.get("size_bytes", "").isdigit()]
    rows.sort(key=lambda r: -int(r["size_bytes"]))
    return [r["file"] for r in rows[:n]]


@pytest.mark.corpus
@pytest.mark.skipif(not shared_specs_available(), reason=NEEDS_SHARED)
@pytest.mark.parametrize("name", _largest(3))
def test_fuzz_mock_cli_on_the_largest_specs_writes_reports(name: str, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from toolcheck.cli import app

    result = CliRunner().invoke(app, ["fuzz", str(SPECS / name), "--mock", "--seed", "1", "--max-time", "1",
                                      "--reports", str(tmp_path), "-q"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"]["requests"] > 0 and report["summary"]["time_budget_hit"] is True
    assert (tmp_path / "report.html").stat().st_size > 0 and (tmp_path / "fuzz-findings.json").is_file()
