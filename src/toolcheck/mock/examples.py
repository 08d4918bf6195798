"""The spec's response examples, checked against their schemas before they are ever served.

Prism serves examples as written, so a stale example makes the mock lie about its own spec.
An example's ``writeOnly`` members are removed first (a response never carries them).
Here every example is validated once (lazily per operation, or all at once with
:meth:`Examples.check_all` when the server starts, so a broken one is reported up front); an
example that violates its schema is reported in :attr:`Examples.problems` and never served.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from toolcheck.spec.jsonschema import schema_errors
from toolcheck.spec.visibility import strip

if TYPE_CHECKING:
    from toolcheck.spec import Operation, Spec


class Examples:
    """Valid examples by ``(operation id, status key, media type)``, in document order."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.problems: list[str] = []
        self._valid: dict[str, dict[tuple[str, str], list[tuple[str, Any]]]] = {}
        self._lock = threading.Lock()

    def check_all(self) -> list[str]:
        """Validate every example now; returns the problems (also kept in ``problems``)."""
        for op in self.spec.operations:
            self._for(op)
        return self.problems

    def pick(self, op: Operation, status: str, media_type: str, name: str | None = None) -> Any:
        """The named example (``Prefer: example=name``), else the first valid one, else None."""
        found = self._for(op).get((status, media_type))
        if not found:
            return None
        if name:
            for example_name, value in found:
                if example_name == name:
                    return value
        return found[0][1]

    def names(self, op: Operation, status: str, media_type: str) -> list[str]:
        return [name for name, _ in self._for(op).get((status, media_type), [])]

    def _for(self, op: Operation) -> dict[tuple[str, str], list[tuple[str, Any]]]:
        hit = self._valid.get(op.operation_id)
        if hit is not None:
            return hit
        with self._lock:
            hit = self._valid.get(op.operation_id)
            if hit is not None:
                return hit
            out: dict[tuple[str, str], list[tuple[str, Any]]] = {}
            for status, response in op.responses.items():
                for media_type, media in response.content.items():
                    candidates = list(media.examples.items())
                    if not candidates and media.schema is not None:
                        candidates = _schema_examples(self.spec, media.schema)
                    good: list[tuple[str, Any]] = []
                    for name, value in candidates:
                        if media.schema is None or "json" not in media_type:
                            good.append((name, value))
                            continue
                        # A response never carries writeOnly members (OpenAPI 3.0.3 §4.7.25), even
                        # where the spec's example shows them: served without, if still valid so.
                        value = strip(self.spec, media.schema, value, "writeOnly")
                        errors = schema_errors(self.spec, media.schema, value, limit=3, direction="response")
                        if errors:
                            pointer, message = errors[0]
                            self.problems.append(
                                f"{op.key} {status} {media_type} example {name!r} violates its schema "
                                f"at {pointer or '/'}: {message} (not served; a generated body is used instead)"
                            )
                        else:
                            good.append((name, value))
                    if good:
                        out[(status, media_type)] = good
            self._valid[op.operation_id] = out
            return out


def _schema_examples(spec: Spec, schema: Any) -> list[tuple[str, Any]]:
    resolved = spec.deref(schema)
    if not isinstance(resolved, dict):
        return []
    examples = resolved.get("examples")
    if isinstance(examples, list) and examples:
        return [(f"schema-{i}", v) for i, v in enumerate(examples)]
    if "example" in resolved:
        return [("schema", resolved["example"])]
    return []
