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
        in_head = self._in_head
        if in_head:
            # A head that passes the bound within this very read is refused before it is parsed:
            # handed whole to the parser, a request line past 65535 bytes (its URL parser's limit)
            # became uvicorn's undocumented `400 text/plain` instead of this 431.
            end = data.find(b"\r\n\r\n")
            if self._head_bytes + (len(data) if end < 0 else end + 4) > MAX_HEAD:
                self._refuse()
                return
        super().data_received(data)
        if not (in_head and self._in_head):  # the head ended in this read (or none was under way)
            return
        self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD:
            self._refuse()

    def _refuse(self) -> None:
        self._refused = True
        if not self.transport.is_closing():
            self.transport.write(_ANSWER)
            self.transport.close()

    def on_message_begin(self) -> None:
        self._in_head, self._head_bytes = True, 0
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0  # what follows on this connection is the next head
