"""Events stated explicitly in an article, found by rules on the usual English forms.

An event is anchored on a sentence that names a kind of event (workshop, conference, clustering
session, webinar…) together with a full date ("1 October 2025", "29–30 October 2025",
"March 25, 2026"). Its facts are read from the anchor sentence and the sentences after it, up to
the next anchor: the name, the dates, venue and city ("at the Mercedes-Benz Museum in Stuttgart"),
online or in person, the organisers ("organised by X", "X hosted…"), the projects taking part
(mentioned in a sentence that says they presented, took part, joined…) and the number of
participants, digits or words ("sixty-seven participants", "over 150 participants").
A date without a day ("in October 2025") anchors nothing: the rules prefer missing an event to
inventing its date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from loaders.article_file import Article, Sentence
from loaders.gazetteer import Mention

MONTHS = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"), ("july", "jul"),
     ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"), ("december", "dec")], start=1)
    for name in names}
_MONTH = r"(?P<{}>" + "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?"
_DASH = r"\s*(?:[-–—]|to|until)\s*"
_DATE_PATTERNS = [  # most specific first; each gives start (and end) day, month and year
    re.compile(_DAY.format("d1") + r"\s+" + _MONTH.format("m1") + _DASH + _DAY.format("d2") + r"\s+" + _MONTH.format("m2") + r",?\s+(?P<y>\d{4})"),
    re.compile(_DAY.format("d1") + r"(?:" + _DASH + r"|\s+and\s+)" + _DAY.format("d2") + r"\s+(?:of\s+)?" + _MONTH.format("m1") + r",?\s+(?P<y>\d{4})"),
    re.compile(_MONTH.format("m1") + r"\s+" + _DAY.format("d1") + r"(?:" + _DASH + r"|\s+and\s+)" + _DAY.format("d2") + r",?\s+(?P<y>\d{4})"),
    re.compile(_DAY.format("d1") + r"\s+(?:of\s+)?" + _MONTH.format("m1") + r",?\s+(?P<y>\d{4})"),
    re.compile(_MONTH.format("m1") + r"\s+" + _DAY.format("d1") + r",?\s+(?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})-(?P<m1>\d{2})-(?P<d1>\d{2})"),
]
_KINDS = (r"clustering session|networking session|info day|kick-off meeting|general assembly|conference|workshop|webinar|"
          r"forum|summit|symposium|seminar|hackathon|roundtable|round table|expert meeting|session|meeting|event")
_EVENT_KIND = re.compile(r"\b(" + _KINDS + r")s?\b", re.IGNORECASE)
_NAME_WORD = r"[A-Z0-9][\w&’'.-]*"
_PROPER_NAME = re.compile(r"((?:" + _NAME_WORD + r"\s+(?:(?:and|of|for|on|the|&|in)\s+)?){1,7})((?i:" + _KINDS + r"))\b")
_QUOTED = re.compile(r"[“\"]([^”\"]{6,120})[”\"]")
_NOT_MODIFIERS = {"a", "an", "the", "its", "their", "our", "this", "that", "of", "at", "in", "on", "for", "and", "with", "to", "by", "first"}
_VENUE = re.compile(r"\bat\s+(?:the\s+)?(?P<venue>[A-Z][\w’'.&-]*(?:\s+(?:(?:di|de|del|della|of|the|für|and|am)\s+)?[A-Z][\w’'.&-]*)*)"
                    r"(?:\s+in\s+(?P<city1>[A-Z][\w-]+)|,\s+(?P<city2>[A-Z][\w-]+))?")
_CITY = re.compile(r"\b(?:in|to)\s+(?P<city>[A-Z][a-zà-ÿ-]+)\b")
_NOT_PLACES = {"Europe", "European", "EU", "Brussels-based", "Horizon", "The", "This", "Its", "Their"}
_ONLINE = re.compile(r"\b(online|virtual(?:ly)?|webinar|via zoom|on zoom|microsoft teams|livestream(?:ed)?)\b", re.IGNORECASE)
_IN_PERSON = re.compile(r"\b(in person|in-person|on site|on-site|face-to-face)\b", re.IGNORECASE)
_ORGANISED_BY = re.compile(r"\b(?:co-)?(?:organi[sz]ed|hosted|convened|run)\s+(?:jointly\s+)?(?:by|with)\b", re.IGNORECASE)
_ORGANISER_VERB = re.compile(r"^(?:’s|'s)?\s*(?:\w+\s+)?(?:co-)?(?:hosted|organi[sz]ed|held|convened|ran|welcomed)\b", re.IGNORECASE)
_TAKING_PART = re.compile(r"\b(present|participat|took part|take part|joined|attend|showcas|represent|featur|spoke|speak|"
                          r"contribut|pitch|exhibit|introduced)", re.IGNORECASE)
_PEOPLE = r"(?:participants|attendees|delegates|people|experts|stakeholders|representatives|visitors|guests|researchers|scientists|professionals)"

_UNITS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                                     "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * n for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_SCALES = {"hundred": 100, "thousand": 1000}
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS, *_SCALES], key=len, reverse=True))
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+|(?:a\s+)?(?:" + _NUMBER_WORD + r")(?:(?:[\s-]+|\s+and\s+)(?:" + _NUMBER_WORD + r"))*)"
_COUNT = re.compile(r"\b(?P<bound>over|more than|around|about|almost|nearly|some|at least)?\s*(?P<n>" + _NUMBER + r")\s+"
                    r"(?:[\w-]+\s+){0,3}?" + _PEOPLE + r"\b", re.IGNORECASE)


def parse_number(text: str) -> int | None:
    """'67', '1,200', 'sixty-seven', 'one hundred and fifty', 'a hundred' -> an int; None if not a number."""
    text = text.strip().lower()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", text):
        return int(text.replace(",", ""))
    total, current = 0, 0
    words = [w for w in re.split(r"[\s-]+", text) if w and w != "and"]
    if words[:1] == ["a"]:
        words = ["one"] + words[1:]
    if not words:
        return None
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total, current = total + max(current, 1) * 1000, 0
        else:
            return None
    return total + current


@dataclass(frozen=True)
class DateSpan:
    start: dt.date
    end: dt.date
    offset: int  # where the date is written, in the text searched


def find_dates(text: str) -> list[DateSpan]:
    """Every full date or date range in the text, in order, each written once (longest form wins)."""
    found, taken = [], []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            span = _date_span(match)
            if span is not None:
                found.append(span)
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda d: d.offset)


def _date_span(match: re.Match) -> DateSpan | None:
    groups = match.groupdict()
    year = int(groups["y"])
    month1 = _month(groups["m1"])
    month2 = _month(groups.get("m2")) if groups.get("m2") else month1
    try:
        start = dt.date(year, month1, int(groups["d1"]))
        end = dt.date(year, month2, int(groups["d2"])) if groups.get("d2") else start
    except (ValueError, TypeError):
        return None
    return DateSpan(start, end, match.start()) if end >= start else None


def _month(text: str) -> int:
    return int(text) if text.isdigit() else MONTHS[text.lower().rstrip(".")]


@dataclass
class TextEvent:
    """What an article says about one event, and the sentences it says it in."""

    name: str
    start: dt.date
    end: dt.date
    venue: str | None = None
    city: str | None = None
    online: bool | None = None
    organisers: list[str] = field(default_factory=list)  # IRIs of projects, organisations, clusters
    projects: list[str] = field(default_factory=list)  # IRIs of the projects taking part (organising projects included)
    participants: int | None = None
    evidence: list[str] = field(default_factory=list)


def extract_events(article: Article, mentions: list[Mention]) -> list[TextEvent]:
    """The events an article states explicitly: one per anchor date, facts from the sentences up to the next anchor."""
    anchors = []
    for sentence in article.sentences:
        text = article.sentence_text(sentence)
        kind = _EVENT_KIND.search(text)
        dates = find_dates(text)
        if kind and dates and not any(a[1].start == dates[0].start for a in anchors):
            anchors.append((sentence, dates[0]))
    events = []
    for number, (sentence, date) in enumerate(anchors):
        until = anchors[number + 1][0].index if number + 1 < len(anchors) else len(article.sentences)
        scope = [s for s in article.sentences if sentence.index <= s.index < until]
        events.append(_read_event(article, scope, date, mentions))
    return events


def _read_event(article: Article, scope: list[Sentence], date: DateSpan, mentions: list[Mention]) -> TextEvent:
    texts = [article.sentence_text(s) for s in scope]
    in_scope = [[m for m in mentions if s.start <= m.start < s.end] for s in scope]
    organisers = _organisers(article, scope, in_scope)
    labels = {m.iri: m.label for found in in_scope for m in found}
    event = TextEvent(_name(texts[0], [labels[iri] for iri, _ in organisers]), date.start, date.end, evidence=[texts[0]])
    for sentence, text, found in zip(scope, texts, in_scope):
        _read_place(event, text, [(m.start - sentence.start, m.end - sentence.start) for m in found])
        if event.online is None:
            event.online = True if _ONLINE.search(text) else (False if _IN_PERSON.search(text) else None)
        if event.online is None and (event.venue or event.city):
            event.online = False  # held at a place the first sentences name, unless they said online
        count = _COUNT.search(text)
        if count and event.participants is None:
            event.participants = parse_number(count.group("n"))
            _add_evidence(event, text)
        if _TAKING_PART.search(text) or (sum(m.kind == "project" for m in found) >= 2 and re.search(r"\bprojects\b", text)):
            for mention in found:
                if mention.kind == "project" and mention.iri not in event.projects:
                    event.projects.append(mention.iri)
                    _add_evidence(event, text)
    event.organisers = [iri for iri, _ in organisers]
    for iri, kind in organisers:
        if kind == "project" and iri not in event.projects:
            event.projects.insert(0, iri)
    return event


def _add_evidence(event: TextEvent, text: str) -> None:
    if text not in event.evidence:
        event.evidence.append(text)


def _organisers(article: Article, scope: list[Sentence], in_scope: list[list[Mention]]) -> list[tuple[str, str]]:
    """(IRI, kind) of whoever the scope says organised or hosted the event."""
    found = []
    for sentence, mentions in zip(scope, in_scope):
        text = article.text[sentence.start:sentence.end]
        by = _ORGANISED_BY.search(text)
        for mention in mentions:
            if mention.kind not in ("project", "org", "cluster"):
                continue
            local = mention.start - sentence.start
            after_by = by is not None and by.end() <= local and not re.search(r"[.;:]|\bwhere\b|\bwhile\b", text[by.end():local])
            subject_of_verb = _ORGANISER_VERB.match(text[mention.end - sentence.start:]) is not None
            if (after_by or subject_of_verb) and (mention.iri, mention.kind) not in found:
                found.append((mention.iri, mention.kind))
    return found


def _name(anchor: str, organisers: list[str]) -> str:
    """A quoted title, else a capitalised name ending in the kind of event, else organiser + kind."""
    quoted = _QUOTED.search(anchor)
    if quoted:
        return quoted.group(1).strip()
    for match in _PROPER_NAME.finditer(anchor):
        words = match.group(1).split()
        while words and words[0].lower() in _NOT_MODIFIERS:
            words = words[1:]
        if words:
            return " ".join(words + [match.group(2)])
    kind = _EVENT_KIND.search(anchor)
    before = anchor[:kind.start()].split()
    modifiers = []
    while before and before[-1].lower() not in _NOT_MODIFIERS and before[-1].isalpha() and before[-1].islower() and len(modifiers) < 2:
        modifiers.insert(0, before.pop())
    return " ".join(organisers[:1] + modifiers + [kind.group(1).lower()])


def _read_place(event: TextEvent, text: str, known: list[tuple[int, int]]) -> None:
    """Venue and city from 'at the Venue in City' / 'at Venue, City', else a city from 'in City'
    (not a month, not a known entity such as a country or a programme)."""
    if event.venue is None:
        venue = _VENUE.search(text)
        if venue and venue.group("venue").split()[0].rstrip(".") not in {*map(str.capitalize, MONTHS), *_NOT_PLACES}:
            city_group = "city1" if venue.group("city1") else "city2"
            city = venue.group(city_group)
            if city in _NOT_PLACES or (city and any(start <= venue.start(city_group) < end for start, end in known)):
                city = None  # 'at Messe Stuttgart, Germany': a country (a known entity) is not the city
            event.venue = f"{venue.group('venue')}, {city}" if city else venue.group("venue")
            event.city = event.city or city
    if event.city is None:
        for match in _CITY.finditer(text):
            city = match.group("city")
            inside_mention = any(start <= match.start("city") < end for start, end in known)
            if city.lower() not in MONTHS and city not in _NOT_PLACES and not inside_mention:
                event.city = city
                return
