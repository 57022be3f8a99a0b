"""The coordinator report: one self-contained HTML page (inline CSS and SVG, no script, no
request leaves the file) that a coordinator can open offline and take to a meeting. Every table
names the command or named query that reproduces it."""

from __future__ import annotations

import datetime as dt
from html import escape

from kg.analysis.gaps import Gap, add_months, coverage, projects_on_stage
from kg.analysis.network import Ecosystem
from kg.analysis.pilots import CRITERIA, PilotScore
from kg.analysis.synergies import Broker, Community, Synergy
from kg.publish.colours import GAP_COLOUR, stage_colour

CELL_W, CELL_H, LABEL_W = 46, 22, 250
SEVERITY_COLOUR = {"high": "#c0392b", "medium": "#e67e22", "low": "#7f8c8d"}


def _colour(count: int, most: int) -> str:
    if count == 0:
        return "#f4f4f4"
    strength = 0.25 + 0.75 * count / max(most, 1)
    return f"rgba(31, 119, 180, {strength:.2f})"


def heatmap_svg(eco: Ecosystem, day: dt.date) -> str:
    """Stages × years: projects active at any time in the year; a red line marks the analysis date."""
    dated = [p for p in eco.projects.values() if p.start]
    first = min([p.start.year for p in dated] + [day.year])
    last = max([(p.end or day).year for p in dated] + [day.year])
    years = list(range(first, last + 1))
    stages = eco.top_level_stages()
    counts = {}
    for stage in stages:
        for year in years:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            counts[stage, year] = sum(
                1 for p in eco.projects if stage in eco.top_stages.get(p, set()) and eco.projects[p].start
                and eco.projects[p].start <= end and (eco.projects[p].end is None or eco.projects[p].end >= start))
    most = max(counts.values(), default=0)
    width, height = LABEL_W + CELL_W * len(years) + 10, CELL_H * (len(stages) + 1) + 10
    parts = [f'<svg id="heatmap" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="Active projects per stage and year">']
    for column, year in enumerate(years):
        parts.append(f'<text x="{LABEL_W + column * CELL_W + CELL_W / 2}" y="15" text-anchor="middle" class="axis">{year}</text>')
    for row, stage in enumerate(stages):
        y = CELL_H * (row + 1)
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" class="axis">{escape(eco.label(stage))}</text>')
        for column, year in enumerate(years):
            count = counts[stage, year]
            parts.append(f'<rect class="cell" data-stage="{escape(eco.label(stage))}" data-year="{year}" data-count="{count}" '
                         f'x="{LABEL_W + column * CELL_W}" y="{y}" width="{CELL_W - 2}" height="{CELL_H - 2}" '
                         f'fill="{_colour(count, most)}"><title>{escape(eco.label(stage))}, {year}: {count} project(s)</title></rect>')
            if count:
                parts.append(f'<text x="{LABEL_W + column * CELL_W + CELL_W / 2 - 1}" y="{y + 15}" text-anchor="middle" class="count">{count}</text>')
    x = LABEL_W + (years.index(day.year) + (day.timetuple().tm_yday - 1) / 366) * CELL_W
    parts.append(f'<line id="date-line" x1="{x:.1f}" y1="{CELL_H - 4}" x2="{x:.1f}" y2="{height - 6}" stroke="#c0392b" stroke-width="2"/>')
    parts.append("</svg>")
    return "".join(parts)


