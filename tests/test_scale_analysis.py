"""The scalable analysis path (sparse matrices, igraph) gives the NetworkX path's answers on the
shipped data and on the planted fixture; at scale it samples betweenness with a fixed seed."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from kg.analysis import scale
from kg.analysis.match import match
from kg.analysis.network import load_ecosystem
from kg.analysis.synergies import brokers, communities, complementary, shared_partners, similar
from kg.vocab import mint

from .conftest import FIXTURES, build_into

PAIR_ANALYSES = (shared_partners, complementary, similar, brokers)


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    return build_into(tmp_path_factory, FIXTURES / "data_planted", "planted-scale")


@pytest.fixture(scope="module")
def shipped_eco(shipped):
    return load_ecosystem(shipped)


@pytest.mark.parametrize("analysis", PAIR_ANALYSES, ids=lambda f: f.__name__)
def test_both_paths_give_the_same_pairs_and_brokers_on_the_shipped_data(shipped_eco, analysis):
    expected = analysis(shipped_eco, scalable=False)
    assert expected, "the shipped data should give something to compare"
    assert analysis(shipped_eco, scalable=True) == expected


@pytest.mark.parametrize("analysis", PAIR_ANALYSES, ids=lambda f: f.__name__)
def test_both_paths_give_the_same_answers_on_the_planted_fixture(planted, analysis):
    eco = load_ecosystem(planted)
    assert analysis(eco, scalable=True) == analysis(eco, scalable=False)


@pytest.mark.parametrize("analysis", (complementary, similar, brokers), ids=lambda f: f.__name__)
def test_above_the_exact_threshold_the_default_path_gives_the_networkx_answers(shipped_eco, analysis, monkeypatch):
    """Below SCALE_ABOVE, a large enough graph takes the matrices' exact paths by default (pair
    candidates, igraph's exact betweenness): the threshold lowered, the answers must not change."""
    expected = analysis(shipped_eco, scalable=False)
    monkeypatch.setattr(scale, "EXACT_ON_MATRICES_ABOVE", 0)
    monkeypatch.setattr(scale, "BETWEENNESS_SAMPLES", 2)  # were betweenness sampled, brokers would differ
    monkeypatch.setattr(scale, "BETWEENNESS_EXACT_UP_TO", len(shipped_eco.organisations))
    assert scale.exact_chosen(shipped_eco) and not scale.chosen(shipped_eco)
    assert analysis(shipped_eco) == expected


def test_both_paths_suggest_the_same_partners_for_every_project_and_organisation(shipped_eco):
    entities = sorted(shipped_eco.projects) + sorted(shipped_eco.organisations)
    differing = [e for e in entities if match(shipped_eco, e, 5, scalable=True) != match(shipped_eco, e, 5, scalable=False)]
    assert differing == []


def test_planted_partner_and_bridge_are_found_on_the_scalable_path(planted):
    eco = load_ecosystem(planted)
    assert match(eco, str(mint("project", "delta")), 5, scalable=True)[0].name == "Ore Processor"
    assert brokers(eco, scalable=True)[0].name == "Bridge Institute"
    assert any("Bridge Institute" in c.members and "Alpha Lead" in c.members for c in communities(eco, scalable=True))


def test_communities_of_both_paths_are_as_good_on_the_shipped_data(shipped_eco):
    """Two Louvain implementations need not cut the same way; they must find partitions of the same quality."""
    network = shipped_eco.organisation_network()
    by_name = {shipped_eco.label(o): o for o in shipped_eco.organisations}

    def modularity(found) -> float:
        return nx.community.modularity(network, [{by_name[m] for m in c.members} for c in found], weight="weight")

    nx_path, scalable = communities(shipped_eco, scalable=False), communities(shipped_eco, scalable=True)
    assert abs(len(scalable) - len(nx_path)) <= 1  # a small community may split or merge between implementations
    assert modularity(scalable) >= modularity(nx_path) - 0.01  # at least as good a partition
    assert modularity(scalable) > 0.4


def test_sampled_betweenness_is_seeded_and_ranks_the_top_broker(shipped_eco, monkeypatch):
    exact = scale.betweenness(shipped_eco)
    monkeypatch.setattr(scale, "BETWEENNESS_EXACT_UP_TO", 10)
    monkeypatch.setattr(scale, "BETWEENNESS_SAMPLES", 60)
    sampled = scale.betweenness(shipped_eco)
    assert sampled == scale.betweenness(shipped_eco)  # same seed, same estimate
    assert sampled != exact
    assert max(sampled, key=sampled.get) == max(exact, key=exact.get)


def test_pair_lists_are_cut_to_the_strongest_at_scale(shipped_eco, monkeypatch):
    full = shared_partners(shipped_eco, scalable=False)
    monkeypatch.setattr(scale, "SCALE_ABOVE", 10)
    monkeypatch.setattr(scale, "TOP_PAIRS", 5)
    assert scale.chosen(shipped_eco)
    assert shared_partners(shipped_eco) == full[:5]


def test_brokers_computed_in_a_forked_copy_are_the_brokers(shipped, monkeypatch):
    """`remkg synergies` computes the brokers beside the rest on a large graph (the threshold
    lowered here): the same brokers as computed in this process."""
    from kg.analysis.run import analyse

    monkeypatch.setattr(scale, "SCALE_ABOVE", 0)
    analysis = analyse(shipped)
    analysis.compute_brokers_beside()
    assert analysis.brokers_beside is not None
    expected = brokers(analysis.eco)
    assert expected and analysis.brokers == expected


def test_a_forked_computation_gives_its_result_or_its_error():
    from kg.analysis.run import forked

    assert forked(lambda: [1, "a", {"b": 2.5}])() == [1, "a", {"b": 2.5}]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        forked(lambda: 1 / 0)()
