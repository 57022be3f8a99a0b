"""The build at scale: the explorer only below a size, the message that says how to focus instead."""

from __future__ import annotations

import kg.build
from kg.build import build

from .conftest import FIXTURES


def test_no_whole_graph_explorer_above_the_limit_and_the_build_says_how_to_focus(tmp_path, monkeypatch):
    monkeypatch.setattr(kg.build, "EXPLORER_MAX_TRIPLES", 100)
    report = build(FIXTURES / "data_min", tmp_path / "out")
    assert not (tmp_path / "out" / "explorer.html").exists()
    assert "remkg viz --focus" in report.explorer and f"{report.triples} triples" in report.explorer
    assert (tmp_path / "out" / "remkg.nq").exists()


def test_above_the_limit_only_nquads_is_written_and_it_holds_every_graph(tmp_path, monkeypatch):
    import pyoxigraph

    monkeypatch.setattr(kg.build, "FULL_EXPORTS_MAX_TRIPLES", 100)
    report = build(FIXTURES / "data_min", tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").glob("remkg.*")) == ["remkg.nq"]
    assert report.exports.startswith("only remkg.nq") and f"{report.triples} triples" in report.exports
    store = pyoxigraph.Store()
    store.load(path=str(tmp_path / "out" / "remkg.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    assert len(store) == report.triples
