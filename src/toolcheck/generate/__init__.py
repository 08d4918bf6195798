"""Value generation shared by the mock (``mock/generate.py``) and the fuzzer (``payloads/values.py``).

Only the parts whose logic is the same for both live here: drawing a string for a ``pattern``
(:func:`string_from_regex`). The two schema walkers stay separate front-ends on purpose (see
``payloads/values.py``): the mock wants one realistic, stable value per request, the fuzzer
diverse and boundary-seeking ones in three modes.
"""

from __future__ import annotations

from toolcheck.generate._regex import RegexError, string_from_regex

__all__ = ["RegexError", "string_from_regex"]
