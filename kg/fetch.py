"""`remkg fetch cordis`: ask a EURIO SPARQL endpoint (CORDIS's by default) about grants and store
the answer as a snapshot in the data folder; the build then reads the snapshot, never the network.

EURIO terms used (http://data.europa.eu/s66#): a project is a eurio:Project with eurio:identifier
(the grant number, typed oddly on the CORDIS endpoint, e.g. "821114"^^rdfs:Literal, so it is matched
by string value), its acronym a eurio:Acronym node (eurio:hasAcronym / eurio:isAcronymOf,
eurio:shortForm), eurio:title, eurio:abstract, eurio:startDate, eurio:endDate, eurio:hasTotalCost →
eurio:MonetaryAmount eurio:value; eurio:isFundedBy → eurio:Grant with eurio:hasFundingAmount →
eurio:value (EU contribution), eurio:hasFundingSchemeProgramme / eurio:hasFundingSchemeType /
eurio:hasFundingSchemeTopic → eurio:FundingScheme eurio:code. Participation is a role node:
eurio:hasInvolvedParty → eurio:OrganisationRole (eurio:roleLabel, eurio:order, eurio:isRecipientOf →
eurio:GrantPayment eurio:hasPaymentAmount → eurio:value) eurio:isRoleOf → eurio:Organisation
(eurio:identifier = PIC, eurio:legalName, classes eurio:ForProfitOrganisation, eurio:HigherOrSecondaryEducation,
eurio:ResearchOrganisation, eurio:PublicBody, eurio:SME; eurio:hasSite → eurio:Site eurio:hasAddress →
eurio:PostalAddress eurio:addressCountry).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from kg.query import QueryError, run_remote

CORDIS_ENDPOINT = "https://cordis.europa.eu/datalab/sparql"
BATCH = 20  # grants per query: the CORDIS endpoint is slow on wide queries
PAGE = 1000  # rows per page; servers may cap result sizes silently
EURIO_TYPES = {"ForProfitOrganisation": "PRC", "HigherOrSecondaryEducation": "HES",
               "ResearchOrganisation": "REC", "PublicBody": "PUB"}
_GRANT = re.compile(r"^\d{5,9}$")

PROJECTS_QUERY = """PREFIX eurio: <http://data.europa.eu/s66#>
SELECT ?identifier ?acronym ?title ?abstract ?startDate ?endDate ?totalCost ?ecMax ?programme ?fundingScheme ?topic WHERE {
  ?project a eurio:Project ; eurio:identifier ?identifier .
  FILTER(STR(?identifier) IN (%GRANTS%))
  OPTIONAL { { ?project eurio:hasAcronym ?a } UNION { ?a eurio:isAcronymOf ?project } ?a eurio:shortForm ?acronym }
  OPTIONAL { ?project eurio:title ?title }
  OPTIONAL { ?project eurio:abstract ?abstract }
  OPTIONAL { ?project eurio:startDate ?startDate }
  OPTIONAL { ?project eurio:endDate ?endDate }
  OPTIONAL { ?project eurio:hasTotalCost/eurio:value ?totalCost }
  OPTIONAL { ?project eurio:isFundedBy ?grant .
    OPTIONAL { ?grant eurio:hasFundingAmount/eurio:value ?ecMax }
    OPTIONAL { ?grant eurio:hasFundingSchemeProgramme/eurio:code ?programme }
    OPTIONAL { ?grant eurio:hasFundingSchemeType/eurio:code ?fundingScheme }
    OPTIONAL { ?grant eurio:hasFundingSchemeTopic/eurio:code ?topic } }
}
ORDER BY ?identifier ?topic ?programme ?acronym
LIMIT %LIMIT% OFFSET %OFFSET%"""

PARTICIPANTS_QUERY = """PREFIX eurio: <http://data.europa.eu/s66#>
SELECT ?identifier ?roleLabel ?order ?pic ?legalName ?country ?type ?sme ?ecContribution WHERE {
  ?project a eurio:Project ; eurio:identifier ?identifier .
  FILTER(STR(?identifier) IN (%GRANTS%))
  ?project eurio:hasInvolvedParty ?role .
  ?role eurio:isRoleOf ?org .
  OPTIONAL { ?role eurio:roleLabel ?roleLabel }
  OPTIONAL { ?role eurio:order ?order }
  OPTIONAL { ?role eurio:isRecipientOf/eurio:hasPaymentAmount/eurio:value ?ecContribution }
  OPTIONAL { ?org eurio:identifier ?pic }
  OPTIONAL { ?org eurio:legalName ?legalName }
  OPTIONAL { ?org eurio:hasSite/eurio:hasAddress/eurio:addressCountry ?country }
  OPTIONAL { ?org a ?type . FILTER(?type IN (eurio:ForProfitOrganisation, eurio:HigherOrSecondaryEducation,
                                             eurio:ResearchOrganisation, eurio:PublicBody)) }
  OPTIONAL { ?org a eurio:SME . BIND(true AS ?sme) }
}
ORDER BY ?identifier ?order ?pic
LIMIT %LIMIT% OFFSET %OFFSET%"""


class FetchError(Exception):
    """The endpoint could not be asked (unreachable, timed out, refused); nothing was written."""


@dataclass
class Snapshot:
    path: Path
    projects: int
    participants: int
    missing: list[str]  # grants the endpoint does not know


def check_grants(grants: list[str]) -> list[str]:
    bad = [g for g in grants if not _GRANT.match(g)]
    if bad:
        raise FetchError(f"not a grant number (5 to 9 digits): {', '.join(bad)}")
    return sorted(set(grants), key=lambda g: (len(g), g))


def _query(template: str, grants: list[str], offset: int) -> str:
    listed = ", ".join(f'"{g}"' for g in grants)  # digits only (checked), so safe to write into the query
    return template.replace("%GRANTS%", listed).replace("%LIMIT%", str(PAGE)).replace("%OFFSET%", str(offset))


def _ask(text: str, endpoint: str, timeout: float, retries: int, progress: Callable[[str], None]) -> list[dict]:
    """One query, retried politely (1 s, 2 s, 4 s… apart) when the endpoint fails or times out."""
    for attempt in range(retries + 1):
        try:
            return run_remote(text, endpoint, timeout=timeout).rows
        except QueryError as error:
            if attempt == retries:
                raise FetchError(_explain(str(error), endpoint, timeout)) from None
            wait = 2 ** attempt
            progress(f"the endpoint failed ({error}); retrying in {wait} s")
            time.sleep(wait)
    raise AssertionError("unreachable")


def _explain(message: str, endpoint: str, timeout: float) -> str:
    if "timed out" in message:
        return f"the endpoint {endpoint} did not answer within {timeout:g} s (--timeout): {message}"
    if "did not answer" in message:
        return f"the endpoint {endpoint} is unreachable: {message}"
    return message


def _paged(template: str, grants: list[str], endpoint: str, timeout: float, retries: int, progress) -> list[dict]:
    rows, offset = [], 0
    while True:
        page = _ask(_query(template, grants, offset), endpoint, timeout, retries, progress)
        rows += page
        if len(page) < PAGE:
            return rows
        offset += PAGE


def framework_programme(code: str | None) -> str:
    """'H2020-EU.2.1.3' -> 'H2020', 'HORIZON.2.4' -> 'HORIZON': the framework programme a legal basis belongs to."""
    return re.split(r"[-.]", code or "", maxsplit=1)[0].upper()


def _projects(rows: list[dict]) -> list[dict]:
    projects: dict[str, dict] = {}
    for row in rows:
        grant = row["identifier"]
        project = projects.setdefault(grant, {"id": grant, "acronym": row.get("acronym") or "", "title": row.get("title") or "",
                                              "objective": row.get("abstract") or "", "startDate": row.get("startDate") or "",
                                              "endDate": row.get("endDate") or "", "totalCost": row.get("totalCost") or "",
                                              "ecMaxContribution": row.get("ecMax") or "",
                                              "frameworkProgramme": framework_programme(row.get("programme")),
                                              "fundingScheme": row.get("fundingScheme") or "", "topics": []})
        if row.get("topic") and row["topic"] not in project["topics"]:
            project["topics"].append(row["topic"])
    return [{**p, "topics": ";".join(p["topics"])} for p in projects.values()]


def _participants(rows: list[dict]) -> list[dict]:
    found: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row["identifier"], row.get("pic") or "")
        kind = (row.get("type") or "").rsplit("#", 1)[-1]
        current = found.setdefault(key, {"projectID": row["identifier"], "organisationID": row.get("pic") or "",
                                         "name": row.get("legalName") or "", "role": row.get("roleLabel") or "",
                                         "order": row.get("order") or "", "country": row.get("country") or "",
                                         "activityType": EURIO_TYPES.get(kind, ""), "SME": "true" if row.get("sme") else "",  # no eurio:SME type: unknown, not "no"
                                         "ecContribution": row.get("ecContribution") or ""})
        if not current["activityType"] and kind in EURIO_TYPES:
            current["activityType"] = EURIO_TYPES[kind]
    return list(found.values())


def fetch_cordis(data_dir: Path, grants: list[str], endpoint: str = CORDIS_ENDPOINT, timeout: float = 60.0,
                 retries: int = 2, progress: Callable[[str], None] = lambda message: None,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)) -> Snapshot:
    """Query the endpoint in batches and write DATA/cordis/snapshot-<time>.yaml; FetchError leaves the folder as it was."""
    grants = check_grants(grants)
    if not grants:
        raise FetchError("no grants to fetch: give --grant ID or --curated (curated projects with a cordis_id)")
    retrieved = now().replace(microsecond=0)
    project_rows, participant_rows = [], []
    for start in range(0, len(grants), BATCH):
        batch = grants[start:start + BATCH]
        progress(f"asking {endpoint} about grants {start + 1}–{start + len(batch)} of {len(grants)}")
        project_rows += _paged(PROJECTS_QUERY, batch, endpoint, timeout, retries, progress)
        participant_rows += _paged(PARTICIPANTS_QUERY, batch, endpoint, timeout, retries, progress)
    projects, participants = _projects(project_rows), _participants(participant_rows)
    snapshot = {
        "endpoint": endpoint, "retrieved": retrieved.isoformat().replace("+00:00", "Z"), "grants": grants,
        "queries": {"projects": PROJECTS_QUERY, "participants": PARTICIPANTS_QUERY},
        "projects": projects, "organizations": participants,
    }
    target = Path(data_dir) / "cordis" / f"snapshot-{retrieved.strftime('%Y%m%dT%H%M%SZ')}.yaml"
    _write_new(target, "# remkg CORDIS endpoint snapshot, written by `remkg fetch cordis`; the build reads it.\n"
               + yaml.safe_dump(snapshot, sort_keys=False, allow_unicode=True, width=120))
    known = {p["id"] for p in projects}
    return Snapshot(target, len(projects), len(participants), [g for g in grants if g not in known])


def _write_new(target: Path, text: str) -> None:
    """Write a new file atomically (temporary file + rename); never replace a file that exists."""
    if target.exists():
        raise FetchError(f"{target} exists already; not replacing it")
    created_folder = not target.parent.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.rename(target)
    finally:
        temporary.unlink(missing_ok=True)
        if created_folder and not target.exists():
            target.parent.rmdir()
