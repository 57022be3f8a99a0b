"""Wall time of each `remkg build` phase on a data folder (default: the shipped data), over N runs.

    python bench/build_phases.py [--data data] [--runs 3]

Phases are timed between the build's own progress messages, so the split follows `kg.build`.
At the end: the CPU time of all runs (this process and HermiT's JVM; the wall time depends on what
else runs on the machine, so the load average is printed too) and this process's peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from kg.build import build
from kg.paths import data_dir as shipped_data_dir


def timed_build(data: Path, output: Path) -> dict[str, float]:
    """Seconds spent in each phase of one build, keyed by the progress message that opened it."""
    phases: dict[str, float] = {}
    current, started = None, time.perf_counter()

    def progress(step: str) -> None:
        nonlocal current, started
        now = time.perf_counter()
        if current is not None:
            phases[current] = now - started
        current, started = step, now

    build(data, output, progress=progress)
    if current is not None:
        phases[current] = time.perf_counter() - started
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None, help="data folder (default: the shipped data)")
    parser.add_argument("--runs", type=int, default=3, help="builds to time")
    args = parser.parse_args()
    data = args.data or shipped_data_dir()
    samples: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="remkg-bench-") as tmp:
        for run in range(args.runs):
            for phase, seconds in timed_build(data, Path(tmp) / f"build-{run}").items():
                samples[phase].append(seconds)
    print(f"{'phase':32} {'median s':>9} {'max s':>7}")
    for phase, seconds in samples.items():
        print(f"{phase:32} {statistics.median(seconds):9.2f} {max(seconds):7.2f}")
    totals = [sum(run) for run in zip(*samples.values())]
    print(f"{'total':32} {statistics.median(totals):9.2f} {max(totals):7.2f}")
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    print(f"cpu s (all runs, imports included) {cpu:.1f}; peak RSS of this process {own.ru_maxrss / 1024:,.0f} MiB; "
          f"load average {' '.join(f'{load:.2f}' for load in os.getloadavg())}")


if __name__ == "__main__":
    main()
