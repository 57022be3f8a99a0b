"""The interactive explorer: a pyvis network of the ecosystem in one offline HTML file.

pyvis builds the nodes, edges and options; the page around them is ours, because pyvis's own
template fetches vis-network, bootstrap and tom-select from CDNs. vis-network (shipped inside
the pyvis package) is inlined, the data travels as JSON in a `<script type="application/json">`
block with `<`, `>` and `&` escaped, and every label and tooltip reaches the page through
`textContent`, never `innerHTML`: labels are data and are shown as text.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from kg.analysis.gaps import projects_on_stage
from kg.analysis.network import Ecosystem, load_ecosystem, resolve_name
from kg.analysis.synergies import complementary
from kg.publish.colours import GAP_COLOUR, KIND_STYLE, stage_colour
from kg.query import run_named
from kg.outdir import check_output_file, write_file
from kg.store import DEFAULT_OUTPUT

MAX_NODES = 2000
FACET_KIND = {"capability": "capability", "material": "material", "challenge": "challenge"}


class VizTooLarge(ValueError):
    """The selection has too many nodes for a browser to lay out smoothly."""


@dataclass
class Selection:
    focus: str | None = None
    depth: int = 2
    stage: str | None = None
    country: str | None = None
    cluster: str | None = None


def ecosystem_graph(eco: Ecosystem, links: list[dict], day: dt.date) -> nx.Graph:
    """Everything the explorer can show, as one NetworkX graph with display attributes on nodes."""
    graph = nx.Graph()

    def node(iri: str, kind: str, label: str, tooltip: str, **extra) -> None:
        graph.add_node(iri, kind=kind, label=label, tooltip=tooltip, **extra)

    for stage in eco.top_level_stages():
        order = eco.concepts[stage].order
        active = projects_on_stage(eco, stage, day)
        node(stage, "stage", eco.label(stage), f"{eco.label(stage)}\nstage · {len(active)} project(s) active on {day}",
             order=order, gap=not active)
    for iri, project in eco.projects.items():
        dates = f"{project.start or '?'} – {project.end or '?'}"
        node(iri, "project", project.acronym, f"{project.acronym}\nproject · {dates}\n{len(eco.partners(iri))} partner(s)",
             money=float(project.eu_contribution or 0))
        for stage in eco.top_stages.get(iri, set()):
            graph.add_edge(iri, stage, relation="covers")
        for facet, kind in FACET_KIND.items():
            for concept in sorted(eco.facets.get(iri, {}).get(facet, set())):
                node(concept, kind, eco.label(concept), f"{eco.label(concept)}\n{kind}")
                graph.add_edge(iri, concept, relation=facet)
    for (project, org), role in sorted(eco.roles.items()):
        organisation = eco.organisations[org]
        node(org, "organisation", organisation.name,
             f"{organisation.name}\norganisation · {organisation.country or 'country unknown'}", country=organisation.country)
        graph.add_edge(project, org, relation=role)
    for link in links:
        kind = link["sourceKind"]
        if link["source"] not in graph:
            when = f" · {link['date']}" if link.get("date") else ""
            node(link["source"], kind, link["sourceLabel"], f"{link['sourceLabel']}\n{kind}{when}")
        if link["target"] not in graph:
            kind = "cluster" if link["relation"] == "member of" else "organisation"
            label = link.get("targetLabel") or link["target"].rsplit("/", 1)[-1]
            node(link["target"], kind, label, f"{label}\n{kind}")
        graph.add_edge(link["source"], link["target"], relation=link["relation"])
    for synergy in complementary(eco):
        graph.add_edge(synergy.a, synergy.b, relation="suggested", suggested=True, reason=synergy.reason)
    return graph


def select(graph: nx.Graph, eco: Ecosystem, selection: Selection) -> nx.Graph:
    """The part of the graph a user asked for (whole graph when nothing is asked)."""
    keep = set(graph)
    if selection.focus:
        focus = _resolve(graph, selection.focus)
        keep &= set(nx.ego_graph(graph, focus, radius=selection.depth))
    if selection.stage:
        stage = _resolve(graph, selection.stage)
        projects = {p for p, stages in eco.top_stages.items() if stage in stages}
        keep &= projects | {n for p in projects for n in graph.neighbors(p)}
    if selection.country:
        orgs = {o for o, data in graph.nodes(data=True) if data.get("country") == selection.country.upper()}
        projects = {n for o in orgs for n in graph.neighbors(o) if graph.nodes[n]["kind"] == "project"}
        keep &= orgs | projects | {n for p in projects for n in graph.neighbors(p) if graph.nodes[n]["kind"] != "organisation"}
    if selection.cluster:
        cluster = _resolve(graph, selection.cluster)
        projects = set(graph.neighbors(cluster))
        keep &= {cluster} | projects | {n for p in projects for n in graph.neighbors(p)}
    return graph.subgraph(keep).copy()


def _resolve(graph: nx.Graph, text: str) -> str:
    return resolve_name(text, ((iri, data["label"]) for iri, data in graph.nodes(data=True)), f"nothing called {text!r} in the graph")


def to_pyvis(graph: nx.Graph):
    """A pyvis Network: shapes and colours by kind, size by degree, the chain laid out in order."""
    from pyvis.network import Network

    net = Network(height="100%", width="100%", directed=False, cdn_resources="in_line")
    for iri in sorted(graph):
        data = graph.nodes[iri]
        shape, colour = KIND_STYLE[data["kind"]]
        # `kind` rather than vis's `group`: a group would override the colours with vis's palette.
        options = dict(label=str(data["label"]), title=data["tooltip"], shape=shape, color=colour, kind=data["kind"],
                       size=12 + 3 * min(graph.degree(iri), 12))
        if data["kind"] == "stage":
            options["color"] = {"background": stage_colour(iri), "border": GAP_COLOUR if data.get("gap") else "#333333"}
            options["borderWidth"] = 4 if data.get("gap") else 1
            if data.get("order"):
                options.update(x=(data["order"] - 5) * 300, y=-650, fixed=True, physics=False)
            if data.get("gap"):
                options["label"] = f"{data['label']}\n(no active project)"
        net.add_node(iri, **options)
    for a, b in sorted(graph.edges()):
        data = graph.edges[a, b]
        if data.get("suggested"):
            net.add_edge(a, b, title=data["reason"], dashes=True, color="#e67e22", width=2)
        else:
            net.add_edge(a, b, title=data["relation"], color="#bbbbbb")
    net.set_options(json.dumps({
        "layout": {"randomSeed": 7},
        "physics": {"solver": "barnesHut", "stabilization": {"enabled": True, "iterations": 400},
                    "barnesHut": {"gravitationalConstant": -6000, "springLength": 140}},
        "interaction": {"hover": True, "tooltipDelay": 150},
        "edges": {"smooth": False},
    }))
    return net


def _script_json(value) -> str:
    """JSON safe inside <script>: json.dumps leaves '<' as is, so '</script>' in a label would end the tag."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True).replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _vis_assets() -> tuple[str, str]:
    import pyvis

    folder = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
    return (folder / "vis-network.min.js").read_text(encoding="utf-8"), (folder / "vis-network.css").read_text(encoding="utf-8")


