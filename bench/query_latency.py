"""Latency of every named query on a built store (default ./remkg-build): median wall time, the
CPU time of the median run (user+system of this process: what to compare when other work shares
the machine) and the slowest run, over N runs.

    python bench/query_latency.py [--output remkg-build] [--runs 20] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kg.query import bind_parameters, list_named, run_local
from kg.store import DEFAULT_OUTPUT


def timed(query, output: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, rows) of one run, rows read into Python as every caller reads them."""
    started, cpu = time.perf_counter(), time.process_time()
    result = run_local(query.text, bind_parameters(query, {}), output)
    return time.perf_counter() - started, time.process_time() - cpu, len(result.rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the build folder holding store/")
    parser.add_argument("--runs", type=int, default=20, help="runs per query")
    parser.add_argument("--only", nargs="*", default=None, help="only these named queries")
    args = parser.parse_args()
    print(f"{'query':34} {'rows':>6} {'median ms':>10} {'cpu ms':>8} {'max ms':>8}", flush=True)
    for query in list_named():
        if args.only and query.name not in args.only:
            continue
        runs = sorted(timed(query, args.output) for _ in range(args.runs))
        wall, cpu, rows = runs[len(runs) // 2]
        print(f"{query.name:34} {rows:6d} {wall * 1000:10.1f} {cpu * 1000:8.1f} {runs[-1][0] * 1000:8.1f}", flush=True)


if __name__ == "__main__":
    main()
