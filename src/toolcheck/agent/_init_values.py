"""Request values for `toolcheck init` that a live API accepts, not only the mock (issue 17).

A schema typed ``string`` with no enum lets the mock accept anything, but a live server takes
only some values. Where the spec still says which, a scaffold uses them:

* values quoted in the field's own description, ``File format ('json', 'text', 'base64')``,
  narrowed by the enum a same-named field has elsewhere on the same path (``GET ?format=`` takes
  ``text|base64``) and in the operation's own response model: the same name on one path is the
  same concept. Cautious: only a parenthesised list of two or more quoted words counts, and the
  value must still validate;
* a value read at run time from a listing endpoint the description names, "Kernel spec name"
  → ``GET /kernelspecs`` → its ``default`` (or its first item's field): the listing is where the
  server says what it has installed. The operation's own collection is never such a source;
* a made-up id names nothing on a live server: an optional id-like field is left out of a body
  (the server assigns it), unless an earlier step created one of that name to chain;
* a body field named like the item's own path parameter (``PATCH /files/{path}`` with
  ``{path: ...}``) keeps the item's value, so an update does not move the item out from under the
  steps after it (their reads and deletes would 404). Renaming is a test to write by hand.

Hand-written heuristics; none keyed to one API's names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from toolcheck.spec import Operation, Spec

_PARENS = re.compile(r"\(([^()]{1,300})\)")
_QUOTED = re.compile(r"'([\w.+/-]{1,40})'|\"([\w.+/-]{1,40})\"")
_LIST_GLUE = re.compile(r"^(?:\s|,|\||\bor\b|\band\b|\bone of\b|\be\.g\.)*$", re.IGNORECASE)
_WORDS = re.compile(r"[a-z0-9]+")
_MAX_DESCRIPTION = 2000
_MUST_EXIST = re.compile(r"\b(?:installed|available|existing|registered|supported|one of the)\b", re.IGNORECASE)
_MAX_DEPTH = 4


def described_values(description: str) -> list[str]:
    """The values a description lists in parentheses, quoted: ``Path dtype ('notebook', 'file')``.

    Only a group that holds nothing but two or more quoted words (and commas, "or") counts; prose
    with one quoted word in it (``the 'id' field``) says nothing about allowed values.
    """
    for group in _PARENS.finditer(description[:_MAX_DESCRIPTION]):
        inside = group.group(1)
        values = [a or b for a, b in _QUOTED.findall(inside)]
        if len(values) >= 2 and _LIST_GLUE.match(_QUOTED.sub("", inside)):
            return list(dict.fromkeys(values))
    return []


def _enum(spec: Spec, schema: Any) -> list[str]:
    resolved = spec.deref(schema)
    values = resolved.get("enum") if isinstance(resolved, dict) else None
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def _props(spec: Spec, schema: Any, depth: int = 0) -> dict[str, Any]:
    """The properties of an object schema, ``allOf`` members merged (a cycle stops at depth 4)."""
    resolved = spec.deref(schema)
    if not isinstance(resolved, dict) or depth > _MAX_DEPTH:
        return {}
    out: dict[str, Any] = {}
    for member in resolved.get("allOf") or []:
        out.update(_props(spec, member, depth + 1))
    if isinstance(resolved.get("properties"), dict):
        out.update(resolved["properties"])
    return out


def free_string(spec: Spec, schema: Any) -> dict[str, Any] | None:
    """The schema when it is a plain string the mock would take any value for, else None."""
    resolved = spec.deref(schema)
    if not isinstance(resolved, dict) or resolved.get("type") not in ("string", None):
        return None
    if any(k in resolved for k in ("enum", "const", "pattern", "format", "properties", "items", "oneOf", "anyOf")):
        return None
    return resolved


def response_schema(op: Operation) -> Any:
    """The schema of ``op``'s first documented 2xx body."""
    for status in sorted(op.responses):
        if status.startswith("2"):
            for media in op.responses[status].content.values():
                if media.schema is not None:
                    return media.schema
    return None


def _collection(path: str) -> str:
    return path.split("/{", 1)[0].rstrip("/")


def _norm(word: str) -> str:
    word = re.sub(r"[^a-z0-9]", "", word.lower())
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _is_id(name: str, schema: Any) -> bool:
    return (name == "id" or name.endswith(("_id", "Id", "_gid", "_uuid")) or
            isinstance(schema, dict) and schema.get("format") == "uuid")


