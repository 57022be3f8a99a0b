"""Machine suggestions: which value-chain stages, capabilities and materials a project's title and
objective name, found by the vocabulary's own labels (skos:prefLabel, skos:altLabel).

They are suggestions, never curated facts: they go to their own named graph as
rem:suggestedStage / rem:suggestedCapability / rem:suggestedMaterial, each with a
rem:MachineSuggestion node holding the matched words as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from kg.vocab import ID_BASE, REM, mint, slugify
from loaders.nquads import QuadWriter
from loaders.prefilter import Prefilter

SUGGESTION_PREDICATES = {
    REM.Stage: REM.suggestedStage, REM.Theme: REM.suggestedStage,
    REM.Capability: REM.suggestedCapability, REM.Material: REM.suggestedMaterial,
}
MIN_LABEL_LENGTH = 4  # shorter labels ('Use') match too much running text


@dataclass(frozen=True)
class Suggestion:
    concept: URIRef
    predicate: URIRef
    evidence: str  # the matched words and where


class Suggester:
    """Matches the labels of stages, capabilities and materials in a project's texts: one regular
    expression per concept says what matches, run only for the concepts the prefilter finds."""

    def __init__(self, ontology: Graph):
        self.patterns: list[tuple[URIRef, URIRef, re.Pattern]] = []
        labels_of: list[tuple[str, int]] = []  # (label, index of its concept's pattern)
        for cls, predicate in SUGGESTION_PREDICATES.items():
            for concept in sorted(ontology.subjects(RDF.type, cls)):
                labels = {str(label) for p in (SKOS.prefLabel, SKOS.altLabel) for label in ontology.objects(concept, p)}
                labels = sorted((label for label in labels if len(label) >= MIN_LABEL_LENGTH), key=len, reverse=True)
                if labels:
                    labels_of += [(label, len(self.patterns)) for label in labels]
                    words = "|".join(re.escape(label).replace(r"\ ", r"[\s-]+") for label in labels)
                    self.patterns.append((concept, predicate, re.compile(rf"(?<!\w)({words})(?:e?s)?(?!\w)", re.IGNORECASE)))
        self.prefilter = Prefilter(labels_of)

    def suggest(self, texts: dict[str, str]) -> list[Suggestion]:
        found = []
        for concept, predicate, pattern in (self.patterns[index] for index in sorted(self.prefilter.found(*texts.values()))):
            evidence = []
            for where, text in texts.items():
                words = sorted({match.group(0) for match in pattern.finditer(text or "")})
                evidence += [f"{word!r} in {where}" for word in words]
            if evidence:
                found.append(Suggestion(concept, predicate, "; ".join(evidence)))
        return found


def write_suggestions(out: QuadWriter, subject: URIRef, suggestions: list[Suggestion]) -> int:
    """The shortcut triple per suggestion, and a node with the evidence; returns how many suggestions."""
    for suggestion in suggestions:
        node = mint("suggestion", f"{subject.rsplit('/', 1)[-1]} {slugify(str(suggestion.concept).removeprefix(ID_BASE))}")
        for fact in ((subject, suggestion.predicate, suggestion.concept), (node, RDF.type, REM.MachineSuggestion),
                     (node, REM.about, subject), (node, REM.suggests, suggestion.concept),
                     (node, REM.evidence, f"matched {suggestion.evidence}")):
            out.add(*fact)
    return len(suggestions)
