"""Safe parsing of JSON and YAML spec text.

* JSON goes through orjson (the fastest safe parser measured here); YAML through libyaml's
  ``CSafeLoader`` with three changes for real specs:
  - mapping keys stay strings *as written* (``200:`` is ``"200"``, not the int 200);
  - timestamps are not resolved (``2019-10-15`` stays a string, as JSON Schema expects);
  - YAML 1.1's ``=`` value tag is a plain string (Jira's ``default: =``).
* Safety: only the safe constructors (no Python tags), a size limit checked before reading,
  and an alias-expansion limit so a "billion laughs" file is refused in milliseconds.
* Recoverable text traps (control characters, invalid ``\\`` escapes in double-quoted
  scalars, as in APIs-guru's DocuSign spec) are repaired with a warning rather than refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson
import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from toolcheck.errors import SpecLoadError

MAX_BYTES = 64 * 1024 * 1024
MAX_EXPANDED_NODES = 5_000_000
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_VALUE = "tag:yaml.org,2002:value"

_YamlBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SpecLoader(_YamlBase):  # type: ignore[misc]
    """CSafeLoader with string keys as written, no timestamps, no ``=`` value tag."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        construct = self.construct_object
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else _complex_key(self, node, key_node)
            mapping[key] = construct(value_node, deep=deep)
        return mapping


def _complex_key(loader: Any, node: MappingNode, key_node: Any) -> Any:
    """A non-scalar mapping key (rare: ``? [a, b]``), refused when unhashable as PyYAML does."""
    key = loader.construct_object(key_node, deep=True)
    try:
        hash(key)
    except TypeError:
        raise yaml.constructor.ConstructorError(
            "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
        ) from None
    return key


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"


class _NeedsFullConstructor(Exception):
    """A merge key (``<<``) or another rare construct: use PyYAML's own constructor."""


def _load_yaml(text: str) -> Any:
    """libyaml composes the node tree (in C); a tight loop builds the Python objects.

    PyYAML's SafeConstructor spends a third of a big spec's load in generic machinery
    (generators per container, deep-construct bookkeeping). Plain maps, sequences and string
    scalars, which are nearly everything in an API description, are built here directly;
    other scalars (ints, floats, bools, nulls, binary) and unknown tags go through the safe
    constructor itself, so safety and error messages are PyYAML's.
    """
    loader = _SpecLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        try:
            return _build(root, loader)
        except _NeedsFullConstructor:
            return loader.construct_document(root)
    finally:
        loader.dispose()


def _build(root: Any, loader: Any) -> Any:
    built: dict[int, Any] = {}
    construct = loader.construct_object

    def make(node: Any) -> tuple[Any, bool]:
        """The object for a node, and whether its children still need filling in."""
        known = built.get(id(node))
        if known is not None:
            return known, False
        tag = node.tag
        if tag == _STR and isinstance(node, ScalarNode):
            return node.value, False
        if tag == _MAP and isinstance(node, MappingNode):
            obj: Any = {}
        elif tag == _SEQ and isinstance(node, SequenceNode):
            obj = [None] * len(node.value)
        else:
            return construct(node, deep=True), False
        built[id(node)] = obj
        return obj, True

    result, pending = make(root)
    stack: list[Any] = [root] if pending else []
    while stack:
        node = stack.pop()
        obj = built[id(node)]
        if isinstance(obj, dict):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode):
                    if key_node.tag == _MERGE:
                        raise _NeedsFullConstructor
                    key: Any = key_node.value
                else:
                    key = _complex_key(loader, node, key_node)
                value, more = make(value_node)
                obj[key] = value
                if more:
                    stack.append(value_node)
        else:
            for i, item_node in enumerate(node.value):
                value, more = make(item_node)
                obj[i] = value
                if more:
                    stack.append(item_node)
    return result


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_TIMESTAMP, _VALUE)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Parsed:
    """A parsed document with what the parser had to repair."""

    data: Any
    fmt: str  # "json" | "yaml"
    warnings: list[str] = field(default_factory=list)


_ALIAS_RE = re.compile(r"(?:^|[\s\[\{,:-])\*([^\s\[\]\{\},]+)", re.M)
_ANCHOR_RE = re.compile(r"(?:^|[\s\[\{,:-])&([^\s\[\]\{\},]+)", re.M)
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_VALID_ESCAPES = set('0abt\tnvfre "/\\N_LPxuU\n\r')


