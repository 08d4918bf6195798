"""pytest plugin: collect ``*.toolcheck.yaml`` (and ``*.arazzo.yaml``) files as test items.

Registered through the ``pytest11`` entry point, so any project with toolcheck installed can run
``pytest scenarios/`` (and ``pytest -n 4`` with pytest-xdist): one item per scenario (per data
row, per Arazzo workflow). Options:

    --toolcheck-base-url URL   send requests here (else the spec's server)
    --toolcheck-mock           run against the in-process mock of each spec
    --toolcheck-spec PATH      the spec for scenarios without `spec:`
    --toolcheck-input K=V      an input (repeatable)
    --toolcheck-auth S=V       a credential for security scheme S (repeatable)

A failing item shows each failed step with expected vs actual. Importing this module is cheap:
the engine is imported only when a scenario file is collected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

_SUFFIXES = (".toolcheck.yaml", ".toolcheck.yml", ".arazzo.yaml", ".arazzo.yml")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("toolcheck", "toolcheck scenarios")
    group.addoption("--toolcheck-base-url", default=None, help="Base URL of the API under test.")
    group.addoption("--toolcheck-mock", action="store_true", default=False, help="Run scenarios against the in-process mock.")
    group.addoption("--toolcheck-spec", default=None, help="OpenAPI spec for scenarios that name none.")
    group.addoption("--toolcheck-input", action="append", default=[], help="Scenario input NAME=VALUE (repeatable).")
    group.addoption("--toolcheck-auth", action="append", default=[], help="Credential SCHEME=VALUE (repeatable).")


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    # A bare ".toolcheck.yaml" is the project configuration file, not a scenario.
    if file_path.name.endswith(_SUFFIXES) and not file_path.name.startswith("."):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class _Shared:
    """Per-session engine objects (one spec load per spec, one redactor)."""

    def __init__(self, config: pytest.Config) -> None:
        import os

        from toolcheck.redact import Redactor
        from toolcheck.scenarios import RunContext, Settings, Targets, register_env_secrets

        mock = bool(config.getoption("--toolcheck-mock"))
        inputs: dict[str, Any] = {}
        for item in config.getoption("--toolcheck-input") or []:
            key, _, value = str(item).partition("=")
            inputs[key] = value
        credentials: dict[str, Any] = {}
        for item in config.getoption("--toolcheck-auth") or []:
            key, _, value = str(item).partition("=")
            credentials[key] = value
        self.targets = Targets(spec=config.getoption("--toolcheck-spec"), base_url=config.getoption("--toolcheck-base-url"),
                               mock=mock)
        env = dict(os.environ)
        redactor = Redactor()
        register_env_secrets(redactor, env)
        self.run = RunContext(settings=Settings(placeholder_credential="toolcheck-mock-credential" if mock else None),
                              redactor=redactor, inputs=inputs, env=env, synthesize_inputs=mock,
                              credentials=credentials)
        for value in credentials.values():
            redactor.add(value, label="--toolcheck-auth")


def _shared(config: pytest.Config) -> _Shared:
    shared = getattr(config, "_toolcheck_shared", None)
    if shared is None:
        shared = _Shared(config)
        config._toolcheck_shared = shared  # type: ignore[attr-defined]
    return shared


class ScenarioFile(pytest.File):
    def collect(self) -> Any:
        from toolcheck.errors import ToolcheckError
        from toolcheck.scenarios import expand, load_file

        try:
            scenarios = [s for s in load_file(self.path) if not s.callable_only]
        except ToolcheckError as exc:
            raise self.CollectError(str(exc)) from None
        for unit in expand(scenarios):
            yield ScenarioItem.from_parent(self, name=unit.label, unit=unit)


class ScenarioFailed(Exception):
    """A scenario item failed: the message lists the failed steps."""


class ScenarioItem(pytest.Item):
    def __init__(self, *, unit: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.unit = unit
        self.suite: Any = None

    def runtest(self) -> None:
        from toolcheck.scenarios import run_units

        shared = _shared(self.config)
        shared.targets.check(self.unit.scenario)
        [(suite, unreachable)] = run_units([self.unit], shared.targets, shared.run)
        self.suite = suite
        self.user_properties.extend((c.name, c.status) for c in suite.cases)
        if not suite.ok or unreachable:
            raise ScenarioFailed(self._explain(suite))

    @staticmethod
    def _explain(suite: Any) -> str:
        import json

        lines = []
        for case in suite.cases:
            mark = {"passed": "ok", "failed": "FAILED", "error": "ERROR", "skipped": "skipped"}[case.status]
            lines.append(f"{mark:8} {case.name}" + (f": {case.message}" if case.message else ""))
            if case.status in ("failed", "error") and ("expected" in case.details or "actual" in case.details):
                lines.append(f"         expected: {json.dumps(case.details.get('expected'), default=str)[:300]}")
                lines.append(f"         actual:   {json.dumps(case.details.get('actual'), default=str)[:300]}")
        return "\n".join(lines)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from toolcheck.errors import ToolcheckError

        if isinstance(excinfo.value, (ScenarioFailed, ToolcheckError)):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, max(self.unit.scenario.line - 1, 0), f"scenario: {self.name}"
