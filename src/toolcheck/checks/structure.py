"""Structural checks `toolcheck check` adds on top of what loading found.

Kept out of loading because they cost time proportional to the spec (meta-schema validation
of every schema, every example validated), which `mock`/`run` do not need on every start.
"""

from __future__ import annotations

from typing import Any

import jsonschema

from toolcheck.findings import Severity
from toolcheck.spec import Problem, Spec
from toolcheck.spec._refs import EXTERNAL

_META = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)


def structure_problems(spec: Spec, *, schemas: bool = True) -> list[Problem]:
    problems: list[tuple[str, str, str, str]] = []
    known = set(spec.security_schemes)
    for op in spec.operations:
        for requirement in op.security:
            for name in requirement:
                if name not in known:
                    problems.append(("error", op.pointer + "/security",
                                     f"{op.key} requires security scheme {name!r}, which is not defined", "unknown-security-scheme"))
        for status, response in op.responses.items():
            for media in response.content.values():
                for name, example in media.examples.items():
                    _check_example(spec, media.schema, example,
                                   f"{op.pointer}/responses/{status}", f"example {name!r} of {op.key} {status}", problems)
        if op.request_body is not None:
            for media in op.request_body.content.values():
                for name, example in media.examples.items():
                    _check_example(spec, media.schema, example, f"{op.pointer}/requestBody",
                                   f"request example {name!r} of {op.key}", problems)
    if schemas:
        comps = spec.document.get("components") or {}
        for group in ("schemas", EXTERNAL):
            for name, schema in (comps.get(group) or {}).items():
                if not isinstance(schema, dict) or (group == EXTERNAL and not _looks_like_schema(schema)):
                    continue
                error = jsonschema.exceptions.best_match(_META.iter_errors(schema))
                if error is not None:
                    where = "/".join(str(p) for p in error.absolute_path)
                    problems.append(("warning", f"/components/{group}/{name}",
                                     f"schema {name!r} is not valid JSON Schema at {where or 'its root'}: {error.message[:200]}",
                                     "invalid-schema"))
    locate = spec.problems[0].line_locator if spec.problems else getattr(spec, "_locator", None)
    return [Problem(c, m, p, Severity(s), source=spec.source, locate=locate) for s, p, m, c in problems]


def _looks_like_schema(node: dict[str, Any]) -> bool:
    return not any(k in node for k in ("in", "content", "responses", "get", "post", "put", "delete", "patch"))


def _check_example(spec: Spec, schema: Any, example: Any, pointer: str, what: str, out: list[tuple[str, str, str, str]]) -> None:
    if schema is None:
        return
    from toolcheck.spec.jsonschema import schema_errors

    errors = schema_errors(spec, schema, example, limit=1)
    if errors:
        where, message = errors[0]
        out.append(("warning", pointer, f"{what} does not match its schema at {where or '/'}: {message}", "invalid-example"))


def strict_problems(spec: Spec, *, allow_network: bool = False, ref_roots: tuple[str, ...] = ()) -> list[Problem]:
    """Validate the *source* document with openapi-spec-validator (``check --strict``).

    The strict validator reads the document as written (before toolcheck's normalisation),
    so a real-world spec it rejects still loads; its findings become error problems.
    """
    from toolcheck.errors import UsageError

    try:
        from openapi_spec_validator.validation import (
            OpenAPIV2SpecValidator,
            OpenAPIV30SpecValidator,
            OpenAPIV31SpecValidator,
        )
    except ImportError:
        raise UsageError(
            "--strict needs openapi-spec-validator.", hint="Install it with: pip install openapi-spec-validator"
        ) from None
    from toolcheck.spec._confine import Reader
    from toolcheck.spec._parse import parse_bytes
    from toolcheck.spec._sources import locate

    location = locate(spec.files[0] if spec.files and not spec.source.startswith(("git:", "<")) else spec.source)
    reader = Reader(location, allow_network=allow_network, ref_roots=ref_roots)
    data = parse_bytes(reader.read_root(), location.display).data
    base = {"2.0": OpenAPIV2SpecValidator, "3.0": OpenAPIV30SpecValidator}.get(spec.dialect, OpenAPIV31SpecValidator)
    # The validator resolves external $refs itself: through the same confined reader as the
    # loader (issue 12), never through its own unrestricted file and URL handlers.
    handler = reader.uri_handler()
    validator_cls = type("ConfinedValidator", (base,), {
        "resolver_handlers": {"file": handler, "http": handler, "https": handler, "<all_urls>": handler},
    })
    base_uri = f"file://{location.ref}" if location.kind == "file" else ""
    out: list[Problem] = []
    locate_fn = spec.problems[0].line_locator if spec.problems else getattr(spec, "_locator", None)
    seen: set[tuple[str, str]] = set()
    try:
        for error in validator_cls(data, base_uri=base_uri).iter_errors():
            pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in getattr(error, "absolute_path", []))
            message = str(getattr(error, "message", error)).split("\n", 1)[0][:300]
            if (pointer, message) in seen:
                continue
            seen.add((pointer, message))
            out.append(Problem("strict-validation", f"strict: {message}", pointer, Severity.ERROR,
                               source=spec.source, locate=locate_fn))
            if len(out) >= 200:
                break
    except Exception as exc:  # noqa: BLE001 - the validator fails on a $ref it cannot resolve
        cause = _load_error_in(exc)
        why = str(cause) if cause is not None else f"{type(exc).__name__} (a $ref it cannot resolve?)"
        out.append(Problem("strict-validation", f"strict: the validator stopped: {why}", "", Severity.ERROR,
                           source=spec.source, locate=locate_fn))
    return out


def _load_error_in(exc: BaseException) -> BaseException | None:
    """The SpecLoadError (a refused or unreadable $ref) behind a validator's exception, if any."""
    from toolcheck.errors import SpecLoadError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, SpecLoadError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
