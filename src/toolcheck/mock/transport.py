"""An httpx transport (sync and async) that answers from the mock, in-process, with no socket.

    client = httpx.Client(transport=MockTransport(spec), base_url="http://mock")

The scenario runner's ``--mock``, the fuzzer's ``--mock`` and the MCP server use it. Faults
behave as on the wire: latency sleeps, a timeout fault raises ``httpx.ReadTimeout`` after the
client's read timeout (or the fault's own delay, whichever is shorter).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from toolcheck.mock.faults import FaultConfig
from toolcheck.mock.responder import Mock, MockRequest, MockResponse

if TYPE_CHECKING:
    from toolcheck.spec import Spec

__all__ = ["MockTransport"]


class MockTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answer httpx requests with the mock of ``spec``.

    Args:
        spec: the loaded spec.
        seed: seeds generated bodies and faults (same seed and requests → same answers).
        stateful: keep created resources (POST then GET returns it; DELETE then 404).
        validate: validate requests and answer 400/401/415/422 like a strict server.
        faults: fault injection (latency, error and timeout rates ...).
        dynamic: generate bodies instead of serving the spec's examples.
    """

    def __init__(
        self,
        spec: Spec,
        *,
        seed: int = 0,
        stateful: bool = True,
        validate: bool = True,
        faults: FaultConfig | None = None,
        dynamic: bool = False,
    ) -> None:
        self.mock = Mock(spec, seed=seed, stateful=stateful, validate=validate, faults=faults, dynamic=dynamic)

    @property
    def spec(self) -> Spec:
        return self.mock.spec

    def _request(self, request: httpx.Request, body: bytes) -> MockRequest:
        url = request.url
        raw_path = url.raw_path.decode("ascii", "replace")
        path, _, query = raw_path.partition("?")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers.raw}
        return MockRequest(request.method, path or "/", query, headers, body)

    @staticmethod
    def _timeout(request: httpx.Request, answer: MockResponse) -> float:
        timeouts = request.extensions.get("timeout") or {}
        read = timeouts.get("read") if isinstance(timeouts, dict) else None
        return min(answer.delay or 0.0, read) if isinstance(read, (int, float)) else answer.delay or 0.0

    def _response(self, request: httpx.Request, answer: MockResponse) -> httpx.Response:
        headers = [(k.encode("latin-1", "replace"), v.encode("latin-1", "replace")) for k, v in answer.headers]
        return httpx.Response(answer.status, headers=headers, content=answer.body, request=request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.mock.handle(self._request(request, request.read()))
        if answer.fault is not None and answer.fault.kind == "timeout":
            time.sleep(self._timeout(request, answer))
            raise httpx.ReadTimeout("mock fault: the server did not answer", request=request)
        if answer.delay:
            time.sleep(answer.delay)
        return self._response(request, answer)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        answer = self.mock.handle(self._request(request, body))
        if answer.fault is not None and answer.fault.kind == "timeout":
            await asyncio.sleep(self._timeout(request, answer))
            raise httpx.ReadTimeout("mock fault: the server did not answer", request=request)
        if answer.delay:
            await asyncio.sleep(answer.delay)
        return self._response(request, answer)
