"""The shared store a cluster would run: `remkg push` into a real OpenLink Virtuoso (started here as a
plain process with its own ini and database folder) and into a real Oxigraph server, then every named
query gives the same rows there as on the embedded store."""

from __future__ import annotations

import base64
import http.server
import shutil
import subprocess
import threading
import time
import urllib.request

import pytest

from kg.query import QueryError, list_named, run_local, run_named
from kg.serve import push

from .test_query import _free_port, oxigraph_serving

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {db}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""

@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A Virtuoso server on free loopback ports with its own database folder; stopped at the end."""
    executable = shutil.which("virtuoso-t")
    if executable is None:
        pytest.skip("virtuoso-t is not installed (Debian package virtuoso-opensource; .ci/run installs it)")
    db = tmp_path_factory.mktemp("virtuoso")
    http_port = _free_port()
    (db / "virtuoso.ini").write_text(VIRTUOSO_INI.format(db=db, sql_port=_free_port(), http_port=http_port))
    with open(db / "console.log", "w") as console:
        process = subprocess.Popen([executable, "+foreground", "+configfile", str(db / "virtuoso.ini")],
                                   cwd=db, stdout=console, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{http_port}"
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (db / "console.log").read_text()[-2000:]
            try:
                urllib.request.urlopen(f"{url}/sparql?query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline, "Virtuoso did not come up in 120 s"
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def pushed_virtuoso(shipped, virtuoso):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("REMKG_ENDPOINT_USER", "dba")
        env.setenv("REMKG_ENDPOINT_PASSWORD", "dba")
        graphs = push(f"{virtuoso}/sparql-graph-crud-auth", shipped)
    assert len(graphs) >= 10
    return f"{virtuoso}/sparql"


def test_push_without_a_login_says_which_variables_to_set(shipped, virtuoso, monkeypatch):
    monkeypatch.delenv("REMKG_ENDPOINT_USER", raising=False)
    with pytest.raises(QueryError, match="REMKG_ENDPOINT_USER"):
        push(f"{virtuoso}/sparql-graph-crud-auth", shipped)
    monkeypatch.setenv("REMKG_ENDPOINT_USER", "dba")
    monkeypatch.setenv("REMKG_ENDPOINT_PASSWORD", "wrong")
    with pytest.raises(QueryError, match="401"):
        push(f"{virtuoso}/sparql-graph-crud-auth", shipped)


@pytest.mark.parametrize("name", [query.name for query in list_named()])
def test_every_named_query_gives_the_same_rows_on_virtuoso(name, shipped, pushed_virtuoso):
    local = run_named(name, output_dir=shipped)
    remote = run_named(name, endpoint=pushed_virtuoso)
    assert remote.columns == local.columns
    assert remote.rows == local.rows


@pytest.mark.parametrize("name", [query.name for query in list_named() if query.paging])
def test_pages_of_paged_queries_are_the_same_on_virtuoso(name, shipped, pushed_virtuoso):
    """The keys come from the endpoint as JSON terms and go back in a VALUES block: the same page."""
    local = run_named(name, output_dir=shipped, page=2, page_size=7)
    remote = run_named(name, endpoint=pushed_virtuoso, page=2, page_size=7)
    assert local.rows and remote.page == local.page
    assert remote.rows == local.rows


@pytest.mark.parametrize("date", ["2016-06-30", "2019-06-30", "2020-06-30", "2021-06-30"])
def test_projects_active_on_other_dates_are_the_same_on_virtuoso(date, shipped, pushed_virtuoso):
    """Virtuoso 7.2 dropped rows for `?start <= D && ?end >= D` on these dates (not on the default one)."""
    local = run_named("projects-active-on-date", {"date": date}, output_dir=shipped)
    assert local.rows, "the shipped data should have projects running on the date"
    assert run_named("projects-active-on-date", {"date": date}, endpoint=pushed_virtuoso).rows == local.rows


def test_named_queries_log_in_with_digest_on_virtuoso(shipped, virtuoso, pushed_virtuoso, monkeypatch):
    """Virtuoso's /sparql-auth asks for digest authentication; queries take the login push takes."""
    local = run_named("projects", output_dir=shipped)
    monkeypatch.delenv("REMKG_ENDPOINT_USER", raising=False)
    with pytest.raises(QueryError, match="asks for a login.*REMKG_ENDPOINT_USER"):
        run_named("projects", endpoint=f"{virtuoso}/sparql-auth")
    monkeypatch.setenv("REMKG_ENDPOINT_USER", "dba")
    monkeypatch.setenv("REMKG_ENDPOINT_PASSWORD", "dba")
    assert run_named("projects", endpoint=f"{virtuoso}/sparql-auth").rows == local.rows
    monkeypatch.setenv("REMKG_ENDPOINT_PASSWORD", "wrong")
    with pytest.raises(QueryError, match="refused the login of REMKG_ENDPOINT_USER=dba"):
        run_named("projects", endpoint=f"{virtuoso}/sparql-auth")
    monkeypatch.delenv("REMKG_ENDPOINT_USER")
    with pytest.raises(QueryError, match="asks for a login"):  # the earlier login is not kept
        run_named("projects", endpoint=f"{virtuoso}/sparql-auth")


