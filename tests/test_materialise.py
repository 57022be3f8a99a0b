"""SPARQL materialisation in the store derives exactly what HermiT derives for instance data."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph
from rdflib import Dataset, Graph, URIRef

from kg.build import assemble
from kg.materialise import INFERRED_GRAPH, materialise
from kg.reason import reason
from kg.vocab import REM, mint

INDIVIDUALS = "https://w3id.org/remkg/id/"


def _store(dataset: Dataset) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(dataset.serialize(format="nquads").encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def _sparql_facts(store: pyoxigraph.Store) -> set[tuple[str, str, str]]:
    """The inferred graph after materialising; its file must hold exactly the same triples, once each."""
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "inferred.nq"
        size = materialise(store, file)
        lines = file.read_bytes().splitlines()
        in_file = {(q.subject.value, q.predicate.value, q.object.value)
                   for q in pyoxigraph.parse(path=str(file), format=pyoxigraph.RdfFormat.N_QUADS)}
    in_store = {(q.subject.value, q.predicate.value, q.object.value)
                for q in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(str(INFERRED_GRAPH)))}
    assert size == len(lines) == len(in_store)
    assert lines == sorted(lines)
    assert in_file == in_store
    return in_store


def _hermit_facts(graph: Graph) -> set[tuple[str, str, str]]:
    """HermiT's facts about individuals (the ontology-level ones stay HermiT's alone)."""
    result = reason(graph)
    assert result.consistent
    return {(str(s), str(p), str(o)) for s, p, o in result.inferred if str(s).startswith(INDIVIDUALS)}


def test_sparql_derives_exactly_hermits_facts_on_the_shipped_data():
    dataset, ontology, data = assemble()
    derived = _sparql_facts(_store(dataset))
    assert derived == _hermit_facts(ontology + data)
    predicates = {p for _, p, _ in derived}
    assert predicates == {str(REM.hasPartner), str(REM.coordinatedBy), "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}
    assert (str(mint("project", "susmagpro")), str(REM.coordinatedBy), str(mint("org", "pforzheim-university"))) in derived


def test_links_split_across_graphs_and_written_with_in_project_are_joined(ontology, valid_small):
    """A participation written as `rem:inProject` in another source's graph still yields the chains."""
    dataset = Dataset()
    project, participation = mint("project", "demo"), mint("participation", "demo-uni-a")
    for s, p, o in valid_small:
        if (s, p, o) == (project, REM.hasParticipation, participation):
            dataset.graph(URIRef(INDIVIDUALS + "graph/other")).add((participation, REM.inProject, project))
        else:
            dataset.graph(URIRef(INDIVIDUALS + "graph/one")).add((s, p, o))
    for triple in ontology:
        dataset.graph(URIRef(INDIVIDUALS + "graph/ontology")).add(triple)
    rewritten = Graph()
    for s, p, o, _g in dataset.quads():
        rewritten.add((s, p, o))
    derived = _sparql_facts(_store(dataset))
    assert derived == _hermit_facts(rewritten)
    assert (str(project), str(REM.coordinatedBy), str(mint("org", "uni-a"))) in derived


def test_a_fact_a_source_states_already_is_not_derived_again(ontology, valid_small):
    dataset = Dataset()
    one = dataset.graph(URIRef(INDIVIDUALS + "graph/one"))
    for triple in valid_small:
        one.add(triple)
    project, org = mint("project", "demo"), mint("org", "uni-a")
    dataset.graph(URIRef(INDIVIDUALS + "graph/other")).add((project, REM.coordinatedBy, org))
    derived = _sparql_facts(_store(dataset))
    assert (str(project), str(REM.coordinatedBy), str(org)) not in derived
    assert (str(project), str(REM.hasPartner), str(org)) in derived
