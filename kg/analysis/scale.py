"""The pair-wise and network analyses on sparse matrices (SciPy) and igraph, for graphs too large for NetworkX.

On a CORDIS-sized network (tens of thousands of projects, hundreds of thousands of participations)
NetworkX cannot even build the weighted co-participation projection in minutes; a sparse product
of the project × organisation incidence matrix B does it in seconds: B·Bᵀ counts shared partners
of every project pair, Bᵀ·B the projects every two organisations share. This module only finds
*which* pairs or candidates qualify and how they rank; synergies.py and match.py build each result
with the same per-pair functions as their NetworkX path, so both paths give the same answers on the
same data (tests/test_scale_analysis.py compares them on the shipped data and the planted fixture).

At scale, the pair lists are cut to the strongest TOP_PAIRS, betweenness is estimated from
BETWEENNESS_SAMPLES source organisations drawn with a fixed seed (exact on smaller networks), and
communities are Leiden's on modularity (igraph, seeded).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:  # pragma: no cover
    from kg.analysis.network import Ecosystem

SCALE_ABOVE = 20_000  # participations; above this the scalable path is chosen
EXACT_ON_MATRICES_ABOVE = 200  # projects
TOP_PAIRS = 1_000  # at scale, pair lists keep the strongest this many
BETWEENNESS_EXACT_UP_TO = 2_000  # organisations; above, betweenness is sampled
BETWEENNESS_SAMPLES = 32
LEIDEN_ITERATIONS = 2  # more passes barely change the partition at scale
SEED = 42


def chosen(eco: "Ecosystem", scalable: bool | None = None) -> bool:
    """Whether to use this module: as asked, or when the graph has more than SCALE_ABOVE participations."""
    return len(eco.roles) > SCALE_ABOVE if scalable is None else scalable


def exact_chosen(eco: "Ecosystem", scalable: bool | None = None) -> bool:
    """Whether to use this module where it gives exactly the NetworkX path's answers (complementary
    and similar pair candidates; betweenness while it is exact): as chosen() says, and also, unless
    a path is asked for, above EXACT_ON_MATRICES_ABOVE projects, where the loops cost more. At 540
    projects the pair loops took 0.6 s and NetworkX's betweenness 3.1 s; the matrices and igraph
    0.02 s and 0.14 s."""
    return chosen(eco, scalable) or (scalable is None and len(eco.projects) > EXACT_ON_MATRICES_ABOVE)


def betweenness_chosen(eco: "Ecosystem", scalable: bool | None = None) -> bool:
    """Whether brokers take betweenness() from here: at scale (sampled there), or where exact_chosen()
    and betweenness() is still exact."""
    return chosen(eco, scalable) or (exact_chosen(eco, scalable) and len(eco.organisations) <= BETWEENNESS_EXACT_UP_TO)


@dataclass
class Incidence:
    """The project × organisation incidence matrix and the products every analysis reads."""

    projects: list[str]  # sorted: index order is IRI order
    organisations: list[str]
    matrix: sparse.csr_matrix  # B: projects × organisations, 1 per participation
    top_stages: dict[str, set[str]]

    @classmethod
    def of(cls, eco: "Ecosystem") -> "Incidence":
        projects = sorted(set(eco.projects) | {p for p, _ in eco.roles})
        organisations = sorted(set(eco.organisations) | {o for _, o in eco.roles})
        p_index, o_index = _index(projects), _index(organisations)
        rows = np.fromiter((p_index[p] for p, _ in eco.roles), dtype=np.int32, count=len(eco.roles))
        cols = np.fromiter((o_index[o] for _, o in eco.roles), dtype=np.int32, count=len(eco.roles))
        matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)),
                                   shape=(len(projects), len(organisations)))
        matrix.data[:] = 1  # a repeated participation counts once
        return cls(projects, organisations, matrix, eco.top_stages)

    @cached_property
    def project_index(self) -> dict[str, int]:
        return _index(self.projects)

    @cached_property
    def organisation_index(self) -> dict[str, int]:
        return _index(self.organisations)

    @cached_property
    def shared(self) -> sparse.csr_matrix:
        """Shared partners of every project pair (B·Bᵀ), diagonal removed."""
        return _without_diagonal(self.matrix @ self.matrix.T)

    @cached_property
    def together(self) -> sparse.csr_matrix:
        """Projects in common of every organisation pair (Bᵀ·B), diagonal removed: the collaboration network."""
        return _without_diagonal((self.matrix.T @ self.matrix).tocsr())

    @cached_property
    def adjacency(self) -> sparse.csr_matrix:
        """The collaboration network without weights (1 where two organisations share a project)."""
        adjacency = self.together.copy()
        adjacency.data[:] = 1
        return adjacency.astype(np.float64)

    @cached_property
    def degree(self) -> np.ndarray:
        return np.diff(self.adjacency.indptr)

    def neighbours(self, org: str) -> set[str]:
        row = self.organisation_index[org]
        start, end = self.adjacency.indptr[row], self.adjacency.indptr[row + 1]
        return {self.organisations[i] for i in self.adjacency.indices[start:end]}

    def weight(self, a: str, b: str) -> float:
        return float(self.together[self.organisation_index[a], self.organisation_index[b]])

    def stage_matrix(self, stages: list[str]) -> sparse.csr_matrix:
        """Projects × the given stages: 1 where the project covers the stage (top level)."""
        s_index = _index(stages)
        pairs = [(self.project_index[p], s_index[s]) for p, covered in self.top_stages.items()
                 if p in self.project_index for s in covered if s in s_index]
        return _binary(pairs, (len(self.projects), len(stages)))

    @cached_property
    def graph(self):
        """The collaboration network as an igraph graph (vertex i = organisations[i], weighted edges);
        built once, as brokers and communities both read it (seconds at CORDIS scale)."""
        import igraph

        upper = sparse.triu(self.together, k=1).tocoo()
        graph = igraph.Graph(n=len(self.organisations), directed=False)
        graph.add_edges(np.column_stack((upper.row, upper.col)))  # from the array: a list of pairs costs seconds
        graph.es["weight"] = upper.data.astype(float)
        return graph


def _index(items: list[str]) -> dict[str, int]:
    return {item: i for i, item in enumerate(items)}


def _binary(pairs: list[tuple[int, int]], shape: tuple[int, int]) -> sparse.csr_matrix:
    rows = np.array([r for r, _ in pairs], dtype=np.int32)
    cols = np.array([c for _, c in pairs], dtype=np.int32)
    matrix = sparse.csr_matrix((np.ones(len(pairs), dtype=np.int32), (rows, cols)), shape=shape)
    matrix.data[:] = 1
    return matrix


def _without_diagonal(matrix) -> sparse.csr_matrix:
    matrix = sparse.csr_matrix(matrix)
    matrix.setdiag(0)
    matrix.eliminate_zeros()
    return matrix


def _strongest(matrix, names: list[str], limit: int | None) -> list[tuple[str, str]]:
    """The (a, b) pairs of a sparse matrix by value, highest first, then by a and b (IRI order);
    the first `limit` of them (all when None)."""
    coo = matrix.tocoo()
    values, rows, cols = coo.data, coo.row, coo.col
    if limit is not None and len(values) > limit:
        threshold = np.partition(values, len(values) - limit)[len(values) - limit]
        keep = values >= threshold
        values, rows, cols = values[keep], rows[keep], cols[keep]
    order = np.lexsort((cols, rows, -values.astype(np.float64)))
    if limit is not None:
        order = order[:limit]
    return [(names[rows[i]], names[cols[i]]) for i in order]


def _limit(eco: "Ecosystem") -> int | None:
    """Pair lists are cut only on graphs too large to list every pair of."""
    return TOP_PAIRS if len(eco.roles) > SCALE_ABOVE else None


def shared_pairs(eco: "Ecosystem") -> list[tuple[str, str]]:
    """Project pairs with partners in common, most shared first."""
    incidence = eco.incidence
    return _strongest(sparse.triu(incidence.shared, k=1), incidence.projects, _limit(eco))


def _no_shared_partner(incidence: Incidence, candidates) -> sparse.csr_matrix:
    """The candidate pairs (1 each) minus those sharing a partner and a project with itself. The
    shared counts are looked up at the candidates only: comparing the whole of B·Bᵀ costs a second at scale."""
    candidates = sparse.csr_matrix(candidates).tocoo()
    rows, cols = candidates.row, candidates.col
    shared = np.asarray(incidence.shared[rows, cols]).ravel() if len(rows) else np.zeros(0)
    keep = (shared == 0) & (rows != cols)
    return sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.int32), (rows[keep], cols[keep])), shape=candidates.shape)


def complementary_pairs(eco: "Ecosystem") -> list[tuple[str, str]]:
    """Ordered pairs (a, b): a stage of a produces a material a stage of b consumes, no partner shared."""
    stages = sorted({s for covered in eco.top_stages.values() for s in covered})
    s_index = _index(stages)
    feeds = []
    for producer in stages:
        if producer not in eco.chain:
            continue
        for _, material, data in eco.chain.out_edges(producer, data=True):
            if data["relation"] != "produces":
                continue
            feeds += [(s_index[producer], s_index[consumer]) for _, consumer, used in eco.chain.out_edges(material, data=True)
                      if used["relation"] == "consumes" and consumer in s_index and consumer != producer]
    incidence = eco.incidence
    covers = incidence.stage_matrix(stages)
    candidates = covers @ _binary(sorted(set(feeds)), (len(stages), len(stages))) @ covers.T
    return _strongest(_no_shared_partner(incidence, candidates), incidence.projects, None)


def similar_pairs(eco: "Ecosystem", profiles: dict[str, set[str]], threshold: float) -> list[tuple[str, str]]:
    """Project pairs whose profiles (stages, capabilities, materials) have a Jaccard index of at
    least `threshold`, and no partner in common."""
    incidence = eco.incidence
    features = sorted({f for profile in profiles.values() for f in profile})
    f_index = _index(features)
    x = _binary([(incidence.project_index[p], f_index[f]) for p, profile in profiles.items() for f in profile],
                (len(incidence.projects), len(features)))
    common = sparse.triu(x @ x.T, k=1).tocoo()
    sizes = np.asarray(x.sum(axis=1)).ravel()
    jaccard = common.data / (sizes[common.row] + sizes[common.col] - common.data)
    keep = jaccard >= threshold - 1e-9
    alike = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.int32), (common.row[keep], common.col[keep])), shape=x.shape[:1] * 2)
    return _strongest(_no_shared_partner(incidence, alike), incidence.projects, None)


def betweenness(eco: "Ecosystem") -> dict[str, float]:
    """Normalised betweenness in the collaboration network: exact up to BETWEENNESS_EXACT_UP_TO
    organisations, above that estimated from BETWEENNESS_SAMPLES source organisations drawn with a fixed seed."""
    incidence = eco.incidence
    graph = incidence.graph
    n = graph.vcount()
    if n <= 2:
        return {}
    if n <= BETWEENNESS_EXACT_UP_TO:
        raw = graph.betweenness(directed=False)
    else:
        sources = sorted(random.Random(SEED).sample(range(n), BETWEENNESS_SAMPLES))
        raw = [value * n / len(sources) for value in graph.betweenness(directed=False, sources=sources)]
    scale = 2 / ((n - 1) * (n - 2))
    return {org: raw[i] * scale for i, org in enumerate(incidence.organisations)}


def communities(eco: "Ecosystem") -> list[set[str]]:
    """Communities of the collaboration network by Leiden on modularity (igraph, seeded): on the
    CORDIS-sized network twice as fast as Louvain (igraph's multilevel) and a partition at least as good."""
    import igraph

    incidence = eco.incidence
    graph = incidence.graph
    if graph.ecount() == 0:
        return []
    igraph.set_random_number_generator(random.Random(SEED))
    try:
        clustering = graph.community_leiden(objective_function="modularity", weights="weight", n_iterations=LEIDEN_ITERATIONS)
    finally:
        igraph.set_random_number_generator(random)
    return [{incidence.organisations[i] for i in members} for members in clustering]


def match_candidates(eco: "Ecosystem", anchors: set[str], current: set[str], wanted: set[str], top: int) -> list[str]:
    """The organisations that can rank in the top `top` suggestions: network proximity (Adamic–Adar
    through common collaborators plus projects together with the anchors) plus the number of wanted
    stages they work on, computed for every organisation at once; ties at the cut are all kept."""
    incidence = eco.incidence
    n = len(incidence.organisations)
    anchor_vector = np.zeros(n)
    anchor_vector[[incidence.organisation_index[a] for a in anchors if a in incidence.organisation_index]] = 1
    degree = incidence.degree.astype(np.float64)
    inverse_log = np.divide(1.0, np.log(degree + 1), out=np.zeros(n), where=degree > 0)
    reach = incidence.adjacency.T @ anchor_vector  # per organisation: how many anchors it works with
    score = incidence.adjacency @ (reach * inverse_log) + incidence.together.T @ anchor_vector
    stages = sorted(wanted)
    if stages:
        works_on = (incidence.matrix.T @ incidence.stage_matrix(stages)) > 0
        score = score + np.asarray(works_on.sum(axis=1)).ravel()
    score[[incidence.organisation_index[o] for o in current if o in incidence.organisation_index]] = 0
    positive = np.flatnonzero(score > 0)
    if len(positive) > top:
        cut = np.sort(score[positive])[::-1][top - 1]
        positive = positive[score[positive] >= cut - 1e-6]
    return [incidence.organisations[i] for i in positive]

