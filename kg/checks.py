"""The curated data's checks (SHACL and HermiT), remembered by the build that passed them.

SHACL and HermiT read only the ontology and the curated data, and they are most of a build's fixed
cost (HermiT ~3 CPU s in a JVM, SHACL ~1 s, and their imports). A build that passed both writes into
its output folder what they were given — a SHA-256 of the ontology and curated triples, the shapes,
and the code that checks them — and HermiT's facts. The next build into that folder, given the same,
takes those facts instead of checking again: the same input gives the same result, and the output
is byte for byte the one a build that checks would write. Failing checks are never remembered, so
invalid or inconsistent data is refused on every build.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

from rdflib import Graph, URIRef

import kg.reason
import kg.validate
from kg.paths import shapes_file

CHECKS_FILE = "checks.json"


def checks_key(ontology: Graph, curated: Graph) -> str:
    """What the checks' result depends on: the triples (sorted N-Triples; the ontology's blank nodes
    carry canonical labels and the curated data has none), the shapes, remkg's checking code and the
    versions of pySHACL and owlready2 (which ships HermiT)."""
    digest = hashlib.sha256()
    for part in (shapes_file(), Path(kg.validate.__file__), Path(kg.reason.__file__)):
        digest.update(hashlib.sha256(part.read_bytes()).digest())
    digest.update(f"pyshacl {version('pyshacl')} owlready2 {version('owlready2')}\n".encode("utf-8"))
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()} .\n" for graph in (ontology, curated) for s, p, o in graph)
    digest.update("".join(lines).encode("utf-8"))
    return digest.hexdigest()


def passed_before(output_dir: Path, key: str) -> Graph | None:
    """HermiT's facts from the build in `output_dir` when it passed the checks with the same key;
    otherwise (another key, no such build, a file not as remkg writes it) None: check again."""
    try:
        kept = json.loads((Path(output_dir) / CHECKS_FILE).read_text(encoding="utf-8"))
        if kept["key"] != key:
            return None
        facts = Graph()
        for s, p, o in kept["hermit"]:
            facts.add((URIRef(s), URIRef(p), URIRef(o)))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return facts


def remember(folder: Path, key: str, hermit: Graph) -> None:
    """Write the key of the checks this build passed and HermiT's facts (IRIs only: kg.reason keeps no
    literal or blank node) into `folder`."""
    facts = sorted([str(s), str(p), str(o)] for s, p, o in hermit)
    (Path(folder) / CHECKS_FILE).write_text(json.dumps({"key": key, "hermit": facts}, indent=1) + "\n", encoding="utf-8")
