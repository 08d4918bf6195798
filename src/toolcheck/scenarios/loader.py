"""Read scenario files: discover, parse safely, validate against the shipped JSON Schema, build.

``*.toolcheck.yaml`` files are validated against ``scenario.schema.json`` (shipped in this
package, Draft 2020-12) and every error is reported as ``file:line: message`` (exit 2). Files
with a top-level ``arazzo`` key go to :mod:`toolcheck.scenarios.arazzo`. Parsing goes through
the spec loader's safe parser (size limit, no Python tags, alias-bomb guard).
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.errors import ScenarioError
from toolcheck.scenarios._locator import Locator
from toolcheck.scenarios.expressions import ExpressionError, is_expression, parse_condition
from toolcheck.scenarios.model import (
    MAX_DATA_ROWS,
    MAX_POLL_TIME,
    Input,
    Output,
    Param,
    Poll,
    Retry,
    Scenario,
    Step,
    parse_duration,
)

_EMPTY: Any = None  # set below: a Context with nothing in it, for syntax checks

SCENARIO_SUFFIXES = (".toolcheck.yaml", ".toolcheck.yml", ".toolcheck.json")
ARAZZO_SUFFIXES = (".arazzo.yaml", ".arazzo.yml", ".arazzo.json", "-arazzo.yaml", "-arazzo.yml", "-arazzo.json")
MAX_BYTES = 8 * 1024 * 1024


def discover(paths: Iterable[str]) -> list[Path]:
    """Expand files and directories into scenario files, sorted, each once.

    Directories are searched recursively for ``*.toolcheck.yaml`` and ``*.arazzo.yaml``;
    a file named explicitly is taken whatever its name.

    Raises:
        ScenarioError: a path does not exist, or a directory holds no scenario.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            hits = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.name.endswith(SCENARIO_SUFFIXES + ARAZZO_SUFFIXES)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not hits:
                raise ScenarioError("no *.toolcheck.yaml or *.arazzo.yaml files in this directory.", location=str(path))
            found.extend(hits)
        elif path.is_file():
            found.append(path)
        else:
            raise ScenarioError("no such file or directory.", location=str(path))
    seen: set[Path] = set()
    out: list[Path] = []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ScenarioError(f"the file is {size // 1024} KiB; scenario files are limited to {MAX_BYTES // 1024} KiB.",
                                location=str(path))
        return path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror}.", location=str(path)) from None


def _parse(raw: bytes, path: Path) -> tuple[Any, str]:
    from toolcheck.errors import SpecLoadError
    from toolcheck.spec._parse import decode, parse_text

    try:
        text = decode(raw, str(path))
        return parse_text(text, str(path)).data, text
    except SpecLoadError as exc:
        raise ScenarioError(exc.message, location=exc.location, hint=exc.hint) from None


def read_document(path: Path) -> tuple[Any, str]:
    """Parse a YAML/JSON file safely; returns the data and the text (for line numbers)."""
    return _parse(_read_bytes(path), path)


def load_file(path: Path) -> list[Scenario]:
    """Load one file into runnable scenarios (one per toolcheck file, one per Arazzo workflow).

    An unchanged file that validated before comes from the scenario cache (no parse, no schema
    validation, no line indexing); see :mod:`toolcheck.scenarios._cache`.
    """
    from toolcheck.scenarios import _cache

    raw = _read_bytes(path)
    use_cache = _cache.enabled(raw)
    hit = _cache.get(raw) if use_cache else None
    if hit is not None:
        data, locator = hit["data"], Locator(path, "", index=hit["index"])
    else:
        data, text = _parse(raw, path)
        locator = Locator(path, text)
    if isinstance(data, dict) and "arazzo" in data:
        from toolcheck.scenarios.arazzo import load_arazzo

        scenarios = load_arazzo(data, locator.text, path, locator=locator)
    else:
        scenarios = [load_scenario(data, locator.text, path, locator=locator, validated=hit is not None)]
    if use_cache and hit is None:
        _cache.put(raw, data, locator.index())
    declared, refs = env_declarations(data, locator)
    # Located only when there is something to locate: a line index costs a pass over the text.
    env_at = (locator.at("/env" if not (isinstance(data, dict) and "arazzo" in data) else "/x-toolcheck-env")
              if declared else "")
    for scenario in scenarios:
        scenario.env, scenario.env_refs, scenario.env_at = declared, refs, env_at
    return scenarios


