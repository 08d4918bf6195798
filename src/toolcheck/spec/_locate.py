"""Where a JSON pointer of the normalised document is in its source: ``file:line``.

A Spec keeps a :class:`Locator` and asks it lazily (reports, problems), so a run that never
prints a location never builds a line index.
"""

from __future__ import annotations

from toolcheck.errors import SpecLoadError
from toolcheck.spec._lines import yaml_block_index
from toolcheck.spec._parse import MAX_BYTES, decode, json_line_index, yaml_line_index
from toolcheck.spec._refs import EXTERNAL
from toolcheck.spec._sources import Location, read, read_file_bounded


class Locator:
    """Maps a JSON pointer of the normalised document to ``file:line`` in the source, lazily."""

    def __init__(self, location: Location, raw: bytes, dialect: str, origins: dict[str, tuple[Location, str]]) -> None:
        self.location = location
        self.raw = raw
        self.dialect = dialect
        self.origins = origins
        self._index: LineIndex | None = None

    def __call__(self, pointer: str) -> str:
        location = self.location
        raw = self.raw
        prefix = f"/components/{EXTERNAL}/"
        if pointer.startswith(prefix) and self.origins:
            key, _, rest = pointer[len(prefix):].partition("/")
            if key in self.origins:
                other, base = self.origins[key]
                pointer = base + ("/" + rest if rest else "")
                location = other
                try:
                    raw = (read_file_bounded(other.ref, MAX_BYTES, other.display, regular_only=True)[0]
                           if other.kind == "file" else read(other, allow_network=False))
                except SpecLoadError:
                    return f"{other.display}#{pointer}"
                return self._lookup(LineIndex(decode(raw, other.display)), pointer, location)
        if self._index is None:
            try:
                self._index = LineIndex(decode(raw, location.display))
            except SpecLoadError:
                self._index = LineIndex("")
        if self.dialect == "2.0":
            for new, old in (("/components/schemas/", "/definitions/"), ("/components/responses/", "/responses/"),
                             ("/components/securitySchemes/", "/securityDefinitions/")):
                if pointer.startswith(new):
                    pointer = old + pointer[len(new):]
        return self._lookup(self._index, pointer, location)

    @staticmethod
    def _lookup(index: LineIndex, pointer: str, location: Location) -> str:
        found = index.find(pointer)
        if found is None:
            return f"{location.display}#{pointer}"
        probe, line = found
        return f"{location.display}:{line}" + ("" if probe == pointer else f" ({pointer})")


class LineIndex:
    """Pointer → line for one source text: a fast index first, the exact one when affordable.

    JSON: one regex scan. YAML: the line-based block index; a pointer it cannot place (flow
    style) is looked up in the exact composed tree for files under 512 KiB, else reported at
    its nearest indexed parent (composing Stripe's 4 MB spec costs ~2 s).
    """

    EXACT_LIMIT = 512 * 1024

    def __init__(self, text: str) -> None:
        self.text = text
        self.is_json = text.lstrip()[:1] in ("{", "[")
        self.fast = json_line_index(text) if self.is_json else yaml_block_index(text)
        self.exact: dict[str, int] | None = None

    def find(self, pointer: str) -> tuple[str, int] | None:
        if pointer in self.fast:
            return pointer, self.fast[pointer]
        index = self.fast
        if not self.is_json and len(self.text) <= self.EXACT_LIMIT:
            if self.exact is None:
                self.exact = yaml_line_index(self.text)
            index = self.exact
        probe = pointer
        while True:
            if probe in index:
                return probe, index[probe]
            if not probe:
                return None
            probe = probe.rsplit("/", 1)[0]
