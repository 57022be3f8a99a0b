"""The explorer in a real browser: the value-chain view, expand and focus, filters, the time
slider, the URL fragment, paths, export, labels as text, and no request leaving the file."""

from __future__ import annotations

import json
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import Select
from typer.testing import CliRunner

from bench.explorer_settle import generate_store
from kg.analysis.network import load_ecosystem
from kg.build import build
from kg.cli import app
from kg.publish.viz import write_explorer
from kg.query import run_named
from kg.vocab import mint

from .conftest import FIXTURES
from .test_analysis import ARTIFACTS, _chromium

EVIL_NAME = '<img src=x onerror="window.__xss=1"> & <script>window.__xss=2</script> Firm'
SUSMAGPRO = str(mint("project", "susmagpro"))


@pytest.fixture(scope="module")
def page(shipped, tmp_path_factory) -> Path:
    target, _, _ = write_explorer(shipped, tmp_path_factory.mktemp("explorer") / "explorer.html")
    return target


@pytest.fixture(scope="module")
def browser():
    browser = _chromium()  # no skip: a browser that cannot start fails the test
    try:
        yield browser
    finally:
        browser.quit()


def _open(browser, url: str, seconds: float = 60) -> None:
    browser.get("about:blank")  # a new fragment on the same page would not reload it
    browser.get(url)
    _wait(browser, seconds)


def _wait(browser, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not browser.execute_script("return window.remkgReady === true"):
        assert time.monotonic() < deadline, "the network did not settle"
        time.sleep(0.1)


def _shown(browser) -> dict[str, str]:
    """The nodes drawn now: id -> kind."""
    return browser.execute_script("var r = {}; remkgNodes.forEach(function (n) { r[n.id] = n.kind; }); return r;")


def _of_kind(shown: dict[str, str], kind: str) -> set[str]:
    return {node for node, k in shown.items() if k == kind}


def _clean(browser) -> None:
    """No console errors, and no request left the page (nothing fetched, not even a blocked image)."""
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    assert browser.execute_script("return performance.getEntriesByType('resource').map(function (e) { return e.name; })") == []


def _click_node(browser, node: str) -> None:
    """A real mouse click on the node's place in the canvas."""
    canvas = browser.find_element("css selector", "#network canvas")
    x, y = browser.execute_script("var p = remkgNetwork.canvasToDOM(remkgNetwork.getPositions([arguments[0]])[arguments[0]]);"
                                  "return [p.x, p.y];", node)
    size = canvas.size
    ActionChains(browser).move_to_element_with_offset(canvas, int(x - size["width"] / 2), int(y - size["height"] / 2)).click().perform()
    _wait(browser)


def _participations(output: Path) -> list[dict]:
    return run_named("analysis-participations", output_dir=output).rows


def test_default_view_is_the_chain_and_a_click_on_susmagpro_shows_exactly_its_partners(shipped, page, browser):
    browser.set_window_size(1600, 1000)  # a laptop screen, for the screenshot
    started = time.monotonic()
    _open(browser, page.as_uri())
    load_seconds = time.monotonic() - started
    eco = load_ecosystem(shipped)
    shown = _shown(browser)
    assert _of_kind(shown, "stage") == set(eco.top_level_stages())
    assert _of_kind(shown, "project") == set(eco.projects)
    assert _of_kind(shown, "organisation") == set()
    assert set(shown.values()) == {"stage", "project"}  # capabilities, materials, sectors, challenges: off until asked
    positions = browser.execute_script("return remkgNetwork.getPositions()")
    chain = [positions[s]["x"] for s in eco.chain_stages()]
    themes = [positions[s]["x"] for s in eco.top_level_stages() if s not in eco.chain_stages()]
    assert chain == sorted(chain) and len(set(chain)) == len(chain)  # columns in chain order
    assert themes and min(themes) > max(chain)  # the themes: a band of their own
    assert all(positions[p]["y"] > positions[eco.chain_stages()[0]]["y"] for p in eco.projects)  # projects under the stages
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "explorer-default.png"))
    settle = browser.execute_script("return window.remkgSettle")
    (ARTIFACTS / "explorer-shipped-settle.json").write_text(json.dumps({**settle, "load_seconds": load_seconds}, indent=2) + "\n")

    _click_node(browser, SUSMAGPRO)
    partners = {r["org"] for r in _participations(shipped) if r["project"] == SUSMAGPRO}
    assert len(partners) == len(run_named("project-participants", {"project": "susmagpro"}, output_dir=shipped).rows)
    assert _of_kind(_shown(browser), "organisation") == partners
    details = browser.find_element("id", "details-body").text
    assert "SUSMAGPRO" in details and "Sources" in details and "Pforzheim University" in details
    links = browser.execute_script("return Array.from(document.querySelectorAll('#details-body a')).map(function (a) { return a.href; })")
    assert links and all(link.startswith("http") for link in links)
    browser.save_screenshot(str(ARTIFACTS / "explorer-susmagpro-expanded.png"))
    browser.execute_script("remkgNetwork.emit('doubleClick', {nodes: [arguments[0]], edges: []})", SUSMAGPRO)  # collapse
    assert _of_kind(_shown(browser), "organisation") == set()
    _clean(browser)


