"""The curated loader: every kind of broken input is reported with file, line and field; nothing is written."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from rdflib import Literal

from kg.build import build
from kg.store import open_store, select
from kg.vocab import REM, mint
from loaders.base import LoadError
from loaders.curated import CuratedLoader

from .conftest import FIXTURES, build_into

DATA_MIN = FIXTURES / "data_min"

# (file, text to replace, replacement, expected in the report). Replacement None: append.
BROKEN = {
    "yaml syntax error": ("projects/demo.yaml", "stages: [recycling, magnet-manufacturing]", "stages: [recycling, magnet-manufacturing",
                          "projects/demo.yaml:8: YAML syntax error"),
    "unknown key": ("projects/demo.yaml", "acronym: DEMO", "acronym: DEMO\nbudget: 12", "projects/demo.yaml:3: budget: unknown field"),
    "wrong type for a list": ("projects/demo.yaml", "stages: [recycling, magnet-manufacturing]", "stages: recycling",
                              "projects/demo.yaml:7: stages: expected a list"),
    "wrong type for a boolean": ("organisations.yaml", "sme: true", "sme: 'yes'", "organisations.yaml:10: sme: expected true or false"),
    "dangling stage": ("projects/demo.yaml", "[recycling, magnet-manufacturing]", "[recycling, magnet-making]",
                       "projects/demo.yaml:7: stages: unknown stage 'magnet-making'"),
    "dangling organisation": ("projects/demo.yaml", "{org: firm-b,", "{org: firm-c,",
                              "projects/demo.yaml:11: participants[2].org: unknown organisation 'firm-c'"),
    "dangling source": ("organisations.yaml", "type: higher-education\n  sources: [demo-page]", "type: higher-education\n  sources: [nowhere]",
                        "organisations.yaml:5: sources: unknown source 'nowhere'"),
    "duplicate id": ("organisations.yaml", None, "- {id: uni-a, name: University A again, country: DE, sources: [demo-page]}\n",
                     "organisations.yaml:12: id: duplicate organisation 'uni-a' (already defined in organisations.yaml:1)"),
    "duplicate key": ("projects/demo.yaml", "title: A demonstration project", "title: A demonstration project\ntitle: Another title",
                      "projects/demo.yaml:4: title: duplicate key (first given on line 3)"),
    "end before start": ("projects/demo.yaml", 'end: "2024-12-31"', 'end: "2020-12-31"',
                         "projects/demo.yaml:6: end: end date 2020-12-31 is before start date 2021-01-01"),
    "impossible date": ("events.yaml", '"2025-03-02"', '"2025-02-30"', "events.yaml:4: end: '2025-02-30' is not a calendar date"),
    "badly written date": ("projects/demo.yaml", 'start: "2021-01-01"', 'start: "01/01/2021"',
                           "projects/demo.yaml:5: start: expected a date written YYYY-MM-DD"),
    "non-UTF-8 bytes": ("organisations.yaml", "Firm B", "Firm \udce9B", "organisations.yaml:7: not valid UTF-8 (byte 0xe9)"),
    "missing required field": ("projects/demo.yaml", "acronym: DEMO\n", "", "projects/demo.yaml:1: acronym: required field missing"),
    "unknown role": ("projects/demo.yaml", "role: participant", "role: partner", "projects/demo.yaml:11: participants[2].role: expected one of"),
    "page recorded twice": ("sources.yaml", '  retrieved: "2026-01-01"',
                            '  retrieved: "2026-01-01"\n- {id: demo-again, url: "https://example.org/demo", title: Again, retrieved: "2026-01-01"}',
                            "sources.yaml:6: url: page already recorded as source 'demo-page' (sources.yaml:2)"),
    "bad URL": ("sources.yaml", "https://example.org/demo", "example.org/demo", "sources.yaml:3: url: expected an http(s) URL"),
    "two coordinators": ("projects/demo.yaml", "role: participant", "role: coordinator", "projects/demo.yaml:9: participants: 2 coordinators"),
    "id not matching file name": ("projects/demo.yaml", "id: demo", "id: other", "projects/demo.yaml:1: id: project id 'other' must match"),
    "negative amount": ("projects/demo.yaml", "eu_contribution: 600000.50", "eu_contribution: -3",
                        "projects/demo.yaml:10: participants[1].eu_contribution: expected a non-negative amount"),
}


def _data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_MIN, target)
    return target


def _break(data: Path, case: str) -> str:
    file, old, new, expected = BROKEN[case]
    path = data / file
    text = path.read_text(encoding="utf-8")
    if old is None:
        text += new
    else:
        assert old in text, f"fixture drifted: {old!r} not in {file}"
        text = text.replace(old, new, 1)
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    return expected


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory) -> Path:
    return build_into(tmp_path_factory, DATA_MIN, "out")


def test_minimal_fixture_loads(ontology):
    graphs = CuratedLoader(DATA_MIN, ontology).load()
    assert len(graphs) == 7
    triples = {t for g in graphs for t in g.triples}
    assert (mint("project", "demo"), REM.acronym, Literal("DEMO")) in triples


def test_corpus_is_large_enough():
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_input_is_reported_and_nothing_is_written(case, tmp_path, previous_build):
    data = _data_copy(tmp_path)
    expected = _break(data, case)
    before = _tree_digest(previous_build)
    with pytest.raises(LoadError) as caught:
        build(data, previous_build)
    report = str(caught.value)
    assert expected in report, report
    assert _tree_digest(previous_build) == before
    assert not list(previous_build.parent.glob(".build.staging-*"))


def test_all_problems_of_a_run_are_listed_together(tmp_path, ontology):
    data = _data_copy(tmp_path)
    expected = [_break(data, case) for case in ("unknown key", "dangling source", "bad URL")]
    with pytest.raises(LoadError) as caught:
        CuratedLoader(data, ontology).load()
    report = str(caught.value)
    assert all(text in report for text in expected), report
    assert len(caught.value.problems) == 3


def test_markup_in_a_label_is_kept_as_plain_text(tmp_path):
    data = _data_copy(tmp_path)
    label = "Firm <script>alert(1)</script> & <img src=x onerror=alert(2)>"
    path = data / "organisations.yaml"
    path.write_text(path.read_text().replace("name: Firm B", f"name: \"{label}\""))
    output = tmp_path / "build"
    build(data, output)
    rows = select(open_store(output), """
        SELECT ?name WHERE { <https://w3id.org/remkg/id/org/firm-b> <http://www.w3.org/2000/01/rdf-schema#label> ?name }""")
    assert [row["name"].value for row in rows] == [label]
