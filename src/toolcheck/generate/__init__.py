"""Value generation shared by the mock (``mock/generate.py``) and the fuzzer (``payloads/values.py``).

Only the parts whose logic is the same for both live here: a string for a ``pattern``
(:func:`string_from_regex`), a value per ``format`` (:data:`FORMATS`), and the schema
arithmetic of ``_schema.py`` (``allOf`` merging, numeric bounds, filling an array under
``uniqueItems``). The two schema walkers stay separate front-ends on purpose (see the
docstring of ``payloads/values.py``): the mock wants one realistic, stable value per request,
the fuzzer diverse and boundary-seeking ones in three modes.
"""

from __future__ import annotations

from toolcheck.generate._formats import FORMATS
from toolcheck.generate._regex import RegexError, linear_time, string_from_regex
from toolcheck.generate._schema import canonical, fill_items, is_num, merge, numeric_bounds

__all__ = [
    "FORMATS", "RegexError", "canonical", "fill_items", "is_num", "linear_time", "merge", "numeric_bounds",
    "string_from_regex",
]
