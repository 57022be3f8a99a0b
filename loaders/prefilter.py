"""A cheap test before an expensive one: which of many word patterns can match a text at all.

A pattern that matches a label allowing any case and any run of spaces or hyphens between its
words only ever matches where the label's characters stand in a row once spaces, hyphens and case
are squeezed out. One Aho-Corasick pass over the squeezed text finds those places for every label
at once, so the regular expressions run only for the few labels found (the same matches, far fewer
scans: most texts name none of them).
"""

from __future__ import annotations

import re
from typing import Hashable, Iterable

import ahocorasick

_SPACES = re.compile(r"[\s-]+")


def squeezed(text: str) -> str:
    """'Nd-Fe-B  Magnets' -> 'ndfebmagnets'."""
    return _SPACES.sub("", text).casefold()


class Prefilter:
    """Labels, each with what it stands for; `found(text)` is what may match in the text."""

    def __init__(self, labels: Iterable[tuple[str, Hashable]]):
        self._meaning: dict[str, set] = {}
        for label, meaning in labels:
            key = squeezed(label)
            if key:
                self._meaning.setdefault(key, set()).add(meaning)
        self._automaton = ahocorasick.Automaton()
        for key in self._meaning:
            self._automaton.add_word(key, key)
        if self._meaning:
            self._automaton.make_automaton()

    def found(self, *texts: str) -> set:
        hits = set()
        for text in texts:
            if text and self._meaning:
                for _, key in self._automaton.iter(squeezed(text)):
                    hits |= self._meaning[key]
        return hits
