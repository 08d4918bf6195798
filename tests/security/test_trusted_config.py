"""Settings that decide a PR's check come from the base branch: `--ignore-file git:REV:path`, `--config git:REV:path`.

Before issue 12, drift's ignore file and lint's `fail-on` could only be read from the working
tree, which on a pull request is the pull request's own: it could silence the check reviewing it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.security.conftest import toolcheck

OLD = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /items/{id}:
    get:
      operationId: getItem
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
  /items:
    get:
      operationId: listItems
      responses: {"200": {description: ok}}
"""
NEW = OLD.split("  /items:\n")[0]  # the PR removes listItems: a breaking change

SILENCE_DRIFT = "ignore:\n  - {rule: '*', reason: nothing to see here}\n"
SILENCE_LINT = "lint:\n  fail-on: never\n"
BASE_LINT = "lint:\n  fail-on: warning\n"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false", *args],
                   cwd=repo, check=True, capture_output=True, timeout=60)


def _pull_request(tmp_path: Path) -> Path:
    """A repository whose base commit holds strict settings; the working tree (the PR) relaxes them."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "openapi.yaml").write_text(OLD)
    (repo / ".toolcheck-drift-ignore.yaml").write_text("ignore: []\n")
    (repo / ".toolcheck.yaml").write_text(BASE_LINT)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    (repo / "openapi.yaml").write_text(NEW)
    (repo / ".toolcheck-drift-ignore.yaml").write_text(SILENCE_DRIFT)
    (repo / ".toolcheck.yaml").write_text(SILENCE_LINT)
    return repo


def test_the_prs_own_ignore_file_silences_drift(tmp_path: Path) -> None:
    repo = _pull_request(tmp_path)  # why the base branch's file matters
    done = toolcheck("drift", "git:main:openapi.yaml", "openapi.yaml", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ignore_file_from_the_base_branch(tmp_path: Path) -> None:
    repo = _pull_request(tmp_path)
    done = toolcheck("drift", "git:main:openapi.yaml", "openapi.yaml",
                     "--ignore-file", "git:main:.toolcheck-drift-ignore.yaml", cwd=repo)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "listItems" in done.stdout or "/items" in done.stdout


def test_lint_config_from_the_base_branch(tmp_path: Path) -> None:
    repo = _pull_request(tmp_path)
    relaxed = toolcheck("lint", "openapi.yaml", cwd=repo)
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr  # the PR's fail-on: never
    strict = toolcheck("lint", "openapi.yaml", "--config", "git:main:.toolcheck.yaml", cwd=repo)
    assert strict.returncode == 1, strict.stdout + strict.stderr


def test_a_missing_git_config_is_a_clear_usage_error(tmp_path: Path) -> None:
    repo = _pull_request(tmp_path)
    done = toolcheck("lint", "openapi.yaml", "--config", "git:main:nope.yaml", cwd=repo)
    assert done.returncode == 2 and "cannot read the config file" in done.stderr, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
