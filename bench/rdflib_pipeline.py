"""The baseline bench/scale.py compares remkg with: the same build and analyses, every source held
in rdflib's in-memory store as remkg did before the bulk path (SHACL and HermiT over all the data,
exports serialised by rdflib, analysis on NetworkX).

    python bench/rdflib_pipeline.py build DATA OUTPUT
    python bench/rdflib_pipeline.py gaps OUTPUT
    python bench/rdflib_pipeline.py synergies OUTPUT

Each phase runs in its own process so the runner can measure its wall time and peak memory.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kg.analysis import scale


def build_in_memory(data: Path, output: Path) -> int:
    """Build OUTPUT (a new folder) with every triple in an rdflib Dataset; return the triple count."""
    import pyoxigraph
    from rdflib import Graph

    from kg.build import assemble
    from kg.exports import _trig
    from kg.publish.export import nquads, sorted_json as _sorted_json, union as _union
    from kg.materialise import INFERRED_GRAPH
    from kg.reason import reason
    from kg.store import STORE_DIRNAME
    from kg.validate import validate
    from kg.vocab import PREFIXES

    dataset, ontology, everything = assemble(data)
    violations = validate(everything, ontology)
    if violations:
        raise SystemExit(f"{len(violations)} SHACL violation(s), e.g. {violations[0]}")
    result = reason(ontology + everything)
    if not result.consistent:
        raise SystemExit(f"inconsistent: {result.explanation}")
    inferred = dataset.graph(INFERRED_GRAPH)
    for triple in result.inferred:
        inferred.add(triple)
    output.mkdir(parents=True)
    text = nquads(dataset)
    store = pyoxigraph.Store(str(output / STORE_DIRNAME))
    store.load(text.encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    del store
    union: Graph = _union(dataset)
    (output / "remkg.nq").write_text(text, encoding="utf-8")
    (output / "remkg.ttl").write_text(union.serialize(format="turtle"), encoding="utf-8")
    (output / "remkg.trig").write_text(_trig(dataset), encoding="utf-8")
    context = {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}
    document = _sorted_json(json.loads(union.serialize(format="json-ld", context=context, auto_compact=True)))
    (output / "remkg.jsonld").write_text(json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    graphs = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    (output / "build.json").write_text(json.dumps({"triples": sum(graphs.values()), "graphs": graphs,
                                                   "inferred": len(inferred)}, indent=2, sort_keys=True) + "\n")
    return sum(graphs.values())


def analyse_with_networkx(output: Path, what: str) -> dict:
    """`remkg gaps` or `remkg synergies` as JSON, forced onto the NetworkX path."""
    import datetime as dt

    from kg.analysis.run import analyse

    scale.SCALE_ABOVE = float("inf")
    analysis = analyse(output, dt.date(2025, 1, 1), 24)
    if what == "gaps":
        return {"gaps": [[g.severity, g.kind, g.label, g.evidence] for g in analysis.gaps]}
    return {"synergies": [[s.kind, s.a, s.b, s.score, s.reason] for s in analysis.synergies],
            "brokers": [[b.name, b.betweenness] for b in analysis.brokers]}


def main(argv: list[str]) -> None:
    if len(argv) == 3 and argv[0] == "build":
        print(json.dumps({"triples": build_in_memory(Path(argv[1]), Path(argv[2]))}))
    elif len(argv) == 2 and argv[0] in ("gaps", "synergies"):
        print(json.dumps(analyse_with_networkx(Path(argv[1]), argv[0])))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
