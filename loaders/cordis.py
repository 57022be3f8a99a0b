"""CORDIS in: projects and participations from a CORDIS export (kind `cordis-export`), resolved
against the curated data, filtered by the relevance rule, with machine-suggested stages.

The rows are streamed (projects are kept in memory for the join, participations are converted as
they are read), every value is checked as it is read, and every problem names file, line and
column. Without `lenient`, any problem refuses the whole input; with it, bad rows are skipped and
reported (in the loader's notes and the graph's provenance). Facts are written as N-Quads lines as
they are made (loaders.nquads: no rdflib term per value), each line once, for the store's bulk
loader; `remkg load cordis` keeps that file beside the export (loaders.converted).

Manifest options: `filter` (rare-earth | none | [grant ids]), `topics` ([topic codes] the
rare-earth rule keeps too), `lenient` (true/false), `retrieved` (when the export was downloaded).
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Iterator

from rdflib import URIRef
from rdflib.namespace import RDF as RDF_NAMESPACE, RDFS as RDFS_NAMESPACE

from kg.store import PartLoader
from kg.vocab import ID_BASE, REM as REM_NAMESPACE, mint, slugify
from loaders import converted
from loaders.base import InputEntry, LoadContext, LoadError, Problem, SourceGraph
from loaders.cordis_files import Export, Row
from loaders.nquads import AnyURI, QuadWriter, Terms
from loaders.relevance import Decision, RelevanceRule, rule_from_options
from loaders.resolve import CuratedIndex, Facts
from loaders.suggest import Suggester, write_suggestions

REM, RDF, RDFS = Terms(REM_NAMESPACE), Terms(RDF_NAMESPACE), Terms(RDFS_NAMESPACE)

ROLES = {"coordinator": REM.roleCoordinator, "participant": REM.roleParticipant, "beneficiary": REM.roleParticipant,
         "partner": REM.roleAssociatedPartner, "associatedpartner": REM.roleAssociatedPartner,
         "thirdparty": REM.roleThirdParty}
ACTIVITY_TYPES = {"PRC": REM.PrivateCompany, "HES": REM.HigherEducation, "REC": REM.ResearchOrganisation,
                  "PUB": REM.PublicBody, "OTH": REM.OtherOrganisation}
COUNTRY_CODES = {"EL": "GR", "UK": "GB"}  # CORDIS uses the EU's codes for Greece and the United Kingdom
PROGRAMMES = {"H2020": ("h2020", "Horizon 2020"), "HORIZON": ("horizon-europe", "Horizon Europe"),
              "FP7": ("fp7", "Seventh Framework Programme"), "FP6": ("fp6", "Sixth Framework Programme")}
CORDIS_PAGE = "https://cordis.europa.eu/project/id/{}"
_AMOUNT = re.compile(r"^\d+(?:[.,]\d+)?$")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_GRANT = re.compile(r"^\d{5,9}$")
_PIC = re.compile(r"^\d{9}$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
CONVERSION_VERSION = "2"  # raise when the conversion's output changes: conversions kept by an older one are redone


class BadValue(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, message
        super().__init__(message)


# --- values ----------------------------------------------------------------------------------------

def amount(row: Row, column: str) -> Decimal | None:
    """An amount in euro; CORDIS writes 1234.5 or, in some releases, 1234,5."""
    text = row.get(column)
    if not text:
        return None
    if text.isascii() and text.isdigit():  # whole euros are canonical as they are (Decimal drops leading zeros)
        return Decimal(text)
    if not _AMOUNT.match(text):
        raise BadValue(column, f"expected an amount in euro such as 1234.56 or 1234,56, got {text!r}")
    return Decimal(format(Decimal(text.replace(",", ".")).normalize(), "f"))  # canonical: 1000000.50 -> 1000000.5


def date(row: Row, column: str) -> dt.date | None:
    """A date written YYYY-MM-DD, with or without a time after it."""
    text = row.get(column)
    if not text:
        return None
    match = _DATE.match(text)
    try:
        return dt.date.fromisoformat(match.group(1)) if match else _bad_date(column, text)
    except ValueError:
        raise BadValue(column, f"{text!r} is not a calendar date") from None


def _bad_date(column: str, text: str):
    raise BadValue(column, f"expected a date YYYY-MM-DD (optionally with a time), got {text!r}")


def required(row: Row, column: str) -> str:
    text = row.get(column)
    if not text:
        raise BadValue(column, "required value is empty")
    return text


def matching(row: Row, column: str, pattern: re.Pattern, expected: str) -> str:
    text = required(row, column)
    if not pattern.match(text):
        raise BadValue(column, f"expected {expected}, got {text!r}")
    return text


def flag(row: Row, column: str) -> bool | None:
    text = row.get(column).lower()
    if not text:
        return None
    if text not in _BOOLEANS:
        raise BadValue(column, f"expected true or false, got {row.get(column)!r}")
    return _BOOLEANS[text]


def choice(row: Row, column: str, options: dict, normalise=lambda t: t):
    text = required(row, column)
    key = normalise(text)
    if key not in options:
        raise BadValue(column, f"expected one of {', '.join(sorted(options))}, got {text!r}")
    return options[key]


def country(row: Row, column: str) -> str:
    code = matching(row, column, _COUNTRY, "a two-letter country code").upper()
    return COUNTRY_CODES.get(code, code)


# --- records ---------------------------------------------------------------------------------------

@dataclass
class ProjectRecord:
    row: Row
    grant_id: str
    acronym: str
    title: str
    objective: str
    start: dt.date | None
    end: dt.date | None
    total_cost: Decimal | None
    eu_contribution: Decimal | None
    programme: str
    funding_scheme: str
    topics: list[str]


def project_record(row: Row) -> ProjectRecord:
    start, end = date(row, "startDate"), date(row, "endDate")
    if start and end and end < start:
        raise BadValue("endDate", f"end date {end} is before start date {start}")
    return ProjectRecord(
        row, matching(row, "id", _GRANT, "a grant number of 5 to 9 digits"), required(row, "acronym"),
        row.get("title"), row.get("objective"), start, end, amount(row, "totalCost"), amount(row, "ecMaxContribution"),
        row.get("frameworkProgramme").upper(), row.get("fundingScheme"),
        list(dict.fromkeys(t.strip() for t in re.split(r"[;,]", row.get("topics")) if t.strip())))


@dataclass
class LoadOutcome:
    """What a run read, kept and skipped, for the provenance and the command's summary."""

    counts: dict = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)
    decisions: dict[str, Decision] = field(default_factory=dict)

    def count(self, name: str, by: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + by


class CordisConverter:
    """Project and organisation rows (CORDIS column names) -> triples of one source graph, resolved
    against the curated data, plus machine suggestions in a second graph. Shared by the export loader
    and the endpoint snapshot loader."""

    def __init__(self, context: LoadContext, settings: Settings, with_store: bool = False):
        self.index = CuratedIndex(context.curated)
        self.suggester = Suggester(context.ontology)
        graph_iri = settings.graph_iri
        self.graph_iri, self.rule, self.lenient, self.retrieved = graph_iri, settings.rule, settings.lenient, settings.retrieved
        folder = Path(tempfile.mkdtemp(prefix="cordis-", dir=context.scratch_dir()))
        # With a store: the written lines are bulk-loaded into it as they are made (kept by `load cordis`).
        self.parts = PartLoader(folder / converted.STORE) if with_store else None
        self.facts = Facts(self.index, graph_iri, QuadWriter(folder / "facts.nq", graph_iri, self.parts))
        self.suggestions = QuadWriter(folder / "suggestions.nq", URIRef(f"{graph_iri}-suggestions"), self.parts)
        self.suggested = 0
        self.problems: list[Problem] = []
        self.outcome = LoadOutcome()
        self.kept: dict[str, URIRef] = {}  # grant id -> project IRI
        self.sources: dict[str, URIRef] = {}  # grant id -> the source node of its CORDIS page
        self.read: set[str] = set()
        self.rejected: set[str] = set()
        self.participations: set[tuple[str, str]] = set()  # (grant id, PIC)
        self.participation_iris: set[URIRef] = set()
        self.countries: dict[str, URIRef] = {}  # ISO code -> IRI
        self.programmes: set[str] = set()

    # -- projects --------------------------------------------------------------------------------

    def add_projects(self, rows: Iterable[Row], fields_of: dict[str, list[str]]) -> None:
        for row in rows:
            self.outcome.count("project rows read")
            grant = row.get("id")
            if grant in self.read:
                self._problem(row.problem("id", f"duplicate project id {grant} (each project appears once)"))
                continue
            self.read.add(grant)
            try:
                record = project_record(row)
            except BadValue as bad:
                self._problem(row.problem(bad.column, bad.message), grant)
                continue
            decision = self.rule.decide(record.grant_id, record.title, record.objective, fields_of.get(grant, []), record.topics)
            self.outcome.decisions[grant] = decision
            if decision.keep:
                self.outcome.count("projects kept by the filter")
                self._project(record)

    def _project(self, r: ProjectRecord) -> None:
        p = self.index.project(r.grant_id, r.acronym)
        self.kept[r.grant_id] = p
        curated = self.index.is_curated(p)
        source = self.sources[r.grant_id] = self._source(r.grant_id)
        f = self.facts
        f.extend([(p, RDF.type, REM.Project), (p, REM.sourcedFrom, source)])
        if not curated:
            f.extend([(p, RDFS.label, r.acronym), (p, REM.cordisId, r.grant_id)])
        f.add(p, REM.acronym, r.acronym)
        for value, predicate in ((r.title or None, REM.title), (r.start, REM.startDate), (r.end, REM.endDate),
                                 (r.total_cost, REM.totalCost), (r.eu_contribution, REM.euContribution),
                                 (r.funding_scheme or None, REM.fundingScheme)):
            if value is not None:
                f.add(p, predicate, value)
        if r.programme:
            f.add(p, REM.fundedBy, self._programme(r.programme))
        f.extend((p, REM.topicCode, topic) for topic in r.topics)
        if not curated:
            self.suggested += write_suggestions(self.suggestions, p, self.suggester.suggest({"title": r.title, "objective": r.objective}))

    def _source(self, grant_id: str) -> URIRef:
        """The project's CORDIS page, shared by every input that knows the grant (when each input read it is
        in its graph's provenance, not here)."""
        url = CORDIS_PAGE.format(grant_id)
        if url in self.index.sources_by_url:  # the curated data cites this very page already
            source = self.index.sources_by_url[url]
            self.facts.extend([(source, RDF.type, REM.CordisRecord)])
            return source
        source = mint("source", f"cordis-project {grant_id}")
        title = f"CORDIS project {grant_id}"
        self.facts.extend([(source, RDF.type, REM.Source), (source, RDF.type, REM.CordisRecord), (source, RDFS.label, title),
                           (source, REM.title, title), (source, REM.publisher, "CORDIS, European Commission"),
                           (source, REM.url, AnyURI(url))])
        return source

    def _programme(self, code: str) -> URIRef:
        known = self.index.programmes.get(code)
        if known is not None:
            return known
        slug, label = PROGRAMMES.get(code, (slugify(code), code))
        programme = mint("programme", slug)
        if not self.index.is_curated(programme) and programme not in self.programmes:
            self.programmes.add(programme)
            self.facts.extend([(programme, RDF.type, REM.FundingProgramme), (programme, RDFS.label, label),
                               (programme, REM.acronym, code)])
        return programme

    # -- participations --------------------------------------------------------------------------

    def add_participations(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.outcome.count("organisation rows read")
            grant = row.get("projectID")
            if grant in self.rejected:
                self.outcome.count("organisation rows of skipped projects")
                continue
            if grant not in self.read:
                self._problem(row.problem("projectID", f"participant of an unknown project {grant!r} (not in the project table)"))
                continue
            if grant not in self.kept:
                continue
            try:
                self._participation(row, self.kept[grant])
            except BadValue as bad:
                self._problem(row.problem(bad.column, bad.message))

    def _participation(self, row: Row, project: URIRef) -> None:
        pic = matching(row, "organisationID", _PIC, "a PIC of 9 digits")
        key = (row.get("projectID"), pic)
        if key in self.participations:
            raise BadValue("organisationID", f"organisation {pic} is listed twice in project {key[0]}")
        name, code = required(row, "name"), country(row, "country")
        role = choice(row, "role", ROLES, lambda t: t.replace("_", "").replace(" ", "").lower())
        activity_type = row.get("activityType")
        activity = ACTIVITY_TYPES.get(activity_type.upper()) if activity_type else REM.Organisation
        if activity is None:
            raise BadValue("activityType", f"expected one of {', '.join(ACTIVITY_TYPES)}, got {activity_type!r}")
        sme, contribution = flag(row, "SME"), amount(row, "ecContribution")
        self.participations.add(key)
        self.outcome.count("participations kept")
        org = self.index.organisation(pic, name, code)
        source = self.sources[key[0]]
        f = self.facts
        f.extend_once([(org, REM.sourcedFrom, source)])
        f.add_name(org, name)
        short_name = row.get("shortName")
        if short_name and not self.index.is_curated(org):
            f.extend_once([(org, REM.acronym, short_name)])
        f.add_class(org, activity)
        f.add(org, REM.picId, pic)
        f.add(org, REM.country, self._country(code))
        if sme is not None:
            f.add(org, REM.isSME, sme)
        participation = URIRef(f"{ID_BASE}participation/{project.rsplit('/', 1)[-1]}-{org.rsplit('/', 1)[-1]}")  # both are slugs
        if participation not in self.participation_iris:  # two PICs can resolve to one curated organisation
            self.participation_iris.add(participation)
            f.extend([(project, REM.hasParticipation, participation), (participation, RDF.type, REM.Participation),
                      (participation, REM.participant, org), (participation, REM.sourcedFrom, source)])
        f.add(participation, REM.role, role)
        if contribution is not None:
            f.add(participation, REM.euContribution, contribution)

    def _country(self, code: str) -> URIRef:
        if code not in self.countries:
            self.countries[code] = mint("country", code)
            if code not in self.index.countries:
                iri = self.countries[code]
                self.facts.extend([(iri, RDF.type, REM.Country), (iri, REM.isoCode, code), (iri, RDFS.label, code)])
        return self.countries[code]

    # -- outcome ---------------------------------------------------------------------------------

    def _problem(self, problem: Problem, rejected_project: str | None = None) -> None:
        if rejected_project is not None:
            self.rejected.add(rejected_project)
        self.problems.append(problem)

    def finish(self, label: str, derived_from: str, selection: str) -> list[SourceGraph]:
        """The source graphs, or LoadError with every problem (unless lenient: then they become notes)."""
        self.facts.out.close()
        self.suggestions.close()
        refused = bool(self.problems) and not self.lenient
        if self.parts is not None:
            self.parts.finish(wanted=not refused)
        if refused:
            raise LoadError(self.problems)
        self.outcome.notes = sorted(set(self.problems))
        counts = dict(self.outcome.counts)
        counts["rows skipped (lenient)"] = len(self.outcome.notes)
        counts["disagreements with curated data"] = self.facts.disagreements
        counts["facts the curated data or an earlier input states already"] = self.facts.confirmed
        graphs = [SourceGraph(self.graph_iri, label, derived_from, [], self.retrieved, selection, counts,
                              [str(note) for note in self.outcome.notes], self.facts.out.path, self.facts.out.count)]
        if self.suggested:
            graphs.append(SourceGraph(URIRef(f"{self.graph_iri}-suggestions"), f"machine suggestions from text: {label}",
                                      derived_from, [], self.retrieved,
                                      "vocabulary labels (skos:prefLabel, skos:altLabel) matched in title and objective",
                                      {"suggestions": self.suggested}, [], self.suggestions.path, self.suggestions.count))
        return graphs


def _option_problems(entry: InputEntry) -> Iterator[Problem]:
    allowed = {"filter", "topics", "lenient", "retrieved"}
    for key in sorted(set(entry.options) - allowed):
        yield entry.problem(key, f"unknown option for {entry.kind}; expected one of: {', '.join(sorted(allowed))}")
    if "lenient" in entry.options and not isinstance(entry.options["lenient"], bool):
        yield entry.problem("lenient", "expected true or false")
    retrieved = entry.options.get("retrieved")
    if retrieved is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z?)?", str(retrieved)):
        yield entry.problem("retrieved", "expected the download date, YYYY-MM-DD (or YYYY-MM-DDThh:mm:ssZ)")


@dataclass(frozen=True)
class Settings:
    """What a manifest entry's options (filter, topics, lenient, retrieved) ask of a conversion."""

    graph_iri: URIRef
    rule: RelevanceRule
    lenient: bool
    retrieved: str | None

    def describe(self) -> list[str]:
        return [str(self.graph_iri), self.rule.describe(), str(self.lenient), str(self.retrieved)]


def converter_for(entry: InputEntry, context: LoadContext, retrieved: str | None = None) -> CordisConverter:
    """A converter configured by the manifest entry's options (filter, topics, lenient, retrieved)."""
    return CordisConverter(context, settings_for(entry, retrieved))


def settings_for(entry: InputEntry, retrieved: str | None = None) -> Settings:
    """The entry's options, checked; LoadError naming the manifest line of each bad one."""
    problems = list(_option_problems(entry))
    try:
        rule = rule_from_options(entry.options.get("filter"), entry.options.get("topics") or ())
    except ValueError as error:
        problems.append(entry.problem("filter", str(error)))
    if problems:
        raise LoadError(problems)
    slug = slugify(entry.path)
    graph_iri = mint("graph", slug if slug.startswith("cordis") else f"cordis {slug}")
    return Settings(graph_iri, rule, bool(entry.options.get("lenient")), retrieved or _text_or_none(entry.options.get("retrieved")))


def _text_or_none(value) -> str | None:
    return None if value is None else str(value)


class CordisExportLoader:
    """A downloaded CORDIS export (zip or folder, CSV or JSON tables). Its conversion kept by
    `remkg load cordis` (loaders.converted) is reused while still valid; `key` is then set."""

    name = "remkg CORDIS export loader"

    def __init__(self, data_dir: Path, entry: InputEntry, context: LoadContext, reuse: bool = True, with_store: bool = False):
        self.path, self.entry, self.context, self.reuse = Path(data_dir) / entry.path, entry, context, reuse
        self.with_store = with_store  # also bulk-load the conversion into a store as it is made (`remkg load cordis`)
        self.converter: CordisConverter | None = None
        self.key = ""

    def load(self) -> list[SourceGraph]:
        settings = settings_for(self.entry)
        export = Export(self.path, self.entry.path)
        self.key = converted.key([CONVERSION_VERSION, self.entry.kind, self.entry.path, *settings.describe(),
                                  converted.context_digest([self.context.ontology, self.context.curated])], export.files())
        kept = converted.read(self.path, self.key) if self.reuse else None
        if kept is not None:
            return kept
        converter = self.converter = CordisConverter(self.context, settings, self.with_store)
        try:
            with _no_cycle_collection():
                fields_of = _per_project(export, "euroSciVoc", ("euroSciVocTitle", "euroSciVocPath"), converter.problems)
                topics_of = _per_project(export, "topics", ("topic",), converter.problems)
                converter.add_projects(_with_topics(export.rows("project", converter.problems), topics_of), fields_of)
                if export.has("organization"):
                    converter.add_participations(export.rows("organization", converter.problems))
        except BaseException:
            if converter.parts is not None:
                converter.parts.finish(wanted=False)
            raise
        return converter.finish(f"CORDIS export {self.entry.path}", self.entry.path, converter.rule.describe())


@contextmanager
def _no_cycle_collection():
    """Python's cycle collector paused: a conversion makes no reference cycles but keeps millions of
    small tuples (what each entity was stated with), which the collector would walk again and again
    (a fifth of the conversion's time at full CORDIS scale)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _with_topics(rows: Iterable[Row], topics_of: dict[str, list[str]]) -> Iterator[Row]:
    """Project rows with the topic codes of topics.csv added to their own `topics` column."""
    for row in rows:
        extra = topics_of.get(row.get("id"))
        yield Row(row.file, row.line, {**row.values, "topics": ";".join([row.get("topics"), *extra])}) if extra else row


def _per_project(export: Export, table: str, columns: tuple[str, ...], problems: list[Problem]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if export.has(table):
        for row in export.rows(table, problems):
            found.setdefault(row.get("projectID"), []).extend(row.get(c) for c in columns if row.get(c))
    return found
