"""The data folder's manifest, `inputs.yaml`: which inputs besides the curated YAML belong to the build.

    - kind: cordis-export          # a kind the registry knows (loaders/registry.py)
      path: cordis/h2020-projects  # relative to the data folder: a file, a folder or a .zip
      filter: rare-earth           # further keys are options of that kind's loader

The curated YAML is always the first source and is not listed. No manifest means no other inputs.
"""

from __future__ import annotations

from pathlib import Path

from loaders.base import InputEntry, LoadError, Problem
from loaders.yamlfile import Node, read_yaml

MANIFEST = "inputs.yaml"


def manifest_path(data_dir: Path) -> Path:
    return Path(data_dir) / MANIFEST


def read_manifest(data_dir: Path, known_kinds: tuple[str, ...]) -> list[InputEntry]:
    """The declared inputs, in manifest order; LoadError with every problem (file, line, field)."""
    path = manifest_path(data_dir)
    if not path.exists():
        return []
    data, problems = read_yaml(path, MANIFEST)
    if data is None:
        raise LoadError(problems)
    if not isinstance(data, list):
        raise LoadError(problems + [Problem(MANIFEST, 1, "", "expected a list of inputs, each starting with '- kind:'")])
    entries = []
    for position, node in enumerate(data, start=1):
        entry = _entry(Path(data_dir), node, position, known_kinds, problems)
        if entry is not None:
            entries.append(entry)
    if problems:
        raise LoadError(problems)
    return entries


def _entry(data_dir: Path, node, position: int, known_kinds, problems: list[Problem]) -> InputEntry | None:
    if not isinstance(node, Node):
        problems.append(Problem(MANIFEST, 0, f"input {position}", "expected a mapping with kind and path"))
        return None
    kind, path = node.get("kind"), node.get("path")
    if kind not in known_kinds:
        problems.append(Problem(MANIFEST, node.line_of("kind"), "kind", f"unknown input kind {kind!r}; expected one of: {', '.join(known_kinds)}"))
    if not isinstance(path, str) or not path.strip():
        problems.append(Problem(MANIFEST, node.line_of("path"), "path", "expected a path relative to the data folder"))
        return None
    resolved = (data_dir / path).resolve()
    if Path(path).is_absolute() or not resolved.is_relative_to(data_dir.resolve()):
        problems.append(Problem(MANIFEST, node.line_of("path"), "path", f"'{path}' must lie inside the data folder"))
    elif not resolved.exists():
        problems.append(Problem(MANIFEST, node.line_of("path"), "path", f"'{path}' does not exist in the data folder"))
    if kind not in known_kinds:
        return None
    options = {key: value for key, value in node.items() if key not in ("kind", "path")}
    return InputEntry(kind, path, options, MANIFEST, node.line, {key: node.line_of(key) for key in node})


def add_entry(data_dir: Path, entry: dict) -> bool:
    """Append an input to the manifest unless the same kind and path are listed already; True if added.

    Written to a temporary file and renamed, so an interrupted write leaves the old manifest."""
    import yaml

    path = manifest_path(data_dir)
    current = []
    if path.exists():
        data, problems = read_yaml(path, MANIFEST)
        if problems or not isinstance(data, list):
            raise LoadError(problems or [Problem(MANIFEST, 1, "", "expected a list of inputs")])
        current = [dict(item) for item in data]
    if any(item.get("kind") == entry["kind"] and item.get("path") == entry["path"] for item in current):
        return False
    text = path.read_text(encoding="utf-8") if path.exists() else "# Inputs of the build besides the curated YAML (see README: composable sources).\n"
    if text and not text.endswith("\n"):
        text += "\n"
    text += yaml.safe_dump([entry], sort_keys=False, allow_unicode=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return True
