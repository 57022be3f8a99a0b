"""The two large analysis tables read straight from the embedded store, for CORDIS-sized graphs.

`analysis-participations` and `analysis-projects` list every participation and every project: at
full CORDIS scale 300,000 and 50,000 rows. Through run_local, the participations take Oxigraph
tens of seconds (it joins participation by participation through its indexes, then sorts 300,000
IRIs) and Python as long again to turn each term into an object. Here the participations are one
scan per property (a single-pattern SELECT serialised to TSV by Oxigraph, read with a regular
expression) joined in dictionaries, and the projects are the named query's own text without its
ORDER BY. Each function gives the rows of its named query (same columns, same values, order aside);
tests/test_analysis.py compares them on the shipped data and the planted fixture. Over an endpoint,
the analysis runs the named queries themselves.
"""

from __future__ import annotations

import re
from operator import itemgetter

from kg.query import term_value, tsv_rows, tsv_text

REM = "https://w3id.org/remkg/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
_IRI_PAIRS = re.compile(r"^<([^>]*)>\t<([^>]*)>$", flags=re.MULTILINE)


def pairs(store, predicate: str) -> list[tuple[str, str]]:
    """(subject, object value) of every triple with this predicate. When every object is an IRI,
    one regular expression reads them all (the common case, and the large tables are IRIs)."""
    text = tsv_text(store, f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}")
    found = _IRI_PAIRS.findall(text)
    if len(found) == text.count("\n") - 1:
        return found
    return [(term_value(subject), term_value(value)) for subject, value in
            (line.split("\t") for line in text.split("\n")[1:] if line)]


def values(store, predicate: str) -> dict[str, tuple[str, ...]]:
    """Each subject's distinct values of a predicate (a triple may be in several named graphs)."""
    found = set(pairs(store, predicate))
    single = dict(found)
    if len(single) == len(found):
        return {subject: (value,) for subject, value in single.items()}
    grouped: dict[str, list[str]] = {}
    for subject, value in sorted(found):
        grouped.setdefault(subject, []).append(value)
    return {subject: tuple(found) for subject, found in grouped.items()}


NO_COUNTRY = ((None, None),)


def participations(store) -> list[Row]:
    """The rows of analysis-participations: project, org, name, country, euMember, role; in the
    query's order (project, then organisation)."""
    participants, roles = values(store, REM + "participant"), values(store, REM + "role")
    role_labels, names = values(store, SKOS_PREF_LABEL), values(store, RDFS_LABEL)
    iso, eu_member = values(store, REM + "isoCode"), values(store, REM + "euMemberState")
    countries = {org: tuple((code, eu) for country in found for code in iso.get(country, ()) for eu in eu_member.get(country, ()))
                 for org, found in values(store, REM + "country").items()}
    found = []
    for project, participation in set(pairs(store, REM + "hasParticipation")):
        for org in participants.get(participation, ()):
            for role in roles.get(participation, ()):
                for label in role_labels.get(role, ()):
                    for name in names.get(org, ()):
                        for country, eu in countries.get(org) or NO_COUNTRY:
                            found.append((project, org, name, country, eu, label))
    found.sort(key=itemgetter(0, 1))  # the query's order: project, then organisation
    return [dict(zip(PARTICIPATION_COLUMNS, row)) for row in found]


PARTICIPATION_COLUMNS = ("project", "org", "name", "country", "euMember", "role")


def projects(store) -> list[Row]:
    """The rows of analysis-projects: its own text without the ORDER BY (sorting 50,000 IRIs costs
    Oxigraph more than the query; every fact hangs off the project, so its joins are cheap), sorted here."""
    from kg.query import load_named

    query = load_named("analysis-projects")
    text = query.text[:query.text.rindex("ORDER BY")]
    columns = ("project", "acronym", "start", "end", "trlStart", "trlTarget", "euContribution")
    rows = [dict(zip(columns, map(term_value, cells))) for cells in tsv_rows(store, text)]
    return sorted(rows, key=lambda row: row["project"])