def render_page(net, title: str) -> str:
    nodes, edges, _, _, _, options = net.get_network_data()
    script, css = _vis_assets()
    legend = [{"kind": kind, "shape": shape, "colour": colour} for kind, (shape, colour) in KIND_STYLE.items()]
    payload = {"nodes": nodes, "edges": edges, "options": json.loads(options), "legend": legend, "title": title}
    return PAGE.replace("/*VIS_CSS*/", css).replace("/*VIS_JS*/", script.replace("</script", "<\\/script")) \
        .replace("/*DATA*/", _script_json(payload)).replace("<!--TITLE-->", title.replace("<", "&lt;"))


def write_explorer(output_dir: Path = DEFAULT_OUTPUT, out: Path | None = None, selection: Selection | None = None,
                   day: dt.date | None = None, max_nodes: int = MAX_NODES, with_suggestions: bool = False) -> tuple[Path, int, int]:
    """Write the explorer page; return (path, nodes, edges). Raises VizTooLarge above `max_nodes`.
    With `with_suggestions`, machine-suggested stages, capabilities and materials are drawn too."""
    selection = selection or Selection()
    day = day or dt.date.today()
    eco = load_ecosystem(output_dir, with_suggestions=with_suggestions)
    links = run_named("explorer-links", output_dir=output_dir).rows
    graph = select(ecosystem_graph(eco, links, day), eco, selection)
    if graph.number_of_nodes() > max_nodes:
        raise VizTooLarge(f"{graph.number_of_nodes()} nodes is more than a browser lays out smoothly (limit {max_nodes}): "
                          "narrow it with --focus ENTITY --depth N, --stage, --country or --cluster")
    page = render_page(to_pyvis(graph), f"remkg explorer ({day})")
    target = check_output_file(Path(out or Path(output_dir) / "explorer.html"))
    write_file(target, page)
    return target, graph.number_of_nodes(), graph.number_of_edges()


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title><!--TITLE--></title>
<style>/*VIS_CSS*/</style>
<style>
html, body { height: 100%; margin: 0; font-family: system-ui, sans-serif; }
#network { position: absolute; top: 0; bottom: 0; left: 280px; right: 0; }
#panel { position: absolute; top: 0; bottom: 0; left: 0; width: 264px; padding: 8px; overflow-y: auto; border-right: 1px solid #ccc; background: #fafafa; }
#panel h1 { font-size: 1rem; margin: .2rem 0 .6rem; }
#panel h2 { font-size: .85rem; margin: .8rem 0 .3rem; }
#search { width: 100%; box-sizing: border-box; padding: 4px; }
#results div { cursor: pointer; font-size: .8rem; padding: 2px 0; }
#legend label { display: block; font-size: .8rem; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border: 1px solid #333; }
.vis-tooltip { white-space: pre-line; max-width: 420px; }
#status { font-size: .75rem; color: #555; }
</style></head>
<body>
<div id="panel">
  <h1 id="title"></h1>
  <input id="search" type="search" placeholder="Search a name…" aria-label="Search">
  <div id="results"></div>
  <h2>Legend and filter</h2>
  <div id="legend"></div>
  <h2>Overlay</h2>
  <div class="legend-note">Dashed orange: suggested link (complementary projects). Red border: stage with no active project.</div>
  <p id="status">laying out…</p>
