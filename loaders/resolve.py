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
  Within one source the first value stated wins the same way (a PIC listed with two countries);
  an organisation's other names become skos:altLabel.
"""

from __future__ import annotations

import hashlib

from rdflib import Graph, Literal, URIRef, namespace

from kg import vocab
from kg.quality import normalised
from kg.vocab import ID_BASE, mint, slugify
from loaders.nquads import QuadWriter, Terms, lexical, rdflib_value

REM, RDF, RDFS, SKOS = Terms(vocab.REM), Terms(namespace.RDF), Terms(namespace.RDFS), Terms(namespace.SKOS)

ORGANISATION_CLASSES = (REM.HigherEducation, REM.ResearchOrganisation, REM.PrivateCompany, REM.PublicBody, REM.OtherOrganisation)


class CuratedIndex:
    """Lookups into the curated graph: grant ids, PICs, organisation names per country."""

    def __init__(self, curated: Graph):
        self.graph = curated
        self.subjects = set(curated.subjects())
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
        self.sources_by_url = {str(url): source for source, url in curated.subject_objects(REM.url)}
        self.programmes = {str(acronym).upper(): programme for programme, acronym in curated.subject_objects(REM.acronym)
                           if str(programme).startswith(f"{ID_BASE}programme/")}

        self._resolved: dict[tuple[str, str, str], URIRef] = {}

    def is_curated(self, entity: URIRef) -> bool:
        return entity in self.subjects

    def project(self, grant_id: str, acronym: str) -> URIRef:
        return self.projects.get(grant_id) or mint("project", f"{acronym} {grant_id}")

    def organisation(self, pic: str, name: str, country: str) -> URIRef:
        """Resolved once per (PIC, name, country): a big export names the same organisation thousands of times."""
        key = (pic, name, country)
        if key not in self._resolved:
            self._resolved[key] = self._organisation(pic, name, country)
        return self._resolved[key]

    def _organisation(self, pic: str, name: str, country: str) -> URIRef:
        if pic in self.orgs_by_pic:
            return self.orgs_by_pic[pic]
        by_name = self.orgs_by_name.get((normalised(name), country))
        if by_name is not None and self.graph.value(by_name, REM.picId) is None:
            return by_name
        return mint("org", f"pic {pic}")


class Facts:
    """Facts of one loaded source, checked against the curated data (and against what the same source
    stated before) by the display rule, and written as N-Quads. Subjects and predicates are URIRefs,
    values plain Python (loaders.nquads); rdflib terms are made only to look into the curated graph."""

    def __init__(self, index: CuratedIndex, source_graph: URIRef, out: QuadWriter):
        self.index, self.source_graph, self.out = index, source_graph, out
        self.disagreements = 0
        self.confirmed = 0  # facts the curated data (or an earlier input) states already: not repeated
        self.stated: dict[tuple, object] = {}  # (subject, predicate) -> the first value this source stated
        self.other_names: set[tuple] = set()  # (organisation, name) stated as skos:altLabel already
        self.repeated: set[tuple] = set()  # facts `extend_once` wrote already
        self.disagreement_nodes: set[URIRef] = set()  # each written once, however often the claim is made

    def add(self, subject, predicate, value) -> None:
        """A fact that may be stated at most once per entity (a date, an amount, a role, a country)."""
        curated = sorted(self.index.graph.objects(subject, predicate)) if self.index.is_curated(subject) else []
        if curated:
            agreeing = [c for c in curated if _value(c) == value]
            if agreeing:  # stated in the curated form (600000.5, not 600000.50), so a value is never there twice
                self.extend([(subject, predicate, agreeing[0])])
            else:
                self._disagree(subject, predicate, value, curated[0])
            return
        self._state_once(subject, predicate, value)

    def _state_once(self, subject, predicate, value) -> None:
        """The first value this source states wins; the same again is not repeated, another is a disagreement."""
        key = (subject, predicate)
        if key not in self.stated:
            self.stated[key] = value
            self.extend([(subject, predicate, value)])
        elif self.stated[key] != value:
            self._disagree(subject, predicate, value, self.stated[key])

    def add_class(self, subject, cls) -> None:
        """An organisation's activity type: the curated (or first stated) one wins if it names another."""
        curated = [c for c in self.index.graph.objects(subject, RDF.type) if c in ORGANISATION_CLASSES] if self.index.is_curated(subject) else []
        if cls in curated:
            self.extend([(subject, RDF.type, cls)])
        elif curated:
            self._disagree(subject, RDF.type, cls, curated[0])
        else:
            self._state_once(subject, RDF.type, cls)

    def add_name(self, subject, name: str) -> None:
        """An organisation's name: curated name or first stated name as rdfs:label, any other as skos:altLabel."""
        if self.index.is_curated(subject):
            label = self.index.graph.value(subject, RDFS.label)
            self.extend([(subject, RDFS.label if label == rdflib_value(name) else SKOS.altLabel, name)])
        elif (subject, RDFS.label) not in self.stated:
            self.stated[(subject, RDFS.label)] = name
            self.extend([(subject, RDFS.label, name)])
        elif self.stated[(subject, RDFS.label)] != name and (subject, name) not in self.other_names:
            self.other_names.add((subject, name))
            self.extend([(subject, SKOS.altLabel, name)])

    def extend(self, triples) -> None:
        """Write triples, except those the curated data (or an earlier input) states already: a triple in two
        graphs would come back twice from queries over their union."""
        for subject, predicate, value in triples:
            if subject in self.index.subjects and (subject, predicate, rdflib_value(value)) in self.index.graph:
                self.confirmed += 1
            else:
                self.out.add(subject, predicate, value)

    def extend_once(self, triples) -> None:
        """`extend` for facts a source states on many rows (an organisation's source, in each of its projects)."""
        for triple in triples:
            if triple not in self.repeated:
                self.repeated.add(triple)
                self.extend([triple])

    def _disagree(self, subject, predicate, value, shown_value) -> None:
        self.disagreements += 1
        local = slugify(str(subject).removeprefix(ID_BASE))
        digest = hashlib.sha1(_text(value).encode("utf-8")).hexdigest()[:8]  # one node per claimed value
        node = mint("disagreement", f"{str(self.source_graph).rsplit('/', 1)[-1]} {local} "
                                    f"{predicate.rsplit('#', 1)[-1].rsplit('/', 1)[-1]} {digest}")
        if node in self.disagreement_nodes:
            return
        self.disagreement_nodes.add(node)
        for fact in ((node, RDF.type, REM.Disagreement), (node, REM.about, subject),
                     (node, REM.onProperty, _curie(predicate)), (node, REM.claimedValue, _text(value)),
                     (node, REM.shownValue, _text(shown_value)), (node, REM.claimedIn, self.source_graph)):
            self.out.add(*fact)


def _value(term):
    """Literals compare by value (600000.5 = 600000.50), other terms as they are."""
    return term.toPython() if isinstance(term, Literal) else term


def _curie(predicate: URIRef) -> str:
    for prefix, base in (("rem:", str(vocab.REM)), ("rdf:", str(namespace.RDF))):
        if str(predicate).startswith(base):
            return prefix + str(predicate)[len(base):]
    return str(predicate)


def _text(value) -> str:
    return str(value).removeprefix(ID_BASE) if isinstance(value, URIRef) else lexical(value)
