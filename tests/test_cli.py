"""The coordinator commands through the CLI, as a user runs them."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from kg.cli import app


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_synergies_csv_names_both_projects(shipped):
    rows = list(csv.DictReader(io.StringIO(run("synergies", "--format", "csv", "--output", str(shipped)).split("\n\n")[0])))
    shared = [r for r in rows if r["kind"] == "shared-partners"]
    assert shared and all(r["project A"] != r["project B"] for r in shared)
    assert {"REEsilience", "SUSMAGPRO"} in [{r["project A"], r["project B"]} for r in shared]


def test_synergies_json_is_one_document_with_every_table(shipped):
    document = json.loads(run("synergies", "--format", "json", "--output", str(shipped)))
    assert set(document) == {"synergy candidates", "brokers", "communities"}
    assert document["brokers"] and {"organisation", "betweenness"} <= set(document["brokers"][0])


def test_gaps_json_and_match(shipped):
    gaps = json.loads(run("gaps", "--date", "2023-01-01", "--format", "json", "--output", str(shipped)))
    assert {"severity", "kind", "about", "evidence"} == set(gaps[0])
    assert gaps[0]["severity"] == "high"
    suggestions = list(csv.DictReader(io.StringIO(run("match", "SUSMAGPRO", "--top", "3", "--format", "csv", "--output", str(shipped)))))
    assert 0 < len(suggestions) <= 3 and all(s["why"] for s in suggestions)


def test_unknown_entity_is_a_clear_error(shipped):
    result = CliRunner().invoke(app, ["match", "NOSUCHPROJECT", "--output", str(shipped)])
    assert result.exit_code == 1
    assert "no project or organisation called 'NOSUCHPROJECT'" in result.output
