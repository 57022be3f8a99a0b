"""The CORDIS-scale benchmark: `load cordis` + `build` + `gaps` + `synergies` at several scales, on
remkg's pipeline and on the same pipeline over rdflib's in-memory store, in one run.

    python bench/scale.py [--scales 0.01 0.1 1.0] [--cap 600] [--pipelines remkg rdflib] [--report FILE]
                          [--phases "load cordis" build rebuild gaps synergies] [--no-queries]

For each scale a CORDIS export is generated (bench/generate_cordis.py; 1.0 = 50,000 projects and
300,000 participations) next to a copy of the shipped curated data. Every phase runs as its own
child process; the runner records its wall time, its CPU time and peak resident memory (from
wait4: the CPU time is what to compare when other work shares the machine), the load average when
it started, and the triples of the build per second of the phase. A phase still running after --cap seconds is killed
and shown as capped, and that pipeline stops at that scale. Asked for, `rebuild` runs remkg's build
again into the same output folder, as after a new export is loaded (the curated data's checks are
then taken from the first build: kg.checks). At the largest scale the latency of
every named query on remkg's store is listed. At the end: the growth exponent of each phase
(slope of log time over log scale) and the table as Markdown (also written to --report).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generate_cordis import Generator  # noqa: E402

from kg.paths import data_dir as shipped_data_dir  # noqa: E402

PYTHON = sys.executable
REMKG = [PYTHON, "-m", "kg.cli"]
BASELINE = [PYTHON, str(BENCH / "rdflib_pipeline.py")]
DATE = "2025-01-01"


@dataclass
class Phase:
    pipeline: str
    scale: float
    name: str
    seconds: float
    cpu_seconds: float  # user + system: what the phase costs when other work shares the machine
    peak_mib: float
    status: str  # ok, capped, failed
    load: float = 0.0  # the machine's 1-minute load average when the phase started
    triples: int = 0
    detail: str = ""

    @property
    def rate(self) -> str:
        return f"{self.triples / self.seconds:,.0f}" if self.status == "ok" and self.triples and self.seconds else "–"


@dataclass
class Run:
    phases: list[Phase] = field(default_factory=list)
    queries: dict[str, float] = field(default_factory=dict)  # name -> seconds, at the largest scale
    inputs: dict[float, tuple[int, int, int]] = field(default_factory=dict)  # scale -> projects, participations, orgs


def measure(command: list[str], cap: float, cwd: Path) -> tuple[float, float, float, str, str]:
    """Run a child process; (wall seconds, CPU seconds, peak RSS in MiB, status, last output line)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        child = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                 env={**os.environ, "COLUMNS": "200"})
        status = "ok"
        while True:
            pid, code, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > cap:
                os.killpg(child.pid, signal.SIGKILL)
                pid, code, usage = os.wait4(child.pid, 0)
                status = "capped"
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        child.returncode = code
        if status == "ok" and code != 0:
            status = "failed"
        log.seek(0)
        lines = log.read().decode("utf-8", "replace").strip().splitlines()
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, status, (lines[-1] if lines else "")


def _triples(output: Path) -> int:
    path = output / "build.json"
    return json.loads(path.read_text())["triples"] if path.exists() else 0


PHASES = ("load cordis", "build", "rebuild", "gaps", "synergies")
# `rebuild` (remkg only, when asked): the same build again into the same output folder, as after a
# new export is loaded: the curated data's SHACL and HermiT results come from the first (kg.checks).
DEFAULT_PHASES = ("load cordis", "build", "gaps", "synergies")


def run_pipeline(pipeline: str, scale: float, export: Path, work: Path, cap: float,
                 wanted: tuple[str, ...] = DEFAULT_PHASES) -> list[Phase]:
    """One pipeline at one scale: its phases (those `wanted`), stopping at the first that fails or is capped."""
    data, output = work / f"data-{pipeline}", work / f"out-{pipeline}"
    shutil.copytree(shipped_data_dir(), data)
    build = [*REMKG, "build", "--data", str(data), "--output", str(output)] if pipeline == "remkg" \
        else [*BASELINE, "build", str(data), str(output)]
    gaps = [*REMKG, "gaps", "--date", DATE, "--format", "json", "--output", str(output)] if pipeline == "remkg" \
        else [*BASELINE, "gaps", str(output)]
    synergies = [*REMKG, "synergies", "--format", "json", "--output", str(output)] if pipeline == "remkg" \
        else [*BASELINE, "synergies", str(output)]
    steps = [("load cordis", [*REMKG, "load", "cordis", str(export), "--filter", "none", "--data", str(data)]),
             ("build", build), *([("rebuild", build)] if pipeline == "remkg" else []), ("gaps", gaps), ("synergies", synergies)]
    phases = []
    for name, command in (step for step in steps if step[0] in wanted):
        print(f"  {pipeline} {scale:g} {name}…", file=sys.stderr, flush=True)
        load = os.getloadavg()[0]
        seconds, cpu, peak, status, detail = measure(command, cap, work)
        phases.append(Phase(pipeline, scale, name, seconds, cpu, peak, status, load, detail=detail))
        if status != "ok":
            break
    for phase in phases:
        phase.triples = _triples(output)
    return phases


