"""A lean httpx transport for plain-HTTP targets: one keep-alive ``http.client`` connection.

Why hand-written: a scenario is a strictly sequential conversation with one server, and
httpcore's connection pool (built for concurrency, HTTP/2 and proxies) costs more per request
than the whole contract check (measured: 200 loopback requests ~0.15 s through httpcore, ~0.04 s
through ``http.client``). The engine still talks to an :class:`httpx.Client`; only the bytes
on the wire go through here. HTTPS targets keep httpx's own transport (TLS, certificates).

Behaviour kept from httpcore: TCP_NODELAY (no Nagle stall between a request's header and body
writes), a stale keep-alive connection is detected before reuse (readable socket = closed by
the server) and replaced, bodies are handed back as a stream so httpx decodes gzip/deflate,
and socket errors become the matching httpx exceptions (connect/read timeout, connect error).
One transport per worker thread: it is not thread-safe, by design.
"""

from __future__ import annotations

import http.client
import select
import socket
from typing import Any

import httpx


class LeanTransport(httpx.BaseTransport):
    """Plain-HTTP/1.1 transport over one persistent ``http.client`` connection per host."""

    def __init__(self) -> None:
        self._conns: dict[tuple[str, int], http.client.HTTPConnection] = {}

    def _connection(self, host: str, port: int, timeouts: dict[str, Any], request: httpx.Request) -> tuple[
            http.client.HTTPConnection, bool]:
        key = (host, port)
        conn = self._conns.get(key)
        if conn is not None and conn.sock is not None and not _readable(conn.sock):
            return conn, True
        if conn is not None:
            conn.close()
        conn = http.client.HTTPConnection(host, port, timeout=timeouts.get("connect"))
        try:
            conn.connect()
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
        except OSError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        assert conn.sock is not None
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._conns[key] = conn
        return conn, False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme != "http":
            raise httpx.UnsupportedProtocol(f"LeanTransport speaks plain http, not {url.scheme}", request=request)
        port = url.port or 80
        timeouts = request.extensions.get("timeout") or {}
        body = request.read()
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        target = url.raw_path.decode("ascii")
        for attempt in (1, 2):
            conn, reused = self._connection(url.host, port, timeouts, request)
            assert conn.sock is not None
            conn.sock.settimeout(timeouts.get("read"))
            try:
                conn.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    conn.putheader(name, value)
                conn.endheaders(body or None)
                response = conn.getresponse()
                data = response.read()
            except TimeoutError as exc:
                self._drop(url.host, port)
                raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                self._drop(url.host, port)
                if reused and attempt == 1:
                    continue  # the server closed an idle keep-alive connection: once more, fresh
                raise httpx.RemoteProtocolError(str(exc) or "server disconnected", request=request) from exc
            except (http.client.HTTPException, OSError) as exc:
                self._drop(url.host, port)
                raise httpx.ReadError(str(exc), request=request) from exc
            if response.will_close:
                self._drop(url.host, port)
            return httpx.Response(response.status, headers=response.getheaders(), stream=httpx.ByteStream(data),
                                  request=request, extensions={"http_version": b"HTTP/1.1"})
        raise httpx.RemoteProtocolError("server disconnected", request=request)  # pragma: no cover

    def _drop(self, host: str, port: int) -> None:
        conn = self._conns.pop((host, port), None)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()


def _readable(sock: socket.socket) -> bool:
    """A keep-alive socket with something to read before we asked is closed (or broken)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)
