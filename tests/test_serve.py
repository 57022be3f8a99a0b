"""`remkg serve` as a website would meet it: a real front and Oxigraph server on 127.0.0.1, real HTTP
clients, a second local server that records any request the endpoint makes on a caller's behalf."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from email.message import Message
from pathlib import Path

import pytest

from .conftest import FIXTURES
from .test_query import _free_port, _wait_until_up

JSON = "application/sparql-results+json"
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ACRONYMS = "SELECT ?a WHERE { ?p a <https://w3id.org/remkg/ontology#Project> ; <https://w3id.org/remkg/ontology#acronym> ?a }"


@contextlib.contextmanager
def serving(output: Path, *options: str, echo_log: bool = True):
    """`remkg serve` on a free loopback port; yields (base URL, the process); always stopped.
    (bench/serve_attacks.py uses it too, with echo_log=False.)"""
    port = _free_port()
    with tempfile.TemporaryFile("w+") as log:  # a file, not a pipe: a full pipe would stall the server
        process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--output", str(output),
                                    "--bind", f"127.0.0.1:{port}", *options], stdout=log, stderr=log, text=True)
        try:
            _wait_until_up(f"http://127.0.0.1:{port}/logo.svg", process)
            yield f"http://127.0.0.1:{port}", process
        finally:
            process.terminate()
            process.wait(timeout=30)
            if echo_log:
                log.seek(0)
                print(log.read()[-5000:])  # the access log, shown when a test fails


def ask(url: str, query: str | None = None, method: str = "POST", headers: dict | None = None,
        body: bytes | None = None) -> tuple[int, Message, bytes]:
    """One request; returns status, headers (looked up by name in any case, as HTTP defines them)
    and body whatever the status."""
    headers = {"Accept": JSON, **(headers or {})}
    if query is not None and method == "GET":
        url += "?" + urllib.parse.urlencode({"query": query})
    elif query is not None:
        body = urllib.parse.urlencode({"query": query}).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@contextlib.contextmanager
def recording_server():
    """A local HTTP server that records every request it gets (the target of SERVICE attacks);
    yields (its URL, the list of requests it saw)."""
    seen = []

    answer = b'{"head":{"vars":["secret"]},"results":{"bindings":[{"secret":{"type":"literal","value":"admin page"}}]}}'

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _record(self):
            seen.append((self.command, self.path))
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", JSON)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = _record

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def recorder():
    with recording_server() as (url, seen):
        yield url, seen


@pytest.fixture(scope="module")
def endpoint(shipped):
    with serving(shipped, "--timeout", "2", "--max-result-mb", "0.2", "--cors", "https://cluster.example") as (url, process):
        yield url, process


def test_the_protocol_get_post_form_and_body_in_every_format(endpoint):
    url, _ = endpoint
    for method in ("GET", "POST"):
        status, headers, body = ask(f"{url}/query", ACRONYMS, method)
        assert status == 200 and "SUSMAGPRO" in {b["a"]["value"] for b in json.loads(body)["results"]["bindings"]}
    status, _, body = ask(f"{url}/sparql", method="POST", body=ACRONYMS.encode(),
                          headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert status == 200 and body.startswith(b"a\r\n") and b"SUSMAGPRO" in body
    for accept, start in [("application/sparql-results+xml", b"<?xml"), ("text/tab-separated-values", b"?a")]:
        status, headers, body = ask(f"{url}/query", ACRONYMS, headers={"Accept": accept})
        assert status == 200 and headers["Content-Type"].startswith(accept) and body.startswith(start), accept
    construct = "CONSTRUCT { ?p <http://e/acronym> ?a } WHERE { ?p <https://w3id.org/remkg/ontology#acronym> ?a }"
    for accept in ("text/turtle", "application/n-triples", "application/ld+json"):
        status, headers, body = ask(f"{url}/query", construct, headers={"Accept": accept})
        assert status == 200 and headers["Content-Type"].startswith(accept) and b"SUSMAGPRO" in body, accept
    status, headers, body = ask(f"{url}/", method="GET", headers={"Accept": "text/html"})
    assert status == 200 and b"yasgui" in body.lower()


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{target}/anything> {{ ?s ?p ?o }} }}",
    "select * where {{ service <{target}/anything> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{\n  SERVICE\n\n   <{target}/anything>\n {{ ?s ?p ?o }} }}",
    "# who is there?\nSELECT * WHERE {{ # SERVICE in a comment does not hide the real one\n SERVICE <{target}/anything> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{target}/anything> {{ ?s ?p ?o }} }}",
    "PREFIX t: <{target}/> SELECT * WHERE {{ SERVICE SILENT t:anything {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ VALUES ?where {{ <{target}/anything> }} SERVICE ?where {{ ?s ?p ?o }} }}",
])
def test_service_reaches_nothing_and_gets_400(endpoint, recorder, template):
    url, _ = endpoint
    target, seen = recorder
    for method in ("GET", "POST"):
        status, _, body = ask(f"{url}/query", template.format(target=target), method)
        assert status == 400 and b"SERVICE" in body, body
    status, _, body = ask(f"{url}/query", method="POST", body=template.format(target=target).encode(),
                          headers={"Content-Type": "application/sparql-query"})
    assert status == 400
    assert seen == []


@pytest.mark.parametrize("query", [
    'SELECT ?a WHERE { ?p <https://w3id.org/remkg/ontology#acronym> ?a FILTER(?a != "SERVICE <http://127.0.0.1:1/> {}") }',
    "# SERVICE <http://127.0.0.1:1/> { ?s ?p ?o }\nSELECT ?a WHERE { ?p <https://w3id.org/remkg/ontology#acronym> ?a }",
    "SELECT ?a WHERE { ?p <https://w3id.org/remkg/ontology#acronym> ?a OPTIONAL { ?p <http://e/SERVICE> ?service } }",
])
def test_the_word_service_in_strings_comments_and_names_is_not_refused(endpoint, query):
    status, _, body = ask(f"{endpoint[0]}/query", query)
    assert status == 200 and b"SUSMAGPRO" in body


def test_federation_only_to_listed_endpoints(shipped, recorder):
    target, seen = recorder
    with serving(shipped, "--allow-federation", f"{target}/allowed") as (url, _):
        status, _, body = ask(f"{url}/query", f"SELECT * WHERE {{ SERVICE <{target}/other> {{ ?s ?p ?o }} }}")
        assert status == 400 and f"{target}/other".encode() in body and seen == []
        status, _, body = ask(f"{url}/query", f"SELECT ?secret WHERE {{ SERVICE <{target}/allowed> {{ ?s ?p ?secret }} }}")
        assert status == 200 and b"admin page" in body, body
        assert [path for _, path in seen] == ["/allowed"]


def test_timeout_answers_503_with_a_whole_message(endpoint):
    status, headers, body = ask(f"{endpoint[0]}/query", CROSS_PRODUCT)
    assert status == 503 and headers["Retry-After"]
    text = body.decode()
    assert "timeout of 2 s" in text and text.endswith("\n") and "{" not in text
    streaming = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # rows flow until the cap or the timeout
    status, _, body = ask(f"{endpoint[0]}/query", streaming)
    assert status in (413, 503) and b"bindings" not in body


def test_result_over_the_cap_gets_413_saying_how_to_page(endpoint):
    status, _, body = ask(f"{endpoint[0]}/query", "SELECT * WHERE { ?s ?p ?o }")
    assert status == 413 and b"LIMIT" in body and b"OFFSET" in body
    status, _, body = ask(f"{endpoint[0]}/query", "SELECT * WHERE { ?s ?p ?o } LIMIT 100 OFFSET 100")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 100


def test_many_results_cut_at_the_cap_do_not_stall_the_store(endpoint):
    """Oxigraph writes a line to its stderr for every answer the front stops reading while it still
    writes (rows past the cap); a thousand of them would fill a pipe nobody reads and stall the store."""
    url, _ = endpoint
    endless = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: ask(f"{url}/query", endless)[0], range(1000)))
    assert set(statuses) == {413}
    assert ask(f"{url}/query", ACRONYMS)[0] == 200


def test_bad_requests_get_clear_answers(endpoint):
    url, _ = endpoint
    status, _, body = ask(f"{url}/query", "SELECT ?x WHERE {\n  ?x ?y \n}")
    assert status == 400 and b"line 3, column 2" in body
    status, _, body = ask(f"{url}/query", "SELECT * WHERE { ?s ?p ?o } # " + "x" * 200_000)
    assert status == 413 and b"at most" in body
    status, _, _ = ask(f"{url}/query", method="POST", body=b"update=DROP+ALL",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status in (400, 403)
    assert ask(f"{url}/update", method="POST", body=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})[0] in (404, 405)
    assert ask(f"{url}/store", method="GET")[0] == 404


def test_sixteen_clients_fifty_requests_each_without_an_error(endpoint):
    url, process = endpoint

    def client(number: int) -> list[int]:
        return [ask(f"{url}/query", ACRONYMS, "GET" if (number + i) % 2 else "POST")[0] for i in range(50)]

    with ThreadPoolExecutor(16) as pool:
        statuses = [status for batch in pool.map(client, range(16)) for status in batch]
    assert len(statuses) == 800 and set(statuses) == {200}


def test_beyond_the_concurrency_limit_429_with_retry_after(shipped):
    with serving(shipped, "--timeout", "3", "--max-running", "1", "--max-waiting", "0") as (url, _):
        with ThreadPoolExecutor(1) as pool:
            heavy = pool.submit(ask, f"{url}/query", CROSS_PRODUCT)
            time.sleep(1)  # let the heavy query take the only slot before light ones come
            _wait_for(lambda: heavy.done() or ask(f"{url}/query", ACRONYMS)[0] == 429)
            assert not heavy.done(), f"the heavy query ended before a light one was refused: {heavy.result()}"
            status, headers, body = ask(f"{url}/query", ACRONYMS)
            assert status == 429 and int(headers["Retry-After"]) >= 1 and b"retry" in body
            assert heavy.result()[0] == 503
        assert ask(f"{url}/query", ACRONYMS)[0] == 200


def _wait_for(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.05)


def test_cors_only_for_named_origins(endpoint):
    url, _ = endpoint
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    status, headers, _ = ask(f"{url}/query", method="OPTIONS", headers={"Origin": "https://cluster.example", **preflight})
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "https://cluster.example"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    status, headers, _ = ask(f"{url}/query", method="OPTIONS", headers={"Origin": "https://evil.example", **preflight})
    assert status == 403 and "Access-Control-Allow-Origin" not in headers
    status, headers, _ = ask(f"{url}/query", ACRONYMS, headers={"Origin": "https://cluster.example"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://cluster.example"
    status, headers, _ = ask(f"{url}/query", ACRONYMS, headers={"Origin": "https://evil.example"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers


def test_access_log_and_exposure_warning(shipped):
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--output", str(shipped), "--bind", f"0.0.0.0:{port}"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/logo.svg", process)
        assert ask(f"http://127.0.0.1:{port}/query", ACRONYMS)[0] == 200
    finally:
        process.terminate()
        _, log = process.communicate(timeout=30)
    assert "warning: listening on every network interface" in log and "read the whole graph" in " ".join(log.split())
    line = next(line for line in log.splitlines() if "POST /query" in line)
    assert " 200 " in line and "ms" in line and "q=" in line and line[:4].isdigit()


def statuses_while(url: str, action) -> tuple[list[int], object]:
    """Two clients keep sending a light query while `action` runs: the statuses they got, and what
    `action` returned. (bench/serve_attacks.py uses it too.)"""
    statuses, stop = [], threading.Event()

    def keep_asking():
        while not stop.is_set():
            statuses.append(ask(f"{url}/query", ACRONYMS)[0])

    with ThreadPoolExecutor(2) as pool:
        for _ in range(2):
            pool.submit(keep_asking)
        try:
            return statuses, action()
        finally:
            stop.set()


def test_a_rebuild_is_served_without_a_restart_or_a_failed_request(tmp_path):
    from kg.build import build

    output = tmp_path / "out"
    build(FIXTURES / "data_min", output)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/remkg/ontology#Project> }"

    def projects(url) -> int:
        status, _, body = ask(f"{url}/query", count)
        assert status == 200, body
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

    def rebuild_and_count(url) -> int:
        build(FIXTURES / "data_planted", output)
        return projects(url)

    with serving(output) as (url, _):
        before = projects(url)
        statuses, after = statuses_while(url, lambda: rebuild_and_count(url))
    assert after != before
    assert statuses and set(statuses) == {200}


def test_a_store_server_that_died_is_replaced(shipped):
    """Oxigraph aborts when it runs out of threads (each query keeps one for the whole timeout):
    the request that finds it gone gets 502, the next ones a new store server."""
    with serving(shipped) as (url, process):
        assert ask(f"{url}/query", ACRONYMS)[0] == 200
        store = int(Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()[0])
        os.kill(store, signal.SIGKILL)
        _wait_for(lambda: not Path(f"/proc/{store}/task").exists() or "Z" in Path(f"/proc/{store}/stat").read_text().split()[2])
        statuses = [ask(f"{url}/query", f"{ACRONYMS} # {number}")[0] for number in range(3)]
    assert statuses[0] in (200, 502) and statuses[1:] == [200, 200], statuses


def test_a_repeated_query_is_answered_by_the_front_alone(shipped):
    """A website repeats its queries: the same query in the same format is answered again without the
    store (its Oxigraph server paused here); another format, or an error, is not taken from the cache."""
    with serving(shipped, "--timeout", "2") as (url, process):
        status, _, first = ask(f"{url}/query", ACRONYMS)
        assert status == 200 and ask(f"{url}/query", CROSS_PRODUCT)[0] == 503
        store = int(Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()[0])
        os.kill(store, signal.SIGSTOP)
        try:
            assert ask(f"{url}/query", ACRONYMS)[::2] == (200, first)
            assert ask(f"{url}/query", ACRONYMS, headers={"Accept": "text/csv"})[0] == 503
            assert ask(f"{url}/query", CROSS_PRODUCT)[0] == 503
        finally:
            os.kill(store, signal.SIGCONT)
        assert ask(f"{url}/query", ACRONYMS, headers={"Accept": "text/csv"})[0] == 200


def test_the_front_reads_the_store_answer_whole_however_it_arrives(shipped):
    """The front's own client for its Oxigraph server: a real chunked answer gives the same body
    whatever pieces the network cuts it into, a body past the cap is refused, and the connection
    after that still works."""
    from kg.front import start_upstream
    from kg.upstream_http import TooLarge, UpstreamHTTP, _Exchange

    async def parsed(pieces) -> tuple[int, dict, bytes]:
        exchange, waiter = _Exchange(), asyncio.get_running_loop().create_future()
        exchange.expect(waiter, 1 << 30)
        for piece in pieces:
            exchange.data_received(piece)
        return await asyncio.wait_for(waiter, 1)

    async def ask_store(port: int) -> list:
        client, headers = UpstreamHTTP("127.0.0.1", port), {"Accept": JSON, "Content-Type": "application/sparql-query"}
        answers = [await client.request("POST", "/query", headers, ACRONYMS.encode())]
        with pytest.raises(TooLarge):
            await client.request("POST", "/query", headers, ACRONYMS.encode(), cap=100)
        answers.append(await client.request("POST", "/query", headers, ACRONYMS.encode()))
        client.close()
        return answers

    upstream = start_upstream(shipped, 30)
    try:
        with socket.create_connection(("127.0.0.1", upstream.port)) as sock:
            sock.sendall(b"POST /query HTTP/1.1\r\nHost: store\r\nAccept: " + JSON.encode() + b"\r\nContent-Type: "
                         b"application/sparql-query\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
                         % (len(ACRONYMS), ACRONYMS.encode()))
            raw = b"".join(iter(lambda: sock.recv(65536), b""))
        first, after_refusal = asyncio.run(ask_store(upstream.port))
    finally:
        upstream.stop()
    assert b"transfer-encoding: chunked" in raw.lower()
    status, headers, whole = asyncio.run(parsed([raw]))
    assert status == 200 and headers["content-type"] == JSON
    assert "SUSMAGPRO" in {b["a"]["value"] for b in json.loads(whole)["results"]["bindings"]}
    for size in (1, 2, 3, 7, 1000):
        assert asyncio.run(parsed([raw[i:i + size] for i in range(0, len(raw), size)]))[2] == whole, size
    assert first[2] == after_refusal[2] == whole


def test_a_cors_origin_without_scheme_is_refused_before_serving(shipped):
    run = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--output", str(shipped), "--cors", "cluster.example"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "https://" in run.stderr


def _raw_reply(sock: socket.socket, seconds: float = 15.0) -> bytes:
    """What the server sends until it closes the connection (or `seconds` pass)."""
    sock.settimeout(seconds)
    reply = b""
    with contextlib.suppress(OSError):
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


def test_oversized_and_slow_requests_are_refused_and_cost_no_memory(shipped):
    """A head of many megabytes gets 431 before the front keeps it; a head or a body sent slowly,
    or nothing sent at all, gets 408 after --client-timeout; a URL too long to parse gets 414 saying
    to POST. The server's memory stays flat and it answers the next query."""
    with serving(shipped, "--client-timeout", "1") as (url, process):
        port = int(url.rsplit(":", 1)[1])
        before = _peak_rss_kb(process.pid)
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Big: ")
            with contextlib.suppress(OSError):  # the server closes the connection while we send
                for _ in range(100):
                    sock.sendall(b"a" * 1_000_000)
            assert _raw_reply(sock).startswith(b"HTTP/1.1 431 ")
        assert _peak_rss_kb(process.pid) - before < 20_000

        for start in (b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n", b""):
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(start)
                started = time.monotonic()
                reply = _raw_reply(sock)
                assert reply.startswith(b"HTTP/1.1 408 ") and b"request line and headers" in reply
                assert time.monotonic() - started < 5

        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                         b"Content-Length: 100\r\n\r\nASK")
            reply = _raw_reply(sock)
            assert reply.startswith(b"HTTP/1.1 408 ") and b"body did not arrive" in reply

        status, _, body = ask(f"{url}/query", "ASK {} # " + "x" * 70_000, method="GET")
        assert status == 414 and b"POST" in body
        status, _, _ = ask(f"{url}/query", "ASK {} # " + "x" * 90_000)  # the same as a POST form is fine
        assert status == 200
        assert ask(f"{url}/query", ACRONYMS, "GET")[0] == 200


