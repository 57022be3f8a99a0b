"""Pilot scoring after the hub's criteria, as a transparent ranking: each criterion's
contribution is shown, and a criterion with no recorded data contributes 0 and says so."""

from __future__ import annotations

from dataclasses import dataclass

from kg.analysis.gaps import Gap
from kg.analysis.network import Ecosystem

CRITERIA = ("technical readiness", "supply-chain relevance", "replication potential", "measurable outcomes")


@dataclass(frozen=True)
class PilotScore:
    project: str
    acronym: str
    total: float
    parts: dict[str, float]
    notes: dict[str, str]


def pilot_scores(eco: Ecosystem, gaps: list[Gap]) -> list[PilotScore]:
    """Each criterion in 0..1, total = their mean. Relevance: severity of the gaps on the stages a
    project covers, relative to the most relevant project; replication: partners, countries and
    sectors relative to the largest; outcomes: not recorded in the graph yet."""
    severity_by_stage: dict[str, int] = {}
    for gap in gaps:
        severity_by_stage[gap.subject] = severity_by_stage.get(gap.subject, 0) + gap.score
    relevance = {p: sum(severity_by_stage.get(s, 0) for s in eco.top_stages.get(p, set())) for p in eco.projects}
    reach = {p: (len(eco.partners(p)), len({eco.organisations[o].country for o in eco.partners(p)} - {None}),
                 len(eco.facets.get(p, {}).get("sector", set()))) for p in eco.projects}
    max_relevance = max(relevance.values(), default=0) or 1
    max_reach = [max((r[i] for r in reach.values()), default=0) or 1 for i in range(3)]
    scores = []
    for iri, project in eco.projects.items():
        readiness = (project.trl_target or 0) / 9
        partners, countries, sectors = reach[iri]
        parts = {
            "technical readiness": round(readiness, 3),
            "supply-chain relevance": round(relevance[iri] / max_relevance, 3),
            "replication potential": round((partners / max_reach[0] + countries / max_reach[1] + sectors / max_reach[2]) / 3, 3),
            "measurable outcomes": 0.0,
        }
        notes = {
            "technical readiness": f"target TRL {project.trl_target}" if project.trl_target else "TRL not recorded",
            "supply-chain relevance": f"gap severity {relevance[iri]} on its stages",
            "replication potential": f"{partners} partners, {countries} countries, {sectors} sectors",
            "measurable outcomes": "not recorded",
        }
        scores.append(PilotScore(iri, project.acronym, round(sum(parts.values()) / len(parts), 3), parts, notes))
    return sorted(scores, key=lambda s: (-s.total, s.acronym))
