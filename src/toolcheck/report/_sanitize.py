"""Defence in depth before anything is written: redact secrets in a finished result.

Producers must already redact (``results.py`` says so), but one missed header is one leaked
token in a CI artefact, so every reporter passes the result through :func:`sanitize_result`
first. Known structures get the name rules (request/response headers, bodies, URLs, curl lines);
everything else only has *known* secret values replaced, because name rules would damage
legitimate content (a drift finding about a schema property called ``password``). Values that
sit under a secret name in a case's exchanges (a login response's ``access_token``) become known
secrets for that case, so they are masked in its expected/actual, message and curl lines too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from toolcheck.redact import MASK, Redactor, is_secret_name
from toolcheck.results import CaseResult, RunResult, SuiteResult

_HTTP_KEYS = ("request", "response")
_TEXT_KEYS = ("curl", "replay")


def _exchange(value: Any, redactor: Redactor) -> Any:
    if not isinstance(value, Mapping):
        return redactor.redact_known(value)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "headers":
            out[key] = redactor.redact_headers(item)
        elif key in ("body", "json", "form", "query", "params", "cookies"):
            out[key] = redactor.redact_value(item)
        elif key in ("url", "path", "curl", "text") and isinstance(item, str):
            out[key] = redactor.redact_text(item)
        else:
            out[key] = redactor.redact_known(item)
    return out


def sanitize_details(details: Mapping[str, Any], redactor: Redactor) -> dict[str, Any]:
    """Redact one case's ``details`` (see the module docstring for which rules apply where)."""
    out: dict[str, Any] = {}
    for key, value in details.items():
        if key in _HTTP_KEYS:
            out[key] = _exchange(value, redactor)
        elif key in _TEXT_KEYS and isinstance(value, str):
            out[key] = redactor.redact_text(value)
        elif key in ("attempts", "steps") and isinstance(value, list):
            out[key] = [
                sanitize_details(a, redactor) if isinstance(a, Mapping) else redactor.redact_known(a)
                for a in value
            ]
        else:
            out[key] = redactor.redact_known(value)
    return out


_HARVEST_MIN = 8  # shorter values under a secret name are masked there but not searched elsewhere


def _harvest_value(obj: Any, found: set[str], depth: int = 0) -> None:
    if depth > 50:
        return
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            if is_secret_name(str(key)) and isinstance(value, str):
                if len(value) >= _HARVEST_MIN and value != MASK:
                    found.add(value)
            else:
                _harvest_value(value, found, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            _harvest_value(value, found, depth + 1)


def _harvest_headers(headers: Any, found: set[str]) -> None:
    pairs = headers.items() if isinstance(headers, Mapping) else headers if isinstance(headers, (list, tuple)) else ()
    for pair in pairs:
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            continue
        name, value = str(pair[0]), pair[1]
        if not is_secret_name(name) or not isinstance(value, str):
            continue
        if name.lower() in ("cookie", "set-cookie"):
            for part in value.split(";"):
                cookie_value = part.partition("=")[2].strip()
                if len(cookie_value) >= _HARVEST_MIN:
                    found.add(cookie_value)
        elif len(value) >= _HARVEST_MIN and MASK not in value:
            found.add(value)


def _harvest(details: Mapping[str, Any]) -> set[str]:
    """Values that sit under secret names in a case's exchanges: a token a login response
    returned must not reappear in the assertion's "actual", the message or the next curl line."""
    found: set[str] = set()
    exchanges: list[Any] = [details.get("request"), details.get("response")]
    for key in ("attempts", "steps"):
        items = details.get(key)
        if isinstance(items, list):
            exchanges.extend(x.get(k) for x in items if isinstance(x, Mapping) for k in ("request", "response"))
    for exchange in exchanges:
        if isinstance(exchange, Mapping):
            _harvest_headers(exchange.get("headers"), found)
            for key in ("body", "json", "form", "query", "params", "cookies"):
                _harvest_value(exchange.get(key), found)
    return found


def _case(case: CaseResult, redactor: Redactor) -> CaseResult:
    harvested = _harvest(case.details)
    if harvested:
        redactor = redactor.copy()
        for value in harvested:
            redactor.add(value, "a value under a secret name")
    return replace(
        case,
        name=redactor.redact_text(str(case.name)),
        message=redactor.redact_text(str(case.message)),
        details=sanitize_details(case.details, redactor),
        properties={str(k): redactor.redact_text(str(v)) for k, v in case.properties.items()},
    )


def _suite(suite: SuiteResult, redactor: Redactor) -> SuiteResult:
    return replace(
        suite,
        name=redactor.redact_known(suite.name),
        cases=tuple(_case(c, redactor) for c in suite.cases),
        properties={str(k): redactor.redact_text(str(v)) for k, v in suite.properties.items()},
    )


def sanitize_suite(suite: SuiteResult, redactor: Redactor | None = None) -> SuiteResult:
    """A copy of ``suite`` with secrets redacted."""
    return _suite(suite, redactor or Redactor())


def sanitize_result(result: RunResult, redactor: Redactor | None = None) -> RunResult:
    """A copy of ``result`` with secrets redacted in every place a reporter prints.

    Args:
        result: the finished (or partial) run.
        redactor: holds the run's known secret values; None applies the name rules only.
    """
    redactor = redactor or Redactor()
    return replace(
        result,
        title=redactor.redact_known(result.title),
        command_line=redactor.redact_text(str(result.command_line)),
        summary=redactor.redact_known(dict(result.summary)),
        suites=tuple(_suite(s, redactor) for s in result.suites),
    )
