"""Path and header values drawn from their patterns (issue 13, item 2)."""

from __future__ import annotations

import re

import httpx

from toolcheck.fuzz import Fuzzer, FuzzOptions
from toolcheck.payloads.case import Case
from toolcheck.payloads.edges import PATTERN_DRAWS, parameter_edges
from toolcheck.spec import load_spec_dict

VERSION = r"^\d+\.\d+$"
SLUG = "^[a-z]{2,}-[0-9]{1,6}$"


def _spec() -> dict[str, object]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/boards/{slug}": {"get": {
        "operationId": "board",
        "parameters": [
            {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "pattern": SLUG}},
            {"name": "X-Api-Version", "in": "header", "required": True, "schema": {"type": "string", "pattern": VERSION}},
            {"name": "X-Evil", "in": "header", "schema": {"type": "string", "pattern": "^(a+)+$", "maxLength": 40}}],
        "responses": {"200": {"description": "ok"}, "404": {"description": "none"}}}}}}


def test_patterned_path_and_header_values_are_several_and_all_match() -> None:
    spec = load_spec_dict(_spec())
    op = spec.operation("board")
    base = Case("board", "get", "/boards/{slug}", path_params={"slug": "ab-1"}, headers={"X-Api-Version": "0.0"})
    cases = list(parameter_edges(spec, list(op.parameters), base, seed=3))
    slugs = {c.path_params["slug"] for c in cases if c.pointer == "path/slug"}
    versions = {c.headers["X-Api-Version"] for c in cases if c.pointer == "header/X-Api-Version"}
    evil = {c.headers["X-Evil"] for c in cases if c.pointer == "header/X-Evil"}
    assert 2 <= len(slugs) <= PATTERN_DRAWS and "ab-1" not in slugs
    assert 2 <= len(versions) <= PATTERN_DRAWS and "0.0" not in versions
    assert all(re.search(SLUG, s) for s in slugs) and all(re.search(VERSION, v) for v in versions)
    # a pattern that backtracks exponentially in Python's re is drawn and checked in bounded time
    assert evil and all(re.fullmatch("a+", v) and len(v) <= 40 for v in evil)
    assert all(c.lenient and not c.negative for c in cases)
    # the same seed, the same values
    assert [c.to_dict() for c in parameter_edges(spec, list(op.parameters), base, seed=3)] == [c.to_dict() for c in cases]


def test_a_500_only_a_wider_pattern_value_triggers_is_found() -> None:
    spec = load_spec_dict(_spec())
    def handler(request: httpx.Request) -> httpx.Response:
        version = request.headers.get("x-api-version", "")
        # the server's parser breaks on a major of 2 to 4 digits: not the minimal base's "0.0", not
        # the maximal base's seven digits, only one of the further values drawn from the pattern
        if re.fullmatch(r"\d{2,4}\.\d+", version):
            return httpx.Response(500, text="ValueError: unsupported major")
        return httpx.Response(404)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://t")
    fuzzer = Fuzzer(spec, client, base_url="http://t", options=FuzzOptions(seed=1, phases=("examples", "boundary")))
    findings = fuzzer.run(list(spec.operations))
    [found] = [f for f in findings if f.case.get("pointer") == "header/X-Api-Version"]
    assert found.failure.check == "server_error" and found.case["kind"] == "positive"
    assert re.search(VERSION, found.case["headers"]["X-Api-Version"])
    # a 404 for a slug drawn from its pattern is no finding (that board need not exist)
    assert not [f for f in findings if f.failure.check == "status_documented"]
