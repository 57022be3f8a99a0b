"""Named and ad-hoc SPARQL queries, on the embedded store or a remote SPARQL 1.1 endpoint.

Parameters are bound as RDF terms, never pasted into the query text as strings: each value
becomes a pyoxigraph term (IRI or typed literal), written in N-Triples syntax with every quote
and brace escaped, as one token in place of its variable inside the outermost WHERE group and in
a VALUES block at its start. The same binding is used locally and remotely, so both return the same rows, and a
value cannot change the query. (pyoxigraph's own substitutions need the variable in the
projection, which would add a column to every parameterised query.)
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import re
import time
import urllib.request
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.paths import queries_dir
from kg.sparql_scan import blank_comments, federation_refusal, tokens
from kg.store import DEFAULT_OUTPUT, open_store
from kg.vocab import ID_BASE, KINDS

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("iri", "date", "string", "integer", "decimal")
USER_AGENT = "remkg/0.1 (+https://w3id.org/remkg)"


class QueryError(Exception):
    """A query that cannot run: unknown name, bad parameter, syntax error, endpoint failure."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # one of PARAM_TYPES
    kind: str | None  # for iri parameters: a slug is expanded to id/{kind}/{slug}
    default: str | None
    description: str


@dataclass(frozen=True)
class Paging:
    """How a query that lists a whole table is read a page at a time: the rows of `size` keys (the
    values of the variable `key`, found by the group `pattern`, sorted by `order` and then by key)."""
    key: str
    order: tuple[str, ...]
    size: int
    pattern: str


@dataclass
class NamedQuery:
    name: str
    title: str
    description: str
    params: list[Param]
    text: str
    path: Path | None = None
    paging: Paging | None = None


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    keys: int  # how many keys the whole table has
    key: str

    @property
    def count(self) -> int:
        return max(1, -(-self.keys // self.size))


@dataclass
class Result:
    columns: list[str]
    rows: list[dict[str, str | None]]
    seconds: float = 0.0
    source: str = "embedded store"
    page: Page | None = None


# --- the query library ----------------------------------------------------------------------

_HEADER_RE = re.compile(r"^#\s*(title|description|param|page):\s*(.*)$")
_PAGE_RE = re.compile(r"^\?(?P<key>\w+)(?P<order>(?:\s+\?\w+)*?)\s*,\s*(?P<size>[1-9]\d*) per page\s*:\s*(?P<pattern>\{.*\})$")
_PARAM_RE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[a-z]+)(?::(?P<kind>[a-z]+))?\s+(?P<default>\S+)\s+--\s+(?P<description>.+)$")


def parse_named(path: Path) -> NamedQuery:
    """Read a .rq file and its comment header (title, description, one `param:` line per parameter,
    and for a query that lists a whole table a `page:` line)."""
    text = path.read_text(encoding="utf-8")
    title, description, params, paging = path.stem, "", [], None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER_RE.match(line.strip())
        if not match:
            continue
        key, value = match.groups()
        if key == "title":
            title = value
        elif key == "description":
            description = value
        elif key == "page":
            paging = _paging(value, f"{path.name}:{number}")
        else:
            spec = _PARAM_RE.match(value)
            if not spec or spec["type"] not in PARAM_TYPES or (spec["kind"] and spec["kind"] not in KINDS):
                raise QueryError(f"{path.name}:{number}: bad param line; expected "
                                 f"'# param: NAME TYPE[:KIND] DEFAULT -- description' with TYPE one of {', '.join(PARAM_TYPES)}")
            default = None if spec["default"] == "-" else spec["default"]
            params.append(Param(spec["name"], spec["type"], spec["kind"], default, spec["description"]))
    return NamedQuery(path.stem, title, description, params, text, path, paging)


def _paging(value: str, where: str) -> Paging:
    spec = _PAGE_RE.match(value)
    if not spec:
        raise QueryError(f"{where}: bad page line; expected '# page: ?KEY [?ORDER ...], SIZE per page: {{ GROUP PATTERN }}'")
    order = tuple(variable.lstrip("?") for variable in spec["order"].split())
    return Paging(spec["key"], order, int(spec["size"]), spec["pattern"])


def list_named(folder: Path | None = None) -> list[NamedQuery]:
    return [parse_named(path) for path in sorted(Path(folder or queries_dir()).glob("*.rq"))]


def load_named(name: str, folder: Path | None = None) -> NamedQuery:
    path = Path(folder or queries_dir()) / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(q.name for q in list_named(folder))
        raise QueryError(f"no named query '{name}'; known: {known}")
    return parse_named(path)


# --- parameters as RDF terms --------------------------------------------------------------------

def bind_parameters(query: NamedQuery, given: dict[str, str]) -> dict[str, object]:
    """Turn `key=value` strings into pyoxigraph terms, checking names, types and required values."""
    import pyoxigraph as ox

    known = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise QueryError(f"query '{query.name}' has no parameter {', '.join(unknown)}; "
                         f"its parameters: {', '.join(known) or 'none'}")
    bound = {}
    for param in query.params:
        raw = given.get(param.name, param.default)
        if raw is None:
            raise QueryError(f"query '{query.name}' needs --param {param.name}=… ({param.description})")
        bound[param.name] = _term(param, raw, ox)
    return bound


def _term(param: Param, raw: str, ox):
    if param.type == "iri":
        if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", raw) and param.kind:
            raw = f"{ID_BASE}{param.kind}/{raw}"
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", raw):
            raise QueryError(f"parameter {param.name}: expected an http(s) IRI{' or a slug' if param.kind else ''}, got {raw!r}")
        return ox.NamedNode(raw)
    if param.type == "date":
        try:
            dt.date.fromisoformat(raw)
        except ValueError:
            raise QueryError(f"parameter {param.name}: expected a date YYYY-MM-DD, got {raw!r}") from None
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date"))
    if param.type == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            raise QueryError(f"parameter {param.name}: expected a whole number, got {raw!r}")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "integer"))
    if param.type == "decimal":
        try:
            Decimal(raw)
        except InvalidOperation:
            raise QueryError(f"parameter {param.name}: expected a number, got {raw!r}") from None
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "decimal"))
    return ox.Literal(raw)


