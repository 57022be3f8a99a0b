"""The ecosystem data: reached counts, identifiers, sources, and the data-quality report."""

from __future__ import annotations

import re
import shutil

from kg.build import build
from kg.quality import duplicate_reason, normalised, quality_report
from kg.query import run_named
from kg.store import open_store, select

from .conftest import FIXTURES

URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
# The counts the sources read so far support (issue 4 asks for 40 / 250 / 400: see the README).
REACHED = {"projects": 40, "organisations": 97, "participations": 149}


def test_counts_reached_by_the_sourced_data(shipped):
    projects = run_named("quality-projects", output_dir=shipped).rows
    organisations = run_named("quality-organisations", output_dir=shipped).rows
    participations = sum(int(p["participations"]) for p in projects)
    assert len(projects) >= REACHED["projects"]
    assert len(organisations) >= REACHED["organisations"]
    assert participations >= REACHED["participations"]


def test_every_chain_stage_but_use_is_covered(shipped):
    rows = select(open_store(shipped), """
        PREFIX rem: <https://w3id.org/remkg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?stage WHERE { ?stage rem:stageOrder ?o .
          FILTER NOT EXISTS { ?c skos:broader* ?stage . ?p a rem:Project ; rem:coversStage ?c } }""")
    # No sourced project works on the use phase itself yet.
    assert [row["stage"].value.rsplit("/", 1)[-1] for row in rows] == ["use"]


def test_organisations_have_a_country_and_distinct_pics(shipped):
    report = quality_report(shipped)
    assert not [name for name, missing in report.organisations_incomplete if "country" in missing]
    assert report.duplicate_pics == []
    assert report.duplicates == []


def test_every_project_has_a_well_formed_source_url(shipped):
    rows = select(open_store(shipped), """
        PREFIX rem: <https://w3id.org/remkg/ontology#>
        SELECT ?acronym ?url WHERE { ?p a rem:Project ; rem:acronym ?acronym . OPTIONAL { ?p rem:sourcedFrom/rem:url ?url } }""")
    by_project: dict[str, list[str]] = {}
    for row in rows:
        by_project.setdefault(row["acronym"].value, []).append(row["url"].value if row["url"] else "")
    assert by_project and all(urls and all(URL.match(u) for u in urls) for urls in by_project.values())


def test_report_lists_missing_fields_per_project(shipped):
    projects = dict(quality_report(shipped).projects)
    assert "CORDIS grant id" in projects["REMHub"]
    assert "start date" not in projects["SUSMAGPRO"] and "total cost" in projects["SUSMAGPRO"]
    assert "title" in projects["REE4EU"] and "title" not in projects["REEcover"]


def test_planted_near_duplicate_is_flagged_and_distinct_organisations_are_not(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data_min", data)
    with (data / "organisations.yaml").open("a") as organisations:
        organisations.write("- {id: firm-b-gmbh, name: 'Firm B GmbH', country: SI, sources: [demo-page]}\n"
                            "- {id: firm-b-berlin, name: 'Firm B', country: DE, sources: [demo-page]}\n")
    build(data, tmp_path / "build")
    pairs = {(d.a, d.b) for d in quality_report(tmp_path / "build").duplicates}
    assert pairs == {("Firm B", "Firm B GmbH")}  # the German Firm B is another country: not flagged


def test_duplicate_rules():
    assert normalised("Vacuumschmelze GmbH & Co. KG") == "vacuumschmelze"
    assert duplicate_reason({"name": "Technische Universität Darmstadt"}, {"name": "Technische Universität Dresden"}) is None
    assert duplicate_reason({"name": "University A"}, {"name": "University B"}) is None
    assert duplicate_reason({"name": "Jožef Stefan Institute"}, {"name": "Jozef Stefan Institute"}) is not None
    assert duplicate_reason({"name": "SINTEF", "acronym": "S"}, {"name": "Stiftelsen SINTEF"}) is None
    assert duplicate_reason({"name": "CNR", "altNames": "Consiglio Nazionale delle Ricerche"},
                            {"name": "Consiglio Nazionale delle Ricerche"}) is not None
