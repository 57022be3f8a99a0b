"""How `remkg site` scales: pages, bytes, seconds and peak memory on generated graphs.

    python bench/site_scale.py                       # 2,000 and 10,000 entities
    python bench/site_scale.py --entities 10000 --keep /tmp/site-bench

For each size it generates a synthetic ecosystem (projects, organisations, participations,
clusters, programmes, events, sources; labels say "Bench …": nothing here is real data) as
N-Quads, loads it with the shipped ontology into a fresh Oxigraph store, then writes the site in
a separate process and reports that process's peak resident memory (VmHWM), while writing the pages and
in all (the whole-graph dumps come last). The writer streams, so peak memory
should stay nearly flat while the number of pages grows fivefold.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REM = "https://w3id.org/remkg/ontology#"
ID = "https://w3id.org/remkg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
STAGES = ["exploration-mining", "beneficiation", "separation-refining", "metal-alloy-production", "magnet-manufacturing",
          "component-motor-integration", "collection-sorting-dismantling", "recycling"]
MATERIALS = ["neodymium", "dysprosium", "sintered-ndfeb", "magnet-scrap", "ree-oxides"]
COUNTRIES = ["at", "be", "de", "dk", "es", "fi", "fr", "gr", "it", "nl", "pl", "pt", "se", "si"]
ROLES = ["roleCoordinator", "roleParticipant", "roleParticipant", "roleParticipant", "roleAssociatedPartner"]


def _iri(kind: str, slug: str) -> str:
    return f"<{ID}{kind}/{slug}>"


def _text(value: str) -> str:
    return json.dumps(value)


def generate(entities: int, path: Path, seed: int = 16) -> dict[str, int]:
    """Write a synthetic graph with about `entities` page entities as N-Quads; return counts per kind."""
    rng = random.Random(seed)
    projects, clusters, programmes, events = entities // 4, max(entities // 100, 1), 20, entities // 40
    organisations = entities - projects - clusters - programmes - events - len(STAGES) - len(MATERIALS)
    graph = f"<{ID}graph/bench>"
    with open(path, "w", encoding="utf-8") as out:
        def fact(s: str, p: str, o: str) -> None:
            out.write(f"{s} <{p}> {o} {graph} .\n")

        for number in range(programmes):
            programme = _iri("programme", f"bench-programme-{number}")
            fact(programme, RDF_TYPE, f"<{REM}FundingProgramme>")
            fact(programme, LABEL, _text(f"Bench programme {number}"))
        for code in COUNTRIES:
            fact(_iri("country", code), RDF_TYPE, f"<{REM}Country>")
            fact(_iri("country", code), LABEL, _text(f"Bench country {code.upper()}"))
        for number in range(organisations):
            org = _iri("org", f"bench-org-{number}")
            fact(org, RDF_TYPE, f"<{REM}PrivateCompany>")
            fact(org, LABEL, _text(f"Bench organisation {number} <GmbH & Co>"))
            fact(org, f"{REM}country", _iri("country", rng.choice(COUNTRIES)))
        for number in range(projects):
            slug = f"bench-project-{number}"
            project = _iri("project", slug)
            source = _iri("source", f"bench-source-{number}")
            fact(source, RDF_TYPE, f"<{REM}Source>")
            fact(source, f"{REM}url", f'"https://example.org/bench/{number}"^^<{XSD}anyURI>')
            fact(project, RDF_TYPE, f"<{REM}Project>")
            fact(project, LABEL, _text(f"BENCH{number}"))
            fact(project, f"{REM}acronym", _text(f"BENCH{number}"))
            fact(project, f"{REM}title", _text(f"Bench project number {number} on magnets"))
            fact(project, f"{REM}fundedBy", _iri("programme", f"bench-programme-{number % programmes}"))
            year = 2010 + number % 15
            fact(project, f"{REM}startDate", f'"{year}-01-01"^^<{XSD}date>')
            fact(project, f"{REM}endDate", f'"{year + 4}-12-31"^^<{XSD}date>')
            fact(project, f"{REM}euContribution", f'"{rng.randrange(500_000, 9_000_000)}"^^<{XSD}decimal>')
            fact(project, f"{REM}sourcedFrom", source)
            for stage in rng.sample(STAGES, 2):
                fact(project, f"{REM}coversStage", f"<{ID}stage/{stage}>")
            for material in rng.sample(MATERIALS, 2):
                fact(project, f"{REM}concernsMaterial", f"<{ID}material/{material}>")
            fact(project, f"{REM}memberOfCluster", _iri("cluster", f"bench-cluster-{number % clusters}"))
            for index, partner in enumerate(rng.sample(range(organisations), 6)):
                participation = _iri("participation", f"{slug}-{partner}")
                org = _iri("org", f"bench-org-{partner}")
                fact(participation, RDF_TYPE, f"<{REM}Participation>")
                fact(participation, f"{REM}participant", org)
                fact(participation, f"{REM}inProject", project)
                fact(participation, f"{REM}role", f"<{REM}{ROLES[min(index, len(ROLES) - 1)]}>")
                fact(participation, f"{REM}sourcedFrom", source)
                fact(project, f"{REM}hasParticipation", participation)
                fact(project, f"{REM}hasPartner", org)
        for number in range(clusters):
            cluster = _iri("cluster", f"bench-cluster-{number}")
            fact(cluster, RDF_TYPE, f"<{REM}Cluster>")
            fact(cluster, LABEL, _text(f"Bench cluster {number}"))
        for number in range(events):
            event = _iri("event", f"bench-event-{number}")
            fact(event, RDF_TYPE, f"<{REM}Event>")
            fact(event, LABEL, _text(f"Bench event {number}"))
            fact(event, f"{REM}startDate", f'"2024-{1 + number % 12:02d}-10"^^<{XSD}date>')
            fact(event, f"{REM}featuresProject", _iri("project", f"bench-project-{number % projects}"))
    return {"project": projects, "org": organisations, "cluster": clusters, "programme": programmes, "event": events}


def load(nquads: Path, output: Path) -> int:
    """A store like a build's: the generated quads plus the shipped ontology in its named graph."""
    import pyoxigraph as ox

    from kg.ontology import load_ontology

    store = ox.Store(str(output / "store"))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    ontology = load_ontology().serialize(format="nt")
    store.bulk_load(ontology.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(ID + "graph/ontology"))
    store.flush()
    store.optimize()
    return len(store)


