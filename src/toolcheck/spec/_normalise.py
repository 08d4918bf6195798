"""Normalise every schema of a 3.x-shaped document to JSON Schema 2020-12, in place.

One walk over the document (example data skipped) that knows whether it stands in a schema or
in an OpenAPI object, so it can:

* rewrite OpenAPI 3.0 dialect: ``nullable``/``x-nullable`` → a ``"null"`` type (or an
  ``anyOf`` with ``{"type": "null"}`` when there is no ``type``), boolean
  ``exclusiveMinimum``/``exclusiveMaximum`` → numeric, ``type: file`` → binary string,
  array-form ``items`` → ``prefixItems``;
* repair what real specs get wrong but mean clearly, with a warning each: duplicate
  ``required`` entries (OpenAI), ``required: true`` inside a property (a 2.0 habit), numbers
  written as strings (``maxLength: "100"``), regular expressions Python cannot compile;
* check every ``$ref`` target exists; a dangling reference becomes a Problem at its location
  and, inside a schema, an unconstrained schema marked ``x-toolcheck-dangling-ref``;
* bring bundled targets of other files (``components/x-toolcheck-external``) through the same
  rewrite in the context they are referenced from.
"""

from __future__ import annotations

import re
from typing import Any

from toolcheck.spec._pointer import RefResolver, escape, pointer_of, resolve_pointer
from toolcheck.spec._refs import DATA_KEYS, EXTERNAL

OTHER, SCHEMA, OTHER_MAP, SCHEMA_MAP = 0, 1, 2, 3

_SCHEMA_SINGLE = frozenset({
    "items", "additionalProperties", "not", "contains", "if", "then", "else", "propertyNames",
    "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema",
})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_OTHER_MAPS = frozenset({
    "responses", "headers", "content", "encoding", "callbacks", "links", "requestBodies",
    "securitySchemes", "paths", "webhooks", "pathItems",
})
_NUMERIC = (
    "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "minProperties",
    "maxProperties", "multipleOf", "minContains", "maxContains",
)
_CHILD_KEYS = _SCHEMA_SINGLE | _SCHEMA_LISTS | _SCHEMA_MAPS
_REWRITE_KEYS = frozenset({
    "nullable", "x-nullable", "exclusiveMinimum", "exclusiveMaximum", "required", "items", "pattern",
    "oneOf", "anyOf", "allOf", "$recursiveAnchor", *_NUMERIC,
})
# Keys of OpenAPI objects the walk skips: example data, and fields whose objects can hold
# neither a schema nor a $ref (tags, externalDocs, servers, security requirements).
_NO_REFS = DATA_KEYS | {"value", "externalDocs", "tags", "servers", "security"}
_ANNOTATIONS = frozenset({
    "title", "description", "default", "example", "examples", "readOnly", "writeOnly", "deprecated",
    "externalDocs", "xml", "$comment",
})

# A path is a linked list (key, parent) so building it costs O(1) per node; it becomes a JSON
# pointer only when a problem is reported.
Path = tuple[Any, Any] | None


