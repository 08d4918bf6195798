"""The mock's name for the compiled schema check, which lives in :mod:`toolcheck.checks._fastcheck`
(the response contract check of ``run`` and ``fuzz`` uses it too, and ``is_valid`` the wire layer's
reading half)."""

from __future__ import annotations

from toolcheck.checks._fastcheck import Check, fast_check, is_valid, value_fits

__all__ = ["Check", "fast_check", "is_valid", "value_fits"]
