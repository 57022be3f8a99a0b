"""One analysis run over the built store: everything the commands and the report show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kg.analysis.gaps import Gap, all_gaps
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
    resting_on_suggestions: int | None = None  # conclusions that change without machine suggestions (None: not used)


def analyse(output_dir: Path = DEFAULT_OUTPUT, day: dt.date | None = None, horizon_months: int = 24,
            write: bool = False, with_suggestions: bool = False) -> Analysis:
    """Gaps, synergies, brokers, communities and pilot scores on `day` (default: today).
    With `write`, the results also replace the `analysis` named graph of the store. With
    `with_suggestions`, machine-suggested concepts count too, and the result says how many gaps and
    synergy candidates rest on them (those that differ from a run without them)."""
    day = day or dt.date.today()
    eco = load_ecosystem(output_dir, with_suggestions=with_suggestions)
    gaps = all_gaps(eco, day, horizon_months)
    synergies = shared_partners(eco) + complementary(eco) + similar(eco)
    result = Analysis(eco, day, horizon_months, gaps, synergies, brokers(eco), communities(eco), pilot_scores(eco, gaps))
    if with_suggestions:
        plain = load_ecosystem(output_dir)
        without = {(g.kind, g.label) for g in all_gaps(plain, day, horizon_months)}
        without |= {(s.kind, s.a, s.b) for s in shared_partners(plain) + complementary(plain) + similar(plain)}
        found = {(g.kind, g.label) for g in gaps} | {(s.kind, s.a, s.b) for s in synergies}
        result.resting_on_suggestions = len(found ^ without)
    if write:
        write_analysis(analysis_graph(gaps, synergies, day), output_dir)
    return result
