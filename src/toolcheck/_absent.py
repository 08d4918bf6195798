"""The one "no value" sentinel: no request body, an output or body member that is not there, an
expression that selects nothing.

Distinct from ``None``, which is JSON ``null`` (a value). Falsy, and one object even through
``copy``, ``deepcopy`` and ``pickle`` (cases and steps are copied), so ``value is ABSENT`` is the
test everywhere. The wire layer, the payload generator and the scenario runner share it, so no
caller translates one layer's "nothing" into another's.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ABSENT"]


class _Absent:
    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "ABSENT"  # pickled by name: unpickling gives this module's object back


ABSENT: Any = _Absent()
