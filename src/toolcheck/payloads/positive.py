"""Positive cases: requests that satisfy every documented constraint of an operation.

Hand-written on top of :mod:`values`: spec examples first (phase ``examples``), then the
boundary pair (only what is required at the low bounds, everything at the high bounds), then
random draws. Parameters the spec may not control (``Accept``, ``Content-Type``,
``Authorization`` headers, per OpenAPI 3.1 §4.8.12.1) and credentials are left to the sender.
"""

from __future__ import annotations

import random
from typing import Any

from toolcheck._absent import ABSENT
from toolcheck.checks.conformance import is_json
from toolcheck.payloads.case import POSITIVE, Case
from toolcheck.payloads.values import MAXIMAL, MINIMAL, RANDOM, Unsatisfiable, ValueGenerator
from toolcheck.spec import Operation, Parameter, Spec
from toolcheck.wire.bodies import unexpressible
from toolcheck.wire.params import simple
from toolcheck.wire.read import parameter_accepts

_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


def body_media_type(op: Operation) -> str | None:
    """The request media type toolcheck sends: JSON first, then form, then the first listed."""
    if op.request_body is None or not op.request_body.content:
        return None
    types = list(op.request_body.content)
    for media in types:
        if is_json(media.split(";", 1)[0].strip().lower()):
            return media
    for media in types:
        if media.startswith("application/x-www-form-urlencoded"):
            return media
    return types[0]


def _nested(value: Any) -> bool:
    items = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else []
    return any(isinstance(v, (dict, list)) for v in items)


def _printable(value: Any) -> bool:
    text = value if isinstance(value, str) else str(value)
    return all(32 <= ord(ch) < 127 for ch in text)


