"""The analysis tables of one build, read once and kept beside its store.

At CORDIS scale reading the analysis tables costs more than the analyses themselves (Oxigraph
decodes every term of 300,000 participations), and an analyst runs `gaps`, `synergies` and
`match` one after the other on the same build. The first run writes the rows it read to
OUTPUT/analysis-tables.json, tagged with a digest of the build's build.json; later runs on that
build read them back. A new build replaces the whole output folder, and with it this file; a file
whose tag does not match, or that remkg did not list in the folder's marker, is not used.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kg.outdir import OutputRefused, check_output_file, read_marker, write_file

CACHE_NAME = "analysis-tables.json"
Rows = list[dict[str, "str | None"]]
Table = tuple[list[str], list]  # column names, and each row's values in that order (a tuple or a list)
LARGE = ("analysis-participations", "analysis-projects")


class TableCache:
    """Tables of the analysis-* named queries on the embedded store: from the cache file when it
    belongs to this build, otherwise read (the two large tables by kg.analysis.tables). Rows are
    kept as sequences of values, not dictionaries: at CORDIS scale making, writing and reading
    350,000 dictionaries cost about a second of each first run."""

    def __init__(self, output_dir: Path):
        self.output_dir = Path(output_dir)
        self.path = self.output_dir / CACHE_NAME
        self.build = _build_digest(self.output_dir)
        self.tables: dict[str, Table] = self._load()
        self.changed = False

    def _load(self) -> dict[str, Table]:
        marker = read_marker(self.output_dir)
        if self.build is None or marker is None or CACHE_NAME not in marker["entries"] or not self.path.is_file():
            return {}
        try:
            cached = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(cached, dict) or cached.get("build") != self.build:
            return {}
        return {name: (table["columns"], table["rows"]) for name, table in cached["tables"].items()}

    def table(self, name: str) -> Table:
        if name not in self.tables:
            self.tables[name] = self._read(name)
            self.changed = True
        return self.tables[name]

    def rows(self, name: str) -> Rows:
        """The named query's rows, as run_named gives them."""
        columns, rows = self.table(name)
        return [dict(zip(columns, row)) for row in rows]

    def values(self, name: str, columns: tuple[str, ...]) -> list:
        """The named query's rows as sequences of the given columns' values, in that order."""
        stored, rows = self.table(name)
        if not rows or list(columns) == list(stored):  # an empty table may have been kept without its columns
            return rows
        order = [stored.index(column) for column in columns]
        return [tuple(row[i] for i in order) for row in rows]

    def _read(self, name: str) -> Table:
        from kg.analysis import tables
        from kg.query import run_named

        if name not in LARGE:
            return table_of(run_named(name, output_dir=self.output_dir))
        self.tables.update(tables.read_large(self.output_dir))  # both at once, from one opening of the store
        return self.tables[name]

    def save(self) -> None:
        """Write what was read, if anything new was; a folder remkg may not write into is left alone."""
        if not self.changed or self.build is None:
            return
        try:
            target = check_output_file(self.path)
            tables = {name: {"columns": list(columns), "rows": rows} for name, (columns, rows) in self.tables.items()}
            write_file(target, json.dumps({"build": self.build, "tables": tables}, separators=(",", ":")))
        except (OSError, OutputRefused):
            return
        self.changed = False


def table_of(result) -> Table:
    """A query Result (kg.query) as a Table."""
    return list(result.columns), [tuple(row[c] for c in result.columns) for row in result.rows]


def _build_digest(output_dir: Path) -> str | None:
    try:
        return hashlib.sha256((output_dir / "build.json").read_bytes()).hexdigest()
    except OSError:
        return None
