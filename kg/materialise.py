"""What HermiT derives for instance data, derived instead by SPARQL updates inside the store.

HermiT reasons over every individual it is given, which is fine for the curated data (thousands of
triples, where it catches modelling errors) and hopeless for a CORDIS export (millions). For
instance data the ontology implies three kinds of facts (see `ontology/remkg.ttl`):

- `rem:CoordinatorParticipation` membership: a participation whose `rem:role` is the coordinator
  role (the class is the intersection of `rem:Participation` and that `hasValue` restriction, and
  `rem:role` has `rem:Participation` as its domain);
- `rem:hasPartner`: the chain `rem:hasParticipation ∘ rem:participant`;
- `rem:coordinatedBy`: the chain through coordinator participations (and, as a sub-property, a
  `rem:hasPartner` too).

`rem:inProject` is the inverse of `rem:hasParticipation`, so either direction counts. Each update
joins across named graphs (a participation and its project may come from different sources); a
last update drops what a source asserts already, as HermiT's reported inferences leave it out.
Plain joins and one clean-up are much cheaper in Oxigraph than a FILTER NOT EXISTS per row. A test
keeps the result equal to HermiT's on the shipped data.
"""

from __future__ import annotations

from kg.vocab import REM, mint

INFERRED_GRAPH = mint("graph", "inferred")

_PREFIXES = f"PREFIX rem: <{REM}>\n"

UPDATES: tuple[tuple[str, str], ...] = (
    ("coordinator participations", """
INSERT { GRAPH <%(inferred)s> { ?x a rem:CoordinatorParticipation } }
WHERE { GRAPH ?g { ?x rem:role rem:roleCoordinator } }"""),
    ("partners", """
INSERT { GRAPH <%(inferred)s> { ?p rem:hasPartner ?o } }
WHERE { GRAPH ?g1 { ?p rem:hasParticipation ?x } GRAPH ?g2 { ?x rem:participant ?o } }"""),
    ("partners (written from the participation)", """
INSERT { GRAPH <%(inferred)s> { ?p rem:hasPartner ?o } }
WHERE { GRAPH ?g1 { ?x rem:inProject ?p } GRAPH ?g2 { ?x rem:participant ?o } }"""),
    ("coordinators", """
INSERT { GRAPH <%(inferred)s> { ?p rem:coordinatedBy ?o } }
WHERE { GRAPH ?g3 { ?x rem:role rem:roleCoordinator } { GRAPH ?g1 { ?p rem:hasParticipation ?x } } UNION { GRAPH ?g1 { ?x rem:inProject ?p } }
        GRAPH ?g2 { ?x rem:participant ?o } }"""),
    ("no fact a source asserts already", """
DELETE { GRAPH <%(inferred)s> { ?s ?p ?o } }
WHERE { GRAPH <%(inferred)s> { ?s ?p ?o } GRAPH ?g { ?s ?p ?o } FILTER (?g != <%(inferred)s>) }"""),
)


def materialise(store, graph: str = str(INFERRED_GRAPH)) -> int:
    """Run the updates on a pyoxigraph store; derived facts go into `graph`. Returns its size after."""
    import pyoxigraph

    for _name, update in UPDATES:
        store.update(_PREFIXES + update % {"inferred": graph})
    return sum(1 for _ in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph)))
