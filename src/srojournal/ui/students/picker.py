"""Pick one or more students by typing: type-ahead over aliases, Enter adds, Delete removes."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from srojournal.domain.models import Student
from srojournal.ui.students.kit import named
from srojournal.vault.repo import Journal

SUGGESTIONS = 20
_ID_ROLE = Qt.ItemDataRole.UserRole


def student_label(s: Student, schools: dict[int, str]) -> str:
    grade = f" · grade {s.grade}" if s.grade else ""
    return f"{s.alias} — {schools.get(s.school_id, '?')}{grade}"


class _ChosenList(QListWidget):
    remove_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_requested.emit()
            return
        super().keyPressEvent(event)


class _SearchEdit(QLineEdit):
    """Enter adds the typed student and stays here (it must not press the dialog's OK)."""

    add_requested = Signal()
    swallow_return = False  # set when the completer just added a student on this Enter

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            swallow, self.swallow_return = self.swallow_return, False
            if swallow:
                event.accept()
                return
            if self.text().strip():
                self.add_requested.emit()
                event.accept()
                return
        super().keyPressEvent(event)


class StudentPicker(QWidget):
    changed = Signal()

    def __init__(
        self,
        journal_getter: Callable[[], Journal | None],
        label: str = "Students",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._journal = journal_getter
        self._suggested: dict[str, int] = {}
        self._schools: dict[int, str] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        row = QHBoxLayout()
        self.search = named(
            _SearchEdit(), f"{label}: type an alias", "Type part of an alias and press Enter"
        )
        self.search.setPlaceholderText("Type an alias, then Enter")
        self._model = QStringListModel(self)
        self.completer = QCompleter(self._model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.search.setCompleter(self.completer)
        self.search.textEdited.connect(self._suggest)
        self.search.add_requested.connect(self._add_typed)
        self.completer.activated.connect(self._add_label)
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

    def _suggest(self, text: str) -> None:
        j = self._journal()
        if j is None:
            return
        if not self._schools:
            self._schools = {s.id: s.name for s in j.schools(include_inactive=True)}
        found = j.students(text, limit=SUGGESTIONS)
        self._suggested = {student_label(s, self._schools): s.id for s in found}
        self._model.setStringList(list(self._suggested))

    def _add_label(self, text: str) -> None:
        sid = self._suggested.get(text)
        if sid is not None:
            self.add_student(sid)
            self.search.clear()
            self.search.swallow_return = True

    def _add_typed(self) -> None:
        text = self.search.text().strip()
        if not text:
            return
        if text in self._suggested:
            self._add_label(text)
            return
        j = self._journal()
        if j is None:
            return
        found = j.students(text, limit=2)
        exact = [s for s in found if s.alias.lower() == text.lower()]
        pick = exact[0] if exact else (found[0] if len(found) == 1 else None)
        if pick is not None:
            self.add_student(pick.id)
            self.search.clear()

    def add_student(self, student_id: int) -> None:
        if student_id in self.student_ids():
            return
        j = self._journal()
        if j is None:
            return
        if not self._schools:
            self._schools = {s.id: s.name for s in j.schools(include_inactive=True)}
        s = j.student(student_id)
        item = QListWidgetItem(student_label(s, self._schools))
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

    def clear(self) -> None:
        self.chosen.clear()
        self.search.clear()
        self._model.setStringList([])
        self._suggested = {}
        self._schools = {}
