"""The `articles` input kind: news items and event reports (text, Markdown, HTML) into the graph.

Each article becomes a `rem:Article` in its own named graph holding its metadata (dcterms:title,
schema:url, dcterms:issued, dcterms:publisher), its plain
text (`schema:text`, which the mention offsets refer to), one W3C Web Annotation per mention of a
known entity (character offsets, quote, sentence, paragraph) and the events it states. An event
that is the same as a curated one (same start date, and the same place, name or online format)
is merged into it: the article adds itself as a report, the projects and organisers it names, and
its evidence sentences; otherwise a `rem:ExtractedEvent` is minted with everything the rules read.
Nothing the gazetteer does not know becomes an entity (see `remkg mentions --unknown`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from kg.vocab import OA, REM, SCHEMA, mint
from loaders.article_file import Article, article_files, read_article
from loaders.base import InputEntry, LoadContext, LoadError, Problem, SourceGraph
from loaders.event_text import TextEvent, extract_events
from loaders.gazetteer import Gazetteer, Mention

QUOTE_CONTEXT = 32  # characters of prefix and suffix kept with each quote


@dataclass
class KnownEvent:
    iri: URIRef
    name: str
    start: dt.date
    venue: str
    online: bool | None


class ArticlesLoader:
    """Reads every article file under the entry's path (a file or a folder)."""

    name = "remkg articles loader"

    def __init__(self, data_dir: Path, entry: InputEntry, context: LoadContext):
        self.data_dir, self.entry, self.context = Path(data_dir), entry, context

    def load(self) -> list[SourceGraph]:
        gazetteer = Gazetteer.from_graph(self.context.ontology + self.context.curated)
        known = curated_events(self.context.curated)
        root = self.data_dir / self.entry.path
        sources, problems = [], []
        for path in article_files(root):
            shown = path.relative_to(self.data_dir).as_posix() if path.is_relative_to(self.data_dir) else str(path)
            try:
                article = read_article(path, shown)
            except LoadError as error:
                problems.extend(error.problems)
                continue
            source = article_graph(article, gazetteer, known)
            first = next((s for s in sources if s.graph_iri == source.graph_iri), None)
            if first is not None:
                problems.append(Problem(shown, 0, "", f"same name as {first.derived_from} apart from the file type; "
                                                      "rename one (each article's identifier comes from its path)"))
            sources.append(source)
        if problems:
            raise LoadError(problems)
        return sources


def curated_events(graph: Graph) -> list[KnownEvent]:
    events = []
    for event in sorted(graph.subjects(RDF.type, REM.Event)):
        start = graph.value(event, REM.startDate)
        if start is None:
            continue
        online = graph.value(event, REM.isOnline)
        events.append(KnownEvent(event, str(graph.value(event, RDFS.label) or ""), dt.date.fromisoformat(str(start)),
                                 str(graph.value(event, REM.venue) or ""), None if online is None else online.toPython()))
    return events


def article_iri(article: Article) -> URIRef:
    return mint("article", re.sub(r"\.[A-Za-z]+$", "", article.path))


def article_graph(article: Article, gazetteer: Gazetteer, known: list[KnownEvent]) -> SourceGraph:
    """The named graph of one article: metadata, mentions as Web Annotations, events.
    `known` grows with the events this article adds, so a later article reporting one merges into it."""
    iri = article_iri(article)
    mentions = gazetteer.find(article.text)
    events = extract_events(article, mentions)
    triples = _metadata(iri, article)
    for number, mention in enumerate(mentions):
        triples += _annotation(iri, number, article, mention)
    for event in events:
        triples += _event_triples(iri, event, known)
    return SourceGraph(mint("graph", f"article {iri.rsplit('/', 1)[-1]}"), f"article {article.path}", article.path, triples,
                       counts={"sentences": len(article.sentences), "mentions": len(mentions), "events": len(events)})


def _metadata(iri: URIRef, article: Article) -> list[tuple]:
    triples = [(iri, RDF.type, REM.Article), (iri, RDFS.label, Literal(article.title or article.path)),
               (iri, SCHEMA.text, Literal(article.text))]
    if article.title:
        triples.append((iri, DCTERMS.title, Literal(article.title)))
    if article.url:
        triples.append((iri, SCHEMA.url, Literal(article.url, datatype=XSD.anyURI)))
    if article.published:
        triples.append((iri, DCTERMS.issued, Literal(article.published.isoformat(), datatype=XSD.date)))
    if article.publisher:
        triples.append((iri, DCTERMS.publisher, Literal(article.publisher)))
    return triples


