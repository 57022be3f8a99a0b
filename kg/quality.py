"""The data-quality report for curators: missing project fields, organisations without country or
type, and pairs of organisation records that may be the same organisation."""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from kg.query import run_named
from kg.store import DEFAULT_OUTPUT

EXPECTED_PROJECT_FIELDS = {
    "title": "title", "programme": "programme", "fundingScheme": "funding scheme", "cordisId": "CORDIS grant id",
    "start": "start date", "end": "end date", "totalCost": "total cost", "euContribution": "EU contribution",
    "website": "website", "coordinator": "coordinator",
}
EXPECTED_PROJECT_COUNTS = {"participations": "participants", "stages": "stages", "capabilities": "capabilities",
                           "materials": "materials", "sectors": "sectors", "sourceUrls": "source URL"}
# Words that say what legal form an organisation has, not which organisation it is.
LEGAL_FORMS = {"gmbh", "co", "kg", "ag", "ltd", "limited", "plc", "sa", "sas", "sl", "slu", "srl", "spa", "as", "asa",
               "ab", "oy", "bv", "nv", "inc", "llc", "doo", "d", "o", "ev", "the", "and"}
SIMILARITY = 0.92


@dataclass(frozen=True)
class PossibleDuplicate:
    a: str
    b: str
    country: str
    reason: str


def normalised(name: str) -> str:
    """Lower-case ASCII words without punctuation and legal forms: 'Firm B GmbH & Co. KG' -> 'firm b'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    words = [w for w in re.split(r"[^a-z0-9]+", ascii_name) if w and w not in LEGAL_FORMS]
    return " ".join(words)


def duplicate_reason(a: dict, b: dict) -> str | None:
    """Why two organisation rows (same country) look like one organisation, or None."""
    names_a = {normalised(n) for n in [a["name"], *filter(None, (a.get("altNames") or "").split("|"))]} - {""}
    names_b = {normalised(n) for n in [b["name"], *filter(None, (b.get("altNames") or "").split("|"))]} - {""}
    shared = names_a & names_b
    if shared:
        return f"same name once legal forms are ignored ({sorted(shared)[0]!r})"
    if a.get("acronym") and a.get("acronym") == b.get("acronym"):
        return f"same acronym {a['acronym']!r}"
    if a.get("pic") and a.get("pic") == b.get("pic"):
        return f"same PIC {a['pic']}"
    for x, y in itertools.product(names_a, names_b):
        if SequenceMatcher(None, x, y).ratio() >= SIMILARITY:
            return f"names {x!r} and {y!r} are nearly identical"
        if len(x.split()) >= 2 and len(y.split()) >= 2 and (set(x.split()) <= set(y.split()) or set(y.split()) <= set(x.split())):
            return f"the words of {x!r} and {y!r} are contained in one another"
    return None


def possible_duplicates(organisations: list[dict]) -> list[PossibleDuplicate]:
    found = []
    for a, b in itertools.combinations(sorted(organisations, key=lambda o: o["org"]), 2):
        if a.get("country") != b.get("country"):
            continue
        reason = duplicate_reason(a, b)
        if reason:
            found.append(PossibleDuplicate(a["name"], b["name"], a.get("country") or "?", reason))
    return found


def missing_project_fields(projects: list[dict]) -> list[tuple[str, list[str]]]:
    rows = []
    for project in projects:
        missing = [label for field, label in EXPECTED_PROJECT_FIELDS.items() if not project.get(field)]
        missing += [label for field, label in EXPECTED_PROJECT_COUNTS.items() if int(project.get(field) or 0) == 0]
        rows.append((project["acronym"], missing))
    return rows


@dataclass
class QualityReport:
    projects: list[tuple[str, list[str]]]
    organisations_incomplete: list[tuple[str, list[str]]]
    duplicates: list[PossibleDuplicate]
    duplicate_pics: list[tuple[str, list[str]]]
    disagreements: list[dict] = field(default_factory=list)  # rows of the quality-disagreements query


def quality_report(output_dir: Path = DEFAULT_OUTPUT) -> QualityReport:
    projects = run_named("quality-projects", output_dir=output_dir).rows
    organisations = run_named("quality-organisations", output_dir=output_dir).rows
    incomplete = [(o["name"], [field for field in ("country", "type") if not o.get(field)]) for o in organisations]
    by_pic: dict[str, list[str]] = {}
    for o in organisations:
        if o.get("pic"):
            by_pic.setdefault(o["pic"], []).append(o["name"])
    return QualityReport(
        projects=missing_project_fields(projects),
        organisations_incomplete=[(name, fields) for name, fields in incomplete if fields],
        duplicates=possible_duplicates(organisations),
        duplicate_pics=sorted((pic, names) for pic, names in by_pic.items() if len(names) > 1),
        disagreements=run_named("quality-disagreements", output_dir=output_dir).rows,
    )
