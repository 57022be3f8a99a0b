"""Endpoint snapshots (kind `cordis-snapshot`): what `remkg fetch cordis` got from a EURIO SPARQL
endpoint, stored as YAML in the data folder, so the build reads a file and never the network.

A snapshot holds the endpoint, the retrieval time, the queries and the rows they returned, under
the column names of the CORDIS export (`projects` like project.csv, `organizations` like
organization.csv), so both go through the same checks and the same converter.
"""

from __future__ import annotations

from pathlib import Path

from loaders.base import InputEntry, LoadContext, LoadError, Problem, SourceGraph
from loaders.cordis import converter_for
from loaders.cordis_files import Row
from loaders.yamlfile import Node, read_yaml

SNAPSHOT_KEYS = ("endpoint", "retrieved", "grants", "queries", "projects", "organizations")


def read_snapshot(path: Path, shown: str) -> Node:
    """The snapshot as a mapping with line numbers; LoadError naming file, line and key if it is malformed."""
    data, problems = read_yaml(path, shown)
    if data is None or problems:
        raise LoadError(problems)
    if not isinstance(data, Node):
        raise LoadError([Problem(shown, 1, "", "expected a remkg CORDIS snapshot (a mapping with endpoint, retrieved, projects…)")])
    missing = [key for key in SNAPSHOT_KEYS if key not in data]
    if missing:
        raise LoadError([Problem(shown, data.line, key, "required key missing from the snapshot") for key in missing])
    for key in ("projects", "organizations"):
        if not isinstance(data[key], list) or not all(isinstance(item, Node) for item in data[key]):
            raise LoadError([Problem(shown, data.line_of(key), key, "expected a list of records")])
    return data


def snapshot_rows(records: list[Node], shown: str) -> list[Row]:
    return [Row(shown, record.line, {str(k): "" if v is None else str(v) for k, v in record.items()}) for record in records]


class CordisSnapshotLoader:
    """A snapshot written by `remkg fetch cordis`."""

    name = "remkg CORDIS endpoint snapshot loader"

    def __init__(self, data_dir: Path, entry: InputEntry, context: LoadContext):
        self.path, self.entry, self.context = Path(data_dir) / entry.path, entry, context

    def load(self) -> list[SourceGraph]:
        snapshot = read_snapshot(self.path, self.entry.path)
        options = {"filter": "none", **self.entry.options}
        entry = InputEntry(self.entry.kind, self.entry.path, options, self.entry.manifest, self.entry.line, self.entry.option_lines)
        converter = converter_for(entry, self.context, retrieved=str(snapshot["retrieved"]))
        converter.add_projects(snapshot_rows(snapshot["projects"], self.entry.path), {})
        converter.add_participations(snapshot_rows(snapshot["organizations"], self.entry.path))
        queries = snapshot["queries"] if isinstance(snapshot["queries"], dict) else {}
        selection = (f"SPARQL on {snapshot['endpoint']} for grants {', '.join(str(g) for g in snapshot['grants'])}; "
                     f"{converter.rule.describe()}\n" + "\n".join(f"# {name}\n{text}" for name, text in sorted(queries.items())))
        return converter.finish(f"CORDIS endpoint snapshot {self.entry.path}", str(snapshot["endpoint"]), selection)
