"""Type-ahead over students: a line edit whose completer asks the vault as the officer types."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from srojournal.domain.models import Student
from srojournal.domain.text import normalize_alias
from srojournal.vault.repo import Journal


class StudentSearchEdit(QLineEdit):
    """``student_chosen(id)`` when a suggestion is taken; ``create_requested(text)`` when Enter
    is pressed on text that matches no student."""

    student_chosen = Signal(int)
    create_requested = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None, *, limit: int = 20) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.journal: Journal | None = None
        self.school_id: int | None = None
        self.limit = limit
        self._labels: dict[str, int] = {}
        self._school_names: dict[int, str] = {}
        self._model = QStringListModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self._completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        popup = self._completer.popup()
        assert popup is not None
        popup.setAccessibleName(name + " suggestions")
        self.setCompleter(self._completer)
        self._completer.activated[str].connect(self._on_activated)  # type: ignore[index]
        self.textEdited.connect(self._update_suggestions)
        self.returnPressed.connect(self._on_return)

    def set_journal(self, journal: Journal | None) -> None:
        self.journal = journal
        self._labels.clear()
        self._model.setStringList([])
        self._school_names = (
            {s.id: s.name for s in journal.schools(include_inactive=True)} if journal else {}
        )

    def label_for(self, s: Student) -> str:
        school = self._school_names.get(s.school_id, "")
        grade = f", grade {s.grade}" if s.grade else ""
        return f"{s.alias} ({school}{grade})"

    def _update_suggestions(self, text: str) -> None:
        if self.journal is None:
            return
        students = self.journal.students(text.strip(), limit=self.limit) if text.strip() else []
        if self.school_id is not None:
            students.sort(key=lambda s: s.school_id != self.school_id)
        self._labels = {}
        for s in students:
            lbl = self.label_for(s)
            if lbl in self._labels:
                lbl = f"{lbl} #{s.id}"
            self._labels[lbl] = s.id
        self._model.setStringList(list(self._labels))

    def _on_activated(self, text: str) -> None:
        sid = self._labels.get(text)
        if sid is not None:
            self.student_chosen.emit(sid)

    def match(self, text: str) -> int | None:
        """The student the text names exactly (a label, or an alias unique among matches)."""
        text = text.strip()
        if text in self._labels:
            return self._labels[text]
        if self.journal is None or not text:
            return None
        key = normalize_alias(text)
        exact = [
            s for s in self.journal.students(text, limit=50) if normalize_alias(s.alias) == key
        ]
        if self.school_id is not None:
            here = [s for s in exact if s.school_id == self.school_id]
            if len(here) == 1:
                return here[0].id
        return exact[0].id if len(exact) == 1 else None

    def _on_return(self) -> None:
        popup = self._completer.popup()
        if popup is not None and popup.isVisible():
            if popup.currentIndex().isValid():
                return  # the completer takes the highlighted suggestion
            popup.hide()
        text = self.text().strip()
        if not text:
            return
        sid = self.match(text)
        if sid is not None:
            self.student_chosen.emit(sid)
        else:
            self.create_requested.emit(text)
