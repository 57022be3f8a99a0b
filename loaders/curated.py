"""The curated YAML sources in data/: validated as a whole, then turned into one named graph per file.

Layout of a data folder:
    sources.yaml, countries.yaml, programmes.yaml, organisations.yaml, clusters.yaml, events.yaml
        each a list of records;
    projects/*.yaml
        one project per file, with its participants.
Every record names the sources (ids from sources.yaml) its facts were taken from.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from kg.vocab import REM, is_slug, mint
from loaders.base import LoadError, Problem, SourceGraph
from loaders.manifest import MANIFEST
from loaders.yamlfile import Node, read_yaml

LIST_FILES = ("sources", "countries", "programmes", "organisations", "clusters", "events")
ORG_TYPES = {
    "higher-education": REM.HigherEducation, "HES": REM.HigherEducation,
    "research-organisation": REM.ResearchOrganisation, "REC": REM.ResearchOrganisation,
    "private-company": REM.PrivateCompany, "PRC": REM.PrivateCompany,
    "public-body": REM.PublicBody, "PUB": REM.PublicBody,
    "other": REM.OtherOrganisation, "OTH": REM.OtherOrganisation,
}
ROLES = {
    "coordinator": REM.roleCoordinator, "participant": REM.roleParticipant,
    "associated-partner": REM.roleAssociatedPartner, "third-party": REM.roleThirdParty,
    "member": REM.roleConsortiumMember,  # named as a partner; the role is not stated
}
_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_ISO2_RE = re.compile(r"^[A-Z]{2}$")


# --- field types: each parses a raw YAML value or returns an error text ------------------------

def _text(value):
    if isinstance(value, str) and value.strip():
        return value.strip(), None
    return None, "expected a non-empty text"


def _slug(value):
    if isinstance(value, str) and is_slug(value):
        return value, None
    return None, "expected a slug: lower-case ASCII letters, digits and single hyphens (e.g. 'tu-darmstadt')"


def _date(value):
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None, "expected a date written YYYY-MM-DD"
    try:
        return dt.date.fromisoformat(value), None
    except ValueError:
        return None, f"'{value}' is not a calendar date"


def _count(value):
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value, None
    return None, "expected a whole number, 0 or more"


def _trl(value):
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9:
        return value, None
    return None, "expected a TRL, a whole number from 1 to 9"


def _euro(value):
    if isinstance(value, bool):
        return None, "expected an amount in euro, e.g. 8912000.50"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None, "expected an amount in euro, e.g. 8912000.50"
    if not amount.is_finite() or amount < 0:
        return None, "expected a non-negative amount in euro"
    return amount, None


def _bool(value):
    if isinstance(value, bool):
        return value, None
    return None, "expected true or false"


def _url(value):
    if isinstance(value, str) and _URL_RE.match(value):
        return value, None
    return None, "expected an http(s) URL"


def _iso2(value):
    if isinstance(value, str) and _ISO2_RE.match(value):
        return value, None
    return None, "expected an ISO 3166-1 alpha-2 code in capitals, e.g. DE"


def _list_of(item: Callable):
    def parse(value):
        if not isinstance(value, list):
            return None, "expected a list"
        parsed = []
        for position, element in enumerate(value, start=1):
            result, error = item(element)
            if error:
                return None, f"item {position}: {error}"
            parsed.append(result)
        return parsed, None
    return parse


def _choice(options):
    def parse(value):
        if value in options:
            return value, None
        return None, f"expected one of: {', '.join(sorted(options))}"
    return parse


@dataclass(frozen=True)
class FieldSpec:
    parse: Callable
    required: bool = False
    refers_to: str | None = None  # the kind of record (or vocabulary) the value names


SOURCE_FIELDS = {
    "id": FieldSpec(_slug, True), "url": FieldSpec(_url, True), "title": FieldSpec(_text, True),
    "publisher": FieldSpec(_text), "published": FieldSpec(_date), "retrieved": FieldSpec(_date, True),
}
COUNTRY_FIELDS = {
    "code": FieldSpec(_iso2, True), "name": FieldSpec(_text, True), "eu_member": FieldSpec(_bool, True),
    "sources": FieldSpec(_list_of(_slug), True, "source"),
}
PROGRAMME_FIELDS = {
    "id": FieldSpec(_slug, True), "name": FieldSpec(_text, True), "acronym": FieldSpec(_text),
    "website": FieldSpec(_url), "sources": FieldSpec(_list_of(_slug), True, "source"),
}
ORGANISATION_FIELDS = {
    "id": FieldSpec(_slug, True), "name": FieldSpec(_text, True), "alt_names": FieldSpec(_list_of(_text)),
    "acronym": FieldSpec(_text), "country": FieldSpec(_iso2, True, "country"),
    "type": FieldSpec(_choice(ORG_TYPES)), "sme": FieldSpec(_bool), "pic": FieldSpec(_text),
    "website": FieldSpec(_url), "stages": FieldSpec(_list_of(_slug), False, "stage"),
    "capabilities": FieldSpec(_list_of(_slug), False, "capability"),
    "sources": FieldSpec(_list_of(_slug), True, "source"),
}
CLUSTER_FIELDS = {
    "id": FieldSpec(_slug, True), "name": FieldSpec(_text, True), "acronym": FieldSpec(_text),
    "declared_members": FieldSpec(_count), "website": FieldSpec(_url),
    "members": FieldSpec(_list_of(_slug), False, "project"),
    "organisation_members": FieldSpec(_list_of(_slug), False, "organisation"),
    "sources": FieldSpec(_list_of(_slug), True, "source"),
}
EVENT_FIELDS = {
    "id": FieldSpec(_slug, True), "name": FieldSpec(_text, True), "start": FieldSpec(_date, True),
    "end": FieldSpec(_date), "venue": FieldSpec(_text), "country": FieldSpec(_iso2, False, "country"),
    "online": FieldSpec(_bool), "attendees": FieldSpec(_count), "website": FieldSpec(_url),
    "organising_projects": FieldSpec(_list_of(_slug), False, "project"),
    "organising_organisations": FieldSpec(_list_of(_slug), False, "organisation"),
    "projects": FieldSpec(_list_of(_slug), False, "project"),
    "challenges": FieldSpec(_list_of(_slug), False, "challenge"),
    "stages": FieldSpec(_list_of(_slug), False, "stage"),
    "sources": FieldSpec(_list_of(_slug), True, "source"),
}
PARTICIPANT_FIELDS = {
    "org": FieldSpec(_slug, True, "organisation"), "role": FieldSpec(_choice(ROLES), True),
    "eu_contribution": FieldSpec(_euro), "sources": FieldSpec(_list_of(_slug), False, "source"),
}
PROJECT_FIELDS = {
    "id": FieldSpec(_slug, True), "acronym": FieldSpec(_text, True), "title": FieldSpec(_text),
    "programme": FieldSpec(_slug, True, "programme"), "funding_scheme": FieldSpec(_text),
    "cordis_id": FieldSpec(_text), "start": FieldSpec(_date), "end": FieldSpec(_date),
    "total_cost": FieldSpec(_euro), "eu_contribution": FieldSpec(_euro),
    "trl_start": FieldSpec(_trl), "trl_target": FieldSpec(_trl), "website": FieldSpec(_url),
    "stages": FieldSpec(_list_of(_slug), True, "stage"),
    "capabilities": FieldSpec(_list_of(_slug), False, "capability"),
    "materials": FieldSpec(_list_of(_slug), False, "material"),
    "sectors": FieldSpec(_list_of(_slug), False, "sector"),
    "challenges": FieldSpec(_list_of(_slug), False, "challenge"),
    "clusters": FieldSpec(_list_of(_slug), False, "cluster"),
    "participants": FieldSpec(lambda v: (v, None) if isinstance(v, list) else (None, "expected a list of participants"), False),
    "sources": FieldSpec(_list_of(_slug), True, "source"),
}
FIELDS_BY_FILE = {
    "sources": SOURCE_FIELDS, "countries": COUNTRY_FIELDS, "programmes": PROGRAMME_FIELDS,
    "organisations": ORGANISATION_FIELDS, "clusters": CLUSTER_FIELDS, "events": EVENT_FIELDS,
}
KIND_OF_FILE = {
    "sources": "source", "countries": "country", "programmes": "programme",
    "organisations": "organisation", "clusters": "cluster", "events": "event",
}
FIELDS_BY_KIND = {"project": PROJECT_FIELDS, **{KIND_OF_FILE[f]: FIELDS_BY_FILE[f] for f in LIST_FILES}}
VOCABULARY_CLASSES = {"stage": (REM.Stage, REM.Theme), "capability": (REM.Capability,),
                      "material": (REM.Material,), "sector": (REM.Sector,), "challenge": (REM.Challenge,)}


@dataclass
class Record:
    """One validated record: its kind, id, parsed fields and where it stands in which file."""

    kind: str
    key: str
    fields: dict
    file: str
    line: int
    node: Node


class CuratedLoader:
    """Loads a data folder; raises LoadError with every problem found, or returns source graphs."""

    def __init__(self, data_dir: Path, ontology: Graph):
        self.data_dir = Path(data_dir)
        self.ontology = ontology
        self.problems: list[Problem] = []
        self.records: dict[str, dict[str, Record]] = {}
        self.pages: dict[str, Record] = {}  # source URL -> the source record that holds it

    # -- reading and checking ---------------------------------------------------------------------

    def load(self) -> list[SourceGraph]:
        files = self._files()
        for name, path, shown in files:
            self._read_file(name, path, shown)
        self._check_references()
        if self.problems:
            raise LoadError(self.problems)
        return [self._graph_for(shown) for _, _, shown in files]

    def _files(self) -> list[tuple[str, Path, str]]:
        if not self.data_dir.is_dir():
            raise LoadError([Problem(str(self.data_dir), 0, "", "data folder not found")])
        found = []
        for name in LIST_FILES:
            path = self.data_dir / f"{name}.yaml"
            if path.exists():
                found.append((name, path, path.relative_to(self.data_dir).as_posix()))
            else:
                self.problems.append(Problem(f"{name}.yaml", 0, "", "file missing from the data folder"))
        for path in sorted((self.data_dir / "projects").glob("*.yaml")):
            found.append(("project", path, path.relative_to(self.data_dir).as_posix()))
        unknown = sorted(p.name for p in self.data_dir.glob("*.yaml") if p.stem not in LIST_FILES and p.name != MANIFEST)
        for name in unknown:
            self.problems.append(Problem(name, 0, "", f"unknown file; expected {', '.join(f + '.yaml' for f in LIST_FILES)} or projects/*.yaml"))
        return found

    def _read_file(self, name: str, path: Path, shown: str) -> None:
        data, problems = read_yaml(path, shown)
        self.problems.extend(problems)
        if data is None:
            return
        if name == "project":
            if not isinstance(data, Node):
                self.problems.append(Problem(shown, 1, "", "expected one project record (a mapping of fields)"))
                return
            self._add_record("project", PROJECT_FIELDS, data, shown)
            return
        if not isinstance(data, list):
            self.problems.append(Problem(shown, 1, "", "expected a list of records, each starting with '- '"))
            return
        for position, node in enumerate(data, start=1):
            if not isinstance(node, Node):
                self.problems.append(Problem(shown, 0, f"record {position}", "expected a mapping of fields"))
                continue
            self._add_record(KIND_OF_FILE[name], FIELDS_BY_FILE[name], node, shown)

    def _add_record(self, kind: str, spec: dict[str, FieldSpec], node: Node, shown: str) -> None:
        fields = self._parse_fields(spec, node, shown)
        key = fields.get("code" if kind == "country" else "id")
        if key is None:
            return
        existing = self.records.setdefault(kind, {}).get(key)
        if existing is not None:
            self.problems.append(Problem(shown, node.line_of("id" if kind != "country" else "code"), "id" if kind != "country" else "code",
                                         f"duplicate {kind} '{key}' (already defined in {existing.file}:{existing.line})"))
            return
        record = Record(kind, key, fields, shown, node.line, node)
        self.records[kind][key] = record
        if kind == "project":
            self._check_project(record)
        if kind == "event":
            self._check_period(record)
        if kind == "source":
            self._check_page_recorded_once(record)

    def _parse_fields(self, spec: dict[str, FieldSpec], node: Node, shown: str, prefix: str = "") -> dict:
        fields = {}
        for name, raw in node.items():
            if name not in spec:
                self.problems.append(Problem(shown, node.line_of(name), prefix + str(name),
                                             f"unknown field; expected one of: {', '.join(spec)}"))
                continue
            value, error = spec[name].parse(raw)
            if error:
                self.problems.append(Problem(shown, node.line_of(name), prefix + name, error))
            else:
                fields[name] = value
        for name, field_spec in spec.items():
            if field_spec.required and name not in node:
                self.problems.append(Problem(shown, node.line, prefix + name, "required field missing"))
        return fields

    def _check_period(self, record: Record) -> None:
        start, end = record.fields.get("start"), record.fields.get("end")
        if start and end and end < start:
            self.problems.append(Problem(record.file, record.node.line_of("end"), "end",
                                         f"end date {end} is before start date {start}"))

    def _check_page_recorded_once(self, record: Record) -> None:
        """One page, one source record: two ids for a page split its provenance."""
        url = record.fields.get("url")
        other = self.pages.setdefault(url, record) if url else record
        if other is not record:
            self.problems.append(Problem(record.file, record.node.line_of("url"), "url",
                                         f"page already recorded as source '{other.key}' ({other.file}:{other.line})"))

    def _check_project(self, record: Record) -> None:
        self._check_period(record)
        fields = record.fields
        if "trl_start" in fields and "trl_target" in fields and fields["trl_target"] < fields["trl_start"]:
            self.problems.append(Problem(record.file, record.node.line_of("trl_target"), "trl_target",
                                         "target TRL is below the TRL at start"))
        stem = Path(record.file).stem
        if fields.get("id") and fields["id"] != stem:
            self.problems.append(Problem(record.file, record.node.line_of("id"), "id",
                                         f"project id '{fields['id']}' must match its file name '{stem}.yaml'"))
        participants, seen, coordinators = [], {}, 0
        for position, node in enumerate(fields.get("participants", []), start=1):
            if not isinstance(node, Node):
                self.problems.append(Problem(record.file, record.node.line_of("participants"), f"participants[{position}]",
                                             "expected a mapping with org and role"))
                continue
            parsed = self._parse_fields(PARTICIPANT_FIELDS, node, record.file, f"participants[{position}].")
            org = parsed.get("org")
            if org in seen:
                self.problems.append(Problem(record.file, node.line_of("org"), f"participants[{position}].org",
                                             f"organisation '{org}' already listed on line {seen[org]}"))
                continue
            if org:
                seen[org] = node.line_of("org")
            coordinators += parsed.get("role") == "coordinator"
            participants.append((parsed, node))
        if coordinators > 1:
            self.problems.append(Problem(record.file, record.node.line_of("participants"), "participants",
                                         f"{coordinators} coordinators; a project has at most one"))
        fields["participants"] = participants

    def _vocabulary(self, kind: str) -> set[str]:
        prefix = f"https://w3id.org/remkg/id/{kind}/"
        known = set()
        for cls in VOCABULARY_CLASSES[kind]:
            known |= {str(s).removeprefix(prefix) for s in self.ontology.subjects(RDF.type, cls) if str(s).startswith(prefix)}
        return known

    def _check_references(self) -> None:
        known = {kind: set(records) for kind, records in self.records.items()}
        for kind in VOCABULARY_CLASSES:
            known[kind] = self._vocabulary(kind)
        for records in self.records.values():
            for record in records.values():
                self._check_record_references(record.fields, FIELDS_BY_KIND[record.kind], record.node, record.file, known, "")
                for position, (parsed, node) in enumerate(record.fields.get("participants", []) if record.kind == "project" else [], start=1):
                    self._check_record_references(parsed, PARTICIPANT_FIELDS, node, record.file, known, f"participants[{position}].")

    def _check_record_references(self, fields, spec, node, file, known, prefix) -> None:
        for name, field_spec in spec.items():
            target = field_spec.refers_to
            if target is None or name not in fields:
                continue
            values = fields[name] if isinstance(fields[name], list) else [fields[name]]
            for value in values:
                if value not in known.get(target, set()):
                    self.problems.append(Problem(file, node.line_of(name), prefix + name,
                                                 f"unknown {target} '{value}'; it must be defined {_where_defined(target)}"))

    # -- turning records into triples ---------------------------------------------------------------

    def _graph_for(self, shown: str) -> SourceGraph:
        graph_iri = mint("graph", "curated-" + shown.removesuffix(".yaml"))
        triples: list = []
        for records in self.records.values():
            for record in records.values():
                if record.file == shown:
                    triples.extend(_TRIPLES[record.kind](record.fields))
        return SourceGraph(graph_iri, f"curated data: {shown}", f"data/{shown}", triples)


def _where_defined(kind: str) -> str:
    return {
        "source": "in sources.yaml", "country": "in countries.yaml", "programme": "in programmes.yaml",
        "organisation": "in organisations.yaml", "cluster": "in clusters.yaml", "project": "as data/projects/<id>.yaml",
        "stage": "in ontology/vocab/stages.ttl", "capability": "in ontology/vocab/capabilities.ttl",
        "material": "in ontology/vocab/materials.ttl", "sector": "in ontology/vocab/sectors.ttl",
        "challenge": "in ontology/vocab/challenges.ttl",
    }[kind]


def _sourced(subject, fields):
    return [(subject, REM.sourcedFrom, mint("source", s)) for s in fields.get("sources", [])]


def _links(subject, fields, field_name, predicate, kind):
    return [(subject, predicate, mint(kind, value)) for value in fields.get(field_name, [])]


def _optional(subject, fields, field_name, predicate, datatype=None):
    if field_name not in fields:
        return []
    value = fields[field_name]
    if datatype is None:
        return [(subject, predicate, Literal(value))]
    return [(subject, predicate, Literal(str(value) if datatype != XSD.date else value.isoformat(), datatype=datatype))]


def _source_triples(f):
    s = mint("source", f["id"])
    return [(s, RDF.type, REM.Source), (s, RDFS.label, Literal(f["title"])), (s, REM.title, Literal(f["title"])),
            (s, REM.url, Literal(f["url"], datatype=XSD.anyURI))] + \
        _optional(s, f, "publisher", REM.publisher) + _optional(s, f, "published", REM.publishedOn, XSD.date) + \
        _optional(s, f, "retrieved", REM.retrievedOn, XSD.date)


def _country_triples(f):
    c = mint("country", f["code"])
    return [(c, RDF.type, REM.Country), (c, RDFS.label, Literal(f["name"])), (c, REM.isoCode, Literal(f["code"])),
            (c, REM.euMemberState, Literal(f["eu_member"]))] + _sourced(c, f)


def _programme_triples(f):
    p = mint("programme", f["id"])
    return [(p, RDF.type, REM.FundingProgramme), (p, RDFS.label, Literal(f["name"]))] + \
        _optional(p, f, "acronym", REM.acronym) + _optional(p, f, "website", REM.website, XSD.anyURI) + _sourced(p, f)


def _organisation_triples(f):
    o = mint("org", f["id"])
    triples = [(o, RDF.type, ORG_TYPES.get(f.get("type"), REM.Organisation)), (o, RDFS.label, Literal(f["name"])),
               (o, REM.country, mint("country", f["country"]))]
    triples += [(o, SKOS.altLabel, Literal(name)) for name in f.get("alt_names", [])]
    triples += _optional(o, f, "acronym", REM.acronym) + _optional(o, f, "sme", REM.isSME)
    triples += _optional(o, f, "pic", REM.picId) + _optional(o, f, "website", REM.website, XSD.anyURI)
    triples += _links(o, f, "stages", REM.coversStage, "stage") + _links(o, f, "capabilities", REM.usesCapability, "capability")
    return triples + _sourced(o, f)


def _cluster_triples(f):
    c = mint("cluster", f["id"])
    triples = [(c, RDF.type, REM.Cluster), (c, RDFS.label, Literal(f["name"]))]
    triples += _optional(c, f, "acronym", REM.acronym) + _optional(c, f, "website", REM.website, XSD.anyURI)
    triples += _optional(c, f, "declared_members", REM.declaredMemberCount, XSD.nonNegativeInteger)
    triples += [(mint("project", p), REM.memberOfCluster, c) for p in f.get("members", [])]
    triples += [(mint("org", o), REM.memberOfCluster, c) for o in f.get("organisation_members", [])]
    return triples + _sourced(c, f)


def _event_triples(f):
    e = mint("event", f["id"])
    triples = [(e, RDF.type, REM.Event), (e, RDFS.label, Literal(f["name"]))]
    triples += _optional(e, f, "start", REM.startDate, XSD.date) + _optional(e, f, "end", REM.endDate, XSD.date)
    triples += _optional(e, f, "venue", REM.venue) + _optional(e, f, "online", REM.isOnline)
    triples += _optional(e, f, "attendees", REM.participantCount, XSD.nonNegativeInteger)
    triples += _optional(e, f, "website", REM.website, XSD.anyURI)
    if "country" in f:
        triples.append((e, REM.country, mint("country", f["country"])))
    triples += _links(e, f, "organising_projects", REM.organisedBy, "project")
    triples += _links(e, f, "organising_organisations", REM.organisedBy, "org")
    triples += _links(e, f, "projects", REM.featuresProject, "project")
    triples += _links(e, f, "challenges", REM.addressesChallenge, "challenge")
    triples += _links(e, f, "stages", REM.coversStage, "stage")
    return triples + _sourced(e, f)


def _project_triples(f):
    p = mint("project", f["id"])
    triples = [(p, RDF.type, REM.Project), (p, RDFS.label, Literal(f["acronym"])), (p, REM.acronym, Literal(f["acronym"])),
               (p, REM.fundedBy, mint("programme", f["programme"]))]
    triples += _optional(p, f, "title", REM.title) + _optional(p, f, "funding_scheme", REM.fundingScheme) + _optional(p, f, "cordis_id", REM.cordisId)
    triples += _optional(p, f, "start", REM.startDate, XSD.date) + _optional(p, f, "end", REM.endDate, XSD.date)
    triples += _optional(p, f, "total_cost", REM.totalCost, XSD.decimal)
    triples += _optional(p, f, "eu_contribution", REM.euContribution, XSD.decimal)
    triples += _optional(p, f, "trl_start", REM.trlStart, XSD.integer) + _optional(p, f, "trl_target", REM.trlTarget, XSD.integer)
    triples += _optional(p, f, "website", REM.website, XSD.anyURI)
    for field_name, predicate, kind in (("stages", REM.coversStage, "stage"), ("capabilities", REM.usesCapability, "capability"),
                                        ("materials", REM.concernsMaterial, "material"), ("sectors", REM.targetsSector, "sector"),
                                        ("challenges", REM.addressesChallenge, "challenge"), ("clusters", REM.memberOfCluster, "cluster")):
        triples += _links(p, f, field_name, predicate, kind)
    triples += _sourced(p, f)
    for parsed, _node in f.get("participants", []):
        participation = mint("participation", f"{f['id']}-{parsed['org']}")
        triples += [(p, REM.hasParticipation, participation), (participation, RDF.type, REM.Participation),
                    (participation, REM.participant, mint("org", parsed["org"])),
                    (participation, REM.role, ROLES[parsed["role"]])]
        triples += _optional(participation, parsed, "eu_contribution", REM.euContribution, XSD.decimal)
        triples += _sourced(participation, parsed if parsed.get("sources") else f)
    return triples


_TRIPLES = {
    "source": _source_triples, "country": _country_triples, "programme": _programme_triples,
    "organisation": _organisation_triples, "cluster": _cluster_triples, "event": _event_triples,
    "project": _project_triples,
}