def chain_svg(eco: Ecosystem, day: dt.date, gaps: list[Gap]) -> str:
    """The chain stages in order; uncovered stages and broken links in red."""
    stages = eco.chain_stages()
    broken = {g.subject for g in gaps if g.kind == "chain-break" and "(next)" in g.label}
    box_w, gap_w, height = 104, 18, 96
    width = len(stages) * (box_w + gap_w)
    parts = [f'<svg id="chain" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="Value chain">']
    for index, stage in enumerate(stages):
        x = index * (box_w + gap_w)
        active = len(projects_on_stage(eco, stage, day))
        fill = "#fdecea" if not active else "#e8f1fb"
        stroke = GAP_COLOUR if not active else stage_colour(stage)
        parts.append(f'<rect class="stage{" uncovered" if not active else ""}" x="{x}" y="10" width="{box_w}" height="64" rx="6" '
                     f'fill="{fill}" stroke="{stroke}" stroke-width="2"/>')
        words, lines, current = eco.label(stage).split(), [], ""
        for word in words:
            if len(current) + len(word) > 16:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}".strip()
        lines.append(current)
        for n, line in enumerate(lines[:3]):
            parts.append(f'<text x="{x + box_w / 2}" y="{28 + n * 13}" text-anchor="middle" class="stage-label">{escape(line)}</text>')
        parts.append(f'<text x="{x + box_w / 2}" y="88" text-anchor="middle" class="axis">{active} active</text>')
        if index < len(stages) - 1:
            colour, dash = ("#c0392b", ' stroke-dasharray="4 3"') if stage in broken else ("#555", "")
            parts.append(f'<line x1="{x + box_w + 2}" y1="42" x2="{x + box_w + gap_w - 4}" y2="42" stroke="{colour}" stroke-width="2"{dash}/>')
    parts.append("</svg>")
    return "".join(parts)


