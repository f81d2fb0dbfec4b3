"""Spell checking in notes: misspelled words underlined, suggestions in the context menu.

The dictionary is ``pyspellchecker``'s English word list, read from the installed package: it
works offline and nothing is ever sent anywhere. It loads once per run, on a background thread
(a quarter of a second), so opening the quick entry never waits for it; words are underlined
as soon as it is there.

Words the officer adds ("Add to dictionary") are kept in the vault, encrypted, in the
``personal_dictionary`` setting (they are often names): never in a file of the spelling
library, never in QSettings. The aliases of the journal's students count as words too, and so
do words in capitals (IEP, PBIS), with digits, or of one letter.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any, Final

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QWidget

log = logging.getLogger("srojournal.ui.spelling")

WORD: Final = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
MAX_SUGGESTIONS: Final = 5
# Words of the job that a general dictionary lacks (lower case).
TRADE_WORDS: Final = frozenset(
    {
        "sro", "sros", "iep", "ieps", "pbis", "bipoc", "lgbtq", "de", "escalation",
        "deescalation", "deescalated", "restorative", "counselor", "counselors", "counseled",
        "apologised", "apologized", "cafeteria", "hallway", "hallways", "jv", "ela", "pe",
        "fyi", "asap", "ok", "okay", "vape", "vaping", "vaped", "snapchat", "instagram",
        "tiktok", "chromebook", "chromebooks",
    }
)  # fmt: skip


class Dictionary:
    """The English word list (loaded once, in the background) and the extra words of a vault."""

    def __init__(self) -> None:
        self._checker: Any = None
        self._lock = threading.Lock()
        self._loading = False

    @property
    def ready(self) -> bool:
        return self._checker is not None

    def start_loading(self, done: Callable[[], None]) -> None:
        """Load on a background thread once; ``done`` runs there when the words are in."""
        with self._lock:
            if self._checker is not None or self._loading:
                return
            self._loading = True

        def load() -> None:
            try:
                from spellchecker import SpellChecker

                checker = SpellChecker(language="en", distance=2, case_sensitive=False)
            except Exception as exc:  # a broken install: no underlines, never a crash
                log.error("the spelling dictionary did not load: %s", type(exc).__name__)
                return
            self._checker = checker
            done()

        threading.Thread(target=load, name="spelling-dictionary", daemon=True).start()

    def load_now(self) -> None:
        """Load at once (tests)."""
        from spellchecker import SpellChecker

        self._checker = SpellChecker(language="en", distance=2, case_sensitive=False)

    def known(self, word: str, extra: set[str]) -> bool:
        w = word.replace("’", "'")
        low = w.lower()
        if (
            self._checker is None
            or len(w) < 2
            or w.isupper()
            or low in extra
            or low in TRADE_WORDS
            or low.removesuffix("'s") in extra
        ):
            return True
        return bool(self._checker.known([low]) or self._checker.known([low.removesuffix("'s")]))

    def suggestions(self, word: str, limit: int = MAX_SUGGESTIONS) -> list[str]:
        """Likely corrections, most frequent first, in the typed word's capitalisation."""
        if self._checker is None:
            return []
        low = word.lower()
        found = self._checker.candidates(low) or set()
        found.discard(low)
        freq = self._checker.word_frequency
        best = sorted(found, key=lambda w: (-freq[w], w))[:limit]
        if word[:1].isupper():
            best = [w[:1].upper() + w[1:] for w in best]
        return best


DICTIONARY = Dictionary()


class _Ready(QObject):
    """Lives on the window's thread; the loader emits it from its thread (delivered queued)."""

    ready = Signal()


_READY: _Ready | None = None


def _ready_signal() -> _Ready:
    global _READY
    if _READY is None:
        _READY = _Ready()
        DICTIONARY.start_loading(_READY.ready.emit)
    return _READY


def preload() -> None:
    """Start loading the word list now (a second after unlock), so the first quick entry
    neither waits for it nor shares the interpreter with it."""
    _ready_signal()


