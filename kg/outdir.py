"""Output folders that remkg may replace, and the ones it must never touch.

A command that writes a folder swaps a freshly written staging folder in for the old one, which
removes whatever the old one held. So a folder is replaced only when it is missing, empty, or
carries remkg's marker file listing every entry remkg wrote there; and some folders (the data,
the working directory, home, a filesystem root, remkg's own checkout, and their parents) are
refused whatever they hold. A wrong path on the command line costs the user nothing.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

MARKER = ".remkg-output"


class OutputRefused(Exception):
    """The output path would put files remkg did not write at risk; nothing was done."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("remkg")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


def _resolved(path: Path) -> Path:
    return Path(path).expanduser().resolve()


def _install_root() -> Path:
    """The folder holding remkg's own code: the checkout's root, or site-packages when installed."""
    return Path(__file__).resolve().parent.parent


def _data_folders(data_dir: Path | None) -> list[Path]:
    from kg.paths import data_dir as shipped_data_dir

    folders = [_resolved(shipped_data_dir())]
    if data_dir is not None:
        folders.append(_resolved(data_dir))
    return folders


def _protected(data_dir: Path | None) -> list[tuple[Path, str]]:
    """Folders an output may neither be nor contain, each with the reason given to the user."""
    return [
        *((folder, "it is a data folder") for folder in _data_folders(data_dir)),
        (_resolved(Path.cwd()), "it is the current working directory"),
        (_resolved(Path.home()), "it is your home directory"),
        (_install_root(), "it holds remkg's own code"),
    ]


def read_marker(folder: Path) -> dict | None:
    """The marker of a folder remkg wrote, or None when there is none (or it is not remkg's)."""
    try:
        marker = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("tool") != "remkg" or not isinstance(marker.get("entries"), list):
        return None
    return marker


def write_marker(folder: Path, command: str, data_dir: Path | None = None) -> None:
    """Mark `folder` as remkg's, listing what it holds now (call it once everything is written)."""
    folder = Path(folder)
    entries = sorted(entry.name for entry in folder.iterdir() if entry.name != MARKER)
    marker = {
        "tool": "remkg",
        "command": command,
        "version": _version(),
        "written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "entries": entries,
    }
    if data_dir is not None:
        marker["data"] = str(_resolved(data_dir))
    (folder / MARKER).write_text(json.dumps(marker, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def record_entry(folder: Path, name: str) -> None:
    """Add a file remkg has just written into one of its folders to that folder's marker."""
    marker = read_marker(folder)
    if marker is not None and name not in marker["entries"]:
        marker["entries"] = sorted([*marker["entries"], name])
        (Path(folder) / MARKER).write_text(json.dumps(marker, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _refuse(target: Path, why: str) -> OutputRefused:
    return OutputRefused(f"refusing to write to {target}: {why}. Choose an empty or new folder, "
                         "or remove it yourself if you are sure it holds nothing you need.")


def check_replaceable(target: Path, data_dir: Path | None = None) -> Path:
    """Refuse (OutputRefused) unless remkg may replace the folder `target` as a whole.

    Returns the resolved path. Refused whatever it holds: a filesystem root, a data folder or a
    folder inside one, and the working directory, home, remkg's own code or any of their parents.
    Otherwise accepted when missing, empty, or marked by remkg with nothing unlisted in it.
    """
    resolved = _resolved(target)
    if resolved == Path(resolved.anchor):
        raise _refuse(resolved, "it is a filesystem root")
    protected = _protected(data_dir)
    for folder, reason in protected:
        if resolved == folder:
            raise _refuse(resolved, reason)
    for folder, reason in protected:
        if folder.is_relative_to(resolved):
            raise _refuse(resolved, f"it contains {folder}, which remkg must not replace ({reason})")
    for folder in _data_folders(data_dir):
        if resolved.is_relative_to(folder):
            raise _refuse(resolved, f"it lies inside the data folder {folder}")
    if not resolved.exists():
        return resolved
    if not resolved.is_dir():
        raise _refuse(resolved, "it is a file, not a folder")
    entries = sorted(entry.name for entry in resolved.iterdir())
    if not entries:
        return resolved
    marker = read_marker(resolved)
    if marker is None:
        raise _refuse(resolved, f"it is not empty and remkg did not write it (no {MARKER} marker; it holds {_sample(entries)})")
    foreign = [name for name in entries if name != MARKER and name not in marker["entries"]]
    if foreign:
        raise _refuse(resolved, f"it holds {_sample(foreign)}, which remkg did not write")
    return resolved


def check_output_file(target: Path, data_dir: Path | None = None) -> Path:
    """Refuse an explicitly named output file that is a folder or lies in a data folder.

    Also refused: a file inside a folder remkg marked (the build folder) whose name that folder
    already holds without remkg having written it. Returns the resolved path."""
    resolved = _resolved(target)
    if resolved.is_dir():
        raise OutputRefused(f"refusing to write to {resolved}: it is a folder; name a file to write instead")
    parent_marker = read_marker(resolved.parent)
    data_folders = _data_folders(data_dir)
    if parent_marker and parent_marker.get("data"):
        data_folders.append(Path(parent_marker["data"]))
    for folder in data_folders:
        if resolved.is_relative_to(folder):
            raise OutputRefused(f"refusing to write to {resolved}: it lies inside the data folder {folder}; "
                                "write outputs elsewhere")
    if parent_marker and resolved.exists() and resolved.name not in parent_marker["entries"]:
        raise OutputRefused(f"refusing to write to {resolved}: remkg did not write this file; choose another name")
    return resolved


def write_file(target: Path, text: str) -> None:
    """Write a text file atomically (temporary file, then rename); list it in a remkg folder's marker."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
    record_entry(target.parent, target.name)


def _sample(names: list[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")
