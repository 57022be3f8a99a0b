"""The Oxigraph server command, and pushing the built graph to any SPARQL 1.1 Graph Store Protocol
endpoint (the endpoint `remkg serve` puts in front of it is kg.front)."""

from __future__ import annotations

import shutil
import sys
from collections import defaultdict
from pathlib import Path

from kg.query import USER_AGENT, QueryError, endpoint_credentials
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
    """PUT each named graph of the build to a Graph Store Protocol endpoint (Oxigraph:
    http://host:7878/store; Virtuoso: http://host:8890/sparql-graph-crud-auth).

    PUT replaces a graph as a whole, so pushing twice leaves the same data. With credentials the
    login is digest when the server challenges for it (Virtuoso), basic when it asks for basic.
    """
    import requests
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth

    credentials = endpoint_credentials()
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.auth = HTTPDigestAuth(*credentials) if credentials else None
    pushed = {}
    for graph_iri, triples in sorted(graphs_of_store(output_dir).items()):
        body = "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples).encode("utf-8")
        params = {"graph": graph_iri} if graph_iri else {"default": ""}
        try:
            response = _put(session, endpoint, params, body, timeout)
            challenge = response.headers.get("WWW-Authenticate", "").lower()
            if response.status_code == 401 and credentials and challenge.startswith("basic"):
                session.auth = HTTPBasicAuth(*credentials)
                response = _put(session, endpoint, params, body, timeout)
        except requests.RequestException as error:
            raise QueryError(f"{endpoint} did not answer: {error}") from None
        if response.status_code == 401:
            raise QueryError(f"{endpoint} asks for a login (HTTP 401) for graph {graph_iri}: set REMKG_ENDPOINT_USER "
                             "and REMKG_ENDPOINT_PASSWORD (basic or digest authentication)")
        if not response.ok:
            raise QueryError(f"{endpoint} refused graph {graph_iri}: HTTP {response.status_code} {response.text[:300]!r}")
        pushed[graph_iri] = len(triples)
        if progress:
            progress(graph_iri, len(triples))
    return pushed


def _put(session, endpoint: str, params: dict, body: bytes, timeout: float):
    return session.put(endpoint, params=params, data=body, timeout=timeout,
                       headers={"Content-Type": "application/n-triples"})
