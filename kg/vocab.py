"""Namespaces and IRI minting: the one place that knows how remkg names things."""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

REM = Namespace("https://w3id.org/remkg/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/remkg/ontology")
ID_BASE = "https://w3id.org/remkg/id/"
EURIO = Namespace("http://data.europa.eu/s66#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")

KINDS = (
    "project", "org", "cluster", "programme", "event", "stage", "capability",
    "material", "sector", "challenge", "source", "country", "participation", "graph", "gap", "synergy",
    "disagreement", "suggestion",
)

PREFIXES = {
    "rem": REM, "eurio": EURIO, "schema": SCHEMA, "org": ORG, "foaf": FOAF,
    "dcterms": DCTERMS, "prov": PROV, "skos": SKOS, "dcat": DCAT, "void": VOID,
    "owl": OWL, "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "wd": WD,
}

_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """Lower-case ASCII with hyphens: 'REEsilience' -> 'reesilience', 'Jožef Stefan' -> 'jozef-stefan'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not slug:
        raise ValueError(f"cannot derive a slug from {text!r}: no ASCII letters or digits")
    return slug


def is_slug(text: str) -> bool:
    return bool(_SLUG_RE.match(text))


def mint(kind: str, name: str) -> URIRef:
    """The stable IRI of a thing: https://w3id.org/remkg/id/{kind}/{slug}."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    return URIRef(f"{ID_BASE}{kind}/{slugify(name)}")


def bind_prefixes(graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    graph.bind("id", Namespace(ID_BASE))