class CaseFactory:
    """Builds positive cases for one operation from one seeded random source."""

    def __init__(self, spec: Spec, op: Operation, rng: random.Random, *, secured_names: frozenset[str] = frozenset()) -> None:
        self.spec = spec
        self.op = op
        self.rng = rng
        self.gen = ValueGenerator(spec, rng)
        self.media_type = body_media_type(op)
        self.body_schema = (op.request_body.content[self.media_type].schema
                            if op.request_body is not None and self.media_type else None)
        self.params = [p for p in op.parameters if self._sendable(p, secured_names)]

    def _sendable(self, param: Parameter, secured: frozenset[str]) -> bool:
        if param.location == "header" and param.name.lower() in _IGNORED_HEADERS:
            return False
        return param.name.lower() not in secured

    # --- values -------------------------------------------------------------------------
    def param_value(self, param: Parameter, mode: str) -> Any:
        schema = param.schema if param.schema is not None else {"type": "string"}
        needs_text = param.location in ("header", "cookie")
        self.gen.spicy = not needs_text
        try:
            for attempt in range(8):
                value = self.gen.valid_value(schema, mode if attempt == 0 else RANDOM)
                if param.location == "path" and simple(value).strip(".") == "":
                    continue  # an empty (or dot) segment routes to another path
                if param.location == "query" and not param.allow_empty_value and simple(value) == "":
                    continue  # allowEmptyValue defaults to false (OpenAPI 3.0 §4.7.12.2)
                if needs_text and _nested(value):
                    continue  # a list of objects has no header/cookie serialisation (OpenAPI style: simple)
                if not parameter_accepts(self.spec, param, value):
                    continue  # read back from the wire it is another value (Discord: a null item of a query array is "")
                if not needs_text or _printable(value):
                    return value
            raise Unsatisfiable(f"no value for {param.location} parameter {param.name} survives the wire")
        finally:
            self.gen.spicy = True

    def body_value(self, mode: str) -> Any:
        if self.body_schema is None:
            return {} if self.media_type and is_json(self.media_type) else "toolcheck"
        value = self.gen.valid_value(self.body_schema, mode)
        return self._expressible(value, mode)

    def _expressible(self, value: Any, mode: str) -> Any:
        """A body whose every field survives the wire format (an empty array in a urlencoded
        form is no pair at all): such optional fields are dropped (the same bytes), required
        ones redrawn; never a positive case the server cannot read as it was meant.

        Raises:
            Unsatisfiable: a required field stays inexpressible.
        """
        media = self.op.request_body.content.get(self.media_type or "") if self.op.request_body else None
        encoding = media.encoding if media is not None else None
        validator = self.spec.validator(self.body_schema)
        for attempt in range(8):
            bad = unexpressible(value, self.media_type, encoding)
            if not bad:
                return value
            trimmed = {k: v for k, v in value.items() if k not in bad}
            try:
                if validator.is_valid(trimmed):
                    return trimmed
            except Exception:  # an unevaluable schema: fall through to a new draw
                pass
            value = self.gen.valid_value(self.body_schema, RANDOM if attempt or mode != MAXIMAL else mode)
        raise Unsatisfiable("the form cannot carry an empty required array or object")

    # --- cases --------------------------------------------------------------------------
    def positive(self, mode: str = RANDOM, *, phase: str = "fuzz", label: str = "") -> Case:
        """One positive case.

        Raises:
            Unsatisfiable: a required value cannot be generated.
        """
        values: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}, "cookie": {}}
        for param in self.params:
            include = param.required or param.location == "path" or mode == MAXIMAL or (
                mode == RANDOM and self.rng.random() < 0.5)
            if not include:
                continue
            try:
                values[param.location][param.name] = self.param_value(param, mode)
            except Unsatisfiable:
                if param.required or param.location == "path":
                    raise
        body: Any = ABSENT
        if self.media_type is not None:
            required = self.op.request_body.required if self.op.request_body else False
            if required or mode != RANDOM or self.rng.random() < 0.9:
                body = self.body_value(mode)
        return Case(
            operation_id=self.op.operation_id, method=self.op.method, path=self.op.path,
            path_params=values["path"], query=values["query"], headers=values["header"], cookies=values["cookie"],
            body=body, media_type=self.media_type if body is not ABSENT else None,
            kind=POSITIVE, phase=phase, label=label or f"{mode} valid request",
        )

    def examples(self) -> list[Case]:
        """Cases built from the spec's request body and parameter examples (valid ones only)."""
        out: list[Case] = []
        bodies: list[tuple[str, Any]] = []
        if self.op.request_body is not None and self.media_type:
            media = self.op.request_body.content[self.media_type]
            for name, example in media.examples.items():
                bodies.append((str(name), example))
        param_examples: dict[str, Any] = {}
        for param in self.params:
            candidates = []
            if param.example is not None:
                candidates.append(param.example)
            candidates.extend(v for v in param.examples.values() if v is not None)
            resolved = self.spec.deref(param.schema) if param.schema is not None else None
            if isinstance(resolved, dict) and isinstance(resolved.get("examples"), list):
                candidates.extend(resolved["examples"][:1])
            for candidate in candidates:
                if isinstance(candidate, dict) and "value" in candidate and len(candidate) <= 3:
                    candidate = candidate["value"]
                try:
                    ok = param.schema is None or self.spec.validator(param.schema).is_valid(candidate)
                except Exception:
                    ok = False
                if ok:
                    param_examples[param.name] = candidate
                    break
        if not bodies and not param_examples:
            return out
        try:
            base = self.positive(MINIMAL, phase="examples")
        except Unsatisfiable:
            return out
        updates: dict[str, dict[str, Any]] = {"path": dict(base.path_params), "query": dict(base.query),
                                               "header": dict(base.headers), "cookie": dict(base.cookies)}
        for param in self.params:
            if param.name in param_examples:
                updates[param.location][param.name] = param_examples[param.name]
        base = base.with_(path_params=updates["path"], query=updates["query"], headers=updates["header"],
                          cookies=updates["cookie"], label="spec example")
        validator = self.spec.validator(self.body_schema) if self.body_schema is not None else None
        for name, example in bodies:
            if isinstance(example, dict) and set(example) <= {"value", "summary", "description", "externalValue"} and "value" in example:
                example = example["value"]
            try:
                if validator is not None and not validator.is_valid(example):
                    continue
            except Exception:
                continue
            media_spec = self.op.request_body.content.get(self.media_type or "") if self.op.request_body else None
            if unexpressible(example, self.media_type, media_spec.encoding if media_spec is not None else None):
                continue  # the wire form cannot carry it as written (an empty array in a urlencoded form)
            out.append(base.with_(body=example, media_type=self.media_type, label=f"spec example {name!r}"))
        if not bodies:
            out.append(base)
        return out
