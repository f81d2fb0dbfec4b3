"""An officer's keyboard for GUI tests: every key goes to whatever has the focus, as on a real
screen, and the keys are counted (the usability budget counts keystrokes, not widgets).

``words(text)`` types text that the budget does not count (an alias, the notes); ``keys(text)``
types counted letters (the first letters of a type or an outcome); ``press(key, mods)`` is one
counted keystroke (a chord such as Ctrl+Enter counts once).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

NO_MODIFIER = Qt.KeyboardModifier.NoModifier


class Keyboard:
    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.count = 0
        self.log: list[str] = []

    def target(self) -> QWidget:
        w = QApplication.focusWidget()
        assert w is not None, "no widget has the keyboard focus"
        return w

    def press(
        self, key: Qt.Key, mods: Qt.KeyboardModifier = NO_MODIFIER, *, what: str = ""
    ) -> None:
        self.count += 1
        self.log.append(what or f"{mods.name if mods != NO_MODIFIER else ''}{key.name}")
        QTest.keyClick(self.target(), key, mods)
        QApplication.processEvents()

    def keys(self, text: str) -> None:
        """Counted letters (one keystroke each)."""
        for ch in text:
            self.count += 1
            self.log.append(ch)
            QTest.keyClicks(self.target(), ch)
        QApplication.processEvents()

    def words(self, text: str) -> None:
        """Free text (an alias, the notes): typed one key at a time, not counted."""
        for ch in text:
            QTest.keyClicks(self.target(), ch)
        QApplication.processEvents()

    def tab(self, times: int = 1) -> None:
        for _ in range(times):
            self.press(Qt.Key.Key_Tab)

    def enter(self) -> None:
        self.press(Qt.Key.Key_Return)

    def ctrl(self, key: Qt.Key) -> None:
        self.press(key, Qt.KeyboardModifier.ControlModifier)

    def reset(self) -> int:
        n, self.count = self.count, 0
        self.log = []
        return n
