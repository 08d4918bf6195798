"""Operation-level comparisons: identity, lifecycle, parameters, bodies, responses, security.

Hand-written companion of :mod:`toolcheck.drift.differ` (split only to keep modules small).
Every function takes the running :class:`~toolcheck.drift.differ.Differ` and emits findings.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from typing import TYPE_CHECKING, Any

from toolcheck.drift._agent import changed_sentences, example_values, semantic_delta, tool_text
from toolcheck.drift._document import compare_security
from toolcheck.drift._schema import canonical
from toolcheck.spec.model import MediaType, Operation, Parameter

if TYPE_CHECKING:
    from toolcheck.drift.differ import Differ

_STABILITY = {"draft": 0, "alpha": 1, "beta": 2, "stable": 3}


def _esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _sunset(value: Any) -> date | None | str:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return "invalid"


# --- removed operations ---------------------------------------------------------------------
def removed_operation(d: Differ, o: Operation, *, path_gone: bool) -> None:
    sunset = _sunset(o.extensions.get("x-sunset"))
    prefix = "path" if path_gone else "operation"
    if o.deprecated:
        if isinstance(sunset, date) and sunset > d.options.today:
            d.emit(f"{prefix}-removed-before-sunset", f"{o.key} was removed before its sunset date {sunset}",
                   old_pointer=o.pointer, before=str(sunset))
        else:
            d.emit(f"{prefix}-removed-deprecated", f"deprecated {o.key} was removed", old_pointer=o.pointer)
    else:
        d.emit(f"{prefix}-removed", f"{o.key} ({o.operation_id}) was removed without deprecation",
               old_pointer=o.pointer)


# --- one matched pair -----------------------------------------------------------------------
def compare_operation(d: Differ, o: Operation, n: Operation) -> None:
    if o.key != n.key:
        if o.method == n.method and template(o.path) == template(n.path):
            d.emit("path-parameter-renamed", f"{o.key} is now {n.key} (path parameters renamed)",
                   before=o.path, after=n.path, old_pointer=o.pointer, new_pointer=n.pointer)
        else:
            d.emit("operation-moved", f"{o.operation_id} moved from {o.key} to {n.key}",
                   before=o.key, after=n.key, old_pointer=o.pointer, new_pointer=n.pointer)
    d.touched = False
    _identity(d, o, n)
    _lifecycle(d, o, n)
    _parameters(d, o, n)
    _request_body(d, o, n)
    _responses(d, o, n)
    _security(d, o, n)
    if d.options.agent:
        _agent(d, o, n)


def d_rules() -> dict[str, Any]:
    from toolcheck.drift.rules import RULES

    return RULES


_TEMPLATE = re.compile(r"\{[^}/]*\}")


def template(path: str) -> str:
    """``/items/{id}`` and ``/items/{item_id}`` are one template, ``/items/{}``: a renamed path
    parameter is not a moved operation."""
    return _TEMPLATE.sub("{}", path)


def _identity(d: Differ, o: Operation, n: Operation) -> None:
    if o.explicit_id and n.explicit_id and o.operation_id != n.operation_id:
        d.emit("tool-renamed", f"tool {o.operation_id!r} was renamed to {n.operation_id!r}",
               before=o.operation_id, after=n.operation_id, old_pointer=o.pointer + "/operationId",
               new_pointer=n.pointer + "/operationId")
    elif o.explicit_id and not n.explicit_id:
        d.emit("operation-id-removed", f"operationId {o.operation_id!r} was removed (the tool is now "
               f"{n.operation_id!r})", before=o.operation_id, after=n.operation_id,
               old_pointer=o.pointer + "/operationId", new_pointer=n.pointer)
    elif n.explicit_id and not o.explicit_id and o.operation_id != n.operation_id:
        d.emit("operation-id-added", f"operationId {n.operation_id!r} was added", after=n.operation_id,
               new_pointer=n.pointer + "/operationId")
    for tag in sorted(set(n.tags) - set(o.tags)):
        d.emit("tag-added", f"tag {tag!r} was added", after=tag, key=tag, new_pointer=n.pointer)
    for tag in sorted(set(o.tags) - set(n.tags)):
        d.emit("tag-removed", f"tag {tag!r} was removed", before=tag, key=tag, old_pointer=o.pointer)


def _lifecycle(d: Differ, o: Operation, n: Operation) -> None:
    osun, nsun = _sunset(o.extensions.get("x-sunset")), _sunset(n.extensions.get("x-sunset"))
    ptr = n.pointer
    if n.deprecated and not o.deprecated:
        if nsun == "invalid":
            d.emit("operation-sunset-invalid", f"x-sunset {n.extensions.get('x-sunset')!r} is not a date",
                   new_pointer=ptr)
        elif isinstance(nsun, date):
            d.emit("operation-deprecated-with-sunset", f"{n.key} was deprecated, sunset {nsun}",
                   after=str(nsun), new_pointer=ptr)
            days = d.options.deprecation_days
            if days is not None and (nsun - d.options.today).days < days:
                d.emit("operation-sunset-too-soon", f"sunset {nsun} is less than {days} days away",
                       after=str(nsun), new_pointer=ptr)
        else:
            d.emit("operation-deprecated", f"{n.key} was deprecated", new_pointer=ptr)
            if d.options.deprecation_days is not None:
                d.emit("operation-deprecated-sunset-missing", f"{n.key} was deprecated without x-sunset",
                       new_pointer=ptr)
    elif o.deprecated and not n.deprecated:
        d.emit("operation-reactivated", f"{n.key} is no longer deprecated", new_pointer=ptr)
    elif o.deprecated and n.deprecated:
        if isinstance(osun, date) and nsun is None:
            d.emit("operation-sunset-deleted", f"x-sunset {osun} was removed", before=str(osun), new_pointer=ptr)
        elif isinstance(osun, date) and isinstance(nsun, date) and nsun < osun:
            d.emit("operation-sunset-moved-earlier", f"x-sunset moved earlier: {osun} → {nsun}",
                   before=str(osun), after=str(nsun), new_pointer=ptr)
    ost, nst = o.extensions.get("x-stability-level"), n.extensions.get("x-stability-level")
    ost = ost if isinstance(ost, str) or ost is None else repr(ost)
    nst = nst if isinstance(nst, str) or nst is None else repr(nst)
    if nst is not None and nst not in _STABILITY:
        d.emit("operation-stability-invalid", f"x-stability-level {nst!r} is not draft/alpha/beta/stable",
               after=nst, new_pointer=ptr, operation=(n.key, n.operation_id))
    elif ost in _STABILITY and nst in _STABILITY and ost != nst:
        dec = _STABILITY[str(nst)] < _STABILITY[str(ost)]
        d.emit("operation-stability-decreased" if dec else "operation-stability-increased",
               f"x-stability-level {ost} → {nst}", before=ost, after=nst, new_pointer=ptr,
               operation=(n.key, n.operation_id))


# --- parameters -----------------------------------------------------------------------------
def _pkey(p: Parameter) -> tuple[str, str]:
    return (p.location, p.name.lower() if p.location == "header" else p.name)


def _path_level(d: Differ, op: Operation, new: bool) -> set[tuple[str, str]]:
    doc = (d.new if new else d.old).document
    item = (doc.get("paths") or {}).get(op.path)
    out: set[tuple[str, str]] = set()
    if isinstance(item, dict):
        for raw in item.get("parameters") or []:
            if isinstance(raw, dict) and "$ref" in raw:
                try:
                    raw = (d.new if new else d.old).resolve(raw["$ref"])
                except KeyError:
                    continue
            if isinstance(raw, dict) and "name" in raw:
                name = str(raw["name"])
                loc = str(raw.get("in", ""))
                out.add((loc, name.lower() if loc == "header" else name))
    return out


def _param_ptr(op: Operation, p: Parameter, params: tuple[Parameter, ...]) -> str:
    for i, q in enumerate(params):
        if q is p:
            return f"{op.pointer}/parameters/{i}"
    return op.pointer


def _parameters(d: Differ, o: Operation, n: Operation) -> None:
    olist = {_pkey(p): p for p in o.parameters}
    nlist = {_pkey(p): p for p in n.parameters}
    if o.path != n.path:  # path template renamed: pair path parameters by position
        onames = [m[1:-1] for m in _names(o.path)]
        nnames = [m[1:-1] for m in _names(n.path)]
        for oname, nname in zip(onames, nnames, strict=False):
            if ("path", oname) in olist and ("path", nname) in nlist and oname != nname:
                olist[("path", nname)] = olist.pop(("path", oname))
    path_level = _path_level(d, n, True) - _path_level(d, o, False) if o.path == n.path else set()
    removed = [k for k in olist if k not in nlist]
    added = [k for k in nlist if k not in olist]
    moved_names = {k[1].lower() for k in removed} & {k[1].lower() for k in added}
    renames: list[tuple[tuple[str, str], tuple[str, str]]] = []
    for r in removed:
        if r[1].lower() in moved_names or r[0] == "path":
            continue
        best, best_score = None, 0.0
        for a in added:
            if a[0] != r[0] or a[1].lower() in moved_names or a in [x[1] for x in renames] \
                    or canonical(olist[r].schema) != canonical(nlist[a].schema):
                continue
            score = difflib.SequenceMatcher(None, r[1].lower(), a[1].lower()).ratio()
            if score > best_score:
                best, best_score = a, score
        if best is not None and (best_score >= 0.6 or (len(removed) == 1 and len(added) == 1)):
            renames.append((r, best))
    for r, a in renames:
        op_, np_ = olist[r], nlist[a]
        d.emit("parameter-renamed", f"{r[0]} parameter {op_.name!r} was renamed to {np_.name!r}",
               path=f"parameter {r[0]}:{np_.name}", before=op_.name, after=np_.name, key=f"{op_.name}->{np_.name}",
               old_pointer=_param_ptr(o, op_, o.parameters), new_pointer=_param_ptr(n, np_, n.parameters),
               scope="parameter")
    done_r = {r for r, _ in renames}
    done_a = {a for _, a in renames}
    for r in removed:
        if r in done_r:
            continue
        p = olist[r]
        where = f"parameter {r[0]}:{p.name}"
        ptr = _param_ptr(o, p, o.parameters)
        if r[1].lower() in moved_names:
            target = next(a for a in added if a[1].lower() == r[1].lower())
            d.emit("parameter-moved", f"parameter {p.name!r} moved from {r[0]} to {target[0]}", path=where,
                   before=r[0], after=target[0], key=p.name, old_pointer=ptr,
                   new_pointer=_param_ptr(n, nlist[target], n.parameters), scope="parameter")
            continue
        sunset = _sunset(p.extensions.get("x-sunset"))
        if p.deprecated and isinstance(sunset, date) and sunset > d.options.today:
            d.emit("parameter-removed-before-sunset", f"{where} was removed before its sunset {sunset}",
                   path=where, key=p.name, old_pointer=ptr, scope="parameter")
        elif p.deprecated:
            d.emit("parameter-removed-deprecated", f"deprecated {where} was removed", path=where, key=p.name,
                   old_pointer=ptr, scope="parameter")
        else:
            d.emit("parameter-removed", f"{where} was removed", path=where, key=p.name, old_pointer=ptr,
                   scope="parameter")
    for a in added:
        if a in done_a or a[1].lower() in moved_names:
            continue
        p = nlist[a]
        where = f"parameter {a[0]}:{p.name}"
        ptr = _param_ptr(n, p, n.parameters)
        if a[0] == "path":
            rule = "new-path-parameter"
        elif a in path_level:
            rule = "new-required-path-level-parameter" if p.required else "new-optional-path-level-parameter"
        else:
            rule = "new-required-parameter" if p.required else "new-optional-parameter"
        d.emit(rule, f"{'required' if p.required else 'optional'} {where} was added", path=where, key=p.name,
               new_pointer=ptr, scope="parameter")
    for k in olist.keys() & nlist.keys():
        _parameter(d, o, n, olist[k], nlist[k])


def _names(path: str) -> list[str]:
    return _TEMPLATE.findall(path)


def _parameter(d: Differ, o: Operation, n: Operation, op_: Parameter, np_: Parameter) -> None:
    where = f"parameter {np_.location}:{np_.name}"
    optr, nptr = _param_ptr(o, op_, o.parameters), _param_ptr(n, np_, n.parameters)
    kw = {"path": where, "old_pointer": optr, "new_pointer": nptr, "scope": "parameter", "key": np_.name}
    if np_.required and not op_.required:
        d.emit("parameter-became-required", f"{where} became required", **kw)  # type: ignore[arg-type]
    elif op_.required and not np_.required:
        d.emit("parameter-became-optional", f"{where} became optional", **kw)  # type: ignore[arg-type]
    if np_.deprecated and not op_.deprecated:
        d.emit("parameter-deprecated", f"{where} was deprecated", **kw)  # type: ignore[arg-type]
        policy = d.sunset_policy(np_.extensions.get("x-sunset"))
        if policy is not None:
            rule = {"property-deprecated-sunset-missing": "parameter-deprecated-sunset-missing",
                    "property-deprecated-sunset-invalid": "parameter-sunset-invalid",
                    "property-sunset-date-too-small": "parameter-sunset-too-soon"}[policy]
            d.emit(rule, f"{where}: {d_rules()[rule].description}", **kw)  # type: ignore[arg-type]
    elif op_.deprecated and not np_.deprecated:
        d.emit("parameter-reactivated", f"{where} is no longer deprecated", **kw)  # type: ignore[arg-type]
    elif op_.deprecated and np_.deprecated:
        a, b = _sunset(op_.extensions.get("x-sunset")), _sunset(np_.extensions.get("x-sunset"))
        if isinstance(a, date) and b is None:
            d.emit("parameter-sunset-deleted", f"{where}: x-sunset {a} was removed", before=str(a), **kw)  # type: ignore[arg-type]
        elif isinstance(a, date) and isinstance(b, date) and b < a:
            d.emit("parameter-sunset-moved-earlier", f"{where}: x-sunset moved earlier: {a} → {b}",
                   before=str(a), after=str(b), **kw)  # type: ignore[arg-type]
    if (op_.style, op_.explode, op_.media_type) != (np_.style, np_.explode, np_.media_type):
        d.emit("parameter-style-changed", f"{where} serialisation changed (style {op_.style} → {np_.style}, "
               f"explode {op_.explode} → {np_.explode}, content {op_.media_type or 'schema'} → "
               f"{np_.media_type or 'schema'})",
               before=f"{op_.style},{op_.explode}", after=f"{np_.style},{np_.explode}", **kw)  # type: ignore[arg-type]
    if d.options.agent:
        delta = semantic_delta(op_.description, np_.description)
        if delta:
            b, a = changed_sentences(op_.description, np_.description)
            d.emit("parameter-description-semantics-changed", f"{where} description changed: {'; '.join(delta)}",
                   before=b, after=a, **kw)  # type: ignore[arg-type]
    result = d.schemas.compare(op_.schema, np_.schema, f"{optr}/schema", f"{nptr}/schema")
    d.emit_schema("request-parameter", result, where)
    if d.options.agent and (result.facts or result.children):
        examples = list(example_values(np_.examples)) + ([("example", np_.example)] if np_.example is not None else [])
        _stale_examples(d, examples, op_.schema, np_.schema, where, nptr)


# --- request bodies -------------------------------------------------------------------------
def _media_pairs(oc: dict[str, MediaType], nc: dict[str, MediaType]) -> tuple[
        list[tuple[str, str]], list[str], list[str]]:
    pairs = [(k, k) for k in oc if k in nc]
    removed = [k for k in oc if k not in nc]
    added = [k for k in nc if k not in oc]
    def base(media: str) -> str:
        return media.split(";")[0].strip().lower()
    for r in list(removed):
        for a in added:
            if base(a) == base(r):
                pairs.append((r, a))
                removed.remove(r)
                added.remove(a)
                break
    return pairs, removed, added


def _request_body(d: Differ, o: Operation, n: Operation) -> None:
    ob, nb = o.request_body, n.request_body
    ptr_o, ptr_n = f"{o.pointer}/requestBody", f"{n.pointer}/requestBody"
    if ob is None and nb is None:
        return
    if ob is None:
        assert nb is not None
        d.emit("request-body-added-required" if nb.required else "request-body-added-optional",
               f"a {'required' if nb.required else 'optional'} request body was added", new_pointer=ptr_n,
               scope="body")
        return
    if nb is None:
        d.emit("request-body-removed", "the request body was removed", old_pointer=ptr_o, scope="body")
        return
    if nb.required and not ob.required:
        d.emit("request-body-became-required", "the request body became required", new_pointer=ptr_n, scope="body")
    elif ob.required and not nb.required:
        d.emit("request-body-became-optional", "the request body became optional", new_pointer=ptr_n, scope="body")
    pairs, removed, added = _media_pairs(dict(ob.content), dict(nb.content))
    for m in removed:
        d.emit("request-media-type-removed", f"request media type {m} was removed", before=m, key=m,
               old_pointer=f"{ptr_o}/content/{_esc(m)}", scope="body")
    for m in added:
        d.emit("request-media-type-added", f"request media type {m} was added", after=m, key=m,
               new_pointer=f"{ptr_n}/content/{_esc(m)}", scope="body")
    for om, nm in pairs:
        optr, nptr = f"{ptr_o}/content/{_esc(om)}/schema", f"{ptr_n}/content/{_esc(nm)}/schema"
        if _schema_presence(d, "request", ob.content[om].schema, nb.content[nm].schema, nm, optr, nptr):
            continue
        result = d.schemas.compare(ob.content[om].schema, nb.content[nm].schema, optr, nptr)
        d.emit_schema("request", result, "request body" + ("" if len(pairs) == 1 else f" {nm}"))
        if d.options.agent and (result.facts or result.children):
            _stale_examples(d, example_values(nb.content[nm].examples), ob.content[om].schema,
                            nb.content[nm].schema, f"request body {nm}", f"{ptr_n}/content/{_esc(nm)}")


def _media_covers(wide: str, narrow: str) -> bool:
    """``application/*`` covers ``application/json``; ``*/*`` covers everything."""
    w, n = wide.split(";")[0].strip().lower(), narrow.split(";")[0].strip().lower()
    if w == n:
        return False
    wt, _, ws = w.partition("/")
    nt, _, ns = n.partition("/")
    return (wt == "*" or wt == nt) and ws == "*" or ws.startswith("*+") and ns.endswith(ws[1:])


def _media_related(a: str, b: str) -> bool:
    """Two names for the same format (a wildcard, or both JSON): a rename rather than a removal."""
    json_like = all(m.split(";")[0].strip().lower().endswith("json") for m in (a, b))
    return json_like or _media_covers(a, b) or _media_covers(b, a)


def _schema_presence(d: Differ, side: str, old: Any, new: Any, where: str, optr: str, nptr: str) -> bool:
    """A media type that gained or lost its schema (True when reported: nothing left to compare)."""
    if bool(old) == bool(new):
        return False
    kind = "media-type-schema-added" if new else "media-type-schema-removed"
    rule = f"{side}-{kind}"
    from toolcheck.drift.rules import schema_oasdiff_ids

    d.emit(rule, f"{side} {where}: {d_rules()[rule].description.split(': ', 1)[-1]}", key=where,
           old_pointer=optr, new_pointer=nptr, scope="body", oasdiff=schema_oasdiff_ids(side, kind, True))
    return True


# --- responses ------------------------------------------------------------------------------
def _same_body(d: Differ, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    ac = {k: v.schema for k, v in a.content.items()}
    bc = {k: v.schema for k, v in b.content.items()}
    if ac.keys() != bc.keys():
        return False
    for k in ac:
        res = d.schemas.compare(ac[k], bc[k], "", "")
        if any(f.kind != "description-changed" for _, _, r, _ in d.schemas.reach(res) for f in r.facts):
            return False
    return True


def _responses(d: Differ, o: Operation, n: Operation) -> None:
    removed = [s for s in o.responses if s not in n.responses]
    added = [s for s in n.responses if s not in o.responses]
    for s in removed:
        ptr = f"{o.pointer}/responses/{_esc(s)}"
        if s.startswith("2"):
            swap = next((a for a in added if a.startswith("2") and _same_body(d, o.responses[s], n.responses[a])), None)
            if swap is not None and s not in n.success_statuses:
                d.emit("response-success-status-replaced", f"success response {s} is now {swap}", before=s,
                       after=swap, key=s, old_pointer=ptr, new_pointer=f"{n.pointer}/responses/{_esc(swap)}")
                added.remove(swap)
                continue
            d.emit("response-success-status-removed", f"success response {s} was removed", before=s, key=s,
                   old_pointer=ptr)
        else:
            d.emit("response-non-success-status-removed", f"response {s} was removed", before=s, key=s,
                   old_pointer=ptr)
    for s in added:
        rule = "response-success-status-added" if s.startswith("2") else "response-non-success-status-added"
        d.emit(rule, f"response {s} was added", after=s, key=s, new_pointer=f"{n.pointer}/responses/{_esc(s)}")
    for s in o.responses.keys() & n.responses.keys():
        _response(d, o, n, s)


def _response(d: Differ, o: Operation, n: Operation, status: str) -> None:
    orr, nrr = o.responses[status], n.responses[status]
    ptr_o, ptr_n = f"{o.pointer}/responses/{_esc(status)}", f"{n.pointer}/responses/{_esc(status)}"
    error = not status.startswith(("2", "1", "3"))
    pairs, removed, added = _media_pairs(dict(orr.content), dict(nrr.content))
    if len(removed) == 1 and len(added) == 1 and _media_related(removed[0], added[0]):
        om, nm = removed.pop(), added.pop()  # one media type renamed: compare the bodies too
        wider = _media_covers(nm, om)
        rule = ("response-media-type-name-generalized" if wider else
                "response-media-type-name-specialized" if _media_covers(om, nm) else "response-media-type-name-changed")
        d.emit(rule, f"response {status} media type {om} is now {nm}", before=om, after=nm, key=f"{status}:{om}",
               old_pointer=f"{ptr_o}/content/{_esc(om)}", new_pointer=f"{ptr_n}/content/{_esc(nm)}", scope="body")
        pairs.append((om, nm))
    for m in removed:
        d.emit("response-media-type-removed", f"response {status} media type {m} was removed", before=m,
               key=f"{status}:{m}", old_pointer=f"{ptr_o}/content/{_esc(m)}", scope="body")
    for m in added:
        d.emit("response-media-type-added", f"response {status} media type {m} was added", after=m,
               key=f"{status}:{m}", new_pointer=f"{ptr_n}/content/{_esc(m)}", scope="body")
    for om, nm in pairs:
        optr, nptr = f"{ptr_o}/content/{_esc(om)}/schema", f"{ptr_n}/content/{_esc(nm)}/schema"
        if _schema_presence(d, "response", orr.content[om].schema, nrr.content[nm].schema, f"{status} {nm}", optr, nptr):
            continue
        result = d.schemas.compare(orr.content[om].schema, nrr.content[nm].schema, optr, nptr)
        d.emit_schema("response", result, f"response {status}" + ("" if len(pairs) == 1 else f" {nm}"),
                      error_response=error)
        if d.options.agent and (result.facts or result.children):
            _stale_examples(d, example_values(nrr.content[nm].examples), orr.content[om].schema,
                            nrr.content[nm].schema, f"response {status} {nm}", f"{ptr_n}/content/{_esc(nm)}")
    oh = {k.lower(): v for k, v in orr.headers.items()}
    nh = {k.lower(): v for k, v in nrr.headers.items()}
    for h in oh.keys() - nh.keys():
        rule = "response-header-removed-required" if oh[h].required else "response-header-removed-optional"
        d.emit(rule, f"response {status} header {oh[h].name} was removed", before=oh[h].name,
               key=f"{status}:{h}", old_pointer=f"{ptr_o}/headers/{_esc(oh[h].name)}", scope="header")
    for h in nh.keys() - oh.keys():
        d.emit("response-header-added", f"response {status} header {nh[h].name} was added", after=nh[h].name,
               key=f"{status}:{h}", new_pointer=f"{ptr_n}/headers/{_esc(nh[h].name)}", scope="header")
    for h in oh.keys() & nh.keys():
        a, b = oh[h], nh[h]
        hp_o, hp_n = f"{ptr_o}/headers/{_esc(a.name)}", f"{ptr_n}/headers/{_esc(b.name)}"
        where = f"response {status} header {b.name}"
        if a.required and not b.required:
            d.emit("response-header-property-became-optional", f"{where} became optional", path=where,
                   old_pointer=hp_o, new_pointer=hp_n, scope="header", key=h,
                   oasdiff=("response-header-became-optional",))
        result = d.schemas.compare(a.schema, b.schema, f"{hp_o}/schema", f"{hp_n}/schema")
        d.emit_schema("response-header", result, where)


def _security(d: Differ, o: Operation, n: Operation) -> None:
    compare_security(d, o.security, n.security, prefix="", where=n.key)


# --- agent-only checks ----------------------------------------------------------------------
def _agent(d: Differ, o: Operation, n: Operation) -> None:
    before, after = tool_text(o), tool_text(n)
    if before.strip() != after.strip() and before and after:
        delta = semantic_delta(before, after)
        if delta:
            b, a = changed_sentences(before, after)
            d.emit("tool-description-semantics-changed", f"the tool description changed: {'; '.join(delta)}",
                   before=b, after=a, old_pointer=o.pointer, new_pointer=n.pointer)
        else:
            d.emit("tool-description-changed", "the tool description was reworded", before=before, after=after,
                   old_pointer=o.pointer, new_pointer=n.pointer)
    if not d.touched:
        return  # nothing changed in this operation: its tool definition has the same size
    sizer_o, sizer_n = d.sizers
    was, now = sizer_o.tokens(o), sizer_n.tokens(n)
    if abs(now - was) >= max(50, was // 4):
        rule = "tool-size-exploded" if now >= 2 * was and now > 1000 else "tool-size-changed"
        d.emit(rule, f"the tool definition is ~{now} tokens (was ~{was}, {now - was:+d})", before=was, after=now,
               old_pointer=o.pointer, new_pointer=n.pointer)


def _stale_examples(d: Differ, examples: list[tuple[str, Any]], old_schema: Any, new_schema: Any, where: str,
                    pointer: str) -> None:
    """An example that validated against the old schema and no longer validates against the new one."""
    if not isinstance(new_schema, dict):
        return
    root = d.new.deref(new_schema)
    if isinstance(root, dict):  # the schema's own examples (2020-12 `examples`, 3.0 `example`)
        listed = root.get("examples")
        if isinstance(listed, list):
            examples = [*examples, *((f"schema[{i}]", v) for i, v in enumerate(listed))]
        if "example" in root:
            examples = [*examples, ("schema", root["example"])]
    if not examples:
        return
    try:
        new_v = d.new.validator(new_schema)
        old_v = d.old.validator(old_schema) if isinstance(old_schema, dict) else None
    except Exception:  # an unbuildable validator is the spec's problem, reported by `check`
        return
    for name, value in examples:
        try:
            errors = list(new_v.iter_errors(value))
            if not errors or (old_v is not None and not old_v.is_valid(value)):
                continue
        except Exception:
            continue
        d.emit("example-no-longer-valid", f"{where} example {name!r} no longer validates: {errors[0].message[:120]}",
               path=f"{where} example {name}", after=errors[0].message[:200], key=f"{where}:{name}",
               new_pointer=pointer, scope="body")
