"""SHACL shapes: a small valid fixture passes; each broken variant fails with its message."""

from __future__ import annotations

import pytest

from kg.validate import validate

PREFIXES = """
PREFIX rem: <https://w3id.org/remkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX p: <https://w3id.org/remkg/id/project/>
PREFIX o: <https://w3id.org/remkg/id/org/>
PREFIX pa: <https://w3id.org/remkg/id/participation/>
PREFIX s: <https://w3id.org/remkg/id/source/>
"""

BROKEN = {
    "end before start": (
        "DELETE { p:demo rem:endDate ?e } INSERT { p:demo rem:endDate '2020-06-30'^^xsd:date } WHERE { p:demo rem:endDate ?e }",
        "end date must not be before its start date"),
    "no stage": ("DELETE WHERE { p:demo rem:coversStage ?s }", "at least one value-chain stage"),
    "two acronyms": ("INSERT DATA { p:demo rem:acronym 'DEMO2' }", "exactly one acronym"),
    "two titles": ("INSERT DATA { p:demo rem:title 'Another title' }", "at most one title"),
    "date as plain string": (
        "DELETE { p:demo rem:startDate ?d } INSERT { p:demo rem:startDate '2021-01-01' } WHERE { p:demo rem:startDate ?d }",
        "at most one start date, an xsd:date"),
    "participation without organisation": ("DELETE WHERE { pa:demo-firm-b rem:participant ?o }", "exactly one organisation"),
    "participation in two projects": (
        "INSERT DATA { <https://w3id.org/remkg/id/project/other> rem:hasParticipation pa:demo-firm-b }",
        "exactly one project"),
    "participation with unknown role": (
        "DELETE { pa:demo-firm-b rem:role ?r } INSERT { pa:demo-firm-b rem:role rem:roleBoss } WHERE { pa:demo-firm-b rem:role ?r }",
        "exactly one role"),
    "organisation without country": ("DELETE WHERE { o:firm-b rem:country ?c }", "exactly one country"),
    "bad project IRI": (
        "DELETE { p:demo a rem:Project } INSERT { <https://w3id.org/remkg/id/project/Bad_Slug> a rem:Project } WHERE { p:demo a rem:Project }",
        "IRI must have the form https://w3id.org/remkg/id/project/"),
    "TRL out of range": ("DELETE WHERE { p:demo rem:trlTarget ?t } ; INSERT DATA { p:demo rem:trlTarget 12 }", "Target TRL is one integer from 1 to 9"),
    "unsourced organisation": ("DELETE WHERE { o:uni-a rem:sourcedFrom ?s }", "organisation needs at least one source"),
    "source with malformed URL": (
        "DELETE WHERE { s:demo-page rem:url ?u } ; INSERT DATA { s:demo-page rem:url 'htp:/broken'^^xsd:anyURI }",
        "well-formed http(s) URL"),
    "capability that is a material": (
        "INSERT DATA { p:demo rem:usesCapability <https://w3id.org/remkg/id/material/neodymium> }",
        "must point to a rem:Capability"),
    "negative EU contribution": (
        "DELETE WHERE { pa:demo-uni-a rem:euContribution ?c } ; INSERT DATA { pa:demo-uni-a rem:euContribution '-5'^^xsd:decimal }",
        "non-negative xsd:decimal"),
}


def test_valid_fixture_conforms(valid_small, ontology):
    assert validate(valid_small, ontology) == []


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_fixture_is_rejected_with_its_message(case, valid_small, ontology):
    update, expected = BROKEN[case]
    valid_small.update(PREFIXES + update)
    violations = validate(valid_small, ontology)
    messages = [v.message for v in violations]
    assert any(expected in m for m in messages), messages
