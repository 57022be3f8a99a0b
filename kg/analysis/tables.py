"""The two large analysis tables read straight from the embedded store, for CORDIS-sized graphs.

`analysis-participations` and `analysis-projects` list every participation and every project: at
full CORDIS scale 300,000 and 50,000 rows. Through run_local, the participations take Oxigraph
tens of seconds (it joins participation by participation through its indexes, then sorts 300,000
IRIs) and Python as long again to turn each term into an object. Here each table is one query
whose joins are between sub-SELECTs of a single pattern each: Oxigraph then scans each pattern
once and joins them by hash on its internal ids, without decoding the participation IRIs or
looking anything up per row. The result comes serialised as TSV and is read with a regular
expression. The participating organisations' names and the countries are read by their own
queries and joined in dictionaries (decoding a name once per organisation, not once per
participation). read_large
gives the rows of both named queries (same columns, same values, order aside);
tests/test_analysis.py compares them on the shipped data and the planted fixture. Over an
endpoint, the analysis runs the named queries themselves.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from kg.query import QueryError, term_value, tsv_text

REM = "https://w3id.org/remkg/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
_SUBJECT_AND_CELL = re.compile(r"^<([^>\t\n]*)>\t([^\t\n]*)$", flags=re.MULTILINE)
SCANNED = (SKOS_PREF_LABEL, RDFS_LABEL, "isoCode", "euMemberState", "country")
PARTICIPATION_COLUMNS = ("project", "org", "name", "country", "euMember", "role")
PROJECT_COLUMNS = ("project", "acronym", "start", "end", "trlStart", "trlTarget", "euContribution")
PROJECT_FACTS = {"start": "startDate", "end": "endDate", "trlStart": "trlStart", "trlTarget": "trlTarget",
                 "euContribution": "euContribution"}  # the optional columns of analysis-projects and their properties


def read_large(output_dir: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """analysis-participations and analysis-projects, read from the store in output_dir: for each,
    its columns and its rows as tuples of their values.

    The participations query (3.6 of the 6.7 s the store takes at CORDIS scale) runs here, and its
    rows are sorted, while a second process runs the other queries and writes their TSV to files:
    pyoxigraph holds the GIL while it evaluates, so a thread would not run beside this one."""
    from kg.store import open_store, store_path

    store = open_store(output_dir)
    with tempfile.TemporaryDirectory(prefix="remkg-tables-") as scratch:
        child = subprocess.Popen([sys.executable, "-m", "kg.analysis.tables", str(store_path(output_dir)), scratch],
                                 stderr=subprocess.PIPE)
        try:
            keys = participation_keys(tsv_text(store, PARTICIPATIONS_QUERY))
        finally:
            _, error = child.communicate()
        if child.returncode != 0:
            raise QueryError(f"reading the analysis tables from {store_path(output_dir)} failed: "
                             f"{error.decode('utf-8', errors='replace').strip()[-500:]}")
        texts = [(Path(scratch) / f"{number}.tsv").read_text(encoding="utf-8") for number in range(len(OTHER_QUERIES))]
    return {"analysis-participations": (list(PARTICIPATION_COLUMNS), participations(keys, dict(zip(SCANNED, texts)))),
            "analysis-projects": (list(PROJECT_COLUMNS), projects(texts[-1]))}


def _write_other_results(store_dir: str, folder: str) -> None:
    """The second process of read_large: each of OTHER_QUERIES' results as TSV, into folder/N.tsv."""
    import pyoxigraph as ox

    store = ox.Store.read_only(store_dir)
    for number, query in enumerate(OTHER_QUERIES):
        solutions = store.query(query, use_default_graph_as_union=True)
        solutions.serialize(output=str(Path(folder) / f"{number}.tsv"), format=ox.QueryResultsFormat.TSV)


def _iri(predicate: str) -> str:
    return predicate if "://" in predicate else REM + predicate


def _pattern(subject: str, predicate: str, value: str) -> str:
    """A one-pattern sub-SELECT: its own scan, joined by hash with the query's other ones."""
    return f"{{ SELECT ?{subject} ?{value} WHERE {{ ?{subject} <{_iri(predicate)}> ?{value} }} }}"


def _scan(predicate: str) -> str:
    """Subject and object of every triple with the predicate; for labels, of participating
    organisations only (half of all labels at CORDIS scale: the others are projects' and sources')."""
    if predicate != RDFS_LABEL:
        return f"SELECT ?s ?o WHERE {{ ?s <{_iri(predicate)}> ?o }}"
    return f"SELECT ?s ?o WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ ?participation <{REM}participant> ?s }} }} {_pattern('s', predicate, 'o')} }}"


