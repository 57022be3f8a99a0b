"""`remkg build`: ontology + curated data → SHACL gate → OWL reasoning → store and exports.

Two paths, one meaning. The ontology and the curated YAML (thousands of triples) go through rdflib,
SHACL and HermiT, where modelling errors are caught; HermiT runs in the background (it is Java)
while the store is filled. Every input the manifest declares (CORDIS exports: millions of triples)
goes straight into the staging Oxigraph store with its bulk loader, from the N-Quads file its loader
wrote (kept by `remkg load cordis` and reused while valid; its loader has checked every row, with
file and row). When `load cordis` also kept the store it bulk-loaded that file into while converting,
the staging store starts as a copy of it (hard links: RocksDB never changes a file it wrote) and that
input is not loaded again. What HermiT would derive for the inputs is derived by SPARQL in the store
(kg.materialise), and the exports copy those files (kg.exports).

Checked once: SHACL and HermiT see only the ontology and the curated data, so a build into a folder
whose previous build passed them on the same input takes HermiT's facts from it (kg.checks).
HermiT starts before the inputs are read: on a small build it is the longest part.

All or nothing: everything is written into a staging folder and swapped in at the end, so a
failed, invalid or interrupted build leaves the previous output as it was.
Same input, same output: blank nodes get canonical labels, serialisations are sorted, a loader
writes its file in the order of the input's rows, and a graph dumped from the store comes out in
the store's index order, which depends only on the data.
"""

from __future__ import annotations

import importlib
import json
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph
from rdflib import Dataset, Graph
from rdflib.compare import to_canonical_graph

from kg.checks import checks_key, passed_before, remember
from kg.exports import FULL_EXPORTS_MAX_TRIPLES, Heads, heads, write_exports
from kg.publish.export import nquads
from kg.materialise import INFERRED_GRAPH, materialise
from kg.ontology import load_ontology
from kg.outdir import check_replaceable, write_marker
from kg.paths import data_dir as shipped_data_dir
from kg.reason import ReasoningResult, reason
from kg.store import DEFAULT_OUTPUT, STORE_DIRNAME, bulk_load_file, recover, staging_dir, swap_in
from kg.validate import Violation, validate
from kg.vocab import bind_prefixes, mint
from loaders import registry
from loaders.base import META_GRAPH, InputEntry, LoadContext, LoadError, SourceGraph, add_to_dataset, provenance
from loaders.converted import kept_store
from loaders.curated import CuratedLoader
from loaders.manifest import read_manifest
from loaders.nquads import term, write_nquads

ONTOLOGY_GRAPH = mint("graph", "ontology")
EXPORTS = ("remkg.ttl", "remkg.trig", "remkg.jsonld")
# Above this many triples the whole-graph explorer page is not written (a browser could not draw
# it): the build says how to write a focused one instead. The shipped data has about 5,000.
EXPLORER_MAX_TRIPLES = 60_000


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
    explorer: str = ""  # what happened to the whole-graph explorer page
    exports: str = ""  # which export files were written (only N-Quads at scale, and why)
    checks_reused: bool = False  # SHACL and HermiT not run: the previous build in the folder checked the same input (kg.checks)


@dataclass
class Sources:
    """What a build reads: the ontology, the curated data (rdflib: small, checked by SHACL and
    HermiT) and the declared inputs (bulk: streamed into the store), each with its loader's name."""

    ontology: Graph
    curated: list[SourceGraph]
    inputs: list[tuple[SourceGraph, str]]
    context: LoadContext  # its scratch folder holds the inputs' converted files, and the build's

    def curated_graph(self) -> Graph:
        """The curated data as one graph: what SHACL and HermiT check."""
        graph = Graph()
        _add_triples(graph, self.curated)
        return graph


def _no_progress(step: str) -> None:
    return None


def collect(data_dir: Path | None = None, progress: Callable[[str], None] = _no_progress) -> Sources:
    """Run the loaders: the ontology, the curated YAML and every input the data folder's manifest
    declares; LoadError with every problem of every input."""
    context, curated_sources = load_curated(data_dir, progress)
    return collect_inputs(context, curated_sources, read_manifest(context.data_dir, registry.kinds()), progress)


def collect_inputs(context: LoadContext, curated_sources: list[SourceGraph], entries: list[InputEntry],
                   progress: Callable[[str], None] = _no_progress) -> Sources:
    """Run the loader of every input the manifest declares (`entries`), against the curated data
    `load_curated` read (which it extends: later inputs resolve against earlier ones)."""
    problems, inputs = [], []
    for number, entry in enumerate(entries, start=1):
        progress(f"loading {entry.kind} {entry.path}")
        try:
            loaded, loader_name = registry.load_input(entry, context)
        except LoadError as error:
            problems.extend(error.problems)
            continue
        inputs += [(source, loader_name) for source in loaded]
        if number < len(entries):  # later inputs resolve against earlier ones, which win like curated data
            _add_triples(context.curated, loaded)
    if problems:
        raise LoadError(problems)
    return Sources(context.ontology, curated_sources, inputs, context)


