"""Value generation shared by the mock (``mock/generate.py``) and the fuzzer (``payloads/values.py``).

Only the parts whose logic is the same for both live here: drawing a string for a ``pattern``
(:func:`string_from_regex`), ``allOf`` merging, numeric bounds and filling an array under
``uniqueItems`` (``_schema.py``). The two schema walkers stay separate front-ends on purpose (see
``payloads/values.py``): the mock wants one realistic, stable value per request, the fuzzer
diverse and boundary-seeking ones in three modes.
"""

from __future__ import annotations

from toolcheck.generate._regex import RegexError, string_from_regex
from toolcheck.generate._schema import canonical, fill_items, is_num, merge, numeric_bounds

__all__ = ["RegexError", "canonical", "fill_items", "is_num", "merge", "numeric_bounds", "string_from_regex"]
