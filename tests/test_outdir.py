"""Output folders: remkg replaces only what it wrote, and refuses folders a wrong path would cost."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.outdir import MARKER, OutputRefused, check_output_file, check_replaceable
from kg.store import DEFAULT_OUTPUT, recover

from .test_curated import DATA_MIN, _tree_digest


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture()
def user_data(tmp_path: Path) -> Path:
    """A user's own curated data folder (a copy of the minimal fixture) with a note of theirs."""
    data = tmp_path / "mydata"
    shutil.copytree(DATA_MIN, data)
    (data / "NOTES.txt").write_text("my own notes\n")
    return data


def assert_refused(result, before: dict, folder: Path, why: str) -> None:
    assert result.exit_code == 2, result.output
    assert "refusing to write to" in result.output and why in result.output, result.output
    assert "Choose an empty or new folder" in result.output
    assert _tree_digest(folder) == before


def test_output_equal_to_the_data_folder_is_refused(user_data):
    before = _tree_digest(user_data)
    assert_refused(cli("build", "--data", str(user_data), "--output", str(user_data)), before, user_data, "data folder")


def test_output_containing_the_data_folder_is_refused(user_data):
    parent = user_data.parent
    before = _tree_digest(parent)
    assert_refused(cli("build", "--data", str(user_data), "--output", str(parent)), before, parent, "it contains")


def test_output_inside_the_data_folder_is_refused(user_data):
    before = _tree_digest(user_data)
    assert_refused(cli("build", "--data", str(user_data), "--output", str(user_data / "out")), before, user_data,
                   "inside the data folder")


def test_folder_with_an_unrelated_file_is_refused(tmp_path):
    folder = tmp_path / "somefolder"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"\x00years of work")
    before = _tree_digest(folder)
    assert_refused(cli("build", "--data", str(DATA_MIN), "--output", str(folder)), before, folder, "'thesis.docx'")


def test_working_directory_is_refused(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("keep")
    monkeypatch.chdir(work)
    before = _tree_digest(work)
    assert_refused(cli("build", "--data", str(DATA_MIN), "--output", "."), before, work, "current working directory")


def test_home_is_refused_even_when_empty(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert_refused(cli("build", "--data", str(DATA_MIN), "--output", "~"), _tree_digest(home), home, "home directory")
    assert home.is_dir()


def test_filesystem_root_is_refused():
    with pytest.raises(OutputRefused, match="filesystem root"):
        check_replaceable(Path("/"))
    result = cli("build", "--data", str(DATA_MIN), "--output", "/")
    assert result.exit_code == 2 and "filesystem root" in result.output


def test_remkg_own_code_folder_is_refused(tmp_path, monkeypatch):
    import kg

    monkeypatch.chdir(tmp_path)
    checkout = Path(kg.__file__).resolve().parent.parent
    with pytest.raises(OutputRefused, match="remkg's own code"):
        check_replaceable(checkout)


def test_a_marked_folder_holding_a_foreign_file_is_refused(tmp_path):
    output = tmp_path / "out"
    assert cli("build", "--data", str(DATA_MIN), "--output", str(output)).exit_code == 0
    (output / "my-analysis.xlsx").write_bytes(b"mine")
    before = _tree_digest(output)
    assert_refused(cli("build", "--data", str(DATA_MIN), "--output", str(output)), before, output, "'my-analysis.xlsx'")


def test_empty_folder_is_accepted_and_building_twice_recognises_the_marker(tmp_path):
    output = tmp_path / "empty"
    output.mkdir()
    first = cli("build", "--data", str(DATA_MIN), "--output", str(output))
    assert first.exit_code == 0, first.output
    marker = json.loads((output / MARKER).read_text())
    assert marker["tool"] == "remkg" and marker["command"] == "build" and "store" in marker["entries"]
    assert {"version", "written"} <= set(marker)
    second = cli("build", "--data", str(DATA_MIN), "--output", str(output))
    assert second.exit_code == 0, second.output
    assert (output / "store").is_dir() and not list(tmp_path.glob(".empty.*"))


def test_default_output_leaves_setuptools_build_folder_alone(tmp_path, monkeypatch):
    """As after `pip install .` in a checkout: build/ holds setuptools' files; the default build
    goes to its own folder and build/ is not touched."""
    assert DEFAULT_OUTPUT.name not in {"build", "dist", "site", "docs"}
    checkout = tmp_path / "checkout"
    (checkout / "build" / "lib" / "kg").mkdir(parents=True)
    (checkout / "build" / "lib" / "kg" / "__init__.py").write_text("# setuptools copy\n")
    (checkout / "build" / "bdist.linux-x86_64").mkdir()
    monkeypatch.chdir(checkout)
    before = _tree_digest(checkout / "build")
    result = cli("build", "--data", str(DATA_MIN))
    assert result.exit_code == 0, result.output
    assert _tree_digest(checkout / "build") == before
    assert (checkout / DEFAULT_OUTPUT / "store").is_dir()
    stats = cli("stats")  # and reading commands find the build there by default
    assert stats.exit_code == 0 and "Project" in stats.output


def test_recover_leaves_unmarked_lookalike_folders_alone(tmp_path):
    output = tmp_path / "out"
    lookalikes = [tmp_path / ".out.staging-999999999", tmp_path / ".out.old-1"]
    for folder in lookalikes:
        folder.mkdir()
        (folder / "precious.txt").write_text("not remkg's")
    recover(output)
    assert all((folder / "precious.txt").read_text() == "not remkg's" for folder in lookalikes)
    assert not output.exists()  # an unmarked .old folder is not renamed into place either


def test_explicit_output_files(tmp_path, user_data):
    with pytest.raises(OutputRefused, match="it is a folder"):
        check_output_file(tmp_path)
    with pytest.raises(OutputRefused, match="inside the data folder"):
        check_output_file(user_data / "report.html", user_data)
    import kg.paths

    with pytest.raises(OutputRefused, match="inside the data folder"):
        check_output_file(kg.paths.data_dir() / "explorer.html")
    assert check_output_file(tmp_path / "report.html") == (tmp_path / "report.html").resolve()


def test_report_and_viz_refuse_a_folder_and_keep_a_marked_build(tmp_path, shipped):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "old.html").write_text("mine")
    before = _tree_digest(folder)
    for command in ("report", "viz"):
        result = cli(command, "--output", str(shipped), "--out", str(folder))
        assert result.exit_code == 2 and "it is a folder" in result.output, result.output
    assert _tree_digest(folder) == before
    result = cli("report", "--output", str(shipped))
    assert result.exit_code == 0, result.output
    assert "report.html" in json.loads((shipped / MARKER).read_text())["entries"]
    assert os.path.getsize(shipped / "report.html") > 0