_ENV_REF = re.compile(r"\$env\.([A-Za-z0-9_.\-]+)")
_PROSE_KEYS = frozenset({"description", "summary", "title"})


def env_declarations(data: Any, locator: Locator) -> tuple[tuple[str, ...], dict[str, str]]:
    """The environment variables a scenario document declares, and every ``$env.NAME`` it uses.

    Declared: a toolcheck file's top-level ``env:`` list and its inputs' ``env:`` names; an
    Arazzo document's ``x-toolcheck-env`` list. Used: each ``$env.NAME`` in any string outside
    prose (descriptions), with the ``file:line`` of its first use.
    """
    declared: list[str] = []
    if isinstance(data, dict):
        listed = data.get("env") if "arazzo" not in data else data.get("x-toolcheck-env")
        if listed is not None and not (isinstance(listed, list) and all(isinstance(n, str) for n in listed)):
            raise ScenarioError("`env` lists the names of the environment variables this file reads.",
                                location=locator.at("/env" if "arazzo" not in data else "/x-toolcheck-env"))
        declared += listed or []
        for raw in (data.get("inputs") or {}).values() if isinstance(data.get("inputs"), dict) else ():
            if isinstance(raw, dict) and isinstance(raw.get("env"), str):
                declared.append(raw["env"])
    refs: dict[str, str] = {}
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, pointer = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, f"{pointer}/{k}") for k, v in value.items() if str(k) not in _PROSE_KEYS)
        elif isinstance(value, list):
            stack.extend((v, f"{pointer}/{i}") for i, v in enumerate(value))
        elif isinstance(value, str) and "$env." in value:
            for name in _ENV_REF.findall(value):
                refs.setdefault(name, pointer)
    located = {name: locator.at(pointer) for name, pointer in sorted(refs.items())}
    return tuple(dict.fromkeys(declared)), located


@functools.lru_cache(maxsize=1)
def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of the toolcheck scenario format (shipped with the package)."""
    schema: dict[str, Any] = json.loads((Path(__file__).parent / "scenario.schema.json").read_text("utf-8"))
    return schema


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(scenario_schema())


class _SchemaDocument:
    """The scenario schema as the compiled check's "spec": its ``#/$defs/...`` refs resolve here."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise KeyError(ref)  # the check is then not compiled: jsonschema decides
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node


@functools.lru_cache(maxsize=1)
def _fast_validator() -> Any:
    """The compiled yes/no check of the scenario schema (None: not compilable, jsonschema
    decides; see toolcheck.checks._fastcheck), with the document its refs resolve in."""
    from toolcheck.checks._fastcheck import fast_check

    schema = scenario_schema()
    document = _SchemaDocument(schema)
    root = {k: v for k, v in schema.items() if k not in ("$id", "$schema")}
    return document, fast_check(document, root)  # type: ignore[arg-type]


def _conforms(data: Any) -> bool:
    """Does ``data`` pass the schema by the compiled check? (False: ask jsonschema.)"""
    _document, check = _fast_validator()
    try:
        return check is not None and bool(check(data))
    except RecursionError:
        return False


