"""SHACL validation (pySHACL) of instance data against ontology/shapes.ttl."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph
from rdflib.namespace import SH

from kg.paths import shapes_file


@dataclass(frozen=True, order=True)
class Violation:
    focus: str
    path: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        where = f"{self.focus}" + (f" {self.path}" if self.path else "")
        shown = f" (value: {self.value})" if self.value else ""
        return f"{where}: {self.message}{shown}"


def load_shapes() -> Graph:
    return Graph().parse(shapes_file(), format="turtle")


def validate(data: Graph, ontology: Graph, shapes: Graph | None = None) -> list[Violation]:
    """All SHACL violations of `data` (read together with `ontology`), sorted; empty if it conforms."""
    import pyshacl

    combined = Graph()
    for triple in data:
        combined.add(triple)
    for triple in ontology:
        combined.add(triple)
    # A fresh copy of the shapes per call: pySHACL mutates the shapes graph it is given.
    shapes_graph = Graph()
    for triple in shapes if shapes is not None else load_shapes():
        shapes_graph.add(triple)
    conforms, report, _ = pyshacl.validate(
        combined, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=False
    )
    if conforms:
        return []
    violations = set()
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        violations.add(
            Violation(
                focus=str(report.value(result, SH.focusNode) or ""),
                path=_path_text(report, report.value(result, SH.resultPath)),
                message=str(report.value(result, SH.resultMessage) or ""),
                value=str(report.value(result, SH.value) or ""),
            )
        )
    return sorted(violations)


def _path_text(report: Graph, path) -> str:
    if path is None:
        return ""
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{report.namespace_manager.normalizeUri(inverse)}"
    try:
        return report.namespace_manager.normalizeUri(path)
    except Exception:
        return str(path)
