"""Gaps and synergies on a fixture with planted structure, on the shipped data, and the report in a real browser."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kg.analysis.cache import CACHE_NAME
from kg.analysis.gaps import all_gaps, continuity_gaps, coverage_gaps
from kg.analysis.match import match
from kg.analysis.network import load_ecosystem
from kg.analysis.run import analyse
from kg.analysis.synergies import brokers, communities, complementary, shared_partners
from kg.store import open_store, select
from kg.vocab import mint

from .conftest import FIXTURES, build_into

PLANTED = FIXTURES / "data_planted"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
STAGE = "https://w3id.org/remkg/id/stage/"


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    return build_into(tmp_path_factory, PLANTED, "planted")


def test_stage_emptied_by_a_project_end_is_a_continuity_gap_at_the_right_date(planted):
    eco = load_ecosystem(planted)
    gaps = {g.subject: g for g in continuity_gaps(eco, dt.date(2026, 1, 1), 12)}
    collection = gaps[STAGE + "collection-sorting-dismantling"]
    assert (collection.severity, collection.since) == ("high", "2026-07-01")
    assert "ALPHA" in collection.evidence
    assert STAGE + "magnet-manufacturing" not in gaps
    assert continuity_gaps(eco, dt.date(2026, 1, 1), 3) == []  # the end is beyond a 3-month horizon


def test_uncovered_stage_is_a_coverage_gap(planted):
    eco = load_ecosystem(planted)
    uncovered = {g.subject for g in coverage_gaps(eco, dt.date(2023, 1, 1))}
    assert STAGE + "use" in uncovered and STAGE + "magnet-manufacturing" not in uncovered


def test_planted_shared_partner_and_producer_consumer_pair_are_found(planted):
    eco = load_ecosystem(planted)
    shared = [(s.a, s.b, s.score) for s in shared_partners(eco)]
    assert shared == [(str(mint("project", "alpha")), str(mint("project", "beta")), 1.0)]
    pairs = {(s.a, s.b): s.reason for s in complementary(eco)}
    key = (str(mint("project", "delta")), str(mint("project", "bene")))
    assert key in pairs and "Rare-earth ore" in pairs[key]
    assert (str(mint("project", "alpha")), str(mint("project", "beta"))) not in pairs  # they already share a partner


def test_bridge_organisation_has_the_top_betweenness(planted):
    eco = load_ecosystem(planted)
    top = brokers(eco)
    assert top[0].name == "Bridge Institute" and top[0].betweenness > 0
    assert all(b.betweenness == 0 for b in top[1:])
    assert any("Bridge Institute" in c.members and "Alpha Lead" in c.members for c in communities(eco))


def test_matchmaking_ranks_the_planted_complementary_partner_first(planted):
    eco = load_ecosystem(planted)
    suggestions = match(eco, str(mint("project", "delta")), top=5)
    assert suggestions[0].name == "Ore Processor"
    assert "Beneficiation" in suggestions[0].reason


def test_results_are_written_to_the_analysis_graph(planted):
    analyse(planted, dt.date(2026, 1, 1), 12, write=True)
    rows = select(open_store(planted), """
        PREFIX rem: <https://w3id.org/remkg/ontology#>
        SELECT ?kind ?evidence WHERE { GRAPH <https://w3id.org/remkg/id/graph/analysis> {
          ?gap a rem:Gap ; rem:analysisKind ?kind ; rem:evidence ?evidence ; rem:analysisDate "2026-01-01"^^<http://www.w3.org/2001/XMLSchema#date> } }""")
    kinds = {row["kind"].value for row in rows}
    assert {"continuity", "coverage", "chain-break", "challenge", "geography"} <= kinds
    assert any("ALPHA" in row["evidence"].value for row in rows if row["kind"].value == "continuity")


def test_shipped_data_collection_loses_coverage_when_harmony_ends(shipped):
    eco = load_ecosystem(shipped)
    gaps = {(g.kind, g.subject): g for g in all_gaps(eco, dt.date(2025, 1, 1), 24)}
    collection = gaps[("continuity", STAGE + "collection-sorting-dismantling")]
    # HARMONY (to 2026-12-31) is the only dated project left collecting and dismantling.
    assert collection.since == "2027-01-01" and "HARMONY" in collection.evidence
    earlier = {(g.kind, g.subject) for g in all_gaps(eco, dt.date(2023, 1, 1), 24)}
    assert ("continuity", STAGE + "collection-sorting-dismantling") not in earlier  # HARMONY takes over from SUSMAGPRO and INSPIRES
    shared = {(eco.label(s.a), eco.label(s.b)): s.reason for s in shared_partners(eco)}
    assert "Pforzheim University" in shared[("REEsilience", "SUSMAGPRO")]
    # LCM links PASSENGER, SUSMAGPRO and SecREEts, which share no other partner.
    assert brokers(eco)[0].name == "Less Common Metals Limited"


def _chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1300,1800"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def test_report_opens_in_chromium_without_errors_and_shows_the_heatmap(shipped):
    from typer.testing import CliRunner

    from kg.cli import app

    result = CliRunner().invoke(app, ["report", "--date", "2023-01-01", "--output", str(shipped)])
    assert result.exit_code == 0, result.output
    page = shipped / "report.html"
    browser = _chromium()  # no skip: a browser that cannot start fails the test
    try:
        browser.get(page.as_uri())
        errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
        cells = browser.find_elements("css selector", "#heatmap rect.cell")
        stages = len(load_ecosystem(shipped).top_level_stages())
        assert cells and len(cells) % stages == 0 and len(cells) // stages >= 5  # 2019..2023 at least
        collection_2020 = browser.find_element("css selector", '#heatmap rect[data-stage="Collection, sorting and dismantling"][data-year="2020"]')
        assert collection_2020.get_attribute("data-count") == "1"
        line_height = browser.execute_script("return document.getElementById('date-line').getBoundingClientRect().height")
        assert line_height > 100  # the date line spans the heatmap
        # REMHub, undated, is named as evidence for the uncovered digital-traceability stage
        assert "REMHub" in browser.find_element("id", "gaps").text
        requests = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert requests == []
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "report.png"))
    finally:
        browser.quit()


