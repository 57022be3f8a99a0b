"""Named queries on the shipped data, parameter safety, and the same queries through a real
`oxigraph serve` loaded with `remkg push`, and `remkg serve` answering SPARQLWrapper."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from kg.query import QueryError, list_named, run_local, run_named
from kg.serve import oxigraph_executable, push

from .test_build import USERS_PROJECTS


def named(name: str, shipped: Path, **params) -> list[dict]:
    return run_named(name, params, output_dir=shipped).rows


def test_every_named_query_has_a_header_and_runs(shipped):
    queries = list_named()
    assert len(queries) >= 12
    for query in queries:
        assert query.title != query.name and query.description, query.name
        assert run_named(query.name, output_dir=shipped).columns, query.name


PAGED = [query.name for query in list_named() if query.paging]


def test_the_queries_that_list_a_whole_table_are_paged():
    assert {"projects", "analysis-projects", "analysis-participations", "quality-projects", "quality-organisations",
            "explorer-facts", "explorer-sources", "site-entities", "shared-organisations"} <= set(PAGED)


@pytest.mark.parametrize("name", PAGED)
def test_pages_of_a_paged_query_make_up_its_whole_table(name, shipped):
    whole = run_named(name, output_dir=shipped)
    assert whole.rows and whole.page is None
    everything = run_named(name, output_dir=shipped, page=1, page_size=100_000)
    assert everything.rows == whole.rows and everything.page.count == 1
    pages, number = [], 1
    while True:
        page = run_named(name, output_dir=shipped, page=number, page_size=7)
        assert page.columns == whole.columns
        pages += page.rows
        if number == page.page.count:
            break
        number += 1
    assert number > 1 and page.page.keys > 7
    assert pages == whole.rows
    assert run_named(name, output_dir=shipped, page=number + 1, page_size=7).rows == []


def test_remkg_query_gives_a_page_and_says_how_many_there_are(shipped):
    from typer.testing import CliRunner

    from kg.cli import app

    runner = CliRunner()
    page = runner.invoke(app, ["query", "projects", "--page", "2", "--page-size", "15", "--format", "csv", "--output", str(shipped)])
    assert page.exit_code == 0, page.stderr
    acronyms = [row["acronym"] for row in named("projects", shipped)]
    assert [line.split(",")[0] for line in page.stdout.splitlines()[1:]] == acronyms[15:30]
    assert f"page 2 of {-(-len(acronyms) // 15)}" in page.stderr and "--page 3" in page.stderr
    whole = runner.invoke(app, ["query", "projects", "--all", "--format", "csv", "--output", str(shipped)])
    assert len(whole.stdout.splitlines()) == len(acronyms) + 1
    refused = runner.invoke(app, ["query", "projects", "--page", "0", "--output", str(shipped)])
    assert refused.exit_code == 1 and "count from 1" in refused.stderr


def test_a_bad_page_line_names_the_file_and_line(tmp_path):
    from kg.query import load_named

    (tmp_path / "broken.rq").write_text("# title: Broken\n# page: project, many per page: { ?project a ?c }\nSELECT ?project WHERE { ?project a ?c }\n")
    with pytest.raises(QueryError, match=r"broken.rq:2: bad page line"):
        load_named("broken", tmp_path)


def test_projects_covering_a_stage_include_narrower_stages(shipped):
    rows = named("projects-by-stage", shipped, stage="recycling")
    acronyms = {r["acronym"] for r in rows}
    assert {"SUSMAGPRO", "REEsilience", "GREENE", "REMHub"} <= acronyms
    assert {r["coveredStage"] for r in rows if r["acronym"] == "REMHub"} >= {"Reuse", "Repurposing"}
    susmagpro = next(r for r in rows if r["acronym"] == "SUSMAGPRO")
    assert (susmagpro["start"], susmagpro["end"], susmagpro["coordinator"]) == ("2019-06-01", "2023-11-30", "Pforzheim University")


def test_participants_of_a_project(shipped):
    rows = named("project-participants", shipped, project="greene")
    by_name = {r["organisation"]: r for r in rows}
    assert by_name["Jožef Stefan Institute"]["role"] == "coordinator"
    assert by_name["Agencia Estatal Consejo Superior de Investigaciones Científicas"]["role"] == "third party"
    assert by_name["Vinnytsia National Technical University"]["country"] == "UA"
    assert by_name["Universidad de Zaragoza"]["activityType"] == "Higher or secondary education establishment"
    assert len(rows) == 12  # 11 from the CNR partner list, HyProMag from a news item
    # REEcover's pages name no coordinator: its partners are members, none is guessed to lead
    assert {r["role"] for r in named("project-participants", shipped, project="reecover")} == {"consortium member"}


def test_projects_of_an_organisation_and_shared_organisations(shipped):
    assert {r["acronym"]: r["role"] for r in named("organisation-projects", shipped, org="pforzheim-university")} == {
        "SUSMAGPRO": "coordinator", "REEsilience": "coordinator", "GREENE": "participant", "MaXycle": "participant"}
    shared = {r["organisation"]: r["projects"] for r in named("shared-organisations", shipped)}
    assert set(shared["Jožef Stefan Institute"].split(", ")) == {"GREENE", "PASSENGER", "MaXycle", "ROMEO", "SUSMAGPRO"}


def test_stage_coverage_and_gaps_on_a_date(shipped):
    coverage = {r["stageLabel"]: r for r in named("stage-coverage-on-date", shipped, date="2021-01-01")}
    assert set(coverage["Collection, sorting and dismantling"]["projects"].split(", ")) == {"SUSMAGPRO", "INSPIRES"}
    # secondary sources count for their top stage; BIORECOVER has no recorded end, so it stays active
    assert set(coverage["Exploration and mining"]["projects"].split(", ")) == {"SCALE", "BIORECOVER"}
    assert coverage["Use"]["activeProjects"] == "0"
    gaps = {r["stageLabel"] for r in named("stages-without-active-project", shipped, date="2027-01-01")}
    assert "Collection, sorting and dismantling" in gaps  # HARMONY, the last dated one, ends 2026-12-31
    assert "Metal and alloy production" not in gaps  # REEsilience has no recorded end



@pytest.mark.parametrize("day", ["2019-06-01", "2021-01-01", "2023-06-01", "2025-01-01"])
def test_stage_coverage_counts_each_active_projects_money_once(shipped, day):
    """The EU contribution of a stage is that of its active projects, each once, as the gap
    analysis sums it (it was once summed per participant country, or lost to one project without it)."""
    import datetime as dt

    from kg.analysis.gaps import coverage
    from kg.analysis.network import load_ecosystem

    rows = {r["stageLabel"]: r for r in named("stage-coverage-on-date", shipped, date=day)}
    expected = {c.label: (str(len(c.projects)), c.eu_contribution) for c in coverage(load_ecosystem(shipped), dt.date.fromisoformat(day))}
    assert {label: (r["activeProjects"], float(r["euContribution"] or 0)) for label, r in rows.items()} == expected

def test_cluster_material_countries_events_challenges_provenance(shipped):
    assert named("cluster-members", shipped, cluster="crms4eu")[0]["declaredMembers"] == "17"
    reia = named("cluster-members", shipped, cluster="reia")
    assert {r["memberKind"] for r in reia} == {"organisation"} and len(reia) == 11  # 12 founders, 1 without a country
    assert {"Grundfos": "DK", "Carester": "FR", "Mkango": "CA", "Noble Group": "HK"}.items() <= {r["member"]: r["country"] for r in reia}.items()
    assert {r["acronym"] for r in named("projects-by-concept", shipped, concept="https://w3id.org/remkg/id/material/heavy-rare-earths")} == {
        "SUSMAGPRO", "REMHub", "REEPRODUCE", "SecREEts", "ROMEO", "DEMETER", "HEFT", "REEcover", "NEOHIRE", "UPGRADE", "DyScovery"}
    countries = {r["iso"]: r for r in named("countries-in-stage", shipped, stage="recycling")}
    assert countries["DE"]["organisations"] != "0" and countries["PL"]["organisations"] == "0"
    events = {r["start"]: r for r in named("events-and-projects", shipped)}
    assert set(events["2026-03-25"]["projects"].split(", ")) == {"REMHub", "REEsilience", "SUSMAGPRO", "REProMag", "GREENE", "SICAPERMA"}
    challenges = {r["challenge"]: int(r["projectCount"]) for r in named("challenges-and-projects", shipped)}
    assert challenges["Dependence on imports"] >= 4 and challenges["Investor confidence and stable demand"] == 0
    provenance = named("entity-provenance", shipped, entity="https://w3id.org/remkg/id/project/susmagpro")
    assert {"https://cordis.europa.eu/project/id/821114/factsheet", "data/projects/susmagpro.yaml"} <= {r["detail"] for r in provenance}


@pytest.mark.parametrize("evil", ['"} ; DROP ALL ; #', "x' } UNION { ?s ?p ?o } #", 'Pforzheim "University"', "<http://evil/>"])
def test_parameter_values_are_plain_values(shipped, tmp_path, evil):
    query = tmp_path / "by-name.rq"
    query.write_text("# title: By name\n# description: test\n# param: name string - -- a name\n"
                     "SELECT ?org WHERE { ?org <http://www.w3.org/2000/01/rdf-schema#label> ?name }\n")
    from kg.query import bind_parameters, parse_named
    rows = run_local(parse_named(query).text, bind_parameters(parse_named(query), {"name": evil}), shipped).rows
    assert rows == []
    assert run_local(parse_named(query).text, bind_parameters(parse_named(query), {"name": "Pforzheim University"}), shipped).rows


def test_iri_parameter_rejects_non_iris_and_unknown_parameters(shipped):
    with pytest.raises(QueryError, match="expected an http"):
        run_named("projects-by-stage", {"stage": "> } DROP ALL"}, output_dir=shipped)
    with pytest.raises(QueryError, match="has no parameter colour"):
        run_named("projects-by-stage", {"colour": "red"}, output_dir=shipped)
    with pytest.raises(QueryError, match="expected a date"):
        run_named("stage-coverage-on-date", {"date": "yesterday"}, output_dir=shipped)


def test_syntax_error_names_line_and_column(shipped):
    with pytest.raises(QueryError, match=r"line 3, column 2"):
        run_local("SELECT ?x WHERE {\n  ?x ?y \n}", output_dir=shipped)


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s <http://example.org/x#p> ?o . SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p "#" . service <http://example.org/sparql> { ?s ?p ?o } }',
])
def test_service_is_refused_unless_allowed(shipped, text):
    with pytest.raises(QueryError, match="SERVICE"):
        run_local(text, output_dir=shipped)


def test_comments_do_not_hide_or_fake_service():
    from kg.sparql_scan import service_targets
    assert not service_targets("# SERVICE in a comment\nSELECT * WHERE { ?s ?p ?o }")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


@contextmanager
def oxigraph_serving(location: Path, *flags: str):
    """A real `oxigraph serve` on a free loopback port; yields its base URL and stops it afterwards."""
    port = _free_port()
    process = subprocess.Popen([oxigraph_executable(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *flags],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture()
def oxigraph_server(tmp_path):
    with oxigraph_serving(tmp_path / "server-store", "--union-default-graph") as url:
        yield url


def test_named_queries_give_the_same_rows_on_a_pushed_server(shipped, oxigraph_server):
    pushed = push(f"{oxigraph_server}/store", shipped)
    assert len(pushed) >= 10
    for query in list_named():
        local = run_named(query.name, output_dir=shipped)
        remote = run_named(query.name, endpoint=f"{oxigraph_server}/query")
        assert remote.columns == local.columns, query.name
        assert remote.rows == local.rows, query.name
    remote_evil = run_named("project-participants", {"project": "https://w3id.org/remkg/id/project/x%22%7D"}, endpoint=f"{oxigraph_server}/query")
    assert remote_evil.rows == []


def test_remkg_serve_answers_sparqlwrapper_and_stops_cleanly(shipped):
    from SPARQLWrapper import JSON, SPARQLWrapper

    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--output", str(shipped), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/", process)
        client = SPARQLWrapper(f"http://127.0.0.1:{port}/query")
        client.setReturnFormat(JSON)
        client.setQuery("SELECT ?a WHERE { ?p a <https://w3id.org/remkg/ontology#Project> ; <https://w3id.org/remkg/ontology#acronym> ?a }")
        acronyms = {b["a"]["value"] for b in client.queryAndConvert()["results"]["bindings"]}
        assert set(USERS_PROJECTS) <= acronyms
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert f"http://127.0.0.1:{port}/query" in output
    assert "stopped" in output
