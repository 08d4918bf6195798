"""Every spec in ../shared/specs gives valid tools in every format, sampled tool calls built
from positive payloads map back to requests the mock accepts, and lint runs with located findings.

Bounded: schemas are meta-validated for a sample of tools per spec, and a sample of operations
(seeded, so a failure reproduces) goes through the mock.
"""

from __future__ import annotations

import csv
import json
import random
import time
from typing import Any

import httpx
import jsonschema
import pytest

from tests.conftest import NEEDS_SHARED, SPECS, shared_specs_available
from toolcheck._absent import ABSENT
from toolcheck.agent import NAME_PATTERN, arguments_for, build_tools, fill_strict_nulls, tool_call_to_request
from toolcheck.agent._rules import RULES
from toolcheck.agent.lint import lint
from toolcheck.agent.sarif import to_sarif
from toolcheck.agent.tools import Tool, tool_call_to_wire
from toolcheck.mock import GenerationError, Mock, MockRequest, generate_value
from toolcheck.spec import Spec, load_spec
from toolcheck.wire import apply_credentials

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not shared_specs_available(), reason=NEEDS_SHARED),
]

SCHEMA_SAMPLE = 12
SCHEMA_BUDGET_S = 1.5  # meta-validating huge unions is slow: stop sampling after this long
CALL_SAMPLE = 12
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _files() -> list[str]:
    if not shared_specs_available():
        return []
    with (SPECS / "MANIFEST.tsv").open() as fh:
        return [r["file"] for r in csv.DictReader(fh, delimiter="\t") if (SPECS / r["file"]).is_file()]


FILES = _files()


def positive_arguments(spec: Spec, tool: Tool, rng: random.Random) -> dict[str, Any] | None:
    """Arguments for ``tool`` from generated positive values (None: none can be generated or encoded)."""
    op = tool.operation
    try:
        values = {(p.location, p.name): generate_value(spec, p.schema, rng=rng, name=p.name, direction="request")
                  for p in op.parameters if (p.required or p.location == "path") and p.schema is not None}
        body: object = ABSENT
        if op.request_body is not None and tool.media_type is not None:
            media = op.request_body.content[tool.media_type]
            if media.schema is not None:
                body = generate_value(spec, media.schema, rng=rng, direction="request")
    except GenerationError:
        return None  # an unsatisfiable schema is the spec's problem, reported elsewhere
    if tool.media_type in FORMS and isinstance(body, dict) and any(v == [] or v is None for v in body.values()):
        return None  # an empty array or a null has no form encoding (it is sent as nothing)
    return arguments_for(tool, values, body)


@pytest.mark.parametrize("name", FILES)
def test_tools_are_valid_and_calls_reach_the_mock(name: str) -> None:
    spec = load_spec(str(SPECS / name))
    rng = random.Random(name)
    plain = build_tools(spec)
    strict = build_tools(spec, strict=True)
    for fmt in ("openai", "anthropic", "mcp"):
        rendered = [t.render(fmt) for t in plain]
        names = [r["function"]["name"] if fmt == "openai" else r["name"] for r in rendered]
        assert all(NAME_PATTERN.match(n) for n in names), names
        assert len(set(names)) == len(names)
        json.dumps(rendered)
    sample = rng.sample(range(len(plain)), min(SCHEMA_SAMPLE, len(plain)))
    deadline = time.monotonic() + SCHEMA_BUDGET_S
    for n, i in enumerate(sample):
        if n >= 3 and time.monotonic() > deadline:
            break
        for tool in (plain[i], strict[i]):
            jsonschema.Draft202012Validator.check_schema(tool.input_schema)
            assert tool.input_schema["type"] == "object" and "$ref" not in json.dumps(tool.input_schema)

    strict_by_name = {t.name: t for t in strict}
    mock = Mock(spec, seed=7)
    client = httpx.Client(base_url="http://mock")  # only builds requests; the mock answers in-process
    callable_tools = [t for t in plain if not t.operation.webhook]
    checked = 0
    for tool in rng.sample(callable_tools, min(CALL_SAMPLE * 3, len(callable_tools))):
        if checked >= CALL_SAMPLE:
            break
        op = tool.operation
        args = positive_arguments(spec, tool, rng)
        if args is None:
            continue
        errors = list(jsonschema.Draft202012Validator(tool.input_schema).iter_errors(args))
        assert not errors, f"{tool.name}: positive payload rejected by the tool schema: {errors[0].message}"
        req = tool_call_to_wire(tool, args)
        apply_credentials(spec, op, req, {}, placeholder=True)
        sent = client.build_request(req.method, req.url(str(client.base_url)), headers=req.all_headers(),
                                    content=req.content)
        raw_path, _, query = sent.url.raw_path.decode("ascii").partition("?")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in sent.headers.raw}
        answer = mock.handle(MockRequest(sent.method, raw_path, query, headers, sent.read()))
        assert not answer.issues, (f"{tool.name} ({op.key}): the mock rejected the request ({answer.status}): "
                                   + "; ".join(str(i) for i in answer.issues[:3]))
        checked += 1
        strict_tool = strict_by_name[tool.name]
        if strict_tool.strict and "null" not in json.dumps(args):  # strict calls cannot carry explicit nulls
            strict_args = fill_strict_nulls(strict_tool, args)
            errors = list(jsonschema.Draft202012Validator(strict_tool.input_schema).iter_errors(strict_args))
            assert not errors, f"{tool.name}: positive payload rejected by the strict schema: {errors[0].message}"
            # the same HTTP request as the plain tool's call, unless a filled null is a value the
            # spec gives meaning to (then it is sent: strict mode cannot say "absent" there)
            filled = {b.arg for b in strict_tool.bindings if b.nullable and b.arg not in args}
            if not filled:
                assert tool_call_to_request(strict_tool, strict_args) == tool_call_to_request(tool, args)
    assert checked or not callable_tools, "no sampled operation could be sent to the mock"

    result = lint(spec)
    display = spec.source
    for finding in rng.sample(list(result.findings), min(50, len(result.findings))):
        assert finding.rule in RULES and finding.severity in ("error", "warning", "info")
        assert finding.location.startswith(display), finding.location
    sarif = to_sarif(result)["runs"][0]
    assert len(sarif["results"]) == len(result.findings)
    json.dumps(sarif)
