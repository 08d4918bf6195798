"""``file:line`` for JSON pointers into a scenario or Arazzo file.

Its own module because both readers use it: :mod:`toolcheck.scenarios.loader` (which hands
Arazzo documents to :mod:`toolcheck.scenarios.arazzo`) and the Arazzo reader itself.
"""

from __future__ import annotations

from pathlib import Path


class Locator:
    """``file:line`` for JSON pointers into a parsed file (index built on first use)."""

    def __init__(self, path: Path, text: str, *, index: dict[str, int] | None = None) -> None:
        self.path = path
        self.text = text
        self._index: dict[str, int] | None = index

    def index(self) -> dict[str, int]:
        """Every pointer's line (built from the text once)."""
        if self._index is None:
            from toolcheck.spec._parse import yaml_line_index

            self._index = yaml_line_index(self.text) if self.text else {}
        return self._index

    def line(self, pointer: str) -> int:
        if self._index is None:
            self.index()
        assert self._index is not None
        probe = pointer
        while probe not in self._index and probe:
            probe = probe.rsplit("/", 1)[0]
        return self._index.get(probe, 1)

    def at(self, pointer: str) -> str:
        return f"{self.path}:{self.line(pointer)}"
