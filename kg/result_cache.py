"""Answers of `remkg serve` kept for the next identical request.

A website's widgets send the same few queries again and again, and the served store is read-only:
an answer stays right until the next build, so the front keeps recent complete answers (status 200
only, never an error or a cut document) keyed by the build they came from and everything that
shapes the answer (query text, Accept, protocol parameters). A hit costs a dictionary look-up
instead of a round trip to Oxigraph; a new build makes every older entry unreachable and the front
clears them.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple


class Answer(NamedTuple):
    body: bytes
    content_type: str


class ResultCache:
    """Least-recently-used answers up to `max_bytes` of bodies in all; one answer may take at
    most an eighth of it, so a few large results cannot push out the many small ones."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[tuple, Answer] = OrderedDict()

    def get(self, key: tuple) -> Answer | None:
        answer = self.entries.get(key)
        if answer is not None:
            self.entries.move_to_end(key)
        return answer

    def put(self, key: tuple, answer: Answer) -> None:
        if len(answer.body) > self.max_bytes // 8 or key in self.entries:
            return
        self.entries[key] = answer
        self.size += len(answer.body)
        while self.size > self.max_bytes:
            _, oldest = self.entries.popitem(last=False)
            self.size -= len(oldest.body)

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0
