"""The static linked-data site: links resolve, every entity has a page, JSON-LD says only what the
graph says in real schema.org terms, pages run in Chromium offline, data never becomes markup,
output is deterministic, and --cluster writes only the cluster's part."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import SDO
from typer.testing import CliRunner

from kg.build import build
from kg.cli import app
from kg.query import run_named
from kg.publish.site import SiteOptions, write_site
from kg.store import open_store
from kg.vocab import ID_BASE

from .conftest import FIXTURES
from .test_analysis import ARTIFACTS, _chromium

BASE = "https://w3id.org/remkg/"
DAY = dt.date(2025, 1, 1)
PAGE_KINDS = ("project", "org", "cluster", "programme", "event", "stage", "capability", "material", "sector", "challenge")
EVIL = '<img src=x onerror="window.__xss=1"></script><script>window.__xss=2</script> & Co'
BUILT_INS = {  # RDF/SKOS terms the ontology cannot align; the site maps them to these schema.org terms
    "https://schema.org/name": ["http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel"],
    "https://schema.org/alternateName": ["http://www.w3.org/2004/02/skos/core#altLabel"],
    "https://schema.org/description": ["http://www.w3.org/2004/02/skos/core#definition"],
}


@pytest.fixture(scope="module")
def site(shipped, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    write_site(shipped, out, SiteOptions(day=DAY))
    return out


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (tag/rel, url)
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src", "action"):
            if attrs.get(name):
                self.links.append((f"{tag}/{attrs.get('rel', '')}", attrs[name]))
        self._in_ld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_ld = False


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _target(site: Path, page: Path, url: str) -> Path | None:
    """The file a link points at inside the site, or None for a link leaving the site."""
    if url.startswith(BASE):
        path = site / unquote(urlsplit(url).path[len(urlsplit(BASE).path):])
    elif re.match(r"^[a-z]+:", url) or url.startswith("#"):
        return None
    else:
        path = (page.parent / unquote(urlsplit(url).path)).resolve()
    return path / "index.html" if path.is_dir() or str(path).endswith("/") else path


def test_every_internal_link_and_alternate_resolves(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 300
    checked = 0
    for page in pages:
        parsed = _parse(page)
        for kind, url in parsed.links:
            target = _target(site, page, url)
            if target is None:
                if url.startswith("#"):
                    assert url[1:] in parsed.ids, f"{page}: no anchor {url}"
                continue
            assert target.is_file(), f"{page.relative_to(site)}: {kind} {url} -> {target} is missing"
            checked += 1
    assert checked > 5000
    for line in (site / "sitemap.xml").read_text().splitlines():
        if "<loc>" in line:
            url = re.search(r"<loc>(.*)</loc>", line).group(1)
            assert _target(site, site / "index.html", url).is_file(), url


def test_every_entity_of_the_graph_has_a_page_with_its_alternates(site, shipped):
    store = open_store(shipped)
    iris = {row[0].value for row in store.query("SELECT DISTINCT ?s WHERE { ?s a ?t FILTER(isIRI(?s)) }",
                                                use_default_graph_as_union=True)}
    entities = {iri for iri in iris if iri.startswith(ID_BASE) and iri[len(ID_BASE):].split("/")[0] in PAGE_KINDS}
    assert len(entities) > 250
    for iri in entities:
        folder = site / iri[len(BASE):]
        assert (folder / "index.html").is_file(), iri
        described = Graph().parse(folder / "index.ttl", format="turtle")
        assert (URIRef(iri), None, None) in described
        again = Graph().parse(folder / "index.jsonld", format="json-ld")
        assert _by_value(again) == _by_value(described), iri
    pages = {p.parent.relative_to(site).as_posix() for p in (site / "id").glob("*/*/index.html")}
    assert pages == {iri[len(BASE):] for iri in entities}


def _by_value(graph: Graph) -> set:
    """Triples with literals compared by value (Turtle writes 2496250.0 for "2496250"^^xsd:decimal)."""
    return {(s, p, (o.toPython(), o.datatype, o.language) if isinstance(o, Literal) else o) for s, p, o in graph}


def _expand_offline(document: dict) -> Graph:
    from pyld import jsonld

    def refuse(url, options=None):
        raise AssertionError(f"JSON-LD processing tried to fetch {url}")

    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": refuse})
    return Graph().parse(data=nquads, format="nt")


def _term(node) -> str:
    return node.n3()


def test_page_jsonld_expands_offline_and_says_only_what_the_graph_says_in_real_schema_terms(site, shipped):
    store = open_store(shipped)
    pages = sorted((site / "id").glob("*/*/index.html"))
    statements = 0
    used_terms = set()
    for page in pages:
        scripts = _parse(page).scripts
        assert len(scripts) == 1, page
        graph = _expand_offline(json.loads(scripts[0]))
        assert len(graph) >= 2, page
        for s, p, o in graph:
            statements += 1
            if p == URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"):
                used_terms.add(str(o))
                ask = (f"ASK {{ {_term(s)} a ?c . ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* {_term(o)} }}")
            else:
                used_terms.add(str(p))
                sources = " ".join(f"<{iri}>" for iri in BUILT_INS.get(str(p), []))
                ask = (f"ASK {{ {{ ?q <http://www.w3.org/2000/01/rdf-schema#subPropertyOf>* {_term(p)} }} "
                       f"UNION {{ VALUES ?q {{ {sources or '<urn:none>'} }} }} {_term(s)} ?q {_term(o)} }}")
            assert bool(store.query(ask, use_default_graph_as_union=True)), f"{page}: {s} {p} {o} is not in the graph"
    assert statements > 1500
    unknown = sorted(t for t in used_terms if URIRef(t) not in SDO)
    assert unknown == []
    assert {"https://schema.org/ResearchProject", "https://schema.org/Organization", "https://schema.org/DefinedTerm",
            "https://schema.org/funder", "https://schema.org/member", "https://schema.org/startDate"} <= used_terms


def test_schema_terms_check_can_fail():
    assert URIRef("https://schema.org/ResearchProject") in SDO
    assert URIRef("https://schema.org/researchProjectOf") not in SDO


def test_site_pages_in_chromium_offline_with_working_search(site):
    browser = _chromium()
    try:
        for path in ("index.html", "id/project/susmagpro/index.html", "id/org/university-of-birmingham/index.html",
                     "stages.html", "countries.html", "dataset.html", "ontology/index.html", "id/stage/recycling/index.html"):
            browser.get((site / path).as_uri())
            assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == [], path
            requests = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
            assert all(r.startswith((site.as_uri())) for r in requests), (path, requests)
        browser.get((site / "id/project/susmagpro/index.html").as_uri())
        assert "1 June 2019" in browser.find_element("css selector", "p.summary").text
        assert "Pforzheim University" in browser.find_element("id", "participants").text
        browser.get((site / "search.html").as_uri() + "?q=susmagpro")
        deadline = time.monotonic() + 10
        while not browser.execute_script("return window.remkgSearchReady === true"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        first = browser.find_element("css selector", "#results li a")
        assert first.text == "SUSMAGPRO"
        first.click()
        assert browser.current_url.endswith("id/project/susmagpro/index.html")
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "site-project.png"))
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("evil")
    data = root / "data"
    shutil.copytree(FIXTURES / "data_min", data)
    organisations = data / "organisations.yaml"
    organisations.write_text(organisations.read_text().replace("name: Firm B", "name: '" + EVIL.replace("'", "''") + "'"))
    build(data, root / "build")
    write_site(root / "build", root / "site", SiteOptions(day=DAY))
    return root / "site"


def test_markup_in_a_label_shows_as_text_and_runs_nothing(evil_site):
    org_page = evil_site / "id/org/firm-b/index.html"
    scripts = _parse(org_page).scripts
    assert json.loads(scripts[0])["name"] == EVIL  # the JSON-LD holds the label, escaped
    assert "</script><script>window" not in org_page.read_text()
    browser = _chromium()
    try:
        for page in (org_page, evil_site / "id/org/index.html", evil_site / "id/project/demo/index.html"):
            browser.get(page.as_uri())
            assert EVIL in browser.find_element("tag name", "main").text, page
            assert browser.execute_script("return window.__xss === undefined"), page
            assert browser.execute_script("return document.querySelectorAll('main img').length") == 0
            assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
        browser.get((evil_site / "search.html").as_uri() + "?q=Co")
        time.sleep(0.5)
        assert EVIL in browser.find_element("id", "results").text
        assert browser.execute_script("return window.__xss === undefined")
    finally:
        browser.quit()
    fragment = (evil_site / "id/project/demo/embed-members.html").read_text()
    assert "<img" not in fragment and "&lt;img" in fragment


def test_two_runs_write_the_same_bytes(evil_site, tmp_path):
    again = tmp_path / "again"
    write_site(evil_site.parent / "build", again, SiteOptions(day=DAY))
    first = {p.relative_to(evil_site): p.read_bytes() for p in evil_site.rglob("*") if p.is_file() and p.name != ".remkg-output"}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file() and p.name != ".remkg-output"}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def _entity_pages(folder: Path) -> set[str]:
    return {p.parent.relative_to(folder).as_posix() for p in (folder / "id").glob("*/*/index.html")}


def test_cluster_site_holds_only_that_clusters_part(shipped, tmp_path):
    out = tmp_path / "crms4eu"
    result = CliRunner().invoke(app, ["site", str(out), "--cluster", "crms4eu", "--output", str(shipped), "--no-report",
                                      "--date", "2025-01-01"])
    assert result.exit_code == 0, result.output
    store = open_store(shipped)
    members = {row[0].value for row in store.query(
        "SELECT ?m WHERE { { ?m <https://w3id.org/remkg/ontology#memberOfCluster> <https://w3id.org/remkg/id/cluster/crms4eu> } "
        "UNION { <https://w3id.org/remkg/id/cluster/crms4eu> <https://w3id.org/remkg/ontology#hasClusterMember> ?m } }",
        use_default_graph_as_union=True)}
    assert _entity_pages(out) == {"id/cluster/crms4eu"} | {m[len(BASE):] for m in members}
    dump = Graph().parse(out / "dumps/remkg.nt", format="nt")
    assert {str(s) for s in dump.subjects() if str(s).startswith(ID_BASE)} == {ID_BASE + "cluster/crms4eu"}
    assert "SUSMAGPRO" not in (out / "search-index.js").read_text()

    reia = tmp_path / "reia"
    result = CliRunner().invoke(app, ["site", str(reia), "--cluster", "reia", "--output", str(shipped), "--no-report",
                                      "--no-explorer", "--base-url", "https://reia.example.org/kg"])
    assert result.exit_code == 0, result.output
    members = CliRunner().invoke(app, ["query", "cluster-members", "-p", "cluster=reia", "--format", "json", "--output", str(shipped)])
    names = {row["member"] for row in json.loads(members.output)}
    pages = _entity_pages(reia)
    assert "id/cluster/reia" in pages and not any(p.startswith("id/project/") for p in pages)
    labels = {json.loads(_parse(reia / p / "index.html").scripts[0])["name"] for p in pages if p.startswith("id/org/")}
    assert labels == names and len(names) == 11
    assert "https://reia.example.org/kg/id/org/" in (reia / "id/cluster/reia/embed-members.html").read_text()
    assert (reia / "robots.txt").read_text().endswith("Sitemap: https://reia.example.org/kg/sitemap.xml\n")


def test_project_site_holds_the_project_its_partners_and_stages(shipped, tmp_path):
    out = tmp_path / "susmagpro"
    write_site(shipped, out, SiteOptions(projects=("susmagpro",), day=DAY, report=False, explorer=False))
    pages = _entity_pages(out)
    assert {p.split("/")[1] for p in pages} == {"project", "org", "stage"}
    assert {p for p in pages if p.startswith("id/project/")} == {"id/project/susmagpro"}
    partners = {row["organisation"] for row in run_named("project-participants", {"project": "susmagpro"}, output_dir=shipped).rows}
    assert len([p for p in pages if p.startswith("id/org/")]) == len(partners) >= 5
    strip = (out / "id/project/susmagpro/embed-chain.html").read_text()
    assert 'data-stage="recycling"' in strip and "covered" in strip
    embedded = (out / "id/project/susmagpro/embed-jsonld.html").read_text()
    assert embedded.startswith('<script type="application/ld+json">') and '"ResearchProject"' in embedded


def test_dataset_is_described_with_dcat_and_void(site):
    void = Graph().parse(site / "void.ttl", format="turtle")
    dataset = URIRef(BASE + "dataset")
    VOID, DCAT, DCTERMS = "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
    triples = void.value(dataset, URIRef(VOID + "triples"))
    assert int(triples) == len(Graph().parse(site / "dumps/remkg.nt", format="nt")) > 4000
    assert len(list(void.objects(dataset, URIRef(DCAT + "distribution")))) == 6
    assert len(list(void.objects(dataset, URIRef(DCTERMS + "source")))) > 100
    assert int(void.value(dataset, URIRef(VOID + "classes"))) > 10
    assert void.value(dataset, URIRef(DCTERMS + "modified")).datatype is not None
    for dump, fmt in (("remkg.ttl", "turtle"), ("remkg.rdf", "xml"), ("remkg.jsonld", "json-ld")):
        assert len(Graph().parse(site / "dumps" / dump, format=fmt)) == int(triples), dump
    for dump, fmt in (("remkg.trig", "trig"), ("remkg.nq", "nquads")):
        assert len(list(Dataset().parse(site / "dumps" / dump, format=fmt).quads())) >= int(triples), dump
    assert "Sitemap: https://w3id.org/remkg/sitemap.xml" in (site / "robots.txt").read_text()
    assert (site / "ontology/index.html").read_text().count("<dt id=") > 50


def test_site_refuses_a_folder_remkg_did_not_write(shipped, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(app, ["site", str(mine), "--output", str(shipped)])
    assert result.exit_code == 2
    assert (mine / "notes.txt").read_text() == "keep me" and [p.name for p in mine.iterdir()] == ["notes.txt"]
    unknown = CliRunner().invoke(app, ["site", str(tmp_path / "x"), "--cluster", "no-such-cluster", "--output", str(shipped)])
    assert unknown.exit_code == 1 and "no-such-cluster" in unknown.output
    assert not (tmp_path / "x").exists()
    relative = CliRunner().invoke(app, ["site", str(tmp_path / "x"), "--base-url", "kg/", "--output", str(shipped)])
    assert relative.exit_code == 2 and "--base-url expects an http(s) URL" in relative.output
