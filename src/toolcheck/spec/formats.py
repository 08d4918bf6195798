"""The ``format`` checks, the same in every environment (issue 16).

jsonschema checks ``date-time``, ``time``, ``uri``... only when optional packages happen to be
importable, and picks ``rfc3987`` (GPL) over ``rfc3986-validator`` when both are: the same
request was valid on one machine and not on another. Here the checked formats are an explicit
list: jsonschema's own checks that need no optional package, plus checks built on packages
toolcheck declares (``rfc3339-validator``, ``rfc3986-validator``, see pyproject). What else is
installed beside toolcheck changes nothing. (Not ``jsonschema[format-nongpl]``: its
``rfc3987-syntax`` builds a grammar on import, 8 s of start-up for every command.)

OpenAPI's own integer formats (OpenAPI 3.1 §4.4 Data Types) are checked as ranges: ``int32``
is a signed 32-bit integer, ``int64`` a signed 64-bit one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import jsonschema
from rfc3339_validator import validate_rfc3339
from rfc3986_validator import validate_rfc3986

__all__ = ["FORMAT_CHECKER", "INTEGER_FORMATS"]

INTEGER_FORMATS: dict[str, tuple[int, int]] = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}


# jsonschema's own checks that need no optional package (``idn-hostname`` needs idna, which
# httpx brings): the same on every machine.
_BUILT_IN = ("email", "idn-email", "ipv4", "ipv6", "date", "uuid", "regex", "idn-hostname")


def _iri_as_uri(text: str) -> str:
    """An IRI mapped to a URI: non-ASCII characters percent-encoded as UTF-8 (RFC 3987 §3.1)."""
    return quote(text, safe="".join(chr(c) for c in range(0x21, 0x7F)))


def _build() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    every = jsonschema.FormatChecker().checkers
    checker.checkers.update({name: every[name] for name in _BUILT_IN if name in every})

    def strings(name: str, check: Any, raises: Any = ()) -> None:
        def run(instance: object) -> bool:
            return not isinstance(instance, str) or bool(check(instance))

        checker.checks(name, raises)(run)

    # RFC 3339 §5.6; `time` is a full-time, checked on a fixed date as jsonschema does.
    strings("date-time", lambda s: validate_rfc3339(s.upper()))
    strings("time", lambda s: validate_rfc3339("1970-01-01T" + s.upper()))
    # RFC 3986 §3 (URI, URI-reference); RFC 3987 (IRI, IRI-reference) through their URI mapping.
    strings("uri", lambda s: validate_rfc3986(s, rule="URI"))
    strings("uri-reference", lambda s: validate_rfc3986(s, rule="URI_reference"), ValueError)
    strings("iri", lambda s: validate_rfc3986(_iri_as_uri(s), rule="URI"), ValueError)
    strings("iri-reference", lambda s: validate_rfc3986(_iri_as_uri(s), rule="URI_reference"), ValueError)

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
