"""Multi-step scenarios (``*.toolcheck.yaml``) and Arazzo workflows, run against an API.

    files ─► loader (JSON Schema, file:line errors) / arazzo ─► Scenario + Steps (model)
      ─► engine (specs once, targets, data rows, -j, shards) ─► runner (sequence, goto/end/retry,
      finally) ─► _exec (render ─► HTTP via an injected httpx client ─► contract + expect +
      criteria ─► outputs) ─► SuiteResult/CaseResult (toolcheck.results)

Public API: :func:`load_paths`, :class:`Targets`, :func:`run_units`, :func:`expand`,
:class:`RunContext`, :class:`Settings`.
"""

from __future__ import annotations

from collections.abc import Iterable

from toolcheck.scenarios._exec import Settings, Target
from toolcheck.scenarios.engine import Targets, Unit, expand, run_units, shard
from toolcheck.scenarios.loader import discover, load_file
from toolcheck.scenarios.model import Scenario, Step
from toolcheck.scenarios.runner import RunContext, bind_env, register_env_secrets, run_scenario

__all__ = [
    "RunContext", "Scenario", "Settings", "Step", "Target", "Targets", "Unit", "bind_env", "discover", "expand",
    "load_file", "load_paths", "register_env_secrets", "run_scenario", "run_units", "shard",
]


def load_paths(paths: Iterable[str], *, workflow: str | None = None) -> list[Scenario]:
    """Discover and load scenario files; Arazzo workflows only called by others are left out
    unless ``workflow`` names one."""
    out: list[Scenario] = []
    for path in discover(paths):
        for scenario in load_file(path):
            if workflow is not None:
                if scenario.workflow_id == workflow or scenario.name == workflow:
                    out.append(scenario)
            elif not scenario.callable_only:
                out.append(scenario)
    return out
