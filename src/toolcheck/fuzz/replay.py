"""Saving findings for ``toolcheck replay`` and replaying one of them.

Hand-written. ``fuzz`` writes every finding (already redacted, credentials never stored) to a
JSON file; ``replay ID`` sends that finding's minimal case again (or re-runs its stateful
chain or auth probe) and says whether the same (operation, check, cause) still fails. Replay is
always explicit: a run never re-sends stored cases on its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolcheck.errors import UsageError
from toolcheck.fuzz.findings import Finding
from toolcheck.fuzz.phases import auth, stateful
from toolcheck.fuzz.runner import Fuzzer
from toolcheck.payloads.case import Case

FORMAT = "toolcheck-fuzz-findings/1"


def save_findings(path: str | Path, *, spec: str, target: str, seed: int, findings: list[Finding]) -> Path:
    from toolcheck.report import atomic_write_text

    data = {"format": FORMAT, "spec": spec, "target": target, "seed": seed,
            "findings": [f.to_dict() for f in findings]}
    target_path = Path(path)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    return Path(atomic_write_text(target_path, json.dumps(data, indent=2, ensure_ascii=False, default=str)))


def load_findings(path: str | Path) -> dict[str, Any]:
    """Read a findings file.

    Raises:
        UsageError: the file is missing or not a findings file.
    """
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError("no findings file here; run `toolcheck fuzz` first or pass --findings", location=str(file)) from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the findings file: {exc}", location=str(file)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError("not a toolcheck fuzz findings file", location=str(file))
    return data


def pick(data: dict[str, Any], finding_id: str) -> dict[str, Any]:
    matches = [f for f in data.get("findings") or [] if str(f.get("id", "")).startswith(finding_id)]
    if len(matches) != 1:
        known = ", ".join(f"{f.get('id')} ({f.get('operation_id')} {f.get('check')})" for f in data.get("findings") or [])
        what = "no finding" if not matches else "more than one finding"
        raise UsageError(f"{what} with id {finding_id!r}; known: {known or 'none'}")
    chosen: dict[str, Any] = matches[0]
    return chosen


def replay(fuzzer: Fuzzer, finding: dict[str, Any]) -> tuple[bool, list[Finding]]:
    """Re-run one stored finding; ``(reproduced, findings of this replay)``."""
    op = fuzzer.spec.operation(str(finding["operation_id"]))
    case = Case.from_dict(finding["case"])
    phase = finding.get("phase", "")
    fuzzer.options.shrink = False
    if phase == "authz":
        # the authz phase again, with the identities given to replay as to the run
        from toolcheck.fuzz.authz import function_level, object_level

        if finding.get("check") == "object_level_authorization":
            object_level(fuzzer, list(fuzzer.spec.operations))
        else:
            function_level(fuzzer, op)
    elif finding.get("check") in ("resource_not_readable", "deleted_still_readable") or (phase == "stateful" and finding.get("steps")):
        stateful(fuzzer, list(fuzzer.spec.operations))
    elif phase == "auth":
        auth(fuzzer, op)
    else:
        fuzzer._execute(op, case)
    found = fuzzer.findings.all()
    key = (finding["operation_id"], finding["check"], finding["cause"])
    return any(f.key == key for f in found), found
