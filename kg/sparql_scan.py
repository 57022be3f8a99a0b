"""A SPARQL lexer, enough to find what a query really says: `SERVICE` clauses and their targets.

A text search for SERVICE is fooled both ways: a comment, a string literal, an IRI or a prefixed
name holding the word is not a SERVICE clause, and odd case, line breaks or a `\\u0053ERVICE`
escape still are. So the query is split into the terminals of the SPARQL 1.1 grammar (IRIs,
prefixed names, variables, the four kinds of strings, comments, keywords), after resolving the
`\\uXXXX` escapes as every SPARQL parser (Oxigraph's too) does before parsing, and only a keyword
token SERVICE counts. Cheap enough to run on every request of a public endpoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

_PN_CHARS_BASE = r"A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"

_TOKEN_RE = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<comment>#[^\r\n]*)"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r"|(?P<string>\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r"|\"(?:[^\"\\\r\n]|\\.)*\"|'(?:[^'\\\r\n]|\\.)*')"
    rf"|(?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*)"
    rf"|(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)"
    r"|(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<other>.)",
    flags=re.DOTALL,
)
_ESCAPE_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    kind: str  # ws, comment, iri, string, var, pname, langtag, word, other
    text: str
    start: int


def unescape_codepoints(text: str) -> str:
    """Resolve `\\uXXXX` and `\\UXXXXXXXX` everywhere, as SPARQL parsers do before parsing (spec 19.2)."""
    def replace(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()
    return _ESCAPE_RE.sub(replace, text)


def tokens(text: str) -> list[Token]:
    """The query's terminals, in order, whitespace and comments included (positions are kept)."""
    return [Token(m.lastgroup, m.group(), m.start()) for m in _TOKEN_RE.finditer(text)]


def blank_comments(text: str) -> str:
    """The text with each comment replaced by spaces of the same length; '#' in IRIs and strings kept."""
    return "".join(" " * len(t.text) if t.kind == "comment" else t.text for t in tokens(text))


def _significant(text: str) -> list[Token]:
    return [t for t in tokens(unescape_codepoints(text)) if t.kind not in ("ws", "comment")]


def service_targets(text: str) -> list[str | None]:
    """The endpoint of each SERVICE clause, resolved to a full IRI; None where it is a variable
    (decided only at run time) or cannot be read."""
    significant = _significant(text)
    prefixes, base, targets = {}, "", []
    for index, token in enumerate(significant):
        following = significant[index + 1:index + 3]
        if token.kind != "word":
            continue
        keyword = token.text.upper()
        if keyword == "PREFIX" and len(following) == 2 and following[0].kind == "pname" and following[1].kind == "iri":
            prefixes[following[0].text[:-1]] = urljoin(base, following[1].text[1:-1])
        elif keyword == "BASE" and following and following[0].kind == "iri":
            base = urljoin(base, following[0].text[1:-1])
        elif keyword == "SERVICE":
            if following and following[0].kind == "word" and following[0].text.upper() == "SILENT":
                following = following[1:]
            targets.append(_resolve(following[0], prefixes, base) if following else None)
    return targets


def _resolve(token: Token, prefixes: dict[str, str], base: str) -> str | None:
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1])
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local) if prefix in prefixes else None
    return None


def federation_refusal(text: str, allowed: bool | frozenset[str] | set[str] = False) -> str | None:
    """Why the query may not run here (it would make this machine send requests), or None.

    `allowed` is False (no SERVICE at all), True (any endpoint) or a set of endpoint URLs.
    """
    if allowed is True or "service" not in (unescape_codepoints(text) if "\\" in text else text).lower():
        return None  # no SERVICE keyword without its letters: most queries need no lexing
    targets = service_targets(text)
    if not targets:
        return None
    if not allowed:
        return ("the query uses SERVICE, which would make this server send a request to another "
                "endpoint; federation is not allowed here")
    refused = [target for target in targets if target not in allowed]
    if refused:
        named = ", ".join("a variable endpoint" if target is None else f"<{target}>" for target in refused)
        return f"SERVICE to {named} is not allowed; allowed endpoints: {', '.join(sorted(allowed))}"
    return None
