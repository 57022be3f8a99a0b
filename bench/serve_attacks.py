"""Every attack and fault of issue 18 against a real `remkg serve`, with the answer it gets.

    python bench/serve_attacks.py [--output remkg-build]

Not a benchmark: a reproducible run of what the tests check one by one, printed as one table a
webmaster (or a reviewer) can read. It starts `remkg serve` on loopback with small limits
(--timeout 2, --max-result-mb 0.2, --max-running 1, --max-waiting 0, --cors for one origin) and a
local HTTP server that records every request made to it: the target of the SERVICE attacks, which
must see nothing. Run it on a copy of a build: the last row rebuilds the served folder.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kg.front import free_loopback_port
from kg.store import DEFAULT_OUTPUT

JSON = "application/sparql-results+json"
LIGHT = "SELECT ?a WHERE { ?p <https://w3id.org/remkg/ontology#acronym> ?a }"
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def ask(url: str, query: str | None = None, method: str = "POST", headers: dict | None = None,
        body: bytes | None = None) -> tuple[int, dict, bytes]:
    headers = {"Accept": JSON, **(headers or {})}
    if query is not None and method == "GET":
        url += "?" + urllib.parse.urlencode({"query": query})
    elif query is not None:
        body = urllib.parse.urlencode({"query": query}).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except OSError as error:
        return 0, {}, str(error).encode()


@contextlib.contextmanager
def recorder():
    """A local HTTP server answering anything with a 'secret'; yields its URL and what it saw."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self):
            seen.append(f"{self.command} {self.path}")
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = b'{"head":{"vars":["secret"]},"results":{"bindings":[]}}'
            self.send_response(200)
            self.send_header("Content-Type", JSON)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = _record

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def serving(output: Path, *options: str):
    """`remkg serve` on a free loopback port; yields its URL and a function returning its log so far."""
    port = free_loopback_port()
    with tempfile.TemporaryFile("w+") as log:  # a file, not a pipe: a full pipe would stall the server
        process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--output", str(output),
                                    "--bind", f"127.0.0.1:{port}", *options], stdout=log, stderr=log, text=True)
        url = f"http://127.0.0.1:{port}"

        def logged() -> str:
            log.seek(0)
            return log.read()

        try:
            deadline = time.monotonic() + 60
            while ask(f"{url}/logo.svg", method="GET")[0] != 200:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"remkg serve did not come up: {logged()[-2000:]}")
                time.sleep(0.1)
            yield url, logged
        finally:
            process.terminate()
            process.wait(timeout=30)


def answer(result: tuple[int, dict, bytes], *header_names: str) -> str:
    status, headers, body = result
    shown = " ".join(f"{name}: {headers[name]}" for name in header_names if name in headers)
    text = " ".join(body.decode("utf-8", errors="replace").split())
    return f"{status} {shown} {text[:110]!r}".replace("  ", " ")


def service_attacks(url: str, target: str, seen: list[str]) -> list[tuple[str, str]]:
    rows = []
    for name, query in [
        ("SERVICE <recorder>", f"SELECT * WHERE {{ SERVICE <{target}/a> {{ ?s ?p ?o }} }}"),
        ("service in lower case", f"select * where {{ service <{target}/b> {{ ?s ?p ?o }} }}"),
        ("SERVICE split across lines", f"SELECT * WHERE {{\n SERVICE\n\n  <{target}/c>\n {{ ?s ?p ?o }} }}"),
        ("comment before SERVICE", f"# hi\nSELECT * WHERE {{ # SERVICE here\n SERVICE <{target}/d> {{ ?s ?p ?o }} }}"),
        ("\\u0053ERVICE escape", f"SELECT * WHERE {{ \\u0053ERVICE <{target}/e> {{ ?s ?p ?o }} }}"),
        ("SERVICE SILENT prefixed name", f"PREFIX t: <{target}/> SELECT * WHERE {{ SERVICE SILENT t:f {{ ?s ?p ?o }} }}"),
        ("SERVICE ?variable bound by VALUES", f"SELECT * WHERE {{ VALUES ?w {{ <{target}/g> }} SERVICE ?w {{ ?s ?p ?o }} }}"),
        ("SERVICE inside OPTIONAL in a subquery", f"SELECT * WHERE {{ {{ SELECT * WHERE {{ OPTIONAL {{ SERVICE <{target}/h> {{ ?s ?p ?o }} }} }} }} }}"),
        ("FROM <recorder> (a remote graph)", f"SELECT * FROM <{target}/i> WHERE {{ ?s ?p ?o }} LIMIT 1"),
        ("SERVICE by GET", f"SELECT * WHERE {{ SERVICE <{target}/j> {{ ?s ?p ?o }} }}"),
        ("'SERVICE' in a string literal", 'SELECT ?a WHERE { ?p <https://w3id.org/remkg/ontology#acronym> ?a FILTER(?a != "SERVICE <http://127.0.0.1:1/> {}") }'),
        ("SERVICE in a comment only", "# SERVICE <http://127.0.0.1:1/> { ?s ?p ?o }\n" + LIGHT),
        ("SERVICE in an IRI", "SELECT ?a WHERE { ?p <https://w3id.org/remkg/ontology#acronym> ?a OPTIONAL { ?p <http://e/SERVICE> ?x } }"),
    ]:
        method = "GET" if "GET" in name else "POST"
        rows.append((f"{name}", answer(ask(f"{url}/query", query, method))))
    rows.append(("requests the recorder saw after all of the above", repr(seen) if seen else "none"))
    return rows


