"""Where the shipped resources live, in a source checkout and in an installed package alike."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _resource(name: str) -> Path:
    # Installed (wheel): kg/<name>; source checkout or editable install: <repo>/<name>.
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"remkg resource folder '{name}' not found next to {_PACKAGE}")


def ontology_dir() -> Path:
    return _resource("ontology")


def queries_dir() -> Path:
    return _resource("queries")


def data_dir() -> Path:
    return _resource("data")


def ontology_files() -> list[Path]:
    """The ontology, its SKOS schemes (sorted, so builds are deterministic); shapes excluded."""
    root = ontology_dir()
    return [root / "remkg.ttl", *sorted((root / "vocab").glob("*.ttl"))]


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"
