"""The mock server of a spec: a pure responder behind an ASGI server and an httpx transport.

    request ─► route (server base paths, 404/405) ─► validate (params, body, security)
            ─► respond (Prefer, examples, generated, state, faults) ─► response

Public names: :func:`generate_value` (a valid, realistic value for a schema),
:class:`MockTransport` (answer httpx requests in-process), :func:`respond` and :class:`Mock`
(the pure responder), :class:`FaultConfig`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toolcheck.mock.faults import FaultConfig
    from toolcheck.mock.generate import GenerationError, generate_value
    from toolcheck.mock.responder import Mock, MockRequest, MockResponse, respond
    from toolcheck.mock.transport import MockTransport

__all__ = ["FaultConfig", "GenerationError", "Mock", "MockRequest", "MockResponse", "MockTransport",
           "generate_value", "respond"]


def __getattr__(name: str) -> Any:
    # Lazy: importing one part (the fault parser, the generator) must not pull in the others, nor
    # httpx and the response checks (serve-mcp answers `initialize` before any of them is needed).
    if name in ("GenerationError", "generate_value"):
        from toolcheck.mock import generate

        return getattr(generate, name)
    if name == "MockTransport":
        from toolcheck.mock.transport import MockTransport

        return MockTransport
    if name in ("Mock", "MockRequest", "MockResponse", "respond"):
        from toolcheck.mock import responder

        return getattr(responder, name)
    if name == "FaultConfig":
        from toolcheck.mock.faults import FaultConfig

        return FaultConfig
    raise AttributeError(name)
