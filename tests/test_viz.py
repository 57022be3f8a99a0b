"""The explorer in a real browser: counts, search, no request leaving the file, labels as text."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from kg.build import build
from kg.publish.viz import Selection, VizTooLarge, write_explorer
from kg.vocab import mint

from .conftest import FIXTURES
from .test_analysis import ARTIFACTS, PLANTED, _chromium

EVIL_NAME = '<img src=x onerror="window.__xss=1"> & <script>window.__xss=2</script> Firm'


def _open(browser, page: Path, seconds: float = 30):
    browser.get(page.as_uri())
    deadline = time.monotonic() + seconds
    while not browser.execute_script("return window.remkgReady === true"):
        assert time.monotonic() < deadline, "the network did not settle"
        time.sleep(0.2)


def test_explorer_of_the_shipped_graph_in_chromium(shipped, tmp_path):
    page, nodes, edges = write_explorer(shipped, tmp_path / "explorer.html")
    assert nodes > 60 and edges > 80
    browser = _chromium()
    try:
        started = time.monotonic()
        _open(browser, page)
        load_seconds = time.monotonic() - started
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
        assert browser.execute_script("return window.remkgNodes.length") == nodes
        assert browser.execute_script("return window.remkgEdges.length") == edges
        search = browser.find_element("id", "search")
        search.send_keys("SUSMAGPRO")
        assert browser.execute_script("return window.remkgNetwork.getSelectedNodes()") == [str(mint("project", "susmagpro"))]
        assert browser.find_element("id", "results").text.startswith("SUSMAGPRO")
        assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
        dashed = browser.execute_script("return window.remkgEdges.get({filter: function (e) { return e.dashes === true; }}).length")
        assert dashed >= 1  # suggested links overlay
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "explorer.png"))
        (ARTIFACTS / "explorer-load-seconds.txt").write_text(f"{load_seconds:.2f}\n")
    finally:
        browser.quit()
    html = page.read_text()
    for reference in ('src="http', "src='http", 'href="http', "url(http", "url('http", '@import'):
        assert reference not in html, reference


def test_markup_in_labels_is_shown_as_text_and_never_runs(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data_min", data)
    organisations = data / "organisations.yaml"
    organisations.write_text(organisations.read_text().replace("name: Firm B", "name: '" + EVIL_NAME.replace("'", "''") + "'"))
    output = tmp_path / "build"
    build(data, output)
    page = output / "explorer.html"  # written by the build
    browser = _chromium()
    try:
        _open(browser, page)
        browser.find_element("id", "search").send_keys("Firm")
        assert EVIL_NAME in browser.find_element("id", "results").text
        firm = str(mint("org", "firm-b"))
        assert browser.execute_script(f"return window.remkgNodes.get('{firm}').label") == EVIL_NAME
        tooltip = browser.execute_script(f"return window.remkgNodes.get('{firm}').title.textContent")
        assert tooltip.startswith(EVIL_NAME)
        assert browser.execute_script("return window.__xss === undefined")
        assert browser.execute_script("return document.querySelectorAll('img').length") == 0
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        browser.quit()


def test_selections_and_the_size_limit(tmp_path_factory):
    output = tmp_path_factory.mktemp("viz") / "build"
    build(PLANTED, output)
    _, all_nodes, _ = write_explorer(output, output / "all.html")
    _, focus_nodes, _ = write_explorer(output, output / "focus.html", Selection(focus="delta", depth=1))
    assert focus_nodes < all_nodes
    _, country_nodes, _ = write_explorer(output, output / "pl.html", Selection(country="PL"))
    assert country_nodes >= 2  # Ore Processor and BENE, at least
    with pytest.raises(VizTooLarge, match="--focus"):
        write_explorer(output, output / "big.html", max_nodes=3)
    with pytest.raises(KeyError, match="nothing called"):
        write_explorer(output, output / "x.html", Selection(focus="no-such-thing"))
