"""`toolcheck policy`: the CI coverage policy for agent tools, as a matrix per operation.

The policy teams adopt for agent tools, made checkable:

* ``schema``: every tool endpoint has a response checked against its schema (a scenario step
  calling it that expects a success, or a fuzz suite for it);
* ``auth-failure``: every write action that requires authentication has a step sending no or
  an invalid credential and expecting 401/403;
* ``long-running``: every long-running operation (a 202 response, a 2xx body whose ``status``
  enum holds job states such as queued/running/completed, or ``x-long-running: true``) has a
  bounded wait: a ``poll`` (on it or on a later step of the same scenario) or ``timeout`` +
  ``retry``;
* ``high-risk``: every high-risk operation (DELETE, payments/billing by name, or
  ``x-high-risk: true``) has a negative step: valid credentials, expecting a 4xx other than
  401/403/429 (bad state, bad input, not found);
* ``least-privilege``: every write operation whose security declares scopes has a step calling
  it as a token *without* a scope it needs (``auth: {scopes: [...]}``, or a named ``profile``)
  and expecting 401/403: an agent holding a read-only token must not be able to write.

Evidence comes from scenario files (through the scenario loader) and optionally a fuzz
``report.json``. Hand-written: the rules are the feature; they are deliberately simple and
named in each cell so a reviewer can see why an operation counts as covered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolcheck.details import Details
from toolcheck.errors import UsageError
from toolcheck.results import FAILED, PASSED, SKIPPED, CaseResult, RunResult, SuiteResult
from toolcheck.spec import Operation, Spec

REQUIREMENTS = ("schema", "auth-failure", "long-running", "high-risk", "least-privilege")
COVERED, MISSING, NOT_APPLICABLE = "covered", "missing", "n/a"
MATRIX_IN_SUMMARY = 150  # operations: larger specs get the per-operation suites only
JOB_STATES = frozenset({"queued", "pending", "running", "in_progress", "processing", "started", "waiting",
                        "completed", "complete", "succeeded", "success", "failed", "failure", "done", "finished",
                        "cancelled", "canceled", "errored", "scheduled", "accepted"})
HIGH_RISK = re.compile(r"(^|[^a-z])(pay|payments?|payouts?|refunds?|charges?|invoices?|billing|checkout|"
                       r"purchases?|withdraw\w*)([^a-z]|$)", re.IGNORECASE)
# "transfers" is a payment collection in a path (/v1/transfers), but "transfer" is not one in an operationId
# (Spotify's transfer-a-users-playback), so it is matched on path segments and tags only.
_HIGH_RISK_NOUNS = re.compile(r"^(transfers|wires|disbursements|remittances)$", re.IGNORECASE)
_HINTS = {
    "schema": "add a step calling it that expects a 2xx (its response is checked against the schema)",
    "auth-failure": "add a step with `auth: none` (or `invalid`) expecting status 401",
    "long-running": "add a `poll` (with max_time) on it or on the status operation that follows it, or `timeout` + `retry`",
    "high-risk": "add a step with valid auth expecting a 4xx for bad state or input (e.g. 404, 409, 422)",
    "least-privilege": "add a step with `auth: {scopes: [<a read scope>], profile: reader}` expecting status 403",
}


@dataclass(frozen=True)
class Evidence:
    """A test that covers a requirement: ``file:line`` and step id, or a fuzz suite."""

    where: str
    step: str
    file: str = ""  # the scenario file, for matching a run report
    step_ids: tuple[str, ...] = ()  # the steps whose results decide it

    def __str__(self) -> str:
        return f"{self.where} ({self.step})" if self.step else self.where


@dataclass(frozen=True)
class Cell:
    requirement: str
    status: str  # covered | missing | n/a
    why: str = ""  # why it applies (or does not)
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "why": self.why, "evidence": [str(e) for e in self.evidence]}


@dataclass(frozen=True)
class Row:
    operation: Operation
    cells: Mapping[str, Cell]

    def missing(self, required: Iterable[str]) -> list[str]:
        return [r for r in required if self.cells[r].status == MISSING]


@dataclass(frozen=True)
class PolicyResult:
    """The coverage matrix and its verdict under the required requirements."""

    spec: str
    rows: tuple[Row, ...]
    required: tuple[str, ...]
    scenarios: int = 0
    ignored: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def gaps(self) -> list[tuple[Operation, str]]:
        return [(row.operation, req) for row in self.rows for req in row.missing(self.required)]

    @property
    def ok(self) -> bool:
        return not self.gaps

    def totals(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for req in REQUIREMENTS:
            cells = [row.cells[req] for row in self.rows]
            out[req] = {s: sum(1 for c in cells if c.status == s) for s in (COVERED, MISSING, NOT_APPLICABLE)}
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec, "ok": self.ok, "required": list(self.required), "scenarios": self.scenarios,
            "totals": self.totals(), "ignored": list(self.ignored), "notes": list(self.notes),
            "gaps": [{"operation": op.operation_id, "key": op.key, "requirement": req} for op, req in self.gaps],
            "operations": [{"operation": row.operation.operation_id, "key": row.operation.key,
                            **{req: row.cells[req].to_dict() for req in REQUIREMENTS}} for row in self.rows],
        }

    def to_run_result(self, *, command_line: str = "", started_at: str = "", duration: float = 0.0) -> RunResult:
        """The matrix for the shared reporters: a suite per operation, a case per requirement."""
        from toolcheck import __version__

        status_of = {COVERED: PASSED, NOT_APPLICABLE: SKIPPED}
        suites = []
        for row in self.rows:
            cases = []
            for req in REQUIREMENTS:
                cell = row.cells[req]
                status = status_of.get(cell.status, FAILED if req in self.required else SKIPPED)
                if cell.status == COVERED:
                    message = "covered by " + ", ".join(str(e) for e in cell.evidence[:3])
                elif cell.status == MISSING:
                    message = f"missing ({cell.why}): {_HINTS[req]}"
                else:
                    message = cell.why
                details = Details(operation=row.operation.key, hint=_HINTS[req] if cell.status == MISSING else None)
                cases.append(CaseResult(name=req, status=status, message=message, classname=row.operation.operation_id,
                                        details=details, properties={"coverage": cell.status}))
            suites.append(SuiteResult(name=row.operation.operation_id, cases=tuple(cases),
                                      properties={"operation": row.operation.key}))
        totals = self.totals()
        summary: dict[str, Any] = {"policy": "passed" if self.ok else "failed",
                                   "required": ", ".join(self.required), "scenario files": self.scenarios}
        for req in REQUIREMENTS:
            t = totals[req]
            summary[req] = f"{t[COVERED]}/{t[COVERED] + t[MISSING]} covered ({t[NOT_APPLICABLE]} n/a)"
        if len(self.rows) <= MATRIX_IN_SUMMARY:
            # The matrix itself, one row per operation, in the reports' summary table.
            marks = {COVERED: "✓", MISSING: "✗", NOT_APPLICABLE: "–"}
            for row in self.rows:
                summary[f"{row.operation.operation_id} ({row.operation.key})"] = " · ".join(
                    f"{req} {marks[row.cells[req].status]}" for req in REQUIREMENTS)
        return RunResult(tool="policy", title=f"Agent tool policy: {self.spec}", suites=tuple(suites),
                         started_at=started_at, duration=duration, command_line=command_line, summary=summary,
                         version=__version__)


# --- what applies ------------------------------------------------------------------------
def long_running_reason(spec: Spec, op: Operation) -> str:
    """Why ``op`` counts as long-running ("" when it does not)."""
    flag = op.extensions.get("x-long-running")
    if flag is False:
        return ""
    if flag is True:
        return "x-long-running: true"
    if "202" in op.responses:
        return "answers 202 Accepted"
    for status, resp in op.responses.items():
        if not status.startswith("2"):
            continue
        for media in resp.content.values():
            for where, key, prop in status_fields(spec, media.schema):
                values = _enum_values(spec, prop)
                if len({str(v).lower() for v in values} & JOB_STATES) >= 3:
                    return f"its `{where}{key}` has job states ({', '.join(map(str, values[:5]))})"
    return ""


ENVELOPES = ("data", "result", "job", "operation", "task", "response", "item")


def status_fields(spec: Spec, schema: Any) -> list[tuple[str, str, Any]]:
    """``(prefix, key, schema)`` of the ``status``/``state`` properties of a body: at the top,
    or one level inside an envelope (``{data: {status: ...}}``, as JSON:API-style APIs answer)."""
    out: list[tuple[str, str, Any]] = []
    resolved = spec.deref(schema)
    props = resolved.get("properties") if isinstance(resolved, dict) else None
    if not isinstance(props, dict):
        return out
    out += [("", key, props[key]) for key in ("status", "state") if key in props]
    for wrapper in ENVELOPES:
        inner = spec.deref(props.get(wrapper))
        inner_props = inner.get("properties") if isinstance(inner, dict) else None
        if isinstance(inner_props, dict):
            out += [(f"{wrapper}.", key, inner_props[key]) for key in ("status", "state") if key in inner_props]
    return out


def _enum_values(spec: Spec, schema: Any) -> list[Any]:
    resolved = spec.deref(schema)
    if not isinstance(resolved, dict):
        return []
    if isinstance(resolved.get("enum"), list):
        return list(resolved["enum"])
    out: list[Any] = []
    for key in ("oneOf", "anyOf", "allOf"):
        for sub in resolved.get(key) or []:
            out.extend(_enum_values(spec, sub))
    return out


def high_risk_reason(op: Operation, pattern: re.Pattern[str] = HIGH_RISK) -> str:
    """Why ``op`` counts as high-risk ("" when it does not)."""
    flag = op.extensions.get("x-high-risk")
    if flag is False:
        return ""
    if flag is True:
        return "x-high-risk: true"
    if op.method == "delete":
        return "DELETE"
    if op.is_write:
        for text in (op.operation_id, op.path, *op.tags):
            found = pattern.search(text.replace("_", " ").replace("-", " "))
            if found:
                return f"payments ({found.group(0).strip()!r} in {text!r})"
        if pattern is HIGH_RISK:
            for word in [*op.path.split("/"), *op.tags]:
                if _HIGH_RISK_NOUNS.match(word):
                    return f"payments ({word!r} in {op.path!r})"
    return ""


def requires_auth(op: Operation) -> bool:
    return bool(op.security) and all(len(alt) > 0 for alt in op.security)


def required_scopes(op: Operation) -> tuple[str, ...]:
    """The scopes ``op``'s first security alternative needs (empty when it declares none)."""
    for alternative in op.security[:1]:
        return tuple(dict.fromkeys(s for scopes in alternative.values() for s in scopes))
    return ()


