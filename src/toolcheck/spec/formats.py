"""The ``format`` checks, the same in every environment (issue 16).

jsonschema checks ``date-time``, ``time``, ``uri``... only when optional packages happen to be
importable, and picks ``rfc3987`` (GPL) over ``rfc3986-validator`` when both are: the same
request was valid on one machine and not on another. Here every checked format comes from a
package toolcheck declares (``jsonschema[format-nongpl]``, see pyproject) and is registered
explicitly, so what is installed beside toolcheck changes nothing.

OpenAPI's own integer formats (OpenAPI 3.1 §4.4 Data Types) are checked as ranges: ``int32``
is a signed 32-bit integer, ``int64`` a signed 64-bit one.
"""

from __future__ import annotations

from typing import Any

import jsonschema
from rfc3339_validator import validate_rfc3339
from rfc3986_validator import validate_rfc3986
from rfc3987_syntax import is_valid_syntax

__all__ = ["FORMAT_CHECKER", "INTEGER_FORMATS"]

INTEGER_FORMATS: dict[str, tuple[int, int]] = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}


def _build() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    checker.checkers.update(jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers)

    def strings(name: str, raises: Any = ()) -> Any:
        def register(check: Any) -> Any:
            def run(instance: object) -> bool:
                return not isinstance(instance, str) or bool(check(instance))

            checker.checks(name, raises)(run)
            return check

        return register

    # RFC 3339 §5.6; `time` is a full-time, checked on a fixed date as jsonschema does.
    strings("date-time")(lambda s: validate_rfc3339(s.upper()))
    strings("time")(lambda s: validate_rfc3339("1970-01-01T" + s.upper()))
    # RFC 3986 §3 (URI, URI-reference) and RFC 3987 §2.2 (IRI, IRI-reference).
    strings("uri")(lambda s: validate_rfc3986(s, rule="URI"))
    strings("uri-reference", ValueError)(lambda s: validate_rfc3986(s, rule="URI_reference"))
    strings("iri", ValueError)(lambda s: is_valid_syntax("iri", s))
    strings("iri-reference", ValueError)(lambda s: is_valid_syntax("iri_reference", s))

    for name, (low, high) in INTEGER_FORMATS.items():
        def in_range(instance: object, low: int = low, high: int = high) -> bool:
            if isinstance(instance, bool) or not isinstance(instance, (int, float)):
                return True
            if isinstance(instance, float) and not instance.is_integer():
                return True  # not an integer at all: `type` says so, not the format
            return low <= instance <= high

        checker.checks(name)(in_range)
    return checker


FORMAT_CHECKER = _build()
