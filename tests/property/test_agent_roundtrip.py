"""Property: any arguments valid for a tool's input schema become a request the mock accepts,
and parameter values survive serialisation (no value can change the route)."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE_SPEC
from toolcheck.agent import build_tools
from toolcheck.agent.tools import tool_call_to_wire
from toolcheck.mock import Mock, MockRequest
from toolcheck.payloads.strategies import strategy_for
from toolcheck.spec import Parameter, load_spec
from toolcheck.wire import apply_credentials
from toolcheck.wire.params import path_segment, query_pairs

SPEC = load_spec(str(EXAMPLE_SPEC))
TOOLS = build_tools(SPEC)
CLIENT = httpx.Client(base_url="http://mock")


def _param(style: str, explode: bool, location: str = "query") -> Parameter:
    return Parameter(name="p", location=location, required=True, schema={}, style=style, explode=explode)


@given(st.text(min_size=1))
def test_a_path_value_never_changes_the_route(value: str) -> None:
    encoded = path_segment(_param("simple", False, "path"), "p", value)
    assert not set(encoded) & set("/?#")
    assert unquote(encoded) == value and encoded not in (".", "..")


@given(st.lists(st.text(min_size=1), min_size=1, max_size=5))
def test_exploded_form_arrays_round_trip(values: list[str]) -> None:
    pairs = query_pairs(_param("form", True), "p", values)
    url = CLIENT.build_request("GET", "/x", params=[(k, v) for k, v in pairs]).url
    decoded = parse_qsl(url.query.decode(), keep_blank_values=True)
    assert [v for k, v in decoded if k == "p"] == values


@pytest.mark.parametrize("tool", TOOLS, ids=[t.name for t in TOOLS])
def test_schema_valid_arguments_reach_the_mock_without_violations(tool) -> None:  # type: ignore[no-untyped-def]
    mock = Mock(SPEC, seed=3, stateful=False)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(strategy_for(SPEC, tool.input_schema))
    def check(arguments: dict) -> None:  # type: ignore[type-arg]
        req = tool_call_to_wire(tool, arguments)
        apply_credentials(SPEC, tool.operation, req, {}, placeholder=True)
        sent = CLIENT.build_request(req.method, req.url("http://mock"), headers=req.all_headers(), content=req.content)
        raw_path, _, query = sent.url.raw_path.decode("ascii").partition("?")
        lower = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in sent.headers.raw}
        answer = mock.handle(MockRequest(sent.method, raw_path, query, lower, sent.read()))
        assert not answer.issues, f"{arguments!r} -> {answer.status}: {answer.issues[:3]}"

    check()