def query_latency(output: Path, runs: int = 3) -> dict[str, float]:
    """Median seconds of every named query (default parameters) on a built store."""
    from statistics import median

    from kg.query import bind_parameters, list_named, run_local

    found = {}
    for query in list_named():
        bindings = bind_parameters(query, {})
        found[query.name] = median(run_local(query.text, bindings, output).seconds for _ in range(runs))
    return found


def benchmark(scales: list[float], pipelines: list[str], cap: float, work: Path,
              phases: tuple[str, ...] = DEFAULT_PHASES, queries: bool = True) -> Run:
    run = Run()
    for scale in scales:
        folder = work / f"scale-{scale:g}"
        export = folder / "export"
        run.inputs[scale] = Generator(scale).write(export)
        print(f"scale {scale:g}: {run.inputs[scale][0]} projects, {run.inputs[scale][1]} participations", file=sys.stderr)
        for pipeline in pipelines:
            run.phases += run_pipeline(pipeline, scale, export, folder, cap, phases)
        remkg_built = folder / "out-remkg"
        if queries and scale == max(scales) and (remkg_built / "store").is_dir():
            run.queries = query_latency(remkg_built)
    return run


def growth(run: Run) -> dict[tuple[str, str], float]:
    """Per (pipeline, phase): the least-squares slope of log(seconds) over log(scale), from the
    scales where the phase finished. 1 = linear, 2 = quadratic."""
    slopes = {}
    for key in sorted({(p.pipeline, p.name) for p in run.phases}):
        points = [(math.log(p.scale), math.log(p.seconds)) for p in run.phases if (p.pipeline, p.name) == key and p.status == "ok"]
        if len(points) >= 2:
            mx = sum(x for x, _ in points) / len(points)
            my = sum(y for _, y in points) / len(points)
            slopes[key] = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return slopes


def markdown(run: Run) -> str:
    lines = ["| scale | projects | participations | pipeline | phase | wall s | cpu s | peak MiB | triples | triples/s | load | status |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for p in run.phases:
        projects, participations, _ = run.inputs[p.scale]
        lines.append(f"| {p.scale:g} | {projects:,} | {participations:,} | {p.pipeline} | {p.name} | {p.seconds:.1f} | {p.cpu_seconds:.1f} | "
                     f"{p.peak_mib:,.0f} | {p.triples:,} | {p.rate} | {p.load:.1f} | {p.status} |")
    slopes = growth(run)
    if slopes:
        lines += ["", "| pipeline | phase | growth exponent |", "|---|---|---|"]
        lines += [f"| {pipeline} | {name} | {slope:.2f} |" for (pipeline, name), slope in slopes.items()]
    if run.queries:
        lines += ["", "| named query (largest scale) | median ms |", "|---|---|"]
        lines += [f"| {name} | {seconds * 1000:.0f} |" for name, seconds in sorted(run.queries.items(), key=lambda kv: -kv[1])]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.01, 0.1, 1.0], help="1.0 = 50,000 projects")
    parser.add_argument("--pipelines", nargs="+", default=["remkg", "rdflib"], choices=["remkg", "rdflib"])
    parser.add_argument("--cap", type=float, default=600, help="seconds after which a phase is killed")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one, removed)")
    parser.add_argument("--report", type=Path, default=None, help="also write the Markdown table here")
    parser.add_argument("--phases", nargs="+", default=list(DEFAULT_PHASES), choices=PHASES,
                        help="the phases to run, in pipeline order (load cordis and build come first when asked; "
                             "rebuild, remkg only: the build again into the same output)")
    parser.add_argument("--no-queries", action="store_true", help="skip the named-query latencies at the largest scale")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="remkg-scale-"))
    try:
        table = markdown(benchmark(sorted(args.scales), args.pipelines, args.cap, work, tuple(args.phases), not args.no_queries))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(table)
    if args.report:
        args.report.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