def _lacks_a_scope(op: Operation, auth: Mapping[str, Any]) -> bool:
    """Does an identity step (``auth: {scopes, profile}``) call ``op`` without a scope it needs?
    A profile alone counts: its token's scopes are the user's to choose (named in the cell)."""
    if set(auth) - {"scopes", "profile", "subject"}:
        return False
    scopes = auth.get("scopes")
    if isinstance(scopes, list):
        return any(s not in scopes for s in required_scopes(op))
    return bool(auth.get("profile"))


# --- evidence ------------------------------------------------------------------------------
def _status_set(expect: Mapping[str, Any]) -> list[str] | None:
    raw = expect.get("status")
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else [raw]
    return [str(v).lower() for v in items]


def _matches(statuses: list[str] | None, wanted: Iterable[str]) -> bool:
    if statuses is None:
        return False
    for s in statuses:
        for w in wanted:
            if s == w or (len(s) == 3 and s.endswith("xx") and w.startswith(s[0])):
                return True
    return False


_SUCCESS = tuple(str(c) for c in range(200, 300))
_NEGATIVE = ("400", "404", "409", "410", "412", "422", "4xx")


def _negative(statuses: list[str] | None) -> bool:
    if statuses is None:
        return False
    return any(s in _NEGATIVE or (s.startswith("4") and s not in ("401", "403", "429") and len(s) == 3 and s.isdigit())
               for s in statuses)


