"""`remkg export`: every format parses back to the store's graph; JSON-LD reads as plain JSON too."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from kg.cli import app
from kg.store import open_store

RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "trig": "trig", "nq": "nquads", "jsonld": "json-ld", "rdfxml": "xml"}


@pytest.fixture(scope="module")
def stored(shipped) -> Dataset:
    """The store's quads as pyoxigraph writes them, read by rdflib: the reference for every format."""
    import pyoxigraph as ox

    dataset = Dataset()
    dataset.parse(data=open_store(shipped).dump(format=ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
    return dataset


def _union(dataset: Dataset) -> Graph:
    graph = Graph()
    for s, p, o, _ in dataset.quads():
        graph.add((s, p, o))
    return graph


def _export(shipped, tmp_path, fmt: str, *extra: str):
    out = tmp_path / f"export.{fmt}"
    result = CliRunner().invoke(app, ["export", "--format", fmt, "--out", str(out), "--output", str(shipped), *extra])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "rdfxml"])
def test_triple_formats_parse_back_to_the_union_of_the_store(shipped, stored, tmp_path, fmt):
    out = _export(shipped, tmp_path, fmt)
    parsed = Graph().parse(out, format=RDFLIB_FORMATS[fmt])
    expected = _union(stored)
    assert len(parsed) == len(expected) > 5000
    assert isomorphic(parsed, expected)


@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_quad_formats_keep_every_named_graph(shipped, stored, tmp_path, fmt):
    parsed = Dataset().parse(_export(shipped, tmp_path, fmt), format=RDFLIB_FORMATS[fmt])
    names = {g.identifier for g in stored.graphs() if len(g)}
    assert {g.identifier for g in parsed.graphs() if len(g)} == names and len(names) > 40
    for name in names:
        assert isomorphic(parsed.graph(name), stored.graph(name)), name


def test_jsonld_reads_as_plain_json_with_schema_names_and_needs_no_network(shipped, tmp_path):
    document = json.loads(_export(shipped, tmp_path, "jsonld").read_text())
    assert isinstance(document["@context"], dict)  # inline: nothing to fetch
    susmagpro = next(n for n in document["@graph"] if n["@id"] == "https://w3id.org/remkg/id/project/susmagpro")
    assert susmagpro["name"] == "SUSMAGPRO"
    assert susmagpro["startDate"] == "2019-06-01"
    assert susmagpro["funder"] == "https://w3id.org/remkg/id/programme/h2020"
    assert "https://w3id.org/remkg/id/org/pforzheim-university" in susmagpro["member"]
    assert "rem" in document["@context"] and document["@context"]["startDate"]["@id"] == "rem:startDate"


def test_one_named_graph_and_the_same_bytes_twice(shipped, stored, tmp_path):
    first = CliRunner().invoke(app, ["export", "-f", "ttl", "--graph", "ontology", "--output", str(shipped)])
    second = CliRunner().invoke(app, ["export", "-f", "ttl", "--graph", "ontology", "--output", str(shipped)])
    assert first.exit_code == 0 and first.stdout == second.stdout
    ontology = URIRef("https://w3id.org/remkg/id/graph/ontology")
    assert isomorphic(Graph().parse(data=first.stdout, format="turtle"), stored.graph(ontology))
    unknown = CliRunner().invoke(app, ["export", "--graph", "nope", "--output", str(shipped)])
    assert unknown.exit_code == 1 and "no named graph 'nope'" in unknown.output
    bad = CliRunner().invoke(app, ["export", "--format", "xml", "--output", str(shipped)])
    assert bad.exit_code == 1 and "unknown format" in bad.output
