"""The registry of response checks: one name, one default severity, one description each.

``run`` and ``fuzz`` judge responses with the checks registered here (the conformance checks of
:mod:`toolcheck.checks.conformance` serve both; ``fuzz`` adds its own in
:mod:`toolcheck.fuzz.checks`, ``run`` its secret-leak check). A check is registered where it is
implemented, with :func:`register` (a table entry) or the :func:`check` decorator (as lint rules
are, :mod:`toolcheck.agent._rules`). From the registry come:

* ``docs/checks.md`` (``toolcheck checks --markdown``; a test keeps the committed file current);
* ``--severity CHECK=off|warning|error`` in both commands (:func:`resolve_levels`), which
  rejects a name the command does not run, listing the ones it does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from toolcheck.errors import UsageError
from toolcheck.findings import LEVELS, Severity, parse_level

RUN = "run"
FUZZ = "fuzz"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class CheckInfo:
    """One registered check.

    Attributes:
        name: the id users write (``--severity status_documented=warning``) and reports show.
        severity: the default severity of what it finds.
        title: one line: what it finds.
        commands: which commands run it (``run``, ``fuzz``).
        description: how it decides, and what it tolerates (false positives avoided on purpose).
        hint: what to change; shown beside each finding.
    """

    name: str
    severity: Severity
    title: str
    commands: tuple[str, ...]
    description: str = ""
    hint: str = ""


CHECKS: dict[str, CheckInfo] = {}


def register(name: str, severity: Severity, title: str, *, commands: Iterable[str], description: str = "",
             hint: str = "") -> CheckInfo:
    """Add one check to the registry (once: a second registration of a name is a bug)."""
    if name in CHECKS:
        raise ValueError(f"check {name!r} is registered twice")
    info = CheckInfo(name, severity, title, tuple(commands), " ".join(description.split()), hint)
    CHECKS[name] = info
    return info


def check(name: str, severity: Severity, title: str, *, commands: Iterable[str], description: str = "",
          hint: str = "") -> Callable[[F], F]:
    """Decorator form of :func:`register`: the decorated function implements the check."""
    def decorate(fn: F) -> F:
        register(name, severity, title, commands=commands, description=description or (fn.__doc__ or ""),
                 hint=hint)
        return fn
    return decorate


def hint_for(name: str) -> str:
    info = CHECKS.get(name)
    return info.hint if info else ""


def checks_for(command: str) -> list[CheckInfo]:
    return [c for c in CHECKS.values() if command in c.commands]


Levels = Mapping[str, "Severity | None"]


def resolve_levels(command: str, overrides: Mapping[str, str], *, option: str = "--severity") -> dict[str, Severity | None]:
    """Each of ``command``'s checks → its severity (None: off), defaults overridden by ``overrides``.

    Raises :class:`UsageError` for a check the command does not run or a level that is not
    ``off``/``warning``/``error`` (``warn`` is read as ``warning``).
    """
    known = {c.name: c.severity for c in checks_for(command)}
    levels: dict[str, Severity | None] = dict(known)
    for name, text in overrides.items():
        if name not in known:
            raise UsageError(f"{option} {name}=...: {command} has no check {name!r}; its checks are "
                             f"{', '.join(sorted(known))} (toolcheck checks lists them)")
        try:
            level = parse_level(text)
        except ValueError:
            raise UsageError(f"{option} {name}={text}: the level must be one of {', '.join(LEVELS)}") from None
        if level is Severity.INFO:
            raise UsageError(f"{option} {name}={text}: the level must be one of {', '.join(LEVELS)}")
        levels[name] = level
    return levels


def markdown() -> str:
    """``docs/checks.md``: every registered check, by command, from the registry alone."""
    lines = [
        "# Response checks",
        "",
        "Generated from the check registry (`toolcheck checks --markdown > docs/checks.md`); do not edit by hand.",
        "",
        "`toolcheck run` and `toolcheck fuzz` judge every response with these checks. Switch one off, or",
        "change how much it counts, with `--severity CHECK=off|warning|error` (repeatable): a `warning`",
        "is reported but does not fail the run (exit 0); an `error` fails it (exit 1).",
        "",
        "| Check | Default | Commands | Finds |",
        "|---|---|---|---|",
    ]
    ordered = sorted(CHECKS.values(), key=lambda c: (-len(c.commands), c.commands, c.name))
    for c in ordered:
        lines.append(f"| [`{c.name}`](#{c.name}) | {c.severity.value} | {', '.join(c.commands)} | {c.title} |")
    for c in ordered:
        lines += ["", f"## {c.name}", "", f"{c.title}. Default severity: **{c.severity.value}**; "
                  f"run by: {', '.join(f'`{x}`' for x in c.commands)}."]
        if c.description:
            lines += ["", c.description]
        if c.hint:
            lines += ["", f"Hint shown with a finding: {c.hint}"]
    return "\n".join(lines) + "\n"