</div>
<div id="network"></div>
<script>/*VIS_JS*/</script>
<script type="application/json" id="graph-data">/*DATA*/</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  document.getElementById("title").textContent = data.title;
  function tooltip(text) {  // a DOM element, so vis shows it as text and never parses it as HTML
    var element = document.createElement("div");
    element.textContent = text;
    return element;
  }
  data.nodes.forEach(function (node) { node.title = tooltip(node.title); });
  data.edges.forEach(function (edge) { if (edge.title) { edge.title = tooltip(edge.title); } });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(document.getElementById("network"), {nodes: nodes, edges: edges}, data.options);
  window.remkgNetwork = network; window.remkgNodes = nodes; window.remkgEdges = edges;
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: false});
    document.getElementById("status").textContent = nodes.length + " nodes, " + edges.length + " edges";
    window.remkgReady = true;
  });
  var legend = document.getElementById("legend");
  data.legend.forEach(function (entry) {
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox"; box.checked = true; box.dataset.kind = entry.kind;
    box.addEventListener("change", function () {
      nodes.update(nodes.get({filter: function (n) { return n.kind === entry.kind; }}).map(function (n) {
        return {id: n.id, hidden: !box.checked};
      }));
    });
    var swatch = document.createElement("span");
    swatch.className = "swatch"; swatch.style.background = entry.colour;
    label.appendChild(box); label.appendChild(swatch);
    label.appendChild(document.createTextNode(entry.kind + " (" + entry.shape + ")"));
    legend.appendChild(label);
  });
  var results = document.getElementById("results");
  function focusNode(id) {
    network.selectNodes([id]);
    network.focus(id, {scale: 1.2, animation: false});
  }
  document.getElementById("search").addEventListener("input", function (event) {
    var wanted = event.target.value.toLowerCase();
    while (results.firstChild) { results.removeChild(results.firstChild); }
    if (!wanted) { return; }
    function rank(n) {  // exact name first, then names starting with the text, then the rest
      var label = String(n.label).toLowerCase();
      return (label === wanted ? 0 : label.indexOf(wanted) === 0 ? 1 : 2) * 1000 + label.length;
    }
    nodes.get({filter: function (n) { return String(n.label).toLowerCase().indexOf(wanted) >= 0; }})
      .sort(function (a, b) { return rank(a) - rank(b); }).slice(0, 20).forEach(function (n) {
      var row = document.createElement("div");
      row.textContent = n.label + " · " + n.kind;
      row.dataset.id = n.id;
      row.addEventListener("click", function () { focusNode(n.id); });
      results.appendChild(row);
    });
    var first = results.firstChild;
    if (first) { focusNode(first.dataset.id); }
  });
})();
</script>
</body></html>
"""
