"""The spell check of notes: on or off, and the officer's own words (kept in the vault only:
they are often names, and never go to a file of the spelling library)."""

from __future__ import annotations

import re
from typing import Final

from srojournal.domain.settings import PERSONAL_WORDS, SPELL_CHECK
from srojournal.ops.changes import Change, Done
from srojournal.vault.repo import Journal

_WORD: Final = re.compile(r"[^\W\d_]+", re.UNICODE)


def set_spell_check(journal: Journal, on: bool) -> Done[None]:
    SPELL_CHECK.write(journal, on)
    return Done(None, Change.SETTINGS)


def add_word(journal: Journal, word: str) -> Done[tuple[str, ...]]:
    """Add a word to the personal dictionary; returns the dictionary."""
    words = PERSONAL_WORDS.tidy((*PERSONAL_WORDS.read(journal), word))
    PERSONAL_WORDS.write(journal, words)
    return Done(words, Change.SETTINGS)


def remove_words(journal: Journal, remove: tuple[str, ...]) -> Done[tuple[str, ...]]:
    gone = {w.casefold() for w in remove}
    words = tuple(w for w in PERSONAL_WORDS.read(journal) if w.casefold() not in gone)
    PERSONAL_WORDS.write(journal, words)
    return Done(words, Change.SETTINGS)


def accepted_words(journal: Journal) -> set[str]:
    """Every word the spell check accepts besides the dictionary's: the personal words and
    the words of the students' aliases (lower case)."""
    words = {w.lower() for w in PERSONAL_WORDS.read(journal)}
    for alias in journal.student_names():
        words.update(w.lower() for w in _WORD.findall(alias))
    return words
