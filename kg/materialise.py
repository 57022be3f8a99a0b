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
joins across named graphs (a participation and its project may come from different sources) and
inserts only facts not asserted already, as HermiT's reported inferences do. A test keeps the
result equal to HermiT's on the shipped data.
"""

from __future__ import annotations

from kg.vocab import REM, mint

INFERRED_GRAPH = mint("graph", "inferred")

_PREFIXES = f"PREFIX rem: <{REM}>\nPREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
# A participation ?x of project ?p, whichever direction the source wrote the link in.
_PARTICIPATION = "{ GRAPH ?g1 { ?p rem:hasParticipation ?x } } UNION { GRAPH ?g1 { ?x rem:inProject ?p } }"

UPDATES: tuple[tuple[str, str], ...] = (
    ("coordinator participations", """
INSERT { GRAPH <%(inferred)s> { ?x a rem:CoordinatorParticipation } }
WHERE { GRAPH ?g { ?x rem:role rem:roleCoordinator }
        FILTER NOT EXISTS { GRAPH ?any { ?x a rem:CoordinatorParticipation } } }"""),
    ("partners", """
INSERT { GRAPH <%(inferred)s> { ?p rem:hasPartner ?o } }
WHERE { %(participation)s GRAPH ?g2 { ?x rem:participant ?o }
        FILTER NOT EXISTS { GRAPH ?any { ?p rem:hasPartner ?o } } }"""),
    ("coordinators", """
INSERT { GRAPH <%(inferred)s> { ?p rem:coordinatedBy ?o } }
WHERE { %(participation)s GRAPH ?g2 { ?x rem:participant ?o } GRAPH ?g3 { ?x rem:role rem:roleCoordinator }
        FILTER NOT EXISTS { GRAPH ?any { ?p rem:coordinatedBy ?o } } }"""),
)


def materialise(store, graph: str = str(INFERRED_GRAPH)) -> int:
    """Run the updates on a pyoxigraph store; derived facts go into `graph`. Returns its size after."""
    import pyoxigraph

    for _name, update in UPDATES:
        store.update(_PREFIXES + update % {"inferred": graph, "participation": _PARTICIPATION})
    return sum(1 for _ in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph)))
