"""The common interface of all loaders, and the problem report they share."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Protocol

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from kg.vocab import REM, mint, slugify

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
    retrieved: str | None = None  # when the input was downloaded or queried (ISO date or date-time), if known
    selection: str | None = None  # the query or filter rule that chose what was taken from the input
    counts: dict[str, int] = field(default_factory=dict)  # rows read, kept, skipped… per table of the input
    notes: list[str] = field(default_factory=list)  # what the loader skipped and why (lenient runs)
    nquads: Path | None = None  # bulk loaders: the triples are in this N-Quads file (in this graph), not in `triples`
    written: int = 0  # lines in `nquads`

    def size(self) -> int:
        return self.written if self.nquads is not None else len(self.triples)

    def rdf_triples(self) -> Iterable[tuple]:
        """The triples as rdflib terms, wherever they are (read back from the file for a bulk loader)."""
        if self.nquads is None:
            return self.triples
        from loaders.nquads import read_triples

        return read_triples(self.nquads)


@dataclass(frozen=True)
class InputEntry:
    """One input declared in the data folder's manifest (inputs.yaml): its kind, path and options."""

    kind: str
    path: str  # relative to the data folder
    options: dict
    manifest: str  # the manifest file, as shown in messages
    line: int
    option_lines: dict = field(default_factory=dict)

    def problem(self, field_name: str, message: str) -> Problem:
        """A problem with this entry, pointing at the manifest line of the field."""
        return Problem(self.manifest, self.option_lines.get(field_name, self.line), field_name, message)


@dataclass
class LoadContext:
    """What a loader may know besides its own input: the ontology and the data it resolves against —
    the curated data plus the inputs declared before it in the manifest (which win like curated data)."""

    data_dir: Path
    ontology: Graph
    curated: Graph
    scratch: Path | None = None  # where bulk loaders write what they convert; default: a temporary folder

    def scratch_dir(self) -> Path:
        """The scratch folder; a temporary one lives as long as this context (the build reads from it)."""
        if self.scratch is None:
            self._temporary = tempfile.TemporaryDirectory(prefix="remkg-load-")
            self.scratch = Path(self._temporary.name)
        return self.scratch


class Loader(Protocol):
    """Reads one kind of source; raises LoadError listing every problem, or yields source graphs."""

    def load(self) -> list[SourceGraph]: ...


class SourceLoader(Protocol):
    """A loader for one kind of declared input: built from (data_dir, entry, context), then load()."""

    name: str  # who made the graphs, for prov:wasAttributedTo

    def __init__(self, data_dir: Path, entry: InputEntry, context: LoadContext) -> None: ...

    def load(self) -> list[SourceGraph]: ...


def add_to_dataset(dataset: Dataset, sources: Iterable[SourceGraph], loader_name: str) -> None:
    """Each source in its own named graph; PROV-O about each graph in the meta graph."""
    meta = dataset.graph(META_GRAPH)
    for source in sources:
        graph = dataset.graph(source.graph_iri)
        for triple in source.rdf_triples():
            graph.add(triple)
        for triple in provenance(source, loader_name):
            meta.add(triple)


def provenance(source: SourceGraph, loader_name: str) -> list[tuple]:
    """PROV-O about one source graph: what it was derived from, by which loader, and — when the loader
    knows them — the activity that read the input: retrieval time, query or filter, and row counts."""
    g = source.graph_iri
    triples = [(g, RDF.type, PROV.Entity), (g, DCTERMS.title, Literal(source.label)),
               (g, PROV.wasDerivedFrom, Literal(source.derived_from, datatype=XSD.string)),
               (g, PROV.wasAttributedTo, Literal(loader_name))]
    if source.retrieved is None and source.selection is None and not source.counts and not source.notes:
        return triples
    activity = URIRef(f"{g}/activity")
    triples += [(g, PROV.wasGeneratedBy, activity), (activity, RDF.type, PROV.Activity),
                (activity, PROV.used, Literal(source.derived_from, datatype=XSD.string))]
    if source.retrieved is not None:
        datatype = XSD.dateTime if "T" in source.retrieved else XSD.date
        triples.append((activity, PROV.atTime, Literal(source.retrieved, datatype=datatype)))
    if source.selection is not None:
        triples.append((activity, REM.selection, Literal(source.selection)))
    for name, count in sorted(source.counts.items()):
        node = URIRef(f"{activity}/count/{slugify(name)}")
        triples += [(activity, REM.rowCount, node), (node, RDFS.label, Literal(name)),
                    (node, RDF.value, Literal(count, datatype=XSD.integer))]
    triples += [(activity, RDFS.comment, Literal(note)) for note in source.notes]
    return triples
