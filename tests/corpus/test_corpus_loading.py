"""Every spec in ../shared/specs loads with the operation count its MANIFEST lists.

`check` must exit 0 or 1 (problems are findings, not crashes) for all of them: none of the
specs in the shared corpus is expected to be unloadable; a spec that truly cannot load would
be listed in UNLOADABLE with the reason.
"""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from tests.conftest import NEEDS_SHARED, SPECS, shared_specs_available
from toolcheck.cli import app
from toolcheck.spec import load_spec

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not shared_specs_available(), reason=NEEDS_SHARED),
]

# file -> why it cannot load (exit 2 expected). Empty: every spec here loads.
UNLOADABLE: dict[str, str] = {}


def _rows() -> list[dict[str, str]]:
    if not shared_specs_available():
        return []
    with (SPECS / "MANIFEST.tsv").open() as fh:
        return [r for r in csv.DictReader(fh, delimiter="\t") if (SPECS / r["file"]).is_file()]


ROWS = _rows()


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_spec_loads_with_manifest_operation_count(row: dict[str, str]) -> None:
    path = SPECS / row["file"]
    if row["file"] in UNLOADABLE:
        result = CliRunner().invoke(app, ["check", str(path)])
        assert result.exit_code == 2
        return
    spec = load_spec(str(path), use_cache=False)
    assert len(spec.operations) == int(row["n_operations"])
    assert spec.version.startswith(row["openapi_version"].split(".")[0])
    # every problem has a usable location and a known severity
    for problem in spec.problems:
        assert problem.severity in ("error", "warning", "info")
        assert problem.location and problem.message


def test_corpus_has_specs() -> None:
    assert len(ROWS) >= 50


@pytest.mark.parametrize(
    "name",
    ["stripe-2023-09-12.yaml", "digitalocean/specification/DigitalOcean-public.v2.yaml",
     "spotify-official.yml", "slack-web-api-v2.json", "oai-petstore-separate-2.0/spec/swagger.yaml"],
)
def test_check_json_output_on_real_specs(name: str) -> None:
    if not (SPECS / name).exists():
        pytest.skip(f"{name} not in this corpus")
    row = next(r for r in ROWS if r["file"] == name)
    result = CliRunner().invoke(app, ["check", str(SPECS / name), "--format", "json", "--no-schemas"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert data["operations"] == int(row["n_operations"])
    assert data["openapi_version"]
    assert (result.exit_code == 1) == any(p["severity"] == "error" for p in data["problems"])
    for p in data["problems"]:
        assert set(p) >= {"severity", "location", "message"}


def test_dangling_external_ref_is_reported_with_its_line() -> None:
    """Spotify's spec points at ../policies.yaml, which does not exist."""
    spec = load_spec(str(SPECS / "spotify-official.yml"), use_cache=False)
    dangling = [p for p in spec.problems if p.code == "dangling-ref" and p.severity == "error"]
    assert dangling
    assert all(":" in p.location.rsplit("/", 1)[-1] for p in dangling)
    assert len(spec.operations) == 96
