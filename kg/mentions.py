"""What the loaded articles say, read back from the built store: where an entity is mentioned, and
which names the gazetteer did not know (for a curator; nothing is added to the graph)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg.analysis.network import resolve_name
from kg.query import Result, run, run_named
from kg.store import DEFAULT_OUTPUT, open_store
from loaders.gazetteer import Gazetteer
from loaders.unknown_names import unknown_names

_NAMES = """
PREFIX rem: <https://w3id.org/remkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?name WHERE {
  { ?entity rem:acronym ?name } UNION { ?entity rdfs:label ?name } UNION { ?entity skos:prefLabel ?name } UNION { ?entity skos:altLabel ?name }
  FILTER(STRSTARTS(STR(?entity), "https://w3id.org/remkg/id/"))
}"""
_GAZETTEER_INPUT = """
PREFIX rem: <https://w3id.org/remkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?entity a ?type ; ?naming ?name } WHERE {
  ?entity a ?type ; ?naming ?name .
  VALUES ?naming { rdfs:label skos:prefLabel skos:altLabel rem:acronym }
}"""
_TEXTS = """
PREFIX rem: <https://w3id.org/remkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
SELECT ?article ?title ?text WHERE { ?article a rem:Article ; rdfs:label ?title ; schema:text ?text } ORDER BY ?article"""


@dataclass
class UnknownName:
    surface: str
    kind: str  # acronym or organisation
    count: int = 0
    articles: list[str] = field(default_factory=list)
    example: str = ""


def resolve_entity(text: str, output_dir: Path = DEFAULT_OUTPUT) -> str:
    """The IRI an entity argument names: an IRI, a slug, an acronym, a name or a label."""
    rows = run(_NAMES, None, None, output_dir).rows
    return resolve_name(text, ((r["entity"], r["name"]) for r in rows), f"nothing called {text!r} in the graph")


def mentions_of(entity: str, output_dir: Path = DEFAULT_OUTPUT) -> Result:
    """Every mention of the entity (named query `mentions`), newest article first."""
    return run_named("mentions", {"entity": resolve_entity(entity, output_dir)}, output_dir=output_dir)


def unknown_in_store(output_dir: Path = DEFAULT_OUTPUT) -> list[UnknownName]:
    """Names the gazetteer of the built graph does not know, over every loaded article, most frequent first."""
    gazetteer = Gazetteer.from_graph(_names_graph(output_dir))
    found: dict[tuple[str, str], UnknownName] = {}
    for row in run(_TEXTS, None, None, output_dir).rows:
        text = row["text"]
        for candidate in unknown_names(text, gazetteer.find(text)):
            entry = found.setdefault((candidate.surface, candidate.kind), UnknownName(candidate.surface, candidate.kind))
            entry.count += 1
            if row["title"] not in entry.articles:
                entry.articles.append(row["title"])
            entry.example = entry.example or _sentence_around(text, candidate.start)
    return sorted(found.values(), key=lambda u: (-u.count, u.surface.casefold()))


def _names_graph(output_dir: Path) -> Graph:
    """The types and names of every entity in the built store: what the gazetteer is built from."""
    import pyoxigraph

    triples = open_store(output_dir).query(_GAZETTEER_INPUT, use_default_graph_as_union=True)
    return Graph().parse(data=triples.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES), format="nt")


def _sentence_around(text: str, offset: int) -> str:
    start = max(text.rfind(". ", 0, offset) + 2, text.rfind("\n", 0, offset) + 1, 0)
    end = min(i for i in (text.find(". ", offset), text.find("\n", offset), len(text)) if i >= 0)
    return text[start:end + 1].strip()


def co_mention_edges(output_dir: Path = DEFAULT_OUTPUT) -> dict[tuple[str, str], dict]:
    """Project pairs mentioned together (named query `co-mentions`), for the explorer's co-mention layer."""
    return {(row["a"], row["b"]): {key: int(row[key]) for key in ("sentences", "paragraphs", "articles")}
            for row in run_named("co-mentions", output_dir=output_dir).rows}