def _peak_rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def _statuses(sock: socket.socket, count: int, seconds: float = 30.0) -> list[int]:
    """The statuses of the next `count` answers on a kept-alive connection (each with a
    Content-Length), fewer when the server closes it first."""
    sock.settimeout(seconds)
    reader, statuses = sock.makefile("rb"), []
    with contextlib.suppress(OSError):
        while len(statuses) < count and (line := reader.readline()):
            headers = iter(reader.readline, b"\r\n")
            length = next((int(h.split(b":")[1]) for h in headers if h.lower().startswith(b"content-length:")), 0)
            reader.read(length + sum(0 for _ in headers))
            statuses.append(int(line.split()[1]))
    return statuses


def test_requests_pipelined_behind_a_slow_query_are_all_answered(shipped):
    """A head that arrived in time is not refused while the server itself is not reading it (it
    waits for the answers before it): a slow query, then two requests sent at once, the second
    head cut in two writes, get three answers, not a closed connection at --client-timeout."""
    slow = f"GET /query?{urllib.parse.urlencode({'query': CROSS_PRODUCT})} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    quick = f"GET /query?{urllib.parse.urlencode({'query': ACRONYMS})} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    with serving(shipped, "--client-timeout", "1", "--timeout", "3") as (url, _):
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as sock:
            sock.sendall(slow + quick + quick[:30])
            time.sleep(0.2)
            sock.sendall(quick[30:])
            assert _statuses(sock, 3) == [503, 200, 200]


