"""HTTP Basic credentials never reach a report: not base64(user:pass), not the decoded pair.

Before issue 12, the base64 token an API echoed back (as echo and debug endpoints do) appeared
in every report: only the password alone was a known secret.
"""

from __future__ import annotations

import base64
from pathlib import Path

from tests.security.conftest import Api, toolcheck, write_scenario
from toolcheck.redact import Redactor

USER, PASSWORD = "ci-robot", "b4sic-pa55-7c21"
PAIR = f"{USER}:{PASSWORD}"
TOKEN = base64.b64encode(PAIR.encode()).decode()


def test_basic_credentials_are_masked_in_every_run_report(api: Api, workspace: Path) -> None:
    api.echo = True
    write_scenario(workspace, f"""\
name: basic
spec: openapi.yaml
auth:
  basicAuth: {{username: {USER}, password: {PASSWORD}}}
steps:
  - id: one
    operation: getBasic
    expect:
      body:
        - {{path: $.seen, eq: nothing}}
""")
    done = toolcheck("run", "hostile.toolcheck.yaml", "--base-url", api.url, "-v", "--reports", "r",
                     "--format", "html,json,junit,markdown", cwd=workspace)
    assert done.returncode == 1, done.stdout + done.stderr
    sent = api.received[0]["headers"]["Authorization"]
    assert sent == f"Basic {TOKEN}"  # the API got the real credential, and echoed it
    texts = {"terminal": done.stdout + done.stderr,
             **{p.name: p.read_text(encoding="utf-8") for p in (workspace / "r").iterdir() if p.is_file()}}
    for name, text in texts.items():
        assert TOKEN not in text and PAIR not in text and PASSWORD not in text, name


def test_a_basic_header_teaches_the_redactor_the_pair() -> None:
    redactor = Redactor()
    redactor.add(f"Basic {TOKEN}")
    echoed = f'{{"echo": "{TOKEN}", "decoded": "{PAIR}", "note": "user {USER}"}}'
    masked = redactor.redact_text(echoed)
    assert TOKEN not in masked and PAIR not in masked
    assert redactor.leaks(echoed)  # and an echo is a leak the run can flag


def test_fuzz_basic_masks_the_decoded_pair() -> None:
    from toolcheck.cli.fuzz import build_auth

    auth = build_auth([], None, PAIR)  # --basic user:password
    assert PAIR in auth.secrets and TOKEN in auth.secrets
