"""Shared fixtures: the ontology is parsed once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from kg.ontology import load_ontology

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return load_ontology()


@pytest.fixture()
def valid_small() -> Graph:
    return Graph().parse(FIXTURES / "valid_small.ttl", format="turtle")
