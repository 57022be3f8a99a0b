"""Finding mentions of known entities in text: a gazetteer built from the graph's names, matched
with an Aho–Corasick automaton (pyahocorasick) in one pass, respecting word boundaries.

What it knows: projects, organisations, clusters and programmes by acronym, name and
`skos:altLabel`; countries by name; stages, capabilities, materials and challenges by their SKOS
labels (with the singular or plural of the last word). Matching rules, chosen for precision:
- a one-word form of a named entity (an acronym such as SCALE, or a name such as Tecnalia) matches
  only as written or with at least two capitals ("REMHUB", "RemHub"), so the words "scale" or
  "Scale-up" never link to the SCALE project; names of several words and concept labels match in
  any case;
- hyphen variants: "Re-Mag" finds ReMag and "NEWRE" finds NEW-RE; an organisation's name is also
  found without its legal form ("Kolektor Magnet Technology" for "… Technology GmbH");
- a match must not touch a letter or digit on either side, nor sit inside a URL, an e-mail
  address or a dotted name ("www.susmagpro.eu"); a possessive ("REMHub's") is fine;
- overlapping matches: the longest wins; one form naming several entities links to all of them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import ahocorasick
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.quality import LEGAL_FORMS
from kg.vocab import REM

NAMED_KINDS = {REM.Project: "project", REM.Cluster: "cluster", REM.FundingProgramme: "programme", REM.Country: "country"}
CONCEPT_KINDS = {REM.Stage: "stage", REM.Theme: "stage", REM.Capability: "capability", REM.Material: "material", REM.Challenge: "challenge"}
_URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_JOINERS = "._/@"  # next to a letter or digit, these make a longer token (file, domain, path, address)


@dataclass(frozen=True)
class Entry:
    iri: str
    kind: str  # project, org, cluster, programme, country, stage, capability, material, challenge
    label: str  # how the entity is shown
    form: str  # the name in the graph this entry matches
    strict_case: bool


@dataclass(frozen=True, order=True)
class Mention:
    start: int
    end: int
    iri: str
    kind: str
    surface: str
    label: str


def _lower(text: str) -> str:
    """Lower case, character by character, so offsets in the lowered text are offsets in the text."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _hyphen_variants(form: str) -> set[str]:
    """'ReMag' -> 'Re-Mag', 'REMHub' -> 'REM-Hub', 'NEW-RE' -> 'NEWRE'."""
    variants = {form}
    if "-" in form:
        variants.add(form.replace("-", ""))
    cuts = [i for i in range(1, len(form)) if form[i].isupper() and (form[i - 1].islower() or
                                                                        (form[i - 1].isupper() and i + 1 < len(form) and form[i + 1].islower()))]
    if cuts:
        variants.add("".join(("-" if i in cuts else "") + c for i, c in enumerate(form)))
    return variants


def _number_variants(label: str) -> set[str]:
    """A concept label and the other number of its last word: 'Permanent magnets' / 'Permanent magnet'."""
    if label.endswith("ss") or not label[-1:].isalpha():
        return {label}
    return {label, label[:-1]} if label.endswith("s") else {label, label + "s"}


