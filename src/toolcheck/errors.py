"""The tool's own failures (as opposed to *findings* about the API under test).

Every error carries a message a person can act on and, where known, a location
(``file:line`` or ``file#/json/pointer``). The CLI turns them into one paragraph and an exit
code; nothing here prints.

    ToolcheckError            exit 2 unless stated
    ├── SpecLoadError         the spec cannot be read, parsed or is not an API description
    ├── UsageError            bad options or arguments
    ├── ScenarioError         an invalid scenario or Arazzo document
    └── TargetError           exit 3: the target cannot be reached / environment failure
"""

from __future__ import annotations


class ToolcheckError(Exception):
    """Base of all errors toolcheck reports to the user."""

    exit_code = 2

    def __init__(self, message: str, *, location: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text = f"{text} {self.hint}"
        return text


class SpecLoadError(ToolcheckError):
    """The spec cannot be loaded at all (missing, binary, not parseable, not OpenAPI, too big)."""


class UsageError(ToolcheckError):
    """Bad command-line usage or configuration."""


class ScenarioError(ToolcheckError):
    """An invalid scenario file or Arazzo document."""


class TargetError(ToolcheckError):
    """The target API cannot be reached, or the environment failed (exit 3)."""

    exit_code = 3
