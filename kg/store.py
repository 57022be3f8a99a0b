"""The embedded store: where it lives, how to open it, and the swap that makes builds atomic.

A build writes its store and exports into a staging folder beside the output folder and then
swaps the two with renames, so a reader sees either the old build or the new one, never half.
Every folder the swap removes or renames carries remkg's marker (kg.outdir): what remkg did not
write, it does not touch.
"""

from __future__ import annotations

import os
import shutil
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kg.outdir import MARKER, OutputRefused, check_replaceable, read_marker

# Not build/: setuptools writes build/ when remkg is installed from a checkout.
DEFAULT_OUTPUT = Path("remkg-build")
STORE_DIRNAME = "store"
# Oxigraph's bulk loader holds up to a million quads per thread in memory (1.7 GiB for a full CORDIS
# export in one call); parts of this size, two loaded at a time, keep it near 650 MiB for the same
# CPU and wall time (bench/results-scale.md).
BULK_PART_BYTES = 40 << 20
BULK_PARTS_AT_ONCE = 2


class StoreMissing(FileNotFoundError):
    """There is no built store where one was expected."""


def store_path(output_dir: Path = DEFAULT_OUTPUT) -> Path:
    return Path(output_dir) / STORE_DIRNAME


def _siblings(output_dir: Path, tag: str) -> list[Path]:
    output_dir = Path(output_dir)
    return sorted(output_dir.parent.glob(f".{output_dir.name}.{tag}-*"))


def _made_by_remkg(folder: Path) -> bool:
    """Staging and old folders are remkg's only when marked (or still empty)."""
    return read_marker(folder) is not None or (folder.is_dir() and not any(folder.iterdir()))


def _remove(folder: Path) -> None:
    if _made_by_remkg(folder):
        shutil.rmtree(folder, ignore_errors=True)


def recover(output_dir: Path = DEFAULT_OUTPUT) -> None:
    """Undo a swap that was cut between its two renames, and drop staging left by killed builds.
    Only folders named as remkg names them and carrying its marker are touched."""
    output_dir = Path(output_dir)
    old = [folder for folder in _siblings(output_dir, "old") if _made_by_remkg(folder)]
    if not output_dir.exists() and old:
        os.rename(old[-1], output_dir)
        old = old[:-1]
    for leftover in old:
        _remove(leftover)
    for staging in _siblings(output_dir, "staging"):
        pid = staging.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and _alive(int(pid))):
            _remove(staging)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def staging_dir(output_dir: Path = DEFAULT_OUTPUT) -> Path:
    """A new, marked folder beside the output folder to write a build into."""
    output_dir = Path(output_dir)
    staging = output_dir.parent / f".{output_dir.name}.staging-{os.getpid()}"
    if staging.exists():
        if not _made_by_remkg(staging):
            raise OutputRefused(f"refusing to replace {staging}: remkg did not write it; remove it yourself")
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    (staging / MARKER).write_text('{"tool": "remkg", "command": "staging", "entries": []}\n', encoding="utf-8")
    return staging


def swap_in(staging: Path, output_dir: Path = DEFAULT_OUTPUT, data_dir: Path | None = None) -> None:
    """Replace the output folder by the staging folder (two renames; `recover` mends a cut).
    The output folder is checked again first: only a missing, empty or remkg-marked one is replaced."""
    output_dir = Path(output_dir)
    check_replaceable(output_dir, data_dir)
    old = output_dir.parent / f".{output_dir.name}.old-{os.getpid()}"
    if output_dir.exists():
        os.rename(output_dir, old)
    os.rename(staging, output_dir)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def open_store(output_dir: Path = DEFAULT_OUTPUT):
    """The built store, read-only (pyoxigraph). Queries see the union of all named graphs."""
    import pyoxigraph

    recover(output_dir)
    path = store_path(output_dir)
    if not path.is_dir():
        raise StoreMissing(f"no store at {path}: run `remkg build` first (or pass --output)")
    return pyoxigraph.Store.read_only(str(path))


def open_dataset(output_dir: Path = DEFAULT_OUTPUT):
    """The built store as an rdflib Dataset (through oxrdflib), for code that speaks rdflib.
    Its default graph is the union of the named graphs, where all the data lives."""
    from oxrdflib import OxigraphStore
    from rdflib import Dataset

    return Dataset(store=OxigraphStore(store=open_store(output_dir)), default_union=True)


def select(store, query: str) -> list[dict[str, object]]:
    """Run a SELECT on the union of all graphs; rows map variable names to pyoxigraph terms."""
    solutions = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{name: solution[name] for name in names} for solution in solutions]


def bulk_load_file(store, path: Path, in_parts: bool = False) -> None:
    """An N-Quads file into a pyoxigraph store with the bulk loader; `in_parts`: in parts of whole
    lines, two at a time (the loader releases the GIL), which only a file without blank nodes
    allows: a blank node's label means the same node only within one load."""
    import pyoxigraph

    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if not in_parts or size <= BULK_PART_BYTES:
            store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_QUADS)
            return
        parts, loading = _parts(handle, size), deque()
        with ThreadPoolExecutor(max_workers=BULK_PARTS_AT_ONCE) as pool:
            while True:
                if len(loading) == BULK_PARTS_AT_ONCE:
                    loading.popleft().result()  # before the next part is read; a part that failed stops the load
                part = next(parts, None)
                if part is None:
                    break
                loading.append(pool.submit(store.bulk_load, part, format=pyoxigraph.RdfFormat.N_QUADS))
            for loaded in loading:
                loaded.result()


def _parts(handle, size: int):
    """The file in pieces of about BULK_PART_BYTES, each ending at a line's end, each read once."""
    start = 0
    while start < size:
        handle.seek(min(start + BULK_PART_BYTES, size))
        handle.readline()  # on to the end of the line the cut fell in
        end = handle.tell()
        handle.seek(start)
        yield handle.read(end - start)
        start = end


class PartLoader:
    """A store in `folder` filled by two background threads with parts of N-Quads files (byte ranges of
    whole lines, without blank nodes) while they are still being written: `remkg load cordis` bulk-loads
    its conversion on the second core while the first converts. `finish` waits for every part."""

    size = BULK_PART_BYTES

    def __init__(self, folder: Path):
        import pyoxigraph

        self.store = pyoxigraph.Store(str(folder))
        self._pool = ThreadPoolExecutor(max_workers=BULK_PARTS_AT_ONCE)
        self._loading: list = []

    def load(self, path: Path, start: int, end: int) -> None:
        self._loading.append(self._pool.submit(self._load, Path(path), start, end))

    def _load(self, path: Path, start: int, end: int) -> None:
        import pyoxigraph

        with open(path, "rb") as handle:  # read when its turn comes: waiting parts hold no memory
            handle.seek(start)
            self.store.bulk_load(handle.read(end - start), format=pyoxigraph.RdfFormat.N_QUADS)

    def finish(self, wanted: bool = True) -> None:
        """Every part loaded (or the first failure raised), or, when the store is not `wanted` (the
        conversion failed), the parts not yet begun dropped; the store closed."""
        try:
            if wanted:
                for loading in self._loading:
                    loading.result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self.store = None