def test_bytes_after_an_answer_that_begin_no_request_get_the_client_timeout(shipped):
    """A blank line after an answer, or the rest of a body the front answered without reading, ended
    uvicorn's keep-alive timer without starting a head: the connection was held for ever. Now the
    next head has --client-timeout from them; an idle kept-alive connection still serves again."""
    with serving(shipped, "--client-timeout", "1") as (url, _):
        port = int(url.rsplit(":", 1)[1])
        quick = f"GET /query?{urllib.parse.urlencode({'query': ACRONYMS})} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(quick)
            assert _statuses(sock, 1) == [200]
            time.sleep(1.5)
            sock.sendall(quick)
            assert _statuses(sock, 1) == [200]
        for first, then in ((quick, b"\r\n"), (b"POST /nothing HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n", b"a")):
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(first)
                assert _statuses(sock, 1) != []
                sock.sendall(then)
                started = time.monotonic()
                assert _raw_reply(sock, seconds=10).startswith(b"HTTP/1.1 408 ")
                assert time.monotonic() - started < 5


def test_a_body_too_large_announced_with_expect_100_continue_is_refused_before_it_is_sent(shipped):
    """A client that waits for "100 Continue" (curl does past 1 MB) is told 413 at once instead of
    being invited to send a body the front will throw away, and the connection is closed: its body
    was never sent, so nothing on it can be read as the next request."""
    with serving(shipped) as (url, _):
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as sock:
            sock.sendall(b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                         b"Expect: 100-continue\r\nContent-Length: 300000\r\n\r\n")
            started = time.monotonic()
            reply = _raw_reply(sock, seconds=20)
            assert reply.startswith(b"HTTP/1.1 413 ") and b"connection: close" in reply.lower()
            assert time.monotonic() - started < 5


