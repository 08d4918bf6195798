"""uvicorn's httptools protocol with a limit on the request head (see ``server.MAX_HEAD``).

httptools buffers a header until its end, and uvicorn all of them until the head is complete,
with no size limit (five connections held 571 MB, issue 12). The bytes fed while a head is
incomplete are counted (the count may pass the limit by one socket read, a bounded amount) and
the connection answers 431 (RFC 6585 §5) and closes. A module of its own so that uvicorn can
import it by name in worker processes.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from toolcheck.mock.server import MAX_HEAD

_BODY = (b'{"type":"about:blank","title":"Request Header Fields Too Large","status":431,'
         b'"detail":"the request line and headers are larger than ' + str(MAX_HEAD).encode() + b' bytes"}')
_ANSWER = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/problem+json\r\n"
           b"content-length: " + str(len(_BODY)).encode() + b"\r\nconnection: close\r\n\r\n" + _BODY)


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    _head_bytes = 0
    _in_head = True  # a connection starts with a request head
    _refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        super().data_received(data)
        if not self._in_head:
            return
        self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD and not self.transport.is_closing():
            self._refused = True
            self.transport.write(_ANSWER)
            self.transport.close()

    def on_message_begin(self) -> None:
        self._in_head, self._head_bytes = True, 0
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()
