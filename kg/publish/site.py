"""`remkg site`: the graph as a static linked-data site that a webmaster copies as is.

One page per entity at the path that mirrors its IRI (`id/project/susmagpro/index.html`, with
`index.ttl` and `index.jsonld` beside it), index pages by kind, stage, country and programme, an
offline search, the dataset described with DCAT and VoID, full dumps, the ontology as HTML,
`sitemap.xml`, `robots.txt`, and fragments to paste into existing websites. `--cluster` and
`--project` write only that part of the graph.

The writer streams: entities come one at a time from the store, each page is written and
forgotten; the search index and the sitemap are appended to as pages are written. The folder is
written aside and swapped in like a build (kg.outdir, kg.store). Same store, same bytes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rdflib import Graph

from kg.outdir import check_replaceable, read_marker, write_marker
from kg.publish import site_pages as html
from kg.publish.export import CONTEXT_FILE, jsonld as compact_jsonld, rdflib_term, turtle
from kg.publish.jsonld import entity_jsonld, script_json
from kg.publish.site_data import (KIND_TITLES, PAGE_KINDS, Entity, entities, graph_files, kind_of, part, rows, schema_alignment,
                                  slug_of, value)
from kg.store import DEFAULT_OUTPUT, open_store, recover, staging_dir, swap_in
from kg.vocab import ID_BASE, PREFIXES, bind_prefixes, mint

DEFAULT_BASE_URL = "https://w3id.org/remkg/"
DEFAULT_SITE = Path("remkg-site")
REM = "https://w3id.org/remkg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HIDDEN = {RDF_TYPE, "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
          REM + "hasParticipation", REM + "sourcedFrom", REM + "hasPartner"}
SITE_GRAPH = ID_BASE + "graph/site"
DUMPS = {  # file -> (pyoxigraph format name, media type)
    "remkg.nq": ("N_QUADS", "application/n-quads"), "remkg.trig": ("TRIG", "application/trig"),
    "remkg.ttl": ("TURTLE", "text/turtle"), "remkg.nt": ("N_TRIPLES", "application/n-triples"),
    "remkg.rdf": ("RDF_XML", "application/rdf+xml"), "remkg.jsonld": ("JSON_LD", "application/ld+json"),
}


@dataclass
class SiteOptions:
    base_url: str = DEFAULT_BASE_URL
    clusters: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    licence: str | None = None
    publisher: str = "remkg"
    day: dt.date | None = None
    explorer: bool = True
    report: bool = True


@dataclass
class SiteReport:
    folder: Path
    pages: int
    files: int
    bytes: int
    seconds: float
    entities: dict[str, int]


def _no_progress(step: str) -> None:
    return None


def write_site(output_dir: Path = DEFAULT_OUTPUT, out: Path = DEFAULT_SITE, options: SiteOptions | None = None,
               progress: Callable[[str], None] = _no_progress) -> SiteReport:
    """Write the site of the built store in `output_dir` into the folder `out`, atomically.

    Refuses (OutputRefused) before any work when `out` is not remkg's to replace; raises KeyError
    for a --cluster or --project the store does not hold."""
    options = options or SiteOptions()
    started = time.perf_counter()
    out = check_replaceable(out)
    recover(out)
    store = open_store(output_dir)
    roots = [mint("cluster", c) if not c.startswith("http") else c for c in options.clusters] + \
            [mint("project", p) if not p.startswith("http") else p for p in options.projects]
    selected = part(store, [str(root) for root in roots]) if roots else None
    staging = staging_dir(out)
    try:
        writer = SiteWriter(store, staging, selected, options, output_dir, progress)
        writer.write()
        write_marker(staging, "site")
        size, files = _measure(staging)
        swap_in(staging, out)
    finally:
        if staging.exists():
            import shutil

            shutil.rmtree(staging, ignore_errors=True)
    return SiteReport(out, writer.pages, files, size, time.perf_counter() - started, dict(writer.counts))


def _measure(folder: Path) -> tuple[int, int]:
    sizes = [path.stat().st_size for path in folder.rglob("*") if path.is_file()]
    return sum(sizes), len(sizes)


def entity_path(iri: str) -> str:
    return f"id/{kind_of(iri)}/{slug_of(iri)}/index.html"


class SiteWriter:
    """Writes one site into a staging folder; holds only what every page needs (alignment, chain)."""

    def __init__(self, store, folder: Path, selected: set[str] | None, options: SiteOptions, output_dir: Path, progress):
        self.store, self.folder, self.selected, self.options = store, folder, selected, options
        self.output_dir, self.progress = output_dir, progress
        self.base = options.base_url if options.base_url.endswith("/") else options.base_url + "/"
        self.alignment = schema_alignment(store)
        self.files = graph_files(store)
        self.chain = [(row["stage"].value, value(row["label"]) or slug_of(row["stage"].value)) for row in rows(store, "site-chain")]
        self.counts: Counter = Counter()
        self.pages = 0
        self.source_urls: set[str] = set()
        self.dump_store = None if selected is None else _memory_store()

    # --- where things are ------------------------------------------------------------------

    def in_site(self, iri: str) -> str | None:
        if kind_of(iri) is None or (self.selected is not None and iri not in self.selected):
            return None
        return entity_path(iri)

    def links(self, depth: int) -> html.Links:
        return html.Links("../" * depth, self.in_site)

    def absolute(self, iri: str, label: str) -> str:
        path = self.in_site(iri)
        target = self.base + path if path else iri
        return html.external_link(target, label)

    def _write(self, path: str, text: str) -> None:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if path.endswith(".html"):
            self.pages += 1

    # --- the whole site --------------------------------------------------------------------

    def write(self) -> None:
        self._write("assets/site.css", html.STYLESHEET.lstrip())
        self._write("assets/search.js", html.SEARCH_SCRIPT)
        self._write("context.jsonld", CONTEXT_FILE.read_text(encoding="utf-8"))
        with open(self.folder / "search-index.js", "w", encoding="utf-8") as search, \
                open(self.folder / "sitemap.xml", "w", encoding="utf-8") as sitemap:
            search.write("window.remkgSearch = [\n")
            sitemap.write('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
            for kind in PAGE_KINDS:
                self.progress(f"writing {KIND_TITLES[kind].lower()}")
                self._write_kind(kind, search, sitemap)
            for path in ("", "stages.html", "countries.html", "programmes.html", "dataset.html", "ontology/"):
                sitemap.write(f"<url><loc>{html.esc(self.base + path)}</loc></url>\n")
            search.write("];\n")
            sitemap.write("</urlset>\n")
        self.progress("writing index pages")
        self._write_groups()
        self._write("search.html", self._search_page())
        self._write("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {self.base}sitemap.xml\n")
        self.progress("writing the ontology documentation")
        self._write("ontology/index.html", self._ontology_page())
        self.progress("writing dumps")
        triples = self._write_dumps()
        self._write_dataset(triples)
        self._write("index.html", self._home_page())
        self.progress("writing the explorer and the report")
        self._write_explorer()
        self._write_report()

    def _write_kind(self, kind: str, search, sitemap) -> None:
        links = self.links(2)
        head, tail = html.frame(KIND_TITLES[kind], "\x00", links).split("\x00")
        with open(_mkparent(self.folder / f"id/{kind}/index.html"), "w", encoding="utf-8") as index:
            index.write(head + f"<h1>{html.esc(KIND_TITLES[kind])}</h1><ul class=\"columns\">\n")
            for entity in entities(self.store, kind):
                if self.in_site(entity.iri) is None:
                    continue
                self._write_entity(entity)
                self.counts[kind] += 1
                index.write(f'<li>{links.entity(entity.iri, entity.label)}</li>\n')
                search.write(script_json([entity.label, html.KIND_NAMES[kind], entity_path(entity.iri), entity.iri]).replace("\n", "") + ",\n")
                sitemap.write(f"<url><loc>{html.esc(self.base + entity_path(entity.iri)[:-len('index.html')])}</loc></url>\n")
            index.write(f"</ul><p>{self.counts[kind]} in all.</p>" + tail)
        self.pages += 1

    # --- one entity ------------------------------------------------------------------------

    def _write_entity(self, entity: Entity) -> None:
        iri = entity.iri
        facts = list(rows(self.store, "site-facts", entity=iri))
        sources = list(rows(self.store, "site-sources", entity=iri))
        participations = list(rows(self.store, "site-participations", entity=iri)) if entity.kind in ("project", "org") else []
        backlinks = list(rows(self.store, "site-backlinks", entity=iri))
        links = self.links(3)
        self.source_urls.update(row["url"].value for row in sources)
        sections = [
            html.section("Facts", self._facts_table(facts, sources, links), "facts"),
            self._participations_section(entity, participations, links),
            self._backlinks_section(backlinks, links),
            html.section("Sources", self._sources_list(sources), "sources") if sources else "",
        ]
        document = entity_jsonld(iri, facts, self.alignment)
        base = f"id/{entity.kind}/{entity.slug}/"
        self._write(base + "index.html", html.entity_page(entity, self._summary(entity, facts, participations, links),
                                                           sections, document, links))
        description = self._description(iri)
        self._write(base + "index.ttl", turtle(description))
        self._write(base + "index.jsonld", compact_jsonld(description))
        if entity.kind in ("project", "cluster"):
            self._write_embeds(entity, base, participations, backlinks, facts, document)

    def _description(self, iri: str) -> Graph:
        import pyoxigraph as ox

        graph = Graph()  # prefixes come with the serialisers (export.turtle, the JSON-LD context)
        for row in rows(self.store, "site-description", entity=iri):
            triple = (row["subject"], row["property"], row["value"])
            graph.add(tuple(rdflib_term(term) for term in triple))
            if self.dump_store is not None:
                self.dump_store.add(ox.Quad(*triple, ox.NamedNode(SITE_GRAPH)))
        return graph

    def _summary(self, entity: Entity, facts: list[dict], participations: list[dict], links: html.Links) -> str:
        """One or two sentences in plain language from the facts at hand (nothing is guessed)."""
        by_property: dict[str, list] = {}
        for row in facts:
            by_property.setdefault(row["property"].value, []).append(row)

        def values(prop: str) -> list:
            return by_property.get(REM + prop, [])

        parts = [f"<strong>{html.esc(entity.label)}</strong>"]
        if values("title"):
            parts.append(f" ({html.esc(values('title')[0]['value'].value)})")
        types = sorted({value(row["valueLabel"]) for row in by_property.get(RDF_TYPE, [])
                        if row["value"].value.startswith(REM) and row["valueLabel"] is not None})
        parts.append(f" is a {html.esc(html.KIND_NAMES[entity.kind])}")
        if types and entity.kind == "org":
            parts.append(f" ({html.esc(', '.join(t.lower() for t in types))})")
        if values("country"):
            row = values("country")[0]
            parts.append(" in " + links.entity(row["value"].value, value(row["valueLabel"]) or slug_of(row["value"].value)))
        if values("fundedBy"):
            row = values("fundedBy")[0]
            parts.append(" funded under " + links.entity(row["value"].value, value(row["valueLabel"]) or slug_of(row["value"].value)))
        if values("startDate") and values("endDate"):
            parts.append(f", running from {html.format_literal(values('startDate')[0]['value'])} to "
                         f"{html.format_literal(values('endDate')[0]['value'])}")
        elif values("startDate"):
            parts.append(f", starting {html.format_literal(values('startDate')[0]['value'])}")
        parts.append(".")
        if entity.kind == "project" and participations:
            countries = {row["country"].value for row in participations if row["country"] is not None}
            parts.append(f" {len(participations)} partner(s) recorded, in {len(countries)} country(ies).")
        if entity.kind == "org" and participations:
            parts.append(f" Takes part in {len({row['project'].value for row in participations})} project(s) recorded here.")
        definition = by_property.get("http://www.w3.org/2004/02/skos/core#definition")
        if definition:
            parts.append(" " + html.esc(definition[0]["value"].value))
        return "".join(parts)

    def _fact_source(self, graph: str, sources: list[dict], links: html.Links) -> str:
        if graph.endswith("/graph/ontology"):
            return f'<a href="{html.esc(links.to("ontology/index.html"))}">remkg ontology</a>'
        if graph.endswith("/graph/inferred"):
            return '<a href="#participants">derived from the participations</a> (OWL reasoning)'
        refs = " ".join(f'<a href="#source-{number}">[{number}]</a>' for number in range(1, len(sources) + 1))
        return f"<code>{html.esc(self.files.get(graph, graph))}</code> {refs}".strip()

    def _facts_table(self, facts: list[dict], sources: list[dict], links: html.Links) -> str:
        import pyoxigraph as ox

        grouped: dict[tuple[str, str], list[str]] = {}
        order: list[tuple[str, str]] = []
        for row in facts:
            prop = row["property"].value
            if prop in HIDDEN or isinstance(row["value"], ox.BlankNode):
                continue
            key = (value(row["propertyLabel"]) or prop.rsplit("#", 1)[-1].rsplit("/", 1)[-1], row["graph"].value)
            if key not in grouped:
                grouped[key], _ = [], order.append(key)
            term = row["value"]
            if isinstance(term, ox.NamedNode):
                grouped[key].append(links.entity(term.value, value(row["valueLabel"]) or slug_of(term.value)))
            else:
                grouped[key].append(html.format_literal(term, prop))
        cells = [[html.esc(label), ", ".join(grouped[(label, graph)]), self._fact_source(graph, sources, links)]
                 for label, graph in sorted(order)]
        return html.table(["fact", "value", "source"], cells, "facts") if cells else "<p>No facts recorded.</p>"

    def _participation_sources(self, participation: str) -> str:
        found = list(rows(self.store, "site-sources", entity=participation))
        self.source_urls.update(row["url"].value for row in found)
        return " ".join(html.external_link(row["url"].value, f"[{value(row['publisher']) or 'source'}]") for row in found)

    def _participations_section(self, entity: Entity, participations: list[dict], links: html.Links) -> str:
        if not participations:
            return ""
        rows_html = []
        for row in participations:
            role = html.esc(value(row["roleLabel"]) or "")
            sources = self._participation_sources(row["participation"].value)
            money = html.esc(html.format_money(row["contribution"].value)) if row["contribution"] is not None else ""
            if entity.kind == "project":
                country = links.entity(row["country"].value, value(row["countryLabel"]) or "") if row["country"] is not None else ""
                rows_html.append([links.entity(row["org"].value, value(row["orgLabel"]) or ""), role, country, money, sources])
            else:
                runs = " – ".join(html.format_literal(row[k]) for k in ("start", "end") if row[k] is not None)
                rows_html.append([links.entity(row["project"].value, value(row["projectLabel"]) or ""), role, runs, money, sources])
        headers = (["organisation", "role", "country", "EU contribution", "source"] if entity.kind == "project"
                   else ["project", "role", "runs", "EU contribution", "source"])
        title = "Participants" if entity.kind == "project" else "Projects"
        return html.section(title, html.table(headers, rows_html, "participations"), "participants")

    def _backlinks_section(self, backlinks: list[dict], links: html.Links) -> str:
        grouped: dict[str, list[str]] = {}
        for row in backlinks:
            label = value(row["propertyLabel"]) or row["property"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            subject = row["subject"].value
            if kind_of(subject) is None:
                continue
            grouped.setdefault(label, []).append(links.entity(subject, value(row["subjectLabel"]) or slug_of(subject)))
        if not grouped:
            return ""
        cells = [[html.esc(label), ", ".join(items)] for label, items in sorted(grouped.items())]
        return html.section("Linked from", html.table(["how", "who"], cells, "backlinks"), "linked-from")

    def _sources_list(self, sources: list[dict]) -> str:
        items = []
        for number, row in enumerate(sources, start=1):
            extra = ", ".join(part for part in (value(row["publisher"]),
                                                f"retrieved {html.format_date(row['retrieved'].value)}" if row["retrieved"] is not None else None)
                              if part)
            items.append(f'<li id="source-{number}">{html.external_link(row["url"].value, value(row["title"]) or row["url"].value)}'
                         f'{" — " + html.esc(extra) if extra else ""}</li>')
        return f'<ol class="sources">{"".join(items)}</ol>'

    # --- embeddable pieces -----------------------------------------------------------------

    def _write_embeds(self, entity: Entity, base: str, participations: list[dict], backlinks: list[dict],
                      facts: list[dict], document: dict) -> None:
        """member table, value-chain strip and JSON-LD of a project or cluster, each pasted as is."""
        if entity.kind == "project":
            table = html.inline_table(["organisation", "role", "country"], [
                [self.absolute(row["org"].value, value(row["orgLabel"]) or ""), html.esc(value(row["roleLabel"]) or ""),
                 html.esc(value(row["countryLabel"]) or "")] for row in participations])
            covered = {row["value"].value for row in facts if row["property"].value == REM + "coversStage"}
        else:
            members = sorted({(row["subject"].value, value(row["subjectLabel"]) or slug_of(row["subject"].value)) for row in backlinks
                              if row["property"].value == REM + "memberOfCluster"}
                             | {(row["value"].value, value(row["valueLabel"]) or slug_of(row["value"].value)) for row in facts
                                if row["property"].value == REM + "hasClusterMember"}, key=lambda m: (m[1].lower(), m[0]))
            table = html.inline_table(["member", "kind"], [[self.absolute(iri, label), html.esc(html.KIND_NAMES.get(kind_of(iri) or "", ""))]
                                                          for iri, label in members])
            covered = {iri for iri in part(self.store, [entity.iri]) if kind_of(iri) == "stage"}
        title = f"{entity.label}: members" if entity.kind == "cluster" else f"{entity.label}: partners"
        self._write(base + "embed-members.html", html.embed_fragment(title, table))
        strip = html.chain_strip(self.chain, covered, lambda iri: self.base + entity_path(iri) if self.in_site(iri) else None)
        self._write(base + "embed-chain.html", html.embed_fragment(f"{entity.label}: value-chain stages", strip))
        self._write(base + "embed-jsonld.html", html.script_tag(document) + "\n")

    # --- index pages -----------------------------------------------------------------------

    def _write_groups(self) -> None:
        """stages.html, countries.html and programmes.html from one query, its rows sorted here by
        index, group and member (the query lists them by member, so that it can be paged)."""
        titles = {"stage": ("By value-chain stage", "stages.html"), "country": ("By country", "countries.html"),
                  "programme": ("By funding programme", "programmes.html")}
        links = self.links(0)
        current, handle, group, tail = None, None, None, ""
        written = set()
        for row in sorted(rows(self.store, "site-groups"), key=_group_order):
            index = row["index"].value
            member, group_iri = row["member"].value, row["group"].value
            if not self.in_site(member):
                continue
            if index != current:
                if handle:
                    handle.write("</ul></section>" + tail)
                    handle.close()
                title, path = titles[index]
                head, tail = html.frame(title, "\x00", links).split("\x00")
                handle = open(self.folder / path, "w", encoding="utf-8")
                handle.write(head + f"<h1>{html.esc(title)}</h1>")
                if index == "stage":
                    handle.write(html.chain_strip(self.chain, set(), lambda iri: self.in_site(iri)))
                current, group = index, None
                written.add(index)
                self.pages += 1
            if group_iri != group:
                if group is not None:
                    handle.write("</ul></section>")
                label = value(row["groupLabel"]) or slug_of(group_iri)
                handle.write(f'<section id="{html.esc(slug_of(group_iri))}"><h2>{links.entity(group_iri, label)}</h2><ul class="columns">')
                group = group_iri
            handle.write(f"<li>{links.entity(member, value(row['memberLabel']) or slug_of(member))}</li>")
        if handle:
            handle.write("</ul></section>" + tail)
            handle.close()
        for index in sorted(set(titles) - written):
            title, path = titles[index]
            self._write(path, html.frame(title, f"<h1>{html.esc(title)}</h1><p>Nothing recorded in this part of the graph.</p>", links))

    def _search_page(self) -> str:
        body = ('<h1>Search</h1><p>Type a name, an acronym or a word; the search runs in your browser, nothing is sent.</p>'
                '<p><input id="q" type="search" autofocus aria-label="Search"></p><p id="status"></p><ol id="results"></ol>'
                '<script src="search-index.js"></script><script src="assets/search.js"></script>')
        return html.frame("Search", body, self.links(0))

    def _home_page(self) -> str:
        links = self.links(0)
        title = self._title()
        kinds = "".join(f'<li><a href="id/{kind}/index.html">{html.esc(KIND_TITLES[kind])}</a>: {self.counts[kind]}</li>'
                        for kind in PAGE_KINDS)
        body = (f"<h1>{html.esc(title)}</h1><p>Who works on which stage of the European rare-earth and permanent-magnet value chain, "
                f"with whom and funded by whom; every fact links the page it was taken from.</p>"
                f"<h2>The value chain</h2>{html.chain_strip(self.chain, set(), self.in_site)}"
                f'<p><a href="stages.html">Projects by stage</a> · <a href="countries.html">organisations by country</a> · '
                f'<a href="programmes.html">projects by programme</a> · <a href="search.html">search</a></p>'
                f"<h2>Entities</h2><ul>{kinds}</ul>"
                f'<h2>Tools</h2><ul><li><a href="explorer.html">Explorer</a>: the network, interactive</li>'
                f'<li><a href="report.html">Coordinator report</a>: gaps, synergies, continuity</li>'
                f'<li><a href="dataset.html">The dataset</a>: DCAT/VoID description and full downloads</li>'
                f'<li><a href="ontology/index.html">The ontology</a></li></ul>')
        return html.frame(title, body, links)

    def _title(self) -> str:
        roots = [*self.options.clusters, *self.options.projects]
        suffix = f" — {', '.join(roots)}" if roots else ""
        return f"remkg: the European rare-earth and permanent-magnet ecosystem{suffix}"

    def _ontology_page(self) -> str:
        terms: dict[str, dict] = {}
        for row in rows(self.store, "site-ontology"):
            term = terms.setdefault(row["term"].value, {"kind": row["kind"].value, "label": value(row["label"]),
                                                         "definition": value(row["definition"]), "supers": []})
            if row["super"] is not None:
                term["supers"].append(row["super"].value)
        sections = []
        for kind, title in (("class", "Classes"), ("object property", "Object properties"), ("datatype property", "Datatype properties")):
            items = []
            for iri, term in sorted(terms.items()):
                if term["kind"] != kind:
                    continue
                name = iri.rsplit("#", 1)[-1]
                supers = ", ".join(html.esc(s.replace(REM, "rem:")) if not s.startswith(REM)
                                   else f'<a href="#{html.esc(s.rsplit("#", 1)[-1])}">rem:{html.esc(s.rsplit("#", 1)[-1])}</a>'
                                   for s in sorted(term["supers"]))
                items.append(f'<dt id="{html.esc(name)}"><code>rem:{html.esc(name)}</code> {html.esc(term["label"] or "")}</dt>'
                             f'<dd>{html.esc(term["definition"] or "")}{"<br>specialises " + supers if supers else ""}</dd>')
            sections.append(html.section(title, f"<dl>{''.join(items)}</dl>"))
        body = (f"<h1>The remkg ontology</h1><p>Namespace <code>{html.esc(REM)}</code>. {len(terms)} terms; the whole ontology is in the "
                f'<a href="../dataset.html">dumps</a> (named graph <code>ontology</code>).</p>' + "".join(sections))
        return html.frame("Ontology", body, self.links(1))

    # --- dataset, dumps, explorer, report --------------------------------------------------

    def _write_dumps(self) -> int:
        """Full dumps, streamed by pyoxigraph from the store (or from the selection). Returns the triple count."""
        import pyoxigraph as ox

        source = self.store if self.dump_store is None else self.dump_store
        prefixes = {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}
        folder = self.folder / "dumps"
        folder.mkdir(exist_ok=True)
        union = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        for name, (fmt, _) in DUMPS.items():
            rdf_format = getattr(ox.RdfFormat, fmt)
            if fmt in ("N_QUADS", "TRIG"):
                source.dump(str(folder / name), rdf_format, prefixes=None if fmt == "N_QUADS" else prefixes)
            else:
                triples = source.query(union, use_default_graph_as_union=True)
                ox.serialize(triples, str(folder / name), rdf_format, prefixes=None if fmt == "N_TRIPLES" else prefixes)
        with open(folder / "remkg.nt", "rb") as dump:
            return sum(1 for line in dump if line.strip())

    def _write_dataset(self, triples: int) -> None:
        from rdflib import BNode, Literal, URIRef
        from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, XSD

        graph = Graph()
        bind_prefixes(graph)
        dataset = URIRef(self.base + "dataset")
        graph.add((dataset, RDF.type, DCAT.Dataset))
        graph.add((dataset, RDF.type, VOID.Dataset))
        graph.add((dataset, DCTERMS.title, Literal(self._title(), lang="en")))
        graph.add((dataset, DCTERMS.description, Literal(
            "Projects, organisations, clusters, programmes, events and the value chain of the European rare-earth and "
            "permanent-magnet ecosystem, each fact with the URL of the page it was taken from.", lang="en")))
        publisher = BNode("publisher")
        graph.add((dataset, DCTERMS.publisher, publisher))
        graph.add((publisher, RDF.type, FOAF.Agent))
        graph.add((publisher, FOAF.name, Literal(self.options.publisher)))
        if self.options.licence:
            graph.add((dataset, DCTERMS.license, URIRef(self.options.licence)))
        built = self._build_day()
        if built:
            graph.add((dataset, DCTERMS.modified, Literal(built, datatype=XSD.date)))
        graph.add((dataset, DCAT.landingPage, URIRef(self.base)))
        graph.add((dataset, VOID.uriSpace, Literal(ID_BASE)))
        graph.add((dataset, VOID.triples, Literal(triples)))
        graph.add((dataset, VOID.entities, Literal(sum(self.counts.values()))))
        partitions = list(rows(self.store if self.dump_store is None else self.dump_store, "site-class-partition"))
        graph.add((dataset, VOID.classes, Literal(len(partitions))))
        for row in partitions:
            partition = BNode("partition-" + "".join(c if c.isalnum() else "-" for c in row["class"].value))
            graph.add((dataset, VOID.classPartition, partition))
            graph.add((partition, VOID["class"], URIRef(row["class"].value)))
            graph.add((partition, VOID.entities, Literal(int(row["entities"].value))))
        for vocabulary in ("https://schema.org/", REM):
            graph.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
        for url in sorted(self.source_urls):
            if url.startswith(("http://", "https://")):
                graph.add((dataset, DCTERMS.source, URIRef(url)))
        for name, (_, media) in DUMPS.items():
            download = URIRef(self.base + "dumps/" + name)
            distribution = BNode("dump-" + name.replace(".", "-"))
            graph.add((dataset, VOID.dataDump, download))
            graph.add((dataset, DCAT.distribution, distribution))
            graph.add((distribution, RDF.type, DCAT.Distribution))
            graph.add((distribution, DCAT.downloadURL, download))
            graph.add((distribution, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + media)))
        self._write("void.ttl", graph.serialize(format="turtle"))
        facts = [["title", html.esc(self._title())], ["publisher", html.esc(self.options.publisher)],
                 ["licence", html.external_link(self.options.licence) if self.options.licence else "not stated (remkg site --licence URL)"],
                 ["last build", html.esc(html.format_date(built) if built else "unknown")],
                 ["triples", f"{triples:,}"], ["entities with pages", f"{sum(self.counts.values()):,}"],
                 ["classes", str(len(partitions))], ["source pages", f"{len(self.source_urls):,}"]]
        downloads = [[f'<a href="dumps/{name}">{name}</a>', html.esc(media), f"{(self.folder / 'dumps' / name).stat().st_size:,} bytes"]
                     for name, (_, media) in DUMPS.items()]
        body = (f"<h1>The dataset</h1>{html.table(['', ''], facts)}"
                f'<p>Described with DCAT and VoID in <a href="void.ttl">void.ttl</a>; JSON-LD context: '
                f'<a href="context.jsonld">context.jsonld</a>; <a href="sitemap.xml">sitemap</a>.</p>'
                f"<h2>Downloads</h2>{html.table(['file', 'media type', 'size'], downloads)}")
        self._write("dataset.html", html.frame("Dataset", body, self.links(0), head='<link rel="alternate" type="text/turtle" href="void.ttl">'))

    def _build_day(self) -> str | None:
        """The day the store was built, from the build folder's marker (so two runs agree)."""
        marker = read_marker(Path(self.output_dir))
        return marker["written"][:10] if marker and marker.get("written") else None

    def _placeholder(self, path: str, title: str, why: str) -> None:
        self._write(path, html.frame(title, f"<h1>{html.esc(title)}</h1><p>{html.esc(why)}</p>", self.links(0)))

    def _write_explorer(self) -> None:
        from kg.publish.viz import Selection, write_explorer

        if not self.options.explorer:
            self._placeholder("explorer.html", "Explorer", "Not included in this site (remkg site --no-explorer); run remkg viz.")
            return
        roots = [*self.options.clusters]
        selection = Selection(cluster=roots[0]) if roots else Selection(focus=self.options.projects[0], depth=1) if self.options.projects else Selection()
        try:
            write_explorer(self.output_dir, self.folder / "explorer.html", selection, self.options.day)
            self.pages += 1
        except KeyError as error:  # e.g. a cluster with no sourced members is not in the network
            self._placeholder("explorer.html", "Explorer", f"Nothing to draw for this part of the graph: {error}")

    def _write_report(self) -> None:
        if not self.options.report:
            self._placeholder("report.html", "Coordinator report", "Not included in this site (remkg site --no-report); run remkg report.")
            return
        from kg.analysis.run import analyse
        from kg.publish.report import render_report

        analysis = analyse(self.output_dir, self.options.day, 24, write=False)
        challenges = [{k: value(v) for k, v in row.items()} for row in rows(self.store, "challenges-and-projects")]
        self._write("report.html", render_report(analysis.eco, analysis.day, 24, analysis.gaps, analysis.synergies, analysis.brokers,
                                                 analysis.communities, analysis.pilots, challenges, analysis.states))


def _group_order(row: dict) -> tuple:
    """A site-groups row's place on the index pages: by index, group label, group, member label,
    member; an unbound label first, as SPARQL's ORDER BY puts it."""
    return tuple((row[name] is not None, value(row[name]) or "") for name in ("index", "groupLabel", "group", "memberLabel", "member"))


def _mkparent(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _memory_store():
    import pyoxigraph as ox

    return ox.Store()