def with_values(text: str, bindings: dict[str, object]) -> str:
    """The query with the bound terms in place of their variables inside the outermost WHERE group,
    and a VALUES block at its start for the projected ones (which keeps them in the results).

    Writing the term where the variable stood, not only in VALUES, gives the same rows on every
    store: Virtuoso does not see a VALUES variable inside OPTIONAL or FILTER NOT EXISTS. Each term
    is one token in N-Triples syntax, every quote escaped, so a value cannot change the query."""
    if not bindings:
        return text
    found = tokens(text)
    opening = _where_group_start(found)
    if opening is None:
        raise QueryError("cannot bind parameters: the query has no WHERE clause")
    parts = [token.text for token in found[:opening + 1]]
    projected = {name: term for name, term in bindings.items() if _projects(found[:opening], name)}
    if projected:  # only projected ones: Virtuoso returns wrong rows for a VALUES variable used nowhere else
        names = " ".join(f"?{name}" for name in projected)
        terms = " ".join(str(term) for term in projected.values())
        parts.append(f"\n  VALUES ({names}) {{ ({terms}) }}")
    depth = 1
    for token in found[opening + 1:]:
        bound = depth > 0 and token.kind == "var" and token.text[1:] in bindings
        parts.append(str(bindings[token.text[1:]]) if bound else token.text)
        if token.kind == "other" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
    return "".join(parts)


def _projects(head, name: str) -> bool:
    """Whether the query's head (the tokens before WHERE) projects the variable, or everything (SELECT *)."""
    words = [token for token in head if token.kind not in ("ws", "comment")]
    for before, token in zip(words, words[1:]):
        if token.text == "*" and before.text.upper() in ("SELECT", "DISTINCT", "REDUCED"):
            return True
    return any(token.kind == "var" and token.text[1:] == name for token in words)


