"""The CORDIS-scale bench: the generator, the benchmark at a tiny scale (correctness only, no timing),
the bulk path's exports, and a bad row deep in a large generated export."""

from __future__ import annotations

import csv
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.build import build
from kg.cli import app
from kg.paths import data_dir as shipped_data_dir
from kg.store import open_store, select

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from generate_cordis import Generator  # noqa: E402
from scale import benchmark, markdown  # noqa: E402

TINY = 0.0004  # 20 projects


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _data_with_export(tmp_path: Path, scale: float) -> Path:
    """A copy of the shipped data with a generated export loaded through `remkg load cordis`."""
    data = tmp_path / "data"
    shutil.copytree(shipped_data_dir(), data)
    Generator(scale).write(tmp_path / "export")
    result = CliRunner().invoke(app, ["load", "cordis", str(tmp_path / "export"), "--filter", "none", "--data", str(data)])
    assert result.exit_code == 0, result.output
    return data


def test_generated_exports_are_skewed_like_real_ones_and_reproducible(tmp_path):
    projects, participations, organisations = Generator(0.02).write(tmp_path / "a")
    Generator(0.02).write(tmp_path / "b")
    for table in ("project.csv", "organization.csv"):
        assert (tmp_path / "a" / table).read_bytes() == (tmp_path / "b" / table).read_bytes()
    rows = _rows(tmp_path / "a" / "organization.csv")
    assert (projects, participations) == (1000, len(rows))
    per_org = Counter(row["organisationID"] for row in rows)
    assert len(per_org) == organisations
    assert max(per_org.values()) >= 40  # a few organisations in very many projects…
    assert sum(1 for n in per_org.values() if n <= 2) / len(per_org) > 0.6  # …most in one or two
    sizes = Counter(row["projectID"] for row in rows)
    assert min(sizes.values()) == 1 and 20 <= max(sizes.values()) <= 60
    assert {row["role"] for row in rows} >= {"coordinator", "participant"}
    assert {"EL", "UK", "DE"} <= {row["country"] for row in rows}
    header = (tmp_path / "a" / "project.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith('"id";"acronym";"status";"title";"startDate"')


def test_benchmark_runs_both_pipelines_at_a_tiny_scale_and_they_build_the_same_graph(tmp_path):
    run = benchmark([TINY], ["remkg", "rdflib"], cap=900, work=tmp_path)
    assert [(p.pipeline, p.name, p.status) for p in run.phases] == [
        (pipeline, name, "ok") for pipeline in ("remkg", "rdflib") for name in ("load cordis", "build", "gaps", "synergies")]
    assert all(p.seconds > 0 and p.peak_mib > 10 for p in run.phases)
    folder = tmp_path / f"scale-{TINY:g}"
    remkg, rdflib = (folder / f"out-{p}" for p in ("remkg", "rdflib"))
    assert (remkg / "build.json").read_text() == (rdflib / "build.json").read_text()

    def named_lines(path: Path) -> set[str]:  # blank node labels differ between the two stores
        return {line for line in path.read_text(encoding="utf-8").splitlines() if "_:" not in line}

    assert named_lines(remkg / "remkg.nq") == named_lines(rdflib / "remkg.nq")
    assert set(run.queries) >= {"projects", "shared-organisations", "project-participants"}
    table = markdown(run)
    assert "| remkg | build |" in table and "| rdflib | synergies |" in table
    assert "| load | status |" in table.splitlines()[0] and all(p.load >= 0 for p in run.phases)


def test_bulk_input_is_derived_and_exported_byte_identically(tmp_path):
    data = _data_with_export(tmp_path, TINY)
    first, second = build(data, tmp_path / "one"), build(data, tmp_path / "two")
    assert first.graphs == second.graphs
    for name in ("remkg.ttl", "remkg.trig", "remkg.nq", "remkg.jsonld", "build.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    coordinated = select(open_store(tmp_path / "one"), """
        PREFIX rem: <https://w3id.org/remkg/ontology#>
        SELECT ?acronym ?name WHERE { GRAPH <https://w3id.org/remkg/id/graph/inferred> { ?p rem:coordinatedBy ?o }
                                      ?p rem:acronym ?acronym . ?o <http://www.w3.org/2000/01/rdf-schema#label> ?name }""")
    by_acronym = {row["acronym"].value: row["name"].value for row in coordinated}
    first_coordinator = _rows(tmp_path / "export" / "organization.csv")[0]
    assert by_acronym[first_coordinator["projectAcronym"]] == first_coordinator["name"]
    assert "SUSMAGPRO" in by_acronym  # the curated data keeps its HermiT-equal facts


@pytest.mark.parametrize("column, bad", [("ecContribution", "12x,5"), ("role", "sponsor")])
def test_a_bad_row_deep_in_a_large_export_is_reported_with_file_and_row_and_nothing_is_loaded(tmp_path, column, bad):
    Generator(0.05).write(tmp_path / "export")
    table = tmp_path / "export" / "organization.csv"
    lines = table.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    position = len(lines) - 7  # a record near the end of ~15,000 (one record per line in generated exports)
    header = next(csv.reader([lines[0]], delimiter=";"))
    record = next(csv.reader([lines[position]], delimiter=";"))
    record[header.index(column)] = bad
    lines[position] = ";".join(f'"{value}"' for value in record) + "\n"
    table.write_text("".join(lines), encoding="utf-8-sig")
    data = tmp_path / "data"
    shutil.copytree(shipped_data_dir(), data)
    result = CliRunner().invoke(app, ["load", "cordis", str(tmp_path / "export"), "--filter", "none", "--data", str(data)])
    assert result.exit_code == 1
    assert f"organization.csv:{position + 1}" in result.output and column in result.output and bad in result.output
    assert not (data / "inputs.yaml").exists()
    assert not (data / "cordis").exists()  # no copy, no conversion, not even the folder made for them
