"""SERVICE is found by lexing the query, so words in comments, strings, IRIs and names do not count
and case, line breaks, comments and escapes do not hide it."""

from __future__ import annotations

import pytest

from kg.sparql_scan import blank_comments, federation_refusal, service_targets

TARGET = "http://127.0.0.1:9/sparql"


@pytest.mark.parametrize("text", [
    f"SELECT * WHERE {{ SERVICE <{TARGET}> {{ ?s ?p ?o }} }}",
    f"select * where {{ service <{TARGET}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SeRvIcE\n\n  <{TARGET}>\n{{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ # a comment first\n SERVICE # and one between\n <{TARGET}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s ?p ?o }}SERVICE<{TARGET}>{{?s ?p ?o}} }}",
    f"SELECT * WHERE {{ SERVICE SILENT <{TARGET}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ \\u0053ERVICE <{TARGET}> {{ ?s ?p ?o }} }}",
    f"PREFIX x: <http://127.0.0.1:9/> SELECT * WHERE {{ SERVICE x:sparql {{ ?s ?p ?o }} }}",
    f"BASE <http://127.0.0.1:9/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    f'SELECT * WHERE {{ ?s ?p "#" . SERVICE <{TARGET}> {{ ?s ?p ?o }} }}',
    f"SELECT * WHERE {{ ?s <http://e/x#p> ?o . SERVICE <{TARGET}> {{ ?s ?p ?o }} }}",
])
def test_service_clauses_are_found(text):
    assert service_targets(text) == [TARGET]
    assert "SERVICE" in federation_refusal(text)
    assert federation_refusal(text, {TARGET}) is None
    assert federation_refusal(text, True) is None


@pytest.mark.parametrize("text", [
    "# SERVICE <http://x/> in a comment\nSELECT * WHERE { ?s ?p ?o }",
    'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" }',
    "SELECT * WHERE { ?s ?p '''a\nSERVICE <http://x/> {}\n''' }",
    "SELECT * WHERE { ?s <http://e/SERVICE> ?o }",
    "PREFIX service: <http://e/> SELECT * WHERE { ?s service:SERVICE ?o . ?o ex:a.SERVICE ?x }",
    "SELECT ?service WHERE { ?s ?p ?service FILTER(LANG(?service) = 'x') ?s ?p 'v'@service }",
])
def test_words_that_are_not_service_clauses(text):
    assert service_targets(text) == []
    assert federation_refusal(text) is None


def test_a_variable_endpoint_or_one_off_the_list_is_refused():
    assert service_targets("SELECT * WHERE { SERVICE ?where { ?s ?p ?o } }") == [None]
    assert "variable" in federation_refusal("SELECT * WHERE { SERVICE ?where { ?s ?p ?o } }", {TARGET})
    two = f"SELECT * WHERE {{ SERVICE <{TARGET}> {{ ?s ?p ?o }} SERVICE <http://other/> {{ ?s ?p ?o }} }}"
    assert "<http://other/>" in federation_refusal(two, {TARGET})


def test_blank_comments_keeps_positions_iris_and_strings():
    text = 'SELECT * # note\nWHERE { ?s <http://e/#p> "#x" }'
    assert blank_comments(text) == 'SELECT *       \nWHERE { ?s <http://e/#p> "#x" }'