def _spec_files(spec: Spec) -> set[str]:
    # spec.source too: the spec cache keys on content, so `files` could name an identical twin.
    return {str(Path(f).resolve()) for f in (spec.source, *spec.files)}


def _targets(spec_files: set[str], scenario: Any) -> bool:
    """Does the scenario test this spec (its ``spec:`` resolves to it, or it names none)?"""
    source = (scenario.sources or {}).get("")
    return not source or "://" in source or str(Path(source).resolve()) in spec_files


def collect(spec: Spec, scenarios: Sequence[Any], fuzz: RunResult | None = None,
            notes: list[str] | None = None) -> dict[str, dict[str, list[Evidence]]]:
    """Evidence per operation key and requirement, from scenario steps and a fuzz report.

    Args:
        notes: when given, receives a line about scenarios that target another spec.
    """
    found: dict[str, dict[str, list[Evidence]]] = {op.key: {r: [] for r in REQUIREMENTS} for op in spec.operations}
    spec_files = _spec_files(spec)
    other_spec: set[str] = set()
    for scenario in scenarios:
        if not _targets(spec_files, scenario):
            other_spec.add(scenario.file)
            continue
        steps = list(scenario.steps) + list(scenario.finally_steps)
        for index, step in enumerate(steps):
            op = _operation(spec, step)
            if op is None:
                continue
            where = Evidence(f"{scenario.file}:{step.line}" if step.line else scenario.file, step.id,
                             scenario.file, (step.id,))
            cells = found[op.key]
            statuses = _status_set(step.expect)
            auth = step.auth
            if isinstance(auth, dict) and _matches(statuses, ("401", "403")) and _lacks_a_scope(op, auth):
                cells["least-privilege"].append(where)
            elif auth in ("default", None) or isinstance(auth, dict):
                if statuses is None or _matches(statuses, _SUCCESS):
                    cells["schema"].append(where)
                if _negative(statuses) and auth in ("default", None):
                    cells["high-risk"].append(where)
            elif auth in ("none", "invalid") and _matches(statuses, ("401", "403")):
                cells["auth-failure"].append(where)
            bounded = step.poll is not None or (step.timeout is not None and step.retry is not None)
            later_poll = next((s for s in steps[index + 1:] if s.poll is not None and _polls_for(spec, op, s)), None)
            if bounded:
                cells["long-running"].append(where)
            elif later_poll is not None:
                cells["long-running"].append(Evidence(where.where, f"{step.id} → poll in {later_poll.id}",
                                                      scenario.file, (step.id, later_poll.id)))
    if fuzz is not None:
        _fuzz_evidence(spec, fuzz, found)
    if other_spec and notes is not None:
        notes.append(f"{len(other_spec)} scenario file(s) test another spec and were not counted")
    return found


