"""`remkg build`: ontology + curated data → SHACL gate → OWL reasoning → store and exports.

All or nothing: everything is written into a staging folder and swapped in at the end, so a
failed, invalid or interrupted build leaves the previous output as it was.
Same input, same output: blank nodes get canonical labels and serialisations are sorted.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import Dataset, Graph
from rdflib.compare import to_canonical_graph

from kg.ontology import load_ontology
from kg.outdir import check_replaceable, write_marker
from kg.paths import data_dir as shipped_data_dir
from kg.publish.export import nquads, write_exports
from kg.publish.viz import write_explorer
from kg.reason import reason
from kg.store import DEFAULT_OUTPUT, STORE_DIRNAME, recover, staging_dir, swap_in
from kg.validate import Violation, validate
from kg.vocab import bind_prefixes, mint
from loaders.base import add_to_dataset
from loaders.curated import CuratedLoader

ONTOLOGY_GRAPH = mint("graph", "ontology")
INFERRED_GRAPH = mint("graph", "inferred")
EXPORTS = ("remkg.ttl", "remkg.trig", "remkg.jsonld")


class BuildFailed(Exception):
    """The input is invalid (SHACL) or inconsistent (OWL); nothing was written."""

    def __init__(self, message: str, violations: list[Violation] | None = None):
        self.violations = violations or []
        super().__init__(message)


@dataclass
class BuildReport:
    output_dir: Path
    triples: int
    graphs: dict[str, int] = field(default_factory=dict)
    inferred: int = 0


def _no_progress(step: str) -> None:
    return None


def assemble(data_dir: Path | None = None, progress: Callable[[str], None] = _no_progress) -> tuple[Dataset, Graph, Graph]:
    """Load ontology and curated data into a dataset (one named graph per source); no checks yet."""
    progress("loading ontology")
    ontology = to_canonical_graph(load_ontology())
    dataset = Dataset()
    bind_prefixes(dataset)
    for triple in ontology:
        dataset.graph(ONTOLOGY_GRAPH).add(triple)
    progress("loading curated data")
    sources = CuratedLoader(Path(data_dir or shipped_data_dir()), ontology).load()
    add_to_dataset(dataset, sources, "remkg curated YAML loader")
    data = Graph()
    for source in sources:
        for triple in source.triples:
            data.add(triple)
    return dataset, ontology, data


def build(data_dir: Path | None = None, output_dir: Path = DEFAULT_OUTPUT,
          progress: Callable[[str], None] = _no_progress) -> BuildReport:
    """Build the store and exports into `output_dir`, atomically.

    Refuses (OutputRefused) before any work when `output_dir` is not remkg's to replace."""
    data_dir = Path(data_dir or shipped_data_dir())
    output_dir = check_replaceable(output_dir, data_dir)
    recover(output_dir)
    dataset, ontology, data = assemble(data_dir, progress)
    progress("validating with SHACL")
    violations = validate(data, ontology)
    if violations:
        raise BuildFailed(f"{len(violations)} SHACL violation(s)", violations)
    progress("reasoning with HermiT")
    result = reason(ontology + data)
    if not result.consistent:
        raise BuildFailed(f"the data is inconsistent with the ontology: {result.explanation}")
    inferred = dataset.graph(INFERRED_GRAPH)
    for triple in result.inferred:
        inferred.add(triple)
    staging = staging_dir(output_dir)
    try:
        progress("writing store")
        _write_store(dataset, staging / STORE_DIRNAME)
        progress("writing exports")
        write_exports(dataset, staging)
        progress("writing the explorer page")
        write_explorer(staging)
        report = BuildReport(
            output_dir=output_dir,
            triples=sum(len(g) for g in dataset.graphs() if len(g)),
            graphs={str(g.identifier): len(g) for g in sorted(dataset.graphs(), key=lambda g: str(g.identifier)) if len(g)},
            inferred=len(inferred),
        )
        (staging / "build.json").write_text(json.dumps(
            {"triples": report.triples, "graphs": report.graphs, "inferred": report.inferred}, indent=2, sort_keys=True) + "\n")
        write_marker(staging, "build", data_dir)
        progress("swapping in the new build")
        swap_in(staging, output_dir, data_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return report


def _write_store(dataset: Dataset, path: Path) -> None:
    import pyoxigraph

    store = pyoxigraph.Store(str(path))
    store.load(nquads(dataset).encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store