def test_the_time_slider_shows_exactly_the_projects_active_on_that_day(shipped, page, browser):
    _open(browser, page.as_uri())
    for day in ("2019-01-01", "2022-06-01", "2025-06-30"):
        browser.execute_script("var slider = document.getElementById('date'); var p = arguments[0].split('-');"
                               "slider.value = String(Date.UTC(+p[0], +p[1] - 1, +p[2]) / 86400000);"
                               "slider.dispatchEvent(new Event('input'));", day)
        assert browser.find_element("id", "date-label").text == day
        active = set(browser.execute_script("return remkgNodes.get({filter: function (n) { return n.kind === 'project' && n.active; }})"
                                            ".map(function (n) { return n.id; })"))
        expected = {r["project"] for r in run_named("projects-active-on-date", {"date": day}, output_dir=shipped).rows}
        assert expected and active == expected, day
        grey = set(browser.execute_script("return remkgExplorer.greyProjects()"))
        assert grey == set(load_ecosystem(shipped).projects) - expected
        coverage = run_named("stage-coverage-on-date", {"date": day}, output_dir=shipped).rows
        red = browser.execute_script("return remkgNodes.get({filter: function (n) { return n.kind === 'stage' && n.color.border === '#c0392b'; }})"
                                     ".map(function (n) { return n.label.split('\\n')[0]; })")
        assert set(red) == {r["stageLabel"] for r in coverage if r["activeProjects"] == "0"}, day
    assert "2025-06-30" in browser.current_url
    _clean(browser)


def test_a_country_filter_shows_exactly_its_organisations_and_their_projects(shipped, page, browser):
    _open(browser, page.as_uri())
    Select(browser.find_element("id", "f-country")).select_by_value("SI")
    _wait(browser)
    shown = _shown(browser)
    facts = run_named("explorer-facts", output_dir=shipped).rows
    slovenian = {r["entity"] for r in facts if r["fact"] == "country" and r["value"] == "SI"}
    participations = _participations(shipped)
    assert slovenian and _of_kind(shown, "organisation") == slovenian
    assert _of_kind(shown, "project") == {r["project"] for r in participations if r["country"] == "SI"}

    # "who works on recycling in Slovenia, and with whom"
    Select(browser.find_element("id", "f-stage")).select_by_value("stage/recycling")
    _wait(browser)
    shown = _shown(browser)
    recycling = {p for p, stages in load_ecosystem(shipped).top_stages.items() if str(mint("stage", "recycling")) in stages}
    expected_projects = {r["project"] for r in participations if r["country"] == "SI" and r["project"] in recycling}
    assert expected_projects and _of_kind(shown, "project") == expected_projects
    assert _of_kind(shown, "organisation") == {r["org"] for r in participations if r["country"] == "SI" and r["project"] in recycling}
    project = sorted(expected_projects)[0]
    _click_node(browser, project)  # with whom: all its partners, whatever their country
    assert _of_kind(_shown(browser), "organisation") >= {r["org"] for r in participations if r["project"] == project}
    _clean(browser)