def curated_dataset(sources: Sources) -> Dataset:
    """The ontology and the curated graphs as an rdflib dataset, with the PROV-O of every source
    (declared inputs included) in the meta graph; the inputs' own triples are not in it."""
    dataset = Dataset()
    bind_prefixes(dataset)
    for triple in sources.ontology:
        dataset.graph(ONTOLOGY_GRAPH).add(triple)
    add_to_dataset(dataset, sources.curated, "remkg curated YAML loader")
    meta = dataset.graph(META_GRAPH)
    for source, loader_name in sources.inputs:
        for triple in provenance(source, loader_name):
            meta.add(triple)
    return dataset


def assemble(data_dir: Path | None = None, progress: Callable[[str], None] = _no_progress) -> tuple[Dataset, Graph, Graph]:
    """Every source in one rdflib dataset (one named graph per source), for checks on small data
    (`remkg validate`); `data` is the union of the sources. The build itself does not use it."""
    sources = collect(data_dir, progress)
    dataset = curated_dataset(sources)
    for source, loader_name in sources.inputs:
        add_to_dataset(dataset, [source], loader_name)
    data = Graph()
    _add_triples(data, sources.curated + [source for source, _ in sources.inputs])
    return dataset, sources.ontology, data


def load_curated(data_dir: Path | None = None, progress: Callable[[str], None] = _no_progress) -> tuple[LoadContext, list]:
    """The ontology and the curated YAML: what every other loader may resolve against."""
    progress("loading ontology")
    data_dir = Path(data_dir or shipped_data_dir())
    ontology = to_canonical_graph(load_ontology())
    progress("loading curated data")
    sources = CuratedLoader(data_dir, ontology).load()
    curated = Graph()
    _add_triples(curated, sources)
    return LoadContext(data_dir, ontology, curated), sources


def _add_triples(graph: Graph, sources) -> None:
    for source in sources:
        for triple in source.rdf_triples():
            graph.add(triple)


