"""The front's HTTP/1.1 client for its own private Oxigraph server on loopback.

Why not a general client (aiohttp's): Oxigraph streams a result in many small chunks (a 200-row
JSON answer comes in about a dozen reads), and a general client spends tens of microseconds of
Python per read and per request on features this one hop never needs (cookies, redirects, proxies,
decompression, tracing). This one only writes a request on a kept-alive connection and collects
the answer's bytes, counting them against the result cap as they arrive; it speaks exactly the
HTTP that Oxigraph's server answers (a Content-Length or chunked body, keep-alive).
"""

from __future__ import annotations

import asyncio


# Oxigraph writes a result in chunks of about a kilobyte. Walking them as each read arrives costs
# Python per chunk; they are walked when the answer may be complete (the buffer ends as the last
# chunk does) or this many bytes have piled up, which bounds how far the result cap is overshot.
WALK_EVERY = 1 << 18


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
        self.buffer = bytearray()
        self.status, self.headers, self.length, self.chunked = 0, {}, None, False
        self.body: list[bytes | bytearray] = []
        self.size = 0
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
        self.buffer += data
        try:
            complete = self._parse()
        except (TooLarge, ValueError, IndexError) as error:
            self.transport.close()
            self.waiter.set_exception(error if isinstance(error, TooLarge) else
                                      UpstreamClosed(f"the store's answer could not be read: {error}"))
            self.waiter = None
            return
        if complete:
            self.waiter.set_result((self.status, self.headers, b"".join(self.body)))
            self.waiter = None

    def _parse(self) -> bool:
        """Consume what has arrived; True once the whole answer is in."""
        if not self.status:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return False
            lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
            self.status = int(lines[0].split(" ", 2)[1])
            self.headers = {name.strip().lower(): value.strip()
                            for name, _, value in (line.partition(":") for line in lines[1:])}
            del self.buffer[:end + 4]
            self.chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
            self.length = None if self.chunked else int(self.headers.get("content-length", "0"))
        if not self.chunked:
            if len(self.buffer) > self.cap:
                raise TooLarge()
            if len(self.buffer) < self.length:
                return False
            self.body.append(bytes(self.buffer[:self.length]))
            return True
        if not self.buffer.endswith(b"0\r\n\r\n") and len(self.buffer) < WALK_EVERY:
            return False  # not the end yet: the chunks are walked once the last one may be in
        buffer, position, done = self.buffer, 0, False
        while True:  # walk the chunks by offset, dropping the consumed bytes once at the end
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                break
            size = int(buffer[position:line_end].split(b";", 1)[0], 16)
            if size == 0:  # the last chunk, then an empty trailer
                done = buffer.find(b"\r\n\r\n", line_end) == line_end
                break
            end = line_end + 2 + size
            if len(buffer) < end + 2:
                break
            self.size += size
            if self.size > self.cap:
                raise TooLarge()
            self.body.append(buffer[line_end + 2:end])
            position = end + 2
        del buffer[:position]
        return done


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
