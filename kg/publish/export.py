"""Linked-data exports: the whole graph (or one named graph) in every RDF format rdflib writes.

The build writes its exports with these functions too, so `remkg export` and the build folder
agree byte for byte. Serialisations are deterministic (sorted lines, graphs in IRI order, JSON
arrays sorted), carry the remkg prefixes, and the JSON-LD is compacted with the shipped context
(`kg/publish/context.jsonld`), which gives remkg terms schema.org's names (`name`, `startDate`,
`member`, `funder`) while the IRIs stay remkg's: a plain JSON reader and an RDF tool read the same file.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.vocab import ID_BASE, PREFIXES, bind_prefixes

CONTEXT_FILE = Path(__file__).with_name("context.jsonld")
# --format NAME -> (rdflib serializer, file suffix, media type, keeps named graphs)
FORMATS = {
    "ttl": ("turtle", "ttl", "text/turtle", False),
    "nt": ("nt", "nt", "application/n-triples", False),
    "trig": ("trig", "trig", "application/trig", True),
    "nq": ("nquads", "nq", "application/n-quads", True),
    "jsonld": ("json-ld", "jsonld", "application/ld+json", False),
    "rdfxml": ("xml", "rdf", "application/rdf+xml", False),
}


class ExportError(ValueError):
    """An unknown format or named graph; nothing was written."""


@lru_cache(maxsize=1)
def context() -> dict:
    """The shipped JSON-LD @context (prefixes, and schema.org names for remkg terms)."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


def load_dataset(output_dir: Path, graph: str | None = None) -> Dataset:
    """The built store as an in-memory rdflib Dataset; only one named graph when `graph` is given
    (its IRI, or the last part of it: `ontology`, `curated-projects-susmagpro`)."""
    import pyoxigraph as ox

    from kg.store import open_store

    store = open_store(output_dir)
    names = sorted(g.value for g in store.named_graphs())
    from_graph = None
    if graph is not None:
        wanted = graph if graph.startswith(("http://", "https://")) else f"{ID_BASE}graph/{graph}"
        if wanted not in names:
            shown = ", ".join(name.rsplit("/", 1)[-1] for name in names)
            raise ExportError(f"no named graph {graph!r} in the store; known: {shown}")
        from_graph = ox.NamedNode(wanted)
    dataset = Dataset()
    bind_prefixes(dataset)
    for quad in store.quads_for_pattern(None, None, None, from_graph):
        if isinstance(quad.graph_name, ox.NamedNode):
            dataset.graph(URIRef(quad.graph_name.value)).add(
                (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object)))
    return dataset