def decode(raw: bytes, name: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16/32 with a BOM; refuse binary."""
    if raw[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return raw.decode("utf-32")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    if b"\x00" in raw[:8192]:
        raise SpecLoadError(
            "this is a binary file, not a JSON or YAML API description.", location=name,
            hint="Point toolcheck at the OpenAPI/Swagger document (.yaml, .yml or .json).",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecLoadError(
            f"the file is not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at byte {exc.start}).",
            location=f"{name}:{line}", hint="Re-save it as UTF-8.",
        ) from None


_LEADING_SPACE = re.compile(r"\s*")


def parse_bytes(raw: bytes, name: str) -> Parsed:
    """Parse raw bytes; JSON goes straight to orjson without decoding to str first."""
    start = re.match(rb"\s*", raw)
    first = raw[start.end():start.end() + 1] if start else b""
    if first in (b"{", b"[") and not raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            return Parsed(orjson.loads(raw), "json")
        except orjson.JSONDecodeError:
            pass  # decode and take the careful path for a precise error
    return parse_text(decode(raw, name), name)


def parse_text(text: str, name: str) -> Parsed:
    """Parse JSON or YAML text into Python data, refusing bombs and reporting file:line."""
    start = _LEADING_SPACE.match(text)
    offset = start.end() if start else 0
    if offset >= len(text):
        raise SpecLoadError("the file is empty.", location=name, hint="Expected an OpenAPI or Swagger document.")
    if text[offset] in "{[":
        try:
            return Parsed(orjson.loads(text), "json")
        except orjson.JSONDecodeError as exc:
            json_error = exc
        # Not strict JSON (comments, trailing commas, or YAML flow style): let YAML try.
        try:
            return _parse_yaml(text, name)
        except SpecLoadError:
            line, col = _line_col(text, json_error.pos)
            raise SpecLoadError(f"invalid JSON: {json_error.msg}.", location=f"{name}:{line}:{col}") from None
    return _parse_yaml(text, name)


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def _parse_yaml(text: str, name: str) -> Parsed:
    warnings: list[str] = []
    for _attempt in range(200):
        try:
            data = _load_yaml(text)
        except yaml.reader.ReaderError:
            # Control characters YAML forbids (seen in APIs-guru DocuSign): drop them, warn.
            count = len(_CONTROL_RE.findall(text))
            text = _CONTROL_RE.sub("", text)
            warnings.append(f"removed {count} control character(s) that YAML does not allow")
            if count == 0:
                raise SpecLoadError("the text holds characters YAML does not allow.", location=name) from None
            continue
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "invalid YAML"
            if mark is not None and "escape" in problem:
                fixed = _fix_escapes_on_line(text, mark.line)
                if fixed != text:
                    text = fixed
                    warnings.append(f"line {mark.line + 1}: invalid backslash escape kept as a literal backslash")
                    continue
            where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark is not None else name
            raise SpecLoadError(f"invalid YAML: {problem}.", location=where) from None
        except yaml.YAMLError as exc:
            raise SpecLoadError(f"invalid YAML: {exc}.", location=name) from None
        except RecursionError:
            raise SpecLoadError("the YAML is nested too deeply to load.", location=name) from None
        else:
            if "*" in text and "&" in text and _may_alias(text):
                _check_expansion(data, name)
            return Parsed(data, "yaml", warnings)
    raise SpecLoadError("too many invalid escapes to repair.", location=name)


def _may_alias(text: str) -> bool:
    """True when some ``*name`` matches an ``&name`` (Markdown's ``*bold*`` alone does not)."""
    aliases = set(_ALIAS_RE.findall(text))
    return bool(aliases) and not aliases.isdisjoint(_ANCHOR_RE.findall(text))


def _fix_escapes_on_line(text: str, line_index: int) -> str:
    lines = text.split("\n")
    if line_index >= len(lines):
        return text
    line = lines[line_index]
    out: list[str] = []
    i = 0
    in_dq = False
    while i < len(line):
        ch = line[i]
        if ch == '"' and (i == 0 or line[i - 1] != "\\"):
            in_dq = not in_dq
        if ch == "\\" and i + 1 < len(line):
            nxt = line[i + 1]
            if nxt not in _VALID_ESCAPES:
                out.append("\\\\")
                i += 1
                continue
            out.append(ch + nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    lines[line_index] = "".join(out)
    return "\n".join(lines)


def _check_expansion(data: Any, name: str) -> None:
    """Refuse documents whose aliases expand to more than MAX_EXPANDED_NODES nodes.

    PyYAML builds aliases as shared objects, so parsing a bomb is cheap, but every later walk
    would expand it. The expanded size is counted on the shared graph with memoisation, so the
    check itself is linear in the *parsed* size.
    """
    sizes: dict[int, int] = {}
    on_stack: set[int] = set()

    def size(node: Any) -> int:
        if not isinstance(node, (dict, list)):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in on_stack:  # a recursive alias: infinite when expanded
            raise SpecLoadError("the YAML has a recursive alias (an anchor that contains itself).", location=name)
        on_stack.add(key)
        children = node.values() if isinstance(node, dict) else node
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_EXPANDED_NODES:
                break
        on_stack.discard(key)
        sizes[key] = total
        return total

    try:
        total = size(data)
    except RecursionError:
        raise SpecLoadError("the YAML is nested too deeply to load.", location=name) from None
    if total > MAX_EXPANDED_NODES:
        raise SpecLoadError(
            f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (an alias bomb?); refused.",
            location=name,
        )


# --- locating JSON pointers in the source text ---------------------------------------------


_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,\n]')


def json_line_index(text: str) -> dict[str, int]:
    """Map JSON pointers of every key and array item to 1-based lines, with one regex scan.

    YAML's composer rejects some valid JSON (tabs, ``\\/`` escapes) and is slower; this
    tokenizer only tracks strings, brackets, colons, commas and newlines.
    """
    from toolcheck.spec._pointer import escape

    index: dict[str, int] = {"": 1}
    line = 1
    # Each frame: [pointer, is_object, pending key or next index, expecting_key]
    stack: list[list[Any]] = []
    last_string: str | None = None
    for match in _JSON_TOKEN.finditer(text):
        tok = match.group()
        if tok == "\n":
            line += 1
            continue
        if tok[0] == '"':
            if stack and stack[-1][1] and stack[-1][3]:
                last_string = tok
            elif stack and not stack[-1][1]:
                frame = stack[-1]
                index.setdefault(f"{frame[0]}/{frame[2]}", line)
            continue
        if tok == ":":
            if stack and last_string is not None:
                frame = stack[-1]
                try:
                    key = orjson.loads(last_string)
                except orjson.JSONDecodeError:
                    key = last_string[1:-1]
                frame[2] = f"{frame[0]}/{escape(str(key))}"
                frame[3] = False
                index.setdefault(frame[2], line)
                last_string = None
            continue
        if tok == ",":
            if stack:
                frame = stack[-1]
                if frame[1]:
                    frame[3] = True
                else:
                    frame[2] += 1
            continue
        if tok in "{[":
            if stack:
                parent = stack[-1]
                pointer = parent[2] if parent[1] else f"{parent[0]}/{parent[2]}"
            else:
                pointer = ""
            index.setdefault(pointer, line)
            stack.append([pointer, tok == "{", "" if tok == "{" else 0, True])
            continue
        if stack:  # } or ]
            stack.pop()
    return index


def yaml_line_index(text: str) -> dict[str, int]:
    """Map JSON pointers of every mapping key and sequence item to 1-based line numbers.

    Works for JSON too (JSON is YAML's flow style). Built lazily, only when a report needs a
    line number, because composing the node tree costs about as much as parsing.
    """
    from toolcheck.spec._pointer import escape

    loader_cls: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader_cls)
    except yaml.YAMLError:
        return {}
    index: dict[str, int] = {}
    stack: list[tuple[Any, str]] = [(root, "")]
    seen: set[int] = set()
    while stack:
        node, pointer = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        index.setdefault(pointer, node.start_mark.line + 1)
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                child = f"{pointer}/{escape(str(getattr(key_node, 'value', '')))}"
                index.setdefault(child, key_node.start_mark.line + 1)
                stack.append((value_node, child))
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                stack.append((item, f"{pointer}/{i}"))
    return index