def fault_attacks(url: str) -> list[tuple[str, str]]:
    rows = [
        ("cross-product query, --timeout 2", answer(ask(f"{url}/query", CROSS_PRODUCT), "Retry-After")),
        ("streaming cross product (rows flow until cap or timeout)", answer(ask(f"{url}/query", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"))),
        ("every triple, over --max-result-mb 0.2", answer(ask(f"{url}/query", "SELECT * WHERE { ?s ?p ?o }"))),
        ("the same, paged with LIMIT 100 OFFSET 100", answer(ask(f"{url}/query", "SELECT * WHERE { ?s ?p ?o } LIMIT 100 OFFSET 100"))[:60]),
        ("a 200 KB query (form)", answer(ask(f"{url}/query", LIGHT + " #" + "x" * 200_000))),
        ("a 20 MB body", answer(ask(f"{url}/query", method="POST", body=b"x" * 20_000_000,
                                    headers={"Content-Type": "application/sparql-query"}))),
        ("syntax error on line 3", answer(ask(f"{url}/query", "SELECT ?x WHERE {\n  ?x ?y \n}"))),
        ("no query at all", answer(ask(f"{url}/query", method="GET"))),
        ("body as text/plain", answer(ask(f"{url}/query", method="POST", body=LIGHT.encode(), headers={"Content-Type": "text/plain"}))),
        ("body that is not UTF-8", answer(ask(f"{url}/query", method="POST", body=b"SELECT * WHERE { ?s ?p \xff }",
                                              headers={"Content-Type": "application/sparql-query"}))),
        ("update=DROP ALL as a form", answer(ask(f"{url}/query", method="POST", body=b"update=DROP+ALL",
                                                 headers={"Content-Type": "application/x-www-form-urlencoded"}))),
        ("POST /update DROP ALL", answer(ask(f"{url}/update", method="POST", body=b"DROP ALL",
                                             headers={"Content-Type": "application/sparql-update"}))),
        ("GET /store (Graph Store)", answer(ask(f"{url}/store", method="GET"))),
        ("LOAD <url> as a query", answer(ask(f"{url}/query", "LOAD <http://127.0.0.1:1/x>"))),
        ("Accept: image/png", answer(ask(f"{url}/query", LIGHT, headers={"Accept": "image/png"}))),
    ]
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    rows += [
        ("CORS preflight from the allowed origin", answer(ask(f"{url}/query", method="OPTIONS", headers={"Origin": "https://cluster.example", **preflight}), "Access-Control-Allow-Origin")),
        ("CORS preflight from another origin", answer(ask(f"{url}/query", method="OPTIONS", headers={"Origin": "https://evil.example", **preflight}), "Access-Control-Allow-Origin")),
        ("GET with another Origin (no CORS header, browser blocks the read)", answer(ask(f"{url}/query", LIGHT, "GET", headers={"Origin": "https://evil.example"}), "Access-Control-Allow-Origin")[:40]),
    ]
    with ThreadPoolExecutor(2) as pool:
        heavy = pool.submit(ask, f"{url}/query", CROSS_PRODUCT)
        time.sleep(1)
        rows.append(("a light query while the only slot runs a heavy one (--max-running 1 --max-waiting 0)",
                     answer(ask(f"{url}/query", LIGHT + " # new text, not cached"), "Retry-After")))
        rows.append(("the heavy query itself", answer(heavy.result(), "Retry-After")))
    return rows


def concurrency(url: str) -> tuple[str, str]:
    def client(number: int) -> list[int]:
        return [ask(f"{url}/query", LIGHT, "GET" if (number + i) % 2 else "POST")[0] for i in range(50)]

    with ThreadPoolExecutor(16) as pool:
        statuses = [status for batch in pool.map(client, range(16)) for status in batch]
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    return "16 clients x 50 requests (--max-running 16)", f"statuses {counts}"


def rebuild_while_serving(url: str, logged, output: Path) -> tuple[str, str]:
    from kg.build import build

    statuses, stop = [], threading.Event()

    def keep_asking():
        while not stop.is_set():
            statuses.append(ask(f"{url}/query", LIGHT)[0])

    with ThreadPoolExecutor(2) as pool:
        for _ in range(2):
            pool.submit(keep_asking)
        build(None, output)
        ask(f"{url}/query", LIGHT)
        stop.set()
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    switched = [line.split(" ", 1)[1] for line in logged().splitlines() if "serving the new build" in line]
    return ("remkg build into the served folder while 2 clients keep asking",
            f"log: {switched or 'NO SWITCH LOGGED'}; statuses meanwhile {counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="a build folder (the last check rebuilds it)")
    args = parser.parse_args()
    rows = []
    with recorder() as (target, seen):
        with serving(args.output, "--timeout", "2", "--max-result-mb", "0.2", "--max-running", "1",
                     "--max-waiting", "0", "--cors", "https://cluster.example") as (url, _):
            rows += service_attacks(url, target, seen)
            rows += fault_attacks(url)
        with serving(args.output, "--allow-federation", f"{target}/allowed") as (url, _):
            rows.append(("--allow-federation <recorder>/allowed: SERVICE to it",
                         answer(ask(f"{url}/query", f"SELECT * WHERE {{ SERVICE <{target}/allowed> {{ ?s ?p ?o }} }}"))[:60]))
            rows.append(("... and SERVICE to another path of the same host",
                         answer(ask(f"{url}/query", f"SELECT * WHERE {{ SERVICE <{target}/other> {{ ?s ?p ?o }} }}"))))
            rows.append(("requests the recorder saw", repr(seen)))
    with serving(args.output) as (url, logged):
        rows.append(concurrency(url))
        rows.append(rebuild_while_serving(url, logged, args.output))
    width = max(len(name) for name, _ in rows)
    for name, result in rows:
        print(f"{name:{width}}  {result}")


if __name__ == "__main__":
    main()
