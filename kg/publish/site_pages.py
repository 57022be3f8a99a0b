"""HTML of the static site: the page frame, entity pages, index pages and embeddable fragments.

Everything taken from the graph reaches the page through `esc` (text and attributes) or
`script_json` (JSON-LD), so data never becomes markup; links to the outside are written only for
http(s) URLs. Pages use relative links and one local stylesheet, so the site works from
`file://` and from any static host; fragments meant for other websites carry inline styles and
absolute links instead, since they are pasted into pages remkg does not control.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from html import escape

from kg.publish.colours import KIND_STYLE, stage_colour
from kg.publish.jsonld import script_tag
from kg.publish.site_data import KIND_TITLES, kind_of
from kg.vocab import ID_BASE

XSD = "http://www.w3.org/2001/XMLSchema#"
COUNTRY_BASE = ID_BASE + "country/"
MONEY_PROPERTIES = ("https://w3id.org/remkg/ontology#euContribution", "https://w3id.org/remkg/ontology#totalCost")
KIND_NAMES = {"project": "project", "org": "organisation", "cluster": "cluster or network", "programme": "funding programme",
              "event": "event", "stage": "value-chain stage or theme", "capability": "capability", "material": "material",
              "sector": "application sector", "challenge": "challenge"}


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def external_link(url: str, text: str | None = None) -> str:
    """A link out, only for http(s) URLs; anything else (javascript:, data:) is shown as text."""
    if url.startswith(("https://", "http://")):
        return f'<a href="{esc(url)}" rel="nofollow noopener">{esc(text or url)}</a>'
    return esc(text or url)


def format_date(text: str) -> str:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return text
    return f"{day.day} {day.strftime('%B')} {day.year}"


def format_money(text: str) -> str:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return text
    return f"€{amount:,.0f}" if amount == amount.to_integral() else f"€{amount:,.2f}"


def format_literal(term, prop: str = "") -> str:
    """A literal for people: dates spelled out, money in euros, booleans as yes/no, links linked."""
    datatype = term.datatype.value if term.datatype is not None else ""
    if prop in MONEY_PROPERTIES:
        return esc(format_money(term.value))
    if datatype == XSD + "date":
        return esc(format_date(term.value))
    if datatype == XSD + "boolean":
        return "yes" if term.value in ("true", "1") else "no"
    if datatype == XSD + "anyURI":
        return external_link(term.value)
    return esc(term.value)


class Links:
    """Relative links from one page to the others; IRIs outside the site link to the IRI itself."""

    def __init__(self, root: str, in_site):
        self.root = root  # "../../../" from id/kind/slug/index.html, "" from the top
        self.in_site = in_site

    def to(self, path: str) -> str:
        return self.root + path

    def entity(self, iri: str, label: str) -> str:
        """A link to the entity's page; a country to its section of the country index; an entity
        of a kind with pages but outside this (partial) site to its IRI; anything else as text."""
        path = self.in_site(iri)
        if path:
            return f'<a href="{esc(self.to(path))}">{esc(label)}</a>'
        if iri.startswith(COUNTRY_BASE):
            return f'<a href="{esc(self.to("countries.html"))}#{esc(iri[len(COUNTRY_BASE):])}">{esc(label)}</a>'
        return external_link(iri, label) if kind_of(iri) else esc(label)


def frame(title: str, body: str, links: Links, head: str = "", description: str = "") -> str:
    """A whole page: header with navigation and the offline search box, the body, a footer."""
    nav = "".join(f'<a href="{esc(links.to(path))}">{esc(name)}</a>' for name, path in NAVIGATION)
    meta = f'<meta name="description" content="{esc(description)}">' if description else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{esc(title)} · remkg</title>{meta}'
            f'<link rel="stylesheet" href="{esc(links.to("assets/site.css"))}">{head}</head>\n'
            f'<body><header><a class="home" href="{esc(links.to("index.html"))}">remkg</a><nav>{nav}</nav>'
            f'<form class="search" action="{esc(links.to("search.html"))}" method="get" role="search">'
            f'<input type="search" name="q" placeholder="Search projects, organisations…" aria-label="Search">'
            f'<button type="submit">Search</button></form></header>\n'
            f'<main>\n{body}\n</main>\n'
            f'<footer>remkg: the European rare-earth and permanent-magnet ecosystem as linked data. Every fact links the '
            f'page it was taken from. <a href="{esc(links.to("dataset.html"))}">About the dataset and downloads</a>.</footer>'
            f'</body></html>\n')


NAVIGATION = [("Projects", "id/project/index.html"), ("Organisations", "id/org/index.html"),
              ("Clusters", "id/cluster/index.html"), ("Value chain", "stages.html"), ("Countries", "countries.html"),
              ("Programmes", "programmes.html"), ("Explorer", "explorer.html"), ("Report", "report.html"),
              ("Data", "dataset.html"), ("Ontology", "ontology/index.html")]


def table(headers: list[str], rows: list[list[str]], css: str = "") -> str:
    """An HTML table from cells that are already HTML (escape before calling)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def chain_strip(stages: list[tuple[str, str]], covered: set[str], href=None, absolute: bool = False) -> str:
    """The value chain as a row of coloured boxes, as on the report; covered stages filled.

    `href(iri)` gives each stage's link; `absolute` writes inline styles only (for pasting)."""
    items = []
    for iri, label in stages:
        colour = stage_colour(iri)
        on = iri in covered
        style = (f"display:inline-block;margin:2px;padding:4px 8px;border:2px solid {colour};border-radius:6px;"
                 f"font:13px sans-serif;background:{colour if on else '#ffffff'};color:{'#ffffff' if on else '#333333'}")
        text = esc(label)
        link = href(iri) if href else None
        if link:
            text = f'<a href="{esc(link)}" style="color:inherit">{text}</a>'
        items.append(f'<li class="stage{" covered" if on else ""}" data-stage="{esc(iri.rsplit("/", 1)[-1])}" style="{style}">{text}</li>')
    return f'<ol class="remkg-chain" style="list-style:none;padding:0;margin:0">{"".join(items)}</ol>'


