"""Type-ahead fields that never take a keystroke away from the officer.

A :class:`SuggestionPopup` lists what matches under a field, but never takes the keyboard focus:
every key still goes to the field, which moves the highlight (Up/Down) or takes the highlighted
choice (Enter, Tab, or leaving the field). Nothing opens a list that eats keys, as a drop-down
box does when Space opens it and its own type-ahead swallows the rest of a word.

:class:`ChoiceEdit` picks one of a fixed list of choices (a contact type, an outcome, a school)
by typing a few letters of any of its words (``domain.matching.rank``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QFocusEvent, QHideEvent, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QListWidget, QWidget

from srojournal.domain.matching import rank

MAX_ROWS = 8


class SuggestionPopup(QListWidget):
    """A list under a field that shows suggestions without ever taking the focus.

    ``picked(row)`` when a suggestion is clicked. The field drives it: :meth:`show_items`,
    :meth:`move_highlight`, :meth:`highlighted`, ``hide()``.
    """

    picked = Signal(int)

    def __init__(self, anchor: QWidget) -> None:
        super().__init__(anchor)  # a window of its own, deleted with the field
        self.anchor = anchor
        self.setWindowFlags(
            Qt.WindowType.ToolTip
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowDoesNotAcceptFocus
        )
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(True)
        self.setObjectName("SuggestionPopup")
        self.setAccessibleName(anchor.accessibleName() + " suggestions")

    def show_items(self, labels: Sequence[str], highlight: int = 0) -> None:
        self.clear()
        if not labels or not self.anchor.isVisible():
            self.hide()
            return
        self.addItems(list(labels))
        self.setCurrentRow(min(highlight, len(labels) - 1))  # -1: nothing highlighted
        rows = min(len(labels), MAX_ROWS)
        row_h = max(self.sizeHintForRow(0), 18)
        self.resize(max(self.anchor.width(), 220), rows * row_h + 2 * self.frameWidth() + 2)
        self.move(self.anchor.mapToGlobal(QPoint(0, self.anchor.height())))
        self.show()

    def move_highlight(self, step: int) -> int:
        if self.count():
            row = self.currentRow()
            row = (0 if step > 0 else self.count() - 1) if row < 0 else row + step
            self.setCurrentRow(max(0, min(row, self.count() - 1)))
        return self.currentRow()

    def highlighted(self) -> int:
        return self.currentRow() if self.isVisible() else -1

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        item = self.itemAt(event.position().toPoint())
        if item is not None:
            self.picked.emit(self.row(item))
        event.accept()


class ChoiceEdit(QLineEdit):
    """One choice out of a list, picked by typing letters of its words.

    ``value()`` is the data of the best match of what is typed (None when nothing is typed or
    nothing matches); ``value_changed(data)`` when that changes. Leaving the field (Tab) or
    Enter writes the chosen label out in full. With ``free_text`` a text that matches nothing is
    kept as typed (a new school's name); otherwise the field shows it is not a choice.
    ``enter_moves_on``: Enter also moves to the next field.
    """

    value_changed = Signal(object)
    committed = Signal()

    def __init__(
        self,
        name: str,
        parent: QWidget | None = None,
        *,
        free_text: bool = False,
        enter_moves_on: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.free_text = free_text
        self.enter_moves_on = enter_moves_on
        self._labels: list[str] = []
        self._data: list[Any] = []
        self._matches: list[int] = []
        self._value: Any = None
        self.popup = SuggestionPopup(self)
        self.popup.picked.connect(self._pick_row)
        self.textChanged.connect(self._on_text)
        self.textEdited.connect(self._on_edited)

    # -- choices and value ---------------------------------------------------------------------
    def set_choices(self, items: Sequence[tuple[str, Any]]) -> None:
        """Replace the choices; the chosen value stays when it is still one of them."""
        keep = self._value
        self._labels = [label for label, _ in items]
        self._data = [data for _, data in items]
        if keep is not None and keep in self._data:
            self.set_value(keep)
        else:
            self._on_text(self.text())

    def choices(self) -> list[tuple[str, Any]]:
        return list(zip(self._labels, self._data, strict=True))

    def label_of(self, data: Any) -> str:
        return self._labels[self._data.index(data)] if data in self._data else ""

    def value(self) -> Any:
        return self._value

    def set_value(self, data: Any) -> None:
        """Choose ``data`` (None clears the field)."""
        self.setText(self.label_of(data) if data is not None else "")
        self.setCursorPosition(0)

    def is_valid(self) -> bool:
        """Nothing typed, a choice, or (``free_text``) any text."""
        return not self.text().strip() or self._value is not None or self.free_text

    def is_new_text(self) -> bool:
        """Free text that names no choice (a new school)."""
        return bool(self.text().strip()) and self._value is None

    # -- matching ------------------------------------------------------------------------------
    def _on_text(self, text: str) -> None:
        self._matches = rank(text, self._labels) if text.strip() else []
        value = self._data[self._matches[0]] if self._matches else None
        self._set_value(value)
        self._show_invalid(not self.is_valid())

    def _set_value(self, value: Any) -> None:
        if value != self._value:
            self._value = value
            self.value_changed.emit(value)

    def _on_edited(self, text: str) -> None:
        self._on_text(text)  # (Qt may tell "edited" before "changed")
        if self.hasFocus() and text.strip():
            self.popup.show_items([self._labels[i] for i in self._matches])
        else:
            self.popup.hide()

    def _show_invalid(self, on: bool) -> None:
        if bool(self.property("invalid")) != on:
            self.setProperty("invalid", on)
            self.style().unpolish(self)
            self.style().polish(self)

    def _pick_row(self, row: int) -> None:
        """Take the ``row``-th suggestion shown."""
        if 0 <= row < len(self._matches):
            self.setText(self._labels[self._matches[row]])  # its own label ranks first
            self.setCursorPosition(0)  # a long label shows its beginning
        self.popup.hide()
        self.committed.emit()

    def commit(self) -> None:
        """Write out the highlighted (or best) choice in full."""
        row = self.popup.highlighted()
        if self.text().strip() and self._matches:
            self._pick_row(max(row, 0))
        else:
            self.popup.hide()

    # -- keys ----------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        plain = not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        )
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and plain:
            if not self.popup.isVisible():
                rows = self._matches if self.text().strip() else list(range(len(self._labels)))
                self._matches = rows
                current = self._data.index(self._value) if self._value in self._data else 0
                self.popup.show_items(
                    [self._labels[i] for i in rows], rows.index(current) if current in rows else 0
                )
            else:
                self.popup.move_highlight(1 if key == Qt.Key.Key_Down else -1)
                row = self.popup.currentRow()
                if 0 <= row < len(self._matches):
                    self._set_value(self._data[self._matches[row]])
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            self.commit()
            event.accept()
            if self.enter_moves_on:
                self.focusNextChild()
            return
        if key == Qt.Key.Key_Escape and self.popup.isVisible():
            self.popup.hide()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.commit()
        self.popup.hide()
        super().focusOutEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        self.popup.hide()
        super().hideEvent(event)
