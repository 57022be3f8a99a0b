"""The public face of `remkg serve`: a small aiohttp application in front of a private, read-only
Oxigraph server that only it can reach.

Why a front: Oxigraph's server follows SERVICE clauses (requests on a caller's behalf), answers a
timed-out query with 200 and a cut document, and has no switch for CORS, body or result caps or a
limit on concurrent queries. Why a private Oxigraph server behind it (and not pyoxigraph in this
process): pyoxigraph cannot cancel a running query, Oxigraph's server can (`--timeout-s`); and
pyoxigraph 0.5 holds the GIL while it evaluates (two threads answer no more than one), so one
long query would stall every request of this process and use one core of many.

Each query is lexed for SERVICE before it leaves this process, forwarded on a kept-alive loopback
connection (kg.upstream_http), and its answer buffered up to a size cap, so the status always
matches the body; complete answers are kept per build (kg.result_cache) for the next identical
request. A
new build in the output folder (its marker and store change) starts a second Oxigraph server on
the new store; requests that arrive after the change wait for it, requests already running
finish on the old one, which is stopped once idle.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import ipaddress
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web

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
    """What tells one build from the next: the identity of its store folder and of its marker
    (a build swaps in a new folder holding both). Two stat calls, cheap enough for every request.
    None while there is no store (between the two renames of a swap)."""
    store_file, marker_file = _watched_paths(output_dir)
    try:
        store, marker = os.stat(store_file), os.stat(marker_file)
    except OSError:
        return None
    return (store.st_dev, store.st_ino, marker.st_ino, marker.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _watched_paths(output_dir: Path) -> tuple[str, str]:
    """The store folder and marker as plain strings, built once: build_identity runs on every request."""
    return str(store_path(output_dir)), str(Path(output_dir) / MARKER)


class Upstream:
    """One `oxigraph serve-read-only` on a loopback port, over one build's store."""

    def __init__(self, output_dir: Path, timeout_s: float):
        from kg.serve import oxigraph_executable

        self.identity = build_identity(output_dir)
        self.port = free_loopback_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.http = UpstreamHTTP("127.0.0.1", self.port)
        self.in_flight = 0
        self.process = subprocess.Popen(
            [oxigraph_executable(), "serve-read-only", "--location", str(store_path(output_dir)),
             "--bind", f"127.0.0.1:{self.port}", "--union-default-graph", "--timeout-s", str(max(1, int(timeout_s)))],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait_until_up(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Oxigraph server exited: {self.process.stderr.read().decode(errors='replace')[-500:]}")
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
        if self.process.stderr:
            self.process.stderr.close()


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

    async def close(self, app: web.Application) -> None:
        for upstream in [self.upstream, *self.retired]:
            upstream.stop()

    # -- fresh data --
    async def current_upstream(self) -> Upstream:
        """The upstream for the newest build; switches (once) when the folder holds a new one."""
        identity = build_identity(self.config.output_dir)
        if identity is None or identity == self.upstream.identity:
            return self.upstream
        async with self.switching:
            if build_identity(self.config.output_dir) not in (None, self.upstream.identity):
                try:
                    fresh = await asyncio.get_running_loop().run_in_executor(
                        None, start_upstream, self.config.output_dir, self.config.timeout_s)
                except RuntimeError as error:
                    self.log_line(f"new build not served, keeping the previous one: {error}")
                    return self.upstream
                old, self.upstream = self.upstream, fresh
                self.retired.append(old)
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
    async def forward(self, query: str, params: list[tuple[str, str]], accept: str) -> web.Response:
        """The answer to one query: from the cache when the same build answered it already (no
        slot needed, so light repeated queries pass heavy ones), else from Oxigraph in a slot."""
        refusal = _cached_refusal(query, self.config.federation)
        if refusal:
            raise QueryRefused(400, refusal)
        answer = self.results.get(((await self.current_upstream()).identity, query, accept, *params))
        cached = answer is not None
        if not cached:
            answer = await self._ask_in_slot(query, params, accept)
        response = web.Response(status=200, body=answer.body, headers={"Content-Type": answer.content_type})
        response["cached"] = cached
        return response

    async def _ask_in_slot(self, query: str, params: list[tuple[str, str]], accept: str) -> Answer:
        await self.acquire_slot()
        upstream = None
        try:
            upstream = await self.current_upstream()
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
        print(f"{datetime.now(timezone.utc).isoformat(timespec='milliseconds')} {text}", file=self.config.log, flush=True)


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


# --- HTTP handlers -----------------------------------------------------------------------------

async def _query_from(request: web.Request, max_bytes: int) -> tuple[str, list[tuple[str, str]]]:
    """The query text and the protocol parameters, from GET, a POST form or a POST body."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise QueryRefused(413, f"the query is {request.content_length:,} bytes; this server accepts at most {max_bytes:,}")
    if request.method == "GET":
        source = request.query
        query = source.get("query")
    else:
        content_type = request.content_type
        if content_type == "application/x-www-form-urlencoded":
            source = await request.post()
            query = source.get("query")
        elif content_type == "application/sparql-query":
            source = request.query
            query = (await request.read()).decode("utf-8", errors="replace")
        else:
            raise QueryRefused(415, "send the query as application/sparql-query or as the form field 'query' "
                                    "(application/x-www-form-urlencoded)")
        if "update" in source:
            raise QueryRefused(403, "this endpoint is read-only: SPARQL updates are not accepted")
    if not query:
        raise QueryRefused(400, "no query: pass it as the 'query' parameter or as the request body")
    if len(query.encode("utf-8")) > max_bytes:
        raise QueryRefused(413, f"the query is longer than {max_bytes:,} bytes, the most this server accepts")
    params = [(key, value) for key in PROTOCOL_PARAMS for value in source.getall(key, [])]
    return query, params


def make_app(config: FrontConfig, upstream: Upstream) -> web.Application:
    front = Front(config, upstream)
    app = web.Application(client_max_size=config.max_query_bytes + 1024,
                          middlewares=[_access_log(front), _cors(config.cors)])
    app["front"] = front
    app.on_cleanup.append(front.close)

    async def query(request: web.Request) -> web.StreamResponse:
        text, params = await _query_from(request, config.max_query_bytes)
        request["query_hash"] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        return await front.forward(text, params, request.headers.get("Accept", ""))

    async def page(request: web.Request) -> web.StreamResponse:
        upstream = await front.current_upstream()
        try:
            status, headers, body = await upstream.http.request("GET", request.path, {})
        except OSError as error:
            raise QueryRefused(502, f"the store did not answer: {error}") from None
        return web.Response(status=status, body=body, headers={"Content-Type": headers.get("content-type", "text/plain")})

    for path in QUERY_PATHS:
        app.router.add_route("GET", path, query)
        app.router.add_route("POST", path, query)
    for path in PAGE_PATHS:
        app.router.add_route("GET", path, page)
    return app


def _error_response(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=message.rstrip() + "\n", headers=headers or {}, content_type="text/plain")


def _access_log(front: Front):
    @web.middleware
    async def middleware(request: web.Request, handler):
        started = time.perf_counter()
        try:
            response = await handler(request)
        except QueryRefused as refused:
            response = _error_response(refused.status, refused.message, refused.headers)
        except web.HTTPRequestEntityTooLarge:
            response = _error_response(413, f"the request body is larger than {front.config.max_query_bytes:,} bytes, "
                                            "the most this server accepts")
        except web.HTTPException as error:
            response = _error_response(error.status, error.text or error.reason)
        millis = (time.perf_counter() - started) * 1000
        front.log_line(f"{request.remote} {request.method} {request.path} {response.status} {millis:.1f}ms "
                       f"{len(response.body or b'') if isinstance(response, web.Response) else '-'}B "
                       f"q={request.get('query_hash', '-')}{' cached' if response.get('cached') else ''}")
        return response
    return middleware


def _cors(origins: tuple[str, ...]):
    """Cross-origin reads for the named origins only (or every origin when '*' was given)."""
    anyone = "*" in origins

    @web.middleware
    async def middleware(request: web.Request, handler):
        origin = request.headers.get("Origin")
        allowed = origin is not None and (anyone or origin in origins)
        if request.method == "OPTIONS":
            if not allowed or request.path not in QUERY_PATHS:
                return _error_response(403, f"cross-origin requests from {origin or 'this page'} are not allowed here")
            return web.Response(status=204, headers={
                "Access-Control-Allow-Origin": "*" if anyone else origin,
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Accept, Content-Type",
                "Access-Control-Max-Age": "600",
                "Vary": "Origin"})
        response = await handler(request)
        if allowed:
            response.headers["Access-Control-Allow-Origin"] = "*" if anyone else origin
            response.headers["Vary"] = "Origin"
        return response
    return middleware


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


def _event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (Linux, macOS): it roughly halves the front's cost per request."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def serve(bind: str, config: FrontConfig, ready=None) -> None:
    """Run the endpoint until interrupted (Ctrl-C or SIGTERM); stops its Oxigraph servers."""
    host, port = split_bind(bind)
    upstream = start_upstream(config.output_dir, config.timeout_s)
    app = make_app(config, upstream)
    try:
        web.run_app(app, host=host, port=port, print=ready, access_log=None, handle_signals=True,
                    loop=_event_loop())
    finally:
        upstream.stop()
