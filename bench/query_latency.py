"""Latency of every named query on a built store (default ./remkg-build): median wall time, the
CPU time of the median run (user+system of this process: what to compare when other work shares
the machine) and the slowest run, over N runs. A paged query (one with a `page:` line) is timed
for its first page, as `remkg query NAME` gives it, and with --whole also for the whole table at
once (`--all`, an export), over --whole-runs runs.

    python bench/query_latency.py [--output remkg-build] [--runs 20] [--whole] [--whole-runs 1] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kg.query import bind_parameters, list_named, run_local, run_page
from kg.store import DEFAULT_OUTPUT


def timed(read) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, rows) of one run, rows read into Python as every caller reads them."""
    started, cpu = time.perf_counter(), time.process_time()
    result = read()
    return time.perf_counter() - started, time.process_time() - cpu, len(result.rows)


def report(label: str, read, runs: int) -> None:
    found = sorted(timed(read) for _ in range(runs))
    wall, cpu, rows = found[len(found) // 2]
    print(f"{label:40} {rows:7d} {wall * 1000:10.1f} {cpu * 1000:8.1f} {found[-1][0] * 1000:8.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the build folder holding store/")
    parser.add_argument("--runs", type=int, default=20, help="runs per query (first page of a paged one)")
    parser.add_argument("--whole", action="store_true", help="also time each paged query's whole table (--all)")
    parser.add_argument("--whole-runs", type=int, default=1, help="runs of each whole table")
    parser.add_argument("--only", nargs="*", default=None, help="only these named queries")
    args = parser.parse_args()
    print(f"{'query':40} {'rows':>7} {'median ms':>10} {'cpu ms':>8} {'max ms':>8}", flush=True)
    queries = [query for query in list_named() if not args.only or query.name in args.only]
    for query in queries:
        bindings = bind_parameters(query, {})
        if query.paging:
            report(f"{query.name} (page 1)", lambda: run_page(query, bindings, 1, query.paging.size, output_dir=args.output), args.runs)
        else:
            report(query.name, lambda: run_local(query.text, bindings, args.output), args.runs)
    for query in queries if args.whole else ():
        if query.paging:
            report(f"{query.name} (--all)", lambda: run_local(query.text, bind_parameters(query, {}), args.output), args.whole_runs)


if __name__ == "__main__":
    main()
