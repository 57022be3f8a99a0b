"""Every attack and fault of issue 18 against a real `remkg serve`, with the answer it gets.

    python bench/serve_attacks.py [--output remkg-build]

Not a benchmark: a reproducible run of what the tests check one by one (with the tests' own
helpers), printed as one table a webmaster (or a reviewer) can read. It starts `remkg serve` on loopback with small limits
(--timeout 2, --max-result-mb 0.2, --max-running 1, --max-waiting 0, --client-timeout 2, --cors for
one origin) and a
local HTTP server that records every request made to it: the target of the SERVICE attacks, which
must see nothing. Run it on a copy of a build: the last row rebuilds the served folder.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import Message
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' helpers: one way to start and ask the server

from kg.store import DEFAULT_OUTPUT  # noqa: E402
from tests.test_serve import CROSS_PRODUCT, _raw_reply, ask, recording_server, serving, statuses_while  # noqa: E402

LIGHT = "SELECT ?a WHERE { ?p <https://w3id.org/remkg/ontology#acronym> ?a }"


def store_server(front_pid: int) -> set[int]:
    """The process ids of the front's private Oxigraph servers (its children, whatever thread started them)."""
    return {int(child) for task in Path(f"/proc/{front_pid}/task").glob("*")
            for child in (task / "children").read_text().split()}


def answer(result: tuple[int, Message, bytes], *header_names: str) -> str:
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


def raw(url: str, sent: bytes, then: bytes = b"", times: int = 0) -> str:
    """What the server answers on a plain socket to `sent` followed by `then` sent `times` times."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    started = time.monotonic()
    with socket.create_connection((host, int(port))) as sock:
        with contextlib.suppress(OSError):  # the server may close while we still send
            sock.sendall(sent)
            for _ in range(times):
                sock.sendall(then)
        reply = _raw_reply(sock)
    status_line, _, rest = reply.partition(b"\r\n")
    body = rest.partition(b"\r\n\r\n")[2]
    return f"{status_line.decode('latin-1')} after {time.monotonic() - started:.1f} s: {body.decode('utf-8', 'replace').strip()[:90]!r}"


def head_attacks(url: str) -> list[tuple[str, str]]:
    get = b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n"
    return [
        ("a 100 MB header (--client-timeout 2 for the rows below)", raw(url, get + b"X-Big: ", b"a" * 1_000_000, 100)),
        ("a head sent without its end (slow loris)", raw(url, get)),
        ("a connection that sends nothing", raw(url, b"")),
        ("a body announced as 100 bytes, 3 sent", raw(url, b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                                         b"application/sparql-query\r\nContent-Length: 100\r\n\r\nASK")),
        ("a 70 KB query by GET", answer(ask(f"{url}/query", LIGHT + " #" + "x" * 70_000, "GET"))),
    ]


def concurrency(url: str) -> tuple[str, str]:
    def client(number: int) -> list[int]:
        return [ask(f"{url}/query", LIGHT, "GET" if (number + i) % 2 else "POST")[0] for i in range(50)]

    with ThreadPoolExecutor(16) as pool:
        statuses = [status for batch in pool.map(client, range(16)) for status in batch]
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    return "16 clients x 50 requests (--max-running 16)", f"statuses {counts}"


def rebuild_while_serving(url: str, front_pid: int, output: Path) -> tuple[str, str]:
    from kg.build import build

    before = store_server(front_pid)
    statuses, _ = statuses_while(url, lambda: build(None, output))
    ask(f"{url}/query", LIGHT)
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    after = store_server(front_pid)
    switched = f"store server {sorted(before)} replaced by {sorted(after)}" if after and not after & before else \
        f"STORE SERVER NOT REPLACED ({sorted(before)} -> {sorted(after)})"
    return "remkg build into the served folder while 2 clients keep asking", f"{switched}; statuses meanwhile {counts}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="a build folder (the last check rebuilds it)")
    args = parser.parse_args()
    rows = []
    with recording_server() as (target, seen):
        with serving(args.output, "--timeout", "2", "--max-result-mb", "0.2", "--max-running", "1",
                     "--max-waiting", "0", "--cors", "https://cluster.example", "--client-timeout", "2",
                     echo_log=False) as (url, _):
            rows += service_attacks(url, target, seen)
            rows += fault_attacks(url)
            rows += head_attacks(url)
        with serving(args.output, "--allow-federation", f"{target}/allowed", echo_log=False) as (url, _):
            rows.append(("--allow-federation <recorder>/allowed: SERVICE to it",
                         answer(ask(f"{url}/query", f"SELECT * WHERE {{ SERVICE <{target}/allowed> {{ ?s ?p ?o }} }}"))[:60]))
            rows.append(("... and SERVICE to another path of the same host",
                         answer(ask(f"{url}/query", f"SELECT * WHERE {{ SERVICE <{target}/other> {{ ?s ?p ?o }} }}"))))
            rows.append(("requests the recorder saw", repr(seen)))
    with serving(args.output, echo_log=False) as (url, front):
        rows.append(concurrency(url))
        rows.append(rebuild_while_serving(url, front.pid, args.output))
    width = max(len(name) for name, _ in rows)
    for name, result in rows:
        print(f"{name:{width}}  {result}")


if __name__ == "__main__":
    main()
