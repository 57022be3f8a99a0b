"""schema.org JSON-LD for an entity's page, derived from the graph through the ontology's alignment.

Search engines read schema.org, remkg speaks its own ontology. Each remkg class and property is
aligned to schema.org in the ontology (`rem:Project rdfs:subClassOf schema:ResearchProject`,
`rem:startDate rdfs:subPropertyOf schema:startDate`, …); a page's JSON-LD states exactly the
facts of the entity that such an alignment entails, so every statement it makes follows from
the graph. The few RDF and SKOS built-ins the ontology cannot align (a label is an annotation)
are mapped here. IRIs stay remkg's. The context is inline: nothing is fetched to read it.
"""

from __future__ import annotations

import json

SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# RDF, RDFS and SKOS terms the ontology cannot align (annotation properties, SKOS's own classes).
BUILT_IN_ALIGNMENT = {
    "http://www.w3.org/2000/01/rdf-schema#label": {SCHEMA + "name"},
    "http://www.w3.org/2004/02/skos/core#prefLabel": {SCHEMA + "name"},
    "http://www.w3.org/2004/02/skos/core#altLabel": {SCHEMA + "alternateName"},
    "http://www.w3.org/2004/02/skos/core#definition": {SCHEMA + "description"},
    "http://www.w3.org/2004/02/skos/core#Concept": {SCHEMA + "DefinedTerm"},
}

# Terms whose values are always of one datatype: a plain JSON reader sees "2019-06-01".
CONTEXT = {
    "@vocab": SCHEMA,
    "xsd": XSD,
    "startDate": {"@id": SCHEMA + "startDate", "@type": XSD + "date"},
    "endDate": {"@id": SCHEMA + "endDate", "@type": XSD + "date"},
    "url": {"@id": SCHEMA + "url", "@type": XSD + "anyURI"},
}


def _literal(term) -> object:
    """A literal as JSON-LD: plain when the context or JSON says it all, else a value object."""
    datatype = term.datatype.value if term.datatype is not None else XSD + "string"
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if datatype == XSD + "string":
        return term.value
    return {"@value": term.value, "@type": datatype}


def _compact_value(key: str, term, labels: dict) -> object:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        node = {"@id": term.value}
        if term.value in labels:
            node["name"] = _literal(labels[term.value])
        return node
    literal = _literal(term)
    coerced = CONTEXT.get(key)
    if isinstance(literal, dict) and isinstance(coerced, dict) and literal.get("@type") == coerced["@type"]:
        return literal["@value"]
    return literal


def entity_jsonld(iri: str, facts: list[dict], alignment: dict[str, set[str]]) -> dict:
    """The schema.org description of `iri` from its site-facts rows (property, value, valueLabel)."""
    import pyoxigraph as ox

    aligned = {**alignment, **{k: v | alignment.get(k, set()) for k, v in BUILT_IN_ALIGNMENT.items()}}
    types: set[str] = set()
    properties: dict[str, list] = {}
    labels = {row["value"].value: row["valueLabel"] for row in facts
              if isinstance(row["value"], ox.NamedNode) and row["valueLabel"] is not None}
    for row in facts:
        prop, term = row["property"].value, row["value"]
        if prop == RDF_TYPE:
            types.update(t[len(SCHEMA):] for t in aligned.get(term.value, ()))
            continue
        if isinstance(term, ox.BlankNode):
            continue
        for schema_prop in sorted(aligned.get(prop, ())):
            key = schema_prop[len(SCHEMA):]
            item = _compact_value(key, term, labels)
            if item not in properties.setdefault(key, []):
                properties[key].append(item)
    document: dict = {"@context": CONTEXT, "@id": iri}
    if types:
        document["@type"] = sorted(types) if len(types) > 1 else next(iter(types))
    for key in sorted(properties):
        values = sorted(properties[key], key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        document[key] = values[0] if len(values) == 1 else values
    return document


_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def script_json(document) -> str:
    """JSON safe inside a <script> element: `<`, `>` and `&` as \\u escapes, so no label closes the tag."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1).translate(_SCRIPT_ESCAPES)


def script_tag(document) -> str:
    return f'<script type="application/ld+json">\n{script_json(document)}\n</script>'
