"""CORDIS exports: the quirks of real exports load to the expected triples, a project or
organisation in both the curated data and the export is one IRI, the relevance filter keeps the
planted relevant projects and drops the irrelevant ones, bad input is refused with file, line and
column, and nothing is half-loaded."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from kg.build import build, load_curated
from kg.query import run_named
from kg.store import open_store, select
from kg.vocab import REM
from loaders.base import InputEntry, LoadError
from loaders.cordis import CordisExportLoader

from .test_curated import DATA_MIN, _tree_digest

CORDIS = Path(__file__).parent / "fixtures" / "cordis"
P = "https://w3id.org/remkg/id/"


def make_data(tmp_path: Path, manifest: bool = True) -> Path:
    """The minimal curated fixture, with DEMO's grant id and Firm B's PIC, plus the basic export declared."""
    data = tmp_path / "data"
    shutil.copytree(DATA_MIN, data)
    demo = data / "projects" / "demo.yaml"
    demo.write_text(demo.read_text().replace("programme: test-programme\n", 'programme: test-programme\ncordis_id: "900001"\n'))
    orgs = data / "organisations.yaml"
    orgs.write_text(orgs.read_text().replace("  sme: true\n", '  sme: true\n  pic: "999000002"\n'))
    shutil.copytree(CORDIS / "export-basic", data / "cordis" / "export-basic")
    if manifest:
        (data / "inputs.yaml").write_text("- kind: cordis-export\n  path: cordis/export-basic\n  retrieved: '2026-01-10'\n")
    return data


def load(data: Path, path: str, **options) -> Graph:
    context = load_curated(data)[0]
    graph = Graph()
    for source in CordisExportLoader(data, InputEntry("cordis-export", path, options, "inputs.yaml", 1), context).load():
        for triple in source.rdf_triples():
            graph.add(triple)
    return graph


@pytest.fixture()
def data(tmp_path) -> Path:
    return make_data(tmp_path)


def test_export_quirks_load_to_the_expected_triples(data):
    g = load(data, "cordis/export-basic")
    demo, ndloop = URIRef(P + "project/demo"), URIRef(P + "project/ndloop-900002")
    # one IRI per project: the curated DEMO keeps its IRI; no second project with grant 900001
    assert set(g.subjects(REM.cordisId, Literal("900001"))) <= {demo}
    assert (demo, REM.totalCost, Literal("1000000.5", datatype=XSD.decimal)) in g  # decimal comma, BOM, quoted newline before it
    assert (demo, REM.fundingScheme, Literal("RIA")) in g  # the field after the multi-line objective is in its column
    assert (ndloop, REM.title, Literal("Closing the loop for neodymium magnets")) in g
    assert (ndloop, REM.startDate, Literal("2022-01-01", datatype=XSD.date)) in g
    assert (demo, REM.endDate, None) not in g  # "2024-12-31 00:00:00" agrees with the curated end date: not repeated
    assert (ndloop, REM.euContribution, Literal("2000000", datatype=XSD.decimal)) in g
    assert (ndloop, REM.fundedBy, URIRef(P + "programme/horizon-europe")) in g
    assert set(g.objects(ndloop, REM.topicCode)) == {Literal("HORIZON-TEST-01"), Literal("HORIZON-TEST-01b")}  # topics.csv too
    # organisations: by name and country, by PIC, new ones by PIC; EL and UK become GR and GB
    uni, firm = URIRef(P + "org/uni-a"), URIRef(P + "org/firm-b")
    assert (uni, REM.picId, Literal("999000001")) in g and (uni, SKOS.altLabel, Literal("UNIVERSITY A")) in g
    assert (firm, SKOS.altLabel, Literal("FIRM B DOO")) in g
    assert (URIRef(P + "org/pic-999000003"), REM.country, URIRef(P + "country/gr")) in g
    assert (URIRef(P + "org/pic-999000004"), REM.country, URIRef(P + "country/gb")) in g
    assert (URIRef(P + "org/pic-999000004"), RDF.type, REM.PrivateCompany) in g
    assert not set(g.subjects(REM.picId, Literal("999000002"))) - {firm}
    participations = set(g.subjects(RDF.type, REM.Participation))
    assert URIRef(P + "participation/demo-uni-a") not in participations  # the curated participation: nothing new to say
    assert (URIRef(P + "participation/demo-firm-b"), REM.euContribution, Literal("250000", datatype=XSD.decimal)) in g  # the curated one, completed
    assert len(participations | {URIRef(P + "participation/demo-uni-a"), URIRef(P + "participation/demo-firm-b")}) == 6
    assert (URIRef(P + "participation/demo-pic-999000003"), REM.euContribution, Literal("49999.5", datatype=XSD.decimal)) in g


def test_a_cordis_page_the_curated_data_cites_is_one_source(data):
    with open(data / "sources.yaml", "a", encoding="utf-8") as sources:
        sources.write("- id: ndloop-cordis\n  url: https://cordis.europa.eu/project/id/900002\n  title: NDLOOP on CORDIS\n"
                      "  retrieved: \"2026-01-01\"\n")
    g = load(data, "cordis/export-basic")
    assert set(g.objects(URIRef(P + "project/ndloop-900002"), REM.sourcedFrom)) == {URIRef(P + "source/ndloop-cordis")}
    assert (URIRef(P + "source/cordis-project-900002"), None, None) not in g
    assert set(g.objects(URIRef(P + "project/emotion-900005"), REM.sourcedFrom)) == {URIRef(P + "source/cordis-project-900005")}


def test_disagreements_are_kept_not_overwritten(data):
    g = load(data, "cordis/export-basic")
    demo = URIRef(P + "project/demo")
    assert (demo, REM.startDate, None) not in g  # the curated 2021-01-01 stays the only start date
    found = {(str(g.value(d, REM.onProperty)), str(g.value(d, REM.claimedValue)), str(g.value(d, REM.shownValue)))
             for d in g.subjects(RDF.type, REM.Disagreement)}
    assert found == {("rem:startDate", "2021-02-01", "2021-01-01"),
                     ("rem:fundedBy", "programme/h2020", "programme/test-programme")}  # 600000,50 = 600000.5 agrees


def test_one_organisation_with_two_names_and_countries_in_one_export_stays_valid(data, tmp_path):
    row = ('"900002";"NDLOOP";"999000003";"";"HELLENIC TEST INSTITUTE NPO";"HTI";"false";"REC";"";"";"";"CY";"";"";"";"";"";"";'
           '"3";"participant";"1000";"1000";"1000";"false";"true"\r\n')
    _append("organization.csv", row)(data / "cordis" / "export-basic")
    output = tmp_path / "out"
    build(data, output)  # one rdfs:label and one country per organisation, or SHACL would refuse the build
    g = load(data, "cordis/export-basic")
    hti = URIRef(P + "org/pic-999000003")
    assert set(g.objects(hti, RDFS.label)) == {Literal("HELLENIC TEST INSTITUTE")}
    assert set(g.objects(hti, SKOS.altLabel)) == {Literal("HELLENIC TEST INSTITUTE NPO")}
    assert set(g.objects(hti, REM.country)) == {URIRef(P + "country/gr")}
    claims = {(str(g.value(d, REM.onProperty)), str(g.value(d, REM.shownValue)), str(g.value(d, REM.claimedValue)))
              for d in g.subjects(REM.about, hti)}
    assert claims == {("rem:country", "country/gr", "country/cy")}


SNAPSHOT = """endpoint: http://127.0.0.1:9/query
retrieved: '2026-02-01T10:00:00Z'
grants: ['900002']
queries: {projects: 'SELECT …', participants: 'SELECT …'}
projects:
- {id: '900002', acronym: NDLOOP, title: Closing the loop for neodymium magnets, objective: '', startDate: '2022-02-01',
   endDate: '2025-06-30', totalCost: '', ecMaxContribution: '2000000', frameworkProgramme: HORIZON, fundingScheme: HORIZON-RIA, topics: ''}
