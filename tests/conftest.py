"""Shared fixtures: the ontology is parsed once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from kg.ontology import load_ontology

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def shipped(tmp_path_factory) -> Path:
    """One build of the shipped data for the whole session (tests only read it, or add the analysis graph)."""
    from kg.build import build

    output = tmp_path_factory.mktemp("shipped") / "build"
    build(None, output)
    return output


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return load_ontology()


@pytest.fixture()
def valid_small() -> Graph:
    return Graph().parse(FIXTURES / "valid_small.ttl", format="turtle")
