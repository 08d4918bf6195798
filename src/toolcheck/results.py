"""One result model for every command that reports (run, fuzz, drift, policy, mock proxy).

Runners build these frozen objects; reporters (``toolcheck.report``) read only them. The shape
maps one-to-one onto JUnit: a :class:`RunResult` holds suites (a scenario, an operation, a
drift category), a suite holds cases (a step, a finding, a rule hit).

``details`` is a typed :class:`~toolcheck.details.Details` record (request, response, attempts,
violations, expected/actual, a reproduction, hint, location ...) the reporters read by attribute;
secrets must already be redacted (``toolcheck.redact``) before they reach a result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from toolcheck.details import Details

RESULT_FORMAT_VERSION = "1.0"

PASSED = "passed"
FAILED = "failed"
ERROR = "error"  # the test could not run (target unreachable, invalid step)
SKIPPED = "skipped"


@dataclass(frozen=True)
class CaseResult:
    """One test case: a scenario step, a fuzz finding, a drift finding."""

    name: str
    status: str
    duration: float = 0.0
    message: str = ""
    classname: str = ""
    details: Details = field(default_factory=Details)
    properties: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "duration": round(self.duration, 6),
            "message": self.message,
            "classname": self.classname,
            "details": self.details.to_json(),
            "properties": dict(self.properties),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CaseResult:
        return cls(
            name=str(data["name"]),
            status=str(data["status"]),
            duration=float(data.get("duration", 0.0)),
            message=str(data.get("message", "")),
            classname=str(data.get("classname", "")),
            details=Details.from_json(data.get("details") or {}),
            properties={str(k): str(v) for k, v in (data.get("properties") or {}).items()},
        )


@dataclass(frozen=True)
class SuiteResult:
    """A group of cases: a scenario, an operation under fuzzing, a drift rule category."""

    name: str
    cases: tuple[CaseResult, ...] = ()
    duration: float = 0.0
    file: str = ""
    properties: Mapping[str, str] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for c in self.cases if c.status == status)

    @property
    def ok(self) -> bool:
        return all(c.status in (PASSED, SKIPPED) for c in self.cases)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "duration": round(self.duration, 6),
            "properties": dict(self.properties),
            "cases": [c.to_dict() for c in self.cases],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SuiteResult:
        return cls(
            name=str(data["name"]),
            cases=tuple(CaseResult.from_dict(c) for c in data.get("cases") or []),
            duration=float(data.get("duration", 0.0)),
            file=str(data.get("file", "")),
            properties={str(k): str(v) for k, v in (data.get("properties") or {}).items()},
        )


@dataclass(frozen=True)
class RunResult:
    """Everything one command produced, ready for any reporter.

    Attributes:
        tool: the command (``run``, ``fuzz``, ``drift``, ``policy``, ``proxy``).
        title: a headline for reports (spec title, scenario directory ...).
        interrupted: the run was cut short (Ctrl-C, time budget): suites hold what finished.
        incomplete: why the run did not test everything it was asked to ("50 of 247 operations
            tested"), empty when it did: never shown as a plain pass.
        summary: command-specific totals shown at the top of reports.
        seed: the random seed, when the command is random.
    """

    tool: str
    title: str
    suites: tuple[SuiteResult, ...] = ()
    started_at: str = ""
    duration: float = 0.0
    command_line: str = ""
    seed: int | None = None
    interrupted: bool = False
    summary: Mapping[str, Any] = field(default_factory=dict)
    version: str = ""
    incomplete: str = ""

    def count(self, status: str) -> int:
        return sum(s.count(status) for s in self.suites)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.suites) and not self.interrupted and not self.incomplete

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": RESULT_FORMAT_VERSION,
            "tool": self.tool,
            "title": self.title,
            "version": self.version,
            "started_at": self.started_at,
            "duration": round(self.duration, 6),
            "command_line": self.command_line,
            "seed": self.seed,
            "interrupted": self.interrupted,
            "incomplete": self.incomplete,
            "summary": dict(self.summary),
            "totals": {s: self.count(s) for s in (PASSED, FAILED, ERROR, SKIPPED)},
            "suites": [s.to_dict() for s in self.suites],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResult:
        return cls(
            tool=str(data["tool"]),
            title=str(data.get("title", "")),
            suites=tuple(SuiteResult.from_dict(s) for s in data.get("suites") or []),
            started_at=str(data.get("started_at", "")),
            duration=float(data.get("duration", 0.0)),
            command_line=str(data.get("command_line", "")),
            seed=data.get("seed"),
            interrupted=bool(data.get("interrupted", False)),
            incomplete=str(data.get("incomplete") or ""),
            summary=dict(data.get("summary") or {}),
            version=str(data.get("version", "")),
        )
