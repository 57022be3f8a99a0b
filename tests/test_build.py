"""`remkg build` on the shipped data: content, provenance, determinism, atomicity, no network."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kg.checks
import kg.validate
from kg.build import EXPORTS, BuildFailed, build
from kg.checks import CHECKS_FILE
from kg.paths import shapes_file
from kg.store import open_store, select
from loaders.base import LoadError

from .test_curated import DATA_MIN, _tree_digest

PREFIXES = """
PREFIX rem: <https://w3id.org/remkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
USERS_PROJECTS = ["PASSENGER", "REMHub", "SUSMAGPRO", "REEsilience", "GREENE"]


def rows(output: Path, query: str) -> list[dict]:
    return [{k: v.value for k, v in row.items() if v is not None} for row in select(open_store(output), PREFIXES + query)]


def test_projects_users_name_first_are_present(shipped):
    found = rows(shipped, """
        SELECT ?acronym ?title ?programme (COUNT(DISTINCT ?stage) AS ?stages) WHERE {
          ?p a rem:Project ; rem:acronym ?acronym ; rem:title ?title ; rem:fundedBy/rdfs:label ?programme ; rem:coversStage ?stage .
        } GROUP BY ?acronym ?title ?programme""")
    by_acronym = {row["acronym"]: row for row in found}
    for acronym in USERS_PROJECTS:
        assert acronym in by_acronym, acronym
        assert int(by_acronym[acronym]["stages"]) >= 1
    assert by_acronym["SUSMAGPRO"]["programme"] == "Horizon 2020"
    assert by_acronym["REMHub"]["programme"] == "Horizon Europe"


def test_project_dates_where_sourced(shipped):
    found = rows(shipped, """
        SELECT ?acronym ?start ?end WHERE { ?p rem:acronym ?acronym ; rem:startDate ?start . OPTIONAL { ?p rem:endDate ?end } }""")
    dates = {row["acronym"]: (row["start"], row.get("end")) for row in found}
    assert dates["SUSMAGPRO"] == ("2019-06-01", "2023-11-30")
    assert dates["REEsilience"][0] == "2022-05-01"


def test_every_participation_organisation_has_a_country(shipped):
    participations = rows(shipped, "SELECT (COUNT(*) AS ?n) WHERE { ?x a rem:Participation }")
    assert int(participations[0]["n"]) >= 20
    missing = rows(shipped, """
        SELECT ?org WHERE { ?x a rem:Participation ; rem:participant ?org . FILTER NOT EXISTS { ?org rem:country/rem:isoCode ?c } }""")
    assert missing == []


def test_no_curated_entity_is_unsourced(shipped):
    unsourced = rows(shipped, """
        SELECT ?s WHERE {
          VALUES ?class { rem:Project rem:Organisation rem:Participation rem:Cluster rem:Event rem:FundingProgramme rem:Country }
          ?s a/rdfs:subClassOf* ?class .
          FILTER(STRSTARTS(STR(?s), "https://w3id.org/remkg/id/"))
          FILTER NOT EXISTS { ?s rem:sourcedFrom/rem:url ?url }
        }""")
    assert unsourced == []
    urls = rows(shipped, "SELECT ?url WHERE { ?s a rem:Source ; rem:url ?url }")
    assert len(urls) >= 20
    assert all(u["url"].startswith(("https://", "http://")) for u in urls)


def test_each_source_file_has_its_named_graph_with_provenance(shipped):
    graphs = rows(shipped, """
        SELECT ?g ?from WHERE { GRAPH <https://w3id.org/remkg/id/graph/meta> { ?g prov:wasDerivedFrom ?from } }""")
    derived = {row["from"] for row in graphs}
    assert {"data/projects/susmagpro.yaml", "data/organisations.yaml", "data/sources.yaml"} <= derived


def test_reasoner_derives_coordinators(shipped):
    found = rows(shipped, """
        SELECT ?acronym ?name WHERE {
          GRAPH <https://w3id.org/remkg/id/graph/inferred> { ?p rem:coordinatedBy ?o }
          ?p rem:acronym ?acronym . ?o rdfs:label ?name }""")
    coordinators = {row["acronym"]: row["name"] for row in found}
    assert coordinators["SUSMAGPRO"] == "Pforzheim University"
    assert coordinators["PASSENGER"] == "IMDEA Nanociencia"
    assert coordinators["GREENE"] == "Jožef Stefan Institute"


