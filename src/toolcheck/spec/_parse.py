"""Safe parsing of JSON and YAML spec text.

* JSON goes through orjson (the fastest safe parser measured here); YAML through libyaml's
  ``CSafeLoader`` with three changes for real specs:
  - mapping keys stay strings *as written* (``200:`` is ``"200"``, not the int 200);
  - timestamps are not resolved (``2019-10-15`` stays a string, as JSON Schema expects);
  - YAML 1.1's ``=`` value tag is a plain string (Jira's ``default: =``);
  - booleans are YAML 1.2's (``true``/``false`` only): OpenAPI 3.1 §4.3 recommends YAML 1.2,
    and the tools around it (js-yaml in Prism and swagger-parser) read ``Off``, ``no``, ``y`` as
    strings. YAML 1.1's reading turned the corpus's ``enum: [Off, Moderate, Strict]`` and
    ``example: off`` into booleans that fail their own string schemas; no corpus spec writes a
    YAML 1.1 boolean where a boolean is meant.
* Safety: only the safe constructors (no Python tags), a size limit checked before reading,
  a node budget checked before libyaml builds its node tree (a 10 MB flow list of 5M items
  took 46 s and 1.5 GB; issue 12), and an alias-expansion limit so a "billion laughs" file is
  refused in milliseconds. Integers longer than Python reads (4,300 digits) are an error at
  their line, not a crash.
* Recoverable text traps (control characters, invalid ``\\`` escapes in double-quoted
  scalars, as in APIs-guru's DocuSign spec) are repaired with a warning rather than refused,
  each in one linear pass (199 bad escapes used to cost 199 re-parses: 222 s on 4.4 MB).
* Duplicate mapping keys are recorded with both lines (see :class:`Duplicate`).
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
MAX_NODES = 2_000_000  # YAML nodes of one spec (all its files): ~12x Stripe's 4 MB spec
MAX_EXPANDED_NODES = 5_000_000
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOOL = "tag:yaml.org,2002:bool"
_BOOL_12 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")  # YAML 1.2 core schema §10.3.2
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


def _construct_int(loader: Any, node: ScalarNode) -> Any:
    """YAML ints; one longer than Python converts (CVE-2020-10735's 4,300-digit limit) is an
    error at its line rather than a ValueError (issue 12: it ended the run with exit 3)."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        digits = sum(ch.isdigit() for ch in str(node.value))
        raise yaml.constructor.ConstructorError(
            None, None, f"an integer of {digits:,} digits is longer than toolcheck reads (4,300); "
            "write it as a string or a float", node.start_mark,
        ) from None


_SpecLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


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


@dataclass(frozen=True)
class Duplicate:
    """A mapping key written twice: the later value wins, as in every YAML and JSON parser.

    YAML 1.2 §3.2.1.1 requires unique keys and RFC 8259 §4 leaves the outcome undefined, so
    a reviewer reading one occurrence may see another operation than the one toolcheck tests.
    """

    parent: str  # JSON pointer of the mapping holding the key
    key: str
    first_line: int
    line: int


def _load_yaml(text: str) -> tuple[Any, bool, list[Duplicate]]:
    """(data, whether aliases are shared, duplicate keys) of one YAML document.

    libyaml composes the node tree (in C); a tight loop builds the Python objects.

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
            return None, False, []
        duplicated: list[Any] = []
        try:
            data, aliased = _build(root, loader, duplicated)
        except _NeedsFullConstructor:
            # Merge keys (`<<`) override on purpose; other keys are checked on the node tree.
            data, aliased = loader.construct_document(root), True
            duplicated = [node for node in _mappings(root) if _has_duplicates(node)]
        return data, aliased, _duplicates(root, duplicated) if duplicated else []
    finally:
        loader.dispose()


def _mappings(root: Any) -> list[Any]:
    out, stack, seen = [], [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            out.append(node)
            stack.extend(v for pair in node.value for v in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return out


def _has_duplicates(node: MappingNode) -> bool:
    keys = [k.value for k, _ in node.value if isinstance(k, ScalarNode) and k.tag != _MERGE]
    return len(set(keys)) != len(keys)


def _duplicates(root: Any, mappings: list[Any]) -> list[Duplicate]:
    """Pointers and lines of the duplicated keys of ``mappings`` (rare: found only when the
    built dict came out shorter than its node)."""
    from toolcheck.spec._pointer import escape

    wanted = {id(node) for node in mappings}
    out: list[Duplicate] = []
    stack: list[tuple[Any, str]] = [(root, "")]
    seen: set[int] = set()
    while stack and wanted:
        node, pointer = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            if id(node) in wanted:
                wanted.discard(id(node))
                first: dict[str, int] = {}
                for key_node, _ in node.value:
                    if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE:
                        continue
                    line = key_node.start_mark.line + 1
                    if key_node.value in first:
                        out.append(Duplicate(pointer, key_node.value, first[key_node.value], line))
                    else:
                        first[key_node.value] = line
            for key_node, value_node in node.value:
                stack.append((value_node, f"{pointer}/{escape(str(getattr(key_node, 'value', '')))}"))
        elif isinstance(node, SequenceNode):
            stack.extend((item, f"{pointer}/{i}") for i, item in enumerate(node.value))
    return sorted(out, key=lambda d: d.line)


def _build(root: Any, loader: Any, duplicated: list[Any]) -> tuple[Any, bool]:
    built: dict[int, Any] = {}
    construct = loader.construct_object
    aliased = False

    def make(node: Any) -> tuple[Any, bool]:
        """The object for a node, and whether its children still need filling in."""
        nonlocal aliased
        known = built.get(id(node))
        if known is not None:
            aliased = True  # a second use of one node: a YAML alias (the bomb check runs)
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
            if len(obj) != len(node.value):
                duplicated.append(node)
        else:
            for i, item_node in enumerate(node.value):
                value, more = make(item_node)
                obj[i] = value
                if more:
                    stack.append(item_node)
    return result, aliased


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, _BOOL_12 if tag == _BOOL else rx) for tag, rx in resolvers if tag not in (_TIMESTAMP, _VALUE)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Parsed:
    """A parsed document with what the parser had to repair."""

    data: Any
    fmt: str  # "json" | "yaml"
    warnings: list[str] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    nodes: int = 0  # YAML nodes charged to the spec's budget (an upper estimate)


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


def parse_bytes(raw: bytes, name: str, *, node_budget: int = MAX_NODES) -> Parsed:
    """Parse raw bytes; JSON goes straight to orjson without decoding to str first.

    ``node_budget``: how many YAML nodes this file may hold (what the spec has left).
    """
    start = re.match(rb"\s*", raw)
    first = raw[start.end():start.end() + 1] if start else b""
    if first in (b"{", b"[") and not raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # decode and take the careful path for a precise error
        else:
            return Parsed(data, "json", duplicates=json_duplicates(raw, data))
    return parse_text(decode(raw, name), name, node_budget=node_budget)


def parse_text(text: str, name: str, *, node_budget: int = MAX_NODES) -> Parsed:
    """Parse JSON or YAML text into Python data, refusing bombs and reporting file:line."""
    start = _LEADING_SPACE.match(text)
    offset = start.end() if start else 0
    if offset >= len(text):
        raise SpecLoadError("the file is empty.", location=name, hint="Expected an OpenAPI or Swagger document.")
    if text[offset] in "{[":
        try:
            data = orjson.loads(text)
            return Parsed(data, "json", duplicates=json_duplicates(text.encode(), data))
        except orjson.JSONDecodeError as exc:
            json_error = exc
        # Not strict JSON (comments, trailing commas, or YAML flow style): let YAML try.
        try:
            return _parse_yaml(text, name, node_budget)
        except SpecLoadError:
            line, col = _line_col(text, json_error.pos)
            raise SpecLoadError(f"invalid JSON: {json_error.msg}.", location=f"{name}:{line}:{col}") from None
    return _parse_yaml(text, name, node_budget)


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def _parse_yaml(text: str, name: str, node_budget: int = MAX_NODES) -> Parsed:
    nodes = _node_budget(text, name, node_budget)
    warnings: list[str] = []
    controls_removed = False
    marker: str | None = None
    first_bad_line = 0
    while True:  # at most three parses: as written, without control characters, escapes repaired
        try:
            data, aliased, duplicates = _load_yaml(text)
        except yaml.reader.ReaderError:
            # Control characters YAML forbids (seen in APIs-guru DocuSign): drop them, warn.
            count = len(_CONTROL_RE.findall(text))
            if count == 0 or controls_removed:
                raise SpecLoadError("the text holds characters YAML does not allow.", location=name) from None
            text = _CONTROL_RE.sub("", text)
            controls_removed = True
            warnings.append(f"removed {count} control character(s) that YAML does not allow")
            continue
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "invalid YAML"
            if mark is not None and "escape" in problem and marker is None:
                repaired, marker = _mark_invalid_escapes(text)
                if repaired != text:
                    text, first_bad_line = repaired, mark.line + 1
                    continue
            where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark is not None else name
            raise SpecLoadError(f"invalid YAML: {problem}.", location=where) from None
        except yaml.YAMLError as exc:
            raise SpecLoadError(f"invalid YAML: {exc}.", location=name) from None
        except RecursionError:
            raise SpecLoadError("the YAML is nested too deeply to load.", location=name) from None
        break
    if marker is not None and first_bad_line:
        repaired_count = _restore_escapes(data, marker)
        warnings.append(f"line {first_bad_line}: {repaired_count} invalid backslash escape(s) in double-quoted "
                        "strings kept as literal backslashes")
    if aliased:
        _check_expansion(data, name)
    return Parsed(data, "yaml", warnings, duplicates, nodes)


# Characters YAML could make a node from: every node but the root follows one of them (a
# block entry `- `, a key's `:`, a flow `[`, `{` or `,`, a complex key's `?`). So
# 1 + 2 x their count bounds the node count from above, found by C-speed counts (Stripe's
# 4 MB: 174k nodes, bound 238k).
_NODE_CHARS = (":", ",", "-", "[", "{", "?")


def _node_budget(text: str, name: str, budget: int) -> int:
    """The nodes this YAML text may hold (charged to the spec's budget), or SpecLoadError.

    Only a text whose bound is over the budget is counted exactly, from libyaml's events,
    stopping just past the budget: libyaml's composer keeps ~300 bytes per node, so the node
    tree of a hostile file is refused before it is built.
    """
    bound = 1 + 2 * sum(text.count(ch) for ch in _NODE_CHARS)
    if bound <= budget:
        return bound
    counted = 0
    try:
        for event in yaml.parse(text, Loader=_YamlBase):
            if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
                counted += 1
                if counted > budget:
                    raise SpecLoadError(
                        f"the YAML holds more than {budget:,} nodes, over what toolcheck loads for one spec; refused.",
                        location=name, hint="Raise it with TOOLCHECK_MAX_SPEC_NODES if the spec is genuine.",
                    )
    except yaml.YAMLError:
        pass  # the parse below reports it, having built no more nodes than counted here
    return counted


_ESCAPE_PAIR = re.compile(r"\\(.)", re.S)


def _mark_invalid_escapes(text: str) -> tuple[str, str]:
    """Rewrite every invalid ``\\x`` pair as ``\\uMMMM`` + x, M a private-use character
    absent from the text, in one pass.

    In a double-quoted scalar the pair was the error and now decodes to M; anywhere else
    (plain, single-quoted and block scalars, comments) the backslash was literal and now reads
    ``\\uMMMM``: both are turned back into a backslash afterwards (:func:`_restore_escapes`),
    so nothing but the repaired escapes changes. One parse for all escapes, where a re-parse
    per escape was quadratic (issue 12).
    """
    lowered = text.lower()
    for code in range(0xE000, 0xF900):
        marker = chr(code)
        if marker not in text and f"\\u{code:04x}" not in lowered and f"\\u0000{code:04x}" not in lowered:
            break
    else:
        return text, ""
    escaped = f"\\u{code:04x}"

    def repair(match: re.Match[str]) -> str:
        ch = match.group(1)
        return match.group(0) if ch in _VALID_ESCAPES else escaped + ch

    return _ESCAPE_PAIR.sub(repair, text), marker


def _restore_escapes(data: Any, marker: str) -> int:
    """Turn the markers of :func:`_mark_invalid_escapes` back into backslashes, in place;
    how many were in double-quoted strings (decoded to the marker character)."""
    escaped = f"\\u{ord(marker):04x}"
    repaired = 0

    def fix(value: str) -> str:
        nonlocal repaired
        if marker in value:
            repaired += value.count(marker)
            value = value.replace(marker, "\\")
        return value.replace(escaped, "\\") if escaped in value else value

    stack: list[Any] = [data]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for key in list(node):
                value = node[key]
                if isinstance(value, str):
                    value = fix(value)
                elif isinstance(value, (dict, list)):
                    stack.append(value)
                if isinstance(key, str) and (marker in key or escaped in key):
                    del node[key]
                    key = fix(key)
                node[key] = value
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, str):
                    node[i] = fix(value)
                elif isinstance(value, (dict, list)):
                    stack.append(value)
    return repaired


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


def json_duplicates(raw: bytes, data: Any) -> list[Duplicate]:
    """Duplicate keys of a JSON document: an exact, C-speed test first, the tokenizer if it fails.

    orjson keeps the last of duplicate keys silently. Every key is followed by one ``:``, and
    colons inside strings are the same in the source and in orjson's rendering of what it
    parsed (JSON never escapes them, unless a source spells one ``\\u003a``). So the source
    holds as many colons as that rendering exactly when no key was dropped: a dropped key takes
    its colon (and its value's) with it, and only a ``\\u003a`` could hide that, so one sends
    the text to the tokenizer too. Costs one re-serialisation (a few ms on GitHub's 3.7 MB).
    """
    try:
        same = orjson.dumps(data).count(b":") == raw.count(b":")
    except orjson.JSONEncodeError:
        same = False  # nested deeper than orjson writes: look the slow way
    if same and b"\\u003a" not in raw and b"\\u003A" not in raw:
        return []
    found: list[Duplicate] = []
    json_line_index(raw.decode("utf-8", "replace"), duplicates=found)
    return found


def json_line_index(text: str, duplicates: list[Duplicate] | None = None) -> dict[str, int]:
    """Map JSON pointers of every key and array item to 1-based lines, with one regex scan.

    YAML's composer rejects some valid JSON (tabs, ``\\/`` escapes) and is slower; this
    tokenizer only tracks strings, brackets, colons, commas and newlines. ``duplicates``, if
    given, receives every key written twice in one object.
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
                if duplicates is not None:
                    if key in frame[4]:
                        duplicates.append(Duplicate(frame[0], str(key), frame[4][key], line))
                    else:
                        frame[4][key] = line
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
            stack.append([pointer, tok == "{", "" if tok == "{" else 0, True, {}])
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
