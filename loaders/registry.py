"""Which loader reads which kind of declared input: the one place `kg/build.py` asks.

Loaders are imported only when an input of their kind is declared, so a build of the curated
data alone does not import (or need) the bulk loaders.
"""

from __future__ import annotations

from importlib import import_module

from loaders.base import InputEntry, LoadContext, SourceGraph

LOADERS: dict[str, str] = {  # kind -> "module:Class"
    "cordis-export": "loaders.cordis:CordisExportLoader",
    "cordis-snapshot": "loaders.cordis_snapshot:CordisSnapshotLoader",
}


def register(kind: str, target: str) -> None:
    """Declare the loader class ("module:Class") for a kind of input."""
    LOADERS[kind] = target


def kinds() -> tuple[str, ...]:
    return tuple(sorted(LOADERS))


def loader_class(kind: str):
    module, _, name = LOADERS[kind].partition(":")
    return getattr(import_module(module), name)


def load_input(entry: InputEntry, context: LoadContext) -> tuple[list[SourceGraph], str]:
    """Run the loader of the entry's kind: its source graphs and its name; or it raises LoadError."""
    cls = loader_class(entry.kind)
    return cls(context.data_dir, entry, context).load(), cls.name
