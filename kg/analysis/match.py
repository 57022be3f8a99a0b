"""Matchmaking: ranked partner suggestions for a project or an organisation, each with its reason.

Score = network proximity (organisations that already work with the entity's partners; Adamic–Adar
on the collaboration network) + complementarity (the candidate works on a stage next to, or
feeding, the entity's stages that the entity does not cover itself)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from kg.analysis.network import Ecosystem, resolve_name


@dataclass(frozen=True)
class Suggestion:
    candidate: str
    name: str
    score: float
    network: float
    complementarity: float
    reason: str


def _neighbour_stages(eco: Ecosystem, stages: set[str]) -> dict[str, str]:
    """Stages adjacent to (next/previous, loop) or feeding/fed by the given ones, with how."""
    found = {}
    for stage in stages:
        if stage not in eco.chain:
            continue
        for _, target, data in eco.chain.out_edges(stage, data=True):
            if data["relation"] in ("next", "loops-back-to"):
                found.setdefault(target, f"follows {eco.label(stage)}")
            elif data["relation"] == "produces":
                for _, consumer, used in eco.chain.out_edges(target, data=True):
                    if used["relation"] == "consumes":
                        found.setdefault(consumer, f"uses the {eco.label(target)} that {eco.label(stage)} produces")
        for source, _, data in eco.chain.in_edges(stage, data=True):
            if data["relation"] in ("next", "loops-back-to"):
                found.setdefault(source, f"precedes {eco.label(stage)}")
    return {s: how for s, how in found.items() if s not in stages}


def _org_stages(eco: Ecosystem, org: str) -> set[str]:
    return {s for p in eco.partners(org) for s in eco.top_stages.get(p, set())}


def match(eco: Ecosystem, entity: str, top: int = 10) -> list[Suggestion]:
    """Suggested partner organisations for a project or an organisation IRI, best first."""
    network = eco.organisation_network()
    if entity in eco.projects:
        current = eco.partners(entity)
        stages = set(eco.top_stages.get(entity, set()))
    elif entity in eco.organisations:
        current = {entity} | (set(network.neighbors(entity)) if entity in network else set())
        stages = _org_stages(eco, entity)
    else:
        raise KeyError(f"{entity} is neither a project nor an organisation in the graph")
    wanted = _neighbour_stages(eco, stages)
    anchors = eco.partners(entity) if entity in eco.projects else {entity}
    suggestions = []
    for candidate in sorted(set(eco.organisations) - current):
        proximity, via = 0.0, []
        for anchor in anchors:
            if anchor in network and candidate in network:
                for common in set(network.neighbors(anchor)) & set(network.neighbors(candidate)):
                    proximity += 1 / math.log(network.degree(common) + 1)
                    via.append(eco.label(common))
                if network.has_edge(anchor, candidate):
                    proximity += network[anchor][candidate]["weight"]
                    via.append(f"{eco.label(anchor)} (worked together)")
        candidate_stages = _org_stages(eco, candidate)
        complement = {s: how for s, how in wanted.items() if s in candidate_stages}
        score = round(proximity + len(complement), 4)
        if score <= 0:
            continue
        reasons = []
        if complement:
            reasons.append("works on " + "; ".join(f"{eco.label(s)}, which {how}" for s, how in sorted(complement.items(), key=lambda kv: eco.label(kv[0]))))
        if via:
            reasons.append("close in the network through " + ", ".join(sorted(set(via))))
        suggestions.append(Suggestion(candidate, eco.label(candidate), score, round(proximity, 4), float(len(complement)), "; ".join(reasons)))
    return sorted(suggestions, key=lambda s: (-s.score, s.name))[:top]


def resolve(eco: Ecosystem, text: str) -> str:
    """A project or organisation IRI from a slug, acronym, name or IRI, for the command line."""
    candidates = [(iri, p.acronym) for iri, p in eco.projects.items()] + [(iri, o.name) for iri, o in eco.organisations.items()]
    return resolve_name(text, candidates, f"no project or organisation called {text!r}")
