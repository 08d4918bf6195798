"""Compare two JSON Schemas by meaning and report direction-neutral facts.

Hand-written because the design is the point (see docs/drift-rules.md and the research notes):

* **Named components are compared once.** When both sides are ``$ref``s the pair
  ``(old ref, new ref)`` becomes a *child* of the current result and is compared (memoised) on
  its own; the caller walks children with a visited set and attaches the facts to every
  operation that reaches them. ``$ref``s are never expanded inline, so cyclic specs are finite
  and Stripe's expandable fields stay linear.
* **Refactors are not changes.** ``$ref`` ↔ inline (deref the ref side and compare content),
  a one-member ``allOf`` wrapper, ``allOf`` flattened on one side only, the 3.0 ``nullable``
  rewrite (``anyOf [X, {type: null}]``, ``type: [x, "null"]``, ``null`` in ``enum``), and
  ``oneOf``/``anyOf`` branches matched by ref name, by content, then by position.
* **Facts are neutral** (``max-length-decreased``); :mod:`toolcheck.drift.differ` turns them
  into request- or response-side rules, because a cached component serves both directions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from toolcheck.drift._compose import CompositionMixin, _label, _pair_renames
from toolcheck.drift._facts import (
    _GENERIC,
    _NUMERIC,
    _ZERO_DEFAULT,
    ANNOTATIONS,
    MAX_DEPTH,
    RO,
    WO,
    Fact,
    Result,
    _annotation_only,
    _esc,
    _null_branch,
    _types,
    canonical,
)
from toolcheck.spec.model import Spec

__all__ = ["RO", "WO", "Fact", "Result", "SchemaDiffer", "canonical"]

_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"),
               (dict, "object"), (type(None), "null"))


def _value_types(schema: dict[str, Any]) -> set[str] | None:
    """The JSON types a ``const``/``enum`` without ``type`` admits (None when it has neither)."""
    if "const" in schema:
        values = [schema["const"]]
    elif isinstance(schema.get("enum"), list) and schema["enum"]:
        values = schema["enum"]
    else:
        return None
    out = set()
    for v in values:
        out.add(next((name for cls, name in _JSON_TYPES if isinstance(v, cls)), "string"))
    if "integer" in out and "number" in out:
        out.discard("integer")  # 1 and 1.5: numbers
    return out


def _any_value(schema: dict[str, Any]) -> bool:
    """No keyword restricts which JSON types are valid (so null is valid too)."""
    return not any(k in schema for k in ("type", "enum", "const", "allOf", "oneOf", "anyOf", "not", "$ref",
                                         "properties"))


def _spelling(value: str) -> str:
    return "".join(c for c in value.lower() if c.isalnum())


class SchemaDiffer(CompositionMixin):
    """Diffs schemas of two specs; one instance per ``diff(old, new)`` (holds the memo)."""

    def __init__(self, old: Spec, new: Spec) -> None:
        self.old = old
        self.new = new
        self.memo: dict[tuple[str, str, int], Result] = {}
        self._clean: set[str] | None = None
        self._closures: dict[tuple[str, str, int], list[tuple[tuple[str, ...], tuple[str, str, int], Result]]] = {}

    # --- unchanged components: skipped without a walk --------------------------------------
    @staticmethod
    def _refs_in(node: Any) -> set[str]:
        refs: set[str] = set()
        stack = [node]
        while stack:
            cur = stack.pop()
            if isinstance(cur, dict):
                ref = cur.get("$ref")
                if isinstance(ref, str):
                    refs.add(ref)
                stack.extend(v for v in cur.values() if isinstance(v, (dict, list)))
            elif isinstance(cur, list):
                stack.extend(v for v in cur if isinstance(v, (dict, list)))
        return refs

    def clean(self) -> set[str]:
        """Refs whose target is equal in both specs and reaches only such refs (a fixpoint)."""
        if self._clean is None:
            comps_o = (self.old.document.get("components") or {})
            comps_n = (self.new.document.get("components") or {})
            equal: dict[str, set[str]] = {}
            for section in ("schemas", "x-toolcheck-external"):
                a, b = comps_o.get(section) or {}, comps_n.get(section) or {}
                if not isinstance(a, dict) or not isinstance(b, dict):
                    continue
                for name, value in a.items():
                    if name in b and b[name] == value:
                        equal[f"#/components/{section}/{_esc(name)}"] = self._refs_in(value)
            clean = set(equal)
            changed = True
            while changed:
                changed = False
                for ref in list(clean):
                    if not equal[ref] <= clean:
                        clean.discard(ref)
                        changed = True
            self._clean = clean
        return self._clean

    def _unchanged(self, o: Any, n: Any) -> bool:
        return o == n and self._refs_in(o) <= self.clean()

    # --- entry points ----------------------------------------------------------------------
    def compare(self, old: Any, new: Any, old_ptr: str, new_ptr: str, flags: int = 0) -> Result:
        """Compare two inline schemas (a body, a parameter schema) rooted at the given pointers."""
        out = Result()
        self._cmp(old, new, (), old_ptr, new_ptr, 0, flags, out)
        return out

    def component(self, old_ref: str, new_ref: str, flags: int = 0) -> Result:
        """The memoised comparison of two named schemas (cycle-safe: a pair in progress is empty)."""
        key = (old_ref, new_ref, flags)
        found = self.memo.get(key)
        if found is not None:
            return found
        out = Result()
        self.memo[key] = out
        try:
            o = self.old.resolve(old_ref)
            n = self.new.resolve(new_ref)
        except KeyError:
            return out
        if isinstance(o, dict) and isinstance(n, dict):
            so, _ = self._simplify(self.old, o)
            sn, _ = self._simplify(self.new, n)
            for comb in ("oneOf", "anyOf"):
                # a component that became a oneOf of itself and others: match the branch by ref name
                if isinstance(so, dict) and isinstance(sn, dict) and (comb in so) != (comb in sn) and self._wrapping(
                        comb, so, sn, (), old_ref[1:], new_ref[1:], 0, flags, out,
                        original=old_ref if comb in sn else new_ref):
                    return out
        self._cmp(o, n, (), old_ref[1:], new_ref[1:], 0, flags, out)
        return out

    def reach(self, root: Result) -> Iterator[tuple[tuple[str, ...], bool, Result, str]]:
        """Yield (path prefix, is-root, result, new ref) for the root ('' ref) and every changed pair it reaches.

        Each pair is yielded once per call, so a component used by many properties is reported
        once per operation. The walk below each component is computed once per diff
        (:meth:`_closure`), not once per operation.
        """
        yield (), True, root, ""
        seen: set[tuple[str, str, int]] = set()
        for path, oref, nref, flags in sorted(root.children, key=lambda c: len(c[0])):
            for prefix, key, res in self._closure((oref, nref, flags)):
                if key not in seen:
                    seen.add(key)
                    full = path + prefix
                    yield full, not full, res, key[1]

    def _closure(self, start: tuple[str, str, int]) -> list[tuple[tuple[str, ...], tuple[str, str, int], Result]]:
        """Pairs with facts reachable from ``start`` (itself included), breadth first, memoised."""
        found = self._closures.get(start)
        if found is not None:
            return found
        out: list[tuple[tuple[str, ...], tuple[str, str, int], Result]] = []
        seen = {start}
        queue: list[tuple[tuple[str, ...], tuple[str, str, int]]] = [((), start)]
        i = 0
        while i < len(queue):
            prefix, key = queue[i]
            i += 1
            res = self.component(*key)
            if res.facts:
                out.append((prefix, key, res))
            for path, o2, n2, f2 in res.children:
                child = (o2, n2, f2)
                if child not in seen:
                    seen.add(child)
                    queue.append((prefix + path, child))
        self._closures[start] = out
        return out

    # --- the walk --------------------------------------------------------------------------
    def _deref(self, spec: Spec, schema: Any, ptr: str) -> tuple[Any, str]:
        hops = 0
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and hops < 16:
            ref = schema["$ref"]
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            try:
                target = spec.resolve(ref)
            except KeyError:
                return {}, ptr
            ptr = ref[1:] if ref.startswith("#") else ptr
            schema = {**target, **siblings} if siblings and isinstance(target, dict) else target
            hops += 1
        return schema, ptr

    def _simplify(self, spec: Spec, s: Any) -> tuple[Any, bool]:
        """Strip refactor-only wrappers: nullable anyOf/oneOf and single-member allOf."""
        nullable = False
        for _ in range(4):
            if not isinstance(s, dict):
                break
            for comb in ("anyOf", "oneOf"):
                branches = s.get(comb)
                if isinstance(branches, list) and len(branches) == 2 and any(_null_branch(b) for b in branches):
                    rest = [b for b in branches if not _null_branch(b)]
                    if len(rest) == 1 and all(k in ANNOTATIONS or k == comb for k in s):
                        nullable = True
                        extra = {k: v for k, v in s.items() if k != comb}
                        inner = rest[0]
                        s = {**inner, **extra} if extra and isinstance(inner, dict) and "$ref" not in inner else inner
                        break
            else:
                members = s.get("allOf")
                if isinstance(members, list) and len(members) == 1 and all(
                        k in ANNOTATIONS or k == "allOf" or k == "type" for k in s):
                    inner = members[0]
                    extra = {k: v for k, v in s.items() if k not in ("allOf", "type")}
                    if isinstance(inner, dict) and ("type" not in s or "$ref" in inner or
                                                    inner.get("type") in (None, s.get("type"))):
                        s = {**inner, **extra} if extra and "$ref" not in inner else inner
                        continue
                break
        return s, nullable

    def _flatten(self, spec: Spec, s: dict[str, Any], depth: int = 0) -> dict[str, Any]:
        """Merge allOf members into one schema (one level of $ref resolution per member)."""
        out: dict[str, Any] = {k: v for k, v in s.items() if k != "allOf"}
        props: dict[str, Any] = dict(out["properties"]) if isinstance(out.get("properties"), dict) else {}
        required: list[str] = [r for r in out.get("required") or [] if isinstance(r, str)] \
            if isinstance(out.get("required"), list) else []
        members = s.get("allOf")
        for member in members if isinstance(members, list) else []:
            m, _ = self._deref(spec, member, "")
            if not isinstance(m, dict):
                continue
            if "allOf" in m and depth < 4:
                m = self._flatten(spec, m, depth + 1)
            for k, v in m.items():
                if k == "properties" and isinstance(v, dict):
                    for pk, pv in v.items():
                        props.setdefault(pk, pv)
                elif k == "required" and isinstance(v, list):
                    required.extend(x for x in v if x not in required)
                elif k not in ANNOTATIONS:
                    out.setdefault(k, v)
        if props:
            out["properties"] = props
        if required:
            out["required"] = required
        return out

    def _cmp(self, o: Any, n: Any, path: tuple[str, ...], optr: str, nptr: str, depth: int, flags: int,
             out: Result) -> None:
        if depth > MAX_DEPTH or o is n:
            return
        if depth == 0 and isinstance(o, dict) and self._unchanged(o, n):
            return
        if o is True:
            o = {}
        if n is True:
            n = {}
        if not isinstance(o, dict) or not isinstance(n, dict):
            return
        o, onull_w = self._simplify(self.old, o)
        n, nnull_w = self._simplify(self.new, n)
        oref = o.get("$ref") if isinstance(o, dict) else None
        nref = n.get("$ref") if isinstance(n, dict) else None
        if isinstance(oref, str) and isinstance(nref, str):
            if oref == nref and onull_w == nnull_w and oref in self.clean():
                return
            if onull_w != nnull_w:
                out.facts.append(Fact("became-nullable" if nnull_w else "became-not-nullable", path,
                                      onull_w, nnull_w, optr, nptr, flags=flags))
            out.children.append((path, oref, nref, flags))
            od, nd = o.get("description"), n.get("description")  # 3.1 allows siblings of $ref
            if isinstance(od, str) and isinstance(nd, str) and od.strip() != nd.strip():
                out.facts.append(Fact("description-changed", path, od, nd, optr, nptr, "", flags))
            if path and bool(o.get("deprecated")) != bool(n.get("deprecated")):
                kind = "property-deprecated" if n.get("deprecated") else "property-reactivated"
                out.facts.append(Fact(kind, path, None, None, optr, nptr, "", flags))
            return
        if isinstance(oref, str):
            o, optr = self._deref(self.old, o, optr)
            o, extra_null = self._simplify(self.old, o)
            onull_w = onull_w or extra_null
        if isinstance(nref, str):
            n, nptr = self._deref(self.new, n, nptr)
            n, extra_null = self._simplify(self.new, n)
            nnull_w = nnull_w or extra_null
        if not isinstance(o, dict) or not isinstance(n, dict):
            return
        if isinstance(oref, str) != isinstance(nref, str) and depth > MAX_DEPTH // 2:
            return
        f = flags | (RO if n.get("readOnly") or o.get("readOnly") else 0) | (
            WO if n.get("writeOnly") or o.get("writeOnly") else 0)
        facts = out.facts

        def fact(kind: str, before: Any = None, after: Any = None, key: str = "") -> None:
            facts.append(Fact(kind, path, before, after, optr, nptr, key, f))

        # allOf on one side only: compare the flattened form (a refactor, not a change)
        if ("allOf" in o) != ("allOf" in n):
            side, members = ("removed", o["allOf"]) if "allOf" in o else ("added", n["allOf"])
            for m in members if isinstance(members, list) else []:
                if _annotation_only(m):
                    fact(f"all-of-{side}-annotation-only", None, _label(m), key=_label(m))
            if "allOf" in o:
                o = self._flatten(self.old, o)
            else:
                n = self._flatten(self.new, n)

        for comb in ("oneOf", "anyOf"):
            if (comb in o) != (comb in n) and self._wrapping(
                    comb, o, n, path, optr, nptr, depth, f, out,
                    original=(oref if isinstance(oref, str) else None) if comb in n else
                    (nref if isinstance(nref, str) else None)):
                return

        # --- nullability and types -----------------------------------------------------------
        # compare accepted value sets: {const: 1} is an integer, not "any type"
        ot, nt = _types(o) or _value_types(o), _types(n) or _value_types(n)
        oenum, nenum = o.get("enum"), n.get("enum")
        o_any, n_any = _any_value(o), _any_value(n)
        onull = onull_w or bool(ot and "null" in ot) or (isinstance(oenum, list) and None in oenum)
        nnull = nnull_w or bool(nt and "null" in nt) or (isinstance(nenum, list) and None in nenum)
        # an untyped schema already accepts null ({nullable: true} without a type is {}): going
        # from it to a typed one narrowed it, which the type fact below says; null is part of that
        if onull != nnull and not o_any and not n_any:
            fact("became-nullable" if nnull else "became-not-nullable", onull, nnull)
        if ot is not None:
            ot.discard("null")
        if nt is not None:
            nt.discard("null")
        composite = ("allOf", "oneOf", "anyOf", "$ref")
        if ot and nt and ot != nt:
            if len(ot) == 1 and len(nt) == 1:
                pair = (next(iter(ot)), next(iter(nt)))
                kind = {("integer", "number"): "type-generalized",
                        ("number", "integer"): "type-specialized"}.get(pair, "type-changed")
                fact(kind, sorted(ot)[0], sorted(nt)[0])
            elif nt > ot:
                fact("list-of-types-widened", sorted(ot), sorted(nt))
            elif nt < ot:
                fact("list-of-types-narrowed", sorted(ot), sorted(nt))
            else:
                fact("type-changed", sorted(ot), sorted(nt))
        elif ot and nt is None and not any(k in n for k in composite) and not n.get("properties"):
            fact("type-generalized", sorted(ot), None)
        elif nt and ot is None and not any(k in o for k in composite) and not o.get("properties"):
            fact("type-specialized", None, sorted(nt))
        if o.get("format") != n.get("format") and (ot == nt or not ot or not nt):
            if o.get("format") is not None and n.get("format") is not None or n.get("format") is not None:
                fact("format-changed", o.get("format"), n.get("format"))

        # --- values ------------------------------------------------------------------------
        self._values(o, n, fact)
        # --- numeric and string constraints --------------------------------------------------
        for kw, stem, _is_max in _NUMERIC:
            a, b = o.get(kw), n.get(kw)
            if kw in _ZERO_DEFAULT:
                a = a if a is not None else 0
                b = b if b is not None else 0
            if a == b or isinstance(a, bool) or isinstance(b, bool):
                continue
            if a is None:
                fact(f"{stem}-set", None, b)
            elif b is None:
                fact(f"{stem}-unset", a, None)
            elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
                fact(f"{stem}-{'increased' if b > a else 'decreased'}", a, b)
        if o.get("pattern") != n.get("pattern"):
            if o.get("pattern") is None:
                fact("pattern-added", None, n.get("pattern"))
            elif n.get("pattern") is None:
                fact("pattern-removed", o.get("pattern"), None)
            else:
                fact("pattern-changed", o.get("pattern"), n.get("pattern"))
        if o.get("multipleOf") != n.get("multipleOf"):
            fact("multiple-of-changed", o.get("multipleOf"), n.get("multipleOf"))
        if n.get("uniqueItems") is True and not o.get("uniqueItems"):
            fact("unique-items-added", False, True)
        a, b = o.get("maxProperties"), n.get("maxProperties")
        if b is not None and (a is None or (isinstance(a, int) and isinstance(b, int) and b < a)):
            fact("max-properties-decreased", a, b)
        a, b = o.get("minProperties") or 0, n.get("minProperties") or 0
        if isinstance(a, int) and isinstance(b, int) and b > a:
            fact("min-properties-increased", a, b)
        for kw, stem in (("contentMediaType", "content-media-type"), ("contentEncoding", "content-encoding")):
            if o.get(kw) != n.get(kw):
                suffix = "added" if o.get(kw) is None else "removed" if n.get(kw) is None else "changed"
                fact(f"{stem}-{suffix}", o.get(kw), n.get(kw))
        for kw, stem in _GENERIC:
            if (kw in o) != (kw in n):
                fact(f"{stem}-{'added' if kw in n else 'removed'}", o.get(kw), n.get(kw))
            elif kw in ("contains", "propertyNames", "not", "if", "then", "else") and kw in o:
                self._cmp(o[kw], n[kw], path, f"{optr}/{kw}", f"{nptr}/{kw}", depth + 1, f, out)
        if "dependentRequired" in o and "dependentRequired" in n and \
                canonical(o["dependentRequired"]) != canonical(n["dependentRequired"]):
            fact("dependent-required-changed", o["dependentRequired"], n["dependentRequired"])
        opp, npp = o.get("patternProperties") or {}, n.get("patternProperties") or {}
        if isinstance(opp, dict) and isinstance(npp, dict):
            for k in npp.keys() - opp.keys():
                fact("pattern-property-added", None, k, key=k)
            for k in opp.keys() - npp.keys():
                fact("pattern-property-removed", k, None, key=k)
        if o.get("x-stability-level") != n.get("x-stability-level") and path:
            self._stability(o.get("x-stability-level"), n.get("x-stability-level"), fact)
        od, nd = o.get("description"), n.get("description")
        if isinstance(od, str) and isinstance(nd, str) and od.strip() != nd.strip():
            fact("description-changed", od, nd)
        if path and bool(o.get("deprecated")) != bool(n.get("deprecated")):
            if n.get("deprecated"):
                sunset = n.get("x-sunset")
                fact("property-deprecated-with-sunset" if sunset else "property-deprecated", None,
                     str(sunset) if sunset else None)
            else:
                fact("property-reactivated", True, False)

        # --- structure ---------------------------------------------------------------------
        self._properties(o, n, path, optr, nptr, depth, f, out)
        oi, ni = o.get("items"), n.get("items")
        if isinstance(oi, dict) and isinstance(ni, dict):
            self._cmp(oi, ni, path + ("[]",), f"{optr}/items", f"{nptr}/items", depth + 1, f, out)
        oa, na = o.get("additionalProperties"), n.get("additionalProperties")
        if isinstance(oa, dict) and isinstance(na, dict):
            self._cmp(oa, na, path + ("{}",), f"{optr}/additionalProperties", f"{nptr}/additionalProperties",
                      depth + 1, f, out)
        elif na is False and oa is not False and (ot is None or "object" in ot or o.get("properties")):
            fact("additional-properties-restricted", oa if oa is not None else True, False)
        elif oa is False and na is not False:
            fact("additional-properties-allowed", False, na if na is not None else True)
        for comb in ("allOf", "oneOf", "anyOf"):
            self._composition(comb, o, n, path, optr, nptr, depth, f, out)
        self._discriminator(o.get("discriminator"), n.get("discriminator"), fact)

    def _values(self, o: dict[str, Any], n: dict[str, Any], fact: Any) -> None:
        oenum, nenum = o.get("enum"), n.get("enum")
        if isinstance(oenum, list) and isinstance(nenum, list):
            ov = {canonical(v): v for v in oenum if v is not None}
            nv = {canonical(v): v for v in nenum if v is not None}
            added, removed = sorted(nv.keys() - ov.keys()), sorted(ov.keys() - nv.keys())
            # in_progress → inProgress: the same value respelled is one rename, not a removal + addition
            spelled = {_spelling(nv[k]): k for k in added if isinstance(nv[k], str)}
            for k in list(removed):
                twin = spelled.get(_spelling(ov[k])) if isinstance(ov[k], str) else None
                if twin is not None and twin in added:
                    fact("enum-value-renamed", ov[k], nv[twin], key=f"{k}->{twin}")
                    removed.remove(k)
                    added.remove(twin)
            for k in added:
                fact("enum-value-added", None, nv[k], key=k)
            for k in removed:
                fact("enum-value-removed", ov[k], None, key=k)
        elif isinstance(nenum, list) and oenum is None and "const" not in o:
            fact("became-enum", None, [v for v in nenum if v is not None])
        elif isinstance(oenum, list) and nenum is None and "const" not in n:
            fact("enum-removed", [v for v in oenum if v is not None], None)
        ox, nx = o.get("x-extensible-enum"), n.get("x-extensible-enum")
        if isinstance(ox, list) and isinstance(nx, list):
            for v in set(map(canonical, ox)) - set(map(canonical, nx)):
                fact("x-extensible-enum-value-removed", json.loads(v), None, key=v)
        if "const" in o or "const" in n:
            if "const" not in o:
                if not (isinstance(oenum, list) and len(oenum) == 1 and oenum[0] == n["const"]):
                    fact("const-added", None, n["const"])
            elif "const" not in n:
                if not (isinstance(nenum, list) and len(nenum) == 1 and nenum[0] == o["const"]):
                    fact("const-removed", o["const"], None)
            elif canonical(o["const"]) != canonical(n["const"]):
                fact("const-changed", o["const"], n["const"])
        if "default" in o or "default" in n:
            if "default" not in o:
                fact("default-value-added", None, n["default"])
            elif "default" not in n:
                fact("default-value-removed", o["default"], None)
            elif canonical(o["default"]) != canonical(n["default"]):
                fact("default-value-changed", o["default"], n["default"])

    @staticmethod
    def _stability(a: Any, b: Any, fact: Any) -> None:
        order = {"draft": 0, "alpha": 1, "beta": 2, "stable": 3}
        if isinstance(a, str) and isinstance(b, str) and a in order and b in order:
            fact("stability-decreased" if order[b] < order[a] else "stability-increased", a, b)

    def _properties(self, o: dict[str, Any], n: dict[str, Any], path: tuple[str, ...], optr: str, nptr: str,
                    depth: int, flags: int, out: Result) -> None:
        op: dict[str, Any] = o["properties"] if isinstance(o.get("properties"), dict) else {}
        np: dict[str, Any] = n["properties"] if isinstance(n.get("properties"), dict) else {}
        oreq = {r for r in o.get("required") or [] if isinstance(r, str)}
        nreq = {r for r in n.get("required") or [] if isinstance(r, str)}
        if not op and not np and oreq == nreq:
            return
        facts = out.facts
        for name in op.keys() & np.keys():
            ochild, nchild = op[name], np[name]
            cpath = path + (name,)
            cop, cnp = f"{optr}/properties/{_esc(name)}", f"{nptr}/properties/{_esc(name)}"
            od, _ = self._deref(self.old, ochild, cop)
            nd, _ = self._deref(self.new, nchild, cnp)
            od = od if isinstance(od, dict) else {}
            nd = nd if isinstance(nd, dict) else {}
            cflags = flags | (RO if nd.get("readOnly") or od.get("readOnly") else 0) | (
                WO if nd.get("writeOnly") or od.get("writeOnly") else 0)
            req = name in nreq
            if (name in nreq) != (name in oreq):
                if req:
                    kind = "property-became-required-with-default" if "default" in nd else "property-became-required"
                else:
                    kind = "property-became-optional"
                facts.append(Fact(kind, cpath, name in oreq, req, cop, cnp, name, cflags))
            for attr, stem in (("readOnly", "read-only"), ("writeOnly", "write-only")):
                if bool(od.get(attr)) != bool(nd.get(attr)):
                    kind = f"property-became-{stem}" if nd.get(attr) else f"property-became-not-{stem}"
                    facts.append(Fact(kind, cpath, bool(od.get(attr)), bool(nd.get(attr)), cop, cnp, name,
                                      flags | (0 if req else 0), ))
                    facts[-1].key = f"{name}:{'required' if req else 'optional'}"
            self._cmp(ochild, nchild, cpath, cop, cnp, depth + 1, flags, out)
        removed = [k for k in op if k not in np]
        added = [k for k in np if k not in op]
        renamed = _pair_renames(removed, added, op, np)
        for old_name, new_name in renamed:
            facts.append(Fact("property-renamed", path + (new_name,), old_name, new_name,
                              f"{optr}/properties/{_esc(old_name)}", f"{nptr}/properties/{_esc(new_name)}",
                              f"{old_name}->{new_name}", flags))
        gone = {a for a, _ in renamed}
        came = {b for _, b in renamed}
        for name in removed:
            if name in gone:
                continue
            od, _ = self._deref(self.old, op[name], "")
            pflags = flags | (RO if isinstance(od, dict) and od.get("readOnly") else 0) | (
                WO if isinstance(od, dict) and od.get("writeOnly") else 0)
            kind = "required-property-removed" if name in oreq else "optional-property-removed"
            facts.append(Fact(kind, path + (name,), name, None, f"{optr}/properties/{_esc(name)}", nptr, name, pflags))
        for name in added:
            if name in came:
                continue
            nd, _ = self._deref(self.new, np[name], "")
            nd = nd if isinstance(nd, dict) else {}
            pflags = flags | (RO if nd.get("readOnly") else 0) | (WO if nd.get("writeOnly") else 0)
            if name in nreq:
                kind = "new-required-property-with-default" if "default" in nd else "new-required-property"
            else:
                kind = "new-optional-property"
            facts.append(Fact(kind, path + (name,), None, name, optr, f"{nptr}/properties/{_esc(name)}", name, pflags))
