"""Loading the ontology and its SKOS schemes, and summarising them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import Graph
from rdflib.namespace import OWL, RDF, SKOS

from kg.paths import ontology_files
from kg.vocab import REM, bind_prefixes


def load_ontology() -> Graph:
    """The ontology plus all vocabularies, parsed from local files only (no owl:imports)."""
    graph = Graph()
    bind_prefixes(graph)
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph


@dataclass
class OntologySummary:
    classes: int
    object_properties: int
    datatype_properties: int
    concepts_per_scheme: dict[str, int]


def summarise(graph: Graph) -> OntologySummary:
    """Counts of the remkg terms (external terms declared for alignment are not counted)."""
    def own(kind) -> int:
        return sum(1 for s in graph.subjects(RDF.type, kind) if str(s).startswith(str(REM)))

    schemes = Counter()
    for scheme in graph.objects(None, SKOS.inScheme):
        schemes[str(scheme).rsplit("#", 1)[-1]] += 1
    return OntologySummary(
        classes=own(OWL.Class),
        object_properties=own(OWL.ObjectProperty),
        datatype_properties=own(OWL.DatatypeProperty),
        concepts_per_scheme=dict(sorted(schemes.items())),
    )