def _fuzz_evidence(spec: Spec, fuzz: RunResult, found: dict[str, dict[str, list[Evidence]]]) -> None:
    """A fuzz report (``toolcheck fuzz``: a suite per operation, ``requests`` sent, run-wide
    ``phases`` counts) covers ``schema`` for every operation it sent requests to (every response
    is checked), ``high-risk`` when its ``fuzz`` phase (proven-invalid payloads) ran, and
    ``auth-failure`` when its ``auth`` phase (no/invalid credentials) ran."""
    by_name = {op.operation_id: op.key for op in spec.operations} | {op.key: op.key for op in spec.operations}
    raw_phases = fuzz.summary.get("phases")
    phases: Mapping[str, Any] = raw_phases if isinstance(raw_phases, Mapping) else {}
    for suite in fuzz.suites:
        key = (by_name.get(suite.properties.get("operation", "")) or by_name.get(suite.name)
               or by_name.get(suite.name.split(" (", 1)[0]))
        if key is None:
            continue
        try:
            sent = int(suite.properties.get("requests", "") or 0)
        except ValueError:
            sent = 0
        sent = sent or sum(1 for c in suite.cases if c.status != SKIPPED)
        if not sent:
            continue
        where = Evidence(f"fuzz report: {suite.name}", f"{sent} requests")
        found[key]["schema"].append(where)
        kinds = " ".join(f"{c.name} {c.properties.get('kind', '')}" for c in suite.cases).lower()
        if phases.get("fuzz") or "negative" in kinds:
            found[key]["high-risk"].append(where)
        if phases.get("auth"):
            found[key]["auth-failure"].append(where)


def _polls_for(spec: Spec, op: Operation, poll_step: Any) -> bool:
    """Does a later polling step wait on ``op``'s job (same resource path, or a job-status op)?"""
    target = _operation(spec, poll_step)
    if target is None:
        return False
    return target.path.startswith(op.path.rstrip("/") + "/") or bool(long_running_reason(spec, target))


def _operation(spec: Spec, step: Any) -> Operation | None:
    ref = getattr(step, "operation", None)
    if ref:
        try:
            return spec.operation(ref)
        except KeyError:
            return None
    path = getattr(step, "operation_path", None)
    if path and "#" in path:
        from toolcheck.spec._pointer import split

        tokens = split(path.split("#", 1)[1])
        if len(tokens) == 3 and tokens[0] == "paths":
            try:
                return spec.operation(f"{tokens[2].upper()} {tokens[1]}")
            except KeyError:
                return None
    return None


