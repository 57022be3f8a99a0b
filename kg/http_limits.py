"""Limits on what a client may send before the front has a request (the size of the request line
and headers, and the time taken to send them), and on how long it may leave its answer untaken.

Why: uvicorn's httptools parser keeps every header byte it is given, with no cap (a 300 MB header
took the front to 620 MB of memory), and waits for a head sent a byte at a time for ever, holding a
connection (a "slow loris"). Both are refused here, before the request reaches the application:
414 for a URL too long to parse, 431 for a head over the cap, 408 for a head not complete in time
(or nothing sent at all), each followed by closing the connection. An answer the client stops
taking would be held in memory (up to the result cap) for ever too: when none of it is taken in
the same time, the connection is aborted. The cost on ordinary traffic is a test per read and a
timer per connection: a timer is armed again only when a read ends in the middle of a head.
"""

from __future__ import annotations

from collections.abc import Callable

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

HEAD_TIMEOUT_S = 10.0
MAX_HEAD_BYTES = 131_072
MAX_URL_BYTES = 65_535  # httptools cannot split a longer URL (it answered a bare "Invalid HTTP request")


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing URLs over MAX_URL_BYTES (414), heads over
    `max_head_bytes` (431) or slower than `head_timeout_s` (408), and aborting a connection that
    takes none of its answer for `head_timeout_s`; `on_refused(client, status, message)` is told of
    each (the access log). Once refused, nothing more on the connection reaches the application."""

    def __init__(self, *args, max_head_bytes: int = MAX_HEAD_BYTES, head_timeout_s: float = HEAD_TIMEOUT_S,
                 on_refused: Callable[[str, int, str], None] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_head_bytes, self.head_timeout_s, self.on_refused = max_head_bytes, head_timeout_s, on_refused
        self.in_head, self.head_began, self.head_bytes, self.head_timer, self.refused = False, False, 0, None, False
        self.write_timer = None

    def connection_made(self, transport) -> None:
        """A connection that sends nothing at all is a slow head too."""
        super().connection_made(transport)
        self.arm_head_timer()

    def data_received(self, data: bytes) -> None:
        """Counted after parsing, while a head is begun and not complete, from the read after the one
        it began in (that read may hold the request before it, body and all): the parser then holds
        at most the cap and two reads more, and a body read together with its head is not counted.
        Bytes that begin no head while no request is being answered (a blank line, the rest of a
        body answered unread) start the clock too: uvicorn ends its keep-alive timer at every read."""
        if self.refused:
            return
        self.head_began = False
        super().data_received(data)
        if self.refused or self.transport.is_closing():
            return
        if self.in_head and not self.head_began:
            self.head_bytes += len(data)
            if self.head_bytes > self.max_head_bytes:
                self.refuse(431, f"the request line and headers are longer than {self.max_head_bytes:,} bytes, "
                                 "the most this server reads")
                return
        if self.in_head or self.cycle is None or self.cycle.response_complete:
            self.arm_head_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_head, self.head_bytes, self.head_began = True, 0, True

    def on_url(self, url: bytes) -> None:
        if self.refused:
            return
        if len(self.url) + len(url) > MAX_URL_BYTES:
            self.refuse(414, f"the URL is longer than {MAX_URL_BYTES:,} bytes: send a long query as the body of "
                             "a POST (application/sparql-query, or the form field 'query')")
            return
        super().on_url(url)

    def on_headers_complete(self) -> None:
        self.in_head = False
        self.cancel_head_timer()
        if not self.refused:
            super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self.refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self.refused:
            super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self.cancel_head_timer()
        self.cancel_write_timer()
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        """The transport holds more of an answer than the client has taken: it has `head_timeout_s`
        to take some (down to the transport's low-water mark), or the connection is aborted."""
        super().pause_writing()
        if self.write_timer is None:
            self.write_timer = self.loop.call_later(self.head_timeout_s, self.answer_not_taken)

    def resume_writing(self) -> None:
        super().resume_writing()
        self.cancel_write_timer()

    def answer_not_taken(self) -> None:
        self.write_timer = None
        self.transport.abort()
        if self.on_refused:
            self.on_refused(self.client[0] if self.client else "-", 408,
                            f"the client took none of its answer for {self.head_timeout_s:g} seconds; connection aborted")

    def cancel_write_timer(self) -> None:
        if self.write_timer is not None:
            self.write_timer.cancel()
            self.write_timer = None

    def arm_head_timer(self) -> None:
        if self.head_timer is None:
            self.head_timer = self.loop.call_later(self.head_timeout_s, self.head_timed_out)

    def head_timed_out(self) -> None:
        """408, unless reading is paused: pipelined requests before this head are still being
        answered, and the rest of the head waits unread in the socket; the clock starts again."""
        self.head_timer = None
        if self.flow.read_paused:
            self.arm_head_timer()
        else:
            self.refuse(408, f"the request line and headers did not arrive within {self.head_timeout_s:g} seconds")

    def cancel_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def refuse(self, status: int, message: str) -> None:
        """Answer and close. While requests before it are still being answered (pipelining), their
        answers are sent first, the last with Connection: close, and this one gets none."""
        self.refused = True
        self.cancel_head_timer()
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False
        else:
            body = (message + "\n").encode("utf-8")
            self.transport.write(b"".join([
                STATUS_LINE[status], b"content-type: text/plain; charset=utf-8\r\n",
                b"content-length: ", str(len(body)).encode("ascii"), b"\r\nconnection: close\r\n\r\n", body]))
            self.transport.close()
        if self.on_refused:
            self.on_refused(self.client[0] if self.client else "-", status, message)
