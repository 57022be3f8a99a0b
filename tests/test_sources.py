"""Composable sources: the manifest (inputs.yaml), the loader registry, PROV-O about each input,
and a build that composes the curated YAML with every declared input — all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import SKOS

from kg.build import assemble, build
from kg.store import open_store, select
from kg.vocab import mint
from loaders import registry
from loaders.base import InputEntry, LoadContext, LoadError, Problem, SourceGraph
from loaders.manifest import add_entry, read_manifest

from .test_curated import DATA_MIN, _tree_digest


class AltNamesLoader:
    """A small loader of the interface: each line 'org-slug: another name' becomes a skos:altLabel."""

    name = "test alt-names loader"

    def __init__(self, data_dir: Path, entry: InputEntry, context: LoadContext):
        self.path, self.entry, self.context = data_dir / entry.path, entry, context

    def load(self) -> list[SourceGraph]:
        triples, problems = [], []
        for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), start=1):
            slug, _, name = line.partition(": ")
            org = mint("org", slug)
            if (org, None, None) not in self.context.curated:
                problems.append(Problem(self.entry.path, number, "org", f"unknown organisation '{slug}'"))
            triples.append((org, SKOS.altLabel, Literal(name)))
        if problems:
            raise LoadError(problems)
        return [SourceGraph(mint("graph", "alt-names"), "alternative names", self.entry.path, triples,
                            retrieved="2026-01-02T03:04:05Z", selection=f"prefix={self.entry.options.get('prefix')}",
                            counts={"lines": len(triples)})]


@pytest.fixture()
def alt_names_kind(monkeypatch):
    monkeypatch.setitem(registry.LOADERS, "alt-names", f"{__name__}:AltNamesLoader")


@pytest.fixture()
def data(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_MIN, target)
    (target / "names.txt").write_text("uni-a: UNIVERSITAET A\nfirm-b: FIRM B DOO\n", encoding="utf-8")
    return target


def _declare(data: Path, text: str) -> None:
    (data / "inputs.yaml").write_text(text, encoding="utf-8")


def test_no_manifest_means_curated_only(data):
    assert read_manifest(data, registry.kinds()) == []


def test_declared_input_is_built_into_its_own_graph_with_provenance(data, alt_names_kind, tmp_path):
    _declare(data, "- kind: alt-names\n  path: names.txt\n  prefix: x\n")
    output = tmp_path / "out"
    build(data, output)
    store = open_store(output)
    labels = select(store, """SELECT ?l WHERE { GRAPH <https://w3id.org/remkg/id/graph/alt-names> {
        <https://w3id.org/remkg/id/org/uni-a> <http://www.w3.org/2004/02/skos/core#altLabel> ?l } }""")
    assert [row["l"].value for row in labels] == ["UNIVERSITAET A"]
    prov = select(store, """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rem: <https://w3id.org/remkg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?from ?by ?at ?sel ?what ?n WHERE { GRAPH <https://w3id.org/remkg/id/graph/meta> {
          <https://w3id.org/remkg/id/graph/alt-names> prov:wasDerivedFrom ?from ; prov:wasAttributedTo ?by ; prov:wasGeneratedBy ?act .
          ?act a prov:Activity ; prov:atTime ?at ; rem:selection ?sel ; rem:rowCount ?c . ?c rdfs:label ?what ; rdf:value ?n } }""")
    assert [(r["from"].value, r["by"].value, r["at"].value, r["sel"].value, r["what"].value, r["n"].value) for r in prov] == [
        ("names.txt", "test alt-names loader", "2026-01-02T03:04:05Z", "prefix=x", "lines", "2")]


def test_validate_checks_declared_inputs(data, alt_names_kind):
    (data / "names.txt").write_text("uni-a: A\nnobody: B\n", encoding="utf-8")
    _declare(data, "- kind: alt-names\n  path: names.txt\n")
    with pytest.raises(LoadError) as raised:
        assemble(data)
    assert "names.txt:2: org: unknown organisation 'nobody'" in str(raised.value)


@pytest.mark.parametrize("manifest, expected", [
    ("- kind: pigeons\n  path: names.txt\n", "inputs.yaml:1: kind: unknown input kind 'pigeons'"),
    ("- kind: alt-names\n  path: missing.txt\n", "inputs.yaml:2: path: 'missing.txt' does not exist in the data folder"),
    ("- kind: alt-names\n  path: ../../etc/passwd\n", "inputs.yaml:2: path: '../../etc/passwd' must lie inside the data folder"),
    ("kind: alt-names\n", "inputs.yaml:1: expected a list of inputs"),
    ("- kind: alt-names\n  path: names.txt\n  path: other.txt\n", "inputs.yaml:3: path: duplicate key"),
])
def test_bad_manifest_is_refused_with_file_line_and_field(data, alt_names_kind, manifest, expected):
    _declare(data, manifest)
    with pytest.raises(LoadError) as raised:
        read_manifest(data, registry.kinds())
    assert expected in str(raised.value)


def test_failing_input_leaves_previous_build_untouched(data, alt_names_kind, tmp_path):
    output = tmp_path / "out"
    build(data, output)
    before = _tree_digest(output)
    (data / "names.txt").write_text("ghost: G\n", encoding="utf-8")
    _declare(data, "- kind: alt-names\n  path: names.txt\n")
    with pytest.raises(LoadError):
        build(data, output)
    assert _tree_digest(output) == before


def test_add_entry_appends_once(data):
    assert add_entry(data, {"kind": "alt-names", "path": "names.txt"})
    assert not add_entry(data, {"kind": "alt-names", "path": "names.txt"})
    text = (data / "inputs.yaml").read_text(encoding="utf-8")
    assert text.count("kind: alt-names") == 1
