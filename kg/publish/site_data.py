"""What the static site reads from the store: the `site-*` named queries, run on pyoxigraph.

Rows keep pyoxigraph terms (not strings) so that datatypes and language tags survive into the
pages' JSON-LD and the alternates. Queries that list many rows are iterated, never collected,
so that writing the site does not hold the graph in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from kg.query import bind_parameters, load_named, with_values
from kg.vocab import ID_BASE

PAGE_KINDS = ("project", "org", "cluster", "programme", "event", "stage", "capability", "material", "sector", "challenge")
KIND_TITLES = {
    "project": "Projects", "org": "Organisations", "cluster": "Clusters and networks", "programme": "Funding programmes",
    "event": "Events", "stage": "Value-chain stages and themes", "capability": "Capabilities and technologies",
    "material": "Materials", "sector": "Application sectors", "challenge": "Challenges and barriers",
}


@lru_cache(maxsize=None)
def _named(name: str):
    return load_named(name)


def rows(store, name: str, **params: str) -> Iterator[dict]:
    """Solutions of the named query `name` on the union of all graphs, as dicts of pyoxigraph terms."""
    query = _named(name)
    text = with_values(query.text, bind_parameters(query, params))
    solutions = store.query(text, use_default_graph_as_union=True)
    names = [variable.value for variable in solutions.variables]
    for solution in solutions:
        yield {variable: solution[variable] for variable in names}


def value(term) -> str | None:
    return None if term is None else term.value


def kind_of(iri: str) -> str | None:
    """The kind of a remkg IRI (`project` for id/project/x) when the site has pages for it."""
    if not iri.startswith(ID_BASE):
        return None
    kind = iri[len(ID_BASE):].split("/", 1)[0]
    return kind if kind in PAGE_KINDS else None


def slug_of(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Entity:
    iri: str
    label: str

    @property
    def kind(self) -> str:
        return kind_of(self.iri) or ""

    @property
    def slug(self) -> str:
        return slug_of(self.iri)


def entities(store, kind: str) -> Iterator[Entity]:
    """Every entity of `kind`, in IRI order, streamed."""
    for row in rows(store, "site-entities", kind=kind):
        iri = row["entity"].value
        yield Entity(iri, value(row["label"]) or slug_of(iri))


def part(store, roots: list[str]) -> set[str]:
    """The IRIs a cluster's or a project's site publishes (site-part.rq, for each root)."""
    selected: set[str] = set()
    for root in roots:
        found = [row["entity"].value for row in rows(store, "site-part", root=root)]
        if not found:
            raise KeyError(f"no cluster or project {root} in the store")
        selected.update(iri for iri in found if kind_of(iri))
    return selected


def schema_alignment(store) -> dict[str, set[str]]:
    """remkg class or property IRI -> the schema.org terms it specialises, from the ontology."""
    alignment: dict[str, set[str]] = {}
    for row in rows(store, "site-schema-alignment"):
        alignment.setdefault(row["term"].value, set()).add(row["schema"].value)
    return alignment


def graph_files(store) -> dict[str, str]:
    """Named graph IRI -> the file (or endpoint) it was loaded from."""
    return {row["graph"].value: value(row["file"]) or row["graph"].value for row in rows(store, "site-graph-files")}
