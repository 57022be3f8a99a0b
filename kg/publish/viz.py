"""The interactive explorer: the ecosystem as a map of the value chain, in one offline HTML file.

Python gathers everything the page may show (from the store, through named queries and the
analysis projections) into one JSON document; the page (`explorer/explorer.js`) decides what
to draw: filters, time slider, expand and focus, paths and the URL fragment all run in the
browser, so a question needs no new page and no server. vis-network (shipped inside the pyvis
package) and the page's own script and style are inlined; the data travels in a
`<script type="application/json">` block with `<`, `>` and `&` escaped, and every label reaches
the page through `textContent`, never `innerHTML`: labels are data and are shown as text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from kg.analysis.network import Ecosystem, load_ecosystem, resolve_name
from kg.analysis.synergies import complementary, shared_partners, similar
from kg.mentions import co_mention_edges
from kg.publish.colours import GAP_COLOUR, KIND_STYLE, stage_colour
from kg.outdir import check_output_file, write_file
from kg.query import run_named
from kg.store import DEFAULT_OUTPUT
from kg.vocab import ID_BASE

MAX_NODES = 2000
FACETS = ("capability", "material", "sector", "challenge")
ASSETS = Path(__file__).parent / "explorer"
_MARKER = re.compile(r"/\*(?:VIS_CSS|EXPLORER_CSS|VIS_JS|EXPLORER_JS|DATA)\*/|<!--TITLE-->")


@dataclass
class Selection:
    """The view the page opens on (it becomes the page's initial state, changeable in the page)."""
    focus: str | None = None
    depth: int = 2
    stage: str | None = None
    country: str | None = None
    cluster: str | None = None


def short_id(iri: str) -> str:
    """`kind/slug` for an IRI under the remkg id base: the form used in the URL fragment and the site."""
    return iri[len(ID_BASE):] if iri.startswith(ID_BASE) else iri


def explorer_data(eco: Ecosystem, links: list[dict], facts: list[dict], sources: list[dict],
                  co_mentions: dict[tuple[str, str], dict] | None = None) -> dict:
    """Every node and edge the page can show, with the facts and sources of its details panel.
    `co_mentions`: project pairs that articles mention together, drawn as a layer of their own."""
    nodes: dict[str, dict] = {}
    edges: list[list[str]] = []

    def node(iri: str, kind: str, label: str, **extra) -> None:
        nodes.setdefault(iri, {"id": iri, "kind": kind, "label": str(label), **extra})

    for stage in eco.top_level_stages():
        node(stage, "stage", eco.label(stage), order=eco.concepts[stage].order, colour=stage_colour(stage))
    programme = {r["entity"]: r["value"] for r in facts if r["fact"] == "programme"}
    for iri, project in eco.projects.items():
        node(iri, "project", project.acronym, start=_iso(project.start), end=_iso(project.end),
             eu=float(project.eu_contribution) if project.eu_contribution is not None else None,
             programme=programme.get(iri), stages=sorted(eco.top_stages.get(iri, set())))
        edges.extend([iri, stage, "covers"] for stage in sorted(eco.top_stages.get(iri, set())))
        for facet in FACETS:
            for concept in sorted(eco.facets.get(iri, {}).get(facet, set())):
                node(concept, facet, eco.label(concept))
                suggested = (iri, concept) in eco.suggested
                edges.append([iri, concept, f"{facet} (machine suggestion)" if suggested else facet])
    for (project, org), role in sorted(eco.roles.items()):
        organisation = eco.organisations[org]
        node(org, "organisation", organisation.name, country=organisation.country)
        edges.append([project, org, role])
    country = {r["entity"]: r["value"] for r in facts if r["fact"] == "country"}
    for link in links:
        source, target, relation = link["source"], link["target"], link["relation"]
        if source not in nodes:  # events, and cluster members known only from a cluster's member list
            node(source, link["sourceKind"], link["sourceLabel"], start=link.get("date"), country=country.get(source))
        if target not in nodes:
            kind = "cluster" if relation == "member of" else "organisation"
            node(target, kind, link.get("targetLabel") or target.rsplit("/", 1)[-1], country=country.get(target))
        edges.append([source, target, relation])
    details: dict[str, list] = defaultdict(list)
    for row in facts:
        if row["entity"] in nodes:
            details[row["entity"]].append([row["fact"], row["value"]])
    pages: dict[str, list] = defaultdict(list)
    for row in sources:
        if row["entity"] in nodes:
            pages[row["entity"]].append([row["url"], row.get("title") or row["url"]])
    synergies = [[s.a, s.b, s.kind, s.reason] for s in shared_partners(eco) + complementary(eco) + similar(eco)]
    return {
        "nodes": [nodes[iri] for iri in sorted(nodes)],
        "edges": edges,
        "facts": dict(sorted(details.items())),
        "sources": dict(sorted(pages.items())),
        "synergies": synergies,
        "coMentions": [[a, b, f"mentioned together in {c['sentences']} sentence(s) and {c['paragraphs']} paragraph(s) "
                              f"of {c['articles']} article(s)"]
                       for (a, b), c in sorted((co_mentions or {}).items()) if a in nodes and b in nodes],
        "countries": {iso: name for iso, (name, _) in sorted(eco.countries.items())},
        "styles": {kind: {"shape": shape, "colour": colour} for kind, (shape, colour) in KIND_STYLE.items()},
        "gapColour": GAP_COLOUR,
        "idBase": ID_BASE,
    }


def initial_state(data: dict, selection: Selection) -> dict:
    """The page's opening state from the command-line selection (names resolved, or a KeyError)."""
    named = [(n["id"], n["label"]) for n in data["nodes"]]

    def resolve(text: str) -> str:
        return short_id(resolve_name(text, named, f"nothing called {text!r} in the graph"))

    state: dict[str, object] = {}
    if selection.focus:
        state.update(focus=resolve(selection.focus), depth=selection.depth)
    if selection.stage:
        state["stage"] = resolve(selection.stage)
    if selection.country:
        state["country"] = selection.country.upper()
    if selection.cluster:
        state["cluster"] = resolve(selection.cluster)
    return state


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _script_json(value) -> str:
    """JSON safe inside <script>: json.dumps leaves '<' as is, so '</script>' in a label would end the tag."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True).replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _inline_script(text: str) -> str:
    return text.replace("</script", "<\\/script")


def _vis_assets() -> tuple[str, str]:
    import pyvis

    folder = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
    return (folder / "vis-network.min.js").read_text(encoding="utf-8"), (folder / "vis-network.css").read_text(encoding="utf-8")


def render_page(data: dict, title: str) -> str:
    """The whole page: template, vis-network, the explorer's script and style, and the data, inlined."""
    vis_js, vis_css = _vis_assets()
    parts = {
        "/*VIS_CSS*/": vis_css,
        "/*EXPLORER_CSS*/": (ASSETS / "explorer.css").read_text(encoding="utf-8"),
        "/*VIS_JS*/": _inline_script(vis_js),
        "/*EXPLORER_JS*/": _inline_script((ASSETS / "explorer.js").read_text(encoding="utf-8")),
        "/*DATA*/": _script_json({**data, "title": title}),
        "<!--TITLE-->": title.replace("&", "&amp;").replace("<", "&lt;"),
    }
    page = (ASSETS / "page.html").read_text(encoding="utf-8")
    # one pass, so a marker that happens to sit inside the data or a script is never replaced
    return _MARKER.sub(lambda match: parts[match.group(0)], page)


def write_explorer(output_dir: Path = DEFAULT_OUTPUT, out: Path | None = None, selection: Selection | None = None,
                   day: dt.date | None = None, max_nodes: int = MAX_NODES, site_base: str | None = None,
                   with_suggestions: bool = False) -> tuple[Path, int, int]:
    """Write the explorer page; return (path, nodes, edges) of the data it holds.

    The page draws at most `max_nodes` at once and offers aggregated views (organisations by
    country, projects by stage) above that; `site_base` is the relative URL of a linked-data site
    (entity pages at `id/{kind}/{slug}/index.html`) for the details panel to link to. With
    `with_suggestions`, machine-suggested stages, capabilities and materials are drawn too.
    """
    day = day or dt.date.today()
    eco = load_ecosystem(output_dir, with_suggestions=with_suggestions)
    queries = {name: run_named(name, output_dir=output_dir).rows for name in ("explorer-links", "explorer-facts", "explorer-sources")}
    data = explorer_data(eco, queries["explorer-links"], queries["explorer-facts"], queries["explorer-sources"],
                         co_mention_edges(output_dir))
    data.update(day=day.isoformat(), maxNodes=max_nodes, siteBase=site_base,
                initial=initial_state(data, selection or Selection()))
    page = render_page(data, f"remkg explorer ({day})")
    target = check_output_file(Path(out or Path(output_dir) / "explorer.html"))
    write_file(target, page)
    return target, len(data["nodes"]), len(data["edges"])
