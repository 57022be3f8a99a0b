"""Reading one article file (plain text, Markdown or HTML, with optional YAML front matter) into
plain text split into paragraphs and sentences, so mentions can be stored with character offsets.

HTML goes through BeautifulSoup: scripts, styles, navigation, headers, footers and forms are
dropped before any text is taken, so nothing in them can be linked.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from loaders.base import LoadError, Problem
from loaders.yamlfile import Node, decode_utf8, parse_yaml_text

SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
FRONT_MATTER_FIELDS = ("title", "url", "date", "publisher")
_DROPPED_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe", "svg", "button")
_BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td", "th", "dd", "dt", "pre", "figcaption")
# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = {"e.g", "i.e", "dr", "prof", "mr", "mrs", "ms", "st", "no", "approx", "vs", "etc", "inc", "ltd", "co", "fig", "jan",
                  "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?\s+(?=[\"“(]?[A-Z0-9])")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int
    index: int


@dataclass
class Article:
    """An article's metadata and its plain text; offsets of paragraphs and sentences refer to `text`."""

    path: str  # as shown in messages and stored as provenance (relative to the data folder)
    title: str | None
    url: str | None
    published: dt.date | None
    publisher: str | None
    text: str
    sentences: list[Sentence] = field(default_factory=list)

    def sentence_at(self, offset: int) -> Sentence:
        for sentence in self.sentences:
            if sentence.start <= offset < sentence.end:
                return sentence
        raise ValueError(f"offset {offset} lies in no sentence of {self.path}")

    def sentence_text(self, sentence: Sentence) -> str:
        return self.text[sentence.start:sentence.end]


def article_files(path: Path) -> list[Path]:
    """The article files of a path: the file itself, or every file with a known suffix below a folder."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    return [path]


def read_article(path: Path, shown_as: str) -> Article:
    """One article, or LoadError naming the file, the line and the field of every problem."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise LoadError([Problem(shown_as, 0, "", f"unsupported file type {path.suffix!r}; expected one of {', '.join(sorted(SUFFIXES))}")])
    text, problems = decode_utf8(path.read_bytes(), shown_as)
    if text is None:
        raise LoadError(problems)
    text = text.removeprefix("\ufeff")
    meta, body, problems = _front_matter(text, shown_as)
    if kind == "html":
        paragraphs, html_meta = _html_paragraphs(body)
        meta = {**html_meta, **meta}
    else:
        paragraphs = _text_paragraphs(body, markdown=kind == "markdown")
    if not paragraphs:
        problems.append(Problem(shown_as, 0, "", "no text found (after removing markup, scripts and navigation)"))
    lines = meta.get("_lines", {})
    published = _front_matter_date(meta.get("date"), shown_as, lines.get("date", 0), problems)
    url = meta.get("url")
    if url is not None and not re.match(r"^https?://[^\s/$.?#][^\s]*$", str(url)):
        problems.append(Problem(shown_as, lines.get("url", 0), "url", f"expected an http(s) URL, got {url!r}"))
    if problems:
        raise LoadError(problems)
    article = Article(shown_as, _text_or_none(meta.get("title")), url, published, _text_or_none(meta.get("publisher")), "")
    _split(article, paragraphs)
    return article


def _text_or_none(value) -> str | None:
    return str(value).strip() if value not in (None, "") else None


def _front_matter(text: str, shown_as: str) -> tuple[dict, str, list[Problem]]:
    """YAML between a first line '---' and the next '---' line: (fields, the rest, problems)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, []
    closing = next((n for n in range(1, len(lines)) if lines[n].strip() in ("---", "...")), None)
    if closing is None:
        return {}, "", [Problem(shown_as, 1, "front matter", "front matter opened with '---' on line 1 is never closed by a '---' line")]
    data, problems = parse_yaml_text("\n".join(lines[1:closing]), shown_as, first_line=2)
    rest = "\n" * closing + "\n".join(lines[closing + 1:])  # keep line numbers of the body
    if data is None:
        return {}, rest, problems
    if not isinstance(data, Node):
        return {}, rest, problems + [Problem(shown_as, 2, "front matter", "expected fields such as 'title: …' and 'date: YYYY-MM-DD'")]
    for key in data:
        if key not in FRONT_MATTER_FIELDS:
            problems.append(Problem(shown_as, data.line_of(key) + 1, str(key),
                                    f"unknown front-matter field; expected one of {', '.join(FRONT_MATTER_FIELDS)}"))
    fields = dict(data)
    fields["_lines"] = {key: data.line_of(key) + 1 for key in data}
    return fields, rest, problems


def _front_matter_date(value, shown_as: str, line: int, problems: list[Problem]) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(Problem(shown_as, line, "date", f"expected a date YYYY-MM-DD, got {value!r}"))
        return None


def _html_paragraphs(html: str) -> tuple[list[str], dict]:
    """Text blocks of an HTML page (outermost block elements only, so nothing is taken twice) and
    the metadata its head gives (title, canonical URL, publication date, site name)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    meta = {}
    if soup.title and soup.title.string:
        meta["title"] = soup.title.string.strip()
    for name, key in (("og:title", "title"), ("og:url", "url"), ("og:site_name", "publisher"), ("article:published_time", "date")):
        tag = soup.find("meta", attrs={"property": name})
        if tag and tag.get("content"):
            meta[key] = tag["content"][:10] if key == "date" else tag["content"]
    for tag in soup.find_all(_DROPPED_TAGS):
        tag.decompose()
    blocks = [tag for tag in soup.find_all(_BLOCK_TAGS) if not tag.find_parent(_BLOCK_TAGS)]
    paragraphs = [_squash(tag.get_text(" ")) for tag in blocks] if blocks else [_squash(soup.get_text(" "))]
    return [p for p in paragraphs if p], meta


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKERS = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")


def _text_paragraphs(body: str, markdown: bool) -> list[str]:
    """Paragraphs separated by blank lines; in Markdown, headings, list markers, emphasis and link
    targets are removed (a heading or list item is a paragraph of its own)."""
    paragraphs, current = [], []
    for line in body.split("\n"):
        starts_block = markdown and bool(_MD_MARKERS.match(line))
        if not line.strip() or starts_block:
            if current:
                paragraphs.append(" ".join(current))
            current = []
        if line.strip():
            if markdown:
                line = _MD_EMPHASIS.sub(r"\2", _MD_LINK.sub(r"\1", _MD_MARKERS.sub("", line)))
            current.append(line.strip())
    if current:
        paragraphs.append(" ".join(current))
    return [p for p in (_squash(p) for p in paragraphs) if p]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _split(article: Article, paragraphs: list[str]) -> None:
    """Join paragraphs with blank lines into the article's text and record every sentence's span."""
    offset, index = 0, 0
    for number, paragraph in enumerate(paragraphs):
        for start, end in _sentence_spans(paragraph):
            article.sentences.append(Sentence(offset + start, offset + end, number, index))
            index += 1
        offset += len(paragraph) + 2
    article.text = "\n\n".join(paragraphs)


def _sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(paragraph):
        before = paragraph[start:match.start() + 1].split()
        word = before[-1].rstrip(".").lower() if before else ""
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        end = match.end() - len(match.group()) + len(match.group().rstrip())
        spans.append((start, end))
        start = match.end()
    if start < len(paragraph):
        spans.append((start, len(paragraph)))
    return spans
