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

`rem:inProject` is the inverse of `rem:hasParticipation`, so either direction counts. Each derivation
is a CONSTRUCT that joins across named graphs (a participation and its project may come from
different sources); what a source asserts already is found by one more query and left out, as
HermiT's reported inferences leave it out (HermiT's own facts are checked the same way: kg.build);
the rest goes into the inferred graph with the bulk loader, from a sorted file the exports copy.
At a full CORDIS export this costs seconds where the same joins as SPARQL updates (one
transaction of hundreds of thousands of inserts) cost 40 s; a FILTER NOT EXISTS per row costs more
still. A test keeps the result equal to HermiT's on the shipped data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from rdflib.namespace import RDF

from kg.vocab import REM, mint

INFERRED_GRAPH = mint("graph", "inferred")

_PREFIXES = f"PREFIX rem: <{REM}>\nPREFIX rdf: <{RDF}>\n"

DERIVATIONS: tuple[tuple[str, str], ...] = (
    ("coordinator participations", """
CONSTRUCT { ?x a rem:CoordinatorParticipation }
WHERE { GRAPH ?g { ?x rem:role rem:roleCoordinator } }"""),
    ("partners", """
CONSTRUCT { ?p rem:hasPartner ?o }
WHERE { GRAPH ?g1 { ?p rem:hasParticipation ?x } GRAPH ?g2 { ?x rem:participant ?o } }"""),
    ("partners (written from the participation)", """
CONSTRUCT { ?p rem:hasPartner ?o }
WHERE { GRAPH ?g1 { ?x rem:inProject ?p } GRAPH ?g2 { ?x rem:participant ?o } }"""),
    ("coordinators", """
CONSTRUCT { ?p rem:coordinatedBy ?o }
WHERE { GRAPH ?g3 { ?x rem:role rem:roleCoordinator } { GRAPH ?g1 { ?p rem:hasParticipation ?x } } UNION { GRAPH ?g1 { ?x rem:inProject ?p } }
        GRAPH ?g2 { ?x rem:participant ?o } }"""),
)
# What a source states of the derived kinds: looked up by predicate in the sources (there are
# rarely any), not by checking each derived fact against every graph (7 s at full scale).
ASSERTED = """
SELECT ?s ?p ?o WHERE {
  { VALUES ?p { rem:hasPartner rem:coordinatedBy } GRAPH ?g { ?s ?p ?o } }
  UNION { GRAPH ?g { ?s a rem:CoordinatorParticipation } BIND (rdf:type AS ?p) BIND (rem:CoordinatorParticipation AS ?o) }
  FILTER (?g != <%(inferred)s>) }"""


def materialise(store, file: Path, also: Iterable[str] = (), graph: str = str(INFERRED_GRAPH)) -> int:
    """Derive into `graph` (empty before) of a pyoxigraph store, with the N-Triples lines `also`
    (HermiT's facts); returns the graph's size. Its triples are written to `file` as well, as sorted
    N-Quads lines, each once: the exports copy that file instead of scanning the store (kg.exports)."""
    import pyoxigraph

    derived = b"".join(store.query(_PREFIXES + construct).serialize(format=pyoxigraph.RdfFormat.N_TRIPLES)
                       for _name, construct in DERIVATIONS)
    asserted = {f"{row['s']} {row['p']} {row['o']} .".encode("utf-8")
                for row in store.query(_PREFIXES + ASSERTED % {"inferred": graph})}
    lines = set(derived.splitlines())
    lines.update(line.encode("utf-8") for line in also)
    lines -= asserted
    lines.discard(b"")
    tail = f" <{graph}> .\n".encode("utf-8")
    with open(file, "wb") as out:
        out.writelines(line.removesuffix(b" .") + tail for line in sorted(lines))
    store.bulk_load(path=str(file), format=pyoxigraph.RdfFormat.N_QUADS)
    return len(lines)
