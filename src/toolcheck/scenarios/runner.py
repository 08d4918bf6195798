"""Run scenarios: inputs, the step sequence (or Arazzo's goto/end/retry), teardown, results.

One :class:`~toolcheck.results.SuiteResult` per scenario run (per data row), one
:class:`~toolcheck.results.CaseResult` per step execution. Steps run sequentially; after a
failed step, the steps that use its outputs (``$steps.ID...``, directly or through another
skipped step) are skipped and say why; the others still run and say that they ran after a
failure (a live API often fails one step for a reason of its own: stopping there hid what
the rest would have found). An unreachable target skips the rest. ``finally`` steps always run. Arazzo workflows follow their ``onSuccess``/``onFailure`` actions; without a
matching action a failed step ends the workflow, as Arazzo 1.1 §4.8.6 specifies.

Core code: nothing here prints; progress goes to the ``on_case`` callback.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from toolcheck._absent import ABSENT
from toolcheck.details import Attempt, Details
from toolcheck.errors import ScenarioError, ToolcheckError
from toolcheck.findings import Finding, Severity
from toolcheck.redact import Redactor, is_secret_name
from toolcheck.results import ERROR, FAILED, PASSED, SKIPPED, CaseResult, SuiteResult
from toolcheck.scenarios._exec import Outcome, Settings, StepExecutor, Target
from toolcheck.scenarios.assertions import evaluate_criterion
from toolcheck.scenarios.expressions import Context, render
from toolcheck.scenarios.model import Action, Scenario, Step

MAX_EXECUTIONS = 1000  # goto loops in Arazzo documents are legal; a bound keeps them finite

CaseCallback = Callable[[str, CaseResult], None]


@dataclass
class RunContext:
    """Run-wide state shared by every scenario of one ``toolcheck run``."""

    settings: Settings = field(default_factory=Settings)
    redactor: Redactor = field(default_factory=Redactor)
    inputs: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    synthesize_inputs: bool = False
    credentials: Mapping[str, Any] = field(default_factory=dict)  # --auth SCHEME=VALUE, over the scenario's
    stop: threading.Event = field(default_factory=threading.Event)  # set on Ctrl-C / --fail-fast
    on_case: CaseCallback | None = None


# Shell variables whose names read like secrets but hold the working directory ("pwd" is also
# short for password): masking them would hide every path in a report.
_NOT_SECRET_ENV = frozenset({"PWD", "OLDPWD"})


def register_env_secrets(redactor: Redactor, env: Mapping[str, str]) -> None:
    """Env values whose names look secret (``API_TOKEN``, ``DB_PASSWORD``) are known secrets."""
    for name, value in env.items():
        if value and name not in _NOT_SECRET_ENV and is_secret_name(name):
            redactor.add(value, label=f"env.{name}")


def env_allowed(name: str, allow: tuple[str, ...]) -> bool:
    """Does an ``--allow-env`` list (names, or globs such as ``PREFIX_*``) allow ``name``?"""
    from fnmatch import fnmatchcase

    return any(fnmatchcase(name, pattern) for pattern in allow)


def bind_env(scenarios: list[Scenario], environ: Mapping[str, str], *, allow: tuple[str, ...] = (),
             redactor: Redactor | None = None) -> None:
    """Give each scenario the environment variables it may read, and mask their values.

    A scenario file comes from a pull request while the CI job holds tokens: ``$env`` sees only
    the variables the file declares (``env:``, inputs' ``env:``, Arazzo ``x-toolcheck-env``) or
    that ``--allow-env`` allows. With ``--allow-env``, a declaration must be allowed too (the CI
    configuration, not the file, has the last word). Every value a scenario can see is a secret.

    Raises:
        ScenarioError: ``$env.NAME`` used but not declared, or declared but not allowed.
    """
    everything = {id(s): s for s in scenarios}
    for s in scenarios:
        everything.update({id(w): w for w in s.workflows.values()})  # sub-workflows and dependsOn
    for scenario in everything.values():
        if allow:
            refused = [n for n in scenario.env if not env_allowed(n, allow)]
            if refused:
                raise ScenarioError(
                    f"the file declares environment variable(s) {', '.join(map(repr, refused))}, which --allow-env "
                    f"({', '.join(allow)}) does not allow; see docs/security.md.", location=scenario.env_at or scenario.file)
        visible = set(scenario.env) | {n for n in scenario.env_refs if allow and env_allowed(n, allow)}
        for name, where in scenario.env_refs.items():
            if name not in visible:
                key = "x-toolcheck-env" if scenario.kind == "arazzo" else "env"
                raise ScenarioError(
                    f"`$env.{name}` is not declared: a scenario file sees only the environment variables it lists "
                    f"under `{key}:` (add `{key}: [{name}]`) or that --allow-env allows; see docs/security.md.",
                    location=where)
        scenario.env_values = {n: environ[n] for n in sorted(visible) if n in environ}
        scenario.env_bound = True
        if redactor is not None:
            for name, value in scenario.env_values.items():
                if name not in _NOT_SECRET_ENV:
                    redactor.add(value, label=f"env.{name}")


def resolve_inputs(scenario: Scenario, run: RunContext, row: Mapping[str, Any] | None) -> dict[str, Any]:
    """Inputs by precedence: data row > ``--input`` > ``env`` > ``default`` (> example on --mock).

    Raises:
        ScenarioError: a required input has no value.
    """
    values: dict[str, Any] = {}
    declared = dict(scenario.inputs)
    for name, spec in declared.items():
        value: Any = ABSENT
        if row is not None and name in row:
            value = row[name]
        elif name in run.inputs:
            value = run.inputs[name]
        elif spec.env and spec.env in scenario.env_values:
            value = scenario.env_values[spec.env]
        elif spec.default is not ABSENT:
            value = spec.default
        elif run.synthesize_inputs and spec.schema is not None:
            from toolcheck.scenarios._synth import example_for

            value = f"toolcheck-example-{name}" if spec.secret or is_secret_name(name) else example_for(spec.schema, name=name)
        if value is ABSENT:
            if spec.required:
                source = f" (or set ${spec.env})" if spec.env else ""
                raise ScenarioError(f"input {name!r} is required: pass --input {name}=VALUE{source}.",
                                    location=f"{scenario.file}:{scenario.line}")
            continue
        values[name] = value
        if spec.secret or is_secret_name(name):
            run.redactor.add(value if isinstance(value, str) else orjson.dumps(value).decode(), label=f"inputs.{name}")
    for name, value in [*run.inputs.items(), *(row or {}).items()]:
        if name not in declared:
            values[name] = value
            if is_secret_name(name) and value not in (None, ""):
                run.redactor.add(value if isinstance(value, str) else orjson.dumps(value).decode(), label=f"inputs.{name}")
    return values


class ScenarioRun:
    """One run of one scenario (one data row) against its targets."""

    def __init__(self, scenario: Scenario, targets: dict[str, Target], run: RunContext, *,
                 row: Mapping[str, Any] | None = None, label: str | None = None) -> None:
        self.scenario = scenario
        self.targets = targets
        self.run_ctx = run
        self.row = row
        self.name = label or scenario.name
        self.cases: list[CaseResult] = []
        self._taken: set[str] = set()  # the names in self.cases (a long scenario must not rescan them per step)
        self.unreachable = False
        self.deadline: float | None = None
        self._retried: dict[str, list[Attempt]] = {}  # Arazzo retries, by case name

    def execute(self) -> SuiteResult:
        started = time.perf_counter()
        if self.scenario.timeout:
            self.deadline = time.monotonic() + self.scenario.timeout
        if not self.scenario.env_bound:  # a library caller that skipped bind_env: declared names only
            bind_env([self.scenario], self.run_ctx.env, redactor=self.run_ctx.redactor)
        inputs = resolve_inputs(self.scenario, self.run_ctx, self.row)
        ctx = self._context(self.scenario, inputs)
        # Rendered per step (a credential may be an earlier step's output: a login token).
        credentials = {**self.scenario.auth, **self.run_ctx.credentials}
        for dependency in self.scenario.depends_on:  # Arazzo dependsOn: their outputs become $workflows.X
            if dependency not in ctx.workflows and dependency in self.scenario.workflows:
                dep_inputs = resolve_inputs(self.scenario.workflows[dependency], self.run_ctx, self.row)
                self._call_workflow(self.scenario, dependency, dep_inputs, ctx, prefix="")
        ok, outputs, _ = self._run_steps(self.scenario, ctx, credentials, prefix="")
        for step in self.scenario.finally_steps:
            self._run_one(self.scenario, step, ctx, credentials, prefix="finally: ")
        properties = {"kind": self.scenario.kind}
        if self.scenario.workflow_id:
            properties["workflow"] = self.scenario.workflow_id
        if self.row is not None:
            properties["data_row"] = self.run_ctx.redactor.redact_text(orjson.dumps(self.row, default=str).decode())
        if outputs:
            properties["outputs"] = self.run_ctx.redactor.redact_text(
                orjson.dumps(self.run_ctx.redactor.redact_value(outputs), default=str).decode())
        return SuiteResult(name=self.name, cases=tuple(self.cases), duration=time.perf_counter() - started,
                           file=self.scenario.file, properties=properties)

    def _context(self, scenario: Scenario, inputs: dict[str, Any]) -> Context:
        sources = {name: {"url": loc} for name, loc in scenario.sources.items()}
        return Context(inputs=inputs, env=scenario.env_values, components=scenario.components, sources=sources)

    # -- sequencing ---------------------------------------------------------------------
    def _run_steps(self, scenario: Scenario, ctx: Context, credentials: dict[str, Any], *,
                   prefix: str) -> tuple[bool, dict[str, Any], dict[str, Any] | None]:
        """Run a scenario's steps; returns (passed, workflow outputs, last response)."""
        steps = scenario.steps
        index = {s.id: i for i, s in enumerate(steps)}
        i = 0
        ok = True
        executions = 0
        retries: dict[str, int] = {}
        last_response: dict[str, Any] | None = None
        broken: dict[str, str] = {}  # step id -> the failed step it (transitively) waits for
        while i < len(steps):
            step = steps[i]
            if scenario.kind != "arazzo" and broken:
                waits = sorted(step_references(step) & broken.keys())
                if waits:
                    cause = broken[waits[0]]
                    via = "" if waits[0] == cause else f" (through {waits[0]!r})"
                    self._add(step, Outcome("skipped", f"not run: it uses the outputs of step {cause!r}{via}, "
                                                       "which did not pass"), prefix)
                    broken[step.id] = cause
                    i += 1
                    continue
            executions += 1
            if executions > MAX_EXECUTIONS:
                self._add(step, Outcome("error", f"stopped after {MAX_EXECUTIONS} step executions (a goto loop?)"), prefix)
                return False, {}, last_response
            outcome = self._run_one(scenario, step, ctx, credentials, prefix=prefix,
                                    after=sorted(set(broken.values())))
            if outcome.response is not None:
                last_response = outcome.response
            if outcome.status == SKIPPED:
                i += 1
                continue
            passed = outcome.status == PASSED
            if scenario.kind != "arazzo":
                if not passed:
                    ok = False
                    if outcome.unreachable or self.run_ctx.stop.is_set():
                        for rest in steps[i + 1:]:
                            self._add(rest, Outcome("skipped", f"not run: step {step.id!r} did not pass"), prefix)
                        break
                    broken[step.id] = step.id
                i += 1
                continue
            action = self._choose(step.on_success if passed else step.on_failure, ctx)
            if not (action is not None and action.type == "retry" and retries.get(step.id, 0) < action.retry_limit):
                self._retried.pop(prefix + step.id, None)  # the step is done: its attempts are merged
            if action is None:
                if not passed:
                    ok = False
                    break
                i += 1
                continue
            if not passed and action.type in ("end", "goto") and self._only_criteria_failed(outcome):
                # The document anticipated this: unmet successCriteria with a matching onFailure
                # end/goto is flow control, not a test failure. Contract violations still fail.
                passed = True
                self._mark_handled(action)
            if action.type == "end":
                ok = ok and passed
                break
            if action.type == "retry":
                used = retries.get(step.id, 0)
                if used < action.retry_limit:
                    retries[step.id] = used + 1
                    if self.run_ctx.stop.is_set():
                        ok = False
                        break
                    if self.cases and not passed:
                        # One test case per step: the failed try becomes an attempt of the next one.
                        last = self.cases.pop()
                        self._taken.discard(last.name)
                        tries = self._retried.setdefault(prefix + step.id, [])
                        tries.append(_attempt_of(last, action, len(tries) + 1))
                    if action.retry_after > 0:
                        self.run_ctx.stop.wait(min(action.retry_after, 60.0))
                    continue
                if not passed:
                    ok = False
                    break
                i += 1
                continue
            if action.type == "goto":
                if action.workflow_id:
                    sub_ok, _, resp = self._call_workflow(scenario, action.workflow_id, {}, ctx, prefix)
                    ok = ok and passed and sub_ok
                    last_response = resp or last_response
                    break
                if action.step_id not in index:
                    raise ScenarioError(f"action {action.name!r} goes to unknown step {action.step_id!r}.",
                                        location=f"{scenario.file}:{step.line}")
                if not passed:
                    ok = False  # the failure is recorded; the workflow continues where it says
                i = index[str(action.step_id)]
                continue
        outputs = {name: render(expr, ctx) for name, expr in scenario.outputs.items()}
        return ok, outputs, last_response

    @staticmethod
    def _only_criteria_failed(outcome: Outcome) -> bool:
        errors = [v for v in outcome.details.violations or () if v.severity is Severity.ERROR]
        return bool(errors) and all(v.check == "expect.criteria" for v in errors)

    def _mark_handled(self, action: Action) -> None:
        last = self.cases[-1]
        where = action.step_id or action.workflow_id or ""
        note = f"handled by onFailure {action.name!r} ({action.type}{' ' + where if where else ''}): {last.message}"
        self.cases[-1] = CaseResult(last.name, PASSED, last.duration, note, last.classname, last.details,
                                    {**last.properties, "handled": action.name})

    def _choose(self, actions: tuple[Action, ...], ctx: Context) -> Action | None:
        for action in actions:
            if all(evaluate_criterion(c, ctx)[0] for c in action.criteria):
                return action
        return None

    def _call_workflow(self, scenario: Scenario, workflow_id: str, inputs: dict[str, Any], ctx: Context,
                       prefix: str) -> tuple[bool, dict[str, Any], dict[str, Any] | None]:
        sub = scenario.workflows.get(workflow_id)
        if sub is None:
            raise ScenarioError(f"no workflow {workflow_id!r} in this document.", location=scenario.file)
        if prefix.count("›") > 16:
            raise ScenarioError(f"workflow {workflow_id!r} calls itself too deeply.", location=sub.file)
        sub_inputs = {**{k: v.default for k, v in sub.inputs.items() if v.default is not ABSENT}, **inputs}
        sub_ctx = Context(inputs=sub_inputs, env=ctx.env, components=ctx.components, sources=ctx.sources,
                          workflows=ctx.workflows)
        credentials = {**sub.auth, **self.run_ctx.credentials}
        ok, outputs, resp = self._run_steps(sub, sub_ctx, credentials, prefix=f"{prefix}{workflow_id} › ")
        ctx.workflows[workflow_id] = {"inputs": sub_inputs, "outputs": outputs}
        return ok, outputs, resp

    # -- one step -----------------------------------------------------------------------
    def _run_one(self, scenario: Scenario, step: Step, ctx: Context, credentials: dict[str, Any], *,
                 prefix: str, after: list[str] | None = None) -> Outcome:
        start = time.perf_counter()
        if self.run_ctx.stop.is_set():
            outcome = Outcome("skipped", "not run: the run was stopped (interrupted or --fail-fast)")
            self._add(step, outcome, prefix, 0.0)
            return outcome
        if self.deadline is not None and time.monotonic() > self.deadline:
            outcome = Outcome("error", f"not run: the scenario timeout ({scenario.timeout or self.scenario.timeout:g} s) passed")
            self._add(step, outcome, prefix, 0.0)
            return outcome
        if step.workflow:
            outcome = self._run_sub(scenario, step, ctx, prefix)
        else:
            executor = StepExecutor(scenario, self.targets, ctx, self.run_ctx.redactor, self.run_ctx.settings, credentials)
            executor.deadline = self.deadline
            executor.stop = self.run_ctx.stop
            try:
                outcome = executor.run(step)
            except KeyError as exc:
                raise ScenarioError(str(exc).strip("'\""), location=f"{scenario.file}:{step.line}") from None
            except ToolcheckError:
                raise
            except Exception as exc:  # a bug here must not cost the report of everything else
                outcome = Outcome("error", f"internal error: {type(exc).__name__}: {exc}", unreachable=True,
                                  details=Details(hint="Please report this with the scenario (TOOLCHECK_DEBUG=1 re-raises)."))
                import os

                if os.environ.get("TOOLCHECK_DEBUG"):
                    raise
        if outcome.unreachable:
            self.unreachable = True
        if after and outcome.status != SKIPPED:
            names = ", ".join(repr(a) for a in after)
            note = f"ran after step {names} failed: it uses none of {'its' if len(after) == 1 else 'their'} outputs"
            outcome.details = replace(outcome.details, notes=(*(outcome.details.notes or ()), note))
        self._add(step, outcome, prefix, time.perf_counter() - start)
        return outcome

    def _run_sub(self, scenario: Scenario, step: Step, ctx: Context, prefix: str) -> Outcome:
        assert step.workflow is not None
        inputs = {p.name: render(p.value, ctx) for p in step.params}
        ok, outputs, resp = self._call_workflow(scenario, step.workflow, inputs, ctx, prefix)
        ctx.response = resp
        saved_outputs = ctx.outputs
        ctx.outputs = outputs
        try:
            failures = [c.condition for c in step.criteria if not evaluate_criterion(c, ctx)[0]]
            captured = {name: render(out.expression, ctx) for name, out in step.outputs.items()}
        finally:
            ctx.outputs = saved_outputs
        ctx.steps.setdefault(step.id, {})["outputs"] = captured
        details = Details(workflow=step.workflow, outputs=self.run_ctx.redactor.redact_value(captured))
        if not ok:
            return Outcome("failed", f"sub-workflow {step.workflow!r} failed", details, response=resp)
        if failures:
            details = replace(details, violations=tuple(
                Finding("expect.criteria", f"successCriteria `{f}` is false", "", Severity.ERROR) for f in failures))
            return Outcome("failed", f"successCriteria `{failures[0]}` is false", details, response=resp)
        return Outcome("passed", "", details, response=resp)

    def _add(self, step: Step, outcome: Outcome, prefix: str, duration: float = 0.0) -> None:
        name = prefix + step.id
        earlier = self._retried.get(name, [])
        if earlier:
            outcome.details = replace(outcome.details, attempts=(
                *earlier, Attempt(len(earlier) + 1, (outcome.response or {}).get("status"),
                                  round((outcome.response or {}).get("elapsed_ms", 0.0), 3), outcome.status)))
            outcome.attempts = len(earlier) + 1
            duration += sum(a.duration or 0.0 for a in earlier)
        taken = self._taken
        if name in taken:
            n = 2
            while f"{name} ({n})" in taken:
                n += 1
            name = f"{name} ({n})"
        status = {"passed": PASSED, "failed": FAILED, "error": ERROR, "skipped": SKIPPED}[outcome.status]
        properties = {"attempts": str(max(outcome.attempts, 1 if status in (PASSED, FAILED) else 0))}
        if step.line:
            properties["line"] = str(step.line)
        details = outcome.details
        if details.location is None:
            details = replace(details, location=f"{self.scenario.file}:{step.line}" if step.line else self.scenario.file)
        if status == PASSED and any(a.note == "network error" for a in details.attempts or ()):
            properties["flaky"] = "true"  # passed only after a network retry
        case = CaseResult(name=name, status=status, duration=duration, message=outcome.message,
                          classname=self.name, details=details, properties=properties)
        self.cases.append(case)
        taken.add(name)
        if self.run_ctx.on_case is not None:
            self.run_ctx.on_case(self.name, case)


_STEP_REFERENCE = re.compile(r"\$steps\.([A-Za-z0-9_\-]+)")


def step_references(step: Step) -> set[str]:
    """The ids of the steps whose outputs ``step`` reads (``$steps.ID...`` anywhere in it:
    parameters, body, condition, expectations, poll, outputs)."""
    found: set[str] = set()
    todo: list[Any] = [step]
    seen = 0
    while todo and seen < 100_000:  # bounded: a step from a pull request may be huge
        value = todo.pop()
        seen += 1
        if isinstance(value, str):
            if "$steps." in value:
                found.update(_STEP_REFERENCE.findall(value))
        elif isinstance(value, dict):
            todo.extend(value.keys())
            todo.extend(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            todo.extend(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            todo.extend(getattr(value, f.name) for f in dataclasses.fields(value))
    found.discard(step.id)
    return found


def _attempt_of(case: CaseResult, action: Action, number: int) -> Attempt:
    response = case.details.response
    return Attempt(number, response.status if response else None, response.elapsed_ms if response else None,
                   f"retry ({action.name}): {case.message}"[:300], duration=case.duration)


def run_scenario(scenario: Scenario, targets: dict[str, Target], run: RunContext, *,
                 row: Mapping[str, Any] | None = None, label: str | None = None) -> tuple[SuiteResult, bool]:
    """Run one scenario (one data row); returns its suite and whether the target was unreachable."""
    runner = ScenarioRun(scenario, targets, run, row=row, label=label)
    suite = runner.execute()
    return suite, runner.unreachable
