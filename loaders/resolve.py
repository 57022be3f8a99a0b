"""Entity resolution of loaded records with the curated data, and how disagreements are kept.

- A project with a curated `cordis_id` keeps its curated IRI; others get id/project/{acronym}-{grant id}
  (stable across builds and exports, never clashing with a curated slug).
- An organisation with the PIC of a curated one, or else with the same normalised name (legal
  forms and case ignored, curated name or alt names) in the same country, keeps the curated IRI;
  others get id/org/pic-{PIC}.
- Display rule: the curated value wins. A loaded value for a fact the curated data lacks is added
  (in the loader's graph); a loaded value equal to the curated one is stated again (two sources);
  a loaded value that differs is never asserted on the entity but kept as a rem:Disagreement node
  (entity, property, the loaded value, the source graph), which `remkg stats --quality` lists.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.quality import normalised
from kg.vocab import ID_BASE, REM, mint, slugify

ORGANISATION_CLASSES = (REM.HigherEducation, REM.ResearchOrganisation, REM.PrivateCompany, REM.PublicBody, REM.OtherOrganisation)


class CuratedIndex:
    """Lookups into the curated graph: grant ids, PICs, organisation names per country."""

    def __init__(self, curated: Graph):
        self.graph = curated
        self.projects = {str(grant): project for project, grant in curated.subject_objects(REM.cordisId)}
        self.orgs_by_pic = {str(pic): org for org, pic in curated.subject_objects(REM.picId)}
        self.orgs_by_name: dict[tuple[str, str], URIRef] = {}
        for org in sorted(set(curated.subjects(REM.country, None)) & set(curated.subjects(RDF.type, None))):
            if not str(org).startswith(f"{ID_BASE}org/"):
                continue
            code = str(curated.value(curated.value(org, REM.country), REM.isoCode) or
                       str(curated.value(org, REM.country)).rsplit("/", 1)[-1])
            for name in [*curated.objects(org, RDFS.label), *curated.objects(org, SKOS.altLabel)]:
                self.orgs_by_name.setdefault((normalised(str(name)), code), org)
        self.countries = {str(code) for code in curated.objects(None, REM.isoCode)}
        self.programmes = {str(acronym).upper(): programme for programme, acronym in curated.subject_objects(REM.acronym)
                           if str(programme).startswith(f"{ID_BASE}programme/")}

    def is_curated(self, entity: URIRef) -> bool:
        return (entity, None, None) in self.graph

    def project(self, grant_id: str, acronym: str) -> URIRef:
        return self.projects.get(grant_id) or mint("project", f"{acronym} {grant_id}")

    def organisation(self, pic: str, name: str, country: str) -> URIRef:
        if pic in self.orgs_by_pic:
            return self.orgs_by_pic[pic]
        by_name = self.orgs_by_name.get((normalised(name), country))
        if by_name is not None and self.graph.value(by_name, REM.picId) is None:
            return by_name
        return mint("org", f"pic {pic}")


class Facts:
    """Triples of one loaded source, checked against the curated data by the display rule."""

    def __init__(self, index: CuratedIndex, source_graph: URIRef):
        self.index, self.source_graph = index, source_graph
        self.triples: list[tuple] = []
        self.disagreements = 0

    def add(self, subject, predicate, value) -> None:
        """A fact that may be stated at most once per entity (a date, an amount, a role, a country)."""
        curated = set(self.index.graph.objects(subject, predicate))
        if curated and _value(value) not in {_value(c) for c in curated}:
            self._disagree(subject, predicate, value, sorted(curated)[0])
        else:
            self.triples.append((subject, predicate, value))

    def add_class(self, subject, cls) -> None:
        """An organisation's activity type: the curated one wins if it names another."""
        curated = [c for c in self.index.graph.objects(subject, RDF.type) if c in ORGANISATION_CLASSES]
        if curated and cls not in curated:
            self._disagree(subject, RDF.type, cls, curated[0])
        elif not curated:
            self.triples.append((subject, RDF.type, cls))

    def extend(self, triples) -> None:
        self.triples.extend(triples)

    def _disagree(self, subject, predicate, value, curated_value) -> None:
        self.disagreements += 1
        local = slugify(str(subject).removeprefix(ID_BASE))
        node = mint("disagreement", f"{str(self.source_graph).rsplit('/', 1)[-1]} {local} {predicate.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}")
        self.triples += [
            (node, RDF.type, REM.Disagreement), (node, REM.about, subject),
            (node, REM.onProperty, Literal(_curie(predicate))), (node, REM.claimedValue, Literal(_text(value))),
            (node, REM.curatedValue, Literal(_text(curated_value))), (node, REM.claimedIn, self.source_graph),
        ]


def _value(term):
    """Literals compare by value (600000.5 = 600000.50), other terms as they are."""
    return term.toPython() if isinstance(term, Literal) else term


def _curie(predicate: URIRef) -> str:
    for prefix, namespace in (("rem:", str(REM)), ("rdf:", str(RDF))):
        if str(predicate).startswith(namespace):
            return prefix + str(predicate)[len(namespace):]
    return str(predicate)


def _text(value) -> str:
    return str(value).removeprefix(ID_BASE) if isinstance(value, URIRef) else str(value)
