"""Turn an OpenAPI schema (JSON Schema 2020-12 with local ``$ref``s) into a self-contained
tool input schema that LLM providers accept.

Hand-written rather than delegated to a library because the rules are provider policy, not
JSON Schema semantics:

* every ``$ref`` is inlined (providers do not resolve ``#/components/...``); a reference that
  is already being expanded (a cycle) or anything deeper than ``max_depth`` becomes a loose
  ``{}`` with a description, and a per-tool node budget stops Stripe-sized unions from
  exploding. Loosening keeps the schema a *superset* of the original, so every valid call stays
  valid.
* ``oneOf`` becomes ``anyOf`` (a superset, and one that stays a superset when a branch is
  loosened); ``not``/``if`` over a loosened part are dropped for the same reason.
* OpenAPI-only keywords (``discriminator``, ``xml``, ``example``, ``x-*``...) are dropped, and in
  the request direction ``readOnly`` properties are removed (an agent cannot send them).
* ``strict`` applies OpenAI's structured-outputs subset: ``const`` → ``enum``, ``oneOf`` →
  ``anyOf``, type arrays → ``anyOf``, simple ``allOf`` of objects merged, every object closed
  with all properties required (optional ones made nullable), unsupported keywords dropped.
  What cannot be expressed (free-form maps, ``not``...) marks the schema non-strict, with a
  note saying why, instead of failing.

Every rewrite is recorded in :attr:`SchemaConverter.notes` (reported by ``toolcheck tools`` and
the ``tool-schema-*`` lint rules).
"""

from __future__ import annotations

import json
import re
from typing import Any

from toolcheck.spec import Spec
from toolcheck.spec.visibility import hides

_DROP = frozenset({
    "discriminator", "xml", "externalDocs", "example", "$schema", "$id", "$anchor", "$dynamicRef",
    "$dynamicAnchor", "$defs", "definitions", "$comment", "$vocabulary", "readOnly", "writeOnly",
    "deprecated", "nullable",
})
_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas")
_SCHEMA_ONE = ("additionalProperties", "items", "contains", "not", "if", "then", "else", "propertyNames",
               "unevaluatedProperties", "unevaluatedItems", "contentSchema")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")

# OpenAI structured outputs (strict mode): the supported keyword subset.
STRICT_FORMATS = frozenset({"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"})
_STRICT_KEEP = frozenset({
    "type", "properties", "required", "additionalProperties", "enum", "anyOf", "items", "description",
    "title", "pattern", "format", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "minItems", "maxItems",
})


# OpenAI structured-outputs limits (platform docs, "Supported schemas": objects have limitations).
STRICT_MAX_DEPTH = 10
STRICT_MAX_PROPERTIES = 5000
STRICT_MAX_ENUM_VALUES = 1000


def _measure(node: Any, depth: int = 0) -> tuple[int, int, int]:
    """(object nesting depth, total properties, total enum values) of an inlined schema."""
    if isinstance(node, list):
        parts = [_measure(n, depth) for n in node]
        return (max((p[0] for p in parts), default=depth), sum(p[1] for p in parts), sum(p[2] for p in parts))
    if not isinstance(node, dict):
        return depth, 0, 0
    here = depth + 1 if isinstance(node.get("properties"), dict) else depth
    deepest, props, enums = here, 0, len(node["enum"]) if isinstance(node.get("enum"), list) else 0
    if isinstance(node.get("properties"), dict):
        props += len(node["properties"])
        children: list[Any] = list(node["properties"].values())
    else:
        children = []
    children += [node[k] for k in ("items", "anyOf") if k in node]
    for child in children:
        d, p, e = _measure(child, here)
        deepest, props, enums = max(deepest, d), props + p, enums + e
    return deepest, props, enums


_DEF_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,), "array": (list,),
    "object": (dict,), "null": (type(None),),
}


def _fits_type(value: Any, kind: Any) -> bool:
    """Does ``value`` have one of the JSON Schema ``type``s in ``kind`` (no type: anything)?"""
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    if not kinds:
        return True
    for k in kinds:
        types = _JSON_TYPES.get(str(k))
        if types is None:
            return True
        if isinstance(value, bool) and k not in ("boolean",):
            continue  # JSON booleans are not numbers
        if isinstance(value, types) and not (k == "integer" and isinstance(value, float) and not value.is_integer()):
            return True
        if k == "integer" and isinstance(value, float) and value.is_integer():
            return True
    return False


