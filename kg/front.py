"""The public face of `remkg serve`: a small ASGI application (served by uvicorn) in front of a
private, read-only Oxigraph server that only it can reach.

Why a front: Oxigraph's server follows SERVICE clauses (requests on a caller's behalf), answers a
timed-out query with 200 and a cut document, and has no switch for CORS, body or result caps or a
limit on concurrent queries. Why a private Oxigraph server behind it (and not pyoxigraph in this
process): pyoxigraph cannot cancel a running query, Oxigraph's server can (`--timeout-s`); and
pyoxigraph 0.5 holds the GIL while it evaluates (two threads answer no more than one), so one
long query would stall every request of this process and use one core of many.

Each query is lexed for SERVICE before it leaves this process, forwarded on a kept-alive loopback
connection (kg.upstream_http), and its answer buffered up to a size cap, so the status always
matches the body; complete answers are kept per build (kg.result_cache) for the next identical
request. A new build in the output folder (its marker and store change) starts a second Oxigraph
server on the new store; requests that arrive after the change wait for it, requests already
running finish on the old one, which is stopped once idle.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode

import uvicorn

from kg.http_limits import LimitedHttpToolsProtocol
from kg.outdir import MARKER, read_marker
from kg.query import _syntax_message
from kg.result_cache import Answer, ResultCache
from kg.sparql_scan import federation_refusal
from kg.store import store_path
from kg.upstream_http import TooLarge, UpstreamHTTP

QUERY_PATHS = ("/query", "/sparql")
PAGE_PATHS = ("/", "/yasgui.min.css", "/yasgui.min.js", "/logo.svg")
CANCELLED = b"The SPARQL operation has been cancelled"
PROTOCOL_PARAMS = ("default-graph-uri", "named-graph-uri")


@dataclass
class FrontConfig:
    """What `remkg serve` options set; the defaults suit a cluster website."""

    output_dir: Path
    timeout_s: float = 30.0
    max_result_bytes: int = 50_000_000
    max_query_bytes: int = 100_000
    max_running: int = 16
    max_waiting: int = 64
    cache_bytes: int = 64_000_000
    client_timeout_s: float = 10.0
    cors: tuple[str, ...] = ()
    federation: frozenset[str] = frozenset()
    log: object = field(default=sys.stderr)


class QueryRefused(Exception):
    """A query answered with an error status and a plain-text message, never forwarded or cut."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


# --- the private Oxigraph server ------------------------------------------------------------------

