"""The two large analysis tables read straight from the embedded store, for CORDIS-sized graphs.

`analysis-participations` and `analysis-projects` list every participation and every project: at
full CORDIS scale 300,000 and 50,000 rows. Through run_local, the participations take Oxigraph
tens of seconds (it joins participation by participation through its indexes, then sorts 300,000
IRIs) and Python as long again to turn each term into an object. Here the participations are one
scan per property (a single-pattern SELECT serialised to TSV by Oxigraph, read with a regular
expression) joined in dictionaries, and the projects are the named query's own text without its
ORDER BY. read_large gives the rows of both named queries (same columns, same values, order
aside); tests/test_analysis.py compares them on the shipped data and the planted fixture. Over an
endpoint, the analysis runs the named queries themselves.
"""

from __future__ import annotations

import re
from operator import itemgetter
from pathlib import Path

from kg.query import term_value, tsv_text

REM = "https://w3id.org/remkg/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
Row = dict[str, "str | None"]
_IRI_PAIRS = re.compile(r"^<([^>]*)>\t<([^>]*)>$", flags=re.MULTILINE)
_PLAIN_LITERALS = re.compile(r'^<([^>]*)>\t"([^"\\]*)"$', flags=re.MULTILINE)
SCANNED = ("hasParticipation", "participant", "role", SKOS_PREF_LABEL, RDFS_LABEL, "isoCode", "euMemberState", "country")


def read_large(output_dir: Path) -> dict[str, list[Row]]:
    """analysis-participations and analysis-projects, read from the store in output_dir."""
    from kg.store import open_store

    store = open_store(output_dir)
    scans = {predicate: tsv_text(store, f"SELECT ?s ?o WHERE {{ ?s <{_iri(predicate)}> ?o }}") for predicate in SCANNED}
    return {"analysis-participations": participations(scans), "analysis-projects": projects(tsv_text(store, _projects_query()))}


def _iri(predicate: str) -> str:
    return predicate if "://" in predicate else REM + predicate


def pairs(text: str) -> list[tuple[str, str]]:
    """(subject, object value) of each row of a two-column TSV result. When every object is an IRI
    or a plain string without escapes, one regular expression reads them all (the common case)."""
    rows = text.count("\n") - 1
    for pattern in (_IRI_PAIRS, _PLAIN_LITERALS):
        found = pattern.findall(text)
        if len(found) == rows:
            return found
    return [(term_value(subject), term_value(value)) for subject, value in
            (line.split("\t") for line in text.split("\n")[1:] if line)]


def values(text: str) -> dict[str, tuple[str, ...]]:
    """Each subject's distinct values in a scan (a triple may be in several named graphs)."""
    found = set(pairs(text))
    single = dict(found)
    if len(single) == len(found):
        return {subject: (value,) for subject, value in single.items()}
    grouped: dict[str, list[str]] = {}
    for subject, value in sorted(found):
        grouped.setdefault(subject, []).append(value)
    return {subject: tuple(found) for subject, found in grouped.items()}


NO_COUNTRY = ((None, None),)


def participations(scans: dict[str, str]) -> list[Row]:
    """The rows of analysis-participations (project, org, name, country, euMember, role; in the
    query's order: project, then organisation) from the TSV scans of the SCANNED predicates."""
    participants, roles = values(scans["participant"]), values(scans["role"])
    role_labels, names = values(scans[SKOS_PREF_LABEL]), values(scans[RDFS_LABEL])
    iso, eu_member = values(scans["isoCode"]), values(scans["euMemberState"])
    countries = {org: tuple((code, eu) for country in found for code in iso.get(country, ()) for eu in eu_member.get(country, ()))
                 for org, found in values(scans["country"]).items()}
    # Per organisation and per participation once, so each of the 300,000 rows costs two look-ups.
    about_org = {org: tuple((name, country, eu) for name in found for country, eu in countries.get(org) or NO_COUNTRY)
                 for org, found in names.items()}
    about_participation = {participation: tuple((org, label) for org in found for role in roles.get(participation, ())
                                                for label in role_labels.get(role, ()))
                           for participation, found in participants.items()}
    found = [(project, org, name, country, eu, label)
             for project, participation in set(pairs(scans["hasParticipation"]))
             for org, label in about_participation.get(participation, ())
             for name, country, eu in about_org.get(org, ())]
    found.sort(key=itemgetter(0, 1))  # the query's order: project, then organisation
    return [dict(zip(PARTICIPATION_COLUMNS, row)) for row in found]


PARTICIPATION_COLUMNS = ("project", "org", "name", "country", "euMember", "role")
PROJECT_COLUMNS = ("project", "acronym", "start", "end", "trlStart", "trlTarget", "euContribution")


def _projects_query() -> str:
    """analysis-projects without its ORDER BY: sorting 50,000 IRIs costs Oxigraph more than the
    query (every fact hangs off the project, so its joins are cheap); the rows are sorted here."""
    from kg.query import load_named

    text = load_named("analysis-projects").text
    return text[:text.rindex("ORDER BY")]


def projects(text: str) -> list[Row]:
    """The rows of analysis-projects from the TSV result of _projects_query."""
    rows = [dict(zip(PROJECT_COLUMNS, map(term_value, line.split("\t")))) for line in text.split("\n")[1:] if line]
    return sorted(rows, key=lambda row: row["project"])

