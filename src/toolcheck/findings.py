"""One vocabulary for "something is wrong": a :class:`Severity` and a :class:`Finding`.

Every command that judges something (check, run, fuzz, the mock and its validation proxy,
lint, drift) speaks these words. The severities are the SARIF levels' names minus ``note``
(SARIF 2.1.0 §3.27.10 maps ``info`` to ``note``): ``error`` fails a run, ``warning`` is shown
and counted but does not, ``info`` is context.

Older spellings stay accepted where users wrote them (``warn`` in ``--contract warn``, a
scenario's ``contract: warn``, ``--severity CHECK=warn``; ``note``/``hint`` in lint configs):
:func:`parse_level` reads them all. What a report *writes* is always one of the three values.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

OFF = "off"
_ALIASES = {"warn": "warning", "note": "info", "hint": "info"}


class Severity(str, enum.Enum):
    """How much a finding counts. A ``str`` so that reports and comparisons read its value."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:  # f-strings and str() give the value, on every Python version
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``error``/``warning``/``info`` or an accepted alias; ValueError otherwise."""
        level = parse_level(text)
        if level is None:
            raise ValueError(f"{text!r} is not a severity (error, warning, info)")
        return level


_RANK = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1}
LEVELS = ("off", "warning", "error")  # what --severity CHECK=... accepts (plus the aliases)


def parse_level(text: str) -> Severity | None:
    """A severity, or None for ``off``. Raises ValueError for anything else."""
    value = _ALIASES.get(text.strip().lower(), text.strip().lower())
    if value == OFF:
        return None
    try:
        return Severity(value)
    except ValueError:
        raise ValueError(f"{text!r} is not one of off, warning, error") from None


class _Location:
    """``Finding.location``: the ``file:line`` given, or looked up from the pointer on first read.

    Finding a line number means re-reading the source (about 0.2 s on Stripe's 4 MB YAML), and
    most findings of a lint or check run are never printed with one (``--quiet``, counts): so a
    finding that carries a ``locate`` function pays for it only when a reporter asks. A data
    descriptor, so the dataclass keeps ``location=`` as an ordinary constructor argument
    (Python docs, dataclasses "Descriptor-typed fields").
    """

    def __get__(self, obj: Finding | None, owner: type | None = None) -> str:
        if obj is None:
            return ""  # the field's default
        value: str = obj.__dict__.get("_location", "")
        if not value and obj.locate is not None:
            try:
                value = obj.locate(obj.pointer)
            except Exception:  # a line number never fails a report
                value = obj.pointer
            obj.__dict__["_location"] = value
        return value

    def __set__(self, obj: Finding, value: str) -> None:
        obj.__dict__["_location"] = value


@dataclass(frozen=True)
class Finding:
    """One thing found wrong, by one named check.

    Attributes:
        check: the check's id (``toolcheck checks`` lists them; lint rule and drift rule ids too).
        message: one sentence a person can act on, with expected vs actual.
        pointer: JSON pointer to where (into a body, a spec document), '' when not applicable.
        severity: how much it counts (after the run's ``--severity`` choices).
        location: ``file:line`` where known (given, or found by ``locate`` on first read).
        operation: ``METHOD /path`` (or operationId) the finding is about.
        cause: what makes two findings the same bug (fuzz dedupes on operation, check, cause).
        hint: what to change, and whether in the spec or the server.
        evidence: structured detail (the violations behind a fuzz finding ...), JSON-ready.
        locate: pointer → ``file:line`` of the spec the pointer is into, for ``location``.

    Commands extend it where their reports need more (lint's :class:`toolcheck.agent.lint.Finding`,
    drift's :class:`toolcheck.drift.model.Finding`); ``check`` and ``severity`` mean the same
    everywhere, whatever name a report format gives them (lint ``rule``, drift ``id``/``level``).
    """

    check: str
    message: str
    pointer: str = ""
    severity: Severity = Severity.ERROR
    location: _Location = _Location()
    operation: str = ""
    cause: str = ""
    hint: str = ""
    evidence: tuple[Mapping[str, Any], ...] = field(default=(), compare=False)
    locate: Callable[[str], str] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """``check``, ``message``, ``pointer``, ``severity`` always; the rest when set."""
        out: dict[str, Any] = {"check": self.check, "message": self.message, "pointer": self.pointer,
                               "severity": self.severity.value}
        for key in ("location", "operation", "cause", "hint"):
            value = getattr(self, key)
            if value:
                out[key] = value
        if self.evidence:
            out["evidence"] = [dict(e) for e in self.evidence]
        return out
