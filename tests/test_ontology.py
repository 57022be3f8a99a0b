"""The ontology and its vocabularies: parse, consistency, labels, stage chain, alignment IRIs."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.reason import reason, reasoner_input
from kg.vocab import REM, mint

from .conftest import FIXTURES

STAGE = "https://w3id.org/remkg/id/stage/"


def own_terms(graph: Graph, kind) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, kind) if str(s).startswith(str(REM)))


def test_ontology_declares_core_classes(ontology):
    for name in ["Project", "Organisation", "Participation", "Cluster", "FundingProgramme",
                 "Event", "Country", "Source", "HigherEducation", "ResearchOrganisation",
                 "PrivateCompany", "PublicBody", "OtherOrganisation"]:
        assert (REM[name], RDF.type, OWL.Class) in ontology, name


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_term_has_label_and_definition(ontology, kind):
    terms = own_terms(ontology, kind)
    assert terms
    missing = [t for t in terms if ontology.value(t, RDFS.label) is None or ontology.value(t, SKOS.definition) is None]
    assert missing == []


def test_every_concept_has_label_and_definition(ontology):
    concepts = set(ontology.subjects(SKOS.inScheme, None))
    assert len(concepts) > 100
    missing = [c for c in concepts if ontology.value(c, SKOS.prefLabel) is None or ontology.value(c, SKOS.definition) is None]
    assert missing == []


def test_at_least_30_capabilities_each_tied_to_a_stage(ontology):
    capabilities = set(ontology.subjects(RDF.type, REM.Capability))
    assert len(capabilities) >= 30
    untied = [c for c in capabilities if ontology.value(c, REM.servesStage) is None]
    assert untied == []
    for stage in ontology.objects(None, REM.servesStage):
        assert (stage, SKOS.inScheme, REM.ValueChainStages) in ontology, stage


def test_stage_order_is_one_chain_from_exploration_to_recycling_with_loop_back(ontology):
    following = dict(ontology.subject_objects(REM.nextStage))
    assert len(following) == len(set(following.values())), "a stage has two predecessors"
    starts = set(following) - set(following.values())
    assert starts == {URIRef(STAGE + "exploration-mining")}
    chain, stage = [], URIRef(STAGE + "exploration-mining")
    while stage is not None:
        chain.append(str(stage).removeprefix(STAGE))
        stage = following.get(stage)
    assert chain == ["exploration-mining", "beneficiation", "separation-refining", "metal-alloy-production",
                     "magnet-manufacturing", "component-motor-integration", "use",
                     "collection-sorting-dismantling", "recycling"]
    orders = [int(ontology.value(URIRef(STAGE + s), REM.stageOrder)) for s in chain]
    assert orders == list(range(1, 10))
    loops = {str(o).removeprefix(STAGE) for o in ontology.objects(URIRef(STAGE + "recycling"), REM.loopsBackTo)}
    assert loops == {"metal-alloy-production", "magnet-manufacturing"}


def test_recycling_has_re_x_narrower_concepts(ontology):
    narrower = {str(s).removeprefix(STAGE) for s in ontology.subjects(SKOS.broader, URIRef(STAGE + "recycling"))}
    assert {"reuse", "refurbishment", "repurposing", "material-recycling"} <= narrower
    loops = {str(s).removeprefix(STAGE) for s in ontology.subjects(SKOS.broader, URIRef(STAGE + "material-recycling"))}
    assert loops == {"short-loop-recycling", "long-loop-recycling"}


def test_materials_flow_from_stage_to_stage(ontology):
    """Every intermediate a stage consumes is produced by some stage (or enters from outside)."""
    produced = set(ontology.objects(None, REM.produces))
    consumed = set(ontology.objects(None, REM.consumes))
    external = {URIRef("https://w3id.org/remkg/id/material/industrial-side-streams")}
    assert consumed - produced == external


ALIGNED_NAMESPACES = {
    "https://schema.org/": None, "http://www.w3.org/ns/org#": None, "http://xmlns.com/foaf/0.1/": None,
    "http://purl.org/dc/terms/": None, "http://www.w3.org/ns/prov#": None,
    "http://www.w3.org/2004/02/skos/core#": None, "http://data.europa.eu/s66#": None,
}
# Terms each vocabulary really defines (checked against their published documents).
KNOWN_EXTERNAL_TERMS = {
    "https://schema.org/": {"ResearchProject", "Organization", "Event", "Country", "CreativeWork", "startDate",
                            "endDate", "url", "alternateName", "organizer", "DefinedTerm", "FundingScheme", "funder",
                            "member", "memberOf", "location", "subjectOf", "identifier"},
    "http://www.w3.org/ns/org#": {"Organization", "OrganizationalCollaboration", "Membership", "Role", "member", "role", "memberOf"},
    "http://xmlns.com/foaf/0.1/": {"Project", "Organization"},
    "http://purl.org/dc/terms/": {"Location", "subject", "spatial", "identifier", "title"},
    "http://www.w3.org/ns/prov#": {"Entity", "Activity", "Agent", "wasDerivedFrom"},
    "http://www.w3.org/2004/02/skos/core#": {"Concept", "related"},
    "http://data.europa.eu/s66#": {"Project", "Organisation", "OrganisationRole", "ForProfitOrganisation",
                                   "HigherOrSecondaryEducation", "ResearchOrganisation", "PublicBody",
                                   "hasInvolvedParty", "isRoleOf", "startDate", "endDate", "identifier", "title"},
}


def test_alignment_axioms_use_real_terms_of_each_vocabulary(ontology):
    used = set()
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty):
        for subject, target in ontology.subject_objects(predicate):
            if isinstance(target, URIRef) and str(subject).startswith(str(REM)) and not str(target).startswith(str(REM)):
                used.add(str(target))
    assert len(used) >= 25
    for iri in sorted(used):
        namespace = next((ns for ns in KNOWN_EXTERNAL_TERMS if iri.startswith(ns)), None)
        assert namespace is not None, f"{iri} is in no vocabulary we align to"
        assert iri.removeprefix(namespace) in KNOWN_EXTERNAL_TERMS[namespace], f"{iri}: not a term of {namespace}"
    assert {ns for ns in ALIGNED_NAMESPACES if any(i.startswith(ns) for i in used)} == set(ALIGNED_NAMESPACES)


def test_ontology_is_consistent_for_hermit(ontology):
    assert reason(ontology).consistent


def test_inconsistent_fixture_is_reported(ontology):
    graph = ontology + Graph().parse(FIXTURES / "inconsistent.ttl")
    result = reason(graph)
    assert not result.consistent


def test_reasoner_derives_partners_and_coordinator(ontology, valid_small):
    result = reason(ontology + valid_small)
    assert result.consistent
    project = mint("project", "demo")
    assert set(result.inferred.objects(project, REM.coordinatedBy)) == {mint("org", "uni-a")}
    assert set(result.inferred.objects(project, REM.hasPartner)) == {mint("org", "uni-a"), mint("org", "firm-b")}


def test_reasoner_input_keeps_every_axiom_and_link_but_no_literal_about_individuals(ontology, valid_small):
    full = ontology + valid_small
    lean = reasoner_input(full)
    individuals = "https://w3id.org/remkg/id/"
    dropped = set(full) - set(lean)
    assert all(isinstance(o, Literal) and str(s).startswith(individuals) for s, _, o in dropped)
    assert (mint("project", "demo"), REM.title, Literal("A demonstration project")) in dropped  # not only the dates
    assert not [t for t in lean if isinstance(t[2], Literal) and str(t[0]).startswith(individuals)]
    assert {t for t in full if not isinstance(t[2], Literal)} <= set(lean)  # every class, axiom and link stays
