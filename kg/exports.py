"""The build's exports (Turtle, TriG, N-Quads, JSON-LD), byte-identical between two builds of the same input.

Two parts make each file. The ontology, the curated graphs and the meta graph come from the rdflib
dataset, small and holding the ontology's blank nodes (given canonical labels, output sorted). The
large graphs — the declared inputs and the inferred graph — come as N-Quads files holding exactly
each graph's triples (the file a loader wrote and the store loaded, or the graph dumped from the
store): copied as they are into remkg.nq, as N-Triples lines (valid Turtle) into remkg.ttl and
remkg.trig. Scanning the store costs ~4 µs a quad (each term is looked up); copying a file is free,
and a loader's file is the same bytes for the same input. They hold no blank nodes.

Above FULL_EXPORTS_MAX_TRIPLES only remkg.nq is written: it holds every graph, any RDF tool reads
it, and each further copy of millions of triples costs seconds of a build that should take 30 s.
JSON-LD cannot be made from lines at all (it is written from the store), and a JSON reader must
hold the whole document. The build says what it left out.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from rdflib import Dataset, Graph

from kg.publish.export import nquads, sorted_json, union as union_graph
from kg.vocab import PREFIXES, bind_prefixes

_PREFIXES = {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}
# Above this many triples the build writes remkg.nq alone (see above). The shipped data has ~6,000.
FULL_EXPORTS_MAX_TRIPLES = 500_000
_CHUNK = 1 << 22


@dataclass(frozen=True)
class Heads:
    """The dataset's part of each export, as text. It needs no store, so the build makes it while
    HermiT still runs."""

    nquads: str
    turtle: str
    trig: str
    jsonld: str


def heads(dataset: Dataset) -> Heads:
    union = union_graph(dataset)
    return Heads(nquads(dataset), union.serialize(format="turtle"), _trig(dataset), _jsonld_text(union))


def write_exports(head: Heads, store, graph_files: dict[str, Path], folder: Path, every_format: bool = True) -> None:
    """remkg.nq (and, when `every_format`, remkg.ttl, remkg.trig and remkg.jsonld): the dataset's
    part, then each large graph (IRI order) from its N-Quads file."""
    graphs = sorted(graph_files.items())
    with (folder / "remkg.nq").open("wb") as out:
        out.write(head.nquads.encode("utf-8"))
        for _, path in graphs:
            with path.open("rb") as handle:
                shutil.copyfileobj(handle, out, _CHUNK)
    if not every_format:
        return
    with (folder / "remkg.ttl").open("wb") as out:
        out.write(head.turtle.encode("utf-8"))
        for iri, path in graphs:
            _copy_lines(path, out, f" <{iri}> .\n".encode("utf-8"), b" .\n")
    with (folder / "remkg.trig").open("wb") as out:  # TriG allows no prefix inside a graph block: full IRIs
        out.write(head.trig.encode("utf-8"))
        for iri, path in graphs:
            out.write(f"\n<{iri}> {{\n".encode("utf-8"))
            _copy_lines(path, out, f" <{iri}> .\n".encode("utf-8"), b" .\n")
            out.write(b"}\n")
    _write_jsonld(folder / "remkg.jsonld", head.jsonld, store, [pyoxigraph.NamedNode(iri) for iri, _ in graphs])


def _copy_lines(path: Path, out, tail: bytes, replacement: bytes) -> None:
    """The file's lines with the graph name at their end replaced (a quad's line ends ' <graph> .' and
    a literal cannot hold a raw line break, so the tail matches nowhere else)."""
    with path.open("rb") as handle:
        rest = b""
        while chunk := handle.read(_CHUNK):
            chunk = rest + chunk
            cut = chunk.rfind(b"\n") + 1
            out.write(chunk[:cut].replace(tail, replacement))
            rest = chunk[cut:]
        out.write(rest)


def _quads(store, graph):
    return store.quads_for_pattern(None, None, None, graph)


class _ArrayItems:
    """A writable that passes on the items of the JSON array written to it, without its brackets,
    each array preceded by a comma: pyoxigraph's JSON-LD node objects, spliced into one @graph."""

    def __init__(self, out):
        self.out, self.pending = out, b""

    def write(self, chunk: bytes) -> int:
        data = self.pending + bytes(chunk)
        if not self.pending and data.startswith(b"["):
            data = b",\n  " + data[1:]
        self.out.write(data[:-1])
        self.pending = data[-1:]
        return len(chunk)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        if self.pending not in (b"]", b""):
            self.out.write(self.pending)
        self.pending = b""


def _jsonld_text(union: Graph) -> str:
    """The dataset compacted with the local context, its node objects sorted."""
    document = sorted_json(json.loads(union.serialize(format="json-ld", context=_PREFIXES, auto_compact=True)))
    if "@graph" not in document:
        context = document.pop("@context", _PREFIXES)
        document = {"@context": context, "@graph": [document] if document else []}
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False)


def _write_jsonld(path: Path, text: str, store, graphs) -> None:
    """One JSON-LD document: the dataset's, then the store graphs' node objects (full IRIs, as
    pyoxigraph writes them) in the same @graph."""
    tail = "\n ]\n}"
    with path.open("wb") as out:
        if not text.endswith(tail):  # an empty @graph: nothing to splice into
            out.write((text + "\n").encode("utf-8"))
            return
        out.write(text[:-len(tail)].encode("utf-8"))
        for graph in graphs:
            if next(iter(_quads(store, graph)), None) is None:
                continue
            items = _ArrayItems(out)
            store.dump(items, format=pyoxigraph.RdfFormat.JSON_LD, from_graph=graph)
            items.close()
        out.write((tail + "\n").encode("utf-8"))


def _trig(dataset: Dataset) -> str:
    """TriG with the named graphs in IRI order (rdflib's own TriG order varies between runs)."""
    prefix_lines, blocks = set(), []
    for graph in sorted((g for g in dataset.graphs() if len(g)), key=lambda g: str(g.identifier)):
        body = Graph()
        bind_prefixes(body)
        for triple in graph:
            body.add(triple)
        lines = body.serialize(format="turtle").splitlines()
        prefix_lines.update(line for line in lines if line.startswith("@prefix"))
        inner = "\n".join(("    " + line) if line else "" for line in lines if not line.startswith("@prefix")).strip("\n")
        blocks.append(f"<{graph.identifier}> {{\n{inner}\n}}\n")
    return "\n".join(sorted(prefix_lines)) + "\n\n" + "\n".join(blocks)
