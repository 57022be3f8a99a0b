"""Names in an article that look like a project acronym or an organisation but that the gazetteer
does not know: candidates for a curator, never entities in the graph.

- acronym-like: one token with at least two capitals and three characters ("SIGN", "ReMaT",
  "CRMA"), other than common abbreviations of the field (EU, REE, CEO…);
- organisation-like: a run of capitalised words holding a word such as University, Institute,
  Politecnico, GmbH or Association ("Politecnico di Milano", "Mercedes-Benz Museum" is not one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.gazetteer import Mention

# Capitalised abbreviations that are not organisations or projects.
COMMON_ABBREVIATIONS = {
    "EU", "EUR", "REE", "REEs", "CEO", "CTO", "CFO", "PhD", "USA", "UK", "CO2", "TRL", "TRLs", "SME", "SMEs", "R&D", "NdFeB",
    "CRM", "CRMs", "ICT", "AI", "KPI", "KPIs", "MSc", "EV", "EVs", "HTML", "URL", "PDF", "FAQ", "GDP", "UN", "OK",
}
ORGANISATION_WORDS = {
    "university", "universität", "universidad", "università", "universiteit", "université", "universitat", "politecnico",
    "polytechnic", "institute", "institut", "instituto", "istituto", "centre", "center", "centro", "laboratory", "laboratories",
    "agency", "association", "alliance", "foundation", "fundación", "council", "commission", "ministry", "gmbh", "ag", "ltd",
    "limited", "s.a.", "spa", "s.p.a.", "b.v.", "oy", "ab", "inc.", "corporation", "company", "hochschule", "fraunhofer",
    "academy", "school", "consortium", "network", "platform", "hub", "society", "federation", "organisation", "organization",
}
_ACRONYM = re.compile(r"(?<![\w.@/-])[A-Za-z][A-Za-z0-9&]*(?:-[A-Za-z0-9]+)*(?![\w@/]|\.\w)")
_CONNECTORS = r"(?:of|di|de|del|della|der|des|für|for|and|&|la|le|du)"
_CAPITALISED = r"[A-ZÀ-Þ][\w’'.&-]*"
_NAME_RUN = re.compile(_CAPITALISED + r"(?:\s+(?:" + _CONNECTORS + r"\s+)*" + _CAPITALISED + r")*")


@dataclass(frozen=True, order=True)
class Candidate:
    surface: str
    kind: str  # acronym or organisation
    start: int
    end: int


def unknown_names(text: str, known: list[Mention]) -> list[Candidate]:
    """Acronym-like and organisation-like names in `text` that no known mention overlaps."""
    def unknown(start: int, end: int) -> bool:
        return not any(m.start < end and start < m.end for m in known)

    found = []
    for match in _NAME_RUN.finditer(text):
        words = match.group().split()
        while words and words[-1].lower() in {"of", "di", "de", "and", "&", "for"}:
            words.pop()
        if len(words) >= 2 and any(w.lower().strip(",") in ORGANISATION_WORDS for w in words):
            name = " ".join(words)
            while name.split()[0].lower() in {"the", "a", "an", "at", "by", "on", "in", "from"}:
                name = name.split(" ", 1)[1]
            start = match.start() + match.group().index(name)
            if unknown(start, start + len(name)):
                found.append(Candidate(name, "organisation", start, start + len(name)))
    for match in _ACRONYM.finditer(text):
        token = match.group()
        if len(token) < 3 or token in COMMON_ABBREVIATIONS or not any(sum(c.isupper() for c in part) >= 2 for part in token.split("-")):
            continue  # 'Mercedes-Benz' is two capitalised words, not an acronym
        if unknown(match.start(), match.end()) and not any(c.start <= match.start() < c.end for c in found):
            found.append(Candidate(token, "acronym", match.start(), match.end()))
    return sorted(found, key=lambda c: c.start)
