"""Request rate and latency of `remkg serve` (the front) against a bare `oxigraph serve-read-only` on
the same store and the same query, side by side in one run, at 1, 8 and 32 concurrent clients.

    python bench/serve_load.py [--output remkg-build] [--requests 2000] [--clients 1 8 32] [--rounds 4]
                               [--generator python|wrk] [--seconds 3] [--timeout 5]

Both servers listen on loopback only and run with the same query timeout; each client sends POST
requests on a kept-alive connection, in rounds that alternate between the two servers. The query
(default: 200 labelled things; or `--query NAME` for a named query) is the same for both, in two
ways:

- `repeated`: the same text every time, as a website's widgets send it (the front answers repeats
  from its cache of complete answers);
- `distinct`: a different comment at the end of every request, so every request is new to the
  front and goes through to Oxigraph (the cost of the front's checks and its loopback hop).

The load comes from this script's aiohttp clients (a bounded number of requests per round; runs
anywhere) or, with `--generator wrk`, from wrk (a C load generator, if installed; each round lasts
`--seconds`): the Python clients spend 0.2-0.4 ms of the same cores per request, wrk a tenth of it.

Prints requests/s, p50 and p99 per server and the front's cost relative to bare Oxigraph, with the
CPU time (user+sys) of each server's processes and of the load generator per request: the machine
may be shared, and wall-time rates alone would hide that.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
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
TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (the front's private Oxigraph servers), from /proc."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending.extend(int(child) for child in (task / "children").read_text().split())
            except FileNotFoundError:  # a thread that ended meanwhile
                continue
    return found


def cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process tree so far."""
    total = 0
    for member in process_tree(pid):
        fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def peak_rss_mb(pid: int) -> float:
    """The sum of each process's peak resident set (VmHWM) in a process tree."""
    total = 0
    for member in process_tree(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


async def _client(session: aiohttp.ClientSession, url: str, texts, count: int, latencies: list[float], errors: list[int]) -> None:
    for _ in range(count):
        started = time.perf_counter()
        async with session.post(url, data=next(texts).encode(), headers={"Content-Type": "application/sparql-query", "Accept": ACCEPT}) as reply:
            await reply.read()
            if reply.status != 200:
                errors.append(reply.status)
        latencies.append(time.perf_counter() - started)


async def load(url: str, texts, clients: int, total: int, server_pid: int) -> dict:
    """`total` requests from `clients` concurrent clients: latencies, errors, wall and CPU seconds."""
    latencies, errors = [], []
    per_client = max(1, total // clients)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients)) as session:
        await _client(session, url, texts, 5, [], [])  # warm up
        server_cpu, own_cpu, started = cpu_seconds(server_pid), time.process_time(), time.perf_counter()
        await asyncio.gather(*(_client(session, url, texts, per_client, latencies, errors) for _ in range(clients)))
        seconds = time.perf_counter() - started
        server_cpu, own_cpu = cpu_seconds(server_pid) - server_cpu, time.process_time() - own_cpu
    return {"latencies": latencies, "errors": len(errors), "seconds": seconds, "server_cpu": server_cpu, "own_cpu": own_cpu}


WRK_SCRIPT = """
local query, accept = os.getenv("SERVE_LOAD_QUERY"), os.getenv("SERVE_LOAD_ACCEPT")
local prefix = os.getenv("SERVE_LOAD_DISTINCT")  -- unset: the same text every time
local threads = 0
function setup(thread) thread:set("number", threads); threads = threads + 1 end
function init(args) sent = 0 end
function request()
  sent = sent + 1
  local body = query
  if prefix then body = query .. "\\n# request " .. prefix .. "." .. number .. "." .. sent end
  return wrk.format("POST", nil, {["Content-Type"] = "application/sparql-query", ["Accept"] = accept}, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %f %f %d\\n", summary.requests, summary.duration, latency:percentile(50),
                         latency:percentile(99), e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def wrk_load(url: str, query: str, mode: str, clients: int, seconds: float, server_pid: int) -> dict:
    """`clients` connections of wrk (a C load generator, one thread) for `seconds`: what wrk counted
    (its latency percentiles, not every latency), with the server's and wrk's CPU seconds."""
    import resource
    import tempfile

    environment = {**os.environ, "SERVE_LOAD_QUERY": query, "SERVE_LOAD_ACCEPT": ACCEPT}
    if mode == "distinct":
        environment["SERVE_LOAD_DISTINCT"] = str(next(REQUEST_NUMBERS))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT)
        script.flush()
        before, server_cpu = resource.getrusage(resource.RUSAGE_CHILDREN), cpu_seconds(server_pid)
        run = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "-s", script.name, url],
                             capture_output=True, text=True, env=environment, check=True)
        server_cpu, after = cpu_seconds(server_pid) - server_cpu, resource.getrusage(resource.RUSAGE_CHILDREN)
    count, micros, p50, p99, errors = run.stdout.split("RESULT ")[1].split()
    return {"count": int(count), "seconds": int(micros) / 1e6, "p50": float(p50) / 1000, "p99": float(p99) / 1000,
            "errors": int(errors), "server_cpu": server_cpu,
            "own_cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime}


def side_by_side(servers: dict, measure, rounds: int) -> dict:
    """Each server measured in `rounds` alternating rounds (bare, front, bare, front, ...): on a
    shared machine the load drifts, and alternating lets both servers meet the same drift.
    `measure(url, pid)` is one round."""
    runs = {name: [] for name in servers}
    for _ in range(rounds):
        for name, (url, pid) in servers.items():
            runs[name].append(measure(url, pid))
    return {name: summary(parts) for name, parts in runs.items()}


def summary(parts: list[dict]) -> dict:
    """Rate and CPU over all rounds; p50/p99 over every latency (Python client), or the median of
    the rounds' percentiles (wrk reports percentiles only)."""
    if "latencies" in parts[0]:
        latencies = sorted(latency for part in parts for latency in part["latencies"])
        count = len(latencies)
        p50, p99 = statistics.median(latencies) * 1000, latencies[min(count - 1, int(count * 0.99))] * 1000
    else:
        count = sum(part["count"] for part in parts)
        p50, p99 = (statistics.median(part[name] for part in parts) for name in ("p50", "p99"))
    return {"rate": count / sum(part["seconds"] for part in parts), "p50": p50, "p99": p99,
            "errors": sum(part["errors"] for part in parts),
            "server_cpu_ms": sum(part["server_cpu"] for part in parts) * 1000 / count,
            "client_cpu_ms": sum(part["own_cpu"] for part in parts) * 1000 / count}


REQUEST_NUMBERS = itertools.count()  # one sequence for the whole run: no text is sent twice in `distinct`


def texts_for(query: str, mode: str):
    """The query texts a measurement sends: the same one, or each with its own trailing comment."""
    if mode == "repeated":
        return itertools.repeat(query)
    return (f"{query}\n# request {number}" for number in REQUEST_NUMBERS)


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
    parser.add_argument("--requests", type=int, default=2000, help="requests per measurement")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--modes", nargs="+", choices=["repeated", "distinct"], default=["repeated", "distinct"])
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds the requests are split into")
    parser.add_argument("--generator", choices=["python", "wrk"], default="python",
                        help="the load generator: this script's aiohttp clients (default, runs anywhere), or wrk "
                             "(C, if installed: it leaves more of the shared cores to the servers)")
    parser.add_argument("--seconds", type=float, default=3.0, help="with wrk: seconds per round")
    parser.add_argument("--timeout", type=int, default=5,
                        help="query timeout of both servers; Oxigraph's keeps a thread per query for that long, "
                             "and tens of thousands of them (30 s at wrk's rates) abort it")
    args = parser.parse_args()
    if args.query:
        named = load_named(args.query)
        query = with_values(named.text, bind_parameters(named, {}))
    else:
        query = DEFAULT_QUERY

    bare = Upstream(args.output, args.timeout, stderr=subprocess.DEVNULL)  # a line per connection wrk drops at the end
    port = free_loopback_port()
    front = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--output", str(args.output),
                              "--bind", f"127.0.0.1:{port}", "--max-running", "64", "--timeout", str(args.timeout)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        bare.wait_until_up()
        _wait(f"http://127.0.0.1:{port}/logo.svg")
        servers = {"oxigraph": (f"{bare.url}/query", bare.process.pid),
                   "remkg serve": (f"http://127.0.0.1:{port}/query", front.pid)}
        amount = f"{args.seconds:g} s" if args.generator == "wrk" else f"{args.requests // args.rounds} requests"
        print(f"query {args.query or '200 labels'!r}, load generator {args.generator}, {args.rounds} alternating rounds "
              f"of {amount} per server and measurement, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start")
        print(f"{'mode':9} {'clients':>7} {'server':12} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
              f"{'server CPU ms/req':>17} {'client CPU ms/req':>17}")
        for mode in args.modes:
            for clients in args.clients:
                if args.generator == "wrk":
                    def measure(url, pid):
                        return wrk_load(url, query, mode, clients, args.seconds, pid)
                else:
                    texts = texts_for(query, mode)

                    def measure(url, pid):
                        return asyncio.run(load(url, texts, clients, args.requests // args.rounds, pid))
                results = side_by_side(servers, measure, args.rounds)
                for name, r in results.items():
                    print(f"{mode:9} {clients:7d} {name:12} {r['rate']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['errors']:6d} "
                          f"{r['server_cpu_ms']:17.3f} {r['client_cpu_ms']:17.3f}")
                cost = 1 - results["remkg serve"]["rate"] / results["oxigraph"]["rate"]
                print(f"{'':17} front costs {cost:.0%} of the bare rate")
        print(f"peak RSS: oxigraph {peak_rss_mb(bare.process.pid):.0f} MB, remkg serve (front and its Oxigraph) "
              f"{peak_rss_mb(front.pid):.0f} MB; load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        front.terminate()
        front.wait(timeout=20)
        bare.stop()


if __name__ == "__main__":
    main()
