"""``drift OLD_DIR NEW_DIR``: an API split over many spec documents, compared in one report.

Twilio ships ~40 documents per release (one per product). Each document under the old
directory is paired with the one at the same relative path under the new directory
(:func:`toolcheck.spec.list_spec_files`: local directories or ``git:REV:dir``) and diffed as
usual; the findings carry their ``spec_file`` (so fingerprints differ between documents that
hold the same operation). A document only on the old side is ``spec-file-removed`` (an error:
every operation in it is gone), one only on the new side ``spec-file-added``. A document that
cannot be loaded is listed in ``not_compared`` and the run exits 2: never a false green.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from toolcheck.drift.differ import DiffOptions, diff
from toolcheck.drift.model import DriftReport, Finding
from toolcheck.drift.rules import RULES
from toolcheck.errors import ToolcheckError
from toolcheck.spec import Spec


def _join(directory: str, rel: str) -> str:
    return f"{directory.rstrip('/')}/{rel}"


def diff_directories(old_dir: str, new_dir: str, old_files: list[str], new_files: list[str],
                     load: Callable[[str], Spec], options: DiffOptions | None = None) -> DriftReport:
    """Diff every spec document present in both directories; report the ones on one side only.

    Args:
        old_dir / new_dir: the directories as the user named them (a path or ``git:REV:dir``).
        old_files / new_files: the documents under each (relative POSIX paths).
        load: loads one document (``load_spec`` with the caller's options).
        options: comparison knobs for every pair.
    """
    started = time.perf_counter()
    findings: list[Finding] = []
    not_compared: list[tuple[str, str]] = []
    stats: dict[str, Any] = {"spec_files_old": len(old_files), "spec_files_new": len(new_files),
                             "operations_old": 0, "operations_new": 0}
    new_set, old_set = set(new_files), set(old_files)
    for rel in old_files:
        if rel in new_set:
            continue
        try:
            spec = load(_join(old_dir, rel))
        except ToolcheckError as exc:
            not_compared.append((rel, str(exc)))
            continue
        stats["operations_old"] += len(spec.operations)
        rule = RULES["spec-file-removed"]
        findings.append(Finding(
            check=rule.id, severity=rule.level, operation="", spec_file=rel, oasdiff=rule.oasdiff, key=rel,
            message=f"the spec file {rel} was removed ({len(spec.operations)} operation(s) with it)",
            location_old=_join(old_dir, rel)))
    for rel in new_files:
        if rel in old_set:
            continue
        rule = RULES["spec-file-added"]
        findings.append(Finding(check=rule.id, severity=rule.level, operation="", spec_file=rel, key=rel,
                                oasdiff=rule.oasdiff, message=f"the spec file {rel} was added",
                                location_new=_join(new_dir, rel)))
    for rel in old_files:
        if rel not in new_set:
            continue
        try:
            old_spec = load(_join(old_dir, rel))
            new_spec = load(_join(new_dir, rel))
        except ToolcheckError as exc:
            not_compared.append((rel, str(exc)))
            continue
        stats["operations_old"] += len(old_spec.operations)
        stats["operations_new"] += len(new_spec.operations)
        report = diff(old_spec, new_spec, options)
        # located now: each document has its own line index, the combined report has none
        findings.extend(replace(f, spec_file=rel) for f in report.located())
    findings.sort(key=lambda f: (-f.rank, f.spec_file, f.operation, f.rule, f.path))
    stats["seconds"] = round(time.perf_counter() - started, 4)
    return DriftReport(old_source=old_dir, new_source=new_dir, findings=tuple(findings), stats=stats,
                       not_compared=tuple(not_compared))