def test_programme_cluster_and_funding_filters(shipped, page, browser):
    facts = run_named("explorer-facts", output_dir=shipped).rows
    projects = run_named("analysis-projects", output_dir=shipped).rows
    links = run_named("explorer-links", output_dir=shipped).rows
    _open(browser, page.as_uri())
    Select(browser.find_element("id", "f-programme")).select_by_value("Horizon 2020")
    _wait(browser)
    h2020 = {r["entity"] for r in facts if r["fact"] == "programme" and r["value"] == "Horizon 2020"}
    assert h2020 and _of_kind(_shown(browser), "project") == h2020
    Select(browser.find_element("id", "f-programme")).select_by_value("")
    Select(browser.find_element("id", "f-cluster")).select_by_value("cluster/reia")  # a network of organisations
    _wait(browser)
    members = {r["source"] for r in links if r["relation"] == "member of" and r["target"] == str(mint("cluster", "reia"))}
    shown = _shown(browser)
    assert members and _of_kind(shown, "organisation") == members and str(mint("cluster", "reia")) in shown
    assert _of_kind(shown, "project") == {r["project"] for r in _participations(shipped) if r["org"] in members}
    Select(browser.find_element("id", "f-cluster")).select_by_value("")
    browser.find_element("id", "f-fmin").send_keys("3\t")
    _wait(browser)
    funded = {r["project"]: float(r["euContribution"]) for r in projects if r["euContribution"]}
    rich = {p for p, money in funded.items() if money >= 3e6}
    assert rich and _of_kind(_shown(browser), "project") == rich  # projects without a recorded amount are left out
    browser.find_element("id", "f-fmax").send_keys("3.5\t")
    _wait(browser)
    assert _of_kind(_shown(browser), "project") == {p for p in rich if funded[p] <= 3.5e6}
    _clean(browser)


def test_a_saved_url_fragment_reopens_the_same_view(page, browser):
    _open(browser, page.as_uri())
    Select(browser.find_element("id", "f-country")).select_by_value("DE")
    browser.find_element("css selector", '#kinds input[data-kind="material"]').click()
    browser.find_element("id", "search").send_keys("SUSMAGPRO")
    browser.find_element("css selector", "#results button").click()
    browser.execute_script("remkgExplorer.update({date: '2021-03-01'})")
    _wait(browser)
    url, state, shown = browser.current_url, browser.execute_script("return remkgExplorer.state()"), _shown(browser)
    assert "country=DE" in url and "material" in url and "2021-03-01" in url
    assert "material" in shown.values() and state["expanded"] == ["project/susmagpro"]
    assert browser.find_element("id", "link").get_attribute("value") == url
    other = _chromium()  # a second browser, as a colleague opening the link
    try:
        _open(other, url)
        assert other.execute_script("return remkgExplorer.state()") == state
        assert _shown(other) == shown
        assert Select(other.find_element("id", "f-country")).first_selected_option.get_attribute("value") == "DE"
        _clean(other)
    finally:
        other.quit()


