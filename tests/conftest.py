"""Shared fixtures: the ontology is parsed once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from kg.ontology import load_ontology

FIXTURES = Path(__file__).parent / "fixtures"


def build_into(tmp_path_factory, data: Path | None, name: str) -> Path:
    """Build `data` (None: the shipped data) into a fresh temporary output folder."""
    from kg.build import build

    output = tmp_path_factory.mktemp(name) / "build"
    build(data, output)
    return output


@pytest.fixture(scope="session")
def shipped(tmp_path_factory) -> Path:
    """One build of the shipped data for the whole session (tests only read it, or add the analysis graph)."""
    return build_into(tmp_path_factory, None, "shipped")


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return load_ontology()


@pytest.fixture()
def valid_small() -> Graph:
    return Graph().parse(FIXTURES / "valid_small.ttl", format="turtle")
