"""N-Quads text for bulk inputs, written without rdflib terms.

An rdflib Literal costs more to build than the rest of a CORDIS row's conversion, and a full export
is millions of them; Oxigraph's bulk loader reads the text directly. Values are plain Python
(str, Decimal, date, bool, an AnyURI, or an IRI as rdflib's URIRef, which is only a checked str),
so they compare by value (600000.5 = 600000.50) without any term in between.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_DATATYPES = ((bool, XSD.boolean), (Decimal, XSD.decimal), (dt.date, XSD.date), (int, XSD.integer))


class AnyURI(str):
    """A URL stated as a literal (xsd:anyURI), not as a resource."""


def lexical(value) -> str:
    """The value as its literal's text: True -> 'true', a date -> '2021-01-31', an IRI as itself."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def datatype(value) -> URIRef | None:
    """The XSD datatype a Python value is written with; None for a plain string or an IRI."""
    if isinstance(value, AnyURI):
        return XSD.anyURI
    return next((iri for kind, iri in _DATATYPES if isinstance(value, kind)), None)


def term(value) -> str:
    """The N-Triples form of an IRI (URIRef), an rdflib Literal or a plain Python value."""
    write = _BY_TYPE.get(type(value))
    if write is not None:
        return write(value)
    if isinstance(value, URIRef):
        return f"<{value}>"
    if isinstance(value, Literal):
        text = escaped(str(value))
        if value.language:
            return f'"{text}"@{value.language}'
        kind = None if value.datatype == XSD.string else value.datatype
    else:
        text, kind = escaped(lexical(value)), datatype(value)
    return f'"{text}"^^<{kind}>' if kind is not None else f'"{text}"'


def escaped(text: str) -> str:
    """The text with N-Triples escapes; most texts need none, and four scans in C cost less than
    str.translate, which is slow."""
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


# The common value types, looked up by exact type: a loader writes millions of them (the datatype
# IRIs are made once: rdflib's Namespace makes a new URIRef at each attribute access).
_DECIMAL, _DATE, _BOOLEAN = (f"^^<{XSD.decimal}>", f"^^<{XSD.date}>", f"^^<{XSD.boolean}>")
_BY_TYPE = {
    URIRef: lambda iri: f"<{iri}>",
    str: lambda text: f'"{escaped(text)}"',
    Decimal: lambda number: f'"{number}"{_DECIMAL}',
    dt.date: lambda day: f'"{day.isoformat()}"{_DATE}',
    bool: lambda flag: f'"true"{_BOOLEAN}' if flag else f'"false"{_BOOLEAN}',
}


def rdflib_value(value):
    """The rdflib term of a plain value (for comparing with the curated rdflib graph)."""
    if isinstance(value, (URIRef, Literal)):
        return value
    kind = datatype(value)
    return Literal(lexical(value), datatype=kind) if kind is not None else Literal(value)


class Terms:
    """A namespace's terms, each made once: rdflib's Namespace makes a new URIRef at every attribute
    access, which a loader does a few times per row."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        value = URIRef(getattr(self._namespace, name))
        setattr(self, name, value)
        return value


class QuadWriter:
    """One named graph's triples, appended to an N-Quads file as they are made, and counted. Lines
    are collected and written a few thousand at a time (a write call per line costs more). Subjects
    are written as IRIs and values as IRIs or literals: the file holds no blank node, so the build
    may bulk-load it in parts (kg.store). Given `parts` (kg.store.PartLoader), every written part of
    about its size is handed to it, to be bulk-loaded while the rest is still being made."""

    _BATCH = 4096

    def __init__(self, path: Path, graph_iri: str, parts=None):
        self.path, self.count = Path(path), 0
        self._handle = self.path.open("wb")
        self._tail = f" <{graph_iri}> .\n"
        self._lines: list[str] = []
        self._parts, self._written, self._handed = parts, 0, 0  # bytes written, and handed to `parts`

    def add(self, subject, predicate, value) -> None:
        write = _BY_TYPE.get(type(value))
        self._lines.append(f"<{subject}> <{predicate}> {write(value) if write is not None else term(value)}{self._tail}")
        if len(self._lines) >= self._BATCH:
            self._write()
        self.count += 1

    def _write(self) -> None:
        data = "".join(self._lines).encode("utf-8")
        self._lines.clear()
        self._handle.write(data)
        self._written += len(data)
        if self._parts is not None and self._written - self._handed >= self._parts.size:
            self._hand_over()

    def _hand_over(self) -> None:
        self._handle.flush()
        self._parts.load(self.path, self._handed, self._written)
        self._handed = self._written

    def close(self) -> None:
        self._write()
        if self._parts is not None and self._written > self._handed:
            self._hand_over()
        self._handle.close()


def write_nquads(triples, graph: str, out) -> None:
    """N-Quads lines for rdflib triples of IRIs and literals (what HermiT derives, small loaders' output)."""
    out.writelines(f"<{s}> <{p}> {term(o)} {graph} .\n" for s, p, o in triples)


def read_triples(path: Path) -> Iterator[tuple]:
    """The triples of an N-Quads file as rdflib terms (for code that needs them on small inputs)."""
    import pyoxigraph

    from kg.publish.export import rdflib_term

    with open(path, "rb") as handle:
        for quad in pyoxigraph.parse(handle, format=pyoxigraph.RdfFormat.N_QUADS):
            yield rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object)
