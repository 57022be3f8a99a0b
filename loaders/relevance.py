"""Which CORDIS projects belong to the rare-earth and permanent-magnet ecosystem: a documented,
versioned rule that can say why a project is in or out.

Rule `rare-earth` v1: a project is in when its title, objective or one of its EuroSciVoc fields
names a rare-earth element or rare-earth magnet term (STRONG_TERMS, whole words, any case), or when
one of its topic codes is listed (option `topics`). Words that are ambiguous on their own
(magnet, magnetic, lanthanide, critical raw material…) are reported as evidence but never decide:
'magnetic resonance imaging' or 'rare disease' keep a project out. Rule `none` keeps every project; a list of grant ids keeps exactly those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.prefilter import Prefilter

RULE_VERSION = "1"
STRONG_TERMS = (
    "rare earth", "rare earths", "REE", "REEs",
    "neodymium", "NdFeB", "Nd-Fe-B", "Nd2Fe14B", "dysprosium", "terbium", "samarium", "SmCo", "Sm-Co",
    "praseodymium", "didymium", "cerium magnet", "permanent magnet", "permanent magnets", "magnet recycling",
    "recycling of magnets",
)
WEAK_TERMS = ("magnet", "magnets", "magnetic", "lanthanide", "lanthanides", "critical raw material",
              "critical raw materials", "yttrium", "scandium", "europium", "gadolinium")


def _pattern(terms) -> re.Pattern:
    alternatives = sorted((re.escape(t).replace(r"\-", "[- ]?").replace(r"\ ", r"[\s-]+") for t in terms), key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z0-9])(" + "|".join(alternatives) + r")(?![A-Za-z0-9])", re.IGNORECASE)


_STRONG = _pattern(STRONG_TERMS)
_WEAK = _pattern(WEAK_TERMS)
_PREFILTER = Prefilter([(term, "strong") for term in STRONG_TERMS] + [(term, "weak") for term in WEAK_TERMS])
# 'REE' and 'SmCo' must be written in capitals as given: 'ree' or 'smco' in running text is something else.
_CASE_SENSITIVE = {"ree", "rees", "smco"}


@dataclass
class Decision:
    keep: bool
    reasons: list[str] = field(default_factory=list)

    def explain(self) -> str:
        verdict = "in" if self.keep else "out"
        return f"{verdict}: " + ("; ".join(self.reasons) if self.reasons else "no rule matched")


@dataclass(frozen=True)
class RelevanceRule:
    """`rare-earth` (keywords, EuroSciVoc, topic codes), `ids` (exactly the listed grants) or `none` (everything)."""

    name: str = "rare-earth"
    ids: frozenset = frozenset()
    topics: frozenset = frozenset()

    def describe(self) -> str:
        if self.name == "none":
            return "filter none: every project of the export"
        if self.name == "ids":
            return f"filter ids: exactly the grants {', '.join(sorted(self.ids))}"
        extra = ""
        if self.topics:
            extra += f"; or topic code in {sorted(self.topics)}"
        return (f"filter rare-earth v{RULE_VERSION}: a strong term ({', '.join(STRONG_TERMS)}) as a whole word in the "
                f"title, objective or a EuroSciVoc field{extra}")

    def decide(self, grant_id: str, title: str, objective: str, fields: list[str], topics: list[str]) -> Decision:
        if self.name == "none":
            return Decision(True, ["filter none keeps every project"])
        if self.name == "ids":
            listed = grant_id in self.ids
            return Decision(listed, [f"grant id {grant_id} is {'' if listed else 'not '}in the filter's id list"])
        reasons = [f"topic {t} is listed explicitly" for t in topics if t in self.topics]
        kinds = _PREFILTER.found(title, objective, *fields)  # most projects name no term at all
        for where, text in [("title", title), ("objective", objective)] + [("EuroSciVoc field", f) for f in fields]:
            reasons += [f"{where} names {word!r}" for word in _matches(_STRONG, text)] if "strong" in kinds else []
        if reasons:
            return Decision(True, list(dict.fromkeys(reasons)))
        weak = [f"{word!r} in {where}" for where, text in [("title", title), ("objective", objective)]
                for word in _matches(_WEAK, text)] if "weak" in kinds else []
        reasons = ["no rare-earth or magnet term in title, objective or EuroSciVoc fields"]
        if weak:
            reasons.append("ambiguous words, which do not decide on their own: " + ", ".join(dict.fromkeys(weak)))
        return Decision(False, reasons)


def _matches(pattern: re.Pattern, text: str) -> list[str]:
    found = []
    for match in pattern.finditer(text or ""):
        word = match.group(0)
        if word.lower() in _CASE_SENSITIVE and word not in ("REE", "REEs", "SmCo"):
            continue
        if word not in found:
            found.append(word)
    return found


def rule_from_options(value, topics=()) -> RelevanceRule:
    """The manifest's `filter` option: 'rare-earth' (default), 'none', or a list of grant ids (exactly
    those are kept); `topics`: topic codes the rare-earth rule keeps as well."""
    if value in (None, "rare-earth"):
        return RelevanceRule("rare-earth", topics=frozenset(str(t) for t in topics))
    if value == "none":
        return RelevanceRule("none")
    if isinstance(value, list):
        return RelevanceRule("ids", ids=frozenset(str(i) for i in value))
    raise ValueError("expected rare-earth, none, or a list of grant ids")
