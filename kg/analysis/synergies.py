"""Who should talk to whom: shared partners, complementary and similar projects, brokers and
communities — each candidate with the reason it was found.

Pair-wise questions are answered on the bipartite projection (NetworkX), never as SPARQL
self-joins, which grow quadratically with the number of projects."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

import networkx as nx

from kg.analysis.network import Ecosystem


@dataclass(frozen=True)
class Synergy:
    kind: str  # shared-partners, complementary, similar
    a: str
    b: str
    score: float
    reason: str


@dataclass(frozen=True)
class Broker:
    org: str
    name: str
    betweenness: float
    stages_bridged: int
    projects: int


@dataclass(frozen=True)
class Community:
    members: tuple[str, ...]
    dominant_stages: tuple[str, ...]


def shared_partners(eco: Ecosystem) -> list[Synergy]:
    """Project pairs with partners in common, weighted by how many."""
    found = []
    for a, b, data in eco.project_network().edges(data=True):
        a, b = sorted((a, b))
        shared = sorted(eco.label(o) for o in eco.partners(a) & eco.partners(b))
        found.append(Synergy("shared-partners", a, b, float(data["weight"]),
                             f"{eco.label(a)} and {eco.label(b)} share {data['weight']} partner(s): {', '.join(shared)}"))
    return sorted(found, key=lambda s: (-s.score, s.a, s.b))


def _stage_of_project(eco: Ecosystem, project: str) -> set[str]:
    return eco.top_stages.get(project, set())


def complementary(eco: Ecosystem) -> list[Synergy]:
    """One project's stage produces a material another project's stage consumes, and they share no partner."""
    found = {}
    for a, b in itertools.permutations(sorted(eco.projects), 2):
        if eco.partners(a) & eco.partners(b):
            continue
        for producer in sorted(_stage_of_project(eco, a)):
            for _, material, data in eco.chain.out_edges(producer, data=True):
                if data["relation"] != "produces":
                    continue
                for _, consumer, used in eco.chain.out_edges(material, data=True):
                    if used["relation"] == "consumes" and consumer in _stage_of_project(eco, b) and consumer != producer:
                        key = (a, b)
                        overlap = _periods_overlap(eco, a, b)
                        reason = (f"{eco.label(a)} ({eco.label(producer)}) produces {eco.label(material)}, which "
                                  f"{eco.label(b)} ({eco.label(consumer)}) consumes; they share no partner"
                                  + ("" if overlap else "; they do not run at the same time, so results would have to be handed on"))
                        if key not in found:
                            found[key] = Synergy("complementary", a, b, 1.0 if overlap else 0.5, reason)
    return sorted(found.values(), key=lambda s: (-s.score, s.a, s.b))


def _periods_overlap(eco: Ecosystem, a: str, b: str) -> bool:
    """Whether two projects run at the same time at some point; unknown dates count as overlapping."""
    pa, pb = eco.projects[a], eco.projects[b]
    if not (pa.start and pb.start):
        return True
    return (pa.end is None or pa.end >= pb.start) and (pb.end is None or pb.end >= pa.start)


def _profile(eco: Ecosystem, project: str) -> set[str]:
    facets = eco.facets.get(project, {})
    return set(_stage_of_project(eco, project)) | facets.get("capability", set()) | facets.get("material", set())


def similar(eco: Ecosystem, threshold: float = 0.25) -> list[Synergy]:
    """Projects alike in stages, capabilities and materials (Jaccard) that share no partner."""
    found = []
    for a, b in itertools.combinations(sorted(eco.projects), 2):
        if eco.partners(a) & eco.partners(b):
            continue
        pa, pb = _profile(eco, a), _profile(eco, b)
        if not pa or not pb:
            continue
        jaccard = len(pa & pb) / len(pa | pb)
        if jaccard >= threshold:
            common = sorted(eco.label(c) for c in pa & pb)
            found.append(Synergy("similar", a, b, round(jaccard, 3),
                                 f"{eco.label(a)} and {eco.label(b)} overlap on {', '.join(common)} (Jaccard {jaccard:.2f}) "
                                 "with no partner in common: duplication, or a collaboration to start"))
    return sorted(found, key=lambda s: (-s.score, s.a, s.b))


def brokers(eco: Ecosystem, top: int = 10) -> list[Broker]:
    """Organisations with the highest betweenness in the collaboration network, and the stages they span."""
    network = eco.organisation_network()
    centrality = nx.betweenness_centrality(network, normalized=True) if network.number_of_nodes() > 2 else {}
    rows = []
    for org in eco.organisations:
        projects = eco.partners(org)
        stages = {s for p in projects for s in eco.top_stages.get(p, set())}
        rows.append(Broker(org, eco.label(org), round(centrality.get(org, 0.0), 4), len(stages), len(projects)))
    return sorted(rows, key=lambda r: (-r.betweenness, -r.stages_bridged, r.name))[:top]


def communities(eco: Ecosystem) -> list[Community]:
    """Louvain communities of the organisation network (seeded: same graph, same answer), by dominant stages."""
    network = eco.organisation_network()
    if network.number_of_edges() == 0:
        return []
    groups = nx.community.louvain_communities(network, weight="weight", seed=42)
    found = []
    for group in groups:
        stages = Counter(s for org in group for p in eco.partners(org) for s in eco.top_stages.get(p, set()))
        dominant = tuple(eco.label(s) for s, _ in sorted(stages.items(), key=lambda kv: (-kv[1], eco.label(kv[0])))[:3])
        found.append(Community(tuple(sorted(eco.label(o) for o in group)), dominant))
    return sorted(found, key=lambda c: (-len(c.members), c.members))
