"""Matchmaking: ranked partner suggestions for a project or an organisation, each with its reason.

Score = network proximity (organisations that already work with the entity's partners; Adamic–Adar
on the collaboration network) + complementarity (the candidate works on a stage next to, or
feeding, the entity's stages that the entity does not cover itself)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from kg.analysis import scale
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


def org_stages(eco: Ecosystem, org: str) -> set[str]:
    return {s for p in eco.partners(org) for s in eco.top_stages.get(p, set())}


def match(eco: Ecosystem, entity: str, top: int = 10, scalable: bool | None = None) -> list[Suggestion]:
    """Suggested partner organisations for a project or an organisation IRI, best first."""
    if entity not in eco.projects and entity not in eco.organisations:
        raise KeyError(f"{entity} is neither a project nor an organisation in the graph")
    if scale.chosen(eco, scalable):
        incidence = eco.incidence
        view = NetworkView(incidence.neighbours, lambda org: int(incidence.degree[incidence.organisation_index[org]]),
                           incidence.weight)
        request = Request.of(eco, entity, view)
        candidates = scale.match_candidates(eco, request.anchors, request.current, set(request.wanted), top)
    else:
        network = eco.organisation_network()
        view = NetworkView(lambda org: set(network.neighbors(org)), network.degree,
                           lambda a, b: network[a][b]["weight"] if network.has_edge(a, b) else 0)
        request = Request.of(eco, entity, view)
        candidates = set(eco.organisations) - request.current
    found = (suggestion(eco, candidate, request, view) for candidate in sorted(candidates))
    return ranked([s for s in found if s is not None], top)


@dataclass(frozen=True)
class NetworkView:
    """The collaboration network as matchmaking reads it, whichever structure holds it."""

    neighbours: Callable[[str], set[str]]
    degree: Callable[[str], int]
    weight: Callable[[str, str], float]  # projects together; 0 if none


@dataclass(frozen=True)
class Request:
    """Whom to suggest partners for: who is already in (not suggested), the anchors proximity is
    measured from, and the stages wanted (next to or feeding the entity's stages)."""

    current: set[str]
    anchors: set[str]
    wanted: dict[str, str]

    @classmethod
    def of(cls, eco: Ecosystem, entity: str, view: NetworkView) -> "Request":
        if entity in eco.projects:
            current, stages = eco.partners(entity), set(eco.top_stages.get(entity, set()))
            return cls(current, current, _neighbour_stages(eco, stages))
        return cls({entity} | view.neighbours(entity), {entity}, _neighbour_stages(eco, org_stages(eco, entity)))


def suggestion(eco: Ecosystem, candidate: str, request: Request, view: NetworkView) -> Suggestion | None:
    """The candidate's score and reason, or None if it scores nothing."""
    proximity, via = 0.0, []
    for anchor in request.anchors:
        for common in view.neighbours(anchor) & view.neighbours(candidate):
            proximity += 1 / math.log(view.degree(common) + 1)
            via.append(eco.label(common))
        together = view.weight(anchor, candidate)
        if together:
            proximity += together
            via.append(f"{eco.label(anchor)} (worked together)")
    candidate_stages = org_stages(eco, candidate)
    complement = {s: how for s, how in request.wanted.items() if s in candidate_stages}
    score = round(proximity + len(complement), 4)
    if score <= 0:
        return None
    reasons = []
    if complement:
        reasons.append("works on " + "; ".join(f"{eco.label(s)}, which {how}" for s, how in sorted(complement.items(), key=lambda kv: eco.label(kv[0]))))
    if via:
        reasons.append("close in the network through " + ", ".join(sorted(set(via))))
    return Suggestion(candidate, eco.label(candidate), score, round(proximity, 4), float(len(complement)), "; ".join(reasons))


def ranked(suggestions: list[Suggestion], top: int) -> list[Suggestion]:
    return sorted(suggestions, key=lambda s: (-s.score, s.name))[:top]


def resolve(eco: Ecosystem, text: str) -> str:
    """A project or organisation IRI from a slug, acronym, name or IRI, for the command line."""
    candidates = [(iri, p.acronym) for iri, p in eco.projects.items()] + [(iri, o.name) for iri, o in eco.organisations.items()]
    return resolve_name(text, candidates, f"no project or organisation called {text!r}")