_VALUES = frozenset({"enum", "const", "default", "examples", "example", "required", "description", "title"})


def _refs(node: Any, depth: int = 0, found: dict[str, int] | None = None) -> dict[str, int]:
    """How often each ``#/$defs/...`` definition is referenced in ``node`` (values skipped)."""
    found = {} if found is None else found
    if depth > 256:
        return found
    if isinstance(node, list):
        for item in node:
            _refs(item, depth + 1, found)
    elif isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            found[ref[8:]] = found.get(ref[8:], 0) + 1
        for key, value in node.items():
            if key in _SCHEMA_MAPS and isinstance(value, dict):
                for sub in value.values():  # property names are not keywords: `description` may be one
                    _refs(sub, depth + 1, found)
            elif key != "$ref" and key not in _VALUES and isinstance(value, (dict, list)):
                _refs(value, depth + 1, found)
    return found


class StrictImpossible(Exception):
    """The schema uses something OpenAI's strict mode cannot express."""


def _loose(reason: str) -> dict[str, Any]:
    return {"description": reason}


class SchemaConverter:
    """Inline and rewrite schemas of one spec (one instance per tool: budgets are per tool).

    Args:
        spec: the spec the schemas belong to (refs resolve in ``spec.document``).
        direction: ``"request"`` drops readOnly properties; ``"response"`` keeps every property.
        max_depth: nesting depth after which a subschema is replaced by ``{}``.
        max_nodes: schema nodes per converter before the rest is replaced by ``{}``.
    """

    def __init__(self, spec: Spec, *, direction: str = "request", max_depth: int = 12,
                 max_nodes: int = 3000, defs: bool = False) -> None:
        self.spec = spec
        self.use_defs = defs
        self.defs: dict[str, Any] = {}
        self._def_names: dict[str, str] = {}
        self.direction = direction
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.nodes = 0
        self.notes: list[str] = []
        self.truncated = False
        self.nodes_cut = 0

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    # --- plain inlining ------------------------------------------------------------------
    def inline(self, schema: Any) -> Any:
        """A self-contained copy of ``schema``: refs inlined, OpenAPI-only keywords dropped."""
        return self._walk(schema, 0, ())

    def _hidden(self, schema: Any, stack: tuple[str, ...]) -> bool:
        """Is this property invisible in the current direction (readOnly in a request)?

        In the response direction nothing is hidden: OAS 3.1 §4.8.24.1 says a writeOnly property
        SHOULD NOT be returned, not MUST NOT, and dropping it from a closed object
        (``unevaluatedProperties: false``) would reject answers the spec allows; it is only no
        longer required there (``_walk``).
        """
        if self.direction == "response":
            return False
        key = "readOnly"
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 8:
            if schema.get(key) is True:
                return True
            try:
                schema = self.spec.resolve(schema["$ref"])
            except (KeyError, TypeError):
                return False
            seen += 1
        return isinstance(schema, dict) and schema.get(key) is True

    def _walk(self, node: Any, depth: int, stack: tuple[str, ...]) -> Any:
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            return {}
        self.nodes += 1
        if self.nodes > self.max_nodes:
            self.truncated = True
            self.nodes_cut += 1
            self.note(f"schema larger than {self.max_nodes} nodes: the rest is left open ({{}})")
            return _loose("(not expanded: schema too large)")
        if depth > self.max_depth:
            self.truncated = True
            self.nodes_cut += 1
            self.note(f"schema nested deeper than {self.max_depth} levels: deeper parts are left open ({{}})")
            return _loose("(not expanded: nested too deep)")
        ref = node.get("$ref")
        if isinstance(ref, str) and self.use_defs and ref.startswith("#/"):
            return self._def_ref(node, ref, depth, stack)
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if ref in stack:
                self.truncated = True
                self.nodes_cut += 1
                self.note(f"recursive schema {name!r}: expanded once, inner recursion left open ({{}})")
                return _loose(f"(recursive {name}; same shape as its parent)")
            try:
                target = self.spec.resolve(ref)
            except KeyError:
                self.note(f"unresolvable $ref {ref!r} left open ({{}})")
                return {}
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            merged = {**target, **siblings} if isinstance(target, dict) else target
            return self._walk(merged, depth, stack + (ref,))
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROP or key.startswith("x-"):
                continue
            if key in _SCHEMA_MAPS and isinstance(value, dict):
                children: dict[str, Any] = {}
                for prop, sub in value.items():
                    if key == "properties" and self._hidden(sub, stack):
                        continue
                    children[str(prop)] = self._walk(sub, depth + 1, stack)
                out[key] = children
            elif key in _SCHEMA_ONE:
                before = self.nodes_cut
                out[key] = self._walk(value, depth + 1, stack)
                if key in ("not", "if") and self.nodes_cut != before:
                    # Loosening under `not`/`if` would *tighten* the whole: drop the keyword.
                    del out[key]
                    out.pop("then", None)
                    out.pop("else", None)
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                # oneOf → anyOf: anyOf accepts everything oneOf does, and stays a superset when a
                # branch is loosened (two loosened branches would break "exactly one").
                target = "anyOf" if key == "oneOf" else key
                out.setdefault(target, []).extend(self._walk(sub, depth + 1, stack) for sub in value)
            elif key == "required" and isinstance(value, list):
                out[key] = value  # filtered below once properties are known
            elif key == "default" and not _fits_type(value, node.get("type")):
                # `default: "false"` on a boolean would teach a model to send the string.
                self.note(f"default {json.dumps(value)[:40]} does not match type {node.get('type')!r}: dropped")
            else:
                out[key] = value
        props = out.get("properties")
        if isinstance(props, dict) and isinstance(out.get("required"), list) and isinstance(node.get("properties"), dict):
            hidden = set(node["properties"]) - set(props)
            if self.direction == "response":
                # Kept as a property (see _hidden), but required in requests only (OAS 3.0.3 §4.7.25).
                hidden |= {n for n, sub in node["properties"].items() if hides(self.spec, sub, "writeOnly")}
            if hidden:
                out["required"] = [r for r in out["required"] if r not in hidden]
                if not out["required"]:
                    del out["required"]
        return out

    # --- shared and recursive schemas as $defs ------------------------------------------
    def _def_ref(self, node: dict[str, Any], ref: str, depth: int, stack: tuple[str, ...]) -> Any:
        """``{"$ref": "#/$defs/Name"}`` for a local reference, converting its target once.

        A cycle is then a reference to a definition being converted: it needs no cut, so
        recursive schemas stay exact instead of being loosened after one level.
        """
        name = self._def_names.get(ref)
        if name is None:
            try:
                target = self.spec.resolve(ref)
            except KeyError:
                self.note(f"unresolvable $ref {ref!r} left open ({{}})")
                return {}
            base = _DEF_NAME.sub("_", ref.rsplit("/", 1)[-1]) or "schema"
            name, n = base, 2
            while name in self.defs:
                name, n = f"{base}_{n}", n + 1
            self._def_names[ref] = name
            self.defs[name] = {}
            self.defs[name] = self._walk(target, 0, ())
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        out = {"$ref": f"#/$defs/{name}"}
        if siblings:
            walked = self._walk(siblings, depth, stack)
            if isinstance(walked, dict):
                out.update(walked)
        return out

    def finish(self, root: dict[str, Any]) -> dict[str, Any]:
        """``root`` with the definitions it uses: those referenced once are inlined back (a
        ``$defs`` entry only pays for itself when shared or recursive), the rest kept."""
        if not self.defs:
            return root
        defs = dict(self.defs)
        refs_in = {name: _refs(body) for name, body in defs.items()}
        from_root = _refs(root)
        counts: dict[str, int] = {}
        for found in (from_root, *refs_in.values()):
            for name, n in found.items():
                counts[name] = counts.get(name, 0) + n
        once = {name for name in defs if counts.get(name, 0) == 1}

        def substitute(node: Any, depth: int) -> Any:
            if depth > 256:
                return node
            if isinstance(node, list):
                return [substitute(n, depth + 1) for n in node]
            if not isinstance(node, dict):
                return node
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in once:
                body = substitute(defs[ref[8:]], depth + 1)
                siblings = {k: substitute(v, depth + 1) for k, v in node.items() if k != "$ref"}
                if not siblings:
                    return body
                return {**body, **siblings} if isinstance(body, dict) else {"allOf": [body], **siblings}
            return {k: ({p: substitute(sub, depth + 1) for p, sub in v.items()}
                        if k in _SCHEMA_MAPS and isinstance(v, dict)
                        else v if k in _VALUES else substitute(v, depth + 1)) for k, v in node.items()}

        # Definitions still referenced after inlining: walk from the root through inlined ones.
        reachable: set[str] = set()
        seen: set[str] = set()
        todo = list(from_root)
        while todo:
            name = todo.pop()
            if name in seen or name not in defs:
                continue
            seen.add(name)
            if name not in once:
                reachable.add(name)
            todo.extend(refs_in[name])
        out = substitute(root, 0)
        if reachable:
            out["$defs"] = {name: substitute(defs[name], 0) for name in defs if name in reachable}
        return dict(out)

    # --- OpenAI strict mode --------------------------------------------------------------
    def strict(self, schema: Any) -> Any:
        """Rewrite an *inlined* schema into OpenAI's strict subset.

        Raises:
            StrictImpossible: with the reason, when no faithful rewrite exists.
        """
        out = self._strict(schema, "")
        depth, props, enums = _measure(out)
        if depth > STRICT_MAX_DEPTH:
            raise StrictImpossible(f"objects nest {depth} levels deep (strict mode allows {STRICT_MAX_DEPTH})")
        if props > STRICT_MAX_PROPERTIES:
            raise StrictImpossible(f"{props} object properties in total (strict mode allows {STRICT_MAX_PROPERTIES})")
        if enums > STRICT_MAX_ENUM_VALUES:
            raise StrictImpossible(f"{enums} enum values in total (strict mode allows {STRICT_MAX_ENUM_VALUES})")
        return out

    def _strict(self, node: Any, where: str) -> Any:
        if node is True or node == {} or (isinstance(node, dict) and set(node) <= {"description", "title"}):
            raise StrictImpossible(f"{where or 'the input'} accepts any value")
        if not isinstance(node, dict):
            raise StrictImpossible(f"{where or 'the input'} is `false`")
        node = dict(node)
        if "const" in node:
            node["enum"] = [node.pop("const")]
            self.note("`const` rewritten as a one-value `enum` (strict mode)")
        if "oneOf" in node:
            node.setdefault("anyOf", []).extend(node.pop("oneOf"))
            self.note("`oneOf` rewritten as `anyOf` (strict mode)")
        if "allOf" in node:
            node = self._merge_all_of(node, where)
        if (isinstance(node.get("anyOf"), list) and isinstance(node.get("properties"), dict)
                and all(isinstance(branch, dict) for branch in node["anyOf"])):
            # An object with properties of its own *and* alternatives: every branch is closed in
            # strict mode, so the shared properties must go into each branch or nothing fits.
            shared = {k: v for k, v in node.items() if k not in ("anyOf", "description", "title")}
            self.note("properties shared by `anyOf` branches copied into each branch (strict mode)")
            out = {k: v for k, v in node.items() if k in ("description", "title")}
            out["anyOf"] = [self._strict({"allOf": [shared, branch]}, where) for branch in node["anyOf"]]
            return out
        kind = node.get("type")
        if isinstance(kind, list):
            rest = {k: v for k, v in node.items() if k not in ("type",)}
            self.note("type arrays rewritten as `anyOf` (strict mode)")
            variants = [{**self._for_type(rest, t), "type": t} for t in kind]
            out_any: dict[str, Any] = {"anyOf": [self._strict(v, where) for v in variants]}
            if "description" in node:
                out_any["description"] = node["description"]
            return out_any
        if "anyOf" in node and not kind:
            out = {k: v for k, v in node.items() if k in ("description", "title")}
            out["anyOf"] = [self._strict(sub, where) for sub in node["anyOf"]]
            return out
        if kind is None:
            if "properties" in node:
                kind = node["type"] = "object"
            elif "items" in node:
                kind = node["type"] = "array"
            elif "enum" in node:
                return {k: v for k, v in node.items() if k in ("enum", "description", "title")}
            else:
                raise StrictImpossible(f"{where or 'the input'} has no type")
        for key in node:
            if key not in _STRICT_KEEP and key != "anyOf":
                self.note(f"`{key}` is not supported in strict mode: dropped")
        out = {k: v for k, v in node.items() if k in _STRICT_KEEP}
        if out.get("format") is not None and out["format"] not in STRICT_FORMATS:
            self.note(f"format {out['format']!r} is not supported in strict mode: dropped")
            del out["format"]
        if kind == "object":
            props = node.get("properties")
            extra = node.get("additionalProperties")
            if not isinstance(props, dict) or not props:
                raise StrictImpossible(f"{where or 'the input'} is a free-form object (no properties)")
            if isinstance(extra, dict) and extra:
                raise StrictImpossible(f"{where or 'the input'} is a map (additionalProperties schema)")
            required = set(node.get("required") or [])
            new_props = {}
            for prop, sub in props.items():
                converted = self._strict(sub, f"{where}/{prop}")
                if prop not in required:
                    converted = {"anyOf": [converted, {"type": "null"}]}
                new_props[prop] = converted
            out["properties"] = new_props
            out["required"] = list(props)
            out["additionalProperties"] = False
        elif kind == "array":
            if "items" not in node:
                raise StrictImpossible(f"{where or 'the input'} is an array without `items`")
            out["items"] = self._strict(node["items"], f"{where}/items")
        if "anyOf" in node:
            out["anyOf"] = [self._strict(sub, where) for sub in node["anyOf"]]
        return out

    @staticmethod
    def _for_type(node: dict[str, Any], kind: str) -> dict[str, Any]:
        if kind == "null":
            return {}
        if kind == "object":
            return {k: v for k, v in node.items() if k in ("properties", "required", "additionalProperties", "description")}
        if kind == "array":
            return {k: v for k, v in node.items() if k in ("items", "minItems", "maxItems")}
        return {k: v for k, v in node.items() if k not in ("properties", "required", "additionalProperties", "items")}

    def _merge_all_of(self, node: dict[str, Any], where: str) -> dict[str, Any]:
        parts = node.pop("allOf")
        merged = dict(node)
        props = dict(merged.get("properties") or {})
        required = list(merged.get("required") or [])
        for part in parts:
            if not isinstance(part, dict) or any(k in part for k in ("anyOf", "oneOf", "allOf", "not")):
                raise StrictImpossible(f"{where or 'the input'} uses `allOf` with alternatives")
            if part.get("type") not in (None, "object") or (merged.get("type") not in (None, "object")):
                raise StrictImpossible(f"{where or 'the input'} uses `allOf` over non-objects")
            props.update(part.get("properties") or {})
            required.extend(r for r in part.get("required") or [] if r not in required)
            for k, v in part.items():
                if k not in ("properties", "required"):
                    merged.setdefault(k, v)
        merged["type"] = "object"
        merged["properties"] = props
        merged["required"] = required
        self.note("`allOf` of objects merged into one object (strict mode)")
        return merged


def odd_property_names(schema: Any, depth: int = 0) -> list[str]:
    """Property names below the top level that are not valid Anthropic property keys."""
    from toolcheck.agent.names import ARG_PATTERN

    out: list[str] = []
    if depth > 32 or not isinstance(schema, (dict, list)):
        return out
    if isinstance(schema, list):
        for item in schema:
            out.extend(odd_property_names(item, depth + 1))
        return out
    props = schema.get("properties")
    if isinstance(props, dict):
        if depth > 0:
            out.extend(k for k in props if not ARG_PATTERN.match(str(k)))
        for sub in props.values():
            out.extend(odd_property_names(sub, depth + 1))
    for key in ("items", "anyOf", "allOf", "oneOf", "additionalProperties", "prefixItems"):
        if key in schema:
            out.extend(odd_property_names(schema[key], depth + 1))
    if depth == 0 and isinstance(schema.get("$defs"), dict):
        for sub in schema["$defs"].values():
            out.extend(odd_property_names(sub, 1))
    return out