def _annotation(article_iri_: URIRef, number: int, article: Article, mention: Mention) -> list[tuple]:
    """One mention as a W3C Web Annotation: body = the entity; target = the article with a text
    position selector (offsets into schema:text) and a text quote selector (exact, prefix, suffix)."""
    node = URIRef(f"{article_iri_}/mention/{number}")
    target, position, quote = URIRef(f"{node}/target"), URIRef(f"{node}/position"), URIRef(f"{node}/quote")
    sentence = article.sentence_at(mention.start)
    text = article.text
    return [
        (node, RDF.type, OA.Annotation), (node, OA.motivatedBy, OA.identifying), (node, OA.hasBody, URIRef(mention.iri)),
        (node, OA.hasTarget, target), (target, OA.hasSource, article_iri_),
        (target, OA.hasSelector, position), (position, RDF.type, OA.TextPositionSelector),
        (position, OA.start, Literal(mention.start, datatype=XSD.nonNegativeInteger)),
        (position, OA.end, Literal(mention.end, datatype=XSD.nonNegativeInteger)),
        (target, OA.hasSelector, quote), (quote, RDF.type, OA.TextQuoteSelector), (quote, OA.exact, Literal(mention.surface)),
        (quote, OA.prefix, Literal(text[max(0, mention.start - QUOTE_CONTEXT):mention.start])),
        (quote, OA.suffix, Literal(text[mention.end:mention.end + QUOTE_CONTEXT])),
        (node, REM.sentenceText, Literal(article.sentence_text(sentence))),
        (node, REM.sentenceIndex, Literal(sentence.index, datatype=XSD.nonNegativeInteger)),
        (node, REM.paragraphIndex, Literal(sentence.paragraph, datatype=XSD.nonNegativeInteger)),
    ]


def same_event(event: TextEvent, known: KnownEvent) -> bool:
    """Same start date, and the same place (city or venue words), a similar name, or both online."""
    if event.start != known.start:
        return False
    venue = known.venue.casefold()
    same_place = bool(venue) and any(p and p.casefold() in venue for p in (event.city, event.venue))
    return same_place or _similar_names(event.name, known.name) or (event.online is True and known.online is True)


def _similar_names(a: str, b: str) -> bool:
    """Most words of the shorter name (three letters or more) are in the longer one."""
    words_a, words_b = (set(re.findall(r"[a-z0-9]{3,}", n.casefold())) for n in (a, b))
    return min(len(words_a), len(words_b)) >= 2 and len(words_a & words_b) / min(len(words_a), len(words_b)) >= 0.8


def _event_triples(article: URIRef, event: TextEvent, known: list[KnownEvent]) -> list[tuple]:
    match = next((k for k in known if same_event(event, k)), None)
    if match is None:
        iri = mint("event", f"{event.name} {event.start.isoformat()}")
        known.append(KnownEvent(iri, event.name, event.start, event.venue or event.city or "", event.online))
        triples = [(iri, RDF.type, REM.Event), (iri, RDF.type, REM.ExtractedEvent), (iri, RDFS.label, Literal(event.name)),
                   (iri, REM.startDate, Literal(event.start.isoformat(), datatype=XSD.date)),
                   (iri, REM.endDate, Literal(event.end.isoformat(), datatype=XSD.date))]
        triples += [(iri, predicate, Literal(value)) for predicate, value in ((REM.venue, event.venue), (REM.city, event.city)) if value]
        if event.online is not None:
            triples.append((iri, REM.isOnline, Literal(event.online)))
        if event.participants is not None:
            triples.append((iri, REM.participantCount, Literal(event.participants, datatype=XSD.nonNegativeInteger)))
    else:
        iri, triples = match.iri, []
    triples.append((iri, REM.reportedIn, article))
    triples += [(iri, REM.organisedBy, URIRef(o)) for o in event.organisers]
    triples += [(iri, REM.featuresProject, URIRef(p)) for p in event.projects]
    triples += [(iri, REM.evidenceSentence, Literal(sentence)) for sentence in event.evidence]
    return triples