class Gazetteer:
    def __init__(self, entries: list[Entry]):
        self.entries = sorted(set(entries), key=lambda e: (e.form, e.iri))
        self._by_key: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            self._by_key[_lower(entry.form)].append(entry)
        self._automaton = ahocorasick.Automaton()
        for key, found in self._by_key.items():
            self._automaton.add_word(key, (key, tuple(found)))
        if self._by_key:
            self._automaton.make_automaton()

    @classmethod
    def from_graph(cls, graph: Graph) -> "Gazetteer":
        """Every name the graph gives its entities (ontology and curated data, or a built store)."""
        entries = []
        kinds = {**NAMED_KINDS, **CONCEPT_KINDS}
        for subject, cls_iri in graph.subject_objects(RDF.type):
            kind = kinds.get(cls_iri) or ("org" if entity_kind(subject) == "org" else None)
            if kind is None:
                continue
            entries += _entity_entries(graph, subject, kind)
        return cls(entries)

    def find(self, text: str) -> list[Mention]:
        """Every mention in `text`, in order; overlapping candidates resolved longest first."""
        if not self._by_key:
            return []
        lowered, blocked = _lower(text), _blocked(text)
        candidates = []
        for end_index, (key, found) in self._automaton.iter(lowered):
            start, end = end_index - len(key) + 1, end_index + 1
            surface = text[start:end]
            if blocked[start] or not _bounded(text, start, end):
                continue
            matching = [e for e in found if _case_ok(e, surface)]
            if matching:
                candidates.append((start, end, matching))
        chosen, taken_until = [], -1
        for start, end, matching in sorted(candidates, key=lambda c: (c[0], -(c[1] - c[0]))):
            if start < taken_until:
                continue
            taken_until = end
            for iri in sorted({e.iri for e in matching}):
                entry = next(e for e in matching if e.iri == iri)
                chosen.append(Mention(start, end, iri, entry.kind, text[start:end], entry.label))
        return chosen


def _entity_entries(graph: Graph, subject, kind: str) -> list[Entry]:
    label = str(graph.value(subject, REM.acronym) or graph.value(subject, SKOS.prefLabel) or graph.value(subject, RDFS.label) or subject)
    if kind in CONCEPT_KINDS.values():
        names = [str(o) for p in (SKOS.prefLabel, SKOS.altLabel) for o in graph.objects(subject, p)]
        forms = {v for name in names for v in (_number_variants(name) if not _acronym_like(name) else _hyphen_variants(name))}
        forms = {f for f in forms if " " in f or len(f) > 3 or _acronym_like(f)}  # one-word labels such as "Use" are everyday words
    else:
        names = [str(o) for p in (RDFS.label, SKOS.altLabel, REM.acronym) for o in graph.objects(subject, p)]
        names += [short for name in names if kind == "org" and (short := _without_legal_form(name)) != name]
        forms = {v for name in names for v in (_hyphen_variants(name) if " " not in name.strip() else {name})}
    return [Entry(str(subject), kind, label, form, strict_case=" " not in form.strip() and (kind not in CONCEPT_KINDS.values() or _acronym_like(form)))
            for form in forms if form.strip()]


def _without_legal_form(name: str) -> str:
    """'Kolektor Magnet Technology GmbH' -> 'Kolektor Magnet Technology': news rarely write the legal form."""
    words = name.split()
    while len(words) > 1 and re.sub(r"[^a-z]", "", words[-1].lower()) in LEGAL_FORMS | {""}:
        words.pop()
    return " ".join(words)


def _acronym_like(form: str) -> bool:
    return " " not in form and sum(c.isupper() for c in form) >= 2


def _case_ok(entry: Entry, surface: str) -> bool:
    if not entry.strict_case or surface == entry.form:
        return True
    return sum(c.isupper() for c in surface) >= 2


def _bounded(text: str, start: int, end: int) -> bool:
    """No letter or digit right before or after; no '.', '_', '/' or '@' gluing it to one."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before.isalnum() or after.isalnum():
        return False
    if before in _JOINERS and start > 1 and text[start - 2].isalnum():
        return False
    return not (after in _JOINERS and end + 1 < len(text) and text[end + 1].isalnum())


def _blocked(text: str) -> list[bool]:
    """Per character: inside a URL or an e-mail address."""
    blocked = [False] * (len(text) + 1)
    for match in _URL.finditer(text):
        for i in range(match.start(), match.end()):
            blocked[i] = True
    return blocked


def entity_kind(iri: URIRef | str) -> str:
    """The kind segment of a remkg IRI: id/project/x -> project."""
    return str(iri).split("/id/", 1)[-1].split("/", 1)[0]
