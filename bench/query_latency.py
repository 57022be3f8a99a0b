"""Latency of every named query on a built store (default ./remkg-build): median and max of N runs.

    python bench/query_latency.py [--output remkg-build] [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from kg.query import bind_parameters, list_named, run_local
from kg.store import DEFAULT_OUTPUT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the build folder holding store/")
    parser.add_argument("--runs", type=int, default=20, help="runs per query")
    args = parser.parse_args()
    print(f"{'query':34} {'rows':>5} {'median ms':>10} {'max ms':>8}")
    for query in list_named():
        bindings = bind_parameters(query, {})
        timings, rows = [], 0
        for _ in range(args.runs):
            result = run_local(query.text, bindings, args.output)
            timings.append(result.seconds * 1000)
            rows = len(result.rows)
        print(f"{query.name:34} {rows:5d} {statistics.median(timings):10.2f} {max(timings):8.2f}")


if __name__ == "__main__":
    main()
