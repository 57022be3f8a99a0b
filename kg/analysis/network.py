"""NetworkX projections of the store, read only through the analysis-* named queries.

`Ecosystem` holds what every analysis needs: projects with dates, organisations with countries,
the project–organisation bipartite graph, its weighted projections, what each project works on,
the vocabulary, and the value chain as a directed graph of stages and materials.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal
from pathlib import Path
from typing import AbstractSet, Iterable

import networkx as nx
from networkx.algorithms import bipartite

from kg.query import run_named
from kg.store import DEFAULT_OUTPUT

STAGE_SCHEME = "https://w3id.org/remkg/ontology#ValueChainStages"
NO_PARTNERS: frozenset[str] = frozenset()


@dataclass
class Project:
    iri: str
    acronym: str
    start: dt.date | None = None
    end: dt.date | None = None
    trl_start: int | None = None
    trl_target: int | None = None
    eu_contribution: Decimal | None = None

    def active_on(self, day: dt.date) -> bool:
        """Started on or before the day and not ended before it; unknown start means unknown, so no."""
        return self.start is not None and self.start <= day and (self.end is None or self.end >= day)


@dataclass
class Organisation:
    iri: str
    name: str
    country: str | None = None
    eu_member: bool = False


@dataclass(frozen=True)
class Activity:
    """Evidence that a project was active on a day: it organised or took part in an event then."""

    project: str
    event: str
    event_label: str
    day: dt.date
    role: str  # organised, took part in
    source: str  # the article or curated source that records the event


@dataclass
class Concept:
    iri: str
    scheme: str
    label: str
    broader: set[str] = field(default_factory=set)
    order: int | None = None
    serves: set[str] = field(default_factory=set)
    heavy: bool = False


@dataclass
class Ecosystem:
    projects: dict[str, Project]
    organisations: dict[str, Organisation]
    roles: dict[tuple[str, str], str]  # (project, org) -> role label
    facets: dict[str, dict[str, set[str]]]  # project -> facet -> concepts
    top_stages: dict[str, set[str]]  # project -> top-level stages and themes it covers
    concepts: dict[str, Concept]
    chain: nx.DiGraph  # stages and materials: next / loops-back-to / consumes / produces edges
    countries: dict[str, tuple[str, bool]] = field(default_factory=dict)  # iso -> (name, EU member)
    activity: dict[str, list[Activity]] = field(default_factory=dict)  # project -> evidence of activity, by day
    suggested: set[tuple[str, str]] = field(default_factory=set)  # (project, concept) taken from machine suggestions

    @cached_property
    def bipartite(self) -> nx.Graph:
        """Projects and organisations linked by participations (built on first use: at CORDIS
        scale the analyses use kg.analysis.scale instead and never build it)."""
        graph = nx.Graph()
        graph.add_nodes_from(self.projects, kind="project", bipartite=0)
        graph.add_nodes_from(self.organisations, kind="organisation", bipartite=1)
        graph.add_edges_from(self.roles)
        return graph

    @cached_property
    def incidence(self):
        """The sparse incidence matrix and its products (kg.analysis.scale), for large graphs."""
        from kg.analysis.scale import Incidence

        return Incidence.of(self)

    @cached_property
    def _neighbours(self) -> dict[str, set[str]]:
        """Partners of each project and projects of each organisation, from the participations."""
        found: dict[str, set[str]] = defaultdict(set)
        for project, org in self.roles:
            found[project].add(org)
            found[org].add(project)
        return found

    @cached_property
    def stage_projects(self) -> dict[str, list[str]]:
        """The projects covering each top-level stage or theme, in IRI order."""
        found: dict[str, list[str]] = defaultdict(list)
        for project in sorted(self.projects):
            for stage in self.top_stages.get(project, ()):
                found[stage].append(project)
        return dict(found)

    # -- projections ----------------------------------------------------------------------------

    def project_network(self) -> nx.Graph:
        """Projects linked by shared partners; edge weight = number of shared organisations."""
        return bipartite.weighted_projected_graph(self.bipartite, list(self.projects))

    def organisation_network(self) -> nx.Graph:
        """Organisations linked by common projects; edge weight = number of projects together."""
        return bipartite.weighted_projected_graph(self.bipartite, list(self.organisations))

    # -- vocabulary helpers ---------------------------------------------------------------------

    def top_level_stages(self) -> list[str]:
        """The chain stages in order (stageOrder), then the themes by label."""
        tops = [c for c in self.concepts.values() if c.scheme == STAGE_SCHEME and not c.broader]
        return [c.iri for c in sorted(tops, key=lambda c: (c.order is None, c.order or 0, c.label))]

    def chain_stages(self) -> list[str]:
        return [s for s in self.top_level_stages() if self.concepts[s].order is not None]

    def label(self, iri: str) -> str:
        if iri in self.concepts:
            return self.concepts[iri].label
        if iri in self.projects:
            return self.projects[iri].acronym
        if iri in self.organisations:
            return self.organisations[iri].name
        return iri.rsplit("/", 1)[-1]

    @cached_property
    def _children(self) -> dict[str, set[str]]:
        children = defaultdict(set)
        for concept in self.concepts.values():
            for parent in concept.broader:
                children[parent].add(concept.iri)
        return children

    def narrower_closure(self, iri: str) -> set[str]:
        """A concept and everything below it."""
        children = self._children
        found, todo = {iri}, [iri]
        while todo:
            for child in children[todo.pop()]:
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def active_projects(self, day: dt.date) -> list[str]:
        return [iri for iri, project in sorted(self.projects.items()) if project.active_on(day)]

    def partners(self, project: str) -> AbstractSet[str]:
        """A project's organisations, or an organisation's projects: the ecosystem's own set, not
        a copy (at scale it is asked 100,000 times), so callers read it and never change it."""
        return self._neighbours.get(project, NO_PARTNERS)


def resolve_name(text: str, candidates: Iterable[tuple[str, str]], not_found: str) -> str:
    """The IRI among (iri, label) candidates that `text` names: the IRI itself, its slug or its
    label, case-insensitive; otherwise a KeyError starting with the caller's `not_found` words."""
    pairs = sorted(candidates)
    if text in dict(pairs):
        return text
    wanted = text.casefold()
    for iri, label in pairs:
        if wanted in (str(label).casefold(), iri.rsplit("/", 1)[-1]):
            return iri
    raise KeyError(f"{not_found} (try a slug, an acronym, a name or an IRI)")


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _int(value: str | None) -> int | None:
    return int(value) if value else None


