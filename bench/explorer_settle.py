"""Settle time of the explorer in headless Chromium, on the shipped graph and a generated large one.

The generated graph is synthetic (projects `BENCH-P0001`…, organisations `Bench organisation 1`…,
under the real ontology and value chain) and written straight into an Oxigraph store, so the page
is made by the same named queries as a real build. Each page is opened with every kind of node
shown (`#show=project,organisation,…`) in the value-chain view, then in the force view,
and the seconds from the start of drawing to a settled network are written to
`test-artifacts/explorer-settle.json`. The limit (LIMIT_SECONDS) lives here, not in a test.

    python bench/explorer_settle.py                 # shipped graph and 2,000 nodes
    python bench/explorer_settle.py --nodes 5000    # another size
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARTIFACTS = ROOT / "test-artifacts"
LIMIT_SECONDS = 3.0
REM = "https://w3id.org/remkg/ontology#"
ID = "https://w3id.org/remkg/id/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
COUNTRIES = ["AT", "BE", "DE", "ES", "FI", "FR", "GR", "IT", "NL", "PL", "PT", "SE", "SI"]
ROLES = ["roleCoordinator", "roleParticipant"]
SHOW_ALL = ["project", "organisation", "cluster", "event", "capability", "material", "sector", "challenge"]


def generate_store(output_dir: Path, nodes: int, seed: int = 17) -> dict[str, int]:
    """Write an Oxigraph store under `output_dir` whose explorer page has about `nodes` nodes
    (the 14 stages and themes, projects, organisations); return what was generated."""
    import pyoxigraph as ox

    from kg.paths import ontology_files

    rng = random.Random(seed)
    store_dir = output_dir / "store"
    if store_dir.exists():
        shutil.rmtree(store_dir)
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(store_dir))
    for path in ontology_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ID + "graph/ontology"))
    stages = [str(row["s"].value) for row in store.query(
        f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s <http://www.w3.org/2004/02/skos/core#inScheme> <{REM}ValueChainStages> "
        f"FILTER NOT EXISTS {{ ?s <http://www.w3.org/2004/02/skos/core#broader> ?b }} }} }} ORDER BY ?s")]
    projects = max(1, (nodes - len(stages)) // 7)
    organisations = nodes - len(stages) - projects
    graph = ox.NamedNode(ID + "graph/bench")
    quads = []

    def add(s: str, p: str, o) -> None:
        quads.append(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o if not isinstance(o, str) else ox.NamedNode(o), graph))

    for code in COUNTRIES:
        country = f"{ID}country/{code.lower()}"
        add(country, TYPE, REM + "Country")
        add(country, REM + "isoCode", ox.Literal(code))
        add(country, LABEL, ox.Literal(f"Country {code}"))
        add(country, REM + "euMemberState", ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")))
    orgs = [f"{ID}org/bench-o{i:05d}" for i in range(organisations)]
    for i, org in enumerate(orgs):
        add(org, TYPE, REM + "Organisation")
        add(org, LABEL, ox.Literal(f"Bench organisation {i}"))
        add(org, REM + "country", f"{ID}country/{rng.choice(COUNTRIES).lower()}")
    participations = 0
    for i in range(projects):
        project = f"{ID}project/bench-p{i:05d}"
        add(project, TYPE, REM + "Project")
        add(project, REM + "acronym", ox.Literal(f"BENCH-P{i:05d}"))
        start = 2015 + rng.randrange(10)
        add(project, REM + "startDate", ox.Literal(f"{start}-01-01", datatype=ox.NamedNode(XSD + "date")))
        add(project, REM + "endDate", ox.Literal(f"{start + 3}-12-31", datatype=ox.NamedNode(XSD + "date")))
        for stage in rng.sample(stages, rng.randint(1, 3)):
            add(project, REM + "coversStage", stage)
        # every organisation in at least one project, then a few more partners at random
        members = orgs[i::projects] + rng.sample(orgs, min(len(orgs), 3))
        for j, org in enumerate(dict.fromkeys(members)):
            participation = f"{project}/participation/{j}"
            add(project, REM + "hasParticipation", participation)
            add(participation, REM + "participant", org)
            add(participation, REM + "role", REM + ROLES[j > 0])
            participations += 1
    store.extend(quads)
    store.flush()
    del store
    return {"stages": len(stages), "projects": projects, "organisations": organisations, "participations": participations}


def settle_seconds(page: Path, fragment: str, timeout: float = 120) -> dict:
    """Open the page in headless Chromium and return the page's own settle measurement."""
    from tests.test_analysis import _chromium

    browser = _chromium()
    try:
        browser.get(page.as_uri() + fragment)
        deadline = time.monotonic() + timeout
        while not browser.execute_script("return window.remkgReady === true"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{page} did not settle in {timeout} s")
            time.sleep(0.05)
        return browser.execute_script("return window.remkgSettle")
    finally:
        browser.quit()


def measure(output_dir: Path, label: str) -> list[dict]:
    from kg.publish.viz import write_explorer

    page, nodes, edges = write_explorer(output_dir, output_dir / "explorer.html")
    results = []
    for view in ("chain", "force"):
        fragment = "#show=" + ",".join(SHOW_ALL) + ("&view=force" if view == "force" else "")
        settle = settle_seconds(page, fragment)
        results.append({"graph": label, "view": view, "page_nodes": nodes, "page_edges": edges, **settle})
        print(f"{label:>10} {view:>5}: {settle['nodes']} nodes, {settle['edges']} edges drawn, settled in {settle['seconds']:.2f} s "
              f"({settle['sincePageStart']:.2f} s after the page started)", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2000, help="size of the generated graph (default 2000)")
    parser.add_argument("--no-shipped", action="store_true", help="skip the shipped graph")
    args = parser.parse_args()
    from kg.build import build

    work = ARTIFACTS / "explorer-settle"
    work.mkdir(parents=True, exist_ok=True)
    results = []
    if not args.no_shipped:
        print("building the shipped data…", flush=True)
        build(None, work / "shipped")
        results += measure(work / "shipped", "shipped")
    print(f"generating a {args.nodes}-node graph…", flush=True)
    generated = generate_store(work / "generated", args.nodes)
    print(f"  {generated}", flush=True)
    results += measure(work / "generated", f"{args.nodes} nodes")
    (ARTIFACTS / "explorer-settle.json").write_text(json.dumps({"limit_seconds": LIMIT_SECONDS, "results": results}, indent=2) + "\n")
    slow = [r for r in results if r["seconds"] > LIMIT_SECONDS]
    for r in slow:
        print(f"over the {LIMIT_SECONDS} s limit: {r['graph']} {r['view']} {r['seconds']:.2f} s")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
