"""`git:` sources are argument-injection proof (issue 12, High 3).

A pull request controls a scenario's ``spec:`` and a findings file's ``spec`` field, so the
``REV`` of ``git:REV:path`` is attacker input. It used to reach ``git show`` as an option:
``git:--output=pwned:spec.yaml`` wrote the file ``pwned``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.security._helpers import SPEC, git, toolcheck
from toolcheck.errors import SpecLoadError
from toolcheck.spec._sources import locate

HOSTILE = ["--output=pwned", "-opwned", "--output=pwned --", "HEAD --output=pwned", "a..b", "HEAD@{1}",
           "x\n--output=pwned", ".hidden", "ref.lock", "a//b", "HEAD^{/--output=pwned}", "x" * 300]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    (tmp_path / "spec.yaml").write_text(SPEC)
    git(tmp_path, "add", "spec.yaml")
    git(tmp_path, "commit", "-q", "-m", "spec")
    return tmp_path


def _files(repo: Path) -> set[str]:
    return {p.name for p in repo.iterdir()}


def test_check_with_an_option_as_rev_writes_nothing_and_exits_2(repo: Path) -> None:
    before = _files(repo)
    result = toolcheck("check", "git:--output=pwned:spec.yaml", cwd=repo)
    assert _files(repo) == before
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "not a git revision" in result.stderr


@pytest.mark.parametrize("rev", HOSTILE)
def test_hostile_revs_are_refused_before_git_runs(rev: str) -> None:
    with pytest.raises(SpecLoadError, match="not a git revision"):
        locate(f"git:{rev}:spec.yaml")


@pytest.mark.parametrize("rev", ["HEAD", "main", "origin/main", "v1.2.3", "HEAD~1", "HEAD^", "HEAD^2~3",
                                 "feature/x-y_z", "0123abcd", "@", "release-2024.01"])
def test_ordinary_revs_still_work(rev: str) -> None:
    assert locate(f"git:{rev}:spec.yaml").rev == rev


def test_a_valid_rev_still_loads(repo: Path) -> None:
    result = toolcheck("check", "git:HEAD:spec.yaml", cwd=repo)
    assert result.returncode == 0, result.stderr


def test_scenario_spec_field_cannot_inject(repo: Path) -> None:
    (repo / "s.toolcheck.yaml").write_text(
        "name: s\nspec: 'git:--output=pwned:spec.yaml'\nsteps:\n  - {id: a, operation: list_items}\n")
    before = _files(repo)
    result = toolcheck("run", "s.toolcheck.yaml", "--mock", cwd=repo)
    assert _files(repo) == before
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    # The scenario loader reads `spec:` as a path next to the scenario, so no git command runs at
    # all today; were git: sources accepted there, the rev check above would refuse this one.
    assert "not a git revision" in result.stderr or "no such file" in result.stderr


def test_replay_findings_spec_field_cannot_inject(repo: Path) -> None:
    findings = {"format": "toolcheck-fuzz-findings/1", "spec": "git:--output=pwned:spec.yaml", "seed": 1, "findings": [{
        "id": "f1", "operation_id": "list_items", "check": "status_code", "cause": "x", "case": {}}]}
    (repo / "fuzz-findings.json").write_text(json.dumps(findings))
    before = _files(repo)
    result = toolcheck("replay", "f1", "--findings", "fuzz-findings.json", "--mock", cwd=repo)
    assert _files(repo) == before
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "not a git revision" in result.stderr
