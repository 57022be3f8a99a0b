"""Wall time, CPU time and peak RSS of `remkg gaps` and `remkg synergies` on a built store, each
as its own child process (as an analyst runs them), and where an in-process run spends its time.

    python bench/analysis_latency.py --output remkg-build [--date 2025-01-01] [--runs 3] [--cold]

With --cold every `gaps` run is the first analysis after a build: the analysis tables kept beside
the store (OUTPUT/analysis-tables.json) are removed before it, so it reads the store and writes
them again; `synergies` then runs on them, as it would next. The CPU time (user+system, from
wait4) is the figure to compare when other work shares the machine; the load average is printed
before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import PYTHON, measure  # noqa: E402


def commands(output: Path, date: str) -> dict[str, list[str]]:
    remkg = [PYTHON, "-m", "kg.cli"]
    return {"gaps": [*remkg, "gaps", "--date", date, "--format", "json", "--output", str(output)],
            "synergies": [*remkg, "synergies", "--format", "json", "--output", str(output)]}


def forget_tables(output: Path) -> None:
    """Remove the analysis tables kept beside the store, as a new build does."""
    from kg.analysis.cache import CACHE_NAME

    (output / CACHE_NAME).unlink(missing_ok=True)


def parts(output: Path, date: str) -> list[tuple[str, float, float]]:
    """(part, wall seconds, CPU seconds) of one in-process analysis, part by part."""
    from kg.analysis.network import load_ecosystem
    from kg.analysis.run import Analysis

    timings = []

    def timed(name: str, work):
        started, cpu = time.perf_counter(), time.process_time()
        result = work()
        timings.append((name, time.perf_counter() - started, time.process_time() - cpu))
        return result

    eco = timed("load ecosystem", lambda: load_ecosystem(output))
    analysis = Analysis(eco, dt.date.fromisoformat(date), 24)
    for name in ("gaps", "states", "synergies", "brokers", "communities", "pilots"):
        timed(name, lambda name=name: getattr(analysis, name))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, required=True, help="the build folder holding store/")
    parser.add_argument("--date", default="2025-01-01", help="the day gaps looks at")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (the median is shown)")
    parser.add_argument("--cold", action="store_true", help="remove the kept analysis tables before each gaps run")
    args = parser.parse_args()
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"{'command':10} {'wall s':>7} {'cpu s':>7} {'peak MiB':>9}  status")
    total_wall = total_cpu = 0.0
    for name, command in commands(args.output, args.date).items():
        runs = []
        for _ in range(args.runs):
            if args.cold and name == "gaps":
                forget_tables(args.output)
            runs.append(measure(command, 600, Path.cwd())[:4])
        wall, cpu, peak, status = sorted(runs)[len(runs) // 2]
        total_wall, total_cpu = total_wall + wall, total_cpu + cpu
        print(f"{name:10} {wall:7.2f} {cpu:7.2f} {peak:9.0f}  {status}", flush=True)
    print(f"{'together':10} {total_wall:7.2f} {total_cpu:7.2f}")
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"\n{'in-process part':16} {'wall s':>7} {'cpu s':>7}")
    for name, wall, cpu in parts(args.output, args.date):
        print(f"{name:16} {wall:7.2f} {cpu:7.2f}", flush=True)


if __name__ == "__main__":
    main()
