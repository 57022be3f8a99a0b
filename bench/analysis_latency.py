"""Wall time, CPU time and peak RSS of `remkg gaps` and `remkg synergies` on a built store, each
as its own child process (as an analyst runs them), and where an in-process run spends its time.

    python bench/analysis_latency.py --output remkg-build [--date 2025-01-01] [--runs 3]

The CPU time (user+system, from wait4) is the figure to compare when other work shares the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import PYTHON, measure  # noqa: E402


def commands(output: Path, date: str) -> dict[str, list[str]]:
    remkg = [PYTHON, "-m", "kg.cli"]
    return {"gaps": [*remkg, "gaps", "--date", date, "--format", "json", "--output", str(output)],
            "synergies": [*remkg, "synergies", "--format", "json", "--output", str(output)]}


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
    args = parser.parse_args()
    print(f"{'command':10} {'wall s':>7} {'cpu s':>7} {'peak MiB':>9}  status")
    total = 0.0
    for name, command in commands(args.output, args.date).items():
        runs = sorted(measure(command, 600, Path.cwd())[:4] for _ in range(args.runs))
        wall, cpu, peak, status = runs[len(runs) // 2]
        total += wall
        print(f"{name:10} {wall:7.2f} {cpu:7.2f} {peak:9.0f}  {status}", flush=True)
    print(f"{'together':10} {total:7.2f}")
    print(f"\n{'in-process part':16} {'wall s':>7} {'cpu s':>7}")
    for name, wall, cpu in parts(args.output, args.date):
        print(f"{name:16} {wall:7.2f} {cpu:7.2f}", flush=True)


if __name__ == "__main__":
    main()
