"""Request rate and latency of `remkg serve` (the front) against a bare `oxigraph serve-read-only` on
the same store and the same query, side by side in one run, at 1, 8 and 32 concurrent clients.

    python bench/serve_load.py [--output remkg-build] [--requests 400] [--clients 1 8 32]

Both servers listen on loopback only; each client sends a bounded number of POST requests on a
kept-alive connection. The query (default: 200 labelled things; or `--query NAME` for a
named query) is the same for both. Prints requests/s, p50 and p99 per server
and the front's cost relative to bare Oxigraph.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from kg.front import Upstream, free_loopback_port
from kg.query import bind_parameters, load_named, with_values
from kg.store import DEFAULT_OUTPUT

ACCEPT = "application/sparql-results+json"
DEFAULT_QUERY = ("SELECT ?thing ?label WHERE { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
                 "LIMIT 200")


async def _client(session: aiohttp.ClientSession, url: str, query: str, count: int, latencies: list[float], errors: list[int]) -> None:
    for _ in range(count):
        started = time.perf_counter()
        async with session.post(url, data=query.encode(), headers={"Content-Type": "application/sparql-query", "Accept": ACCEPT}) as reply:
            await reply.read()
            if reply.status != 200:
                errors.append(reply.status)
        latencies.append(time.perf_counter() - started)


async def load(url: str, query: str, clients: int, total: int) -> dict:
    latencies, errors = [], []
    per_client = max(1, total // clients)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients)) as session:
        await _client(session, url, query, 5, [], [])  # warm up
        started = time.perf_counter()
        await asyncio.gather(*(_client(session, url, query, per_client, latencies, errors) for _ in range(clients)))
        seconds = time.perf_counter() - started
    latencies.sort()
    return {"rate": len(latencies) / seconds, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, "errors": len(errors)}


def _wait(url: str, seconds: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the build folder holding store/")
    parser.add_argument("--query", default=None, help="a named query to send instead of the 200-row default")
    parser.add_argument("--requests", type=int, default=400, help="requests per measurement")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args()
    if args.query:
        named = load_named(args.query)
        query = with_values(named.text, bind_parameters(named, {}))
    else:
        query = DEFAULT_QUERY

    bare = Upstream(args.output, 30)
    port = free_loopback_port()
    front = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--output", str(args.output),
                              "--bind", f"127.0.0.1:{port}", "--max-running", "64"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        bare.wait_until_up()
        _wait(f"http://127.0.0.1:{port}/logo.svg")
        servers = {"oxigraph": f"{bare.url}/query", "remkg serve": f"http://127.0.0.1:{port}/query"}
        print(f"query {args.query or '200 labels'!r}, {args.requests} requests per measurement")
        print(f"{'clients':>7} {'server':12} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
        for clients in args.clients:
            results = {}
            for name, url in servers.items():
                results[name] = asyncio.run(load(url, query, clients, args.requests))
                r = results[name]
                print(f"{clients:7d} {name:12} {r['rate']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['errors']:6d}")
            cost = 1 - results["remkg serve"]["rate"] / results["oxigraph"]["rate"]
            print(f"{'':7} front costs {cost:.0%} of the bare rate")
    finally:
        front.terminate()
        front.wait(timeout=20)
        bare.stop()


if __name__ == "__main__":
    main()
