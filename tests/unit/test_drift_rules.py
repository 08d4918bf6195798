"""The rule catalogue: stable ids, valid levels, oasdiff mappings that exist, docs in sync."""

from __future__ import annotations

import csv

import pytest

from tests.conftest import NEEDS_SHARED, ROOT, SHARED
from toolcheck.drift._oasdiff import OASDIFF_LEVELS
from toolcheck.drift.rules import LEVELS, RULES, catalogue_markdown, covered_oasdiff_ids

TSV = SHARED / "research" / "oasdiff-rules.tsv"


def test_rules_are_well_formed() -> None:
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id and rule.level in LEVELS
        assert rule.direction in ("request", "response", "none")
        assert rule.description and rule_id == rule_id.lower()
        assert all(i in OASDIFF_LEVELS for i in rule.oasdiff), rule_id


@pytest.mark.skipif(not TSV.is_file(), reason=NEEDS_SHARED)
def test_embedded_oasdiff_ids_match_the_research_catalogue() -> None:
    with open(TSV, newline="") as fh:
        rows = {r[0]: r[1] for r in csv.reader(fh, delimiter="\t") if r and r[0] != "id"}
    assert rows == OASDIFF_LEVELS


def test_most_breaking_oasdiff_rules_are_covered() -> None:
    breaking = {i for i, level in OASDIFF_LEVELS.items() if level != "INFO"}
    covered = covered_oasdiff_ids() & breaking
    assert len(covered) / len(breaking) >= 0.9
    categories = {r.category for r in RULES.values()}
    assert {"paths", "parameters", "request-body", "responses", "headers", "security", "lifecycle",
            "composition", "constraints", "types", "enums", "required", "read-only", "agent"} <= categories


def test_agent_rules_default_to_breaking_where_the_issue_says() -> None:
    for rule_id in ("tool-renamed", "operation-id-removed", "security-added", "security-scope-added"):
        assert RULES[rule_id].level == "error" and RULES[rule_id].agent
    assert RULES["request-description-semantics-changed"].level == "warning"


def test_docs_are_generated_from_the_catalogue() -> None:
    doc = ROOT / "docs" / "drift-rules.md"
    assert doc.read_text() == catalogue_markdown(), "regenerate docs/drift-rules.md from catalogue_markdown()"


def test_core_drift_modules_do_not_import_the_cli_stack() -> None:
    import subprocess
    import sys

    code = ("import sys, toolcheck.drift, toolcheck.drift.formats, toolcheck.drift.policy; "
            "print(','.join(m for m in ('typer', 'rich') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
