"""Adding inputs to a data folder: `remkg load cordis` copies an export into DATA/cordis/, checks and
converts it against the curated data, keeps the conversion beside it (loaders.converted), and only
then records it in DATA/inputs.yaml; `--explain` says why a project is in or out of the relevance filter.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kg.build import load_curated
from loaders import converted
from loaders.base import InputEntry, LoadError, Problem, SourceGraph
from loaders.cordis import CordisExportLoader, LoadOutcome
from loaders.manifest import MANIFEST, add_entry

TABLE_SUFFIXES = (".csv", ".json")


@dataclass
class Loaded:
    entry: dict
    outcome: LoadOutcome
    recorded: bool  # False: the manifest listed it already


def _entry(path: str, filter_value, topics: list[str], lenient: bool, retrieved: str | None) -> dict:
    entry = {"kind": "cordis-export", "path": path, "filter": filter_value}
    if retrieved:
        entry["retrieved"] = retrieved
    if topics:
        entry["topics"] = topics
    if lenient:
        entry["lenient"] = True
    return entry


def _check(data_dir: Path, entry: dict, context, with_store: bool = False) -> tuple[CordisExportLoader, list[SourceGraph]]:
    """Run the export loader on the entry as the build would (converting afresh); LoadError with every problem."""
    options = {k: v for k, v in entry.items() if k not in ("kind", "path")}
    loader = CordisExportLoader(data_dir, InputEntry(entry["kind"], entry["path"], options, MANIFEST, 0), context, reuse=False,
                                with_store=with_store)
    return loader, loader.load()


def _copy_into(data_dir: Path, paths: list[Path], name: str | None) -> tuple[Path, bool]:
    """Copy one export (a zip, a folder, or loose table files) to DATA/cordis/NAME; (target, created)."""
    for path in paths:
        if not path.exists():
            raise LoadError([Problem(str(path), 0, "", "no such file or folder")])
    loose = all(p.is_file() and p.suffix.lower() in TABLE_SUFFIXES for p in paths)
    if not loose and len(paths) != 1:
        raise LoadError([Problem(" ".join(map(str, paths)), 0, "", "give one export (a .zip or a folder), or its table files (.csv/.json)")])
    target = data_dir / "cordis" / (name or (f"export-{paths[0].parent.name or 'tables'}" if loose else paths[0].name))
    if target.exists():
        if _same(paths, target, loose):
            return target, False
        raise LoadError([Problem(str(target), 0, "", "a different export is already stored under this name; pass --name")])
    target.parent.mkdir(parents=True, exist_ok=True)
    if loose:
        target.mkdir()
        for path in paths:
            shutil.copy2(path, target / path.name)
    elif paths[0].is_dir():
        shutil.copytree(paths[0], target)
    else:
        shutil.copy2(paths[0], target)
    return target, True


def _same(paths: list[Path], target: Path, loose: bool) -> bool:
    if loose:
        return all((target / p.name).is_file() and filecmp.cmp(p, target / p.name, shallow=False) for p in paths)
    if paths[0].is_dir():
        return target.is_dir() and not filecmp.dircmp(paths[0], target).diff_files
    return target.is_file() and filecmp.cmp(paths[0], target, shallow=False)


def load_cordis_export(data_dir: Path, paths: list[Path], filter_value="rare-earth", topics: list[str] | None = None,
                       lenient: bool = False, name: str | None = None, retrieved: str | None = None) -> Loaded:
    """Copy the export into the data folder, check and convert it, keep the conversion beside it (so
    `remkg build` bulk-loads it instead of converting again) and record it in the manifest; on any
    problem the copy, the conversion and a cordis/ folder made for them are removed again and the
    manifest is unchanged."""
    data_dir = Path(data_dir)
    context = load_curated(data_dir)[0]
    folder, folder_made = data_dir / "cordis", not (data_dir / "cordis").exists()
    target, created = None, False
    try:
        target, created = _copy_into(data_dir, [Path(p) for p in paths], name)
        when = retrieved or dt.date.fromtimestamp(Path(paths[0]).stat().st_mtime).isoformat()
        entry = _entry(target.relative_to(data_dir).as_posix(), filter_value, topics or [], lenient, when)
        context.scratch = Path(tempfile.mkdtemp(prefix=".converting-", dir=folder))  # beside the target: kept by a rename
        loader, graphs = _check(data_dir, entry, context, with_store=True)
        converted.keep(target, loader.key, graphs)
        recorded = add_entry(data_dir, entry)
    except BaseException:
        if created:
            shutil.rmtree(target) if target.is_dir() else target.unlink()
            shutil.rmtree(converted.folder_for(target), ignore_errors=True)
        if folder_made:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        if context.scratch is not None:
            shutil.rmtree(context.scratch, ignore_errors=True)
    return Loaded(entry, loader.converter.outcome, recorded)


def explain(data_dir: Path, paths: list[Path], grant_id: str, filter_value="rare-earth", topics: list[str] | None = None) -> str:
    """Why the relevance filter keeps or drops one project of an export (nothing is copied or recorded)."""
    data_dir = Path(data_dir)
    path = Path(paths[0]).resolve()
    context = load_curated(data_dir)[0]
    loader, _ = _check(path.parent, _entry(path.name, filter_value, topics or [], True, None), context)
    decision = loader.converter.outcome.decisions.get(grant_id)
    if decision is None:
        return f"{grant_id}: not in the project table of {paths[0]}"
    return f"{grant_id}: {decision.explain()}"