def test_events_the_users_name(shipped):
    found = rows(shipped, """
        SELECT ?start ?venue ?n WHERE { ?e a rem:Event ; rem:startDate ?start . OPTIONAL { ?e rem:venue ?venue } OPTIONAL { ?e rem:participantCount ?n } }""")
    events = {row["start"]: row for row in found}
    assert events["2025-10-29"]["venue"] == "Mercedes-Benz Museum, Stuttgart" and events["2025-10-29"]["n"] == "150"
    assert events["2025-10-01"]["venue"] == "Politecnico di Milano" and events["2025-10-01"]["n"] == "67"
    assert "2026-03-25" in events


def test_two_builds_give_identical_bytes(tmp_path, shipped):
    again = tmp_path / "again"
    build(None, again)
    for name in (*EXPORTS, "remkg.nq", "build.json"):
        assert hashlib.sha256((again / name).read_bytes()).digest() == hashlib.sha256((shipped / name).read_bytes()).digest(), name


def test_build_needs_no_network(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access during build: {args}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    build(DATA_MIN, tmp_path / "build")
    assert (tmp_path / "build" / "remkg.ttl").exists()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_build_leaves_previous_store_usable(tmp_path, sig):
    output = tmp_path / "build"
    build(DATA_MIN, output)
    before = _tree_digest(output)
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", "--output", str(output)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.5)  # the shipped build takes several seconds: it is mid-way now
    assert process.poll() is None, "build finished before it could be interrupted"
    process.send_signal(sig)
    process.wait(timeout=60)
    assert process.returncode != 0
    assert _tree_digest(output) == before
    found = rows(output, "SELECT ?a WHERE { ?p rem:acronym ?a }")
    assert [row["a"] for row in found] == ["DEMO"]
    build(DATA_MIN, output)  # and the next build cleans up after the killed one
    assert not list(tmp_path.glob(".build.*"))


def test_store_reads_through_rdflib_as_well(shipped):
    """The same store seen through rdflib (oxrdflib), for code that speaks rdflib rather than pyoxigraph."""
    from rdflib import URIRef

    from kg.store import open_dataset
    from kg.vocab import REM

    dataset = open_dataset(shipped)
    susmagpro = URIRef("https://w3id.org/remkg/id/project/susmagpro")
    assert {str(o) for o in dataset.objects(susmagpro, REM.acronym)} == {"SUSMAGPRO"}  # union of the named graphs


def _lines_of(count: int) -> bytes:
    return b"".join(f'<https://example.org/s{n}> <https://example.org/p> "value {n}; a \\"quoted\\" word" '
                    f"<https://example.org/g> .\n".encode() for n in range(count))


def test_bulk_load_in_parts_loads_every_line(tmp_path, monkeypatch):
    import pyoxigraph

    import kg.store

    path = tmp_path / "big.nq"
    path.write_bytes(_lines_of(5000))
    monkeypatch.setattr(kg.store, "BULK_PART_BYTES", 1000)  # cuts fall inside lines: each must be moved to a line's end
    store = pyoxigraph.Store(str(tmp_path / "store"))
    kg.store.bulk_load_file(store, path, in_parts=True)
    assert len(store) == 5000
    objects = {quad.object.value for quad in store}
    assert objects == {f'value {n}; a "quoted" word' for n in range(5000)}


def test_bulk_load_in_parts_reports_a_bad_line(tmp_path, monkeypatch):
    import pyoxigraph

    import kg.store

    path = tmp_path / "bad.nq"
    path.write_bytes(_lines_of(2000) + b"<https://example.org/s> not a quad\n" + _lines_of(10))
    monkeypatch.setattr(kg.store, "BULK_PART_BYTES", 1000)
    with pytest.raises(SyntaxError):
        kg.store.bulk_load_file(pyoxigraph.Store(str(tmp_path / "store")), path, in_parts=True)


def test_a_file_with_blank_nodes_keeps_them_when_loaded(tmp_path, monkeypatch):
    import pyoxigraph

    import kg.store

    path = tmp_path / "blank.nq"
    path.write_bytes(b"".join(f"_:shared <https://example.org/p{n}> <https://example.org/o> <https://example.org/g> .\n".encode()
                              for n in range(3000)))
    monkeypatch.setattr(kg.store, "BULK_PART_BYTES", 1000)
    store = pyoxigraph.Store(str(tmp_path / "store"))
    kg.store.bulk_load_file(store, path)
    assert len({quad.subject for quad in store}) == 1


def _steps(data: Path | None, output: Path) -> list[str]:
    steps: list[str] = []
    build(data, output, progress=steps.append)
    return steps


def _checked(steps: list[str]) -> bool:
    return any(step.startswith("validating the curated data with SHACL") for step in steps) and \
        any(step.startswith("reasoning with HermiT") for step in steps)


def test_a_rebuild_of_the_same_curated_data_skips_the_checks_and_writes_the_same_bytes(tmp_path):
    output = tmp_path / "build"
    assert _checked(_steps(DATA_MIN, output))
    first = {name: (output / name).read_bytes() for name in (*EXPORTS, "remkg.nq", "build.json", CHECKS_FILE)}
    kept = json.loads(first[CHECKS_FILE])
    assert any(predicate.endswith("#coordinatedBy") for _, predicate, _ in kept["hermit"])
    steps: list[str] = []
    report = build(DATA_MIN, output, progress=steps.append)
    assert report.checks_reused and not _checked(steps)
    for name, content in first.items():
        assert (output / name).read_bytes() == content, name


def test_changed_curated_data_is_checked_again(tmp_path):
    output, data = tmp_path / "build", tmp_path / "data"
    build(DATA_MIN, output)
    shutil.copytree(DATA_MIN, data)
    project = data / "projects" / "demo.yaml"
    project.write_text(project.read_text().replace("title: A demonstration project", "title: A changed project"))
    assert _checked(_steps(data, output))


def test_stricter_shapes_refuse_data_the_previous_build_passed(tmp_path, monkeypatch):
    """The shapes are part of what was checked: passing once does not let the data skip new shapes."""
    output = tmp_path / "build"
    build(DATA_MIN, output)
    stricter = tmp_path / "shapes.ttl"
    stricter.write_text(shapes_file().read_text() + """
remsh:ShortTitleShape a sh:NodeShape ; sh:targetClass rem:Project ;
    sh:property [ sh:path rem:title ; sh:maxLength 5 ; sh:message "A title of at most 5 characters" ] .
""")
    monkeypatch.setattr(kg.validate, "shapes_file", lambda: stricter)
    monkeypatch.setattr(kg.checks, "shapes_file", lambda: stricter)
    with pytest.raises(BuildFailed) as refused:
        build(DATA_MIN, output)
    assert [v.message for v in refused.value.violations] == ["A title of at most 5 characters"]


@pytest.mark.parametrize("damaged", ["{not json", "[]", '{"key": 1}', '{"key": "KEY", "hermit": [["only", "two"]]}'])
def test_a_damaged_record_of_the_checks_means_checking_again(tmp_path, damaged):
    output = tmp_path / "build"
    build(DATA_MIN, output)
    key = json.loads((output / CHECKS_FILE).read_text())["key"]
    (output / CHECKS_FILE).write_text(damaged.replace("KEY", key))
    assert _checked(_steps(DATA_MIN, output))


def test_a_manifest_error_is_reported_before_hermit_starts(tmp_path):
    """HermiT starts before the inputs are loaded; a wrong manifest must not wait for it."""
    data = tmp_path / "data"
    shutil.copytree(DATA_MIN, data)
    (data / "inputs.yaml").write_text("- kind: cordis-export\n  path: cordis/missing\n  filter: none\n")
    steps: list[str] = []
    with pytest.raises(LoadError) as refused:
        build(data, tmp_path / "build", progress=steps.append)
    assert "inputs.yaml:2: path: 'cordis/missing' does not exist in the data folder" in str(refused.value)
    assert not any(step.startswith("reasoning with HermiT") for step in steps)