def test_complementary_pairs_that_never_overlap_rank_below_those_that_do(shipped):
    eco = load_ecosystem(shipped)
    pairs = {(eco.label(s.a), eco.label(s.b)): s for s in complementary(eco)}
    sequential = pairs[("EURARE", "BEETHOVEN")]  # EURARE ended 2017, BEETHOVEN started 2024
    assert sequential.score == 0.5 and "do not run at the same time" in sequential.reason
    assert pairs[("BEETHOVEN", "INSPIRES")].score == 0.5  # INSPIRES ended 2023, BEETHOVEN began 2024
    assert pairs[("GENIUS", "BEETHOVEN")].score == 1.0  # GENIUS has no recorded dates: counted as overlapping
    scores = [s.score for s in complementary(eco)]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("table", ["analysis-participations", "analysis-projects"])
@pytest.mark.parametrize("data", ["shipped", "planted"])
def test_large_tables_read_from_the_store_equal_their_named_queries(request, data, table):
    from kg.analysis import tables
    from kg.query import run_named

    output = request.getfixturevalue(data)
    as_rows = lambda rows: sorted(tuple(sorted(row.items(), key=lambda kv: kv[0])) for row in rows)  # noqa: E731
    named = run_named(table, output_dir=output).rows
    assert named
    columns, rows = tables.read_large(output)[table]
    assert as_rows([dict(zip(columns, row)) for row in rows]) == as_rows(named)