def test_the_shortest_path_between_two_organisations_goes_through_the_project_they_share(shipped, page, browser):
    participations = _participations(shipped)
    projects_of: dict[str, set[str]] = {}
    for r in participations:
        projects_of.setdefault(r["org"], set()).add(r["project"])
    names = {r["org"]: r["name"] for r in participations}
    partners = sorted(r["org"] for r in participations if r["project"] == SUSMAGPRO)
    a, b = partners[0], partners[-1]
    shared = projects_of[a] & projects_of[b]
    _open(browser, page.as_uri())
    browser.find_element("id", "path-from").send_keys(names[a])
    browser.find_element("id", "path-to").send_keys(names[b])
    browser.find_element("id", "path-go").click()
    _wait(browser)
    path = browser.execute_script("var p = remkgExplorer.path(); return {nodes: p.nodes, length: p.length};")
    assert path["length"] == 2
    assert set(path["nodes"]) == {a, b} | shared
    assert SUSMAGPRO in shared
    shown = _shown(browser)
    assert {a, b} | shared <= set(shown)  # the path is drawn even though organisations are not shown by default
    highlighted = browser.execute_script("return remkgEdges.get({filter: function (e) { return e.width === 5; }}).length")
    assert highlighted == 2 * len(shared)
    assert "SUSMAGPRO" in browser.find_element("id", "path-result").text

    # between two projects: through the partners they share, never through a stage both cover
    partners_of = {p: {r["org"] for r in participations if r["project"] == p} for p in {r["project"] for r in participations}}
    other = next(p for p in sorted(partners_of) if p != SUSMAGPRO and partners_of[p] & partners_of[SUSMAGPRO])
    browser.execute_script("remkgExplorer.update({from: 'project/susmagpro', to: arguments[0]})", other.rsplit("/id/", 1)[1])
    path = browser.execute_script("var p = remkgExplorer.path(); return {nodes: p.nodes, length: p.length};")
    assert path["length"] == 2 and set(path["nodes"]) == {SUSMAGPRO, other} | (partners_of[SUSMAGPRO] & partners_of[other])
    _clean(browser)


def test_focus_shows_a_neighbourhood_to_the_chosen_depth(shipped, page, browser):
    participations = _participations(shipped)
    org = str(mint("org", "pforzheim-university"))
    projects = {r["project"] for r in participations if r["org"] == org}
    _open(browser, page.as_uri())
    browser.find_element("id", "search").send_keys("Pforzheim University")
    browser.find_element("css selector", "#results button").click()
    _wait(browser)
    Select(browser.find_element("css selector", '#details-body select[aria-label="Focus depth"]')).select_by_value("1")
    next(b for b in browser.find_elements("css selector", "#details-body button") if b.text.startswith("Focus")).click()
    _wait(browser)
    eco = load_ecosystem(shipped)
    assert set(_shown(browser)) == set(eco.top_level_stages()) | {org} | projects
    browser.execute_script("remkgExplorer.update({depth: 2})")
    _wait(browser)
    assert _of_kind(_shown(browser), "organisation") == {r["org"] for r in participations if r["project"] in projects}
    _clean(browser)


def test_export_as_png_and_svg(page, browser):
    _open(browser, page.as_uri())
    assert browser.execute_script("return remkgExplorer.png()").startswith("data:image/png;base64,")
    svg = ET.fromstring(browser.execute_script("return remkgExplorer.svg()"))
    labels = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert any(label.startswith("SUSMAGPRO") for label in labels)
    assert len(labels) == browser.execute_script("return remkgNodes.length")
    _clean(browser)


def test_markup_in_labels_is_shown_as_text_and_never_runs(tmp_path, browser):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data_min", data)
    organisations = data / "organisations.yaml"
    organisations.write_text(organisations.read_text().replace("name: Firm B", "name: '" + EVIL_NAME.replace("'", "''") + "'"))
    output = tmp_path / "build"
    build(data, output)
    page = output / "explorer.html"  # written by the build
    _open(browser, page.as_uri() + "#show=project,organisation")
    browser.find_element("id", "search").send_keys("Firm")
    assert EVIL_NAME in browser.find_element("id", "results").text
    browser.find_element("css selector", "#results button").click()
    _wait(browser)
    firm = str(mint("org", "firm-b"))
    assert browser.execute_script(f"return window.remkgNodes.get('{firm}').title.textContent").startswith(EVIL_NAME)
    assert EVIL_NAME in browser.find_element("id", "details-body").text
    svg = ET.fromstring(browser.execute_script("return remkgExplorer.svg()"))  # still well-formed XML
    assert any(t.text.startswith(EVIL_NAME[:20]) for t in svg.iter("{http://www.w3.org/2000/svg}text"))  # shortened on the map
    assert browser.execute_script("return window.__xss === undefined")
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    _clean(browser)