def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_identity(output_dir: Path) -> tuple | None:
    """What tells one build from the next: its marker file's identity. A build swaps in a new
    folder (kg.store.swap_in), so the marker then has a new inode; one stat call, cheap enough for
    every request. None while there is no marker (between the two renames of a swap)."""
    try:
        marker = os.stat(_marker_path(output_dir))
    except OSError:
        return None
    return (marker.st_dev, marker.st_ino, marker.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _marker_path(output_dir: Path) -> str:
    """The marker's path as a plain string, built once: build_identity runs on every request."""
    return str(Path(output_dir) / MARKER)


class Upstream:
    """One `oxigraph serve-read-only` on a loopback port, over one build's store.

    Its messages go to this process's stderr (the server's log) or to `stderr`, never to a pipe:
    Oxigraph writes a line for every response a client stopped reading (a result past the cap, a
    client gone), and an unread pipe fills after some hundreds of them and stalls the server."""

    def __init__(self, output_dir: Path, timeout_s: float, stderr=None):
        from kg.serve import oxigraph_executable

        self.identity = build_identity(output_dir)
        self.port = free_loopback_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.http = UpstreamHTTP("127.0.0.1", self.port)
        self.in_flight = 0
        self.dead = False  # set when a request finds the process gone
        self.process = subprocess.Popen(
            [oxigraph_executable(), "serve-read-only", "--location", str(store_path(output_dir)),
             "--bind", f"127.0.0.1:{self.port}", "--union-default-graph", "--timeout-s", str(max(1, int(timeout_s)))],
            stdout=subprocess.DEVNULL, stderr=stderr)

    def wait_until_up(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Oxigraph server exited with status {self.process.returncode} "
                                   "(its messages are above)")
            try:
                urllib.request.urlopen(f"{self.url}/logo.svg", timeout=1).read()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the Oxigraph server on {self.url} did not come up in {seconds:.0f} s")

    def stop(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_upstream(output_dir: Path, timeout_s: float) -> Upstream:
    upstream = Upstream(output_dir, timeout_s)
    upstream.wait_until_up()
    return upstream


# --- the front ----------------------------------------------------------------------------------

class Front:
    """The state of one served endpoint: current upstream, query slots, the HTTP client."""

    def __init__(self, config: FrontConfig, upstream: Upstream):
        self.config = config
        self.upstream = upstream
        self.running = 0
        self.waiting = 0
        self.slots = asyncio.Semaphore(config.max_running)
        self.switching = asyncio.Lock()
        self.retired: list[Upstream] = []
        self.results = ResultCache(config.cache_bytes)
        self.log_pending: list[str] = []

    def close(self) -> None:
        self.flush_log()
        for upstream in [self.upstream, *self.retired]:
            upstream.stop()

    # -- fresh data --
    async def current_upstream(self) -> Upstream:
        """The upstream for the newest build; switches (once) when the folder holds a new one, or
        when the store's server was found dead (Oxigraph aborts when it runs out of threads)."""
        identity = build_identity(self.config.output_dir)
        if identity is None or (identity == self.upstream.identity and not self.upstream.dead):
            return self.upstream
        async with self.switching:
            identity = build_identity(self.config.output_dir)
            if identity is not None and (identity != self.upstream.identity or self.upstream.dead):
                try:
                    fresh = await asyncio.get_running_loop().run_in_executor(
                        None, start_upstream, self.config.output_dir, self.config.timeout_s)
                except RuntimeError as error:
                    self.log_line(f"new store server not started, keeping the previous one: {error}")
                    return self.upstream
                old, self.upstream = self.upstream, fresh
                self.retired.append(old)
                if identity == old.identity:
                    self.log_line(f"the store's server had stopped (exit status {old.process.returncode}); "
                                  f"started a new one on {self.config.output_dir}")
                else:
                    self.results.clear()
                    written = (read_marker(self.config.output_dir) or {}).get("written", "time unknown")
                    self.log_line(f"serving the new build in {self.config.output_dir} (written {written})")
        self.stop_idle_retired()
        return self.upstream

    def stop_idle_retired(self) -> None:
        for old in [u for u in self.retired if u.in_flight == 0]:
            old.stop()
            self.retired.remove(old)

    # -- admission --
    async def acquire_slot(self) -> None:
        if self.running >= self.config.max_running and self.waiting >= self.config.max_waiting:
            raise QueryRefused(429, f"too many queries at once ({self.config.max_running} running, "
                                    f"{self.config.max_waiting} waiting); retry in a moment",
                               {"Retry-After": "1"})
        self.waiting += 1
        try:
            await self.slots.acquire()
        finally:
            self.waiting -= 1
        self.running += 1

    def release_slot(self) -> None:
        self.running -= 1
        self.slots.release()

    # -- one query --
    async def forward(self, query: str, params: list[tuple[str, str]], accept: str) -> tuple[Answer, bool]:
        """The answer to one query and whether it came from the cache: from the cache when the same
        build answered it already (no slot needed, so light repeated queries pass heavy ones), else
        from Oxigraph in a slot."""
        refusal = _cached_refusal(query, self.config.federation)
        if refusal:
            raise QueryRefused(400, refusal)
        answer = self.results.get(((await self.current_upstream()).identity, query, accept, *params))
        if answer is not None:
            return answer, True
        return await self._ask_in_slot(query, params, accept), False

    async def _ask_in_slot(self, query: str, params: list[tuple[str, str]], accept: str) -> Answer:
        """Asked of the upstream that forward() found current (or a newer one, if another request
        switched while this one waited for its slot): the folder is looked at once per request."""
        await self.acquire_slot()
        upstream = None
        try:
            upstream = self.upstream
            upstream.in_flight += 1
            answer = await self._ask(upstream, query, params, accept)
            self.results.put((upstream.identity, query, accept, *params), answer)
            return answer
        finally:
            if upstream is not None:
                upstream.in_flight -= 1
                if self.retired:
                    self.stop_idle_retired()
            self.release_slot()

    async def _ask(self, upstream: Upstream, query: str, params, accept: str) -> Answer:
        config = self.config
        headers = {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept or "*/*"}
        target = f"/query?{urlencode(params)}" if params else "/query"
        try:
            async with asyncio.timeout(config.timeout_s + 1.0):
                status, reply_headers, body = await upstream.http.request(
                    "POST", target, headers, query.encode("utf-8"), cap=config.max_result_bytes)
        except TimeoutError:
            raise QueryRefused(503, _timeout_message(config.timeout_s), {"Retry-After": "5"}) from None
        except TooLarge:  # the connection is dropped: Oxigraph stops producing rows
            raise QueryRefused(413, f"the result is larger than this server's cap of {config.max_result_bytes:,} bytes; "
                                    "page it with ORDER BY and LIMIT/OFFSET (e.g. LIMIT 1000 OFFSET 0, 1000, …) "
                                    "or select fewer columns") from None
        except OSError as error:
            # then the next request starts a new one. Nothing listening counts as gone: a killed
            # multi-threaded Oxigraph cannot be reaped until its last thread has exited.
            upstream.dead = upstream.process.poll() is not None or isinstance(error, ConnectionRefusedError)
            raise QueryRefused(502, f"the store did not answer: {error}") from None
        content_type = reply_headers.get("content-type", "text/plain")
        if status == 200 and body[-200:].rstrip().endswith(CANCELLED):
            raise QueryRefused(503, _timeout_message(config.timeout_s), {"Retry-After": "5"})
        if status == 200 and _cut_short(body, content_type):
            raise QueryRefused(502, "the store stopped in the middle of the result (an error while evaluating "
                                    "the query, e.g. a SERVICE endpoint that answered badly); nothing of it is sent")
        if status == 400:
            raise QueryRefused(400, _syntax_message(body.decode("utf-8", errors="replace")))
        if status != 200:
            raise QueryRefused(status, body.decode("utf-8", errors="replace"))
        return Answer(body, content_type)

    def log_line(self, text: str) -> None:
        """A line with the time. Lines of one turn of the event loop are written together at its end
        (under load, one write for many requests; none waits for the next network event)."""
        if not self.log_pending:
            asyncio.get_running_loop().call_soon(self.flush_log)
        self.log_pending.append(f"{datetime.now(timezone.utc).isoformat(timespec='milliseconds')} {text}\n")

    def flush_log(self) -> None:
        if self.log_pending:
            self.config.log.write("".join(self.log_pending))
            self.config.log.flush()
            self.log_pending.clear()


@functools.lru_cache(maxsize=4096)
def _cached_refusal(query: str, allowed: frozenset[str]) -> str | None:
    """Websites send the same few queries again and again: lex each text once."""
    return federation_refusal(query, allowed)


def _timeout_message(timeout_s: float) -> str:
    return (f"the query ran longer than this server's timeout of {timeout_s:g} s and was cancelled; "
            "narrow it (more specific patterns, LIMIT) or run it on your own copy of the data")


def _cut_short(body: bytes, content_type: str) -> bool:
    """Oxigraph reports an error during evaluation inside a 200 answer, after the rows sent so far:
    a JSON or XML document must end as one."""
    tail = body[-200:].rstrip()
    if "json" in content_type and body:
        return not tail.endswith((b"}", b"]"))
    if "xml" in content_type and body:
        return not tail.endswith(b">")
    return False


# --- HTTP (an ASGI application, served by uvicorn) ---------------------------------------------

class RequestNote:
    """What the access log says about a request beyond its status: the query's hash, a cache hit."""

    __slots__ = ("query_hash", "cached")

    def __init__(self):
        self.query_hash, self.cached = "-", False


class Reply(NamedTuple):
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


def _refusal_reply(refused: QueryRefused) -> Reply:
    return Reply(refused.status, (refused.message.rstrip() + "\n").encode("utf-8"), headers=tuple(refused.headers.items()))


class FrontApp:
    """The endpoint's HTTP side as an ASGI application: the SPARQL protocol, the query page, CORS and
    one access log line per request, around a Front. Why ASGI on uvicorn (httptools, uvloop) and
    not aiohttp's web framework: for a query the front has not seen, Python's HTTP handling is most
    of what the front adds to Oxigraph's own cost; bench/serve_load.py measured it (README, serve)."""

    def __init__(self, front: Front):
        self.front, self.config = front, front.config
        self.anyone = "*" in self.config.cors

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":  # lifespan is off and nothing here speaks WebSocket
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        note = RequestNote()
        try:
            reply = await self._route(scope, headers, receive, note)
        except QueryRefused as refused:
            reply = _refusal_reply(refused)
        origin = headers.get(b"origin")
        response_headers = [(b"content-type", reply.content_type.encode("latin-1")),
                            (b"content-length", str(len(reply.body)).encode("latin-1"))]
        response_headers += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in reply.headers]
        if origin is not None and scope["method"] != "OPTIONS" and self._allowed(origin):
            response_headers += [(b"access-control-allow-origin", b"*" if self.anyone else origin), (b"vary", b"Origin")]
        await send({"type": "http.response.start", "status": reply.status, "headers": response_headers})
        await send({"type": "http.response.body", "body": reply.body})
        millis = (time.perf_counter() - started) * 1000
        client = scope["client"][0] if scope.get("client") else "-"
        self.front.log_line(f"{client} {scope['method']} {scope['path']} {reply.status} {millis:.1f}ms "
                            f"{len(reply.body)}B q={note.query_hash}{' cached' if note.cached else ''}")

    def _allowed(self, origin: bytes) -> bool:
        return self.anyone or origin.decode("latin-1") in self.config.cors

    async def _route(self, scope, headers: dict[bytes, bytes], receive, note: RequestNote) -> Reply:
        method, path = scope["method"], scope["path"]
        if method == "OPTIONS":
            return self._preflight(headers.get(b"origin"), path)
        if path in QUERY_PATHS:
            if method not in ("GET", "POST"):
                return _not_allowed("GET, POST, OPTIONS")
            text, params = await _query_from(scope, headers, receive, self.config)
            note.query_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
            answer, note.cached = await self.front.forward(text, params, headers.get(b"accept", b"").decode("latin-1"))
            return Reply(200, answer.body, answer.content_type)
        if path in PAGE_PATHS:
            if method != "GET":
                return _not_allowed("GET")
            return await self._page(path)
        return Reply(404, b"not found: SPARQL queries go to /query (or /sparql), the query page is at /\n")

    def _preflight(self, origin: bytes | None, path: str) -> Reply:
        """Cross-origin reads for the named origins only (or every origin when '*' was given)."""
        if origin is None or not self._allowed(origin) or path not in QUERY_PATHS:
            shown = origin.decode("latin-1") if origin is not None else "this page"
            return Reply(403, f"cross-origin requests from {shown} are not allowed here\n".encode("utf-8"))
        return Reply(204, b"", headers=(
            ("Access-Control-Allow-Origin", "*" if self.anyone else origin.decode("latin-1")),
            ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
            ("Access-Control-Allow-Headers", "Accept, Content-Type"),
            ("Access-Control-Max-Age", "600"),
            ("Vary", "Origin")))

    async def _page(self, path: str) -> Reply:
        """The query page (Oxigraph's own YASGUI page and its files), from the current store's server."""
        upstream = await self.front.current_upstream()
        try:
            status, headers, body = await upstream.http.request("GET", path, {})
        except OSError as error:
            raise QueryRefused(502, f"the store did not answer: {error}") from None
        return Reply(status, body, headers.get("content-type", "text/plain"))


def _not_allowed(methods: str) -> Reply:
    return Reply(405, f"method not allowed here; allowed: {methods}\n".encode("utf-8"), headers=(("Allow", methods),))


async def _query_from(scope, headers: dict[bytes, bytes], receive, config: FrontConfig) -> tuple[str, list[tuple[str, str]]]:
    """The query text and the protocol parameters, from GET, a POST form or a POST body."""
    max_bytes = config.max_query_bytes
    declared = headers.get(b"content-length", b"")
    if declared.isdigit() and int(declared) > max_bytes:
        message = f"the query is {int(declared):,} bytes; this server accepts at most {max_bytes:,}"
        if headers.get(b"expect", b"").lower() == b"100-continue":  # reading would invite the body: refuse it unsent
            raise QueryRefused(413, message, {"Connection": "close"})
        await _discard_body(receive)
        raise QueryRefused(413, message)
    url_fields = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True) if scope["query_string"] else []
    if scope["method"] == "GET":
        fields = url_fields
        query = _first(fields, "query")
    else:
        content_type = headers.get(b"content-type", b"").partition(b";")[0].strip().lower()
        if content_type == b"application/x-www-form-urlencoded":
            body = await _request_body(receive, config)
            fields = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            query = _first(fields, "query")
        elif content_type == b"application/sparql-query":
            fields = url_fields
            query = (await _request_body(receive, config)).decode("utf-8", errors="replace")
        else:
            raise QueryRefused(415, "send the query as application/sparql-query or as the form field 'query' "
                                    "(application/x-www-form-urlencoded)")
        if _first(fields, "update") is not None:
            raise QueryRefused(403, "this endpoint is read-only: SPARQL updates are not accepted")
    if not query:
        raise QueryRefused(400, "no query: pass it as the 'query' parameter or as the request body")
    if len(query.encode("utf-8")) > max_bytes:
        raise QueryRefused(413, f"the query is longer than {max_bytes:,} bytes, the most this server accepts")
    return query, [(key, value) for key in PROTOCOL_PARAMS for name, value in fields if name == key]


