"""docs/lint-rules.md is executable: every rule has a bad example that triggers it and a good
example that does not."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from toolcheck.agent._rules import RULES
from toolcheck.agent.lint import lint
from toolcheck.spec import load_spec_dict

DOC = Path(__file__).resolve().parents[2] / "docs" / "lint-rules.md"
BASE = {
    "openapi": "3.1.0",
    "info": {"title": "docs", "version": "1"},
    "security": [{"bearerAuth": []}],
    "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
}


def sections() -> dict[str, str]:
    text = DOC.read_text()
    parts = re.split(r"^### `([a-z0-9-]+)`\s*$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def example(section: str, kind: str) -> dict[str, Any]:
    blocks = re.findall(r"```yaml\n# (bad|good)\n(.*?)```", section, flags=re.DOTALL)
    (body,) = [b for k, b in blocks if k == kind]
    fragment = yaml.safe_load(body)
    doc: dict[str, Any] = json.loads(json.dumps(BASE))
    doc["paths"] = fragment["paths"]
    doc["components"]["schemas"] = (fragment.get("components") or {}).get("schemas", {})
    return doc


def test_every_rule_is_documented() -> None:
    assert set(sections()) == set(RULES)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_bad_example_triggers_and_good_does_not(rule: str) -> None:
    section = sections()[rule]
    found = re.search(r"<!-- options: (\{.*?\}) -->", section)
    config = {rule: json.loads(found.group(1))} if found else None
    bad = lint(load_spec_dict(example(section, "bad")), rules=config, select=[rule])
    good = lint(load_spec_dict(example(section, "good")), rules=config, select=[rule])
    assert bad.findings, f"the bad example of {rule} does not trigger it"
    assert not good.findings, f"the good example of {rule} triggers it: {good.findings[0].message}"
