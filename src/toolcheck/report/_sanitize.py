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

from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass, replace
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.details import Attempt, ChainStep, Details, Request, Response
from toolcheck.findings import Severity
from toolcheck.redact import MASK, Redactor, is_secret_name
from toolcheck.results import CaseResult, RunResult, SuiteResult

_EXCHANGE_VALUES = ("body", "json", "form", "query", "params", "cookies")
_EXCHANGE_TEXTS = ("url", "path", "curl", "text")


def _exchange_extra(value: Mapping[str, Any], redactor: Redactor) -> dict[str, Any]:
    """Members of a request or response beyond the typed ones (a report read back, an error)."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "headers":
            out[key] = redactor.redact_headers(item)
        elif key in _EXCHANGE_VALUES:
            out[key] = redactor.redact_value(item)
        elif key in _EXCHANGE_TEXTS and isinstance(item, str):
            out[key] = redactor.redact_text(item)
        else:
            out[key] = redactor.redact_known(item)
    return out


def _extra(value: Mapping[str, Any], redactor: Redactor) -> dict[str, Any]:
    """A case's untyped details: an exchange-shaped member by the exchange rules, text, or known values."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in ("request", "response") and isinstance(item, Mapping):
            out[key] = _exchange_extra(item, redactor)
        elif key in ("curl", "replay") and isinstance(item, str):
            out[key] = redactor.redact_text(item)
        elif key in ("attempts", "steps") and isinstance(item, list):
            out[key] = [_extra(a, redactor) if isinstance(a, Mapping) else redactor.redact_known(a) for a in item]
        else:
            out[key] = redactor.redact_known(item)
    return out


Rule = Callable[[Any, Redactor], Any]


def _headers(value: Any, redactor: Redactor) -> Any:
    redacted = redactor.redact_headers(value)
    return redacted if isinstance(value, Mapping) else tuple((str(p[0]), p[1]) for p in redacted)


def _text(value: Any, redactor: Redactor) -> Any:
    return redactor.redact_text(value) if isinstance(value, str) else redactor.redact_known(value)


# Which rule redacts which field of a record; a field not named here has known secret values
# replaced (never skipped: a field added later is covered by default).
_RULES: dict[type, dict[str, Rule]] = {
    Request: {"headers": _headers, "body": lambda v, r: r.redact_value(v), "url": _text,
              "extra": lambda v, r: _exchange_extra(v, r)},
    Response: {"headers": _headers, "body": lambda v, r: r.redact_value(v),
               "extra": lambda v, r: _exchange_extra(v, r)},
    ChainStep: {"curl": _text, "extra": lambda v, r: _extra(v, r)},
    Details: {"curl": _text, "replay": _text, "extra": lambda v, r: _extra(v, r)},
    Attempt: {"extra": lambda v, r: _extra(v, r)},
}


def _walk(value: Any, redactor: Redactor) -> Any:
    """Redact any value of a record: a nested record field by field, a tuple item by item."""
    if value is None or value is ABSENT or isinstance(value, (Severity, bool, int, float)) or callable(value):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        rules = _RULES.get(type(value), {})
        changes = {}
        for f in fields(value):
            item = getattr(value, f.name)
            if item is None or item is ABSENT:
                continue
            rule = rules.get(f.name)
            changes[f.name] = rule(item, redactor) if rule is not None else _walk(item, redactor)
        return replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_walk(v, redactor) for v in value)
    return redactor.redact_known(value)


def sanitize_details(details: Details, redactor: Redactor) -> Details:
    """Redact one case's details (see the module docstring for which rules apply where)."""
    redacted: Details = _walk(details, redactor)
    return redacted


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


def _harvest_exchange(exchange: Request | Response | None, found: set[str]) -> None:
    if exchange is None:
        return
    _harvest_headers(exchange.headers, found)
    if exchange.body is not ABSENT:
        _harvest_value(exchange.body, found)
    for key in _EXCHANGE_VALUES:
        _harvest_value(exchange.extra.get(key), found)


def _harvest(details: Details) -> set[str]:
    """Values that sit under secret names in a case's exchanges: a token a login response
    returned must not reappear in the assertion's "actual", the message or the next curl line."""
    found: set[str] = set()
    exchanges: list[Request | Response | None] = [details.request, details.response]
    for step in details.steps or ():
        exchanges += [step.request, step.response]
    for exchange in exchanges:
        _harvest_exchange(exchange, found)
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