# --- the matrix ----------------------------------------------------------------------------
def _run_index(run: RunResult) -> dict[tuple[str, str], list[str]]:
    """``(resolved scenario file, step id) → case statuses`` of a ``toolcheck run`` report."""
    index: dict[tuple[str, str], list[str]] = {}
    for suite in run.suites:
        if not suite.file:
            continue
        file = str(Path(suite.file).resolve())
        for case in suite.cases:
            step = re.sub(r" \(\d+\)$", "", case.name)  # repeated steps (data rows) are "id (2)"
            index.setdefault((file, step), []).append(case.status)
    return index


def _passed(index: dict[tuple[str, str], list[str]], evidence: Evidence) -> bool:
    if not evidence.file:
        return True  # fuzz-report evidence: the fuzz run's own verdict is its business
    file = str(Path(evidence.file).resolve())
    for step in evidence.step_ids:
        statuses = index.get((file, step))
        if not statuses or any(s != PASSED for s in statuses):
            return False
    return True


def evaluate(spec: Spec, scenarios: Sequence[Any], *, fuzz: RunResult | None = None, run: RunResult | None = None,
             config: Mapping[str, Any] | None = None, source: str = "") -> PolicyResult:
    """The coverage matrix of ``spec`` given scenarios (and a fuzz report).

    With ``run`` (the ``report.json`` of ``toolcheck run`` over the same scenarios) a step only
    counts when it ran and passed there.

    Config keys (the ``policy:`` section): ``require`` (list of requirements, default all),
    ``ignore`` (operationIds or ``METHOD /path``), ``high-risk-pattern`` (a regex replacing the
    payments heuristic).

    Raises:
        UsageError: unknown requirements or operations, or an invalid pattern in the config.
    """
    cfg = dict(config or {})
    required = tuple(cfg.get("require") or REQUIREMENTS)
    unknown = [r for r in required if r not in REQUIREMENTS]
    if unknown:
        raise UsageError(f"policy.require: unknown requirement(s) {', '.join(map(str, unknown))}; "
                         f"choose from {', '.join(REQUIREMENTS)}", location=source or None)
    pattern = HIGH_RISK
    raw_pattern = cfg.get("high-risk-pattern", cfg.get("high_risk_pattern"))
    if raw_pattern:
        try:
            pattern = re.compile(str(raw_pattern), re.IGNORECASE)
        except re.error as exc:
            raise UsageError(f"policy.high-risk-pattern is not a valid regex: {exc}", location=source or None) from None
    ignored: set[str] = set()
    for ref in cfg.get("ignore") or []:
        try:
            ignored.add(spec.operation(str(ref)).key)
        except KeyError as exc:
            raise UsageError(f"policy.ignore: {exc.args[0]}", location=source or None) from None
    notes: list[str] = []
    evidence = collect(spec, scenarios, fuzz, notes)
    if run is not None:
        index = _run_index(run)
        dropped = 0
        for per_requirement in evidence.values():
            for req, items in per_requirement.items():
                kept = [e for e in items if _passed(index, e)]
                dropped += len(items) - len(kept)
                per_requirement[req] = kept
        if dropped:
            notes.append(f"{dropped} covering step(s) did not pass (or did not run) in the run report")
    rows = []
    for op in spec.operations:
        if op.key in ignored:
            continue
        reasons = {
            "schema": "every tool endpoint",
            "auth-failure": ("write that requires auth" if op.is_write and requires_auth(op) else
                             "" if not op.is_write else "write without required auth (see lint write-without-security)"),
            "long-running": long_running_reason(spec, op),
            "high-risk": high_risk_reason(op, pattern),
            "least-privilege": (f"write that needs scope(s) {', '.join(required_scopes(op))}"
                                if op.is_write and required_scopes(op) else ""),
        }
        applies = {"schema": True, "auth-failure": op.is_write and requires_auth(op),
                   "long-running": bool(reasons["long-running"]), "high-risk": bool(reasons["high-risk"]),
                   "least-privilege": bool(reasons["least-privilege"])}
        cells = {}
        for req in REQUIREMENTS:
            ev = tuple(evidence[op.key][req])
            if not applies[req]:
                cells[req] = Cell(req, NOT_APPLICABLE, reasons[req] or "does not apply", ev)
            else:
                cells[req] = Cell(req, COVERED if ev else MISSING, reasons[req], ev)
        rows.append(Row(op, cells))
    files = _spec_files(spec)
    counted = len({s.file for s in scenarios if _targets(files, s)})
    return PolicyResult(spec.source, tuple(rows), required, scenarios=counted,
                        ignored=tuple(sorted(ignored)), notes=tuple(notes))