class LiveValues:
    """Per scenario: adjusts one operation's generated body for a live server.

    ``add_lookup(listing, field, pointer)`` is called once per listing endpoint used; it returns
    the expression that reads the value (the caller adds the step that GETs the listing).
    """

    def __init__(self, spec: Spec, add_lookup: Callable[[Operation, str, str], str],
                 chain: Callable[[Operation, tuple[str, ...]], str | None]) -> None:
        self.spec = spec
        self.add_lookup = add_lookup
        self.chain = chain  # (operation, body pointer) -> the created item's value there, if any

    # --- allowed values ----------------------------------------------------------------------
    def allowed(self, op: Operation, name: str, schema: dict[str, Any], description: str, top: bool) -> list[str]:
        """Candidates for field ``name``: its description's list, narrowed by same-named enums on
        the same path (parameters of any method, then the operation's own response model)."""
        sources = [described_values(description or str(schema.get("description") or ""))]
        if top:
            for other in self.spec.operations:
                if other.path == op.path:
                    for p in other.parameters:
                        if p.name == name:
                            sources.append(_enum(self.spec, p.schema))
            sources.append(_enum(self.spec, _props(self.spec, response_schema(op)).get(name)))
        found = [s for s in sources if s]
        if not found:
            return []
        narrowed = [v for v in found[0] if all(v in s for s in found[1:])]
        valid = self.spec.validator(schema).is_valid
        return [v for v in (narrowed or (sources[0] if sources[0] else [])) if valid(v)]

    # --- values from a listing ----------------------------------------------------------------
    def lookup(self, op: Operation, name: str, description: str) -> str | None:
        """An expression reading ``name``'s value from the listing endpoint its description names
        ("Kernel spec name" → ``GET /kernelspecs``), or None."""
        words = _WORDS.findall(description[:_MAX_DESCRIPTION].lower())[:80]
        field = _norm(name)
        phrases: list[str] = []
        for i in range(len(words)):
            for n in (3, 2, 1):
                # "<thing> name" / "<thing> id": the description names what the value is one of
                if i + n < len(words) and _norm(words[i + n]) in (field, "name", "id"):
                    phrases.append(_norm("".join(words[i:i + n])))
        own = _collection(op.path)
        best: tuple[int, Operation] | None = None
        for listing in self.spec.operations:
            if listing.method != "get" or "{" in listing.path or listing.path.rstrip("/") == own or not listing.path.strip(
                    "/") or any(p.required for p in listing.parameters):
                continue
            segment = _norm(listing.path.rstrip("/").rsplit("/", 1)[-1])
            if segment and segment in phrases and (best is None or len(segment) > best[0]):
                best = (len(segment), listing)
        if best is None:
            return None
        found = self._pointer(best[1], name)
        if found is None:
            return None
        pointer, registry = found
        # A listing with a `default` is a registry of choices (installed kernels, available
        # engines). Any other listing only when the description says the value must be one the
        # server has: Stripe's "Cardholder name." is free text, not a pick from /cardholders.
        if not registry and not _MUST_EXIST.search(description[:_MAX_DESCRIPTION]):
            return None
        return self.add_lookup(best[1], name, pointer)

    def _pointer(self, listing: Operation, name: str) -> tuple[str, bool] | None:
        """Where a listing's response holds one valid value for ``name``: its ``default`` (True:
        a registry), else the first item's ``name`` field (``/0/name``, ``/items/0/name``)."""
        schema = self.spec.deref(response_schema(listing))
        if not isinstance(schema, dict):
            return None
        props = _props(self.spec, schema)
        def esc(token: str) -> str:
            return token.replace("~", "~0").replace("/", "~1")  # RFC 6901 §3

        for key in ("default", f"default_{name}"):
            if key in props and free_string(self.spec, props[key]) is not None:
                return f"/{esc(key)}", True
        if schema.get("type") == "array" and name in _props(self.spec, schema.get("items")):
            return f"/0/{esc(name)}", False
        for key, sub in props.items():
            resolved = self.spec.deref(sub)
            if isinstance(resolved, dict) and resolved.get("type") == "array" and name in _props(self.spec, resolved.get("items")):
                return f"/{esc(str(key))}/0/{esc(name)}", False
        return None

    # --- the body -----------------------------------------------------------------------------
    def holds(self, schema: Any, pointer: tuple[str, ...]) -> bool:
        """Whether ``schema`` documents a property at ``pointer`` (an object at each step)."""
        for key in pointer:
            props = _props(self.spec, schema)
            if key not in props:
                return False
            schema = props[key]
        return True

    def body(self, op: Operation, body: Any, schema: Any, params: dict[str, Any], outputs: dict[str, str]) -> Any:
        """``body`` with the adjustments above; the generated values are kept where none applies."""
        path_params = {p.name for p in op.parameters if p.location == "path"}
        return self._walk(op, body, schema, params, outputs, path_params, ())

    def _walk(self, op: Operation, body: Any, schema: Any, params: dict[str, Any], outputs: dict[str, str],
              path_params: set[str], at: tuple[str, ...]) -> Any:
        depth = len(at)
        if not isinstance(body, dict) or depth > _MAX_DEPTH:
            return body
        resolved = self.spec.deref(schema)
        props = _props(self.spec, resolved)
        required = set(resolved.get("required") or []) if isinstance(resolved, dict) else set()
        out: dict[str, Any] = {}
        for key, value in body.items():
            sub = self.spec.deref(props.get(key))
            if depth == 0 and key in path_params and key in params and isinstance(value, str):
                out[key] = params[key]  # the item's own value: an update must not move it away
                continue
            if isinstance(value, dict):
                out[key] = self._walk(op, value, sub, params, outputs, path_params, (*at, str(key)))
                continue
            if not isinstance(value, str) or not isinstance(sub, dict):
                out[key] = value
                continue
            if _is_id(key, sub):
                chained = self.chain(op, (*at, str(key)))
                if key in outputs:
                    out[key] = outputs[key]
                elif chained is not None:
                    # the item this step updates holds it (a session's kernel.id): send it back
                    out[key] = chained
                elif key in required:
                    out[key] = value
                # else: left out: a made-up id names nothing on a live server
                continue
            free = free_string(self.spec, sub)
            if free is None:
                out[key] = value
                continue
            description = str(free.get("description") or "")
            choices = self.allowed(op, key, free, description, depth == 0)
            if choices:
                out[key] = value if value in choices else choices[0]
                continue
            found = self.lookup(op, key, description)
            out[key] = found if found is not None else value
        return out
