"""Analysis results as RDF in the `analysis` named graph, so SPARQL, the explorer and the site
can show them. Writing replaces that one graph in the built store (a single transaction)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.analysis.gaps import Gap
from kg.analysis.synergies import Synergy
from kg.store import DEFAULT_OUTPUT, recover, store_path
from kg.vocab import REM, bind_prefixes, mint

ANALYSIS_GRAPH = mint("graph", "analysis")


def analysis_graph(gaps: list[Gap], synergies: list[Synergy], day: dt.date) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    date = Literal(day.isoformat(), datatype=XSD.date)

    def result(node, cls, kind: str, evidence: str, about: list[str]) -> None:
        for triple in ((node, RDF.type, cls), (node, REM.analysisKind, Literal(kind)),
                       (node, REM.evidence, Literal(evidence)), (node, REM.analysisDate, date)):
            graph.add(triple)
        for subject in about:
            graph.add((node, REM.about, URIRef(subject)))

    for gap in gaps:
        node = mint("gap", f"{gap.kind} {gap.subject.rsplit('/', 1)[-1]} {gap.label}")
        result(node, REM.Gap, gap.kind, gap.evidence, [gap.subject])
        graph.add((node, REM.severity, Literal(gap.severity)))
    for synergy in synergies:
        node = mint("synergy", f"{synergy.kind} {synergy.a.rsplit('/', 1)[-1]} {synergy.b.rsplit('/', 1)[-1]}")
        result(node, REM.SynergyCandidate, synergy.kind, synergy.reason, [synergy.a, synergy.b])
        graph.add((node, REM.score, Literal(str(synergy.score), datatype=XSD.decimal)))
    return graph


def write_analysis(graph: Graph, output_dir: Path = DEFAULT_OUTPUT) -> int:
    """Replace the `analysis` named graph of the built store; return the number of triples written."""
    import pyoxigraph as ox

    recover(output_dir)
    store = ox.Store(str(store_path(output_dir)))
    triples = graph.serialize(format="nt")
    # One update, one transaction: readers see the old analysis graph or the new one.
    store.update(f"DROP SILENT GRAPH <{ANALYSIS_GRAPH}> ; INSERT DATA {{ GRAPH <{ANALYSIS_GRAPH}> {{ {triples} }} }}")
    store.flush()
    del store
    (Path(output_dir) / "analysis.ttl").write_text(graph.serialize(format="turtle"), encoding="utf-8")
    return len(graph)
