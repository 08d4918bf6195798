"""``diff(old, new)``: every change between two specs as rule findings.

Hand-written walk over the one Spec model: operations are matched by ``METHOD /path``, then
by path template with parameter names ignored (``/a/{id}`` ≡ ``/a/{key}``), then by explicit
operationId (an operation that moved). Schemas go through :class:`SchemaDiffer`, which
compares each named component pair once; its neutral facts become request-, response-,
parameter- or header-side rules here, so the contravariance lives in one place
(:mod:`toolcheck.drift.rules`). Operation-level, security, lifecycle and agent checks sit in
:mod:`toolcheck.drift._ops`.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from toolcheck.drift._agent import ToolSizer, changed_sentences, semantic_delta
from toolcheck.drift._oasdiff import OASDIFF_LEVELS
from toolcheck.drift._ops import template
from toolcheck.drift._patterns import probe
from toolcheck.drift._schema import RO, WO, Fact, Result, SchemaDiffer
from toolcheck.drift.model import DriftReport, Finding
from toolcheck.drift.rules import (
    ERROR,
    INFO,
    RULES,
    WARNING,
    WRITE_ONLY_OASDIFF,
    schema_oasdiff_ids,
    schema_rule_id,
)
from toolcheck.findings import Severity
from toolcheck.redact import MASK, is_secret_name, redact_text, redact_value
from toolcheck.spec.model import Operation, Spec

# changes that do not matter for a property the side never sees (readOnly in a request,
# writeOnly in a response; OAS 3.1 §4.8.24.3.3), as oasdiff's request-read-only-property-* rules
_VALUE_KINDS = ("default-value", "const-", "enum-value", "became-enum", "enum-removed", "x-extensible-enum")
_IGNORED_WHEN_HIDDEN = frozenset({
    "enum-value-removed", "became-enum", "max-decreased", "max-length-decreased", "min-increased",
    "min-length-increased", "exclusive-max-decreased", "exclusive-min-increased", "max-items-decreased",
    "min-items-increased", "new-required-property", "new-required-property-with-default",
    "property-became-required", "property-became-required-with-default", "required-property-removed",
    "optional-property-removed", "type-changed", "type-specialized", "became-not-nullable", "pattern-added",
    "property-became-optional", "became-nullable", "type-generalized", "max-increased", "max-length-increased",
    "description-semantics-changed", "pattern-incompatible",
})


@dataclass(frozen=True)
class DiffOptions:
    """Knobs of the comparison itself (reporting policy lives in :mod:`toolcheck.drift.policy`).

    Attributes:
        deprecation_days: when set, a deprecation needs an ``x-sunset`` at least this many days
            away (oasdiff's ``--deprecation-days-stable``).
        today: the date sunsets are compared against (injectable for tests).
        include_unstable: report draft/alpha operations (``x-stability-level``) at full level;
            by default their breaking changes are downgraded to info, as oasdiff does.
        agent: run the agent-aware checks (descriptions, examples, tool size).
    """

    deprecation_days: int | None = None
    today: date = field(default_factory=date.today)
    include_unstable: bool = False
    agent: bool = True


class Differ:
    """Collects findings for one pair of specs (use :func:`diff`)."""

    def __init__(self, old: Spec, new: Spec, options: DiffOptions) -> None:
        self.old = old
        self.new = new
        self.options = options
        self.schemas = SchemaDiffer(old, new)
        self.findings: list[Finding] = []
        self._current: tuple[str, str] = ("", "")
        self._unstable = False
        self._templates: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        self.touched = False  # did the current operation produce a finding?
        self._groups: dict[tuple[Any, ...], tuple[dict[str, Any], list[tuple[str, str]]]] = {}

    @functools.cached_property
    def sizers(self) -> tuple[ToolSizer, ToolSizer]:
        """Token estimators of the old and new tool definitions (built once, on the first size check)."""
        return ToolSizer(self.old), ToolSizer(self.new)

    # --- emitting --------------------------------------------------------------------------
    def emit(self, rule_id: str, message: str, *, path: str = "", before: Any = None, after: Any = None,
             old_pointer: str = "", new_pointer: str = "", oasdiff: tuple[str, ...] | None = None,
             scope: str = "operation", key: str = "", level: Severity | None = None,
             operation: tuple[str, str] | None = None) -> None:
        rule = RULES[rule_id]
        self.touched = True
        op_key, op_id = operation if operation is not None else self._current
        lvl = level or rule.level
        if self._unstable and lvl != INFO and operation is None:
            lvl = INFO
        self.findings.append(Finding(
            check=rule_id, severity=lvl, operation=op_key, operation_id=op_id, message=redact_text(message), path=path,
            before=redact_value(before), after=redact_value(after), old_pointer=old_pointer, new_pointer=new_pointer,
            oasdiff=rule.oasdiff if oasdiff is None else oasdiff, scope=scope, key=key,
        ))

    def emit_schema(self, prefix: str, root: Result, where: str, *, error_response: bool = False) -> None:
        """Turn the facts of a schema comparison (and every component it reaches) into findings.

        Facts inline in the operation become findings of this operation. Facts inside a named
        component become ONE finding per change, listing every operation that reaches it
        (Stripe's shared ``error`` object would otherwise repeat a change 400 times).
        """
        for _pre, at_root, res, ref in self.schemas.reach(root):
            if not res.facts:
                continue
            component = ref.rsplit("/", 1)[-1]
            if not ref:  # facts inline in this operation: its own findings
                templates = self._make_templates(prefix, res, at_root, component, where, error_response)
            else:  # keyed by the memoised Result itself (kept alive by the memo, so ids are stable)
                key = (id(res), prefix, error_response, at_root)
                if key not in self._templates:
                    self._templates[key] = self._make_templates(prefix, res, at_root, component, where, error_response)
                templates = self._templates[key]
            if not ref:
                for t in templates:
                    self.emit(t["rule"], t["message"], **{k: v for k, v in t.items() if k not in ("rule", "message")})
                continue
            for i, t in enumerate(templates):
                group = self._groups.get((key, i))
                if group is None:
                    level = t["level"]
                    if self._unstable and level != INFO:
                        level = INFO
                    group = self._groups[(key, i)] = (dict(t, level=level), [])
                group[1].append(self._current)
                self.touched = True

    def _make_templates(self, prefix: str, res: Result, at_root: bool, component: str, where: str,
                        error_response: bool) -> list[dict[str, Any]]:
        side = "request" if prefix.startswith("request") else "response"
        out: list[dict[str, Any]] = []
        for fact in res.facts:
            is_root = at_root and not fact.path
            kind = fact.kind
            if kind == "description-changed":
                if not self.options.agent:
                    continue
                if _semantics(str(fact.before), str(fact.after)):
                    kind = "description-semantics-changed"
            example = None
            if kind == "pattern-changed" and isinstance(fact.before, str) and isinstance(fact.after, str):
                # requests: one old value the new pattern rejects breaks a caller (a proof); responses:
                # a client validating with the old pattern rejects every new value we can draw (the
                # disjoint case; a widened response pattern stays a change, as in oasdiff)
                source, target = (fact.before, fact.after) if side == "request" else (fact.after, fact.before)
                example, every = probe(source, target)
                if side == "response" and not every:
                    example = None
                if example is not None:
                    kind = "pattern-incompatible"
            rule_id = schema_rule_id(prefix, kind)
            if rule_id not in RULES:
                continue
            level = RULES[rule_id].level
            oasdiff = schema_oasdiff_ids(prefix, kind, is_root)
            if ":" in fact.key and kind.startswith("property-became-"):
                wanted = "-" + fact.key.rsplit(":", 1)[1] + "-"
                oasdiff = tuple(i for i in oasdiff if wanted in i) or oasdiff
            hidden = _hidden_oasdiff(side, kind, fact.flags)
            if hidden:
                oasdiff = hidden
            # a readOnly property is not sent, a writeOnly one is not returned (OAS 3.1 §4.8.24)
            if level != INFO and kind in _IGNORED_WHEN_HIDDEN and (
                    (side == "request" and fact.flags & RO) or (side == "response" and fact.flags & WO)):
                level = INFO
            if prefix == "request-parameter" and kind == "type-changed" and fact.before == "string" \
                    and fact.after in ("number", "integer", "boolean"):
                # a query/path value is text on the wire: accepting only numbers narrows it
                kind, rule_id = "type-specialized", schema_rule_id(prefix, "type-specialized")
                level, oasdiff = RULES[rule_id].level, schema_oasdiff_ids(prefix, kind, is_root)
            if kind.startswith(_VALUE_KINDS) and fact.path and is_secret_name(fact.path[-1]):
                # a default/const/enum of a field named like a secret is a secret: never print it
                fact = Fact(fact.kind, fact.path, MASK if fact.before is not None else None,
                            MASK if fact.after is not None else None, fact.old_ptr, fact.new_ptr, "", fact.flags)
            text = RULES[rule_id].description.split(": ", 1)[-1]
            if error_response and side == "response":
                if kind in ("enum-value-removed", "enum-value-added") and _error_code_path(fact.path):
                    rule_id = "error-code-removed" if kind.endswith("removed") else "error-code-added"
                    level, text = RULES[rule_id].level, RULES[rule_id].description
                elif level == ERROR:
                    rule_id, level = "error-schema-changed", RULES["error-schema-changed"].level
            text = re.sub(r"\s*\([^)]*\)", "", text).split(":")[0]
            shown = _path_text(fact.path)
            head = f"{side} schema {component}" if component else where
            place = f"{head}{' ' + shown if shown else ''}"
            values = "" if kind.startswith("description") else _values(fact.before, fact.after)
            message = f"{place}: {text}{values}"
            if example is not None:
                message += (f": {_short(example)!r} matched the old pattern, not the new one" if side == "request"
                            else f": no value drawn from the new pattern matches the old one (e.g. {_short(example)!r})")
            if kind == "description-semantics-changed":
                message += " (" + "; ".join(_semantics(str(fact.before), str(fact.after))) + ")"
                before, after = changed_sentences(str(fact.before), str(fact.after))
                fact = Fact(fact.kind, fact.path, before, after, fact.old_ptr, fact.new_ptr, fact.key, fact.flags)
            out.append({
                "rule": rule_id, "message": message, "path": place, "before": fact.before, "after": fact.after,
                "old_pointer": fact.old_ptr, "new_pointer": fact.new_ptr, "oasdiff": oasdiff,
                "scope": "body" if is_root else "property", "key": fact.key, "level": level,
            })
            policy = self.sunset_policy(fact.after) if kind.startswith("property-deprecated") else None
            if policy is not None:
                extra = schema_rule_id(prefix, policy)
                out.append(dict(out[-1], rule=extra, level=RULES[extra].level,
                                oasdiff=schema_oasdiff_ids(prefix, policy, is_root),
                                message=f"{place}: {RULES[extra].description.split(': ', 1)[-1]}"))
        return out

    def sunset_policy(self, sunset: Any) -> str | None:
        """The sunset-policy violation of a new deprecation (``--deprecation-days``), if any."""
        days = self.options.deprecation_days
        if sunset is None:
            return "property-deprecated-sunset-missing" if days is not None else None
        try:
            when = date.fromisoformat(str(sunset)[:10])
        except ValueError:
            return "property-deprecated-sunset-invalid"
        if days is not None and (when - self.options.today).days < days:
            return "property-sunset-date-too-small"
        return None

    def set_current(self, operation: tuple[str, str]) -> None:
        """The operation findings are attached to (``METHOD /path``, operationId)."""
        self._current = operation

    def flush(self) -> None:
        """Turn grouped component findings into findings (after a walk over operations)."""
        self._flush_groups()

    def _flush_groups(self) -> None:
        for template_, ops in self._groups.values():
            t = dict(template_)
            first = ops[0]
            unique = tuple(dict.fromkeys(op for op, _ in ops))
            t["before"], t["after"] = redact_value(t["before"]), redact_value(t["after"])
            self.findings.append(Finding(
                check=t.pop("rule"), severity=t.pop("level"), message=redact_text(t.pop("message")), operation=first[0], operation_id=first[1],
                operations=unique, **t,
            ))
        self._groups.clear()

    # --- the walk --------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        from toolcheck.drift import _document, _ops

        pairs, removed, added = match_operations(self.old.operations, self.new.operations)
        new_paths = {op.path for op in self.new.operations} | set(self.new.document.get("paths") or {})
        new_templates = {template(p) for p in new_paths}
        for o in removed:
            self._current = (o.key, o.operation_id)
            level = str(o.extensions.get("x-stability-level") or "")
            self._unstable = not self.options.include_unstable and level in ("draft", "alpha")
            _ops.removed_operation(self, o, path_gone=template(o.path) not in new_templates)
        for n in added:
            self._current = (n.key, n.operation_id)
            self.emit("operation-added", f"{n.key} ({n.operation_id}) was added", new_pointer=n.pointer)
        for o, n in pairs:
            self._current = (n.key, n.operation_id)
            level = str(n.extensions.get("x-stability-level") or o.extensions.get("x-stability-level") or "")
            self._unstable = not self.options.include_unstable and level in ("draft", "alpha")
            _ops.compare_operation(self, o, n)
        self._unstable = False
        self._current = ("", "")
        self._flush_groups()
        _document.compare_webhooks(self)
        _document.compare_document(self)
        return self.findings


def match_operations(old: tuple[Operation, ...], new: tuple[Operation, ...]) -> tuple[
        list[tuple[Operation, Operation]], list[Operation], list[Operation]]:
    """Pair operations: same key, then same template (parameter names ignored), then same operationId."""
    by_key = {op.key: op for op in new}
    pairs: list[tuple[Operation, Operation]] = []
    left: list[Operation] = []
    used: set[str] = set()
    for o in old:
        n = by_key.get(o.key)
        if n is not None:
            pairs.append((o, n))
            used.add(n.key)
        else:
            left.append(o)
    rest = [n for n in new if n.key not in used]
    for stage in ("template", "id"):
        if not left or not rest:
            break
        index: dict[str, list[Operation]] = {}
        for n in rest:
            k = f"{n.method} {template(n.path)}" if stage == "template" else (n.operation_id if n.explicit_id else "")
            if k:
                index.setdefault(k, []).append(n)
        still: list[Operation] = []
        for o in left:
            k = f"{o.method} {template(o.path)}" if stage == "template" else (o.operation_id if o.explicit_id else "")
            cands = index.get(k) if k else None
            if cands:
                n = cands.pop(0)
                pairs.append((o, n))
                rest.remove(n)
            else:
                still.append(o)
        left = still
    return pairs, left, rest


def _hidden_oasdiff(side: str, kind: str, flags: int) -> tuple[str, ...]:
    """oasdiff's own ids for changes to readOnly request / writeOnly response properties."""
    if side == "request" and flags & RO:
        alt = f"request-read-only-property-{kind}"
        return (alt,) if alt in OASDIFF_LEVELS else ()
    if side == "response" and flags & WO and kind in WRITE_ONLY_OASDIFF:
        return (WRITE_ONLY_OASDIFF[kind],)
    return ()


@functools.lru_cache(maxsize=4096)
def _semantics(before: str, after: str) -> tuple[str, ...]:
    return tuple(semantic_delta(before, after))


def _error_code_path(path: tuple[str, ...]) -> bool:
    """An enum an agent branches on to recover: ``code``/``type``/``reason`` near the top of an error body."""
    if not path or len(path) > 3:
        return False
    last = path[-1].lower()
    return any(w in last for w in ("code", "type", "reason", "error", "status", "kind"))


def _path_text(path: tuple[str, ...]) -> str:
    out = ""
    for part in path:
        if part in ("[]", "{}"):
            out += part
        else:
            out += ("." if out else "") + part
    return out


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def _values(before: Any, after: Any) -> str:
    if before is None and after is None:
        return ""
    if isinstance(before, bool) or isinstance(after, bool):
        return ""
    if before is None:
        return f" ({_short(after)})"
    if after is None:
        return f" ({_short(before)})"
    return f" ({_short(before)} → {_short(after)})"


def diff(old: Spec, new: Spec, options: DiffOptions | None = None) -> DriftReport:
    """Compare two loaded specs.

    Args:
        old: the base (e.g. ``git:origin/main:openapi.yaml``).
        new: the revision.
        options: comparison knobs (:class:`DiffOptions`).

    Returns:
        A :class:`DriftReport` whose findings carry rule ids, default levels (before policy),
        JSON pointers into both documents and the oasdiff ids they correspond to.
    """
    started = time.perf_counter()
    differ = Differ(old, new, options or DiffOptions())
    findings = differ.run()
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    findings.sort(key=lambda f: (order.get(f.level, 3), f.operation, f.rule, f.path))
    return DriftReport(
        old_source=old.source, new_source=new.source, findings=tuple(findings),
        stats={"operations_old": len(old.operations), "operations_new": len(new.operations),
               "components_compared": len(differ.schemas.memo),
               "seconds": round(time.perf_counter() - started, 4)},
        old_title=old.title, new_title=new.title, old_version=old.api_version, new_version=new.api_version,
        _locate_old=old.locate, _locate_new=new.locate,
    )