def test_a_head_read_together_with_the_body_before_it_is_not_counted_whole(shipped):
    """A 35 KB head pipelined after a 99 KB form, its end sent a moment later: the read holding the
    form and the head's start is not all head, so no 431 (the cap is 128 KB); both are answered."""
    form = urllib.parse.urlencode({"query": "ASK {} #" + "x" * 99_000}).encode()
    post = (b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: %d\r\n\r\n" % len(form)) + form
    get = f"GET /query?{urllib.parse.urlencode({'query': 'ASK {} #' + 'y' * 35_000})} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    with serving(shipped) as (url, _):
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as sock:
            sock.sendall(post + get[:-10])
            time.sleep(0.2)
            sock.sendall(get[-10:])
            assert _statuses(sock, 2) == [200, 200]


def test_a_refused_head_does_not_cost_the_answer_before_it(shipped):
    """A head refused while the request before it is still being answered (pipelining) does not
    drop that answer: it is sent with Connection: close, then the connection closes."""
    slow = f"GET /query?{urllib.parse.urlencode({'query': CROSS_PRODUCT})} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    with serving(shipped, "--client-timeout", "1", "--timeout", "3") as (url, _):
        port = int(url.rsplit(":", 1)[1])
        for late in (b"GET /query?query=ASK", b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 300_000):  # stalled (408), huge (431)
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(slow + late)
                started = time.monotonic()
                reply = _raw_reply(sock, seconds=20)
                assert re.findall(rb"HTTP/1\.1 (\d{3}) ", reply) == [b"503"] and b"connection: close" in reply
                assert time.monotonic() - started < 15


def test_a_websocket_upgrade_is_ignored_and_the_request_answered(shipped):
    """The front speaks no WebSocket: an Upgrade header is ignored (RFC 9110, 7.8) and the request
    answered as any, by the protocol with the head limits, whatever WebSocket library is installed
    (with wsproto it was handed to uvicorn's WebSocket protocol and got 500)."""
    with serving(shipped) as (url, _):
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as sock:
            sock.sendall(f"GET /query?{urllib.parse.urlencode({'query': ACRONYMS})} HTTP/1.1\r\nHost: x\r\n"
                         "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode())
            assert _statuses(sock, 1) == [200]


def test_a_client_that_stops_reading_its_answer_is_cut_off(shipped):
    """An answer a client does not read waits in the front's memory (beyond what the kernel's socket
    buffer takes, a few MB; up to --max-result-mb): when none of it is taken for --client-timeout,
    the connection is aborted. Here a 20 MB answer."""
    rows = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 60000"
    query = f"GET /query?{urllib.parse.urlencode({'query': rows})} HTTP/1.1\r\nHost: x\r\nAccept: {JSON}\r\n\r\n"
    with serving(shipped, "--client-timeout", "1") as (url, _):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", int(url.rsplit(":", 1)[1])))
            sock.sendall(query.encode())
            time.sleep(4)
            reply = _raw_reply(sock, seconds=10)
    head, _, body = reply.partition(b"\r\n\r\n")
    declared = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")))
    assert declared > 10_000_000 and len(body) < declared