WRITER = """
import json, sys, time
from pathlib import Path
from kg.publish.site import SiteOptions, write_site
# VmHWM, not ru_maxrss: ru_maxrss of a child started by fork+exec counts the parent's memory at the fork.
peak = lambda: int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024
phases = {}
started = time.perf_counter()
report = write_site(Path(sys.argv[1]), Path(sys.argv[2]), SiteOptions(explorer=False, report=False),
                    progress=lambda step: phases.setdefault(step, peak()))
print(json.dumps({"pages": report.pages, "files": report.files, "bytes": report.bytes, "seconds": time.perf_counter() - started,
                  "peak_rss_mb": peak(), "before_dumps_mb": phases.get("writing dumps"), "entities": report.entities}))
"""


def run(entities: int, keep: Path | None) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="remkg-site-bench-")) if keep is None else keep / str(entities)
    output = folder / "build"
    output.mkdir(parents=True, exist_ok=True)
    counts = generate(entities, folder / "bench.nq")
    quads = load(folder / "bench.nq", output)
    result = subprocess.run([sys.executable, "-c", WRITER, str(output), str(folder / "site")], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    return {"requested": entities, "generated": counts, "quads": quads, **measured, "folder": str(folder)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, nargs="*", default=[2000, 10000], help="graph sizes to measure")
    parser.add_argument("--keep", type=Path, help="keep the generated stores and sites under this folder")
    args = parser.parse_args()
    for entities in args.entities:
        started = time.perf_counter()
        result = run(entities, args.keep)
        print(f"{entities:>6} entities requested: {sum(result['entities'].values()):,} entity pages, {result['pages']:,} HTML pages, "
              f"{result['files']:,} files, {result['bytes'] / 1e6:.1f} MB, {result['seconds']:.1f} s writing, "
              f"peak RSS {result['before_dumps_mb']:.0f} MB writing the pages, {result['peak_rss_mb']:.0f} MB with the whole-graph dumps "
              f"({result['quads']:,} quads; {time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