def test_a_large_graph_is_grouped_above_the_limit_and_its_settle_time_is_recorded(tmp_path, browser):
    output = tmp_path / "generated"
    generated = generate_store(output, 2000)
    page, nodes, _ = write_explorer(output, output / "explorer.html")
    assert nodes == 2000 and generated["organisations"] > 1500
    _open(browser, page.as_uri() + "#show=project,organisation", seconds=120)
    shown = _shown(browser)
    assert len(shown) == 2000 and _of_kind(shown, "organisation")
    settle = browser.execute_script("return window.remkgSettle")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "explorer-2000-settle.json").write_text(json.dumps({**settle, **generated}, indent=2) + "\n")

    small, _, _ = write_explorer(output, output / "small.html", max_nodes=500)
    _open(browser, small.as_uri() + "#show=project,organisation", seconds=120)
    shown = _shown(browser)
    assert _of_kind(shown, "organisation") == set() and len(_of_kind(shown, "group")) == 13  # one per country
    assert len(_of_kind(shown, "project")) == generated["projects"]
    assert "grouped by country" in browser.find_element("id", "notice").text
    browser.execute_script("remkgNetwork.emit('click', {nodes: ['group:country:SI'], edges: []})")
    _wait(browser)
    assert browser.execute_script("return remkgExplorer.state().country") == "SI"
    assert {browser.execute_script("return remkgNodes.get(arguments[0]).kind", n) for n in _shown(browser)} >= {"organisation"}
    _clean(browser)


def test_the_command_line_chooses_the_opening_view_and_the_site_link(shipped, tmp_path, browser):
    out = tmp_path / "explorer.html"
    result = CliRunner().invoke(app, ["viz", "--output", str(shipped), "--out", str(out), "--country", "si",
                                      "--focus", "SUSMAGPRO", "--depth", "1", "--site-base", "site/", "--date", "2022-06-01"])
    assert result.exit_code == 0, result.output
    _open(browser, out.as_uri())
    state = browser.execute_script("return remkgExplorer.state()")
    assert (state["country"], state["focus"], state["depth"], state["date"]) == ("SI", "project/susmagpro", 1, "2022-06-01")
    browser.execute_script("remkgExplorer.update({sel: 'project/susmagpro'})")
    assert browser.find_element("id", "site-link").get_attribute("href") == (tmp_path / "site/id/project/susmagpro/index.html").as_uri()
    _clean(browser)
    failed = CliRunner().invoke(app, ["viz", "--output", str(shipped), "--out", str(tmp_path / "x.html"), "--focus", "no-such-thing"])
    assert failed.exit_code == 1 and "nothing called 'no-such-thing'" in failed.output
    assert not (tmp_path / "x.html").exists()


def test_the_page_is_one_offline_file(page):
    html = page.read_text()
    for reference in ('src="http', "src='http", 'href="http', "url(http", "url('http", "@import"):
        assert reference not in html, reference
    assert "default-src 'none'" in html  # the page may not fetch anything, whatever a label holds
    assert html.count('<script type="application/json"') == 1  # the data, as escaped JSON
    assert not [marker for marker in ("/*DATA*/", "/*VIS_JS*/", "/*EXPLORER_JS*/", "/*EXPLORER_CSS*/") if marker in html]