class Normaliser:
    def __init__(self, document: dict[str, Any], dialect: str) -> None:
        self.document = document
        self.dialect = dialect
        self.problems: list[tuple[str, str, str, str]] = []  # (severity, pointer, message, code)
        self._done: set[int] = set()
        self._followed: set[str] = set()
        self._followed_schema: set[str] = set()
        self.refs = RefResolver(document)  # shared with the Builder and Spec.resolve afterwards
        self._patterns: dict[str, bool] = {}
        self._bucket = (document.get("components") or {}).get(EXTERNAL) or {}

    def _resolve(self, ref: str) -> Any:
        return self.refs.resolve(ref)

    def problem(self, severity: str, path: Path, message: str, code: str) -> None:
        self.problems.append((severity, pointer_of(path), message, code))

    def run(self) -> None:
        doc = self.document
        stack: list[tuple[Any, int, Path]] = []
        for key, value in doc.items():
            if key == "components" and isinstance(value, dict):
                for ckey, cvalue in value.items():
                    if ckey == EXTERNAL or ckey == "examples":
                        continue  # bundled targets: walked when referenced; examples: data
                    ctx = SCHEMA_MAP if ckey == "schemas" else OTHER_MAP
                    stack.append((cvalue, ctx, (ckey, ("components", None))))
            elif key in ("paths", "webhooks"):
                stack.append((value, OTHER_MAP, (key, None)))
        try:
            self._walk_recursive(list(stack))
        except RecursionError:
            # Nesting deeper than Python's recursion limit (only hand-made YAML gets there):
            # walk again with an explicit stack. Rewrites are idempotent; problems deduplicated.
            self._done = set()
            self._walk(stack)
            self.problems = list(dict.fromkeys(self.problems))
        self._break_inplace_cycles()

    def _walk_recursive(self, roots: list[tuple[Any, int, Path]]) -> None:
        """The walk of :meth:`_walk` as mutually recursive functions, in document order.

        A third faster than the explicit stack on GitHub's spec (no (node, context, path)
        tuple per node, no dispatch on the context); :meth:`_walk` stays for documents nested
        deeper than the recursion limit.
        """
        done = self._done
        follow = self._follow
        followed, followed_schema = self._followed, self._followed_schema
        rewrite = self._schema
        inline_map = self._inline_map
        pending: list[tuple[Any, int, Path]] = []  # bundled targets reached through a $ref

        def visit_pending() -> None:
            while pending:
                node, ctx, path = pending.pop()
                visit(node, ctx, path)

        def checked_ref(node: dict[str, Any], seen: set[str]) -> bool:
            """A lone ``{$ref}`` checked before: visiting it would do nothing, so callers skip it."""
            ref = node.get("$ref")
            return ref.__class__ is str and ref in seen

        def visit(node: Any, ctx: int, path: Path) -> None:
            if ctx == SCHEMA:
                if isinstance(node, dict):
                    schema(node, path)
            elif ctx == OTHER:
                if isinstance(node, dict):
                    other(node, path)
                elif isinstance(node, list):
                    other_list(node, path)
            elif isinstance(node, dict):
                mapping(node, path, schema if ctx == SCHEMA_MAP else None)

        def schema(node: dict[str, Any], path: Path) -> None:
            node_id = id(node)
            if node_id in done:
                return
            done.add(node_id)
            ref = node.get("$ref")
            if ref.__class__ is str:
                follow(node, ref, SCHEMA, path, pending)
                if pending:
                    visit_pending()
            keys = node.keys()
            if not keys.isdisjoint(_REWRITE_KEYS) or node.get("type") == "file":
                rewrite(node, path)
            if keys.isdisjoint(_CHILD_KEYS):
                return
            for key in [k for k in node if k in _CHILD_KEYS]:
                value = node[key]
                if key in _SCHEMA_MAPS:
                    if isinstance(value, dict):
                        mapping(value, (key, path), schema)
                elif key in _SCHEMA_LISTS:
                    if isinstance(value, list):
                        at = (key, path)
                        for i, item in enumerate(value):
                            if isinstance(item, dict) and not (len(item) == 1 and checked_ref(item, followed_schema)):
                                schema(item, (i, at))
                elif isinstance(value, dict) and not (len(value) == 1 and checked_ref(value, followed_schema)):
                    schema(value, (key, path))

        def mapping(node: dict[str, Any], path: Path, child: Any) -> None:
            node_id = id(node)
            if node_id in done:
                return
            done.add(node_id)
            if len(node) == 1 and isinstance(node.get("$ref"), str):
                inline_map(node, path)
            checked = followed if child is None else followed_schema
            for key, value in node.items():
                if isinstance(value, dict):
                    if len(value) == 1 and checked_ref(value, checked):
                        continue
                    if child is None:
                        other(value, (key, path))
                    else:
                        child(value, (key, path))
                elif child is None and isinstance(value, list):
                    other_list(value, (key, path))

        def other_list(node: list[Any], path: Path) -> None:
            for i, item in enumerate(node):
                if isinstance(item, dict):
                    if len(item) == 1 and checked_ref(item, followed):
                        continue  # GitHub: 6,400 `{$ref: "#/components/parameters/..."}`
                    other(item, (i, path))
                elif isinstance(item, list):
                    other_list(item, (i, path))

        def other(node: dict[str, Any], path: Path) -> None:
            node_id = id(node)
            if node_id in done:
                return
            done.add(node_id)
            ref = node.get("$ref")
            if ref.__class__ is str:
                follow(node, ref, OTHER, path, pending)
                if pending:
                    visit_pending()
            for key, value in node.items():
                if key in _NO_REFS:
                    continue
                if isinstance(value, dict):
                    if key == "schema":
                        schema(value, (key, path))
                    elif key == "examples":
                        at = (key, path)
                        for name, example in value.items():
                            if isinstance(example, dict) and isinstance(example.get("$ref"), str):
                                follow(example, example["$ref"], OTHER, (name, at), pending)
                                if pending:
                                    visit_pending()
                    elif key in _OTHER_MAPS or key == "parameters":
                        mapping(value, (key, path), None)
                    else:
                        other(value, (key, path))
                elif isinstance(value, list) and key not in _OTHER_MAPS and key != "schema" and key != "examples":
                    other_list(value, (key, path))

        for node, ctx, path in roots:
            visit(node, ctx, path)

    def _break_inplace_cycles(self) -> None:
        """Find references that loop back to themselves without consuming any of the value.

        ``Owner: {allOf: [{$ref: Owner}]}`` makes every validator (and generator) recurse
        forever on any instance. Cycles through ``properties``/``items`` are fine (Stripe's
        are); only in-place applicators (allOf/anyOf/oneOf/not/if/then/else/$ref) are followed.
        The reference that closes such a loop is reported and neutralised.
        """
        edges: dict[str, list[dict[str, Any]]] = {}

        def inplace_refs(schema: Any) -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = []
            stack = [schema]
            while stack:
                node = stack.pop()
                if not isinstance(node, dict):
                    continue
                if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
                    found.append(node)
                for key in ("allOf", "anyOf", "oneOf"):
                    if isinstance(node.get(key), list):
                        stack.extend(node[key])
                for key in ("not", "if", "then", "else"):
                    if isinstance(node.get(key), dict):
                        stack.append(node[key])
            return found

        def targets(ref: str) -> list[dict[str, Any]]:
            if ref not in edges:
                try:
                    edges[ref] = inplace_refs(self._resolve(ref))
                except KeyError:
                    edges[ref] = []
            return edges[ref]

        comps = self.document.get("components") or {}
        roots = [f"#/components/schemas/{escape(str(n))}" for n in (comps.get("schemas") or {})]
        roots += [f"#/components/{EXTERNAL}/{escape(str(n))}" for n in (comps.get(EXTERNAL) or {})]
        state: dict[str, int] = {}  # 1 = on the DFS stack, 2 = done
        for root in roots:
            if state.get(root):
                continue
            stack: list[tuple[str, int]] = [(root, 0)]
            state[root] = 1
            while stack:
                ref, i = stack[-1]
                outgoing = targets(ref)
                if i >= len(outgoing):
                    state[ref] = 2
                    stack.pop()
                    continue
                stack[-1] = (ref, i + 1)
                node = outgoing[i]
                nxt = node.get("$ref")
                if not isinstance(nxt, str):
                    continue
                if state.get(nxt) == 1:
                    self.problems.append((
                        "error", ref[1:],
                        f"$ref {nxt!r} loops back to itself without consuming any of the value "
                        "(through allOf/anyOf/oneOf/not); validation would never end, so it is ignored",
                        "circular-ref",
                    ))
                    del node["$ref"]
                    node["x-toolcheck-circular-ref"] = nxt
                elif not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, 0))

    def _walk(self, stack: list[tuple[Any, int, Path]]) -> None:
        done = self._done
        while stack:
            node, ctx, path = stack.pop()
            if isinstance(node, list):
                if ctx == OTHER:  # e.g. a `parameters` list of objects
                    for i, item in enumerate(node):
                        if isinstance(item, (dict, list)):
                            stack.append((item, OTHER, (i, path)))
                continue
            if not isinstance(node, dict):
                continue
            node_id = id(node)
            if node_id in done:
                continue
            done.add(node_id)
            if ctx == OTHER_MAP or ctx == SCHEMA_MAP:
                if len(node) == 1 and isinstance(node.get("$ref"), str):
                    self._inline_map(node, path)
                child_ctx = SCHEMA if ctx == SCHEMA_MAP else OTHER
                for key, value in node.items():
                    if isinstance(value, (dict, list)):
                        stack.append((value, child_ctx, (key, path)))
                continue
            ref = node.get("$ref")
            if isinstance(ref, str):
                self._follow(node, ref, ctx, path, stack)
            if ctx == SCHEMA:
                keys = node.keys()
                # Set intersections run in C: most schema nodes need no rewrite at all.
                if not keys.isdisjoint(_REWRITE_KEYS) or node.get("type") == "file":
                    self._schema(node, path)
                for key in keys & _CHILD_KEYS:
                    value = node[key]
                    if key in _SCHEMA_MAPS:
                        if isinstance(value, dict):
                            stack.append((value, SCHEMA_MAP, (key, path)))
                    elif key in _SCHEMA_LISTS:
                        if isinstance(value, list):
                            for i, item in enumerate(value):
                                if isinstance(item, dict):
                                    stack.append((item, SCHEMA, (i, (key, path))))
                    elif isinstance(value, dict):
                        stack.append((value, SCHEMA, (key, path)))
                continue
            # An OpenAPI object (path item, operation, parameter, response, media type ...).
            for key, value in node.items():
                if not isinstance(value, (dict, list)) or key in _NO_REFS:
                    continue
                if key == "examples":
                    if isinstance(value, dict):
                        for name, example in value.items():
                            if isinstance(example, dict) and isinstance(example.get("$ref"), str):
                                self._follow(example, example["$ref"], OTHER, (name, (key, path)), stack)
                    continue
                if key == "schema":
                    stack.append((value, SCHEMA, (key, path)))
                elif key in _OTHER_MAPS:
                    stack.append((value, OTHER_MAP, (key, path)))
                elif key == "parameters" and isinstance(value, dict):
                    stack.append((value, OTHER_MAP, (key, path)))
                else:
                    stack.append((value, OTHER, (key, path)))

    def _follow(self, node: dict[str, Any], ref: str, ctx: int, path: Path, stack: list[tuple[Any, int, Path]]) -> None:
        followed = self._followed_schema if ctx == SCHEMA else self._followed
        if ref in followed:
            return  # resolved fine before (GitHub: 4,200 refs to 760 targets)
        if self._follow_once(node, ref, ctx, path, stack):
            followed.add(ref)

    def _follow_once(self, node: dict[str, Any], ref: str, ctx: int, path: Path, stack: list[tuple[Any, int, Path]]) -> bool:
        """Check one reference; False when it was reported (dangling, cyclic)."""
        if not ref.startswith("#"):
            self.problem("error", path, f"$ref {ref!r} could not be bundled (external reference)", "dangling-ref")
            self._neutralise(node, ref, ctx)
            return False
        try:
            target = self._resolve(ref)
        except KeyError:
            severity = "warning" if _in_extension(path) else "error"
            self.problem(severity, path, f"$ref {ref!r} points at nothing", "dangling-ref")
            self._neutralise(node, ref, ctx)
            return False
        if isinstance(target, dict) and "x-toolcheck-dangling-ref" in target:
            return True  # already reported where it dangles; the target accepts anything
        if ctx == SCHEMA and _is_pure_ref(target) and self._pure_ref_cycle(ref):
            self.problem("error", path, f"$ref {ref!r} is a cycle of references with no schema in it", "circular-ref")
            self._neutralise(node, ref, ctx)
            return False
        if ref.startswith(f"#/components/{EXTERNAL}/") and isinstance(target, (dict, list)):
            key = ref.rsplit("/", 1)[-1]
            stack.append((target, ctx, (key, (EXTERNAL, ("components", None)))))
        return True

    def _pure_ref_cycle(self, ref: str) -> bool:
        """True when following ``ref`` through schemas that are only ``{"$ref": ...}`` loops."""
        seen = {ref}
        current = ref
        for _hop in range(64):
            try:
                target = self._resolve(current)
            except KeyError:
                return False
            if not _is_pure_ref(target):
                return False
            current = target["$ref"]
            if current in seen:
                return True
            seen.add(current)
        return True

    def _inline_map(self, node: dict[str, Any], path: Path) -> None:
        """Replace ``{"$ref": ...}`` standing for a whole name map by the map it points at.

        Not standard OpenAPI, but real specs do it (DigitalOcean's ``properties: {$ref: ...}``)
        and validators would otherwise read ``$ref`` as a property name.
        """
        ref = node["$ref"]
        target: Any = None
        for _hop in range(16):
            try:
                target = resolve_pointer(self.document, ref[1:]) if ref.startswith("#") else None
            except KeyError:
                target = None
            if not (isinstance(target, dict) and len(target) == 1 and isinstance(target.get("$ref"), str)):
                break
            ref = target["$ref"]
        if not isinstance(target, dict) or target is node:
            self.problem("warning", path, f"$ref {node['$ref']!r} standing for a map points at nothing usable", "dangling-ref")
            node.clear()
            return
        node.clear()
        node.update(target)

    @staticmethod
    def _neutralise(node: dict[str, Any], ref: str, ctx: int) -> None:
        if ctx == SCHEMA:
            del node["$ref"]
            node["x-toolcheck-dangling-ref"] = ref

    def _schema(self, node: dict[str, Any], path: Path) -> None:
        """Rewrite one schema object to 2020-12 in place (children are walked by the caller)."""
        if "nullable" in node or "x-nullable" in node:
            nullable = node.pop("nullable", None)
            x_nullable = node.pop("x-nullable", None)
            if nullable is True or x_nullable is True:
                self._make_nullable(node)
        for key in ("exclusiveMinimum", "exclusiveMaximum"):
            value = node.get(key)
            if isinstance(value, bool):
                bound = "minimum" if key == "exclusiveMinimum" else "maximum"
                del node[key]
                if value and isinstance(node.get(bound), (int, float)) and not isinstance(node.get(bound), bool):
                    node[key] = node.pop(bound)
        required = node.get("required")
        if required is not None:
            if not isinstance(required, list) or (
                required and set(map(type, required)) != {str} and not all(isinstance(r, str) for r in required)
            ):
                del node["required"]
                self.problem("warning", (("required", path)), "`required` in a schema must be a list of property names; ignored", "invalid-required")
            elif len(set(required)) != len(required):
                node["required"] = list(dict.fromkeys(required))
                self.problem("warning", ("required", path), "duplicate entries in `required` removed", "duplicate-required")
        for key in ("oneOf", "anyOf", "allOf"):
            if node.get(key) == []:
                del node[key]
                self.problem("warning", (key, path), f"empty `{key}` removed (it would reject every value)", "empty-composition")
        if "discriminator" not in node and ("oneOf" in node or "anyOf" in node):
            self._inherit_discriminator(node)
        if "$recursiveAnchor" in node:
            self._recursive_to_ref(node, path)
        kind = node.get("type")
        if kind == "file":
            node["type"] = "string"
            node.setdefault("format", "binary")
        items = node.get("items")
        if isinstance(items, list):
            node["prefixItems"] = node.pop("items")
        for key in _NUMERIC:
            if key in node:
                value = node[key]
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    fixed = _number(value)
                    if fixed is None:
                        del node[key]
                        self.problem("warning", (key, path), f"`{key}` must be a number, got {value!r}; ignored", "invalid-number")
                    else:
                        node[key] = fixed
                        self.problem("warning", (key, path), f"`{key}` written as a string {value!r}; read as {fixed}", "number-as-string")
        pattern = node.get("pattern")
        if pattern is not None and not self._pattern_ok(pattern):
            node["x-toolcheck-invalid-pattern"] = node.pop("pattern")
            self.problem("warning", ("pattern", path), f"`pattern` {pattern!r} is not a valid regular expression; ignored", "invalid-pattern")

    def _inherit_discriminator(self, node: dict[str, Any]) -> None:
        """An "embedded" discriminator: ``oneOf: [Cat, Dog]`` where Cat and Dog are each
        ``allOf: [Pet, ...]`` and Pet declares the discriminator (OpenAPI's own example). The
        alternatives then carry Pet's discriminator, so validators and the mock pick the branch
        the payload names (:mod:`toolcheck.spec.discriminator`)."""
        branches = node.get("oneOf", node.get("anyOf"))
        if not isinstance(branches, list) or not branches:
            return
        def target_of(schema: Any) -> Any:
            ref = schema.get("$ref") if isinstance(schema, dict) else None
            try:
                return self._resolve(ref) if isinstance(ref, str) and ref.startswith("#") else None
            except KeyError:
                return None

        found: dict[str, Any] | None = None
        for branch in branches:
            target = target_of(branch)
            parents = target.get("allOf") if isinstance(target, dict) else None
            own: dict[str, Any] | None = None
            for parent in parents if isinstance(parents, list) else []:
                resolved = target_of(parent)
                disc = resolved.get("discriminator") if isinstance(resolved, dict) else None
                if isinstance(disc, dict) and isinstance(disc.get("propertyName"), str):
                    own = disc
                    break
            if own is None or (found is not None and own.get("propertyName") != found.get("propertyName")):
                return  # every branch must inherit the same discriminator
            found = found or own
        if found is not None:
            node["discriminator"] = dict(found)

    @staticmethod
    def _recursive_to_ref(node: dict[str, Any], path: Path) -> None:
        """Draft 2019-09 ``$recursiveAnchor``/``$recursiveRef: "#"`` (OpenAI) → a plain ``$ref``.

        In a bundled OpenAPI document ``#`` would mean the whole document, so the recursion
        target is rewritten to the pointer of the schema that declares the anchor.
        """
        anchor = node.pop("$recursiveAnchor")
        if anchor is not True:
            return
        target = "#" + pointer_of(path)
        stack: list[Any] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, dict):
                if current.get("$recursiveRef") == "#":
                    del current["$recursiveRef"]
                    current["$ref"] = target
                stack.extend(v for k, v in current.items() if isinstance(v, (dict, list)) and k not in DATA_KEYS)
            elif isinstance(current, list):
                stack.extend(v for v in current if isinstance(v, (dict, list)))

    def _make_nullable(self, node: dict[str, Any]) -> None:
        kind = node.get("type")
        if isinstance(kind, str):
            node["type"] = [kind, "null"]
        elif isinstance(kind, list):
            if "null" not in kind:
                node["type"] = [*kind, "null"]
        elif any(k in node for k in ("$ref", "allOf", "oneOf", "anyOf", "enum", "const")):
            inner = {k: node.pop(k) for k in list(node) if k not in _ANNOTATIONS and not k.startswith("x-")}
            node["anyOf"] = [inner, {"type": "null"}]
            return
        else:
            return  # no type: null is already allowed
        enum = node.get("enum")
        if isinstance(enum, list) and None not in enum:
            node["enum"] = [*enum, None]

    def _pattern_ok(self, pattern: Any) -> bool:
        if not isinstance(pattern, str):
            return False
        known = self._patterns.get(pattern)
        if known is None:
            try:
                re.compile(pattern)
                known = True
            except (re.error, RecursionError, OverflowError):
                known = False
            self._patterns[pattern] = known
        return known


def _is_pure_ref(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("$ref"), str) and str(node["$ref"]).startswith("#") and all(
        k == "$ref" or k in _ANNOTATIONS or k.startswith("x-") for k in node
    )


def _number(value: Any) -> int | float | None:
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


# Maps whose keys are names the author chose (a header may be called `x-request-id`); an
# `x-` key anywhere else names a specification extension, whose contents are free data.
_NAME_MAPS = (_OTHER_MAPS | _SCHEMA_MAPS | {"schemas", "parameters", "examples", "pathItems", EXTERNAL}) - {"paths", "responses"}


def _in_extension(path: Path) -> bool:
    """Is this location inside extension data? (A dangling $ref there is only a warning.)

    Worked out from the keys only when a problem is reported, so the walk pays nothing.
    """
    while path is not None:
        key, path = path
        if isinstance(key, str) and key.startswith("x-"):
            parent = path[0] if path is not None else None
            if parent not in _NAME_MAPS:
                return True
    return False
