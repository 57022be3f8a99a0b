"""One analysis run over the built store: everything the commands and the report show.

Each part is computed when first asked for, so `remkg gaps` does not pay for brokers and
communities, which dominate the cost on a CORDIS-sized network; nor does it import what only
synergies need (SciPy and igraph, through kg.analysis.synergies)."""

from __future__ import annotations

import datetime as dt
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kg.analysis.gaps import EVIDENCE_MAX_AGE_MONTHS, Gap, StageState, all_gaps, coverage_states
from kg.analysis.network import Ecosystem, load_ecosystem
from kg.analysis.pilots import PilotScore, pilot_scores
from kg.store import DEFAULT_OUTPUT

if TYPE_CHECKING:  # pragma: no cover
    from kg.analysis.synergies import Broker, Community, Synergy


@dataclass
class Analysis:
    eco: Ecosystem
    day: dt.date
    horizon_months: int
    evidence: bool = False
    evidence_max_age: int = EVIDENCE_MAX_AGE_MONTHS
    resting_on_suggestions: int | None = None  # conclusions that change without machine suggestions (None: not used)
    brokers_beside: Callable[[], list[Broker]] | None = None  # set by compute_brokers_beside()

    @cached_property
    def gaps(self) -> list[Gap]:
        return all_gaps(self.eco, self.day, self.horizon_months, self.evidence, self.evidence_max_age)

    @cached_property
    def synergies(self) -> list[Synergy]:
        return all_synergies(self.eco)

    @cached_property
    def brokers(self) -> list[Broker]:
        if self.brokers_beside is not None:
            return self.brokers_beside()
        from kg.analysis.synergies import brokers

        return brokers(self.eco)

    def compute_brokers_beside(self) -> None:
        """Start the brokers in a forked copy of this process, so that the synergies and communities
        computed meanwhile do not wait for them. On a large graph (kg.analysis.scale.chosen) each
        of the three takes about 2 s of one core at CORDIS scale, and igraph holds the GIL, so a
        thread would not overlap. The collaboration network is built before the fork: both read it."""
        from kg.analysis import scale

        if not hasattr(os, "fork") or not scale.chosen(self.eco):
            return
        from kg.analysis.synergies import brokers

        self.eco.incidence.graph  # built here, once, for both processes
        self.brokers_beside = forked(lambda: brokers(self.eco))

    @cached_property
    def communities(self) -> list[Community]:
        from kg.analysis.synergies import communities

        return communities(self.eco)

    @cached_property
    def pilots(self) -> list[PilotScore]:
        return pilot_scores(self.eco, self.gaps)

    @cached_property
    def states(self) -> list[StageState]:
        return coverage_states(self.eco, self.day, self.evidence_max_age)


def all_synergies(eco: Ecosystem) -> list[Synergy]:
    from kg.analysis.synergies import complementary, shared_partners, similar

    return shared_partners(eco) + complementary(eco) + similar(eco)


def analyse(output_dir: Path = DEFAULT_OUTPUT, day: dt.date | None = None, horizon_months: int = 24,
            write: bool = False, evidence: bool = False, evidence_max_age: int = EVIDENCE_MAX_AGE_MONTHS,
            with_suggestions: bool = False) -> Analysis:
    """Gaps, synergies, brokers, communities and pilot scores on `day` (default: today).
    With `write`, the results also replace the `analysis` named graph of the store; with `evidence`,
    stages covered only by evidence of activity (events of undated projects) count as covered. With
    `with_suggestions`, machine-suggested concepts count too, and the result says how many gaps and
    synergy candidates rest on them (those that differ from a run without them)."""
    day = day or dt.date.today()
    result = Analysis(load_ecosystem(output_dir, with_suggestions=with_suggestions), day, horizon_months, evidence, evidence_max_age)
    if with_suggestions:
        plain = Analysis(load_ecosystem(output_dir), day, horizon_months, evidence, evidence_max_age)
        without = {(g.kind, g.label) for g in plain.gaps} | {(s.kind, s.a, s.b) for s in plain.synergies}
        found = {(g.kind, g.label) for g in result.gaps} | {(s.kind, s.a, s.b) for s in result.synergies}
        result.resting_on_suggestions = len(found ^ without)
    if write:
        from kg.analysis.rdf import analysis_graph, write_analysis

        write_analysis(analysis_graph(result.gaps, result.synergies, day), output_dir)
    return result


def forked(compute: Callable[[], object]) -> Callable[[], object]:
    """compute() run in a forked copy of this process; returns a function that waits for its result
    (sent back pickled through a pipe) or raises the error it ended with."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: compute, send, and leave without running this process's exit handlers
        os.close(read_end)
        try:
            payload = pickle.dumps((True, compute()))
        except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent
            payload = pickle.dumps((False, f"{type(error).__name__}: {error}"))
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
        os._exit(0)
    os.close(write_end)

    def result() -> object:
        with os.fdopen(read_end, "rb") as source:
            payload = source.read()
        os.waitpid(pid, 0)
        if not payload:
            raise RuntimeError("the forked computation ended without a result")
        ok, value = pickle.loads(payload)
        if not ok:
            raise RuntimeError(f"the forked computation failed: {value}")
        return value

    return result
