"""What a Spec builds on first use: its document (from the cache), Operations, problems."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from toolcheck._startup import gc_paused
from toolcheck.findings import Severity
from toolcheck.spec._build import Builder, OpStub
from toolcheck.spec._locate import Locator
from toolcheck.spec._pointer import RefResolver
from toolcheck.spec.model import Operation, Problem, SecurityScheme


class Parts:
    """Builds what a Spec makes on first use: its document (from the cache), Operations, problems.

    Lookups by id go through light stubs (:meth:`Builder.index`); one operation asked for is
    built alone. The first call that needs every operation (``spec.operations``,
    ``spec.problems``) builds all of them in one ordered pass, so problems keep document order
    whatever was looked up before.
    """

    def __init__(
        self,
        document: dict[str, Any] | None,
        load_document: Any,
        dialect: str,
        raw_problems: list[Any],
        locator: Locator | None,
        display: str,
        *,
        stubs: list[OpStub] | None = None,
        refs: RefResolver | None = None,
    ) -> None:
        self._refs = refs
        self.loaded_document = document
        self._load_document = load_document
        self.dialect = dialect
        self.raw_problems = raw_problems
        self.locator = locator
        self.display = display
        self._stubs = stubs
        self._by_ref: dict[str, OpStub] | None = None
        self._one: Builder | None = None
        self._built_one: dict[str, Operation | None] = {}
        self._lock = threading.RLock()

    def document(self) -> dict[str, Any]:
        with self._lock:
            if self.loaded_document is None:
                with gc_paused():
                    self.loaded_document = self._load_document()
            return self.loaded_document

    def resolver(self) -> RefResolver:
        with self._lock:
            if self._refs is None:
                self._refs = RefResolver(self.document())
            return self._refs

    def stubs(self) -> list[OpStub]:
        with self._lock:
            if self._stubs is None:
                stubs = Builder(self.document(), self.dialect, self.resolver()).index("paths")
                self._stubs = dedupe_ids(stubs, [], lambda stub, new_id: stub._replace(operation_id=new_id))
            return self._stubs

    def ids(self) -> list[str]:
        return [stub.operation_id for stub in self.stubs()]

    def lookup(self, ref: str) -> Operation | None:
        with self._lock:
            if self._by_ref is None:
                index: dict[str, OpStub] = {}
                for each in self.stubs():
                    index.setdefault(each.operation_id, each)
                    index.setdefault(each.key, each)
                self._by_ref = index
            stub = self._by_ref.get(ref)
            if stub is None:
                return None
            if stub.pointer not in self._built_one:
                if self._one is None:
                    self._one = Builder(self.document(), self.dialect, self.resolver())
                self._built_one[stub.pointer] = self._one.build(stub, stub.operation_id)
            return self._built_one[stub.pointer]

    def security_schemes(self) -> dict[str, SecurityScheme]:
        return Builder(self.document(), self.dialect, self.resolver()).security_schemes()

    def build_all(self) -> tuple[tuple[Operation, ...], tuple[Operation, ...], tuple[Problem, ...]]:
        with gc_paused():
            return self._build_all()

    def _build_all(self) -> tuple[tuple[Operation, ...], tuple[Operation, ...], tuple[Problem, ...]]:
        document = self.document()
        builder = Builder(document, self.dialect, self.resolver())
        operations = builder.operations("paths")
        webhooks = builder.operations("webhooks")
        all_problems = list(self.raw_problems) + builder.problems
        if "paths" not in document and "webhooks" not in document and "components" not in document:
            all_problems.append(("error", "", "the document has no `paths`, `webhooks` or `components`", "invalid-structure"))
        raw_info = document.get("info")
        if not (raw_info if isinstance(raw_info, dict) else {}):
            all_problems.append(("error", "/info", "`info` (with `title` and `version`) is required", "invalid-structure"))
        operations = dedupe_ids(operations, all_problems, lambda op, new_id: dataclasses.replace(op, operation_id=new_id))
        problems = tuple(
            Problem(code, msg, ptr, Severity.parse(sev), source=self.display, locate=self.locator)
            for sev, ptr, msg, code in all_problems
        )
        return tuple(operations), tuple(webhooks), problems


_Op = TypeVar("_Op", Operation, OpStub)


def dedupe_ids(operations: list[_Op], problems: list[Any], rename: Callable[[_Op, str], _Op]) -> list[_Op]:
    seen: dict[str, _Op] = {}
    out: list[_Op] = []
    for op in operations:
        if op.operation_id in seen:
            problems.append((
                "warning", op.pointer,
                f"operationId {op.operation_id!r} is also used by {seen[op.operation_id].key}; "
                "this one is addressed as " + op.key, "duplicate-operation-id",
            ))
            n = 2
            while f"{op.operation_id}_{n}" in seen:
                n += 1
            op = rename(op, f"{op.operation_id}_{n}")
        seen[op.operation_id] = op
        out.append(op)
    return out
