"""The students page's dialog: add a student."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from srojournal.domain.models import School
from srojournal.ops.changes import Done
from srojournal.ops.students import NewStudent
from srojournal.ui.common.forms import FormDialog, fill_school_combo, grade_combo
from srojournal.ui.common.kit import named
from srojournal.ui.common.runner import Runner


class AddStudentDialog(FormDialog):
    def __init__(
        self,
        schools: list[School],
        school_id: int | None,
        submit: Callable[[NewStudent], Done[int]],
        *,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Add student", submit, parent, runner=runner, ok_label="Add student")
        self.setObjectName("addStudentDialog")
        self.alias = named(QLineEdit(), "Alias", "Initials or a nickname")
        self.alias.setPlaceholderText("Initials or nickname")
        self.school = named(QComboBox(), "School")
        fill_school_combo(self.school, schools, school_id)
        self.grade = grade_combo()
        self.notes = named(QPlainTextEdit(), "Private notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(100)
        self.form.addRow("&Alias", self.alias)
        self.form.addRow("S&chool", self.school)
        self.form.addRow("&Grade", self.grade)
        self.form.addRow("&Notes", self.notes)
        self.resize(420, self.sizeHint().height())

    def value(self) -> NewStudent:
        return NewStudent(
            self.alias.text(),
            int(self.school.currentData()),
            self.grade.currentData(),
            self.notes.toPlainText(),
        )
