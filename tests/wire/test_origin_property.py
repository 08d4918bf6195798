"""Property: no path key and no parameter value can make a request leave the target (issue 11/12).

The URL builder keeps the base URL's scheme, host, port and path prefix, or refuses with
:class:`OriginError`; a path parameter value never changes the path's shape.
"""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolcheck.spec.model import Operation, Parameter
from toolcheck.wire import OriginError, build_request, join_url

BASES = ["http://127.0.0.1:8080", "http://127.0.0.1:8080/api", "https://h.test/v1/"]
HOSTILE = ["/", "//", "http://other:8082/x", "other:1/x", "2/x", "..", ".", "@evil", "?a=1", "#f", "%2e%2e",
           "\\", "%2F", ":", "{id}", "/{id}", "~", " ", "\r\n", "%", "[::1]"]

pieces = st.lists(st.sampled_from(HOSTILE) | st.text(max_size=4), max_size=6).map("".join)
values = st.sampled_from(["..", ".", "../../admin", "//evil.com", "http://evil.com/", "a/b", "?x", "#y", "%2e%2e"]) | st.text()


def _check(base: str, url: str) -> None:
    b, u = httpx.URL(base), httpx.URL(url)
    assert (u.scheme, u.host, u.port) == (b.scheme, b.host, b.port), url
    prefix = b.raw_path.rstrip(b"/")
    path = u.raw_path.split(b"?", 1)[0]
    assert path == prefix or path.startswith(prefix + b"/"), url


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.sampled_from(BASES), pieces, values)
def test_no_path_key_or_value_leaves_the_origin(base: str, key: str, value: str) -> None:
    param = Parameter(name="id", location="path", required=True, schema={"type": "string"}, style="simple", explode=False)
    op = Operation(operation_id="op", method="get", path=key, parameters=(param,) if "{id}" in key else ())
    try:
        request = build_request(None, op, path={"id": value} if "{id}" in key else {})
        url = request.url(base)
    except OriginError:
        return
    _check(base, url)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.sampled_from(BASES), values)
def test_a_value_is_one_path_segment(base: str, value: str) -> None:
    param = Parameter(name="id", location="path", required=True, schema={"type": "string"}, style="simple", explode=False)
    op = Operation(operation_id="op", method="delete", path="/orgs/acme/members/{id}", parameters=(param,))
    url = build_request(None, op, path={"id": value}).url(base)
    _check(base, url)
    path = httpx.URL(url).raw_path.split(b"?", 1)[0]
    prefix = httpx.URL(base).raw_path.rstrip(b"/")
    segments = path[len(prefix):].split(b"/")
    assert segments[:4] == [b"", b"orgs", b"acme", b"members"] and len(segments) == 5, url


def test_the_reported_attacks_are_refused() -> None:
    for key in ("http://other:8082/x", "2/x", "//other/x"):
        op = Operation(operation_id="op", method="get", path=key)
        try:
            url = build_request(None, op).url("http://h:1808")
        except OriginError:
            continue
        raise AssertionError(f"{key!r} was sent to {url}")
    try:
        join_url("http://h:1808/api", "/x/../../admin")
    except OriginError:
        pass
    else:
        raise AssertionError("a dot-segment path key escaped the base path")