def _first(fields: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in fields if key == name), None)


async def _request_body(receive, config: FrontConfig) -> bytes:
    """The request's body, refused with 413 once past the cap (room left for a form's encoding), and
    with 408 when it does not arrive in the client timeout (a body sent a byte at a time would hold a
    connection and a task for ever; the head has its own limits, kg.http_limits)."""
    try:
        async with asyncio.timeout(config.client_timeout_s):
            return await _read_body(receive, config.max_query_bytes)
    except TimeoutError:
        raise QueryRefused(408, f"the request body did not arrive within {config.client_timeout_s:g} seconds",
                           {"Connection": "close"}) from None


async def _read_body(receive, max_query_bytes: int) -> bytes:
    limit = max_query_bytes + 1024
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            if message.get("more_body"):
                await _discard_body(receive)
            raise QueryRefused(413, f"the request body is larger than {max_query_bytes:,} bytes, the most this server accepts")
        chunks.append(chunk)
        if not message.get("more_body"):  # the whole body, or the client went away (http.disconnect)
            return b"".join(chunks)


async def _discard_body(receive, seconds: float = 10.0) -> None:
    """Read and drop the rest of a refused body (for at most `seconds`): a client still sending it
    would otherwise meet a reset before it could read the 413 (a "lingering close")."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            while (await receive()).get("more_body"):
                pass


# --- running -----------------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def split_bind(bind: str) -> tuple[str, int]:
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ValueError(f"--bind expects HOST:PORT (e.g. 127.0.0.1:7878), got {bind!r}")
    return host.strip("[]"), int(port)


def exposure_warning(bind: str, config: FrontConfig) -> str | None:
    """What becomes reachable when the endpoint listens beyond this machine; None on loopback."""
    host, port = split_bind(bind)
    if is_loopback(host):
        return None
    where = "every network interface of this machine" if host in ("0.0.0.0", "::") else host
    return (f"warning: listening on {where}, port {port}: anyone who can reach it can read the whole graph "
            f"in {config.output_dir} (SPARQL at /query and /sparql, the query page at /), up to "
            f"{config.max_running} queries at a time of up to {config.timeout_s:g} s each. "
            "Put it behind a reverse proxy with TLS, or bind 127.0.0.1 if that was not meant.")


class _Stopped(Exception):
    """Ctrl-C or SIGTERM: uvicorn finishes the running requests, then raises the signal again."""


def _stop(signum, frame) -> None:
    raise _Stopped()


def serve(bind: str, config: FrontConfig, ready=None) -> None:
    """Run the endpoint until interrupted (Ctrl-C or SIGTERM); stops its Oxigraph servers.

    The socket is bound here, before the store's server starts, so a port in use is an OSError at
    once; uvicorn then runs the application on it (httptools, with the head limits of
    kg.http_limits; uvloop where installed)."""
    host, port = split_bind(bind)
    with socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET,
                              backlog=1024) as listening:
        front = Front(config, start_upstream(config.output_dir, config.timeout_s))
        protocol = functools.partial(
            LimitedHttpToolsProtocol, head_timeout_s=config.client_timeout_s, on_refused=lambda client, status, message: front.log_line(f"{client} - - {status} {message}"))
        server = uvicorn.Server(uvicorn.Config(
            FrontApp(front), http=protocol, ws="none", lifespan="off", access_log=False, log_config=None, log_level="warning",
            server_header=False, timeout_keep_alive=75, timeout_graceful_shutdown=max(5, int(config.timeout_s) + 2)))
        previous = {signum: signal.signal(signum, _stop) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            if ready:
                ready(f"listening on {bind}")
            server.run(sockets=[listening])
        except _Stopped:
            pass
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            front.close()