PARTICIPATIONS_QUERY = ("SELECT ?project ?org ?role WHERE { " + _pattern("project", "hasParticipation", "participation")
                        + _pattern("participation", "participant", "org") + _pattern("participation", "role", "role") + " }")
PROJECTS_QUERY = (f"SELECT {' '.join('?' + c for c in PROJECT_COLUMNS)} WHERE {{ "
                  f"{{ SELECT ?project WHERE {{ ?project a <{REM}Project> }} }} " + _pattern("project", "acronym", "acronym")
                  + "".join(f" OPTIONAL {_pattern('project', p, column)}" for column, p in PROJECT_FACTS.items()) + " }")
OTHER_QUERIES = (*(_scan(predicate) for predicate in SCANNED), PROJECTS_QUERY)  # the scans in SCANNED order, then the projects


@lru_cache(maxsize=None)
def _iri_columns(count: int) -> re.Pattern:
    return re.compile("^" + "\t".join(["<([^>\t\n]*)>"] * count) + "$", flags=re.MULTILINE)  # a cell never spans a tab or line


def tsv_rows(text: str, columns: int) -> list[tuple]:
    """The term values of each row of a TSV result. When every cell is an IRI, one regular
    expression reads them all (the common case)."""
    found = _iri_columns(columns).findall(text)
    if len(found) == text.count("\n") - 1:
        return found
    return [tuple(map(term_value, line.split("\t"))) for line in text.split("\n")[1:] if line]


def pairs(text: str) -> list[tuple[str, str | None]]:
    """(subject IRI, object value) of each row of a two-column TSV result."""
    found = _SUBJECT_AND_CELL.findall(text)
    if len(found) != text.count("\n") - 1:  # a subject that is not an IRI
        return tsv_rows(text, 2)
    return [(subject, _value(cell)) for subject, cell in found]


def _value(cell: str) -> str | None:
    """term_value, without its work for an IRI or a plain string without escapes (nearly every cell)."""
    if (cell[:1] == "<" and cell[-1:] == ">") or (cell[:1] == '"' and cell[-1:] == '"' and "\\" not in cell):
        return cell[1:-1]
    return term_value(cell)


def values(text: str) -> dict[str, tuple[str, ...]]:
    """Each subject's distinct values in a two-column scan (a triple may be in several named graphs)."""
    found = pairs(text)
    single = dict(found)
    if len(single) == len(found):  # one value per subject, no triple twice: the common case
        return {subject: (value,) for subject, value in single.items()}
    grouped: dict[str, list[str]] = {}
    for subject, value in sorted(set(found)):
        grouped.setdefault(subject, []).append(value)
    return {subject: tuple(found) for subject, found in grouped.items()}


NO_COUNTRY = ((None, None),)


def participation_keys(text: str) -> list[tuple]:
    """(project, organisation, role concept) of each participation, from the TSV result of
    PARTICIPATIONS_QUERY, in the named query's order: project, then organisation (then role, so
    that ties come out the same every time). One string per row sorts in half the time of a tuple;
    a space sorts before any IRI character."""
    return sorted(set(tsv_rows(text, 3)), key=lambda row: " ".join(row))


def participations(keys: list[tuple], scans: dict[str, str]) -> list[tuple]:
    """The rows of analysis-participations (project, org, name, country, euMember, role) from
    participation_keys() and the scans of the SCANNED predicates."""
    role_labels, names = values(scans[SKOS_PREF_LABEL]), values(scans[RDFS_LABEL])
    iso, eu_member = values(scans["isoCode"]), values(scans["euMemberState"])
    countries = {org: tuple((code, eu) for country in found for code in iso.get(country, ()) for eu in eu_member.get(country, ()))
                 for org, found in values(scans["country"]).items()}
    # Per organisation once, so each of the 300,000 rows costs two look-ups.
    about_org = {org: tuple((name, country, eu) for name in found for country, eu in countries.get(org) or NO_COUNTRY)
                 for org, found in names.items()}
    return [(project, org, name, country, eu, label)
            for project, org, role in keys
            for label in role_labels.get(role, ())
            for name, country, eu in about_org.get(org, ())]


def projects(text: str) -> list[tuple]:
    """The rows of analysis-projects (PROJECT_COLUMNS) from the TSV result of PROJECTS_QUERY, by project."""
    return sorted((tuple(map(term_value, line.split("\t"))) for line in text.split("\n")[1:] if line), key=itemgetter(0))


if __name__ == "__main__":
    _write_other_results(*sys.argv[1:3])
