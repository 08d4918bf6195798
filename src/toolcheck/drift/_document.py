"""Security requirements and document-level comparisons (webhooks, schemes, schemas, versions).

Hand-written companion of :mod:`toolcheck.drift.differ`. Security is judged the way an agent
experiences it: the agent holds credentials that satisfied one *old* requirement alternative;
the change breaks it when no *new* alternative is satisfied by them (a new scheme, a new scope,
or authentication where none was needed) — errors by default, where oasdiff says INFO.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toolcheck.drift.differ import Differ


def _esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


# --- security -------------------------------------------------------------------------------
Alt = dict[str, frozenset[str]]


def _alts(security: Any) -> list[Alt] | None:
    """Requirement alternatives; None = no authentication needed (absent or an empty alternative)."""
    alts = [{str(k): frozenset(str(x) for x in v) if isinstance(v, (list, tuple)) else frozenset()
             for k, v in alt.items()} for alt in security or () if isinstance(alt, dict)]
    if not alts or any(not a for a in alts):
        return None
    return alts


def _satisfies(have: Alt, need: Alt) -> bool:
    return all(k in have and need[k] <= have[k] for k in need)


def compare_security(d: Differ, old: Any, new: Any, *, prefix: str, where: str, operation: Any = None) -> None:
    oa, na = _alts(old), _alts(new)
    if oa is None and na is None:
        return
    kw = {"operation": operation} if operation is not None else {}
    if oa is None:
        assert na is not None
        names = " or ".join("+".join(sorted(a)) for a in na)
        rule = "security-added" if prefix == "" else "global-security-added"
        d.emit(rule, f"{where} now requires credentials ({names}); it needed none", after=names, key=names, **kw)
        return
    if na is None:
        rule = "security-removed" if prefix == "" else "global-security-removed"
        d.emit(rule, f"{where} no longer requires credentials", before=[sorted(a) for a in oa], **kw)
        return
    for have in oa:
        if any(_satisfies(have, need) for need in na):
            continue
        same = [need for need in na if set(need) == set(have)]
        if same:
            need = same[0]
            extra = sorted(set().union(*(need[k] - have[k] for k in need)))
            rule = "security-scope-added" if prefix == "" else "global-security-scope-added"
            d.emit(rule, f"{where} now requires scope(s) {', '.join(extra)}", after=extra, key=",".join(extra), **kw)
        else:
            before = "+".join(sorted(have))
            after = " or ".join("+".join(sorted(a)) for a in na)
            rule = "security-changed" if prefix == "" else "global-security-added"
            d.emit(rule, f"{where} requires {after} instead of {before}", before=before, after=after,
                   key=after, **kw)
    old_schemes = {k for a in oa for k in a}
    new_schemes = {k for a in na for k in a}
    for k in sorted(old_schemes - new_schemes):
        rule = "security-removed" if prefix == "" else "global-security-removed"
        d.emit(rule, f"{where} no longer accepts {k}", before=k, key=k, **kw)
    for have in oa:
        for need in na:
            if set(have) == set(need):
                gone = sorted(set().union(*(have[k] - need[k] for k in have)))
                if gone:
                    rule = "security-scope-removed" if prefix == "" else "global-security-scope-removed"
                    d.emit(rule, f"{where} no longer requires scope(s) {', '.join(gone)}", before=gone,
                           key=",".join(gone), **kw)


# --- document level -------------------------------------------------------------------------
def compare_webhooks(d: Differ) -> None:
    old = {op.key: op for op in d.old.webhooks}
    new = {op.key: op for op in d.new.webhooks}
    for k in old.keys() - new.keys():
        d.emit("webhook-removed", f"webhook {k} was removed", old_pointer=old[k].pointer, operation=(k, old[k].operation_id))
    for k in new.keys() - old.keys():
        d.emit("webhook-added", f"webhook {k} was added", new_pointer=new[k].pointer, operation=(k, new[k].operation_id))
    for k in sorted(old.keys() & new.keys()):
        # the API sends a webhook and the agent's server receives it: its payload is compared
        # like a response (loosening breaks the receiver)
        o, n = old[k], new[k]
        if o.request_body is None or n.request_body is None:
            continue
        d.set_current((f"webhook {k}", n.operation_id))
        for media, nm in n.request_body.content.items():
            om = o.request_body.content.get(media)
            if om is None:
                continue
            esc = media.replace("~", "~0").replace("/", "~1")
            result = d.schemas.compare(om.schema, nm.schema, f"{o.pointer}/requestBody/content/{esc}/schema",
                                       f"{n.pointer}/requestBody/content/{esc}/schema")
            d.emit_schema("response", result, "webhook payload")
    d.set_current(("", ""))
    d.flush()


def compare_document(d: Differ) -> None:
    compare_security(d, _doc_security(d.old.document), _doc_security(d.new.document), prefix="global",
                     where="the API", operation=("", ""))
    os_, ns_ = d.old.security_schemes, d.new.security_schemes
    for name in sorted(os_.keys() - ns_.keys()):
        d.emit("security-scheme-removed", f"security scheme {name} was removed", before=name, key=name,
               old_pointer=f"/components/securitySchemes/{_esc(name)}")
    for name in sorted(ns_.keys() - os_.keys()):
        d.emit("security-scheme-added", f"security scheme {name} was added", after=name, key=name,
               new_pointer=f"/components/securitySchemes/{_esc(name)}")
    for name in sorted(os_.keys() & ns_.keys()):
        a, b = os_[name], ns_[name]
        ptr = f"/components/securitySchemes/{_esc(name)}"
        if (a.type, a.scheme.lower(), a.location, a.param_name) != (b.type, b.scheme.lower(), b.location, b.param_name):
            d.emit("security-scheme-type-changed", f"security scheme {name} changed from {_scheme(a)} to {_scheme(b)}",
                   before=_scheme(a), after=_scheme(b), key=name, old_pointer=ptr, new_pointer=ptr)
        for flow in a.flows.keys() & b.flows.keys():
            fa, fb = a.flows[flow] or {}, b.flows[flow] or {}
            if not isinstance(fa, dict) or not isinstance(fb, dict):
                continue
            for url in ("authorizationUrl", "tokenUrl", "refreshUrl"):
                if fa.get(url) != fb.get(url):
                    d.emit("security-scheme-oauth-url-changed", f"{name} {flow} {url} changed", before=fa.get(url),
                           after=fb.get(url), key=f"{name}:{flow}:{url}", old_pointer=ptr, new_pointer=ptr)
            sa = set(fa["scopes"]) if isinstance(fa.get("scopes"), dict) else set()
            sb = set(fb["scopes"]) if isinstance(fb.get("scopes"), dict) else set()
            for s in sorted(sb - sa):
                d.emit("security-scheme-scope-added", f"{name} {flow} scope {s} was added", after=s,
                       key=f"{name}:{s}", new_pointer=ptr)
            for s in sorted(sa - sb):
                d.emit("security-scheme-scope-removed", f"{name} {flow} scope {s} was removed", before=s,
                       key=f"{name}:{s}", old_pointer=ptr)
            da: dict[str, Any] = fa["scopes"] if isinstance(fa.get("scopes"), dict) else {}
            db: dict[str, Any] = fb["scopes"] if isinstance(fb.get("scopes"), dict) else {}
            for s in sorted(sa & sb):
                if da.get(s) != db.get(s):
                    d.emit("security-scheme-scope-changed", f"{name} {flow} scope {s} was redescribed",
                           before=da.get(s), after=db.get(s), key=f"{name}:{s}", new_pointer=ptr)
    for name in sorted(d.old.schemas.keys() - d.new.schemas.keys()):
        d.emit("api-schema-removed", f"component schema {name} was removed", before=name, key=name,
               old_pointer=f"/components/schemas/{_esc(name)}")
    breaking = any(f.level == "error" for f in d.findings)
    ov, nv = d.old.api_version, d.new.api_version
    if breaking and ov and ov == nv:
        d.emit("api-version-not-bumped", f"breaking changes but info.version is still {nv}", after=nv)
    elif breaking and ov and nv:
        va, vb = _semver(ov), _semver(nv)
        if va and vb and vb < va:
            d.emit("api-version-decreased", f"breaking changes and info.version decreased: {ov} → {nv}",
                   before=ov, after=nv)
        elif va and vb and vb[0] == va[0]:
            d.emit("api-major-version-not-bumped", f"breaking changes but the major version is still {vb[0]} "
                   f"({ov} → {nv})", before=ov, after=nv)


def _semver(version: str) -> tuple[int, ...]:
    import re

    parts = re.findall(r"\d+", version.lstrip("vV").split("-")[0])
    return tuple(int(p) for p in parts[:3])


def _doc_security(doc: dict[str, Any]) -> Any:
    sec = doc.get("security")
    if not isinstance(sec, list):
        return ()
    return tuple({str(k): tuple(str(x) for x in v) if isinstance(v, list) else () for k, v in alt.items()}
                 for alt in sec if isinstance(alt, dict))


def _scheme(s: Any) -> str:
    if s.type == "http":
        return f"http {s.scheme}"
    if s.type == "apiKey":
        return f"apiKey in {s.location} {s.param_name}"
    return str(s.type)