def _facts(eco) -> tuple:
    return (eco.projects, eco.organisations, eco.roles, eco.facets, eco.top_stages, eco.concepts, eco.countries,
            eco.activity, sorted(eco.chain.edges(data=True)))


@pytest.fixture()
def shipped_copy(shipped, tmp_path) -> Path:
    import shutil

    copy = tmp_path / "build"
    shutil.copytree(shipped, copy, ignore=shutil.ignore_patterns(CACHE_NAME))
    return copy


def test_the_ecosystem_is_the_same_through_the_named_queries_from_the_store_and_from_the_cache(shipped_copy, monkeypatch):
    from kg.analysis.cache import TableCache, table_of
    from kg.query import run_named

    read = load_ecosystem(shipped_copy)
    assert (shipped_copy / CACHE_NAME).is_file()
    cached = load_ecosystem(shipped_copy)
    monkeypatch.setattr(TableCache, "_read", lambda self, name: table_of(run_named(name, output_dir=self.output_dir)))
    monkeypatch.setattr(TableCache, "_load", lambda self: {})
    named = load_ecosystem(shipped_copy)
    assert _facts(read) == _facts(named)
    assert _facts(cached) == _facts(named)


def test_the_ecosystem_read_over_an_endpoint_is_the_one_read_from_the_store(shipped, tmp_path):
    from kg.serve import push

    from .test_query import oxigraph_serving

    with oxigraph_serving(tmp_path / "server-store", "--union-default-graph") as url:
        push(f"{url}/store", shipped)
        remote = load_ecosystem(endpoint=f"{url}/query")
    assert remote.roles and remote.projects
    assert _facts(remote) == _facts(load_ecosystem(shipped))


def test_a_cache_of_another_build_or_not_written_by_remkg_is_not_used(shipped_copy):
    from kg.analysis.cache import TableCache
    from kg.outdir import MARKER

    load_ecosystem(shipped_copy)
    assert TableCache(shipped_copy).tables
    marker = (shipped_copy / MARKER).read_text()
    unlisted = json.loads(marker)
    unlisted["entries"].remove(CACHE_NAME)
    (shipped_copy / MARKER).write_text(json.dumps(unlisted))
    assert TableCache(shipped_copy).tables == {}
    (shipped_copy / MARKER).write_text(marker)
    assert TableCache(shipped_copy).tables
    build = shipped_copy / "build.json"
    build.write_text(build.read_text() + " ")
    assert TableCache(shipped_copy).tables == {}


def test_tsv_cells_decode_to_the_values_pyoxigraph_gives(tmp_path):
    import pyoxigraph as ox

    from kg.query import term_value, tsv_rows

    xsd = "http://www.w3.org/2001/XMLSchema#"
    objects = [ox.Literal('tab\there "quoted" \\ back\nslash é ✓'), ox.Literal("Magnet", language="de"),
               ox.Literal("42", datatype=ox.NamedNode(xsd + "integer")), ox.Literal("1.50", datatype=ox.NamedNode(xsd + "decimal")),
               ox.Literal("true", datatype=ox.NamedNode(xsd + "boolean")), ox.Literal("2025-01-01", datatype=ox.NamedNode(xsd + "date")),
               ox.NamedNode("https://w3id.org/remkg/id/org/x"), ox.BlankNode("b7")]
    store = ox.Store(str(tmp_path / "store"))
    subject, predicate, graph = ox.NamedNode("https://w3id.org/remkg/id/s"), ox.NamedNode("https://w3id.org/remkg/ontology#p"), ox.NamedNode("https://g")
    store.extend([ox.Quad(subject, predicate, o, graph) for o in objects])
    decoded = sorted(term_value(o) for _, o in tsv_rows(store, "SELECT ?s ?o WHERE { ?s ?p ?o }"))
    assert decoded == sorted(quad.object.value for quad in store.quads_for_pattern(subject, predicate, None, None))
    assert 'tab\there "quoted" \\ back\nslash é ✓' in decoded
