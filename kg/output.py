"""Rendering query results as a table, CSV, TSV or JSON."""

from __future__ import annotations

import csv
import io
import json

from rich.table import Table

from kg.query import Result

FORMATS = ("table", "csv", "tsv", "json")


def render(result: Result, fmt: str):
    """A rich Table for `table`; text for the others (CSV/TSV with a header row, JSON as a list of objects)."""
    if fmt == "table":
        table = Table(show_lines=False)
        for column in result.columns:
            table.add_column(column)
        for row in result.rows:
            table.add_row(*[row[c] if row[c] is not None else "" for c in result.columns])
        return table
    if fmt == "json":
        return json.dumps(result.rows, indent=2, ensure_ascii=False)
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.columns)
        for row in result.rows:
            writer.writerow(["" if row[c] is None else row[c] for c in result.columns])
        return buffer.getvalue().rstrip("\n")
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
