"""Counts over the built store, for `remkg stats`."""

from __future__ import annotations

from kg.store import select

_QUERIES = {
    "instances per class": """
        PREFIX rem: <https://w3id.org/remkg/ontology#>
        SELECT ?item (COUNT(DISTINCT ?s) AS ?count) WHERE {
          ?s a ?class . FILTER(STRSTARTS(STR(?class), STR(rem:)))
          FILTER(STRSTARTS(STR(?s), "https://w3id.org/remkg/id/"))
          BIND(STRAFTER(STR(?class), "#") AS ?item)
        } GROUP BY ?item ORDER BY ?item""",
    "projects per stage or theme": """
        PREFIX rem: <https://w3id.org/remkg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?item (COUNT(DISTINCT ?p) AS ?count) WHERE {
          ?stage skos:inScheme rem:ValueChainStages ; skos:prefLabel ?item .
          OPTIONAL { ?p a rem:Project ; rem:coversStage ?stage }
        } GROUP BY ?item ORDER BY ?item""",
    "triples per named graph": """
        SELECT ?item (COUNT(*) AS ?count) WHERE { GRAPH ?g { ?s ?p ?o } BIND(STR(?g) AS ?item) }
        GROUP BY ?item ORDER BY ?item""",
    "triples": """SELECT ("all named graphs" AS ?item) (COUNT(*) AS ?count) WHERE { GRAPH ?g { ?s ?p ?o } }""",
}


def collect(store) -> dict[str, list[tuple[str, int]]]:
    """Each table of `remkg stats` as (item, count) rows."""
    return {
        title: [(row["item"].value, int(row["count"].value)) for row in select(store, query)]
        for title, query in _QUERIES.items()
    }
