"""The Oxigraph server command, and pushing the built graph to any SPARQL 1.1 Graph Store Protocol
endpoint (the endpoint `remkg serve` puts in front of it is kg.front)."""

from __future__ import annotations

import base64
import os
import shutil
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

from kg.query import USER_AGENT, QueryError
from kg.store import DEFAULT_OUTPUT, open_store


def oxigraph_executable() -> str:
    """The `oxigraph` CLI (pip package `oxigraph`): next to this Python first, then on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise QueryError("the `oxigraph` command is missing: `pip install oxigraph` (it ships the server)")


def graphs_of_store(output_dir: Path = DEFAULT_OUTPUT) -> dict[str, list]:
    """The built store's quads, grouped by named graph IRI."""
    grouped = defaultdict(list)
    for quad in open_store(output_dir).quads_for_pattern(None, None, None, None):
        grouped[quad.graph_name.value if hasattr(quad.graph_name, "value") else ""].append(quad.triple)
    return dict(grouped)


def push(endpoint: str, output_dir: Path = DEFAULT_OUTPUT, timeout: float = 120.0, progress=None) -> dict[str, int]:
    """PUT each named graph of the build to a Graph Store Protocol endpoint (e.g. http://host:7878/store).

    PUT replaces a graph as a whole, so pushing twice leaves the same data. Credentials, if the
    endpoint needs them, come from REMKG_ENDPOINT_USER and REMKG_ENDPOINT_PASSWORD.
    """
    pushed = {}
    for graph_iri, triples in sorted(graphs_of_store(output_dir).items()):
        body = "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples).encode("utf-8")
        target = endpoint + ("&" if "?" in endpoint else "?") + (
            "graph=" + urllib.parse.quote(graph_iri, safe="") if graph_iri else "default")
        request = urllib.request.Request(target, data=body, method="PUT",
                                         headers={"Content-Type": "application/n-triples", "User-Agent": USER_AGENT})
        user = os.environ.get("REMKG_ENDPOINT_USER")
        if user:
            token = base64.b64encode(f"{user}:{os.environ.get('REMKG_ENDPOINT_PASSWORD', '')}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            raise QueryError(f"{endpoint} refused graph {graph_iri}: HTTP {error.code} {error.read()[:300]!r}") from None
        except OSError as error:
            raise QueryError(f"{endpoint} did not answer: {error}") from None
        pushed[graph_iri] = len(triples)
        if progress:
            progress(graph_iri, len(triples))
    return pushed
