"""The lean plain-HTTP transport over real sockets: keep-alive, stale connections, encodings, errors."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from toolcheck.scenarios._transport import LeanTransport


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1  # type: ignore[attr-defined]

    def _reply(self, body: bytes, headers: dict[str, str] | None = None, chunked: bool = False) -> None:
        self.send_response(200)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (body[:3], body[3:]):
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/gzip":
            return self._reply(gzip.compress(b'{"zipped": true}'), {"Content-Encoding": "gzip", "Content-Type": "application/json"})
        if self.path == "/chunked":
            return self._reply(b"hello chunks", chunked=True)
        if self.path == "/slow":
            time.sleep(0.5)
        if self.path == "/drop":  # answer as keep-alive, then close the socket anyway
            self._reply(b"bye")
            self.close_connection = True
            return
        self._reply(json.dumps({"path": self.path, "host": self.headers["Host"]}).encode(),
                    {"Content-Type": "application/json"})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self._reply(body, {"Content-Type": self.headers["Content-Type"]})


@pytest.fixture
def server() -> Iterator[Any]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.connections = 0  # type: ignore[attr-defined]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"  # type: ignore[attr-defined]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_keep_alive_encodings_and_bodies(server: Any) -> None:
    with httpx.Client(transport=LeanTransport(), base_url=server.url) as client:
        for i in range(20):
            assert client.get(f"/items/{i}", params={"q": "a b"}).json()["path"] == f"/items/{i}?q=a+b"
        assert server.connections == 1
        assert client.get("/gzip").json() == {"zipped": True}
        assert client.get("/chunked").text == "hello chunks"
        echoed = client.post("/echo", json={"ü": [1, 2]})
        assert echoed.json() == {"ü": [1, 2]} and echoed.headers["content-type"] == "application/json"
        assert client.get("/x").json()["host"] == server.url.removeprefix("http://")


def test_a_connection_the_server_closed_is_replaced(server: Any) -> None:
    with httpx.Client(transport=LeanTransport(), base_url=server.url) as client:
        assert client.get("/drop").text == "bye"
        time.sleep(0.05)  # the server has closed the socket by now
        assert client.get("/after").status_code == 200
        assert server.connections == 2


def test_errors_become_httpx_exceptions(server: Any) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    with httpx.Client(transport=LeanTransport()) as client:
        with pytest.raises(httpx.ConnectError):
            client.get(f"http://127.0.0.1:{dead}/")
        with pytest.raises(httpx.ReadTimeout):
            client.get(f"{server.url}/slow", timeout=0.1)
        assert client.get(f"{server.url}/fine").status_code == 200  # and the next request works
        with pytest.raises(httpx.UnsupportedProtocol):
            client.get("https://127.0.0.1:1/")
