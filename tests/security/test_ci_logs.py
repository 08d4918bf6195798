"""Scenario text cannot forge GitHub Actions workflow commands in the log.

Before issue 12, a scenario or step name holding a newline printed a line of its own, so
`"ok\\n::error::forged"` raised an annotation and `::stop-commands::` switched off the job's real ones.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.security.conftest import toolcheck, write_scenario
from toolcheck.cli._console import _CommandGuard, log_safe

FORGED = ("looks fine\\n::error file=app.py,line=1::forged annotation\\n::stop-commands::pwned\\r\\n"
          "##[error]v1 style\\n  ::add-mask::x")


def _commands(text: str) -> list[str]:
    # The runner trims leading blanks and treats a line starting with `::` as a command.
    return [line for line in re.split(r"\r\n|\r|\n", text) if line.lstrip().startswith("::") or "##[" in line]


def test_names_with_newlines_forge_no_workflow_command(workspace: Path) -> None:
    write_scenario(workspace, f"""\
name: "{FORGED}"
spec: openapi.yaml
steps:
  - id: one
    description: "{FORGED}"
    operation: getThing
    expect: {{status: 201}}
""")
    for args in (["run", "hostile.toolcheck.yaml", "--mock", "--no-reports", "-v"],
                 ["run", "hostile.toolcheck.yaml", "--list"]):
        done = toolcheck(*args, cwd=workspace)
        assert done.returncode in (0, 1), done.stdout + done.stderr
        assert _commands(done.stdout) == [] and _commands(done.stderr) == [], done.stdout
        assert "forged annotation" in done.stdout  # still shown, on the line it belongs to


def test_an_error_message_quoting_user_text_forges_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    from toolcheck.cli import fail
    from toolcheck.errors import ScenarioError

    assert fail(ScenarioError(FORGED.replace("\\n", "\n").replace("\\r", "\r"), location="x.yaml:3")) == 2
    err = capsys.readouterr().err
    assert "forged annotation" in err and _commands(err) == []


def test_log_safe_follows_githubs_escaping() -> None:
    assert log_safe("a%b") == "a%b"  # nothing to escape: readable as is
    assert log_safe("50%\nnext") == "50%25%0Anext"
    assert log_safe("::error::x") == "%3A:error::x"
    assert log_safe("x\r\n::warning::y") == "x%0D%0A::warning::y"


def test_the_console_guard_neutralises_any_line(capsys: pytest.CaptureFixture[str]) -> None:
    guard = _CommandGuard("stdout")
    guard.write("fine\n  ::error::a\n")
    guard.write("mid")
    guard.write("line ::not a command\n::group::b\n")
    out = capsys.readouterr().out
    assert _commands(out) == []
    assert "mid" + "line ::not a command" in out
