"""The "no value" sentinel of scenarios: an absent output, body member or expression result.

Distinct from ``None`` (JSON ``null`` is a value). Its own module so that every scenarios
module can import it without importing the expression engine.
"""

from __future__ import annotations

from typing import Any


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()