def validate(data: Any, locator: Locator) -> None:
    """Validate against the schema; raise one ScenarioError listing every error with its line.

    A valid file is confirmed by the compiled check alone: jsonschema (~30 ms to import) is
    only loaded to explain what is wrong with an invalid one."""
    from toolcheck.spec._pointer import escape

    if _conforms(data):
        return
    errors = sorted(_validator().iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if not errors:
        return
    lines: list[str] = []
    seen: set[str] = set()
    for error in errors:
        best = _best_error(error)
        pointer = "".join("/" + escape(str(p)) for p in best.absolute_path)
        where = "/".join(str(p) for p in best.absolute_path) or "(top level)"
        message = best.message if len(best.message) < 200 else best.message[:197] + "..."
        if best.validator == "additionalProperties" and isinstance(best.instance, dict):
            allowed = sorted((best.schema.get("properties") or {}).keys())
            extra = [k for k in best.instance if k not in allowed and not str(k).startswith("x-")]
            hints = [f"{m[0]!r} for {k!r}" for k in extra for m in [difflib.get_close_matches(str(k), allowed, n=1)] if m]
            message = f"unknown key(s) {', '.join(map(repr, extra))}" + (f" (did you mean {', '.join(hints)}?)" if hints
                                                                        else f"; allowed: {', '.join(allowed)}")
            if extra:
                pointer += "/" + escape(str(extra[0]))
        entry = f"{locator.at(pointer)}: {where}: {message}"
        if entry not in seen:
            seen.add(entry)
            lines.append(entry)
    first = lines[0]
    more = "" if len(lines) == 1 else " Also: " + "; ".join(lines[1:6]) + ("; ..." if len(lines) > 6 else "")
    raise ScenarioError(f"invalid scenario: {first.split(': ', 1)[1]}.{more}", location=first.split(": ", 1)[0])


def _best_error(error: Any) -> Any:
    # oneOf/anyOf failures: report the deepest sub-error, it names the real problem.
    if error.context:
        deepest = max(error.context, key=lambda e: (len(e.absolute_path), -len(e.message)))
        if len(deepest.absolute_path) > len(error.absolute_path):
            return _best_error(deepest)
        # `retry: 1000` fails "not an object" and "over the maximum": the branch of the right
        # type says what is wrong.
        typed = [e for e in error.context if e.validator != "type" and len(e.absolute_path) == len(error.absolute_path)]
        if len(typed) == 1:
            return typed[0]
    return error


def load_scenario(data: Any, text: str, path: Path, *, locator: Locator | None = None,
                  validated: bool = False) -> Scenario:
    """Build a toolcheck scenario from parsed data (validated first unless ``validated``)."""
    locator = locator or Locator(path, text)
    if not isinstance(data, dict):
        raise ScenarioError("a scenario is a mapping with `name` and `steps`.", location=f"{path}:1")
    if "openapi" in data or "swagger" in data:
        raise ScenarioError("this is an OpenAPI description, not a scenario: name it in a scenario's `spec:` "
                            "(or --spec) and run *.toolcheck.yaml or Arazzo files.", location=f"{path}:1")
    if not validated:
        validate(data, locator)
    base = path.parent
    spec = data.get("spec")
    sources = {"": str((base / spec).resolve()) if spec and "://" not in spec else spec} if spec else {}
    inputs: dict[str, Input] = {}
    for name, raw in (data.get("inputs") or {}).items():
        if isinstance(raw, dict):
            inputs[name] = Input(
                name=name, default=raw.get("default", ABSENT), env=raw.get("env"),
                secret=raw.get("format") == "password" or bool(raw.get("secret")),
                required=bool(raw.get("required")),
            )
        else:
            inputs[name] = Input(name=name, default=raw)
    ids: dict[str, int] = {}
    steps = [_step(s, f"/steps/{i}", locator, ids) for i, s in enumerate(data["steps"])]
    finally_steps = [_step(s, f"/finally/{i}", locator, ids) for i, s in enumerate(data.get("finally") or [])]
    rows = _data_rows(data.get("data"), base, locator)
    known = set(ids)
    if not validated:
        for i, raw in enumerate(data["steps"]):
            _lint(raw, f"/steps/{i}", locator, known)
        for i, raw in enumerate(data.get("finally") or []):
            _lint(raw, f"/finally/{i}", locator, known)
    return Scenario(
        name=str(data["name"]), file=str(path), kind="toolcheck", line=1, sources=sources,
        server=data.get("server"), inputs=inputs, auth=dict(data.get("auth") or {}), steps=steps,
        finally_steps=finally_steps, data=rows, timeout=parse_duration(data.get("timeout")),
        contract=data.get("contract"), outputs=dict(data.get("outputs") or {}),
        tags=tuple(data.get("tags") or ()),
    )


def _conditions(value: Any, where: str, locator: Locator) -> tuple[str, ...]:
    items = tuple(value) if isinstance(value, list) else ((value,) if value else ())
    for item in items:
        try:
            parse_condition(item)
        except ExpressionError as exc:
            raise ScenarioError(exc.message, location=locator.at(where)) from None
    return items


def _step(raw: dict[str, Any], pointer: str, locator: Locator, ids: dict[str, int]) -> Step:
    step_id = raw["id"]
    line = locator.line(pointer)
    if step_id in ids:
        raise ScenarioError(f"step id {step_id!r} is already used at line {ids[step_id]}; ids must be unique.",
                            location=locator.at(pointer + "/id"))
    ids[step_id] = line
    params = [Param(str(k), v) for k, v in (raw.get("params") or {}).items()]
    params += [Param(str(k), v, "header") for k, v in (raw.get("headers") or {}).items()]
    outputs: dict[str, Output] = {}
    for name, out in (raw.get("outputs") or {}).items():
        expr, secret = (out["value"], bool(out.get("secret"))) if isinstance(out, dict) else (out, False)
        if not is_expression(expr) and "{$" not in expr:
            raise ScenarioError(f"output {name!r}: {expr!r} is not a runtime expression (e.g. $response.body#/id).",
                                location=locator.at(f"{pointer}/outputs/{name}"))
        outputs[name] = Output(expr, secret)
    poll = None
    if raw.get("poll"):
        p = raw["poll"]
        poll = Poll(
            until=_conditions(p["until"], pointer + "/poll/until", locator),
            fail_if=_conditions(p.get("fail_if"), pointer + "/poll/fail_if", locator),
            interval=parse_duration(p.get("interval"), 1.0) or 0.0,
            backoff=float(p.get("backoff", 1.0)),
            max_interval=parse_duration(p.get("max_interval"), 30.0) or 30.0,
            max_attempts=int(p.get("max_attempts", 30)),
            max_time=_capped(parse_duration(p.get("max_time"), 60.0) or 60.0, MAX_POLL_TIME,
                             "poll max_time", locator.at(pointer + "/poll/max_time")),
            retry_after=bool(p.get("retry_after", True)),
            state=p.get("state", "$response.body#/status"),
            transitions=p.get("transitions"),
        )
    retry = None
    if "retry" in raw:
        r = raw["retry"]
        retry = Retry(max_attempts=r + 1, interval=0.5) if isinstance(r, int) else Retry(
            max_attempts=int(r.get("max_attempts", 3)), interval=parse_duration(r.get("interval"), 0.5) or 0.0)
    return Step(
        id=step_id, line=line, description=raw.get("description", ""), operation=raw["operation"],
        params=tuple(params), body=raw.get("body", ABSENT), content_type=raw.get("content_type"),
        auth=raw.get("auth", "default"), expect=dict(raw.get("expect") or {}), outputs=outputs, poll=poll,
        timeout=parse_duration(raw.get("timeout")), condition=_conditions(raw.get("if"), pointer + "/if", locator),
        retry=retry, contract=raw.get("contract"),
    )


def _capped(value: float, limit: float, what: str, where: str) -> float:
    if value > limit:
        raise ScenarioError(f"{what} is {value:g} s; the limit is {limit:g} s (see docs/security.md).", location=where)
    return value


_STEP_REF = re.compile(r"\$steps\.([A-Za-z0-9_.\-]+?)\.(?:outputs)\b")
_FRAGMENT = re.compile(r"\{(\$[^{}]+)\}")


def _lint(raw: dict[str, Any], pointer: str, locator: Locator, known: set[str]) -> None:
    """Catch at load time what would otherwise fail mid-run: bad JSONPath, bad regexes, bad
    schemas in ``schema:``, malformed expressions and references to steps that do not exist."""
    from toolcheck.scenarios._jsonpath import compiled_path
    from toolcheck.scenarios.expressions import evaluate

    def fail(message: str, where: str) -> None:
        raise ScenarioError(message, location=locator.at(where))

    def expressions(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                expressions(v, f"{where}/{k}")
        elif isinstance(value, list):
            for k, v in enumerate(value):
                expressions(v, f"{where}/{k}")
        elif isinstance(value, str):
            candidates = [value] if value.startswith("$") and not value.startswith("$.") and " " not in value else []
            candidates += _FRAGMENT.findall(value)
            for expr in candidates:
                if expr.startswith("$") and not expr.startswith(("$.", "$[")) and expr != "$":
                    try:
                        evaluate(expr, _EMPTY)
                    except ExpressionError as exc:
                        fail(exc.message, where)
            for step_id in _STEP_REF.findall(value):
                if step_id not in known:
                    close = difflib.get_close_matches(step_id, sorted(known), n=1)
                    fail(f"{value!r} refers to step {step_id!r}, which this scenario does not have"
                         + (f" (did you mean {close[0]!r}?)" if close else "") + ".", where)

    for key in ("params", "headers", "body", "auth", "outputs", "expect"):
        if key in raw:
            expressions(raw[key], f"{pointer}/{key}")
    expect = raw.get("expect") or {}
    for k, item in enumerate(expect.get("body") or []):
        where = f"{pointer}/expect/body/{k}"
        try:
            compiled_path(item["path"])
        except ValueError as exc:
            fail(str(exc), where + "/path")
        _lint_operators(item, where, fail)
    for name, spec in (expect.get("headers") or {}).items():
        if isinstance(spec, dict):
            _lint_operators(spec, f"{pointer}/expect/headers/{name}", fail)


def _lint_operators(ops: dict[str, Any], where: str, fail: Any) -> None:
    from toolcheck.saferegex import RegexError, compile_safe

    pattern = ops.get("matches")
    if isinstance(pattern, str) and not pattern.startswith("$"):
        try:
            compile_safe(pattern)
        except RegexError as exc:
            fail(f"`matches`: {exc}.", where + "/matches")
    for nested in ("each", "any", "length"):
        if isinstance(ops.get(nested), dict):
            _lint_operators(ops[nested], f"{where}/{nested}", fail)
    schema = ops.get("schema")
    if isinstance(schema, dict) and "$ref" not in schema:
        import jsonschema

        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            fail(f"`schema` is not a valid JSON Schema: {exc.message}.", where + "/schema")


def _data_rows(value: Any, base: Path, locator: Locator) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, list):
        return [dict(row) for row in value]
    target = base / str(value)
    where = locator.at("/data")
    if not target.is_file():
        raise ScenarioError(f"data file {value!r} does not exist (paths are relative to the scenario).", location=where)
    if target.suffix.lower() == ".csv":
        import csv

        with target.open(newline="", encoding="utf-8") as fh:
            rows = [dict(r) for r in csv.DictReader(fh)]
    else:
        rows, _ = read_document(target)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows) or not rows:
        raise ScenarioError(f"data file {value!r} must hold a non-empty list of rows (mappings).", location=where)
    if len(rows) > MAX_DATA_ROWS:
        raise ScenarioError(f"data file {value!r} holds {len(rows)} rows; the limit is {MAX_DATA_ROWS} "
                            "(see docs/security.md).", location=where)
    return rows


def _empty_context() -> Any:
    from toolcheck.scenarios.expressions import Context

    return Context()


_EMPTY = _empty_context()


def environment() -> dict[str, str]:
    """A snapshot of the environment (taken once per run); scenarios see only what
    :func:`toolcheck.scenarios.runner.bind_env` lets through."""
    return dict(os.environ)
