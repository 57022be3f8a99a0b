"""Reading CORDIS exports as the EU open data portal distributes them: a folder or a .zip holding
project.csv, organization.csv, euroSciVoc.csv, topics.csv, legalBasis.csv, webLink.csv (or the
same tables as .json). Rows are streamed one at a time, each with the file and line it came from.

CSV quirks handled here: ';' separator, every field quoted, line breaks, ';' and doubled quotes
inside fields, UTF-8 with or without BOM. Bytes that are not UTF-8 (a Latin-1 export) are reported
with file, line and column. Columns are found by name; a missing required column is an error.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from loaders.base import LoadError, Problem

# The columns each table must have (others are ignored); tables not listed here are optional.
REQUIRED_COLUMNS = {
    "project": ("id", "acronym", "title", "startDate", "endDate", "totalCost", "ecMaxContribution",
                "frameworkProgramme", "fundingScheme", "topics", "objective"),
    "organization": ("projectID", "organisationID", "name", "SME", "activityType", "country", "role", "ecContribution"),
    "euroSciVoc": ("projectID", "euroSciVocTitle", "euroSciVocPath"),
    "topics": ("projectID", "topic", "title"),
    "legalBasis": ("projectID", "legalBasis", "title"),
    "webLink": ("projectID", "physUrl"),
}
_SURROGATE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class Row:
    """One record of an export table, with where it stands (line of a CSV record, or JSON record number)."""

    file: str
    line: int
    values: dict

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def problem(self, column: str, message: str) -> Problem:
        return Problem(self.file, self.line, column, message)


class Export:
    """A CORDIS export on disk (folder or .zip): which tables it has, and their rows, streamed."""

    def __init__(self, path: Path, shown: str):
        self.path, self.shown = Path(path), shown
        self.members = self._members()
        if "project" not in self.members:
            raise LoadError([Problem(shown, 0, "", "no project.csv or project.json in this export "
                                     "(expected the CORDIS tables: project, organization, euroSciVoc, …)")])

    def _members(self) -> dict[str, str]:
        """Table name -> member name (inside the zip) or file path (in the folder)."""
        if self.path.is_file() and zipfile.is_zipfile(self.path):
            with zipfile.ZipFile(self.path) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/")]
        elif self.path.is_dir():
            names = sorted(p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file())
        elif self.path.is_file():
            names = [self.path.name]
        else:
            raise LoadError([Problem(self.shown, 0, "", "no such file or folder")])
        found = {}
        for name in sorted(names):
            stem, _, suffix = Path(name).name.rpartition(".")
            if stem in REQUIRED_COLUMNS and suffix.lower() in ("csv", "json") and stem not in found:
                found[stem] = name
        return found

    def files(self) -> list[Path]:
        """The files read: the zip, or the table files it takes from the folder."""
        if self.path.is_dir():
            return [self.path / self.members[table] for table in sorted(self.members)]
        return [self.path]

    def has(self, table: str) -> bool:
        return table in self.members

    def shown_name(self, table: str) -> str:
        member = self.members[table]
        if self.path.is_file() and zipfile.is_zipfile(self.path):
            return f"{self.shown}:{member}"
        return f"{self.shown}/{member}" if self.path.is_dir() else self.shown

    @contextmanager
    def _open(self, table: str):
        member = self.members[table]
        if self.path.is_file() and zipfile.is_zipfile(self.path):
            with zipfile.ZipFile(self.path) as archive, archive.open(member) as handle:
                yield handle
        else:
            target = self.path / member if self.path.is_dir() else self.path
            with open(target, "rb") as handle:
                yield handle

    def rows(self, table: str, problems: list[Problem]) -> Iterator[Row]:
        """The rows of a table, streamed. Structural problems (delimiter, missing column, truncation)
        raise LoadError; a bad value in a row is appended to `problems` and the row is skipped."""
        shown = self.shown_name(table)
        with self._open(table) as handle:
            if self.members[table].lower().endswith(".json"):
                yield from _json_rows(handle, shown, table, problems)
            else:
                yield from _csv_rows(handle, shown, table, problems)


def _decoded_lines(handle) -> Iterator[str]:
    """Physical lines as text; bytes that are not UTF-8 survive as surrogates and are reported per field."""
    first = True
    for raw in handle:
        if first and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        first = False
        yield raw.decode("utf-8", "surrogateescape")


def _check_separator(first_line: str, shown: str) -> None:
    if ";" not in first_line:
        separator = next((sep for sep in (",", "\t", "|") if sep in first_line), None)
        found = f"the header line is separated by {separator!r}" if separator else "the header line has no ';'"
        raise LoadError([Problem(shown, 1, "", f"expected columns separated by ';' (CORDIS exports); {found}")])


def _check_header(header: list[str], shown: str, table: str) -> None:
    missing = [column for column in REQUIRED_COLUMNS[table] if column not in header]
    if missing:
        raise LoadError([Problem(shown, 1, column, f"required column missing from {table} "
                                 f"(the header has: {', '.join(header)})") for column in missing])
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        raise LoadError([Problem(shown, 1, column, "column appears twice in the header") for column in duplicated])


def _csv_rows(handle, shown: str, table: str, problems: list[Problem]) -> Iterator[Row]:
    lines = _decoded_lines(handle)
    first = next(lines, None)
    if first is None:
        raise LoadError([Problem(shown, 1, "", "the file is empty; expected a header line")])
    _check_separator(first, shown)
    reader = csv.reader(itertools.chain([first], lines), delimiter=";", quotechar='"', doublequote=True, strict=True)
    start = 1
    try:
        header = [column.strip() for column in next(reader)]
        _check_header(header, shown, table)
        start = reader.line_num + 1
        for fields in reader:
            line, start = start, reader.line_num + 1
            if fields == []:
                continue
            if len(fields) != len(header):
                problems.append(Problem(shown, line, "", f"{len(fields)} fields where the header has {len(header)}: "
                                        "a truncated or malformed row (a quote not closed, or a stray ';')"))
                continue
            values = dict(zip(header, fields))
            bad = next((column for column, value in values.items() if _SURROGATE.search(value)), None) \
                if any(map(_SURROGATE.search, fields)) else None  # the common case in one pass in C
            if bad is not None:
                byte = ord(_SURROGATE.search(values[bad]).group()) - 0xDC00
                problems.append(Problem(shown, line, bad, f"not valid UTF-8 (byte 0x{byte:02x}); "
                                        "the export must be UTF-8 (was it re-saved as Latin-1?)"))
                continue
            yield Row(shown, line, values)
    except csv.Error as error:
        why = ("the file is truncated: a quoted field is not closed before the end of the file"
               if "unexpected end of data" in str(error) else f"malformed CSV ({error}); expected every field in double quotes")
        raise LoadError([Problem(shown, start, "", why)]) from None


def _json_rows(handle, shown: str, table: str, problems: list[Problem]) -> Iterator[Row]:
    """JSON exports are one array of objects; read whole (CSV is the streaming path for big exports)."""
    try:
        data = json.load(io.TextIOWrapper(handle, encoding="utf-8-sig"))
    except UnicodeDecodeError as error:
        raise LoadError([Problem(shown, 0, "", f"not valid UTF-8 (byte 0x{error.object[error.start]:02x})")]) from None
    except json.JSONDecodeError as error:
        raise LoadError([Problem(shown, error.lineno, "", f"not valid JSON ({error.msg}); is the file truncated?")]) from None
    if not isinstance(data, list):
        raise LoadError([Problem(shown, 1, "", "expected a JSON array of records")])
    columns = set().union(*(record.keys() for record in data if isinstance(record, dict))) if data else set()
    missing = [column for column in REQUIRED_COLUMNS[table] if column not in columns]
    if missing:
        raise LoadError([Problem(shown, 1, column, f"required field missing from every {table} record") for column in missing])
    for number, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            problems.append(Problem(shown, number, "", "expected a JSON object (record)"))
            continue
        yield Row(shown, number, {key: "" if value is None else str(value) for key, value in record.items()})
