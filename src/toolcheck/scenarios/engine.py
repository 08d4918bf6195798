"""The run as a whole: load specs once, build targets, expand data rows, run units (in parallel).

Targets: ``--base-url`` (every source), else the spec's first server (``{variables}`` take
their defaults), else ``--mock`` — an in-process :class:`toolcheck.mock.MockTransport` per
unit (no socket, deterministic per seed, state isolated between scenarios). Real targets share
one keep-alive :class:`httpx.Client` per worker thread, with TCP_NODELAY (a POST's headers and
body leave in two writes; with Nagle plus delayed ACK each would stall ~40 ms).

Report order is deterministic: results come back in unit order whatever ``jobs`` is.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from toolcheck.errors import ScenarioError, SpecLoadError, UsageError
from toolcheck.results import SuiteResult
from toolcheck.scenarios._exec import Target
from toolcheck.scenarios._http import find_operation
from toolcheck.scenarios.model import Scenario
from toolcheck.scenarios.runner import RunContext, run_scenario
from toolcheck.spec import Spec, load_spec


@dataclass(frozen=True)
class Unit:
    """One scenario run: a scenario and, for data-driven scenarios, one row."""

    scenario: Scenario
    row: dict[str, Any] | None = None
    label: str = ""


def expand(scenarios: Iterable[Scenario]) -> list[Unit]:
    """One unit per scenario, or one per data row (every row, never a sample)."""
    units: list[Unit] = []
    for s in scenarios:
        if not s.data:
            units.append(Unit(s, None, s.name))
            continue
        for i, row in enumerate(s.data, 1):
            hint = ", ".join(f"{k}={v}" for k, v in list(row.items())[:3])
            units.append(Unit(s, row, f"{s.name} [row {i}: {hint}]" if hint else f"{s.name} [row {i}]"))
    return units


def shard(items: list[Any], spec: str | None) -> list[Any]:
    """Keep shard ``i`` of ``n`` (``"2/3"``): items whose index % n == i - 1.

    Raises:
        UsageError: not ``i/n`` with 1 <= i <= n.
    """
    if not spec:
        return items
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec)
    if not m or not (1 <= int(m.group(1)) <= int(m.group(2))):
        raise UsageError(f"--shard {spec!r}: expected i/n with 1 <= i <= n, e.g. 1/3.")
    i, n = int(m.group(1)), int(m.group(2))
    return [item for k, item in enumerate(items) if k % n == i - 1]


def _server_url(server: dict[str, Any] | str) -> str:
    if isinstance(server, str):
        return server
    url = str(server.get("url", ""))
    for name, var in (server.get("variables") or {}).items():
        if isinstance(var, dict) and "default" in var:
            url = url.replace("{" + name + "}", str(var["default"]))
    return url


class Targets:
    """Loads each spec once and hands out per-unit targets."""

    def __init__(self, *, spec: str | None = None, base_url: str | None = None, mock: bool = False,
                 sources: dict[str, str] | None = None, seed: int = 0, timeout: float = 30.0,
                 allow_network: bool = False, ref_roots: tuple[str, ...] = ()) -> None:
        self.spec_override = spec
        self.base_url = base_url
        self.mock = mock
        self.source_overrides = dict(sources or {})
        self.seed = seed
        self.timeout = timeout
        self.allow_network = allow_network
        self.ref_roots = ref_roots
        self._specs: dict[str, Spec] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._clients: list[httpx.Client] = []

    # -- specs ----------------------------------------------------------------------------
    def locations(self, scenario: Scenario) -> dict[str, str]:
        """Source name → spec location after ``--spec`` / ``--source`` overrides."""
        out = dict(scenario.sources)
        for name in out:
            if name in self.source_overrides:
                out[name] = self.source_overrides[name]
        if self.spec_override and scenario.kind == "toolcheck":
            out = {"": self.spec_override}
        if not out:
            raise ScenarioError("the scenario names no spec: add `spec: path/to/openapi.yaml` or pass --spec.",
                                location=f"{scenario.file}:1")
        return out

    def spec(self, location: str, scenario: Scenario, name: str) -> Spec:
        with self._lock:
            if location in self._specs:
                return self._specs[location]
        if "://" in location and not self.allow_network:
            raise ScenarioError(
                f"source {name!r} is remote ({location}); pass --source {name}=path/to/openapi.yaml "
                "(or --allow-network).", location=scenario.file)
        try:
            spec = load_spec(location, allow_network=self.allow_network, ref_roots=self.ref_roots)
        except SpecLoadError as exc:
            raise SpecLoadError(f"{exc.message} (spec of {scenario.file})", location=exc.location, hint=exc.hint) from None
        with self._lock:
            self._specs.setdefault(location, spec)
            return self._specs[location]

    def specs(self, scenario: Scenario) -> dict[str, Spec]:
        return {name: self.spec(loc, scenario, name) for name, loc in self.locations(scenario).items()}

    def check(self, scenario: Scenario) -> None:
        """Fail early (exit 2) on steps naming operations or parameters the spec lacks."""
        specs = self.specs(scenario)
        for step in [*scenario.steps, *scenario.finally_steps]:
            if step.workflow or step.operation_path:
                continue
            assert step.operation is not None
            candidates = [specs[step.source]] if step.source in specs else list(specs.values())
            op = None
            for spec in candidates:
                try:
                    op = find_operation(spec, step.operation)
                    break
                except KeyError as exc:
                    error = str(exc).strip("'\"")
            if op is None:
                raise ScenarioError(f"step {step.id!r}: {error}", location=f"{scenario.file}:{step.line}")
            if scenario.kind == "toolcheck":
                for p in step.params:
                    if p.location is None and op.parameter(p.name) is None:
                        known = ", ".join(f"{q.name} ({q.location})" for q in op.parameters) or "none"
                        raise ScenarioError(f"step {step.id!r}: {op.operation_id} has no parameter {p.name!r} "
                                            f"(parameters: {known}); use `headers:` for extra headers.",
                                            location=f"{scenario.file}:{step.line}")

    # -- clients --------------------------------------------------------------------------
    def _client(self, base: str) -> httpx.Client:
        key = "https" if base.startswith("https:") else "http"
        client = getattr(self._local, key, None)
        if client is None:
            transport: httpx.BaseTransport
            if key == "http" and not os.environ.get("TOOLCHECK_HTTPCORE"):
                # One keep-alive connection per host, no CA bundle to load (see _transport).
                from toolcheck.scenarios._transport import LeanTransport

                transport = LeanTransport()
            else:
                transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
            client = httpx.Client(transport=transport, timeout=self.timeout, follow_redirects=False, trust_env=False)
            setattr(self._local, key, client)
            with self._lock:
                self._clients.append(client)
        return client

    def for_unit(self, scenario: Scenario) -> tuple[dict[str, Target], list[httpx.Client]]:
        """Targets for one unit, and the clients to close after it (mock clients only)."""
        specs = self.specs(scenario)
        targets: dict[str, Target] = {}
        closers: list[httpx.Client] = []
        for name, spec in specs.items():
            if self.mock:
                from toolcheck.mock import MockTransport

                base = self._mock_base(spec)
                client = httpx.Client(transport=MockTransport(spec, seed=self.seed, stateful=True),
                                      timeout=self.timeout, follow_redirects=False, trust_env=False)
                closers.append(client)
                targets[name] = Target(spec, client, base)
                continue
            base = self.base_url or self._scenario_server(scenario)
            if not base:
                servers = spec.document.get("servers") or []
                base = _server_url(servers[0]) if servers else ""
            if not base or "://" not in base:
                raise UsageError(
                    f"no target for {scenario.file}: the spec has no absolute server URL"
                    + (f" ({base!r})" if base else "") + "; pass --base-url URL or --mock.")
            targets[name] = Target(spec, self._client(base), base)
        return targets, closers

    @staticmethod
    def _scenario_server(scenario: Scenario) -> str:
        """The scenario's ``server:`` with ``{$env.NAME}`` filled in ("" when unset); only declared
        variables are visible (see runner.bind_env)."""
        if not scenario.server:
            return ""
        from toolcheck.scenarios.expressions import Context, render

        value = render(scenario.server, Context(env=scenario.env_values))
        return str(value) if value else ""

    @staticmethod
    def _mock_base(spec: Spec) -> str:
        servers = spec.document.get("servers") or []
        url = _server_url(servers[0]) if servers else ""
        if "://" in url:
            return url
        return "http://mock.toolcheck" + (url if url.startswith("/") else "")

    def close(self) -> None:
        with self._lock:
            for client in self._clients:
                client.close()
            self._clients.clear()


SuiteCallback = Callable[[int, SuiteResult], None]


def run_units(units: list[Unit], targets: Targets, run: RunContext, *, jobs: int = 1,
              on_suite: SuiteCallback | None = None, fail_fast: bool = False) -> list[tuple[SuiteResult, bool]]:
    """Run every unit; results in unit order. ``jobs`` > 1 runs units on worker threads.

    With ``fail_fast`` the first failing unit stops the run: units not started are left out,
    running ones finish their current step. An exception (Ctrl-C) sets ``run.stop`` too, so
    worker threads end their polls at once instead of keeping the process alive.
    """

    def one(index: int) -> tuple[SuiteResult, bool] | None:
        if run.stop.is_set():
            return None
        unit = units[index]
        unit_targets, closers = targets.for_unit(unit.scenario)
        try:
            outcome = run_scenario(unit.scenario, unit_targets, run, row=unit.row, label=unit.label)
        finally:
            for client in closers:
                client.close()
        if on_suite is not None:
            on_suite(index, outcome[0])
        if fail_fast and not outcome[0].ok:
            run.stop.set()
        return outcome

    results: list[tuple[SuiteResult, bool] | None] = [None] * len(units)
    if jobs <= 1 or len(units) <= 1:
        try:
            for i in range(len(units)):
                results[i] = one(i)
        except BaseException:
            run.stop.set()
            raise
        return [r for r in results if r is not None]
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="toolcheck-run")
    futures = {pool.submit(one, i): i for i in range(len(units))}
    try:
        for future, i in futures.items():
            results[i] = future.result()
    except BaseException:
        run.stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        # Give steps in flight a moment to end (polls stop at once) before the caller closes
        # the connections under them; a request still running after that reports the interrupt.
        from concurrent.futures import wait

        wait([f for f in futures if f.running()], timeout=2.0)
        raise
    pool.shutdown(wait=True)
    return [r for r in results if r is not None]
