"""Matching what an officer types against a list of labels, and finding search words in text.

Type-ahead: every typed word must start a word of the label, in order ("agreement h" finds
"Agreement held", "med" finds "Conflict mediation"); labels where the words (of three letters or
more) only appear inside other words come after. Matches keep the order the caller gives (the
taxonomy's), so the same letters always pick the same choice.

Search hits: the journal's search finds notes holding every typed word (the last one as a
prefix); :func:`hit_spans` finds where those words are in a text, to highlight them. While the
officer types, :func:`while_typing` leaves out a last word of one letter: as a prefix it matches
nearly every note (and costs the longest search of all); it is searched once a second letter
follows, or when Enter is pressed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from srojournal.domain.text import normalize_alias

_WORD: Final = re.compile(r"\w+", re.UNICODE)
MIN_INSIDE: Final = 3  # letters typed before a match inside a word counts (not "h" in "reached")


def words(text: str) -> list[str]:
    return _WORD.findall(normalize_alias(text))


def _starts_words_in_order(query: list[str], label: list[str]) -> bool:
    i = 0
    for q in query:
        while i < len(label) and not label[i].startswith(q):
            i += 1
        if i == len(label):
            return False
        i += 1
    return True


def rank(query: str, labels: Sequence[str]) -> list[int]:
    """Indexes of the labels that match ``query``, best first (all of them for an empty query)."""
    q = words(query)
    if not q:
        return list(range(len(labels)))
    folded = normalize_alias(query)
    exact: list[int] = []
    starting: list[int] = []
    inside: list[int] = []
    for i, label in enumerate(labels):
        norm = normalize_alias(label)
        if norm == folded:
            exact.append(i)
        elif _starts_words_in_order(q, words(label)):
            starting.append(i)
        elif all(len(w) >= MIN_INSIDE and w in norm for w in q):
            inside.append(i)
    return exact + starting + inside


class HitFinder:
    """Finds the words of one notes search in texts: the list looks for them row by row, so
    the search's words are worked out once, not for every row."""

    __slots__ = ("_prefix", "_whole")

    def __init__(self, query: str) -> None:
        q = words(query)
        self._whole = frozenset(q[:-1])
        self._prefix = q[-1] if q else ""

    def spans(self, text: str, stop: int | None = None) -> list[tuple[int, int]]:
        """(start, end) of each word of ``text`` equal to a searched word, or beginning with the
        last one (as the search matches them); only words that begin before ``stop``, if given
        (the part of a long text that is shown)."""
        if not self._prefix:
            return []
        whole, prefix = self._whole, self._prefix
        spans = []
        for m in _WORD.finditer(text):
            if stop is not None and m.start() >= stop:
                break
            w = m.group()
            # An ASCII word is normalised by lower case alone (NFKC leaves ASCII as it is, and
            # case folding of ASCII is lower case): the list repaints its rows on every keystroke.
            w = w.lower() if w.isascii() else normalize_alias(w)
            if w in whole or w.startswith(prefix):
                spans.append((m.start(), m.end()))
        return spans


def hit_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where the words of a notes search occur in ``text``: (start, end) of each word equal to
    a searched word, or beginning with the last one (as the search matches them)."""
    return HitFinder(query).spans(text)


def while_typing(text: str) -> str:
    """What the journal searches while ``text`` is still being typed: all of it, but without a
    last word of a single letter (``"c"`` → ``""``, ``"class b"`` → ``"class"``)."""
    found = _WORD.findall(text)
    if not found or len(found[-1]) > 1:
        return text
    return text[: text.rstrip().rfind(found[-1])].rstrip()
