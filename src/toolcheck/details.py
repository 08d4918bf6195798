"""Typed details of one reported case: the request, the response, the attempts, the violations.

A runner builds these records once (``toolcheck run``'s executor, fuzz, drift, the proxy, the
policy); every reporter reads them by attribute, so a misspelt field is a type error rather than
a silently empty report section. :meth:`Details.to_json` is the one writer of the JSON report's
``details`` object and :meth:`Details.from_json` reads one back (``toolcheck report merge``).

JSON shape (kept from the dict these records replace, see ``tests/integration/test_run_report_shape.py``):
a field is written under its own name, in declaration order, only when it is set (``None``, or
:data:`~toolcheck._absent.ABSENT` for fields whose value may be JSON ``null``, means "not set").
``extra`` holds what a command reports beyond these fields (fuzz's ``seed``, drift's ``places``)
and what a report read back carried in a shape we do not know: reporters show it as facts.

Secrets must already be redacted (``toolcheck.redact``) before they reach a record;
``toolcheck.report._sanitize`` redacts every field again before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.findings import Finding, Severity

# A header block as a mapping (name → value or values) or as ``(name, value)`` pairs.
Headers = Mapping[str, Any] | tuple[tuple[str, Any], ...]


def _emit(record: Any) -> dict[str, Any]:
    """Set fields in declaration order, then ``extra`` (never shadowing a typed field)."""
    out: dict[str, Any] = {}
    for f in fields(record):
        if f.name == "extra":
            continue
        value = getattr(record, f.name)
        if value is ABSENT or (value is None and f.default is None):  # not set (a null body is a value)
            continue
        out[f.name] = _json_value(value)
    for key, value in getattr(record, "extra", {}).items():
        out.setdefault(key, value)
    return out


def _json_value(value: Any) -> Any:
    if isinstance(value, Severity):
        return value.value
    if isinstance(value, Finding):
        return value.to_dict()
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    return value


def _headers(value: Any) -> Headers:
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple((str(p[0]), p[1]) for p in value if isinstance(p, (list, tuple)) and len(p) == 2)
    raise TypeError("headers")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("text")
    return value


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    raise TypeError("number")


def _number_or_text(value: Any) -> float | str | None:
    return value if isinstance(value, str) else _number(value)


def _status(value: Any) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError("status")


def _any(value: Any) -> Any:
    return value


def _read(cls: type[Any], data: Mapping[str, Any], parsers: Mapping[str, Callable[[Any], Any]],
          aliases: Mapping[str, str] | None = None) -> Any:
    """``cls`` from JSON data: known keys parsed (a malformed one is kept in ``extra``), others in ``extra``."""
    known: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = str(raw_key)
        name = (aliases or {}).get(key, key)
        parse = parsers.get(name)
        if parse is None or name in known:
            extra[key] = value
            continue
        try:
            known[name] = parse(value)
        except (TypeError, ValueError):
            extra[key] = value
    return cls(**known, extra=extra)


@dataclass(frozen=True, slots=True)
class Request:
    """The request as sent (redacted): ``url`` carries the query string."""

    method: str = ""
    url: str = ""
    headers: Headers | None = None
    body: Any = ABSENT  # None is a JSON null body; ABSENT: not reported
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return _emit(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Request:
        return _read(cls, data, {"method": _text, "url": _text, "headers": _headers, "body": _any})  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Response:
    """The response as received (redacted, a huge body cut to its head)."""

    status: int | None = None
    headers: Headers | None = None
    body: Any = ABSENT
    elapsed_ms: float | None = None
    reason: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return _emit(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Response:
        return _read(cls, data, {"status": _status, "headers": _headers, "body": _any,  # type: ignore[no-any-return]
                                 "elapsed_ms": _number, "reason": _text})


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try of a step: a poll attempt, a network retry, an ``onFailure`` retry."""

    attempt: int
    status: int | None = None
    elapsed_ms: float | None = None
    note: str = ""
    retry_after: float | str | None = None  # seconds a Retry-After header asked for (or its text, read back)
    wait_s: float | None = None  # seconds waited before the next attempt
    duration: float | None = None  # seconds the whole try took (an onFailure retry's earlier run)
    at: str | None = None
    outcome: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        # attempt, status, elapsed_ms and note are always written (null when unknown)
        out: dict[str, Any] = {"attempt": self.attempt, "status": self.status, "elapsed_ms": self.elapsed_ms,
                               "note": self.note}
        out.update({k: v for k, v in _emit(self).items() if k not in out})
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any], index: int = 0) -> Attempt:
        parsers: dict[str, Callable[[Any], Any]] = {
            "attempt": _status, "status": _status, "elapsed_ms": _number, "note": _text, "retry_after": _number_or_text,
            "wait_s": _number, "duration": _number, "at": _text, "outcome": _text}
        given = data.get("attempt")
        number = given if isinstance(given, int) and not isinstance(given, bool) else index + 1
        data = {**data, "attempt": number}
        return _read(cls, data, parsers)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Assertion:
    """One failed expectation of a step: what was checked, where, how, expected vs actual."""

    check: str  # status | header | body | time | poll | criteria
    path: str
    operator: str
    expected: Any
    actual: Any
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "path": self.path, "operator": self.operator,
                "expected": null(self.expected), "actual": null(self.actual), "message": self.message}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Assertion:
        return cls(str(data.get("check") or ""), str(data.get("path") or ""), str(data.get("operator") or ""),
                   data.get("expected"), data.get("actual"), str(data.get("message") or ""))


