"""News and event reports: reading articles, linking mentions, extracting events, the build with
articles, evidence of activity in the gap analysis and the report, and the CLI around them."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from typer.testing import CliRunner

from kg.analysis.gaps import COVERED, EVIDENCE_ONLY, NOT_COVERED, coverage_gaps, coverage_states, evidence_active
from kg.analysis.network import load_ecosystem
from kg.build import assemble, build
from kg.cli import app
from kg.paths import data_dir as shipped_data_dir
from kg.query import run, run_named
from kg.vocab import ID_BASE, REM, mint
from loaders.article_file import article_files, read_article
from loaders.articles import ArticlesLoader
from loaders.base import InputEntry, LoadContext, LoadError
from loaders.event_text import extract_events, find_dates, parse_number
from loaders.gazetteer import Gazetteer

from .conftest import FIXTURES
from .test_analysis import _chromium

ARTICLES = FIXTURES / "articles"
EXPECTED = yaml.safe_load((ARTICLES / "expected.yaml").read_text(encoding="utf-8"))
STAGE = ID_BASE + "stage/"
ARTICLE_TEXTS = "SELECT ?article ?text WHERE { ?article <https://schema.org/text> ?text }"


@pytest.fixture(scope="module")
def curated() -> tuple[Graph, Graph]:
    _, ontology, data = assemble()
    return ontology, data


@pytest.fixture(scope="module")
def gazetteer(curated) -> Gazetteer:
    ontology, data = curated
    return Gazetteer.from_graph(ontology + data)


def _data_with_articles(target: Path) -> Path:
    shutil.copytree(shipped_data_dir(), target)
    shutil.copytree(ARTICLES, target / "articles", ignore=shutil.ignore_patterns("expected.yaml"))
    (target / "inputs.yaml").write_text("- kind: articles\n  path: articles\n", encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def with_articles(tmp_path_factory) -> Path:
    """The shipped data plus the fixture articles, built once for this module."""
    root = tmp_path_factory.mktemp("articles")
    output = root / "out"
    build(_data_with_articles(root / "data"), output)
    return output


def _short(iri: str) -> str:
    return iri.removeprefix(ID_BASE)


# -- precision and recall on the hand-checked fixtures ----------------------------------------------

def _event_facts(event: dict) -> set[tuple]:
    """An event as comparable facts, keyed by its start date."""
    key = str(event["start"])
    facts = {(key, "name", event["name"]), (key, "end", str(event["end"]))}
    facts |= {(key, field, event[field]) for field in ("city", "online", "participants") if event.get(field) is not None}
    facts |= {(key, "organiser", o) for o in event.get("organisers", [])} | {(key, "project", p) for p in event.get("projects", [])}
    return facts


def _found_event(event) -> dict:
    return {"name": event.name, "start": event.start, "end": event.end, "city": event.city, "online": event.online,
            "participants": event.participants, "organisers": [_short(o) for o in event.organisers],
            "projects": [_short(p) for p in event.projects]}


def _precision_recall(found: Counter, expected: Counter) -> tuple[float, float, int, int, int]:
    hits = sum((found & expected).values())
    return hits / max(sum(found.values()), 1), hits / max(sum(expected.values()), 1), hits, sum(found.values()), sum(expected.values())


def test_precision_and_recall_of_mentions_and_events_on_fixture_articles(gazetteer):
    assert len(EXPECTED) >= 8
    mentions_found, mentions_expected, events_found, events_expected = Counter(), Counter(), Counter(), Counter()
    for name, expected in sorted(EXPECTED.items()):
        article = read_article(ARTICLES / name, name)
        mentions = gazetteer.find(article.text)
        mentions_found.update((name, _short(m.iri)) for m in mentions)
        mentions_expected.update({(name, entity): count for entity, count in expected["mentions"].items()})
        events_found.update((name, *fact) for event in extract_events(article, mentions) for fact in _event_facts(_found_event(event)))
        events_expected.update((name, *fact) for event in expected["events"] for fact in _event_facts(event))
    m_precision, m_recall, *m_counts = _precision_recall(mentions_found, mentions_expected)
    e_precision, e_recall, *e_counts = _precision_recall(events_found, events_expected)
    print(f"\nmentions: precision {m_precision:.3f}, recall {m_recall:.3f} (correct, found, expected = {m_counts})")
    print(f"event facts: precision {e_precision:.3f}, recall {e_recall:.3f} (correct, found, expected = {e_counts})")
    print("missed:", sorted((mentions_expected - mentions_found) + (events_expected - events_found)))
    print("wrong:", sorted((mentions_found - mentions_expected) + (events_found - events_expected)))
    assert m_precision >= 0.9 and m_recall >= 0.9
    assert e_precision >= 0.9 and e_recall >= 0.9


def test_events_merge_with_the_curated_one_or_become_extracted_events(curated):
    ontology, data = curated
    loader = ArticlesLoader(FIXTURES, InputEntry("articles", "articles", {}, "inputs.yaml", 1), LoadContext(FIXTURES, ontology, data))
    graphs = {source.derived_from.rsplit("/", 1)[-1]: source for source in loader.load()}
    for name, expected in EXPECTED.items():
        graph = Graph()
        for triple in graphs[name].triples:
            graph.add(triple)
        reported = set(graph.subjects(REM.reportedIn, None))
        assert len(reported) == len(expected["events"]), name
        for event in expected["events"]:
            if event.get("merged_with"):
                iri = mint("event", event["merged_with"])
                assert iri in reported and (iri, RDFS.label, None) not in graph  # the curated name stays the only one
            else:
                iri = next(e for e in reported if (e, REM.startDate, None) in graph
                           and str(graph.value(e, REM.startDate)) == str(event["start"]))
                assert (iri, RDF.type, REM.ExtractedEvent) in graph
                assert graph.value(iri, REM.participantCount).toPython() == event["participants"]
            assert {_short(str(p)) for p in graph.objects(iri, REM.featuresProject)} == set(event["projects"])
            assert list(graph.objects(iri, REM.evidenceSentence))


def test_number_words_and_english_dates():
    assert [parse_number(t) for t in ("sixty-seven", "one hundred and fifty", "a hundred", "1,200", "42")] == [67, 150, 100, 1200, 42]
    assert parse_number("many") is None
    spans = find_dates("on 1 October 2025, then 29–30 October 2025, March 25, 2026 and 30 September - 2 October 2026; not October 2025")
    assert [(d.start.isoformat(), d.end.isoformat()) for d in spans] == [
        ("2025-10-01", "2025-10-01"), ("2025-10-29", "2025-10-30"), ("2026-03-25", "2026-03-25"), ("2026-09-30", "2026-10-02")]
    assert find_dates("31 February 2025") == []


# -- the gazetteer's rules ----------------------------------------------------------------------------

@pytest.fixture()
def small_gazetteer() -> Gazetteer:
    graph = Graph()
    for slug, acronym in (("remag", "ReMag"), ("scale", "SCALE"), ("remhub", "REMHub"), ("new-re", "NEW-RE")):
        project = mint("project", slug)
        graph.add((project, RDF.type, REM.Project))
        graph.add((project, REM.acronym, Literal(acronym)))
    org = mint("org", "tecnalia")
    graph.add((org, RDF.type, REM.ResearchOrganisation))
    graph.add((org, RDFS.label, Literal("Fundación TECNALIA Research & Innovation")))
    graph.add((org, SKOS.altLabel, Literal("Tecnalia")))
    stage = URIRef(STAGE + "use")
    graph.add((stage, RDF.type, REM.Stage))
    graph.add((stage, SKOS.prefLabel, Literal("Use")))
    return Gazetteer.from_graph(graph)


def _linked(gazetteer: Gazetteer, text: str) -> list[tuple[str, str]]:
    return [(m.surface, m.iri.rsplit("/", 1)[-1]) for m in gazetteer.find(text)]


def test_no_link_inside_a_longer_word_a_url_or_an_address(small_gazetteer):
    text = ("REMHubs and SUPERSCALE, xREMHub, REMHub2, www.remhub.eu, https://example.org/REMHub/x, "
            "news@remhub.eu, remhub_partner, file REMHub.pdf")
    assert _linked(small_gazetteer, text) == []


def test_case_hyphen_and_possessive_variants_are_found(small_gazetteer):
    text = "REMHub's workshop; REMHUB, RemHub and Re-Mag; NEWRE and NEW-RE; TECNALIA and Tecnalia (REMHub)."
    assert _linked(small_gazetteer, text) == [
        ("REMHub", "remhub"), ("REMHUB", "remhub"), ("RemHub", "remhub"), ("Re-Mag", "remag"), ("NEWRE", "new-re"),
        ("NEW-RE", "new-re"), ("TECNALIA", "tecnalia"), ("Tecnalia", "tecnalia"), ("REMHub", "remhub")]


def test_everyday_words_do_not_link_to_acronyms_or_short_labels(small_gazetteer):
    assert _linked(small_gazetteer, "Scale-up at scale is hard; remhub and tecnalia in lower case; the use of magnets.") == []
    assert _linked(small_gazetteer, "The SCALE project") == [("SCALE", "scale")]


def test_html_markup_scripts_and_navigation_are_ignored(gazetteer):
    article = read_article(ARTICLES / "02-permanet-clustering.html", "02-permanet-clustering.html")
    assert article.title == "PERMANET clustering session (test fixture)" and article.published == dt.date(2026, 3, 27)
    for hidden in ("HARMONY", "NEXMAG", "MaXycle", "ROMEO", "console", "color", "<p>", "PASSENGER"):
        assert hidden not in article.text
    assert "Six projects meet online" in article.text
    linked = {m.surface for m in gazetteer.find(article.text)}
    assert {"HARMONY", "NEXMAG", "MaXycle", "ROMEO", "PASSENGER"}.isdisjoint(linked) and "SICAPERMA" in linked


@pytest.mark.parametrize("name, content, expected", [
    ("latin1.md", "Caf\xe9 news about REMHub".encode("latin-1"), "latin1.md:1: not valid UTF-8 (byte 0xe9)"),
    ("open.md", b"---\ntitle: x\nREMHub news\n", "open.md:1: front matter: front matter opened with '---' on line 1 is never closed"),
    ("syntax.md", b"---\ntitle: [unclosed\n---\ntext\n", "syntax.md:2: YAML syntax error"),
    ("unknown.md", b"---\ntitle: t\nauthor: me\n---\ntext\n", "unknown.md:3: author: unknown front-matter field"),
    ("date.md", b"---\ndate: 1 October\n---\ntext\n", "date.md:2: date: expected a date YYYY-MM-DD, got '1 October'"),
    ("url.md", b"---\nurl: example.org\n---\ntext\n", "url.md:2: url: expected an http(s) URL"),
    ("empty.html", b"<html><script>var REMHub;</script><nav>GREENE</nav></html>", "empty.html: no text found"),
    ("notes.docx", b"PK", "notes.docx: unsupported file type '.docx'"),
])
def test_a_bad_file_gives_a_clear_error_naming_the_file(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as error:
        read_article(path, name)
    assert expected in str(error.value)


def test_a_bad_article_stops_the_build_and_writes_nothing(tmp_path):
    data = _data_with_articles(tmp_path / "data")
    (data / "articles" / "broken.txt").write_bytes(b"REMHub \xff\xfe news")
    output = tmp_path / "out"
    with pytest.raises(LoadError) as error:
        build(data, output)
    assert "articles/broken.txt:1: not valid UTF-8" in str(error.value)
    assert not output.exists()


def test_two_articles_differing_only_in_file_type_are_refused(tmp_path, curated):
    ontology, data = curated
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "item.md").write_text("REMHub news.", encoding="utf-8")
    (tmp_path / "news" / "item.txt").write_text("GREENE news.", encoding="utf-8")
    loader = ArticlesLoader(tmp_path, InputEntry("articles", "news", {}, "inputs.yaml", 1), LoadContext(tmp_path, ontology, data))
    with pytest.raises(LoadError) as error:
        loader.load()
    assert "news/item.txt: same name as news/item.md apart from the file type" in str(error.value)


# -- the build with articles --------------------------------------------------------------------------

def test_mentions_are_web_annotations_whose_offsets_point_at_the_words(with_articles):
    rows = run_named("mentions", {"entity": str(mint("project", "remhub"))}, output_dir=with_articles).rows
    assert len(rows) == 5 and {r["exact"] for r in rows} == {"REMHub"}
    assert {r["article"].rsplit("/", 1)[-1]: r["mentions"] for r in run_named("articles", output_dir=with_articles).rows}[
        "articles-01-remhub-workshop"] == str(sum(EXPECTED["01-remhub-workshop.md"]["mentions"].values()))
    texts = {r["article"]: r["text"] for r in run(ARTICLE_TEXTS, None, None, with_articles).rows}
    for row in rows:
        assert texts[row["article"]][int(row["start"]):int(row["end"])] == row["exact"]
        assert row["exact"] in row["sentence"]
    assert rows[0]["published"] == "2026-03-27"  # newest article first


def test_co_mentions_count_sentences_and_paragraphs(with_articles):
    rows = {(r["acronymA"], r["acronymB"]): r for r in run_named("co-mentions", output_dir=with_articles).rows}
    assert rows[("GREENE", "SUSMAGPRO")]["sentences"] == "2" and rows[("GREENE", "SUSMAGPRO")]["articles"] == "2"
    assert rows[("REEsilience", "SUSMAGPRO")]["sentences"] == "1" and rows[("REEsilience", "SUSMAGPRO")]["paragraphs"] == "2"
    assert rows[("PASSENGER", "SUSMAGPRO")]["sentences"] == "0" and rows[("PASSENGER", "SUSMAGPRO")]["paragraphs"] == "1"
    assert ("HARMONY", "MaXycle") in rows and ("NEXMAG", "SUSMAGPRO") not in rows  # different paragraphs


def test_an_undated_project_with_an_event_is_evidence_active_on_that_date(with_articles):
    eco = load_ecosystem(with_articles)
    remhub = str(mint("project", "remhub"))
    assert eco.projects[remhub].start is None
    assert remhub in evidence_active(eco, dt.date(2025, 10, 1))
    assert remhub not in evidence_active(eco, dt.date(2025, 9, 30))  # the workshop had not happened yet
    assert remhub in evidence_active(eco, dt.date(2027, 3, 1), max_age_months=12)  # the 2026-03-25 session is recent enough
    assert remhub not in evidence_active(eco, dt.date(2027, 4, 1), max_age_months=12)  # every event older than 12 months
    nexmag = str(mint("project", "nexmag"))  # dated: its own dates decide, not the workshop
    assert eco.projects[nexmag].start is not None and nexmag not in evidence_active(eco, dt.date(2023, 11, 23))


def test_the_three_coverage_states_and_the_evidence_switch(with_articles):
    eco = load_ecosystem(with_articles)
    day = dt.date(2026, 1, 1)
    states = {s.stage.rsplit("/", 1)[-1]: s for s in coverage_states(eco, day)}
    assert states["digital-traceability"].state == EVIDENCE_ONLY
    assert "REMHub organised REMHub Strategy and Networking Workshop on 2025-10-01 (92 days before" in states["digital-traceability"].evidence[0]
    assert states["use"].state == NOT_COVERED and states["magnet-manufacturing"].state == COVERED
    without = {g.subject.rsplit("/", 1)[-1]: g for g in coverage_gaps(eco, day)}
    counted = {g.subject.rsplit("/", 1)[-1]: g for g in coverage_gaps(eco, day, evidence=True)}
    assert without["digital-traceability"].severity == "high" and "not counted" in without["digital-traceability"].evidence
    assert counted["digital-traceability"].severity == "low" and "covered only by evidence" in counted["digital-traceability"].evidence
    assert without["use"].severity == counted["use"].severity == "high"


def test_gaps_states_command_prints_the_three_states(with_articles):
    result = CliRunner().invoke(app, ["gaps", "--states", "--date", "2026-01-01", "--format", "json", "--output", str(with_articles)])
    assert result.exit_code == 0, result.output
    rows = {r["stage"]: r for r in json.loads(result.output)}
    assert rows["Digital traceability"]["state"] == EVIDENCE_ONLY and rows["Use"]["state"] == NOT_COVERED
    assert rows["Magnet manufacturing"]["state"] == COVERED


def test_report_shows_the_three_states_in_chromium(with_articles):
    result = CliRunner().invoke(app, ["report", "--date", "2026-01-01", "--evidence", "--output", str(with_articles)])
    assert result.exit_code == 0, result.output
    browser = _chromium()
    try:
        browser.get((with_articles / "report.html").as_uri())
        table = browser.find_element("id", "coverage-states")
        states = {row.find_elements("tag name", "td")[0].text: row.find_elements("tag name", "td")[1].text
                  for row in table.find_elements("css selector", "tbody tr")}
        assert states["Digital traceability"] == EVIDENCE_ONLY and states["Use"] == NOT_COVERED
        assert states["Magnet manufacturing"] == COVERED
        assert "REMHub organised" in table.text
        gaps = browser.find_element("id", "gaps").text
        assert "covered only by evidence of activity" in gaps
        assert browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)") == []
    finally:
        browser.quit()


def test_chain_marks_an_evidence_only_chain_stage_in_orange(with_articles):
    from kg.analysis.gaps import StageState
    from kg.publish.report import chain_svg

    eco = load_ecosystem(with_articles)
    day = dt.date(2026, 1, 1)
    states = [StageState(STAGE + "use", "Use", EVIDENCE_ONLY, (), ("X took part in Y on 2025-12-01",))]
    svg = chain_svg(eco, day, [], states)
    assert svg.count('class="stage evidence-only"') == 1 and 'class="stage uncovered"' in svg  # 'use' orange, others red
    assert 'class="stage evidence-only"' not in chain_svg(eco, day, [], [])


def test_explorer_draws_co_mentions_as_their_own_layer(with_articles):
    page = (with_articles / "explorer.html").read_text(encoding="utf-8")
    payload = json.loads(page.split('<script type="application/json" id="graph-data">', 1)[1].split("</script>", 1)[0])
    layer = payload["coMentions"]
    assert layer and all(len(pair) == 3 and "mentioned together" in pair[2] for pair in layer)
    assert 'id="co-mention-layer"' in page


# -- the commands -------------------------------------------------------------------------------------

def test_load_articles_copies_checks_and_declares_once(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data_min", data)
    files = [str(ARTICLES / "01-remhub-workshop.md"), str(ARTICLES / "02-permanet-clustering.html")]
    result = CliRunner().invoke(app, ["load", "articles", *files, "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (data / "articles").iterdir()) == ["01-remhub-workshop.md", "02-permanet-clustering.html"]
    assert yaml.safe_load((data / "inputs.yaml").read_text()) == [{"kind": "articles", "path": "articles"}]
    again = CliRunner().invoke(app, ["load", "articles", *files, "--data", str(data)])
    assert again.exit_code == 0 and "0 copied, 2 already there" in again.output
    assert yaml.safe_load((data / "inputs.yaml").read_text()) == [{"kind": "articles", "path": "articles"}]


def test_load_articles_refuses_bad_files_and_never_replaces_another_file(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data_min", data)
    (data / "articles").mkdir()
    mine = data / "articles" / "01-remhub-workshop.md"
    mine.write_text("my own notes", encoding="utf-8")
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff news")
    result = CliRunner().invoke(app, ["load", "articles", str(ARTICLES / "01-remhub-workshop.md"), str(bad), "--data", str(data)])
    assert result.exit_code == 1
    output = result.output.replace("\n", "")  # the console wraps long lines
    assert "bad.md:1: not valid UTF-8" in output and "exists with other content" in output
    assert mine.read_text(encoding="utf-8") == "my own notes" and not (data / "inputs.yaml").exists()


def test_mentions_command_by_acronym_and_unknown_candidates(with_articles):
    result = CliRunner().invoke(app, ["mentions", "Fraunhofer IWKS", "--format", "json", "--output", str(with_articles)])
    assert result.exit_code == 0, result.output
    assert [r["exact"] for r in json.loads(result.output)] == ["Fraunhofer IWKS"]
    unknown = CliRunner().invoke(app, ["mentions", "--unknown", "--format", "json", "--output", str(with_articles)])
    assert unknown.exit_code == 0, unknown.output
    names = {r["name"]: r for r in json.loads(unknown.output)}
    assert names["Baltic Institute of Applied Physics"]["looks like"] == "organisation"  # a fixture name
    assert names["SUSMAGPROJECT"]["looks like"] == "acronym"
    assert not {"REMHub", "Mercedes-Benz", "EU"} & set(names)
    missing = CliRunner().invoke(app, ["mentions", "NOSUCHTHING", "--output", str(with_articles)])
    assert missing.exit_code == 1 and "nothing called 'NOSUCHTHING'" in missing.output
    graph_names = {str(o) for o in Graph().parse(with_articles / "remkg.nq", format="nquads").objects(None, RDFS.label)}
    assert "Baltic Institute of Applied Physics" not in graph_names  # a candidate, never an entity


def test_article_files_of_a_folder_are_sorted_and_filtered():
    assert [p.name for p in article_files(ARTICLES)] == sorted(EXPECTED)