def _where_group_start(found) -> int | None:
    """The index of the '{' opening the outermost WHERE group."""
    significant = [(index, token) for index, token in enumerate(found) if token.kind not in ("ws", "comment")]
    for (_, token), (index, following) in zip(significant, significant[1:]):
        if token.kind == "word" and token.text.upper() == "WHERE" and following.text == "{":
            return index
    return None


def with_page(text: str, key: str, terms: list[str]) -> str:
    """The query limited to some values of its key variable: a VALUES block at the start of the
    outermost WHERE group, and of every sub-select that groups by the key (Oxigraph evaluates a
    sub-select on its own, so unrestricted it would aggregate the whole store for each page). The
    store then starts from those keys and joins the columns for them only."""
    found = tokens(text)
    if _where_group_start(found) is None:
        raise QueryError("cannot page the query: it has no WHERE clause")
    block = f"\n  VALUES ?{key} {{ {' '.join(terms)} }}"
    significant = [(index, token) for index, token in enumerate(found) if token.kind not in ("ws", "comment")]
    openings = set()
    for position, ((_, token), (index, following)) in enumerate(zip(significant, significant[1:])):
        if token.kind == "word" and token.text.upper() == "WHERE" and following.text == "{":
            if not openings or _groups_by(significant[position + 1:], key):
                openings.add(index)
    return "".join(token.text + (block if index in openings else "") for index, token in enumerate(found))


def _groups_by(group, key: str) -> bool:
    """Whether the WHERE group starting at group[0] ('{') is followed by a GROUP BY that names the key."""
    depth = 0
    for position, (_, token) in enumerate(group):
        if token.kind == "other" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
            if depth == 0:
                words = [t for _, t in group[position + 1:position + 3]]
                if [t.text.upper() for t in words] != ["GROUP", "BY"]:
                    return False
                for _, later in group[position + 3:]:
                    if later.kind != "var":
                        return False
                    if later.text[1:] == key:
                        return True
                return False
    return False


# --- running ---------------------------------------------------------------------------------

def run_local(text: str, bindings: dict[str, object] | None = None, output_dir: Path = DEFAULT_OUTPUT,
              allow_federation: bool = False) -> Result:
    """Run a SELECT or ASK on the built store (union of all named graphs)."""
    import pyoxigraph as ox

    refusal = federation_refusal(text, allow_federation)
    if refusal:
        raise QueryError(f"{refusal}; pass --allow-federation to allow it")
    store = open_store(output_dir)
    started = time.perf_counter()
    try:
        solutions = store.query(with_values(text, bindings or {}), use_default_graph_as_union=True)
    except SyntaxError as error:
        raise QueryError(_syntax_message(str(error))) from None
    if isinstance(solutions, ox.QueryBoolean):
        return Result(["result"], [{"result": str(bool(solutions)).lower()}], time.perf_counter() - started)
    if not isinstance(solutions, ox.QuerySolutions):
        raise QueryError("only SELECT and ASK queries give rows; use CONSTRUCT through the Python API")
    columns = [variable.value for variable in solutions.variables]
    rows = [{name: _local_value(solution[name]) for name in columns} for solution in solutions]
    return Result(columns, ordered_lists(text, rows), time.perf_counter() - started)


def tsv_rows(store, text: str) -> list[list[str]]:
    """The rows of a SELECT on the union of the named graphs as lists of TSV cells, each a term in
    SPARQL syntax (decode one with term_value): serialised by Oxigraph in one go, so no Python
    object is made per term, which at CORDIS scale costs more than the query."""
    return [line.split("\t") for line in tsv_text(store, text).split("\n")[1:] if line]


def tsv_text(store, text: str) -> str:
    import pyoxigraph as ox

    try:
        solutions = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise QueryError(_syntax_message(str(error))) from None
    return solutions.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")


_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPED = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match) -> str:
    code = match.group(1)
    return chr(int(code[1:], 16)) if code[0] in "uU" and len(code) > 1 else _ESCAPED.get(code, code)