def kind_badge(kind: str) -> str:
    colour = KIND_STYLE.get("organisation" if kind == "org" else kind, ("", "#dddddd"))[1]
    return f'<span class="kind" style="border-color:{colour}">{esc(KIND_NAMES.get(kind, kind))}</span>'


def entity_page(entity, summary: str, sections: list[str], jsonld: dict, links: Links) -> str:
    head = (f'<link rel="alternate" type="text/turtle" href="index.ttl">'
            f'<link rel="alternate" type="application/ld+json" href="index.jsonld">'
            f'<link rel="canonical" href="{esc(entity.iri)}">{script_tag(jsonld)}')
    body = (f'<p class="breadcrumb"><a href="{esc(links.to(f"id/{entity.kind}/index.html"))}">{esc(KIND_TITLES[entity.kind])}</a></p>'
            f'<h1>{esc(entity.label)} {kind_badge(entity.kind)}</h1>'
            f'<p class="iri">IRI <code>{esc(entity.iri)}</code> · as <a href="index.ttl">Turtle</a> · as '
            f'<a href="index.jsonld">JSON-LD</a></p>'
            f'<p class="summary">{summary}</p>' + "".join(sections))
    return frame(entity.label, body, links, head, description=_plain(summary))


def _plain(html_text: str) -> str:
    """The summary without tags, for the description meta element (it is re-escaped there)."""
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html_text))


def section(title: str, content: str, anchor: str = "") -> str:
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return f"<section{ident}><h2>{esc(title)}</h2>{content}</section>"


def embed_fragment(title: str, content: str) -> str:
    """A fragment a webmaster pastes into an existing page: no <html>, inline styles, absolute links."""
    return (f'<!-- remkg: {esc(title)}; paste as is. Generated by remkg site. -->\n'
            f'<div class="remkg-embed" style="font:14px sans-serif">{content}</div>\n')


def inline_table(headers: list[str], rows: list[list[str]]) -> str:
    """A table with inline styles only, for fragments pasted into other sites."""
    cell = "border-bottom:1px solid #dddddd;padding:3px 8px;text-align:left"
    head = "".join(f'<th style="{cell}">{esc(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f'<td style="{cell}">{c}</td>' for c in row) + "</tr>" for row in rows)
    return f'<table style="border-collapse:collapse"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


STYLESHEET = """
body { font-family: system-ui, sans-serif; margin: 0; color: #222; line-height: 1.45; }
header { background: #1f3b57; color: #fff; padding: .5rem 1rem; display: flex; flex-wrap: wrap; gap: .8rem; align-items: center; }
header a { color: #fff; text-decoration: none; margin-right: .7rem; font-size: .9rem; }
header a.home { font-weight: bold; font-size: 1.1rem; }
header form.search { margin-left: auto; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
footer { color: #555; font-size: .8rem; padding: 1rem; border-top: 1px solid #ddd; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 1.6rem; }
table { border-collapse: collapse; margin: .4rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .6rem; text-align: left; vertical-align: top; }
.kind { font-size: .75rem; border: 2px solid #ccc; border-radius: 8px; padding: 0 .4rem; vertical-align: middle; font-weight: normal; }
.iri { font-size: .8rem; color: #555; }
.breadcrumb { font-size: .85rem; margin: 0; }
.sources li { font-size: .85rem; }
ul.columns { columns: 3 16rem; }
#results li { margin: .2rem 0; }
"""

SEARCH_SCRIPT = """(function () {
  "use strict";
  var entries = window.remkgSearch || [];
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("status");
  function show(query) {
    var words = query.toLowerCase().split(/\\s+/).filter(function (w) { return w.length > 0; });
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!words.length) { status.textContent = entries.length + " entries"; return; }
    var hits = entries.filter(function (e) {
      var text = (e[0] + " " + e[3]).toLowerCase();
      return words.every(function (w) { return text.indexOf(w) >= 0; });
    });
    hits.sort(function (a, b) {
      var ea = a[0].toLowerCase() === query.toLowerCase() ? 0 : 1, eb = b[0].toLowerCase() === query.toLowerCase() ? 0 : 1;
      return ea - eb || a[0].localeCompare(b[0]);
    });
    hits.slice(0, 200).forEach(function (e) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = e[2];
      link.textContent = e[0];
      item.appendChild(link);
      item.appendChild(document.createTextNode(" (" + e[1] + ")"));
      list.appendChild(item);
    });
    status.textContent = hits.length + " found";
  }
  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  input.addEventListener("input", function () { show(input.value); });
  show(input.value);
  window.remkgSearchReady = true;
})();
"""
