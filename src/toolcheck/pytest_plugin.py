"""pytest plugin: collect ``*.toolcheck.yaml`` (and ``*.arazzo.yaml``) files as test items.

Registered through the ``pytest11`` entry point but **off until enabled**: a plain ``pytest`` in a
repository must not run (and send requests for) any ``*.toolcheck.yaml`` a pull request adds.
Enable with ``--toolcheck``, ``-p toolcheck``, the ini option ``toolcheck_scenarios = true``, or
one of ``--toolcheck-base-url`` / ``--toolcheck-mock`` / ``--toolcheck-spec`` on the command line.
Then ``pytest scenarios/ --toolcheck`` (and ``-n 4`` with pytest-xdist) gives one item per
scenario (per data row, per Arazzo workflow). Options:

    --toolcheck                collect scenario files
    --toolcheck-base-url URL   send requests here (else the spec's server)
    --toolcheck-mock           run against the in-process mock of each spec
    --toolcheck-spec PATH      the spec for scenarios without `spec:`
    --toolcheck-input K=V      an input (repeatable)
    --toolcheck-auth S=V       a credential for security scheme S (repeatable)
    --toolcheck-allow-env N    an environment variable (or glob) scenarios may read (repeatable)

A failing item shows each failed step with expected vs actual. Importing this module is cheap:
the engine is imported only when a scenario file is collected.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from toolcheck.results import SuiteResult

_SUFFIXES = (".toolcheck.yaml", ".toolcheck.yml", ".arazzo.yaml", ".arazzo.yml")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("toolcheck", "toolcheck scenarios")
    group.addoption("--toolcheck", action="store_true", default=False,
                    help="Collect *.toolcheck.yaml and *.arazzo.yaml files as tests (off by default).")
    parser.addini("toolcheck_scenarios", "Collect *.toolcheck.yaml and *.arazzo.yaml files as tests.", type="bool",
                  default=False)
    group.addoption("--toolcheck-allow-env", action="append", default=[],
                    help="Environment variable (or glob) scenarios may read as $env.NAME (repeatable).")
    group.addoption("--toolcheck-base-url", default=None, help="Base URL of the API under test.")
    group.addoption("--toolcheck-mock", action="store_true", default=False, help="Run scenarios against the in-process mock.")
    group.addoption("--toolcheck-spec", default=None, help="OpenAPI spec for scenarios that name none.")
    group.addoption("--toolcheck-input", action="append", default=[], help="Scenario input NAME=VALUE (repeatable).")
    group.addoption("--toolcheck-auth", action="append", default=[], help="Credential SCHEME=VALUE (repeatable).")


def enabled(config: pytest.Config) -> bool:
    """Scenario collection was asked for: ``--toolcheck``, ``-p toolcheck``, the ini option, or
    a target option on the command line (what a pull request's files alone cannot switch on)."""
    if config.getoption("--toolcheck") or "toolcheck" in (getattr(config.option, "plugins", None) or []):
        return True
    if config.getini("toolcheck_scenarios"):
        return True
    return bool(config.getoption("--toolcheck-base-url") or config.getoption("--toolcheck-mock")
                or config.getoption("--toolcheck-spec"))


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    # A bare ".toolcheck.yaml" is the project configuration file, not a scenario.
    if file_path.name.endswith(_SUFFIXES) and not file_path.name.startswith("."):
        if not enabled(parent.config):
            skipped = getattr(parent.config, "_toolcheck_skipped", 0)
            parent.config._toolcheck_skipped = skipped + 1  # type: ignore[attr-defined]
            return None
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = getattr(config, "_toolcheck_skipped", 0)
    if skipped:
        terminalreporter.write_line(f"toolcheck: {skipped} scenario file(s) not collected; pass --toolcheck "
                                    "(or set toolcheck_scenarios = true) to run them")


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
        self.env = env
        self.allow_env = tuple(config.getoption("--toolcheck-allow-env") or ())
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
        from toolcheck.scenarios import bind_env, expand, load_file

        try:
            scenarios = [s for s in load_file(self.path) if not s.callable_only]
            shared = _shared(self.config)
            bind_env(scenarios, shared.env, allow=shared.allow_env, redactor=shared.run.redactor)
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
    def _explain(suite: SuiteResult) -> str:
        import json

        from toolcheck.details import null

        lines = []
        for case in suite.cases:
            mark = {"passed": "ok", "failed": "FAILED", "error": "ERROR", "skipped": "skipped"}[case.status]
            lines.append(f"{mark:8} {case.name}" + (f": {case.message}" if case.message else ""))
            if case.status in ("failed", "error") and case.details.has_expectation:
                lines.append(f"         expected: {json.dumps(null(case.details.expected), default=str)[:300]}")
                lines.append(f"         actual:   {json.dumps(null(case.details.actual), default=str)[:300]}")
        return "\n".join(lines)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from toolcheck.errors import ToolcheckError

        if isinstance(excinfo.value, (ScenarioFailed, ToolcheckError)):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, max(self.unit.scenario.line - 1, 0), f"scenario: {self.name}"
