"""Small form pieces used by several pages: school and grade combos, a dialog that keeps input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from srojournal.domain import taxonomy
from srojournal.domain.errors import UserError
from srojournal.domain.models import School
from srojournal.ui.common.error_label import ErrorLabel
from srojournal.ui.common.kit import MARGIN, SPACING, named
from srojournal.ui.common.runner import Runner, user_message


def fill_school_combo(combo: QComboBox, schools: list[School], current: int | None = None) -> None:
    combo.clear()
    for s in schools:
        combo.addItem(s.name if s.active else f"{s.name} (inactive)", s.id)
    if current is not None:
        idx = combo.findData(current)
        if idx >= 0:
            combo.setCurrentIndex(idx)


def grade_combo(name: str = "Grade") -> QComboBox:
    combo = named(QComboBox(), name)
    combo.addItem("Unknown", None)
    for g in taxonomy.GRADES:
        combo.addItem("Kindergarten" if g == "K" else f"Grade {g}", g)
    return combo


def set_combo_data(combo: QComboBox, value: object) -> None:
    idx = combo.findData(value)
    combo.setCurrentIndex(max(idx, 0))


class FormDialog(QDialog):
    """A small form whose OK submits a draft through the session's one writer.

    A subclass builds its fields (typed attributes) and returns what they say from
    :meth:`value` (raising ``InvalidInput`` when it cannot). OK calls ``submit(value())``
    through the writer: an error keeps the dialog and every typed character; while background
    work runs, the submit waits its turn (the dialog says so) and the dialog closes only once
    the write is done, emitting ``completed(done)`` with what ``submit`` returned.
    Opened with ``open()`` (never ``exec()``).
    """

    completed = Signal(object)

    def __init__(
        self,
        title: str,
        submit: Callable[[Any], object],
        parent: QWidget | None = None,
        *,
        runner: Runner,
        ok_label: str = "Save",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self._submit = submit
        self._runner = runner
        self._submitting = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        outer.setSpacing(SPACING)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setSpacing(SPACING // 2 + 2)
        outer.addLayout(self.form)
        self.error = ErrorLabel()
        outer.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_label)
        named(self.ok_button, ok_label)
        named(self.buttons.button(QDialogButtonBox.StandardButton.Cancel), "Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.finished.connect(self.deleteLater)

    def value(self) -> object:
        """The draft the fields describe (subclasses)."""
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        self.error.set_message(message)

    def accept(self) -> None:
        if self._submitting:
            return
        try:
            draft = self.value()
        except UserError as exc:
            self.show_error(exc.message)
            return
        self._submitting = True

        def done(result: object) -> None:
            self._submitting = False
            self.completed.emit(result)
            QDialog.accept(self)

        def failed(exc: BaseException) -> None:
            self._submitting = False
            self.ok_button.setEnabled(True)
            self.show_error(user_message(exc))

        if not self._runner.write(lambda: self._submit(draft), done, failed) and self._submitting:
            self.ok_button.setEnabled(False)
            self.show_error("Waiting for the task in progress to finish…")