def test_named_queries_answer_a_basic_challenge_with_a_basic_login(shipped, monkeypatch, tmp_path):
    """An endpoint behind a reverse proxy that asks for basic authentication (here: a real Oxigraph
    server behind a small proxy that checks the login) gets the same login from the same variables."""
    expected = "Basic " + base64.b64encode(b"curator:s3cret").decode()
    with oxigraph_serving(tmp_path / "store", "--union-default-graph") as upstream:
        push(f"{upstream}/store", shipped)

        class Proxy(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="remkg"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                forwarded = urllib.request.Request(f"{upstream}/query", data=body, headers={
                    "Content-Type": self.headers["Content-Type"], "Accept": self.headers["Accept"]})
                with urllib.request.urlopen(forwarded) as reply:
                    answer = reply.read()
                    self.send_response(200)
                    self.send_header("Content-Type", reply.headers["Content-Type"])
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            endpoint = f"http://127.0.0.1:{server.server_address[1]}/query"
            monkeypatch.setenv("REMKG_ENDPOINT_USER", "curator")
            monkeypatch.setenv("REMKG_ENDPOINT_PASSWORD", "s3cret")
            assert run_named("projects", endpoint=endpoint).rows == run_named("projects", output_dir=shipped).rows
            monkeypatch.setenv("REMKG_ENDPOINT_PASSWORD", "wrong")
            with pytest.raises(QueryError, match="refused the login"):
                run_named("projects", endpoint=endpoint)
        finally:
            server.shutdown()
            server.server_close()


def test_stage_hierarchy_is_at_most_three_levels_deep(shipped):
    """countries-in-stage and stages-without-active-project spell out two levels of skos:broader
    (Virtuoso cannot run skos:broader* there): a deeper scheme needs those queries extended."""
    deep = run_local("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                     "ASK { ?a skos:broader ?b . ?b skos:broader ?c . ?c skos:broader ?d }", output_dir=shipped)
    assert deep.rows == [{"result": "false"}]


def test_push_answers_a_basic_challenge_with_a_basic_login(shipped, monkeypatch):
    """A Graph Store that asks for basic authentication (a reverse proxy in front of Oxigraph, say)
    gets the same login from the same variables."""
    received, expected = [], "Basic " + base64.b64encode(b"curator:s3cret").decode()

    class Store(http.server.BaseHTTPRequestHandler):
        def do_PUT(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="remkg"')
            else:
                received.append((self.path, body))
                self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Store)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("REMKG_ENDPOINT_USER", "curator")
        monkeypatch.setenv("REMKG_ENDPOINT_PASSWORD", "s3cret")
        pushed = push(f"http://127.0.0.1:{server.server_address[1]}/store", shipped)
    finally:
        server.shutdown()
        server.server_close()
    assert len(received) == len(pushed) >= 10
    assert all(path.startswith("/store?graph=") and body for path, body in received)


@pytest.mark.parametrize("name, params", [("stage-coverage-on-date", {"date": "2021-01-01"}),  # EU money on some stages
                                          ("stage-coverage-on-date", {"date": "2019-06-01"}),
                                          ("countries-in-stage", {"stage": "long-loop-recycling"}),  # a narrower stage
                                          ("countries-in-stage", {"stage": "magnet-manufacturing"}),
                                          ("stages-without-active-project", {"date": "2024-01-01"}),
                                          ("stages-without-active-project", {"date": "2027-06-01"})])
def test_named_queries_with_other_parameters_give_the_same_rows_on_virtuoso(name, params, shipped, pushed_virtuoso):
    """Rewritten for speed at scale: the same rows on Virtuoso beyond the default parameters too."""
    local = run_named(name, params, output_dir=shipped)
    assert local.rows
    assert run_named(name, params, endpoint=pushed_virtuoso).rows == local.rows
