"""Defence in depth before anything is written: redact secrets in a finished result.

Producers must already redact (``results.py`` says so), but one missed header is one leaked
token in a CI artefact, so every reporter passes the result through :func:`sanitize_result`
first. Known structures get the name rules (request/response headers, bodies, URLs, curl lines);
everything else only has *known* secret values replaced, because name rules would damage
legitimate content (a drift finding about a schema property called ``password``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from toolcheck.redact import Redactor
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
        elif key == "attempts" and isinstance(value, list):
            out[key] = [
                sanitize_details(a, redactor) if isinstance(a, Mapping) else redactor.redact_known(a)
                for a in value
            ]
        else:
            out[key] = redactor.redact_known(value)
    return out


def _case(case: CaseResult, redactor: Redactor) -> CaseResult:
    return replace(
        case,
        name=redactor.redact_text(case.name),
        message=redactor.redact_text(case.message),
        details=sanitize_details(case.details, redactor),
        properties={k: redactor.redact_text(v) for k, v in case.properties.items()},
    )


def _suite(suite: SuiteResult, redactor: Redactor) -> SuiteResult:
    return replace(
        suite,
        name=redactor.redact_known(suite.name),
        cases=tuple(_case(c, redactor) for c in suite.cases),
        properties={k: redactor.redact_text(v) for k, v in suite.properties.items()},
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
        command_line=redactor.redact_text(result.command_line),
        summary=redactor.redact_known(dict(result.summary)),
        suites=tuple(_suite(s, redactor) for s in result.suites),
    )