def term_value(cell: str) -> str | None:
    """A SPARQL TSV cell as run_local writes the term: IRI without brackets, a literal's value
    (normalised as normal_value does), a blank node's id; None for an empty cell."""
    if not cell:
        return None
    if cell[0] == "<":
        return cell[1:-1]
    if cell[0] == '"':
        end = cell.rfind('"')
        text, suffix = cell[1:end], cell[end + 1:]
        if "\\" in text:
            text = _ESCAPE.sub(_unescape, text)
        return normal_value(text, suffix[3:-1] if suffix.startswith("^^") else None)
    return cell[2:] if cell.startswith("_:") else cell  # _:id, or a bare number or boolean


def _syntax_message(message: str) -> str:
    position = re.match(r"error at (\d+):(\d+): (.*)", message, flags=re.DOTALL)
    if position:
        line, column, what = position.groups()
        return f"SPARQL syntax error at line {line}, column {column}: {what}"
    return f"SPARQL syntax error: {message}"


def _local_value(term) -> str | None:
    if term is None:
        return None
    datatype = getattr(term, "datatype", None)
    return normal_value(term.value, datatype.value if datatype is not None else None)


# --- the same rows from every store ----------------------------------------------------------------

_INTEGER_TYPES = {XSD + name for name in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                          "positiveInteger", "nonPositiveInteger", "negativeInteger",
                                          "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}


def normal_value(value: str, datatype: str | None) -> str:
    """A literal's value written one way whatever the store: Virtuoso writes booleans as 1/0 and
    may write integers with a sign or leading zeros."""
    if datatype == XSD + "boolean":
        return {"1": "true", "0": "false"}.get(value.strip(), value.strip())
    if datatype in _INTEGER_TYPES and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return str(int(value))
    if datatype == XSD + "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}(Z|[+-]00:00)?", value):
        return value[:10]
    return value


_CONCAT_RE = re.compile(r"GROUP_CONCAT\s*\(", flags=re.IGNORECASE)
_SEPARATOR_RE = re.compile(r"SEPARATOR\s*=\s*(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')", flags=re.IGNORECASE)


def concatenated_columns(text: str) -> dict[str, str]:
    """The columns made by GROUP_CONCAT, with their separators (SPARQL leaves the order of the
    items open, and stores differ: Oxigraph and Virtuoso list them differently)."""
    plain, found = blank_comments(text), {}
    for match in _CONCAT_RE.finditer(plain):
        depth, end = 1, match.end()
        while depth and end < len(plain):
            depth += {"(": 1, ")": -1}.get(plain[end], 0)
            end += 1
        alias = re.match(r"\s*AS\s*[?$](\w+)", plain[end:], flags=re.IGNORECASE)
        if alias:
            separator = _SEPARATOR_RE.search(plain[match.end():end])
            found[alias.group(1)] = separator.group(1)[1:-1].encode().decode("unicode_escape") if separator else " "
    return found


