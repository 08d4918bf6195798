"""The mock's name for the compiled schema check, which lives in :mod:`toolcheck.checks._fastcheck`
(the response contract check of ``run`` and ``fuzz`` uses it too, and ``is_valid`` the wire layer's
reading half)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toolcheck.checks._fastcheck import Check, fast_check, value_fits
from toolcheck.checks._fastcheck import is_valid as _is_valid

if TYPE_CHECKING:
    from toolcheck.spec import Spec


def is_valid(spec: Spec, schema: Any, value: Any, direction: str | None = "response") -> bool:
    """The mock's values are responses unless said otherwise: a required ``writeOnly`` member is
    not required (:mod:`toolcheck.spec.visibility`)."""
    return _is_valid(spec, schema, value, direction)


__all__ = ["Check", "fast_check", "is_valid", "value_fits"]