def null(value: Any) -> Any:
    """A field's value for display: ``None`` when it is not set."""
    return None if value is ABSENT else value


def violation_from_json(data: Mapping[str, Any]) -> Finding:
    """A violation of a report read back (``keyword``/``path`` are older names of check/pointer)."""
    try:
        severity = Severity.parse(str(data.get("severity") or "error"))
    except ValueError:
        severity = Severity.ERROR
    evidence = data.get("evidence")
    return Finding(
        check=str(data.get("check") or data.get("keyword") or ""),
        message=str(data.get("message") or ""),
        pointer=str(data.get("pointer") or data.get("path") or ""),
        severity=severity,
        location=str(data.get("location") or ""),
        operation=str(data.get("operation") or ""),
        cause=str(data.get("cause") or ""),
        hint=str(data.get("hint") or ""),
        evidence=tuple(e for e in evidence if isinstance(e, Mapping)) if isinstance(evidence, list) else (),
    )


@dataclass(frozen=True, slots=True)
class ChainStep:
    """One request of a multi-request finding (fuzz's stateful chains: create, then read ...)."""

    role: str = ""
    operation_id: str = ""
    status: int | None = None
    curl: str = ""
    request: Request | None = None
    response: Response | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return _emit(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ChainStep:
        return _read(cls, data, {"role": _text, "operation_id": _text, "status": _status,  # type: ignore[no-any-return]
                                 "curl": _text, "request": _record(Request), "response": _record(Response)},
                     aliases={"name": "role", "operation": "operation_id"})


def _record(cls: Any) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise TypeError(cls.__name__)
        return cls.from_json(value)
    return parse


def _records(parse_one: Callable[..., Any], *, indexed: bool = False) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise TypeError("list")
        return tuple(parse_one(v, i) if indexed else parse_one(v) for i, v in enumerate(value))
    return parse


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("texts")
    return tuple(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("bool")
    return value


def _level(value: Any) -> Severity:
    if not isinstance(value, str):
        raise TypeError("level")
    return Severity.parse(value)


@dataclass(frozen=True, slots=True)
class Details:
    """Everything a report shows of one case beyond its name, status and message.

    Run's steps set ``operation`` … ``location``; fuzz findings add ``replay``, ``steps``,
    ``check``, ``level``; drift findings ``rule``, ``level``, ``before``/``after``,
    ``location_old``/``location_new``, ``fingerprint``; a case that could not run its
    ``error_type`` (JUnit's ``<error type>``).
    """

    operation: str | None = None  # operationId (run) or METHOD /path
    workflow: str | None = None  # a step that calls a sub-workflow: its id ...
    outputs: Any = ABSENT  # ... and the outputs it captured
    request: Request | None = None
    curl: str | None = None  # a reproduction command (several lines for a chain)
    credentials: str | None = None  # "sent": the step sent credentials meant to be accepted (scenarios.health)
    expects_refusal: bool | None = None  # ... and expected 401/403 for them
    notes: tuple[str, ...] | None = None
    attempts: tuple[Attempt, ...] | None = None
    response: Response | None = None
    expected: Any = ABSENT
    actual: Any = ABSENT
    assertions: tuple[Assertion, ...] | None = None
    violations: tuple[Finding, ...] | None = None
    hint: str | None = None
    location: str | None = None  # file:line of the step, the spec node ...
    replay: str | None = None  # a `toolcheck replay` command
    steps: tuple[ChainStep, ...] | None = None
    check: str | None = None
    rule: str | None = None
    level: Severity | None = None
    before: Any = ABSENT
    after: Any = ABSENT
    location_old: str | None = None
    location_new: str | None = None
    fingerprint: str | None = None
    error_type: str | None = None
    message: str | None = None  # a message beyond the case's own (drift's group message)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON report's ``details`` object (the values JSON-ready once ``report._json.jsonable`` ran)."""
        return _emit(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Details:
        """Read a report's ``details`` back; a value of an unexpected shape stays in ``extra``."""
        return _read(cls, data, _DETAIL_PARSERS)  # type: ignore[no-any-return]

    @property
    def has_expectation(self) -> bool:
        """``expected`` or ``actual`` is set (either may be JSON ``null``: see :func:`null`)."""
        return self.expected is not ABSENT or self.actual is not ABSENT

    @property
    def has_change(self) -> bool:
        """``before`` or ``after`` is set (drift: either may be ``null``, a thing added or removed)."""
        return self.before is not ABSENT or self.after is not ABSENT

    @property
    def empty(self) -> bool:
        return not self.to_json()


_DETAIL_PARSERS: dict[str, Callable[[Any], Any]] = {
    "operation": _text, "workflow": _text, "outputs": _any, "request": _record(Request), "curl": _text,
    "credentials": _text, "expects_refusal": _bool, "notes": _texts,
    "attempts": _records(Attempt.from_json, indexed=True), "response": _record(Response), "expected": _any,
    "actual": _any, "assertions": _records(Assertion.from_json), "violations": _records(violation_from_json),
    "hint": _text, "location": _text, "replay": _text, "steps": _records(ChainStep.from_json), "check": _text,
    "rule": _text, "level": _level, "before": _any, "after": _any, "location_old": _text, "location_new": _text,
    "fingerprint": _text, "error_type": _text, "message": _text,
}