def rdflib_term(term):
    """A pyoxigraph term as rdflib's; blank nodes keep the store's label, so output is stable."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    datatype = None if term.language or term.datatype.value == str(XSD.string) else URIRef(term.datatype.value)
    return Literal(term.value, lang=term.language, datatype=datatype)


def union(dataset: Dataset) -> Graph:
    merged = Graph()
    bind_prefixes(merged)
    for graph in dataset.graphs():
        for triple in graph:
            merged.add(triple)
    return merged


def nquads(dataset: Dataset) -> str:
    lines = set(dataset.serialize(format="nquads").splitlines())
    return "\n".join(sorted(line for line in lines if line.strip())) + "\n"


def ntriples(graph: Graph) -> str:
    lines = set(graph.serialize(format="nt").splitlines())
    return "\n".join(sorted(line for line in lines if line.strip())) + "\n"


def trig(dataset: Dataset) -> str:
    """TriG, graphs and statements in sorted order; lexical forms kept as stored."""
    import pyoxigraph as ox

    quads = sorted((s, p, o, g.identifier) for g in dataset.graphs() for s, p, o in g)
    return _ox_write((ox.Quad(_ox_term(s), _ox_term(p), _ox_term(o), _ox_term(g)) for s, p, o, g in quads), "TRIG")


def turtle(graph: Graph) -> str:
    """Turtle, statements in sorted order. Written by pyoxigraph because rdflib's Turtle writer
    rewrites lexical forms ("2496250"^^xsd:decimal becomes 2496250.0), a different RDF term."""
    import pyoxigraph as ox

    return _ox_write((ox.Triple(_ox_term(s), _ox_term(p), _ox_term(o)) for s, p, o in sorted(graph)), "TURTLE")


def sorted_json(value):
    """JSON-LD with every unordered array sorted (RDF has no order; @list keeps its own)."""
    if isinstance(value, dict):
        return {key: (sorted_json(item) if key != "@list" else [sorted_json(i) for i in item]) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((sorted_json(item) for item in value), key=_sort_key)
    return value


def _sort_key(item) -> str:
    return item if isinstance(item, str) else json.dumps(item, sort_keys=True)


def jsonld(graph: Graph) -> str:
    """Compacted JSON-LD with the shipped context written inline (readable with no network).

    The compaction is done here rather than by rdflib's serializer: the graph's shape is plain
    (subjects with properties, no lists to rebuild), and this is several times faster, which
    matters for a site that writes one document per entity."""
    terms = _context_terms()
    nodes: dict = {}
    for s, p, o in graph:
        node = nodes.setdefault(s, {"@id": _node_id(s)})
        if p == RDF.type and isinstance(o, URIRef):
            node.setdefault("@type", []).append(_curie(str(o)))
            continue
        key, coercion = terms.get(str(p), (_curie(str(p)), None))
        node.setdefault(key, []).append(_json_value(o, coercion))
    document = {"@context": context(), "@graph": [
        {key: (values if key == "@id" or len(values) > 1 else values[0]) for key, values in node.items()}
        for _, node in sorted(nodes.items())]}
    return json.dumps(sorted_json(document), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@lru_cache(maxsize=1)
def _context_terms() -> dict[str, tuple[str, str | None]]:
    """Property IRI -> (its term in the shipped context, the type the term coerces values to)."""
    def expand(value: str) -> str:
        return next((ns + value.split(":", 1)[1] for prefix, ns in _prefixes() if value.startswith(prefix + ":")), value)

    return {expand(definition["@id"]): (term, expand(definition["@type"]) if definition.get("@type", "@id") != "@id" else definition.get("@type"))
            for term, definition in context().items() if isinstance(definition, dict)}


@lru_cache(maxsize=1)
def _prefixes() -> list[tuple[str, str]]:
    """The context's prefixes, longest namespace first (so `id:` wins over a shorter match)."""
    return sorted(((term, ns) for term, ns in context().items() if isinstance(ns, str) and not term.startswith("@")),
                  key=lambda item: -len(item[1]))


def _curie(iri: str) -> str:
    for prefix, ns in _prefixes():
        if iri.startswith(ns) and not iri[len(ns):].startswith("/"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _node_id(node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _json_value(node, coercion: str | None):
    if isinstance(node, (URIRef, BNode)):
        return _node_id(node) if coercion == "@id" else {"@id": _node_id(node)}
    if node.language:
        return {"@value": str(node), "@language": node.language}
    datatype = str(node.datatype) if node.datatype else None
    if coercion is None and datatype in (None, str(XSD.string)):
        return str(node)
    if coercion is not None and coercion == datatype:
        return str(node)
    if datatype in (None, str(XSD.string)):
        return {"@value": str(node)}
    return {"@value": str(node), "@type": _curie(datatype)}


def rdfxml(graph: Graph) -> str:
    """RDF/XML from the sorted triples (rdflib's writer orders subjects differently from run to run)."""
    import pyoxigraph as ox

    return _ox_write((ox.Triple(_ox_term(s), _ox_term(p), _ox_term(o)) for s, p, o in sorted(graph)), "RDF_XML")


def _ox_term(node):
    import pyoxigraph as ox

    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if node.language:
        return ox.Literal(str(node), language=node.language)
    return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string)))


def _ox_write(statements, fmt: str) -> str:
    """Statements written by pyoxigraph in the order given, with the remkg prefixes."""
    import pyoxigraph as ox

    prefixes = {**{prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}, "id": ID_BASE}
    return ox.serialize(statements, format=getattr(ox.RdfFormat, fmt), prefixes=prefixes).decode("utf-8")


def serialize(dataset: Dataset, fmt: str) -> str:
    """The dataset in `fmt` (see FORMATS); triple formats get the union of the named graphs."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "nq":
        return nquads(dataset)
    if fmt == "trig":
        return trig(dataset)
    graph = union(dataset)
    if fmt == "nt":
        return ntriples(graph)
    if fmt == "jsonld":
        return jsonld(graph)
    if fmt == "rdfxml":
        return rdfxml(graph)
    return turtle(graph)