def ordered_lists(text: str, rows: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
    """Rows with every GROUP_CONCAT list sorted, empty items dropped and an empty list unbound,
    so all stores agree."""
    columns = concatenated_columns(text)
    if not columns:
        return rows
    for row in rows:
        for column, separator in columns.items():
            items = sorted(item for item in (row.get(column) or "").split(separator) if item)
            if column in row:
                row[column] = separator.join(items) if items else None
    return rows


def run_remote(text: str, endpoint: str, bindings: dict[str, object] | None = None, timeout: float = 60.0,
               method: str = "POST") -> Result:
    """Run a SELECT or ASK on a SPARQL 1.1 endpoint (JSON results). Credentials: REMKG_ENDPOINT_USER/PASSWORD."""
    started = time.perf_counter()
    payload = _remote_payload(with_values(text, bindings or {}), endpoint, timeout, method)
    seconds = time.perf_counter() - started
    if "boolean" in payload:
        return Result(["result"], [{"result": str(payload["boolean"]).lower()}], seconds, endpoint)
    columns = payload["head"]["vars"]
    rows = [{name: _remote_value(binding.get(name)) for name in columns} for binding in payload["results"]["bindings"]]
    return Result(columns, ordered_lists(text, rows), seconds, endpoint)


def _remote_payload(text: str, endpoint: str, timeout: float = 60.0, method: str = "POST") -> dict:
    """The JSON results of a query on an endpoint, with the login and the errors remkg gives."""
    from SPARQLWrapper import JSON, POST, GET, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, Unauthorized

    client = SPARQLWrapper(endpoint, agent=USER_AGENT)
    # SPARQLWrapper guesses the query type from keywords and can be fooled by words in comments.
    client.setQuery(blank_comments(text))
    client.setReturnFormat(JSON)
    client.setMethod(POST if method.upper() == "POST" else GET)
    client.setTimeout(int(timeout))
    credentials = endpoint_credentials()
    if credentials:
        _log_in(client, endpoint, credentials, timeout)
    try:
        return client.queryAndConvert()
    except Unauthorized:
        refused = f"refused the login of REMKG_ENDPOINT_USER={credentials[0]}" if credentials else "asks for a login"
        raise QueryError(f"endpoint {endpoint} {refused} (HTTP 401): set REMKG_ENDPOINT_USER and "
                         "REMKG_ENDPOINT_PASSWORD (basic or digest authentication)") from None
    except SPARQLWrapperException as error:
        raise QueryError(f"endpoint {endpoint} refused the query: {error}") from None
    except OSError as error:  # connection refused, timeout, DNS
        raise QueryError(f"endpoint {endpoint} did not answer: {error}") from None
    finally:
        if credentials:  # SPARQLWrapper installs its digest login for every later urllib request: drop it
            urllib.request.install_opener(None)


def endpoint_credentials() -> tuple[str, str] | None:
    """The login for a remote endpoint, from REMKG_ENDPOINT_USER and REMKG_ENDPOINT_PASSWORD (push uses the same)."""
    user = os.environ.get("REMKG_ENDPOINT_USER")
    return (user, os.environ.get("REMKG_ENDPOINT_PASSWORD", "")) if user else None


def _log_in(client, endpoint: str, credentials: tuple[str, str], timeout: float) -> None:
    """Digest when the endpoint challenges for it (Virtuoso's /sparql-auth), basic otherwise, as push does.
    SPARQLWrapper answers a digest challenge only for the realm it is given, so the challenge is read first."""
    from SPARQLWrapper import BASIC, DIGEST

    scheme, realm = _challenge(endpoint, timeout)
    client.setHTTPAuth(DIGEST if scheme == "digest" else BASIC)
    client.setCredentials(*credentials, **({"realm": realm} if scheme == "digest" and realm else {}))


@functools.lru_cache(maxsize=32)
def _challenge(endpoint: str, timeout: float) -> tuple[str | None, str | None]:
    """The authentication scheme and realm an endpoint asks for (lower-case scheme; None if it asks for none)."""
    import requests

    try:
        header = requests.get(endpoint, timeout=timeout, headers={"User-Agent": USER_AGENT}).headers.get("WWW-Authenticate", "")
    except requests.RequestException as error:
        raise QueryError(f"endpoint {endpoint} did not answer: {error}") from None
    scheme = header.split(" ", 1)[0].lower() or None
    realm = re.search(r'realm="([^"]*)"', header)
    return scheme, realm.group(1) if realm else None


def _remote_value(term: dict | None) -> str | None:
    return None if term is None else normal_value(term["value"], term.get("datatype"))


def run(text: str, bindings: dict[str, object] | None = None, endpoint: str | None = None,
        output_dir: Path = DEFAULT_OUTPUT, allow_federation: bool = False, **remote_options) -> Result:
    """A query on `endpoint` if one is given, otherwise on the embedded store in `output_dir`."""
    if endpoint:
        return run_remote(text, endpoint, bindings, **remote_options)
    return run_local(text, bindings, output_dir, allow_federation)


def run_named(name: str, params: dict[str, str] | None = None, endpoint: str | None = None,
              output_dir: Path = DEFAULT_OUTPUT, page: int | None = None, page_size: int | None = None,
              **remote_options) -> Result:
    """The Python face of `remkg query NAME --param k=v [--page N]`: rows of a named query, the whole
    table unless a page is asked for (of a query that has a `page:` line; others have one page)."""
    query = load_named(name)
    bindings = bind_parameters(query, params or {})
    if page is None or query.paging is None:
        return run(query.text, bindings, endpoint, output_dir, **remote_options)
    return run_page(query, bindings, page, page_size or query.paging.size, endpoint, output_dir, **remote_options)


def run_page(query: NamedQuery, bindings: dict[str, object], number: int, size: int, endpoint: str | None = None,
             output_dir: Path = DEFAULT_OUTPUT, **remote_options) -> Result:
    """Page `number` (from 1) of a paged query: its rows for `size` keys, sorted as the `page:` line
    says. Only the keys are read and sorted for the whole table (Oxigraph sorts no faster with
    LIMIT, and decodes IRIs to compare them); the columns are joined for this page's keys only."""
    if number < 1 or size < 1:
        raise QueryError(f"--page and --page-size count from 1, got page {number} of size {size}")
    started = time.perf_counter()
    keys = page_keys(query, bindings, endpoint, output_dir, **remote_options)
    chosen = keys[(number - 1) * size:number * size]
    text = with_page(with_values(query.text, bindings), query.paging.key, chosen)
    result = run(text, None, endpoint, output_dir, **remote_options)
    result.seconds = time.perf_counter() - started
    result.page = Page(number, size, len(keys), query.paging.key)
    return result


def page_keys(query: NamedQuery, bindings: dict[str, object], endpoint: str | None = None,
              output_dir: Path = DEFAULT_OUTPUT, **remote_options) -> list[str]:
    """Every key of a paged query as a term in SPARQL syntax, in page order: by the `page:` line's
    order variables (their values compared as strings, unbound first), then by the key's value."""
    paging = query.paging
    variables = (paging.key, *paging.order)
    prologue = "".join(token.text for token in itertools.takewhile(
        lambda token: not (token.kind == "word" and token.text.upper() == "SELECT"), tokens(query.text)))
    text = with_values(f"{prologue}SELECT DISTINCT {' '.join('?' + v for v in variables)} WHERE {paging.pattern}", bindings)
    if endpoint:
        payload = _remote_payload(text, endpoint, **remote_options)
        found = [[_remote_term(binding.get(name)) for name in variables] for binding in payload["results"]["bindings"]]
    else:
        found = tsv_rows(open_store(output_dir), text)
    if paging.order:
        found.sort(key=lambda cells: [_sort_value(cell) for cell in (*cells[1:], cells[0])])
    else:  # keys alone (the common case): one string per key to compare, not a list (100,000 keys: 0.14 → 0.04 s)
        found.sort(key=lambda cells: _sort_value(cells[0]))
    return list(dict.fromkeys(cells[0] for cells in found))


def _sort_value(cell: str) -> str:
    """A key's value to sort by: an IRI without its brackets (the common case, read at once), unbound first."""
    return cell[1:-1] if cell[:1] == "<" else term_value(cell) or ""


def _remote_term(term: dict | None) -> str:
    """A JSON result term in SPARQL syntax (as a TSV cell is): what a VALUES block needs."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if term["type"] == "uri":
        return str(ox.NamedNode(term["value"]))
    if term["type"] in ("literal", "typed-literal"):
        if "xml:lang" in term:
            return str(ox.Literal(term["value"], language=term["xml:lang"]))
        return str(ox.Literal(term["value"], datatype=ox.NamedNode(term.get("datatype") or XSD + "string")))
    raise QueryError(f"cannot page by a blank node ({term['value']}): a page key must be an IRI or a literal")


def parse_param_options(options: list[str]) -> dict[str, str]:
    """`--param key=value` options as a dict, with a clear error for a malformed one."""
    params = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key:
            raise QueryError(f"--param expects key=value, got {option!r}")
        params[key.strip()] = value
    return params
