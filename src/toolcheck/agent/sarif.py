"""SARIF 2.1.0 output for lint findings (GitHub code scanning).

Hand-written: SARIF needs a dozen fields, not a library. Each finding becomes a ``result`` with
the rule id, a level (``error``/``warning``/``note``), the message with its fix hint, a physical
location (the spec file and line, when known) and a logical location (the operation and JSON
pointer), plus a stable fingerprint so code scanning tracks a finding across commits.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any

from toolcheck import __version__
from toolcheck.agent.lint import LintResult, rule_catalogue

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_LOCATION = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?: \(.*\))?$")


def _artifact(location: str, fallback: str) -> tuple[str, int | None]:
    match = _LOCATION.match(location)
    if match:
        path, line = match.group("file"), int(match.group("line"))
    else:
        path, line = location.split("#", 1)[0] or fallback, None
    try:
        rel = os.path.relpath(path)
        if not rel.startswith(".."):
            path = rel
    except ValueError:
        pass
    return path.replace(os.sep, "/"), line


def to_sarif(result: LintResult) -> dict[str, Any]:
    """The SARIF 2.1.0 log for one lint run."""
    catalogue = rule_catalogue()
    index = {info.id: i for i, info in enumerate(catalogue)}
    rules = [{
        "id": info.id,
        "name": "".join(part.title() for part in info.id.split("-")),
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": f"{info.summary}. {info.hint}"},
        "help": {"text": info.hint, "markdown": f"{info.hint}\n\nSee docs/lint-rules.md#{info.id}."},
        "defaultConfiguration": {"level": _LEVEL[result.rules[info.id].severity if info.id in result.rules
                                                 else info.severity],
                                 "enabled": result.rules[info.id].enabled if info.id in result.rules else True},
    } for info in catalogue]
    results = []
    for f in result.findings:
        uri, line = _artifact(f.location, result.spec)
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        if line is not None:
            physical["region"] = {"startLine": line}
        logical = [{"fullyQualifiedName": f.pointer or "/", "kind": "member"}]
        if f.operation:
            logical.insert(0, {"name": f.operation, "kind": "function"})
        digest = hashlib.sha256(f"{f.rule}|{f.operation}|{f.pointer}|{f.message}".encode()).hexdigest()[:32]
        results.append({
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVEL[f.severity],
            "message": {"text": f"{f.message}. Fix: {f.hint}" if f.hint else f.message},
            "locations": [{"physicalLocation": physical, "logicalLocations": logical}],
            "partialFingerprints": {"toolcheckFinding/v1": digest},
        })
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "toolcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
