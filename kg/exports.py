"""The build's exports (Turtle, TriG, N-Quads, JSON-LD), byte-identical between two builds of the same input.

Two parts make each file. The ontology, the curated graphs and the meta graph come from the rdflib
dataset, small and holding the ontology's blank nodes (given canonical labels, output sorted). The
large graphs — the declared inputs and the inferred graph — are streamed out of the Oxigraph store,
one graph at a time, never held in memory as a whole; they hold no blank nodes, and the store's
index order depends only on the data, so the bytes do too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import pyoxigraph
from rdflib import Dataset, Graph

from kg.publish.export import nquads, sorted_json, union as union_graph
from kg.vocab import PREFIXES, bind_prefixes

_PREFIXES = {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}


def write_exports(dataset: Dataset, store, store_graphs: Iterable, folder: Path) -> None:
    """remkg.ttl, remkg.trig, remkg.nq and remkg.jsonld: the dataset, then each store graph (IRI order)."""
    graphs = [pyoxigraph.NamedNode(str(iri)) for iri in sorted({str(iri) for iri in store_graphs})]
    union = union_graph(dataset)
    _write(folder / "remkg.ttl", union.serialize(format="turtle"), store, graphs, pyoxigraph.RdfFormat.TURTLE)
    _write(folder / "remkg.trig", _trig(dataset), store, graphs, pyoxigraph.RdfFormat.TRIG)
    _write(folder / "remkg.nq", nquads(dataset), store, graphs, pyoxigraph.RdfFormat.N_QUADS)
    _write_jsonld(folder / "remkg.jsonld", union, store, graphs)


def _quads(store, graph) -> Iterable:
    return store.quads_for_pattern(None, None, None, graph)


def _write(path: Path, head: str, store, graphs, fmt) -> None:
    """The dataset's text, then every store graph: Turtle as its triples (Oxigraph writes them),
    TriG as a graph block around them, N-Quads as quads."""
    with path.open("wb") as out:
        out.write(head.encode("utf-8"))
        for graph in graphs:
            if fmt == pyoxigraph.RdfFormat.TURTLE:
                store.dump(out, format=fmt, from_graph=graph, prefixes=_PREFIXES)
            elif fmt == pyoxigraph.RdfFormat.TRIG:  # TriG allows no prefix inside a graph block: full IRIs
                out.write(f"\n{graph} {{\n".encode("utf-8"))
                store.dump(out, format=pyoxigraph.RdfFormat.TURTLE, from_graph=graph)
                out.write(b"}\n")
            else:
                pyoxigraph.serialize(_quads(store, graph), out, format=fmt)


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


def _write_jsonld(path: Path, union: Graph, store, graphs) -> None:
    """One JSON-LD document: the dataset compacted with the local context, its node objects sorted,
    then the store graphs' node objects (full IRIs, as pyoxigraph writes them) in the same @graph."""
    document = sorted_json(json.loads(union.serialize(format="json-ld", context=_PREFIXES, auto_compact=True)))
    if "@graph" not in document:
        context = document.pop("@context", _PREFIXES)
        document = {"@context": context, "@graph": [document] if document else []}
    text = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False)
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
