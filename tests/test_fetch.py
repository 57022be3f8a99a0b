"""`remkg fetch cordis` against a real `oxigraph serve` on 127.0.0.1 holding a EURIO-shaped fixture;
an unreachable endpoint and one that never answers give clear errors and leave the data folder unchanged."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kg.build import build
from kg.serve import oxigraph_executable
from kg.store import open_store, select
from loaders.cordis_snapshot import read_snapshot

from .test_cordis import CORDIS, P, make_data
from .test_curated import _tree_digest
from .test_query import _free_port, oxigraph_serving


@pytest.fixture()
def eurio_endpoint(tmp_path):
    """A real Oxigraph server loaded with tests/fixtures/cordis/eurio.ttl; stopped after the test."""
    location = tmp_path / "eurio-store"
    subprocess.run([oxigraph_executable(), "load", "--location", str(location), "--file", str(CORDIS / "eurio.ttl")],
                   check=True, capture_output=True)
    with oxigraph_serving(location) as url:
        yield f"{url}/query"


def fetch(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", "fetch", "cordis", "--data", str(data), *args], capture_output=True, text=True)


def test_fetch_writes_a_snapshot_with_the_participants_and_the_build_reads_it(tmp_path, eurio_endpoint):
    data = make_data(tmp_path, manifest=False)
    result = fetch(data, "--endpoint", eurio_endpoint, "--curated", "--grant", "900002")
    assert result.returncode == 0, result.stderr
    snapshots = sorted((data / "cordis").glob("snapshot-*.yaml"))
    assert len(snapshots) == 1
    snapshot = read_snapshot(snapshots[0], "snapshot")
    assert snapshot["endpoint"] == eurio_endpoint and snapshot["grants"] == ["900001", "900002"]
    assert {(o["projectID"], o["organisationID"], o["role"], o["country"], o["activityType"], o["SME"], o["ecContribution"])
            for o in snapshot["organizations"]} == {
        ("900001", "999000001", "coordinator", "DE", "HES", "", "600000.5"),
        ("900001", "999000002", "participant", "SI", "PRC", "true", "250000"),
        ("900001", "999000003", "participant", "EL", "REC", "", ""),
        ("900002", "999000001", "coordinator", "DE", "HES", "", ""),
        ("900002", "999000004", "participant", "UK", "PRC", "true", "800000"),
    }  # 900003 was not asked for
    ndloop = next(p for p in snapshot["projects"] if p["id"] == "900002")
    assert (ndloop["acronym"], ndloop["frameworkProgramme"], ndloop["topics"], ndloop["ecMaxContribution"]) == \
        ("NDLOOP", "HORIZON", "HORIZON-TEST-01;HORIZON-TEST-01b", "2000000")
    assert f"path: cordis/{snapshots[0].name}" in (data / "inputs.yaml").read_text()
    output = tmp_path / "out"
    build(data, output)
    store = open_store(output)
    partners = select(store, """PREFIX rem: <https://w3id.org/remkg/ontology#>
        SELECT ?o WHERE { <https://w3id.org/remkg/id/project/ndloop-900002> rem:hasPartner ?o } ORDER BY ?o""")
    assert [r["o"].value for r in partners] == [P + "org/pic-999000004", P + "org/uni-a"]
    prov = select(store, """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rem: <https://w3id.org/remkg/ontology#>
        SELECT ?from ?at ?sel WHERE { GRAPH ?meta { ?g prov:wasDerivedFrom ?from ; prov:wasGeneratedBy ?a .
          ?a prov:atTime ?at ; rem:selection ?sel . FILTER(CONTAINS(STR(?g), "snapshot") && !CONTAINS(STR(?g), "suggestions")) } }""")
    assert len(prov) == 1 and prov[0]["from"].value == eurio_endpoint
    assert prov[0]["at"].value == snapshot["retrieved"] and "eurio:hasInvolvedParty" in prov[0]["sel"].value


def test_unreachable_endpoint_is_a_clear_error_and_changes_nothing(tmp_path):
    data = make_data(tmp_path, manifest=False)
    before = _tree_digest(data)
    port = _free_port()  # nothing listens there
    result = fetch(data, "--endpoint", f"http://127.0.0.1:{port}/query", "--grant", "900001", "--retries", "1")
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert f"the endpoint http://127.0.0.1:{port}/query is unreachable" in message
    assert "retrying in 1 s" in message
    assert _tree_digest(data) == before


def test_endpoint_that_never_answers_times_out_and_changes_nothing(tmp_path):
    data = make_data(tmp_path, manifest=False)
    before = _tree_digest(data)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True)
    thread.start()
    try:
        port = silent.getsockname()[1]
        result = fetch(data, "--endpoint", f"http://127.0.0.1:{port}/query", "--grant", "900001", "--timeout", "1", "--retries", "0")
    finally:
        for connection, _ in accepted:
            connection.close()
        silent.close()
    assert result.returncode == 1
    assert "did not answer within 1 s (--timeout)" in " ".join(result.stderr.split())
    assert _tree_digest(data) == before


def test_grant_ids_are_checked_before_asking(tmp_path):
    data = make_data(tmp_path, manifest=False)
    result = fetch(data, "--endpoint", "http://127.0.0.1:9/query", "--grant", '1") } DROP ALL')
    assert result.returncode == 1
    assert "not a grant number" in result.stderr
