"""A scenario file is confirmed valid by the compiled check; jsonschema explains invalid ones.

The compiled check may only say "valid" where jsonschema does (else a broken file would run),
and it must say so for the valid files we ship (else every run imports jsonschema again).
"""

from __future__ import annotations

import copy
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from toolcheck.scenarios import loader

ROOT = Path(__file__).resolve().parents[2]
_ODD: list[Any] = [None, 0, 1, -1, 2.5, True, "", "x", "GET /x", "200", "5s", [], {}, [1], {"a": 1}]


def _documents() -> list[tuple[str, Any]]:
    out = [(path.name, loader.read_document(path)[0]) for path in sorted((ROOT / "scenarios").glob("*.toolcheck.yaml"))]
    block = re.search(r"```yaml\n(.*?)```", (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8"), re.S)
    assert block is not None
    import yaml

    out.append(("docs/scenarios.md", yaml.safe_load(block.group(1))))
    return out


def _valid(data: Any) -> bool:
    return not any(True for _ in loader._validator().iter_errors(data))


def _mutate(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict) and value:
        out = dict(value)
        key = rng.choice(list(out))
        roll = rng.random()
        if roll < 0.25:
            del out[key]
        elif roll < 0.6:
            out[key] = _mutate(out[key], rng)
        elif roll < 0.75:
            out[rng.choice(["extra", "x-note", "expect", "if", "poll", "retry"])] = rng.choice(_ODD)
        else:
            out[key] = rng.choice(_ODD)
        return out
    if isinstance(value, list) and value:
        out_list = list(value)
        i = rng.randrange(len(out_list))
        out_list[i] = _mutate(out_list[i], rng) if rng.random() < 0.7 else rng.choice(_ODD)
        return out_list
    return rng.choice(_ODD)


@pytest.mark.parametrize(("name", "data"), _documents())
def test_shipped_scenarios_pass_the_compiled_check(name: str, data: Any) -> None:
    assert _valid(data), name
    assert loader._conforms(data), name


@pytest.mark.parametrize(("name", "data"), _documents())
def test_the_compiled_check_never_passes_what_jsonschema_rejects(name: str, data: Any) -> None:
    rng = random.Random(name)
    agreed = 0
    for _ in range(300):
        candidate = _mutate(copy.deepcopy(data), rng)
        for _ in range(rng.randrange(3)):
            candidate = _mutate(candidate, rng)
        valid = _valid(candidate)
        assert loader._conforms(candidate) == valid, candidate
        agreed += 1
    assert agreed == 300


def test_a_valid_small_scenario_loads_without_jsonschema(tmp_path: Path) -> None:
    scenario = tmp_path / "one.toolcheck.yaml"
    scenario.write_text("name: one\nspec: openapi.yaml\nsteps:\n  - id: s1\n    operation: getItem\n"
                        "    params: {id: 1}\n    expect: {status: 200, body: [{path: $.name, eq: x}]}\n")
    code = ("import sys\nfrom pathlib import Path\nfrom toolcheck.scenarios.loader import load_file\n"
            f"load_file(Path({str(scenario)!r}))\nprint('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stdout + out.stderr
