"""The common interface of all loaders, and the problem report they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Protocol

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from kg.vocab import mint

META_GRAPH = mint("graph", "meta")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input: where it is, which field, and what was expected."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class LoadError(Exception):
    """Raised with every problem of a run, so a curator sees them all at once."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class SourceGraph:
    """The triples a loader took from one source, and where that source came from."""

    graph_iri: URIRef
    label: str
    derived_from: str  # a file path (relative) or a URL
    triples: list = field(default_factory=list)


class Loader(Protocol):
    """Reads one kind of source; raises LoadError listing every problem, or yields source graphs."""

    def load(self) -> list[SourceGraph]: ...


def add_to_dataset(dataset: Dataset, sources: Iterable[SourceGraph], loader_name: str) -> None:
    """Each source in its own named graph; PROV-O about each graph in the meta graph."""
    meta = dataset.graph(META_GRAPH)
    for source in sources:
        graph = dataset.graph(source.graph_iri)
        for triple in source.triples:
            graph.add(triple)
        meta.add((source.graph_iri, RDF.type, PROV.Entity))
        meta.add((source.graph_iri, DCTERMS.title, Literal(source.label)))
        meta.add((source.graph_iri, PROV.wasDerivedFrom, Literal(source.derived_from, datatype=XSD.string)))
        meta.add((source.graph_iri, PROV.wasAttributedTo, Literal(loader_name)))
