"""One analysis run over the built store: everything the commands and the report show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kg.analysis.gaps import EVIDENCE_MAX_AGE_MONTHS, Gap, StageState, all_gaps, coverage_states
from kg.analysis.network import Ecosystem, load_ecosystem
from kg.analysis.pilots import PilotScore, pilot_scores
from kg.analysis.rdf import analysis_graph, write_analysis
from kg.analysis.synergies import Broker, Community, Synergy, brokers, communities, complementary, shared_partners, similar
from kg.store import DEFAULT_OUTPUT


@dataclass
class Analysis:
    eco: Ecosystem
    day: dt.date
    horizon_months: int
    gaps: list[Gap]
    synergies: list[Synergy]
    brokers: list[Broker]
    communities: list[Community]
    pilots: list[PilotScore]
    states: list[StageState]


def analyse(output_dir: Path = DEFAULT_OUTPUT, day: dt.date | None = None, horizon_months: int = 24,
            write: bool = False, evidence: bool = False, evidence_max_age: int = EVIDENCE_MAX_AGE_MONTHS) -> Analysis:
    """Gaps, synergies, brokers, communities and pilot scores on `day` (default: today).
    With `write`, the results also replace the `analysis` named graph of the store; with `evidence`,
    stages covered only by evidence of activity (events of undated projects) count as covered."""
    day = day or dt.date.today()
    eco = load_ecosystem(output_dir)
    gaps = all_gaps(eco, day, horizon_months, evidence, evidence_max_age)
    synergies = shared_partners(eco) + complementary(eco) + similar(eco)
    result = Analysis(eco, day, horizon_months, gaps, synergies, brokers(eco), communities(eco), pilot_scores(eco, gaps),
                      coverage_states(eco, day, evidence_max_age))
    if write:
        write_analysis(analysis_graph(gaps, synergies, day), output_dir)
    return result
