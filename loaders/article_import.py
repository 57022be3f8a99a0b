"""`remkg load articles`: checks article files, copies them into the data folder's `articles/`
and declares that folder in the manifest (`inputs.yaml`), so the next build reads them.

Nothing is copied unless every file reads cleanly, and an existing file with other content is
never overwritten: remkg did not write it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from loaders.article_file import article_files, read_article
from loaders.base import LoadError, Problem
from loaders.manifest import add_entry

ARTICLES_FOLDER = "articles"


@dataclass
class Imported:
    copied: list[Path]
    unchanged: list[Path]
    declared: list[str]  # manifest paths newly declared


def import_articles(paths: list[Path], data_dir: Path) -> Imported:
    """Check, copy and declare; LoadError (file, line, field) when a file is unreadable or would replace another."""
    data_dir = Path(data_dir).resolve()
    inside, outside, problems = [], [], []
    for given in paths:
        if not given.exists():
            problems.append(Problem(str(given), 0, "", "no such file or folder"))
            continue
        files = article_files(given)
        if given.is_dir() and not files:
            problems.append(Problem(str(given), 0, "", "no article files (.txt, .md, .html) in this folder"))
        for path in files:
            try:
                read_article(path, str(path))
            except LoadError as error:
                problems.extend(error.problems)
        (inside if given.resolve().is_relative_to(data_dir) else outside).append((given, files))
    target_dir = data_dir / ARTICLES_FOLDER
    copies = [(path, target_dir / path.name) for _, files in outside for path in files]
    for source, target in copies:
        if target.exists() and target.read_bytes() != source.read_bytes():
            problems.append(Problem(str(source), 0, "", f"{target} exists with other content; remkg does not replace files it did not write "
                                                        "(rename one of them)"))
    names = [target.name for _, target in copies]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem(name, 0, "", "two of the given files have this name; they would land on the same file in articles/"))
    if problems:
        raise LoadError(problems)
    copied, unchanged = [], []
    for source, target in copies:
        if target.exists():
            unchanged.append(target)
            continue
        target_dir.mkdir(exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        temporary.write_bytes(source.read_bytes())
        temporary.replace(target)
        copied.append(target)
    manifest_paths = ([ARTICLES_FOLDER] if copies else []) + [given.resolve().relative_to(data_dir).as_posix() for given, _ in inside]
    declared = [p for p in manifest_paths if add_entry(data_dir, {"kind": "articles", "path": p})]
    return Imported(copied, unchanged, declared)