organizations:
- {projectID: '900002', organisationID: '999000004', name: MAGNET WORKS LIMITED, role: participant, order: '2', country: UK,
   activityType: PRC, SME: 'true', ecContribution: '800000'}
"""


def test_an_export_and_a_snapshot_of_the_same_grant_build_together(data, tmp_path):
    (data / "cordis" / "snapshot.yaml").write_text(SNAPSHOT, encoding="utf-8")
    with open(data / "inputs.yaml", "a", encoding="utf-8") as manifest:
        manifest.write("- kind: cordis-snapshot\n  path: cordis/snapshot.yaml\n")
    output = tmp_path / "out"
    build(data, output)  # one start date per project, or SHACL would refuse the build
    store = open_store(output)
    starts = select(store, """SELECT ?d WHERE { <https://w3id.org/remkg/id/project/ndloop-900002> <https://w3id.org/remkg/ontology#startDate> ?d }""")
    assert [r["d"].value for r in starts] == ["2022-01-01"]  # the export is listed first and wins
    claims = select(store, """PREFIX rem: <https://w3id.org/remkg/ontology#> SELECT ?v ?g WHERE {
        ?x a rem:Disagreement ; rem:about <https://w3id.org/remkg/id/project/ndloop-900002> ; rem:claimedValue ?v ; rem:claimedIn ?g }""")
    assert [(r["v"].value, r["g"].value) for r in claims] == [("2022-02-01", P + "graph/cordis-snapshot-yaml")]
    names = select(store, """SELECT ?n WHERE { <https://w3id.org/remkg/id/org/pic-999000004> <http://www.w3.org/2004/02/skos/core#altLabel> ?n }""")
    assert [r["n"].value for r in names] == ["MAGNET WORKS LIMITED"]


def test_json_variant_and_zip_give_the_same_facts(data, tmp_path):
    shutil.copytree(CORDIS / "export-json", data / "cordis" / "export-json")
    from_json = load(data, "cordis/export-json")
    ndloop = URIRef(P + "project/ndloop-900002")
    assert (ndloop, REM.totalCost, Literal("2500000", datatype=XSD.decimal)) in from_json
    assert (URIRef(P + "participation/ndloop-900002-pic-999000004"), REM.euContribution, Literal("800000", datatype=XSD.decimal)) in from_json
    with zipfile.ZipFile(data / "cordis" / "export.zip", "w") as archive:
        for path in sorted((CORDIS / "export-basic").iterdir()):
            archive.write(path, f"csv/{path.name}")
    from_zip, from_folder = load(data, "cordis/export.zip"), load(data, "cordis/export-basic")
    assert {t for t in from_zip if t[1] != REM.claimedIn and t[0] not in set(from_zip.subjects(RDF.type, REM.Disagreement))} == \
        {t for t in from_folder if t[1] != REM.claimedIn and t[0] not in set(from_folder.subjects(RDF.type, REM.Disagreement))}


def test_relevance_filter_keeps_planted_relevant_and_drops_irrelevant(data):
    kept = {str(o) for o in load(data, "cordis/export-basic").objects(None, REM.cordisId)} | {"900001"}
    assert kept == {"900001", "900002", "900005"}  # 900005 only through its EuroSciVoc field
    everything = load(data, "cordis/export-basic", filter="none")
    assert len(set(everything.subjects(RDF.type, REM.Project)) | {URIRef(P + "project/demo")}) == 5  # DEMO's type is curated
    only = load(data, "cordis/export-basic", filter=["900004"])
    assert {str(o) for o in only.objects(None, REM.cordisId)} == {"900004"}


@pytest.mark.parametrize("grant, expected", [
    ("900003", "900003: out: no rare-earth or magnet term in title, objective or EuroSciVoc fields; ambiguous words, "
               "which do not decide on their own: 'magnetic' in title, 'magnets' in objective, 'magnetic' in objective"),
    ("900002", "900002: in: title names 'neodymium'; objective names 'rare earth'; objective names 'permanent magnets'"),
    ("900005", "900005: in: EuroSciVoc field names 'rare earth'"),
    ("900042", "900042: not in the project table"),
])
def test_explain_says_why(data, grant, expected):
    result = subprocess.run([sys.executable, "-m", "kg.cli", "load", "cordis", str(CORDIS / "export-basic"),
                             "--data", str(data), "--explain", grant], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(expected)


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> Path:
    """One build of the curated fixture plus the basic export, for the tests that only read it."""
    output = tmp_path_factory.mktemp("merged") / "out"
    build(make_data(tmp_path_factory.mktemp("merged-data")), output)
    return output


def test_build_merges_curated_data_and_the_export(merged):
    store = open_store(merged)
    rows = select(store, """PREFIX rem: <https://w3id.org/remkg/ontology#>
        SELECT ?p (COUNT(DISTINCT ?o) AS ?partners) WHERE { ?p rem:cordisId "900001" ; rem:hasPartner ?o } GROUP BY ?p""")
    assert [(r["p"].value, int(r["partners"].value)) for r in rows] == [(P + "project/demo", 3)]  # two curated + one from CORDIS
    coordinated = select(store, """PREFIX rem: <https://w3id.org/remkg/ontology#>
        SELECT ?o WHERE { <https://w3id.org/remkg/id/project/ndloop-900002> rem:coordinatedBy ?o }""")
    assert [r["o"].value for r in coordinated] == [P + "org/uni-a"]  # derived for CORDIS participations too
    orgs = select(store, """PREFIX rem: <https://w3id.org/remkg/ontology#>
        SELECT DISTINCT ?o WHERE { ?x rem:participant ?o }""")
    assert sorted(r["o"].value for r in orgs) == [P + "org/firm-b", P + "org/pic-999000003", P + "org/pic-999000004", P + "org/uni-a"]


def test_no_fact_is_in_a_curated_and_a_cordis_graph(merged):
    """Queries over the union of the graphs would see such a fact twice (one project, two rows)."""
    twice = select(open_store(merged), """SELECT ?s ?p ?o WHERE {
        GRAPH ?curated { ?s ?p ?o } GRAPH ?cordis { ?s ?p ?o }
        FILTER(STRSTARTS(STR(?curated), "https://w3id.org/remkg/id/graph/curated-") && STRSTARTS(STR(?cordis), "https://w3id.org/remkg/id/graph/cordis-")) }""")
    assert twice == []
    projects = run_named("projects", output_dir=merged).rows
    assert [row["acronym"] for row in projects].count("DEMO") == 1


def test_quality_report_lists_the_disagreements(merged):
    result = subprocess.run([sys.executable, "-m", "kg.cli", "stats", "--quality", "--output", str(merged), "--format", "csv"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "DEMO,rem:startDate,2021-01-01,2021-02-01,https://w3id.org/remkg/id/graph/cordis-export-basic" in result.stdout
    assert "DEMO,rem:fundedBy,programme/test-programme,programme/h2020," in result.stdout


def test_suggestions_count_only_when_asked_and_the_analysis_says_how_much_rests_on_them(merged):
    from kg.analysis.run import analyse

    day = dt.date(2023, 1, 1)  # NDLOOP is active; its text suggests solvent extraction, which nothing curated covers
    plain, suggested = analyse(merged, day), analyse(merged, day, with_suggestions=True)
    capability_gaps = lambda analysis: {g.subject for g in analysis.gaps if g.kind == "capability"}  # noqa: E731
    solvent = P + "capability/solvent-extraction"
    assert solvent in capability_gaps(plain) and solvent not in capability_gaps(suggested)
    assert plain.resting_on_suggestions is None
    assert suggested.resting_on_suggestions >= 1
    assert (P + "project/ndloop-900002", solvent) in suggested.eco.suggested
    assert not plain.eco.suggested


def test_explorer_draws_suggestions_only_when_asked_and_marks_them(merged):
    from kg.analysis.network import load_ecosystem
    from kg.publish.viz import explorer_data

    def relations(with_suggestions: bool) -> set[str]:
        data = explorer_data(load_ecosystem(merged, with_suggestions=with_suggestions), [], [], [])
        return {relation for _, _, relation in data["edges"]}

    assert not any("machine suggestion" in r for r in relations(False))
    assert {"capability (machine suggestion)", "material (machine suggestion)"} <= relations(True)


def test_suggestions_carry_their_evidence_in_their_own_graph(merged):
    rows = select(open_store(merged), """PREFIX rem: <https://w3id.org/remkg/ontology#>
        SELECT ?g ?evidence WHERE { GRAPH ?g { ?s a rem:MachineSuggestion ; rem:about <https://w3id.org/remkg/id/project/ndloop-900002> ;
          rem:suggests <https://w3id.org/remkg/id/capability/solvent-extraction> ; rem:evidence ?evidence } }""")
    assert [(r["g"].value, r["evidence"].value) for r in rows] == [
        (P + "graph/cordis-export-basic-suggestions", "matched 'solvent extraction' in objective")]
    curated_stages = select(open_store(merged), """PREFIX rem: <https://w3id.org/remkg/ontology#>
        SELECT ?s WHERE { <https://w3id.org/remkg/id/project/ndloop-900002> rem:coversStage ?s }""")
    assert curated_stages == []  # suggestions never become curated facts


def _load_cordis_basic(data: Path) -> None:
    """`remkg load cordis` of the basic export into `data`, which must succeed."""
    result = subprocess.run([sys.executable, "-m", "kg.cli", "load", "cordis", str(CORDIS / "export-basic"), "--data", str(data),
                             "--retrieved", "2026-01-10"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_load_cordis_copies_checks_and_records(tmp_path):
    data = make_data(tmp_path, manifest=False)
    shutil.rmtree(data / "cordis")
    _load_cordis_basic(data)
    assert (data / "cordis" / "export-basic" / "project.csv").is_file()
    manifest = (data / "inputs.yaml").read_text()
    assert "kind: cordis-export\n  path: cordis/export-basic\n  filter: rare-earth\n  retrieved: '2026-01-10'" in manifest
    output = tmp_path / "out"
    build(data, output)
    assert select(open_store(output), 'SELECT ?p WHERE { ?p <https://w3id.org/remkg/ontology#cordisId> "900002" }')


# --- bad input ------------------------------------------------------------------------------------

def _replace(name: str, old: str, new: str):
    def change(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8-sig")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return change


def _append(name: str, line: str):
    def change(folder: Path) -> None:
        with open(folder / name, "a", encoding="utf-8", newline="") as handle:
            handle.write(line)
    return change


def _comma_separated(folder: Path) -> None:
    path = folder / "project.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace('";"', '","'), encoding="utf-8")


def _truncate(folder: Path) -> None:
    path = folder / "organization.csv"
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"MAGNET WORKS LTD") + 6])


def _latin1(folder: Path) -> None:
    path = folder / "organization.csv"
    path.write_bytes(path.read_text(encoding="utf-8").replace("UNIVERSITY A", "UNIVERSITÄT A", 1).encode("latin-1"))


ORG_ROW = '"900099";"GHOST";"999000009";"";"GHOST LAB";"GL";"false";"REC";"";"";"";"DE";"";"";"";"";"";"";"1";"participant";"1";"1";"1";"false";"true"\r\n'
PROJECT_ROW = '"900004";"SOLARCELL";"SIGNED";"Again";"2020-05-01";"2023-04-30";"1";"1";"";"";"";"H2020";"";"";"IA";"";"";"";"";""\n'
BAD = {
    "wrong delimiter": (_comma_separated,
                        "project.csv:1: expected columns separated by ';' (CORDIS exports); the header line is separated by ','"),
    "missing column": (_replace("organization.csv", '"ecContribution"', '"ecContrib"'),
                       "organization.csv:1: ecContribution: required column missing from organization"),
    "truncated file": (_truncate, "organization.csv:6: the file is truncated: a quoted field is not closed"),
    "latin-1 bytes": (_latin1, "organization.csv:2: name: not valid UTF-8 (byte 0xc4)"),
    "duplicate id": (_append("project.csv", PROJECT_ROW), "project.csv:8: id: duplicate project id 900004"),
    "unknown project": (_append("organization.csv", ORG_ROW), "organization.csv:10: projectID: participant of an unknown project '900099'"),
    "non-numeric amount": (_replace("project.csv", '"2500000.00"', '"2.5 million"'),
                           "project.csv:4: totalCost: expected an amount in euro such as 1234.56 or 1234,56, got '2.5 million'"),
    "unknown role": (_replace("organization.csv", '"coordinator"', '"boss"'), "organization.csv:2: role: expected one of"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_export_is_refused_with_file_line_and_column(data, case):
    change, expected = BAD[case]
    change(data / "cordis" / "export-basic")
    with pytest.raises(LoadError) as raised:
        load(data, "cordis/export-basic")
    assert f"cordis/export-basic/{expected}" in str(raised.value)


@pytest.mark.parametrize("option, expected", [
    ("filter: magnets", "inputs.yaml:2: filter: expected rare-earth, none, or a list of grant ids"),
    ("lenient: sometimes", "inputs.yaml:2: lenient: expected true or false"),
    ("retrieved: last week", "inputs.yaml:2: retrieved: expected the download date"),
    ("colour: blue", "inputs.yaml:2: colour: unknown option for cordis-export"),
])
def test_bad_manifest_options_are_refused(data, option, expected):
    (data / "inputs.yaml").write_text(f"- kind: cordis-export\n  {option}\n  path: cordis/export-basic\n")
    result = subprocess.run([sys.executable, "-m", "kg.cli", "validate", "--data", str(data)], capture_output=True, text=True)
    assert result.returncode == 1
    assert expected in " ".join(result.stderr.split())


def test_bad_export_leaves_the_previous_build_untouched(data, tmp_path):
    output = tmp_path / "out"
    build(data, output)
    before = _tree_digest(output)
    BAD["non-numeric amount"][0](data / "cordis" / "export-basic")
    result = subprocess.run([sys.executable, "-m", "kg.cli", "build", "--data", str(data), "--output", str(output)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "project.csv:4: totalCost" in result.stderr
    assert _tree_digest(output) == before


def test_load_cordis_refuses_bad_export_and_leaves_data_folder_unchanged(tmp_path):
    data = make_data(tmp_path, manifest=False)
    shutil.rmtree(data / "cordis")
    before = _tree_digest(data)
    bad = tmp_path / "bad-export"
    shutil.copytree(CORDIS / "export-basic", bad)
    BAD["latin-1 bytes"][0](bad)
    result = subprocess.run([sys.executable, "-m", "kg.cli", "load", "cordis", str(bad), "--data", str(data)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "bad-export/organization.csv:2: name: not valid UTF-8" in " ".join(result.stderr.split())
    assert _tree_digest(data) == before


def test_lenient_skips_and_reports_bad_rows(data):
    BAD["non-numeric amount"][0](data / "cordis" / "export-basic")
    context = load_curated(data)[0]
    loader = CordisExportLoader(data, InputEntry("cordis-export", "cordis/export-basic", {"lenient": True}, "inputs.yaml", 1), context)
    graphs = loader.load()
    subjects = {t[0] for t in graphs[0].rdf_triples()}
    assert URIRef(P + "project/ndloop-900002") not in subjects  # the bad row and its participants are skipped
    assert URIRef(P + "project/emotion-900005") in subjects
    assert graphs[0].counts["rows skipped (lenient)"] == 1
    assert any("project.csv:4: totalCost" in note for note in graphs[0].notes)


def test_load_cordis_keeps_the_conversion_and_the_build_reuses_it_only_while_valid(tmp_path):
    from loaders import converted, registry
    from loaders.manifest import read_manifest

    data = make_data(tmp_path, manifest=False)
    shutil.rmtree(data / "cordis")
    _load_cordis_basic(data)
    kept = data / "cordis" / "export-basic.converted"
    assert (kept / "conversion.json").is_file()
    assert sorted(p.name for p in (data / "cordis").iterdir()) == ["export-basic", "export-basic.converted"]  # no scratch left

    def files_loaded() -> set[Path]:
        [entry] = read_manifest(data, registry.kinds())
        graphs, _ = registry.load_input(entry, load_curated(data)[0])
        return {graph.nquads.parent for graph in graphs}

    assert files_loaded() == {kept}
    assert (kept / converted.STORE).is_dir()  # the conversion bulk-loaded as it was made: the build starts from a copy
    build(data, tmp_path / "reused")
    shutil.rmtree(kept)
    build(data, tmp_path / "converted")
    for name in ("remkg.nq", "build.json"):
        assert (tmp_path / "reused" / name).read_bytes() == (tmp_path / "converted" / name).read_bytes(), name
    converted.keep(data / "cordis" / "export-basic", "no longer valid", [])
    assert files_loaded() != {kept}  # a key that does not match: converted again
    orgs = data / "organisations.yaml"
    _load_cordis_basic(data)  # loaded again: converted again and kept
    assert files_loaded() == {kept}
    orgs.write_text(orgs.read_text().replace('pic: "999000002"', 'pic: "999000022"'))
    assert files_loaded() != {kept}  # the curated data it was resolved against changed
