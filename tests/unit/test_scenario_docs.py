"""The scenario in docs/scenarios.md is valid and runs green against the mock."""

from __future__ import annotations

import re
from pathlib import Path

from toolcheck.redact import Redactor
from toolcheck.scenarios import RunContext, Settings, Targets, expand, load_paths, run_units

ROOT = Path(__file__).resolve().parents[2]


def test_documented_scenario_runs_on_the_mock(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    scenario = tmp_path / "doc.toolcheck.yaml"
    text = block.group(1).replace("max_interval: 2s", "max_interval: 50ms")  # the mock's Retry-After, shortened
    scenario.write_text(text.replace("../examples/agent-tools/openapi.yaml",
                                     str(ROOT / "examples" / "agent-tools" / "openapi.yaml")))
    scenarios = load_paths([str(scenario)])
    targets = Targets(mock=True)
    targets.check(scenarios[0])
    [(suite, unreachable)] = run_units(expand(scenarios), targets, RunContext(settings=Settings(), redactor=Redactor()))
    assert not unreachable
    assert suite.ok, [(c.name, c.message) for c in suite.cases]
    assert [c.name for c in suite.cases] == ["create", "wait", "rejects_bad_token", "finally: cleanup"]
