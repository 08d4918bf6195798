"""`$env` in scenario files: only declared (or --allow-env'd) variables, and their values never reported.

Before issue 12, `$env.ANY` handed a scenario file from a pull request the whole CI environment,
and values not named like secrets were printed in every report.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.security.conftest import Api, toolcheck, write_scenario

VALUE = "ci-internal-value-4b1d9e"  # named nothing like a secret: only the declaration masks it


def _scenario(header: str, env: str = "") -> str:
    return f"""\
name: envy
spec: openapi.yaml
{env}steps:
  - id: one
    operation: getThing
    headers: {{X-Trace: "{header}"}}
    expect:
      status: 200
      body:
        - {{path: $.seen, eq: nothing}}
"""


def test_an_undeclared_env_variable_is_a_load_error_and_nothing_is_sent(api: Api, workspace: Path) -> None:
    write_scenario(workspace, _scenario("$env.CI_INTERNAL"))
    done = toolcheck("run", "hostile.toolcheck.yaml", "--base-url", api.url, "--no-reports", cwd=workspace,
                     env={"CI_INTERNAL": VALUE})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "hostile.toolcheck.yaml:6" in done.stderr and "$env.CI_INTERNAL` is not declared" in done.stderr
    assert api.received == []


def test_an_undeclared_env_variable_in_server_is_refused(api: Api, workspace: Path) -> None:
    write_scenario(workspace, "server: 'http://{$env.CI_HOST}/'\n" + _scenario("x"))
    done = toolcheck("run", "hostile.toolcheck.yaml", "--no-reports", cwd=workspace, env={"CI_HOST": "127.0.0.1:9"})
    assert done.returncode == 2 and "hostile.toolcheck.yaml:1" in done.stderr, done.stdout + done.stderr


def test_declared_values_are_sent_but_masked_in_every_report(api: Api, workspace: Path) -> None:
    api.echo = True
    write_scenario(workspace, _scenario("$env.CI_INTERNAL", env="env: [CI_INTERNAL]\n"))
    done = toolcheck("run", "hostile.toolcheck.yaml", "--base-url", api.url, "-v", "--reports", "r",
                     "--format", "html,json,junit,markdown", cwd=workspace, env={"CI_INTERNAL": VALUE})
    assert done.returncode == 1, done.stdout + done.stderr  # the echo fails `eq: nothing`
    assert api.received and api.received[0]["headers"].get("X-Trace") == VALUE  # the API got it
    outputs = {"terminal": done.stdout + done.stderr,
               **{p.name: p.read_text(encoding="utf-8") for p in (workspace / "r").iterdir() if p.is_file()}}
    assert {"report.html", "report.json", "junit.xml"} <= set(outputs)
    for name, text in outputs.items():
        assert VALUE not in text, name
    report = json.loads(outputs["report.json"])
    case = report["suites"][0]["cases"][0]
    assert "***" in json.dumps(case["details"]["request"]["headers"]) and "curl" in case["details"]


def test_allow_env_grants_and_limits(api: Api, workspace: Path) -> None:
    write_scenario(workspace, _scenario("$env.APP_TRACE"))
    ok = toolcheck("run", "hostile.toolcheck.yaml", "--base-url", api.url, "--no-reports", "--allow-env", "APP_*",
                   cwd=workspace, env={"APP_TRACE": VALUE})
    assert ok.returncode == 1 and "not declared" not in ok.stderr, ok.stdout + ok.stderr  # ran; `eq: nothing` fails
    assert api.received[-1]["headers"].get("X-Trace") == VALUE
    # With --allow-env, the CI configuration has the last word over what a file declares.
    write_scenario(workspace, _scenario("$env.CI_INTERNAL", env="env: [CI_INTERNAL]\n"))
    refused = toolcheck("run", "hostile.toolcheck.yaml", "--base-url", api.url, "--no-reports", "--allow-env", "APP_*",
                        cwd=workspace, env={"CI_INTERNAL": VALUE})
    assert refused.returncode == 2 and "does not allow" in refused.stderr, refused.stdout + refused.stderr
    assert "hostile.toolcheck.yaml:3" in refused.stderr


def test_an_input_env_is_a_declaration_and_is_masked(api: Api, workspace: Path) -> None:
    api.echo = True
    write_scenario(workspace, "inputs:\n  trace: {env: CI_INTERNAL}\n" + _scenario("$inputs.trace"))
    done = toolcheck("run", "hostile.toolcheck.yaml", "--base-url", api.url, "--reports", "r", "--format", "json",
                     cwd=workspace, env={"CI_INTERNAL": VALUE})
    assert done.returncode == 1, done.stdout + done.stderr
    assert api.received[0]["headers"].get("X-Trace") == VALUE
    assert VALUE not in (workspace / "r" / "report.json").read_text()


def test_pwd_stays_readable(api: Api, workspace: Path) -> None:
    api.echo = True
    write_scenario(workspace, _scenario("$env.PWD", env="env: [PWD]\n"))
    done = toolcheck("run", "hostile.toolcheck.yaml", "--base-url", api.url, "--reports", "r", "--format", "json",
                     cwd=workspace, env={"PWD": str(workspace)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert str(workspace) in (workspace / "r" / "report.json").read_text()  # a path is not a secret
