"""The installed package (not the checkout) finds the ontology, queries and data at run time."""

import json
import subprocess
import sys


def test_installed_package_carries_its_resources(tmp_path):
    # Run from an empty folder so that `kg` is imported from site-packages, not from the checkout.
    script = ("import json; from kg import paths; "
              "print(json.dumps({'ontology': [str(p) for p in paths.ontology_files()], "
              "'shapes': str(paths.shapes_file()), 'queries': len(list(paths.queries_dir().glob('*.rq'))), "
              "'projects': len(list((paths.data_dir() / 'projects').glob('*.yaml')))}))")
    found = json.loads(subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True,
                                      capture_output=True, text=True).stdout)
    assert len(found["ontology"]) == 6
    assert found["shapes"].endswith("shapes.ttl")
    assert found["queries"] >= 12
    assert found["projects"] >= 5


def test_console_script_help(tmp_path):
    result = subprocess.run([sys.executable, "-m", "kg.cli", "--help"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("build", "validate", "stats", "query", "sparql", "serve", "push", "ontology"):
        assert command in result.stdout
