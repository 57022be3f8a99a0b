"""Who should talk to whom: shared partners, complementary and similar projects, brokers and
communities — each candidate with the reason it was found.

Pair-wise questions are answered on the bipartite projection, never as SPARQL self-joins, which
grow quadratically with the number of projects: with NetworkX on the ecosystem-sized graph, with
sparse matrices and igraph (kg.analysis.scale) once it is large. Both paths build each candidate
with the same functions below, so they give the same answers (tests compare them)."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

import networkx as nx

from kg.analysis import scale
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


def shared_partners(eco: Ecosystem, scalable: bool | None = None) -> list[Synergy]:
    """Project pairs with partners in common, weighted by how many (at scale, the strongest pairs only)."""
    pairs = scale.shared_pairs(eco) if scale.chosen(eco, scalable) else eco.project_network().edges()
    found = [shared_pair(eco, a, b) for a, b in pairs]
    return sorted(found, key=lambda s: (-s.score, s.a, s.b))


def shared_pair(eco: Ecosystem, a: str, b: str) -> Synergy:
    a, b = sorted((a, b))
    common = eco.partners(a) & eco.partners(b)
    shared = sorted(eco.label(o) for o in common)
    return Synergy("shared-partners", a, b, float(len(common)),
                   f"{eco.label(a)} and {eco.label(b)} share {len(common)} partner(s): {', '.join(shared)}")


def _stage_of_project(eco: Ecosystem, project: str) -> set[str]:
    return eco.top_stages.get(project, set())


def complementary(eco: Ecosystem, scalable: bool | None = None) -> list[Synergy]:
    """One project's stage produces a material another project's stage consumes, and they share no partner."""
    pairs = scale.complementary_pairs(eco) if scale.exact_chosen(eco, scalable) else itertools.permutations(sorted(eco.projects), 2)
    found = (complementary_pair(eco, a, b) for a, b in pairs)
    return sorted((s for s in found if s is not None), key=lambda s: (-s.score, s.a, s.b))


def complementary_pair(eco: Ecosystem, a: str, b: str) -> Synergy | None:
    """The first (producer stage, material, consumer stage) link from project a to project b, if any."""
    if eco.partners(a) & eco.partners(b):
        return None
    for producer in sorted(_stage_of_project(eco, a)):
        for _, material, data in eco.chain.out_edges(producer, data=True):
            if data["relation"] != "produces":
                continue
            for _, consumer, used in eco.chain.out_edges(material, data=True):
                if used["relation"] == "consumes" and consumer in _stage_of_project(eco, b) and consumer != producer:
                    overlap = _periods_overlap(eco, a, b)
                    reason = (f"{eco.label(a)} ({eco.label(producer)}) produces {eco.label(material)}, which "
                              f"{eco.label(b)} ({eco.label(consumer)}) consumes; they share no partner"
                              + ("" if overlap else "; they do not run at the same time, so results would have to be handed on"))
                    return Synergy("complementary", a, b, 1.0 if overlap else 0.5, reason)
    return None


def _periods_overlap(eco: Ecosystem, a: str, b: str) -> bool:
    """Whether two projects run at the same time at some point; unknown dates count as overlapping."""
    pa, pb = eco.projects[a], eco.projects[b]
    if not (pa.start and pb.start):
        return True
    return (pa.end is None or pa.end >= pb.start) and (pb.end is None or pb.end >= pa.start)


def profile(eco: Ecosystem, project: str) -> set[str]:
    """What a project works on: its top-level stages, capabilities and materials."""
    facets = eco.facets.get(project, {})
    return set(_stage_of_project(eco, project)) | facets.get("capability", set()) | facets.get("material", set())


def similar(eco: Ecosystem, threshold: float = 0.25, scalable: bool | None = None) -> list[Synergy]:
    """Projects alike in stages, capabilities and materials (Jaccard) that share no partner."""
    if scale.exact_chosen(eco, scalable):
        pairs = scale.similar_pairs(eco, {p: profile(eco, p) for p in eco.projects}, threshold)
    else:
        pairs = itertools.combinations(sorted(eco.projects), 2)
    found = (similar_pair(eco, a, b, threshold) for a, b in pairs)
    return sorted((s for s in found if s is not None), key=lambda s: (-s.score, s.a, s.b))


def similar_pair(eco: Ecosystem, a: str, b: str, threshold: float) -> Synergy | None:
    if eco.partners(a) & eco.partners(b):
        return None
    pa, pb = profile(eco, a), profile(eco, b)
    if not pa or not pb:
        return None
    jaccard = len(pa & pb) / len(pa | pb)
    if jaccard < threshold:
        return None
    common = sorted(eco.label(c) for c in pa & pb)
    return Synergy("similar", a, b, round(jaccard, 3),
                   f"{eco.label(a)} and {eco.label(b)} overlap on {', '.join(common)} (Jaccard {jaccard:.2f}) "
                   "with no partner in common: duplication, or a collaboration to start")


def brokers(eco: Ecosystem, top: int = 10, scalable: bool | None = None) -> list[Broker]:
    """Organisations with the highest betweenness in the collaboration network, and the stages they span
    (at scale: betweenness estimated from a fixed-seed sample of source organisations)."""
    if scale.betweenness_chosen(eco, scalable):
        centrality = scale.betweenness(eco)
    else:
        network = eco.organisation_network()
        centrality = nx.betweenness_centrality(network, normalized=True) if network.number_of_nodes() > 2 else {}
    shown = {org: round(centrality.get(org, 0.0), 4) for org in eco.organisations}
    cut = sorted(shown.values(), reverse=True)[top - 1] if 0 < top <= len(shown) else 0.0
    rows = []
    for org in (org for org, value in shown.items() if value >= cut):  # ties at the cut rank by stages, then name
        projects = eco.partners(org)
        stages = {s for p in projects for s in eco.top_stages.get(p, set())}
        rows.append(Broker(org, eco.label(org), shown[org], len(stages), len(projects)))
    return sorted(rows, key=lambda r: (-r.betweenness, -r.stages_bridged, r.name))[:top]


def communities(eco: Ecosystem, scalable: bool | None = None) -> list[Community]:
    """Communities of the organisation network by dominant stages: Louvain (NetworkX, seeded) on the
    ecosystem-sized graph, Leiden on modularity (igraph, seeded) at scale; partitions of the same quality
    (tests compare their modularity), not necessarily the same cut."""
    if scale.chosen(eco, scalable):
        groups = scale.communities(eco)
    else:
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
