"""Finding students by typing: one type-ahead line edit, and a picker of several built on it.

The field asks the vault as the officer types (at most ``limit`` suggestions, prefix matches
first) and lists them under itself without taking the focus. Enter on a highlighted suggestion
chooses it; Enter on typed text chooses the student it names (the label, or an alias unique
among the matches) or asks to create one. Enter never reaches the dialog around the field (it
would press the dialog's OK).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from srojournal.domain.models import Student
from srojournal.domain.text import normalize_alias
from srojournal.ui.common.choice import SuggestionPopup
from srojournal.ui.common.kit import named
from srojournal.vault.repo import Journal

_ID_ROLE = Qt.ItemDataRole.UserRole


class StudentSearchEdit(QLineEdit):
    """``student_chosen(id)`` when a student is taken; ``create_requested(text)`` when Enter is
    pressed on text that names no student.

    Suggestions show under the field without taking the focus (``SuggestionPopup``): Down and Up
    highlight one, Enter takes the highlighted one or the student the text names.
    ``unique_partial``: Enter on text that matches exactly one student takes it (the picker);
    otherwise only an exact alias does, and other text offers to create the student.
    """

    student_chosen = Signal(int)
    create_requested = Signal(str)
    empty_return = Signal()  # Enter with nothing typed (the quick entry moves on)

    def __init__(
        self,
        name: str,
        parent: QWidget | None = None,
        *,
        limit: int = 20,
        unique_partial: bool = False,
        include_archived: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.journal: Journal | None = None
        self.school_id: int | None = None
        self.limit = limit
        self.unique_partial = unique_partial
        self.include_archived = include_archived  # archived students can be found too
        self._labels: dict[str, int] = {}
        self._school_names: dict[int, str] = {}
        self.popup = SuggestionPopup(self)
        self.popup.picked.connect(self._pick_row)
        self.textEdited.connect(self._update_suggestions)

    def set_journal(self, journal: Journal | None) -> None:
        self.journal = journal
        self._labels.clear()
        self.popup.hide()
        self._school_names = (
            {s.id: s.name for s in journal.schools(include_inactive=True)} if journal else {}
        )

    def label_for(self, s: Student) -> str:
        school = self._school_names.get(s.school_id, "")
        grade = f", grade {s.grade}" if s.grade else ""
        archived = ", archived" if s.archived else ""
        return f"{s.alias} ({school}{grade}{archived})"

    def suggestions(self) -> list[str]:
        return list(self._labels)

    def _update_suggestions(self, text: str) -> None:
        if self.journal is None:
            return
        students = (
            self.journal.students(
                text.strip(), limit=self.limit, include_archived=self.include_archived
            )
            if text.strip()
            else []
        )
        if self.school_id is not None:
            students.sort(key=lambda s: s.school_id != self.school_id)
        self._labels = {}
        for s in students:
            lbl = self.label_for(s)
            if lbl in self._labels:
                lbl = f"{lbl} #{s.id}"
            self._labels[lbl] = s.id
        if self.hasFocus() and self._labels:
            self.popup.show_items(list(self._labels), -1)
        else:
            self.popup.hide()

    def _pick_row(self, row: int) -> None:
        labels = list(self._labels)
        self.popup.hide()
        if 0 <= row < len(labels):
            self.student_chosen.emit(self._labels[labels[row]])

    def match(self, text: str) -> int | None:
        """The student the text names (a label, an alias unique among the matches, or with
        ``unique_partial`` the only match)."""
        text = text.strip()
        if text in self._labels:
            return self._labels[text]
        if self.journal is None or not text:
            return None
        found = self.journal.students(text, limit=50, include_archived=self.include_archived)
        key = normalize_alias(text)
        exact = [s for s in found if normalize_alias(s.alias) == key]
        if self.school_id is not None:
            here = [s for s in exact if s.school_id == self.school_id]
            if len(here) == 1:
                return here[0].id
        if len(exact) == 1:
            return exact[0].id
        if self.unique_partial and not exact and len(found) == 1:
            return found[0].id
        return None

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        plain = not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        )
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and plain and self.popup.isVisible():
            self.popup.move_highlight(1 if key == Qt.Key.Key_Down else -1)
            event.accept()
            return
        if key == Qt.Key.Key_Escape and self.popup.isVisible():
            self.popup.hide()
            event.accept()
            return
        if key not in (Qt.Key.Key_Return, Qt.Key.Key_Enter) or not plain:
            super().keyPressEvent(event)
            return
        row = self.popup.highlighted()
        self.popup.hide()
        if row >= 0:
            self._pick_row(row)
            event.accept()
            return
        text = self.text().strip()
        if not text:
            self.empty_return.emit()
            event.accept()
            return
        sid = self.match(text)
        if sid is not None:
            self.student_chosen.emit(sid)
        else:
            self.create_requested.emit(text)
        event.accept()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        self.popup.hide()
        super().focusOutEvent(event)


class _ChosenList(QListWidget):
    remove_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_requested.emit()
            return
        super().keyPressEvent(event)


class StudentPicker(QWidget):
    """Several students: type an alias and press Enter to add; Delete removes the selected."""

    changed = Signal()

    def __init__(
        self, journal: Journal, label: str = "Students", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._journal = journal
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        row = QHBoxLayout()
        self.search = StudentSearchEdit(f"{label}: type an alias", unique_partial=True)
        self.search.setToolTip("Type part of an alias and press Enter")
        self.search.setPlaceholderText("Type an alias, then Enter")
        self.search.set_journal(journal)
        self.search.student_chosen.connect(self._chosen)
        self.remove_button = named(QPushButton("Remove"), f"Remove selected from {label}")
        self.remove_button.clicked.connect(self._remove_selected)
        row.addWidget(self.search, 1)
        row.addWidget(self.remove_button)
        layout.addLayout(row)
        self.chosen = named(_ChosenList(), f"{label} chosen", "Delete removes the selected one")
        self.chosen.setMaximumHeight(96)
        self.chosen.remove_requested.connect(self._remove_selected)
        layout.addWidget(self.chosen)
        self.setFocusProxy(self.search)

    def _chosen(self, student_id: int) -> None:
        self.add_student(student_id)
        self.search.clear()

    def add_student(self, student_id: int) -> None:
        if student_id in self.student_ids():
            return
        item = QListWidgetItem(self.search.label_for(self._journal.student(student_id)))
        item.setData(_ID_ROLE, student_id)
        self.chosen.addItem(item)
        self.changed.emit()

    def _remove_selected(self) -> None:
        for item in self.chosen.selectedItems():
            self.chosen.takeItem(self.chosen.row(item))
        self.changed.emit()

    def student_ids(self) -> list[int]:
        return [int(self.chosen.item(i).data(_ID_ROLE)) for i in range(self.chosen.count())]

    def set_student_ids(self, ids: Iterable[int]) -> None:
        self.chosen.clear()
        for sid in ids:
            self.add_student(sid)
