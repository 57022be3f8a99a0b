"""The front's HTTP/1.1 client for its own private Oxigraph server on loopback.

Why not a general client (aiohttp's): a general client spends tens of microseconds of Python per
request on features this one hop never needs (cookies, redirects, proxies, decompression,
tracing). This one only writes a request on a kept-alive connection and collects the answer's
bytes, counting them against the result cap as they arrive. The answer is parsed by httptools
(llhttp, in C; uvicorn's parser too): Oxigraph streams a result in chunks of about a kilobyte (a
200-row JSON answer is about thirty), and walking them in Python cost more than the rest of this
client.
"""

from __future__ import annotations

import asyncio

from httptools import HttpParserError, HttpResponseParser


class UpstreamClosed(ConnectionError):
    """The server closed the connection before the answer was complete."""


class TooLarge(Exception):
    """The answer's body passed the cap; the connection has been dropped so the server stops."""


class _Exchange(asyncio.Protocol):
    """One kept-alive connection; collects one answer at a time."""

    def __init__(self):
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.expect(None, 0)

    def expect(self, waiter: asyncio.Future | None, cap: int) -> None:
        """Collect the next answer into `waiter`, refusing a body past `cap` bytes."""
        self.waiter, self.cap = waiter, cap
        self.parser = HttpResponseParser(self)
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.size = 0
        self.complete = False
        self.received = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, error) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(UpstreamClosed(f"the store closed the connection{f': {error}' if error else ''}"))

    def data_received(self, data: bytes) -> None:
        if self.waiter is None or self.waiter.done():  # nothing asked, or the asker gave up
            self.transport.close()
            return
        self.received = True
        try:
            self.parser.feed_data(data)
            if self.size > self.cap:
                raise TooLarge()
        except (TooLarge, HttpParserError) as error:
            self.transport.close()
            self.waiter.set_exception(error if isinstance(error, TooLarge) else
                                      UpstreamClosed(f"the store's answer could not be read: {error}"))
            self.waiter = None
            return
        if self.complete:
            self.waiter.set_result((self.parser.get_status_code(), self.headers, b"".join(self.body)))
            self.waiter = None

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size <= self.cap:  # past it, data_received drops the connection once this read is parsed
            self.body.append(body)

    def on_message_complete(self) -> None:
        self.complete = True


class UpstreamHTTP:
    """Kept-alive connections to one loopback server, reused one request at a time each."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.idle: list[_Exchange] = []

    async def request(self, method: str, target: str, headers: dict[str, str], body: bytes = b"",
                      cap: int = 1 << 62) -> tuple[int, dict[str, str], bytes]:
        """(status, lower-case headers, body). Raises TooLarge past `cap` body bytes, UpstreamClosed
        if the server hung up. A kept connection that the server closed meanwhile (nothing came
        back on it) is replaced by a new one, once."""
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        message = (f"{method} {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{head}"
                   f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body
        kept = self._kept_connection()
        if kept is not None:
            answer = await self._exchange(kept, message, cap, reused=True)
            if answer is not None:
                return answer
        _, fresh = await asyncio.get_running_loop().create_connection(_Exchange, self.host, self.port)
        return await self._exchange(fresh, message, cap, reused=False)

    def _kept_connection(self) -> _Exchange | None:
        while self.idle:
            exchange = self.idle.pop()
            if not exchange.closed:
                return exchange
        return None

    async def _exchange(self, exchange: _Exchange, message: bytes, cap: int, reused: bool):
        """The answer, or None when a reused connection turned out closed before any reply."""
        waiter = asyncio.get_running_loop().create_future()
        exchange.expect(waiter, cap)
        exchange.transport.write(message)
        try:
            status, headers, body = await waiter
        except UpstreamClosed:
            if reused and not exchange.received:
                return None
            raise
        except BaseException:  # cancelled (timeout) or too large: the connection is in an unknown state
            exchange.transport.close()
            raise
        if headers.get("connection", "").lower() == "close":
            exchange.transport.close()
        else:
            self.idle.append(exchange)
        return status, headers, body

    def close(self) -> None:
        for exchange in self.idle:
            exchange.transport.close()
        self.idle.clear()