def _table(caption: str, reproduce: str, headers: list[str], rows: list[list[str]], table_id: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows) or \
        f'<tr><td colspan="{len(headers)}"><em>none</em></td></tr>'
    return (f'<table id="{table_id}"><caption>{escape(caption)}<span class="reproduce">Reproduce: <code>{escape(reproduce)}</code></span>'
            f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def continuity_rows(eco: Ecosystem, day: dt.date, horizon_months: int) -> tuple[list[str], list[list[str]]]:
    quarters = [add_months(day, m) for m in range(0, horizon_months + 1, 3)]
    rows = []
    for stage in eco.top_level_stages():
        counts = [len(projects_on_stage(eco, stage, q)) for q in quarters]
        cells = [f'<span class="q{min(c, 3)}">{c}</span>' for c in counts]
        rows.append([escape(eco.label(stage)), *cells])
    return [q.isoformat() for q in quarters], rows


def render_report(eco: Ecosystem, day: dt.date, horizon_months: int, gaps: list[Gap], synergies: list[Synergy],
                  broker_rows: list[Broker], community_rows: list[Community], pilots: list[PilotScore],
                  challenges: list[dict], resting_on_suggestions: int | None = None) -> str:
    """The whole report as one HTML string; `resting_on_suggestions` (when machine suggestions were used)
    is the number of gaps and synergy candidates that differ from an analysis without them."""
    suggestions = ("Machine suggestions were not used: stages, capabilities and materials are curated facts only."
                   if resting_on_suggestions is None else
                   f"Machine suggestions (stages, capabilities and materials proposed from project texts, {len(eco.suggested)} "
                   f"project–concept links) were used: {resting_on_suggestions} of the gaps and synergy candidates "
                   "rest on them (they differ from an analysis of curated facts alone).")
    cov = coverage(eco, day)
    cov_rows = [[escape(c.label), escape(", ".join(c.projects)) or "—", str(c.organisations), escape(", ".join(c.countries)) or "—",
                 f"{c.eu_contribution:,.0f}" if c.eu_contribution else "not recorded", escape(c.trl_range)] for c in cov]
    quarter_heads, quarter_rows = continuity_rows(eco, day, horizon_months)
    gap_rows = [[f'<span class="sev" style="background:{SEVERITY_COLOUR[g.severity]}">{g.severity}</span>', escape(g.kind),
                 escape(g.label), escape(g.evidence)] for g in gaps]
    syn_rows = [[escape(s.kind), escape(eco.label(s.a)), escape(eco.label(s.b)), f"{s.score:g}", escape(s.reason)] for s in synergies[:25]]
    broker_table = [[escape(b.name), f"{b.betweenness:.3f}", str(b.projects), str(b.stages_bridged)] for b in broker_rows]
    community_table = [[str(i + 1), escape(", ".join(c.members)), escape(", ".join(c.dominant_stages))] for i, c in enumerate(community_rows)]
    pilot_rows = [[escape(p.acronym), f"{p.total:.2f}"] + [f"{p.parts[c]:.2f} <small>({escape(p.notes[c])})</small>" for c in CRITERIA]
                  for p in pilots]
    challenge_rows = [[escape(r["challenge"]), escape(r["projectCount"]), escape(r["projects"] or "—"), escape(r["eventCount"])] for r in challenges]
    counts = {kind: sum(1 for g in gaps if g.kind == kind) for kind in sorted({g.kind for g in gaps})}
    summary = ", ".join(f"{n} {escape(kind)}" for kind, n in counts.items()) or "none"
    date = day.isoformat()
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>remkg gap report, {date}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 1200px; }}
h1 {{ margin-bottom: 0; }} h2 {{ border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2rem; }}
table {{ border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: .9rem; width: 100%; }}
caption {{ text-align: left; font-weight: 600; margin-bottom: .3rem; }}
.reproduce {{ display: block; font-weight: 400; font-size: .8rem; color: #555; }}
th, td {{ border: 1px solid #ddd; padding: .3rem .5rem; vertical-align: top; text-align: left; }}
th {{ background: #f0f3f6; }}
.axis {{ font-size: 11px; fill: #333; }} .count {{ font-size: 11px; fill: #fff; }} .stage-label {{ font-size: 11px; fill: #222; }}
.sev {{ color: #fff; border-radius: 3px; padding: 0 .4rem; }}
.q0 {{ color: #c0392b; font-weight: 700; }} .q1 {{ color: #e67e22; }} .q2, .q3 {{ color: #1f77b4; }}
.lead {{ color: #555; }}
</style></head>
<body>
<h1>European rare-earth and magnet ecosystem: gaps and synergies</h1>
<p class="lead">Analysis date {date}, horizon {horizon_months} months. {len(eco.projects)} projects,
{len(eco.organisations)} organisations, {len(eco.roles)} participations in the graph. Gaps found: {summary}.
Projects without recorded dates count as not active: see each project's sources.
{escape(suggestions)}</p>

<h2>Coverage over time</h2>
<p>Projects active per stage and year (darker = more); the red line is the analysis date.
Reproduce: <code>remkg query stage-coverage-on-date --param date=YYYY-07-01</code> for any year.</p>
{heatmap_svg(eco, day)}

<h2>The chain on {date}</h2>
<p>Stages with no active project are red; a dashed red link is a chain break (nobody active works on both sides).
Reproduce: <code>remkg gaps --date {date}</code>.</p>
{chain_svg(eco, day, gaps)}
{_table(f"Coverage per stage on {date}", f"remkg query stage-coverage-on-date --param date={date}",
        ["stage", "active projects", "organisations", "countries", "EU contribution (EUR)", "TRL range"], cov_rows, "coverage")}

<h2>Continuity</h2>
{_table(f"Active projects per stage, quarter by quarter over {horizon_months} months", f"remkg gaps --date {date} --horizon {horizon_months}",
        ["stage", *quarter_heads], quarter_rows, "continuity")}

<h2>Gaps</h2>
{_table("All gaps, most severe first", f"remkg gaps --date {date} --horizon {horizon_months}",
        ["severity", "kind", "about", "evidence"], gap_rows, "gaps")}

<h2>Synergies</h2>
{_table("Top synergy candidates", "remkg synergies", ["kind", "project", "project", "score", "why"], syn_rows, "synergies")}
{_table("Brokers: organisations that connect the network", "remkg synergies", ["organisation", "betweenness", "projects", "stages bridged"], broker_table, "brokers")}
{_table("Communities of the collaboration network (Louvain)", "remkg synergies", ["#", "members", "dominant stages"], community_table, "communities")}

<h2>Challenges</h2>
{_table("Challenges and who addresses them (0 projects = nobody)", "remkg query challenges-and-projects",
        ["challenge", "projects", "which", "events"], challenge_rows, "challenges")}

<h2>Pilot candidates</h2>
{_table("Pilot scoring: each criterion from 0 to 1, total = mean", f"remkg report --date {date}",
        ["project", "total", *CRITERIA], pilot_rows, "pilots")}
<p class="lead">Generated by remkg from the knowledge graph; every fact in it links to its source in the graph
(<code>remkg query entity-provenance --param entity=IRI</code>).</p>
</body></html>
"""
