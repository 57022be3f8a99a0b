"""Converted exports kept beside the export: `remkg load cordis` checks and converts an export once
and keeps the result as N-Quads in DATA/cordis/NAME.converted/, so `remkg build` bulk-loads those
instead of converting again. The lines are also bulk-loaded into a store there as they are written
(on the second core while the first converts), and the build starts from a copy of that store.

A conversion is reused only while its key is unchanged: the export's bytes, the loader's version,
the manifest entry's path and options, and the ontology and data it was resolved against (the
curated data and the inputs declared before it). Anything else converts again, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Iterable

from rdflib import Graph, URIRef

from loaders.base import SourceGraph

SUFFIX = ".converted"
DESCRIPTION = "conversion.json"
STORE = "store"  # the conversion's graphs bulk-loaded as they were made, beside their files: the build starts from a copy


def folder_for(export: Path) -> Path:
    return export.with_name(export.name + SUFFIX)


def context_digest(graphs: Iterable[Graph]) -> str:
    """A digest of what a loader resolves against (the ontology's blank nodes have canonical labels)."""
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()}" for graph in graphs for s, p, o in graph)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def key(parts: Iterable[str], files: Iterable[Path]) -> str:
    """A digest of the conversion's settings and of the bytes of every file it reads."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") + b"\0")
    for path in files:
        digest.update(path.name.encode("utf-8") + b"\0")
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def read(export: Path, wanted: str) -> list[SourceGraph] | None:
    """The graphs kept for this export, or None when there are none or their key is not `wanted`."""
    folder = folder_for(export)
    try:
        description = json.loads((folder / DESCRIPTION).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if description.get("key") != wanted:
        return None
    graphs = []
    for graph in description["graphs"]:
        path = folder / graph["file"]
        if not path.is_file():
            return None
        graphs.append(SourceGraph(URIRef(graph["iri"]), graph["label"], graph["derived_from"], [], graph["retrieved"],
                                  graph["selection"], graph["counts"], graph["notes"], path, graph["written"]))
    return graphs


def kept_store(nquads: Path | None) -> Path | None:
    """The store a kept conversion's graphs were loaded into, when `nquads` is one of its files and
    the conversion has one (a conversion kept by an older remkg does not); else None."""
    if nquads is None:
        return None
    try:
        description = json.loads((nquads.parent / DESCRIPTION).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    store = description.get("store")
    return nquads.parent / store if store and (nquads.parent / store).is_dir() else None


def keep(export: Path, key_text: str, graphs: list[SourceGraph]) -> None:
    """Move the converted files (and the store they were loaded into, when the loader made one)
    beside the export and describe them; any older conversion is replaced (it is remkg's own: only
    a folder with a conversion.json is)."""
    folder = folder_for(export)
    staging = folder.with_name(f".{folder.name}.{os.getpid()}")
    staging.mkdir()
    try:
        store = graphs[0].nquads.parent / STORE if graphs and graphs[0].nquads is not None else None
        kept = {}
        if store is not None and store.is_dir():
            shutil.move(str(store), staging / STORE)
            kept = {"store": STORE}
        described = []
        for number, graph in enumerate(graphs):
            name = f"graph-{number}.nq"
            shutil.move(str(graph.nquads), staging / name)
            graph.nquads = folder / name
            described.append({"iri": str(graph.graph_iri), "label": graph.label, "derived_from": graph.derived_from,
                              "retrieved": graph.retrieved, "selection": graph.selection, "counts": graph.counts,
                              "notes": graph.notes, "file": name, "written": graph.written})
        (staging / DESCRIPTION).write_text(json.dumps({"key": key_text, "graphs": described, **kept}, indent=1) + "\n",
                                           encoding="utf-8")
        if (folder / DESCRIPTION).is_file():
            shutil.rmtree(folder)
        os.rename(staging, folder)  # fails, and keeps nothing, if a folder remkg did not write has the name
    finally:
        shutil.rmtree(staging, ignore_errors=True)