class SpellHighlighter(QSyntaxHighlighter):
    """Underlines the words of a document that are neither in the dictionary nor extra."""

    def __init__(self, document: QTextDocument, extra: set[str]) -> None:
        super().__init__(document)
        self.extra = extra
        self.enabled = True
        self.underline = QTextCharFormat()
        self.underline.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        self.underline.setUnderlineColor(QColor("#d32f2f"))
        _ready_signal().ready.connect(self.rehighlight)

    def misspelled(self, text: str) -> list[tuple[int, int]]:
        if not self.enabled or not DICTIONARY.ready:
            return []
        return [
            (m.start(), m.end())
            for m in WORD.finditer(text)
            if not DICTIONARY.known(m.group(), self.extra)
        ]

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        for start, end in self.misspelled(text):
            self.setFormat(start, end - start, self.underline)


class NotesEdit(QPlainTextEdit):
    """Notes typed with the spelling checked: the context menu (right click, the Menu key or
    Shift+F10) offers corrections and "Add to dictionary" for the word under it.

    ``word_added(word)``: the officer added a word (the caller keeps it in the vault).
    """

    word_added = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None, *, lines: int = 5) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setTabChangesFocus(True)
        self._lines = lines
        self.extra: set[str] = set()
        self.highlighter: SpellHighlighter | None = None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().sizeHint()
        hint.setHeight(self.fontMetrics().lineSpacing() * self._lines + 16)
        return hint

    def set_spelling(self, on: bool, words: Iterable[str] = ()) -> None:
        """Check the spelling (or not), accepting ``words`` (personal words, aliases)."""
        self.extra = {w.lower() for w in words}
        if on and self.highlighter is None:
            self.highlighter = SpellHighlighter(self.document(), self.extra)
        if self.highlighter is not None:
            self.highlighter.extra = self.extra
            self.highlighter.enabled = on
            self.highlighter.rehighlight()

    def misspelled_words(self) -> list[str]:
        """The words underlined now."""
        if self.highlighter is None:
            return []
        text = self.toPlainText()
        return [text[a:b] for a, b in self.highlighter.misspelled(text)]

    def _word_at(self, cursor: QTextCursor) -> QTextCursor | None:
        block = cursor.block()
        pos = cursor.position() - block.position()
        for m in WORD.finditer(block.text()):
            if m.start() <= pos <= m.end():
                found = QTextCursor(block)
                found.setPosition(block.position() + m.start())
                found.setPosition(block.position() + m.end(), QTextCursor.MoveMode.KeepAnchor)
                return found
        return None

    def spelling_menu(self, cursor: QTextCursor) -> QMenu:
        """The context menu for ``cursor``: corrections of a misspelled word first."""
        menu = self.createStandardContextMenu()
        word = self._word_at(cursor)
        on = self.highlighter is not None and self.highlighter.enabled and DICTIONARY.ready
        if word is None or not on or DICTIONARY.known(word.selectedText(), self.extra):
            return menu
        text = word.selectedText()
        first = menu.actions()[0] if menu.actions() else None
        actions: list[QAction] = []
        for s in DICTIONARY.suggestions(text):
            a = QAction(s, menu)
            a.triggered.connect(lambda _=False, w=word, s=s: self._replace(w, s))
            actions.append(a)
        if not actions:
            none = QAction("(no suggestions)", menu)
            none.setEnabled(False)
            actions.append(none)
        add = QAction(f"Add “{text}” to the dictionary", menu)
        add.triggered.connect(lambda _=False, t=text: self.add_word(t))
        actions.append(add)
        menu.insertActions(first, actions)  # type: ignore[arg-type]
        menu.insertSeparator(first)  # type: ignore[arg-type]
        return menu

    def _replace(self, word: QTextCursor, text: str) -> None:
        word.insertText(text)

    def add_word(self, word: str) -> None:
        self.extra.add(word.lower())
        if self.highlighter is not None:
            self.highlighter.rehighlight()
        self.word_added.emit(word)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            cursor = self.cursorForPosition(event.pos())
        else:
            cursor = self.textCursor()
        menu = self.spelling_menu(cursor)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        menu.popup(event.globalPos())