def build(data_dir: Path | None = None, output_dir: Path = DEFAULT_OUTPUT,
          progress: Callable[[str], None] = _no_progress) -> BuildReport:
    """Build the store and exports into `output_dir`, atomically.

    Refuses (OutputRefused) before any work when `output_dir` is not remkg's to replace."""
    data_dir = Path(data_dir or shipped_data_dir())
    output_dir = check_replaceable(output_dir, data_dir)
    recover(output_dir)
    context, curated_sources = load_curated(data_dir, progress)
    entries = read_manifest(context.data_dir, registry.kinds())  # its errors are reported before HermiT starts, at once
    key = checks_key(context.ontology, context.curated)
    hermit_before = passed_before(output_dir, key)
    background = ThreadPoolExecutor(max_workers=2)  # HermiT (Java) and the exports' curated part, while this thread fills the store
    staging = None
    try:
        if hermit_before is None:  # HermiT starts before the inputs are read: it is the longest part of a small build
            progress("reasoning with HermiT on the ontology and the curated data (in the background)")
            reasoning = background.submit(reason, context.ontology + context.curated)
        else:
            progress("the ontology and the curated data are those the previous build checked: SHACL and HermiT not run again")
        sources = collect_inputs(context, curated_sources, entries, progress)
        if hermit_before is None:
            progress("validating the curated data with SHACL")
            violations = validate(sources.curated_graph(), sources.ontology)
            if violations:
                raise BuildFailed(f"{len(violations)} SHACL violation(s)", violations)
        dataset = curated_dataset(sources)
        staging = staging_dir(output_dir)
        base = next((kept for source, _ in sources.inputs if (kept := kept_store(source.nquads)) is not None), None)
        if base is not None:  # a copy of the store `load cordis` filled: hard links to its files, which stay as they are
            progress(f"starting from the store kept with {base.parent.name}")
            pyoxigraph.Store.read_only(str(base)).backup(str(staging / STORE_DIRNAME))
        store = pyoxigraph.Store(str(staging / STORE_DIRNAME))
        scratch = sources.context.scratch_dir()
        loaded: dict[str, list[tuple[Path, int]]] = {str(INFERRED_GRAPH): []}  # graph -> (file, lines) loaded into it
        for source, _ in sources.inputs:
            path = source.nquads
            if base is None or kept_store(path) != base:
                progress(f"bulk-loading {source.label} ({source.size()} triples)")
                path = bulk_load(store, source, scratch)
            loaded.setdefault(str(source.graph_iri), []).append((path, source.size()))
        progress("writing the curated graphs into the store")
        store.load(nquads(dataset).encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
        # The exports' curated part, made in Python while the store is compacted (in Rust, without the GIL);
        # not earlier, where it would slow HermiT's start (Python) on the shipped data. Nothing else reads the dataset now.
        head_made = background.submit(heads, dataset)
        progress("compacting the store")  # before the joins, which run three times faster on a compacted store
        store.optimize()
        head = head_made.result()
        importlib.import_module("kg.publish.viz")  # the explorer's code (scipy, networkx: 0.3 s), imported while HermiT runs
        if hermit_before is None:
            progress("waiting for HermiT")
            result = reasoning.result()
            if not result.consistent:
                raise BuildFailed(f"the data is inconsistent with the ontology: {result.explanation}")
        else:
            result = ReasoningResult(consistent=True, inferred=hermit_before)
        remember(staging, key, result.inferred)
        progress("deriving partners and coordinators with SPARQL")
        inferred_file = Path(tempfile.mkstemp(suffix=".nq", dir=scratch)[1])
        inferred = _add_inferred(store, result.inferred, inferred_file)
        loaded[str(INFERRED_GRAPH)].append((inferred_file, inferred))
        graphs = graph_sizes(store)
        report = BuildReport(output_dir=output_dir, triples=sum(graphs.values()), graphs=graphs, inferred=inferred,
                             checks_reused=hermit_before is not None)
        progress("writing exports")
        report.exports = _exports(head, store, loaded, report, staging, scratch)
        store.flush()  # the inferred graph's few new files stay uncompacted: compacting again costs more than it saves
        del store
        progress("writing the explorer page")
        report.explorer = _explorer(staging, report.triples)
        (staging / "build.json").write_text(json.dumps(
            {"triples": report.triples, "graphs": report.graphs, "inferred": report.inferred}, indent=2, sort_keys=True) + "\n")
        write_marker(staging, "build", data_dir)
        progress("swapping in the new build")
        swap_in(staging, output_dir, data_dir)
    finally:
        background.shutdown(wait=True)
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return report


def bulk_load(store, source: SourceGraph, scratch: Path) -> Path:
    """One input's triples into its named graph with Oxigraph's bulk loader, from the N-Quads file its
    loader wrote (or one written here into `scratch` from a small loader's triples): no rdflib graph
    in between. Returns the file."""
    if source.nquads is not None:
        bulk_load_file(store, source.nquads, in_parts=True)  # a loader's QuadWriter writes no blank node
        return source.nquads
    path = Path(tempfile.mkstemp(suffix=".nq", dir=scratch)[1])
    with path.open("w", encoding="utf-8") as out:
        write_nquads(source.triples, f"<{source.graph_iri}>", out)
    bulk_load_file(store, path)
    return path


def _exports(head: Heads, store, loaded: dict[str, list[tuple[Path, int]]], report: BuildReport,
             folder: Path, scratch: Path) -> str:
    """Write the exports of the built store; say which were written."""
    files = {iri: _exact_file(store, iri, paths, report.graphs.get(iri, 0), scratch) for iri, paths in loaded.items()}
    every_format = report.triples <= FULL_EXPORTS_MAX_TRIPLES
    write_exports(head, store, files, folder, every_format)
    if every_format:
        return "remkg.nq, remkg.ttl, remkg.trig, remkg.jsonld"
    return (f"only remkg.nq (every graph): {report.triples} triples is more than the limit for the other formats "
            f"({FULL_EXPORTS_MAX_TRIPLES}); convert it with any RDF tool if you need Turtle or JSON-LD")


def _exact_file(store, iri: str, loaded: list[tuple[Path, int]], size: int, scratch: Path) -> Path:
    """An N-Quads file holding exactly the graph's triples once each: the one file loaded into it
    when its lines are as many as the graph's triples (its loader wrote no line twice), or else the
    graph dumped from the store (the inferred graph, a graph fed by two inputs)."""
    if len(loaded) == 1 and loaded[0][1] == size:
        return loaded[0][0]
    path = Path(tempfile.mkstemp(suffix=".nq", dir=scratch)[1])
    quads = store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(iri))
    pyoxigraph.serialize(quads, str(path), format=pyoxigraph.RdfFormat.N_QUADS)
    return path


def _add_inferred(store, hermit: Graph, file: Path) -> int:
    """HermiT's facts (ontology and curated data; IRIs only) and the SPARQL-derived ones (everything)
    into the inferred graph and `file`; on the curated data both give the same facts
    (tests/test_materialise.py). A fact some source states already (a bulk input, which HermiT did
    not see) is left out."""
    new = [f"{term(s)} {term(p)} {term(o)} ." for s, p, o in hermit
           if next(store.quads_for_pattern(*(pyoxigraph.NamedNode(str(t)) for t in (s, p, o))), None) is None]
    return materialise(store, file, new)


def graph_sizes(store) -> dict[str, int]:
    """Triples per named graph, in IRI order."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return dict(sorted((row["g"].value, int(row["n"].value)) for row in rows))


def _explorer(folder: Path, triples: int) -> str:
    """Write the whole-graph explorer when a browser can draw it; otherwise say how to focus."""
    focus = "write a focused page instead: remkg viz --focus PROJECT-OR-ORG --depth 2 (or --stage, --country, --cluster)"
    if triples > EXPLORER_MAX_TRIPLES:
        return f"no whole-graph explorer page: {triples} triples is more than a browser can draw (limit {EXPLORER_MAX_TRIPLES}); {focus}"
    from kg.publish.viz import write_explorer

    write_explorer(folder)  # above its node limit the page itself groups nodes
    return "explorer.html"
