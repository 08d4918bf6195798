"""oneOf / anyOf / allOf / discriminator comparison and rename pairing, mixed into SchemaDiffer.

Hand-written. Branches are matched by ``$ref`` name, then by content (an inline branch equal
to a referenced one is the same branch: oasdiff's ``--match-inline-refs``), then by position;
identical duplicate ``allOf`` members add nothing (oasdiff docs/ALLOF.md). A schema wrapped
into a ``oneOf``/``anyOf`` whose branch is the old schema is one change, not a cascade.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from toolcheck.drift._facts import ANNOTATIONS, Fact, Result, _annotation_only, _null_branch, canonical
from toolcheck.spec.model import Spec


class CompositionMixin:
    """The composition half of :class:`~toolcheck.drift._schema.SchemaDiffer`."""

    old: Spec
    new: Spec

    if TYPE_CHECKING:
        def _cmp(self, o: Any, n: Any, path: tuple[str, ...], optr: str, nptr: str, depth: int, flags: int,
                 out: Result) -> None: ...

        def _deref(self, spec: Spec, schema: Any, ptr: str) -> tuple[Any, str]: ...

    def _match(self, comb: str, obranches: list[Any], nbranches: list[Any]) -> tuple[
            list[tuple[int, int]], list[int], list[int]]:
        """Pair branches: same $ref, then same content (inline ≡ $ref), then by position."""
        def key(spec: Spec, b: Any) -> str:
            return canonical(self._deref(spec, b, "")[0])
        pairs: list[tuple[int, int]] = []
        left = list(range(len(obranches)))
        right = list(range(len(nbranches)))
        for i in list(left):
            ref = obranches[i].get("$ref") if isinstance(obranches[i], dict) else None
            for j in right:
                if ref is not None and isinstance(nbranches[j], dict) and nbranches[j].get("$ref") == ref:
                    pairs.append((i, j))
                    left.remove(i)
                    right.remove(j)
                    break
        if left and right:
            okeys = {i: key(self.old, obranches[i]) for i in left}
            nkeys = {j: key(self.new, nbranches[j]) for j in right}
            for i in list(left):
                for j in right:
                    if okeys[i] == nkeys[j]:
                        pairs.append((i, j))
                        left.remove(i)
                        right.remove(j)
                        break
        if comb == "allOf":
            # identical duplicate members add nothing (oasdiff docs/ALLOF.md)
            seen = {canonical(nbranches[j]) for _, j in pairs}
            right = [j for j in right if canonical(nbranches[j]) not in seen]
        if left and right and len(left) == len(right):
            pairs.extend(zip(left, right, strict=False))
            left, right = [], []
        return pairs, left, right

    def _composition(self, comb: str, o: dict[str, Any], n: dict[str, Any], path: tuple[str, ...], optr: str,
                     nptr: str, depth: int, flags: int, out: Result) -> None:
        ob, nb = o.get(comb), n.get(comb)
        if not isinstance(ob, list) and not isinstance(nb, list):
            return
        stem = {"allOf": "all-of", "oneOf": "one-of", "anyOf": "any-of"}[comb]
        if not isinstance(ob, list) or not isinstance(nb, list):
            return  # one side only: handled by _wrapping
        if comb != "allOf":
            ob, nb = self._const_branches(ob, nb, path, optr, nptr, flags, out)
        pairs, left, right = self._match(comb, ob, nb)
        for i, j in pairs:
            self._cmp(ob[i], nb[j], path, f"{optr}/{comb}/{i}", f"{nptr}/{comb}/{j}", depth + 1, flags, out)
        for j in right:
            kind = f"{stem}-added-annotation-only" if comb == "allOf" and _annotation_only(nb[j]) else f"{stem}-added"
            if comb != "allOf" and _null_branch(nb[j]):
                kind = "became-nullable"
            out.facts.append(Fact(kind, path, None, _label(nb[j]), optr, f"{nptr}/{comb}/{j}", _label(nb[j]), flags))
        for i in left:
            kind = f"{stem}-removed-annotation-only" if comb == "allOf" and _annotation_only(ob[i]) else f"{stem}-removed"
            if comb != "allOf" and _null_branch(ob[i]):
                kind = "became-not-nullable"
            out.facts.append(Fact(kind, path, _label(ob[i]), None, f"{optr}/{comb}/{i}", nptr, _label(ob[i]), flags))

    @staticmethod
    def _const_branches(ob: list[Any], nb: list[Any], path: tuple[str, ...], optr: str, nptr: str, flags: int,
                        out: Result) -> tuple[list[Any], list[Any]]:
        """``oneOf: [{const: 1, title: ...}, ...]`` is an enum with docs: compare it as one (by value).

        Returns the branches that are not such constants, for the usual matching.
        """
        def consts(branches: list[Any]) -> dict[str, Any]:
            return {canonical(b["const"]): b["const"] for b in branches if _const_only(b)}
        oc, nc = consts(ob), consts(nb)
        if not oc or not nc:
            return ob, nb
        for k in nc.keys() - oc.keys():
            out.facts.append(Fact("enum-value-added", path, None, nc[k], optr, nptr, k, flags))
        for k in oc.keys() - nc.keys():
            out.facts.append(Fact("enum-value-removed", path, oc[k], None, optr, nptr, k, flags))
        return [b for b in ob if not _const_only(b)], [b for b in nb if not _const_only(b)]

    def _wrapping(self, comb: str, o: dict[str, Any], n: dict[str, Any], path: tuple[str, ...], optr: str,
                  nptr: str, depth: int, flags: int, out: Result, *, original: str | None = None) -> bool:
        """A schema wrapped into (or unwrapped from) a oneOf/anyOf whose branch is the old schema.

        ``original`` is the ``$ref`` the single side had before it was dereferenced: matching
        the branch by ref name works even when the component itself changed.
        """
        wrapped_new = comb in n
        single, multi = (o, n) if wrapped_new else (n, o)
        branches = multi.get(comb)
        if not isinstance(branches, list) or any(k in single for k in ("oneOf", "anyOf", "allOf")):
            return False
        whole = {"$ref": original} if original else {k: v for k, v in single.items() if k not in ANNOTATIONS}
        if not whole:
            return False
        ob, nb = ([whole], branches) if wrapped_new else (branches, [whole])
        pairs, left, right = self._match(comb, ob, nb)
        if not pairs:
            return False
        stem = {"oneOf": "one-of", "anyOf": "any-of"}[comb]
        for i, j in pairs:
            self._cmp(ob[i], nb[j], path, optr if wrapped_new else f"{optr}/{comb}/{i}",
                      f"{nptr}/{comb}/{j}" if wrapped_new else nptr, depth + 1, flags, out)
        extra = right if wrapped_new else left
        others = [x for x in extra if not _null_branch((nb if wrapped_new else ob)[x])]
        nulls = len(extra) - len(others)
        if nulls:
            out.facts.append(Fact("became-nullable" if wrapped_new else "became-not-nullable", path, not wrapped_new,
                                  wrapped_new, optr, nptr, "", flags))
        if others:
            labels = [_label((nb if wrapped_new else ob)[x]) for x in others]
            if wrapped_new:
                kind = "wrapped-in-one-of" if comb == "oneOf" else "any-of-added"
            else:
                kind = f"{stem}-removed"
            text = ", ".join(labels)
            out.facts.append(Fact(kind, path, None if wrapped_new else text, text if wrapped_new else None,
                                  optr, nptr, text, flags))
        return True

    @staticmethod
    def _discriminator(od: Any, nd: Any, fact: Any) -> None:
        if not isinstance(od, dict) and not isinstance(nd, dict):
            return
        if not isinstance(od, dict):
            fact("discriminator-added", None, nd.get("propertyName"))
            return
        if not isinstance(nd, dict):
            fact("discriminator-removed", od.get("propertyName"), None)
            return
        if od.get("propertyName") != nd.get("propertyName"):
            fact("discriminator-property-name-changed", od.get("propertyName"), nd.get("propertyName"))
        om: dict[str, Any] = od["mapping"] if isinstance(od.get("mapping"), dict) else {}
        nm: dict[str, Any] = nd["mapping"] if isinstance(nd.get("mapping"), dict) else {}
        for k in nm.keys() - om.keys():
            fact("discriminator-mapping-added", None, k, key=k)
        for k in om.keys() - nm.keys():
            fact("discriminator-mapping-deleted", k, None, key=k)
        for k in om.keys() & nm.keys():
            if om[k] != nm[k]:
                fact("discriminator-mapping-changed", om[k], nm[k], key=k)



def _const_only(schema: Any) -> bool:
    return isinstance(schema, dict) and "const" in schema and all(
        k in ANNOTATIONS or k in ("const", "type") or k.startswith("x-") for k in schema)


def _label(schema: Any) -> str:
    if isinstance(schema, dict):
        if isinstance(schema.get("$ref"), str):
            return str(schema["$ref"]).rsplit("/", 1)[-1]
        if "title" in schema:
            return str(schema["title"])
        t = schema.get("type")
        if t is not None:
            return str(t)
    return canonical(schema)[:40]


def _strip_docs(schema: Any) -> str:
    if isinstance(schema, dict):
        return canonical({k: v for k, v in schema.items() if k not in ("description", "title", "example", "examples")})
    return canonical(schema)


def _constrains(schema: Any) -> bool:
    """Does the schema restrict its values at all (anything beyond annotations and extensions)?"""
    return isinstance(schema, dict) and any(k not in ANNOTATIONS and not k.startswith("x-") for k in schema)


def _pair_renames(removed: list[str], added: list[str], op: dict[str, Any], np: dict[str, Any]) -> list[tuple[str, str]]:
    """One removal and one addition with the same schema and a similar name (or the only pair)."""
    if not removed or not added:
        return []
    pairs: list[tuple[str, str]] = []
    free = list(added)
    for r in removed:
        rk = _strip_docs(op[r])
        if not _constrains(op[r]):
            # an untyped property is "the same schema" as any other untyped one: pairing them
            # would let an unrelated addition turn a removal into a rename (and change its level)
            continue
        best, best_score = None, 0.0
        for a in free:
            if _strip_docs(np[a]) != rk:
                continue
            score = difflib.SequenceMatcher(None, r.lower(), a.lower()).ratio()
            if r.lower().replace("_", "") == a.lower().replace("_", ""):
                score = 1.0
            if score > best_score:
                best, best_score = a, score
        only_pair = len(removed) == 1 and len(added) == 1
        # a lone pair is a rename when its schema says something (not just {type: string})
        if best is not None and (best_score >= 0.5 or (only_pair and (best_score >= 0.3 or len(rk) > 40))):
            pairs.append((r, best))
            free.remove(best)
    return pairs
