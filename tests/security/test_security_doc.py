"""docs/security.md states the limits the code enforces (a limit changed in one place fails here)."""

from __future__ import annotations

from pathlib import Path

from toolcheck.configsource import MAX_CONFIG_BYTES
from toolcheck.scenarios import loader, model, runner
from toolcheck.scenarios._jsonpath import MAX_JSONPATH_NODES
from toolcheck.scenarios.expressions import MAX_NESTING, MAX_TOKENS

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")


def _row(label: str) -> str:
    [row] = [line for line in DOC.splitlines() if line.startswith(f"| {label}")]
    return row


def test_every_limit_in_the_table_is_the_codes() -> None:
    assert f"{MAX_JSONPATH_NODES:,} nodes" in _row("JSONPath evaluation")
    assert f"{MAX_TOKENS} tokens, {MAX_NESTING} levels" in _row("condition")
    assert f"| {model.MAX_POLL_ATTEMPTS:,} |" in _row("`poll.max_attempts`")
    assert f"{model.MAX_POLL_TIME:,.0f} s" in _row("`poll.max_time`")
    assert f"{model.MAX_RETRIES} retries (`max_attempts` {model.MAX_RETRIES + 1})" in _row("`retry`")
    assert f"| {model.MAX_RETRIES};" in _row("Arazzo `retryLimit`")
    assert f"{model.MAX_DATA_ROWS:,}" in _row("`data` rows")
    assert f"{runner.MAX_EXECUTIONS:,}" in _row("step executions")
    assert f"{loader.MAX_BYTES // (1024 * 1024)} MiB" in _row("scenario file")
    assert f"{MAX_CONFIG_BYTES // 1_000_000} MB" in _row("config and ignore files")


def test_the_readme_links_it_and_it_keeps_the_spec_section() -> None:
    assert "(docs/security.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Specs and $refs\n" in DOC


def test_the_schema_caps_are_the_models() -> None:
    schema = loader.scenario_schema()
    assert schema["$defs"]["poll"]["properties"]["max_attempts"]["maximum"] == model.MAX_POLL_ATTEMPTS
    retry = schema["$defs"]["retry"]["anyOf"]
    assert retry[0]["maximum"] == model.MAX_RETRIES
    assert retry[1]["properties"]["max_attempts"]["maximum"] == model.MAX_RETRIES + 1
    assert schema["properties"]["data"]["anyOf"][0]["maxItems"] == model.MAX_DATA_ROWS