@contextmanager
def _collector_paused():
    """Loading makes millions of objects and no reference cycles; the cyclic garbage collector
    would walk all of them again every few ten thousand allocations (a fifth of a CORDIS-sized
    load, for nothing to collect). What was loaded then lives as long as the analysis, so it is
    frozen (gc.freeze, for the whole process): later collections, during the analyses, skip it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def load_ecosystem(output_dir: Path = DEFAULT_OUTPUT, endpoint: str | None = None, with_suggestions: bool = False) -> Ecosystem:
    """Read the analysis-* named queries (embedded store, or an endpoint) into an Ecosystem. With
    `with_suggestions`, machine-suggested stages, capabilities and materials count as well (and are remembered).
    On the embedded store the rows come through kg.analysis.cache: the two large tables, every
    project and every participation, read by kg.analysis.tables (the same rows, in seconds rather
    than minutes at CORDIS scale), and all of them kept beside the store for the next run."""
    with _collector_paused():
        return _read_ecosystem(output_dir, endpoint, with_suggestions)


def _read_ecosystem(output_dir: Path, endpoint: str | None, with_suggestions: bool) -> Ecosystem:
    from kg.analysis.cache import TableCache

    local = None if endpoint else TableCache(output_dir)

    def rows(name: str) -> list[dict]:
        return local.rows(name) if local else run_named(name, endpoint=endpoint, output_dir=output_dir).rows

    def values(name: str, columns: tuple[str, ...]) -> list:
        """The two large tables as sequences of values: 350,000 dictionaries at CORDIS scale are not made."""
        return local.values(name, columns) if local else [tuple(r[c] for c in columns) for r in rows(name)]

    projects = {
        project: Project(project, acronym, _date(start), _date(end), _int(trl_start), _int(trl_target),
                         Decimal(eu_contribution) if eu_contribution else None)
        for project, acronym, start, end, trl_start, trl_target, eu_contribution
        in values("analysis-projects", ("project", "acronym", "start", "end", "trlStart", "trlTarget", "euContribution"))
    }
    participations = values("analysis-participations", ("project", "org", "name", "country", "euMember", "role"))
    roles = {(project, org): role for project, org, _, _, _, role in participations}
    last = {row[1]: row for row in participations}  # an organisation's last row describes it, as in the query's order
    organisations = {org: Organisation(org, name, country, eu_member == "true") for org, (_, _, name, country, eu_member, _) in last.items()}
    facets: dict[str, dict[str, set[str]]] = {p: defaultdict(set) for p in projects}
    top_stages: dict[str, set[str]] = {p: set() for p in projects}
    suggested = set()

    def add_concept(r: dict) -> None:
        facets[r["project"]][r["facet"]].add(r["concept"])
        if r["facet"] == "stage" and r["top"]:
            top_stages[r["project"]].add(r["top"])

    for r in rows("analysis-project-concepts"):
        add_concept(r)
    for r in rows("analysis-suggested-concepts") if with_suggestions else []:
        if r["concept"] not in facets[r["project"]][r["facet"]]:
            suggested.add((r["project"], r["concept"]))
        add_concept(r)
    concepts: dict[str, Concept] = {}
    for r in rows("analysis-vocabulary"):
        concept = concepts.setdefault(r["concept"], Concept(r["concept"], r["scheme"], r["label"]))
        if r["broader"]:
            concept.broader.add(r["broader"])
        if r["order"]:
            concept.order = int(r["order"])
        if r["serves"]:
            concept.serves.add(r["serves"])
        concept.heavy = concept.heavy or r["heavy"] == "true"
    chain = nx.DiGraph()
    for r in rows("analysis-stage-flow"):
        relation, stage, target = r["relation"], r["stage"], r["target"]
        if relation == "consumes":
            chain.add_edge(target, stage, relation="consumes")
        else:
            chain.add_edge(stage, target, relation=relation)
    countries = {r["iso"]: (r["name"], r["euMember"] == "true") for r in rows("analysis-countries")}
    activity: dict[str, list[Activity]] = defaultdict(list)
    for r in rows("analysis-activity-evidence"):
        activity[r["project"]].append(Activity(r["project"], r["event"], r["eventLabel"], _date(r["date"]), r["role"], r["source"] or ""))
    if local:
        local.save()
    return Ecosystem(projects, organisations, roles, {p: dict(f) for p, f in facets.items()}, top_stages, concepts,
                     chain, countries, activity=dict(activity), suggested=suggested)
