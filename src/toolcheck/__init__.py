"""toolcheck: spec-first contract testing for the HTTP APIs that AI agents call as tools.

The public entry point for library use is :func:`toolcheck.spec.load_spec`, which returns the
one :class:`~toolcheck.spec.Spec` model every feature (mock, fuzz, run, drift, agent) reads.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
