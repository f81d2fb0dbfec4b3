"""The follow-ups page's dialogs: mark done (and log the contact), reschedule, add."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from srojournal.domain import taxonomy
from srojournal.domain.models import ContactInput
from srojournal.ops.changes import Done
from srojournal.ops.followups import NewFollowUp
from srojournal.ui.common.dates import date_edit, pydate, qdate
from srojournal.ui.common.forms import FormDialog
from srojournal.ui.common.kit import named
from srojournal.ui.common.runner import Runner
from srojournal.ui.common.students import StudentPicker
from srojournal.vault.repo import Journal


class DoneFollowUpDialog(FormDialog):
    """Mark a follow-up done; by default also log the follow-up contact (``prefill``)."""

    def __init__(
        self,
        prefill: ContactInput | None,
        who: str,
        what: str,
        submit: Callable[[ContactInput | None], Done[int | None]],
        *,
        runner: Runner,
        parent: QWidget | None = None,
        now: Callable[[], dt.datetime] = dt.datetime.now,
    ) -> None:
        super().__init__("Mark follow-up done", submit, parent, runner=runner, ok_label="Mark done")
        self.setObjectName("doneFollowUpDialog")
        self._prefill = prefill
        self._now = now
        self.log_box = named(QCheckBox("Log the follow-up contact"), "Log the follow-up contact")
        self.log_box.setChecked(prefill is not None)
        self.log_box.setEnabled(prefill is not None)
        self.duration = named(QSpinBox(), "Duration in minutes")
        self.duration.setRange(0, 24 * 60)
        self.duration.setSingleStep(5)
        self.duration.setValue(15)
        self.duration.setSuffix(" min")
        self.outcome = named(QComboBox(), "Outcome")
        self.outcome.addItem("No outcome", None)
        for o in taxonomy.OUTCOMES:
            self.outcome.addItem(o.label, o.code)
        self.outcome.setCurrentIndex(self.outcome.findData("resolved"))
        self.notes = named(QPlainTextEdit(), "Notes of the follow-up contact")
        self.notes.setTabChangesFocus(True)
        self.notes.setPlainText(what)
        self.notes.setMaximumHeight(90)
        for w in (self.duration, self.outcome, self.notes):
            self.log_box.toggled.connect(w.setEnabled)
            w.setEnabled(self.log_box.isChecked())
        intro = QLabel(
            f"Mentoring follow-up with {who or 'no student'}, today."
            if prefill
            else "No school to log it in yet."
        )
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.form.addRow(self.log_box)
        self.form.addRow("&Duration", self.duration)
        self.form.addRow("&Outcome", self.outcome)
        self.form.addRow("&Notes", self.notes)
        self.resize(460, self.sizeHint().height())

    def value(self) -> ContactInput | None:
        """The contact to log with it, or None."""
        p = self._prefill
        if p is None or not self.log_box.isChecked():
            return None
        at = self._now()  # logged at the moment Mark done is pressed
        return ContactInput(
            occurred_at=dt.datetime.combine(p.occurred_at.date(), dt.time(at.hour, at.minute)),
            school_id=p.school_id,
            type_code=p.type_code,
            students=p.students,
            duration_min=self.duration.value() or None,
            initiated_by=p.initiated_by,
            outcome=self.outcome.currentData(),
            notes=self.notes.toPlainText(),
        )


class RescheduleDialog(FormDialog):
    def __init__(
        self,
        due: dt.date,
        today: dt.date,
        submit: Callable[[dt.date], Done[None]],
        *,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Reschedule follow-up", submit, parent, runner=runner, ok_label="Reschedule"
        )
        self.setObjectName("rescheduleDialog")
        self.due = date_edit("New due date", max(due, today) + dt.timedelta(days=7))
        quick = QHBoxLayout()
        quick.setContentsMargins(0, 0, 0, 0)
        for text, days in (("Tomorrow", 1), ("In a week", 7), ("In two weeks", 14)):
            b = named(QPushButton(text), f"Due {text.lower()}")
            b.setAutoDefault(False)
            b.clicked.connect(
                lambda _=False, d=days: self.due.setDate(qdate(today + dt.timedelta(d)))
            )
            quick.addWidget(b)
        quick_row = QWidget()
        quick_row.setLayout(quick)
        self.form.addRow("&Due", self.due)
        self.form.addRow("", quick_row)

    def value(self) -> dt.date:
        return pydate(self.due.date())


class AddFollowUpDialog(FormDialog):
    def __init__(
        self,
        journal: Journal,
        today: dt.date,
        submit: Callable[[NewFollowUp], Done[int]],
        *,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Add follow-up", submit, parent, runner=runner, ok_label="Add follow-up")
        self.setObjectName("addFollowUpDialog")
        self.due = date_edit("Due date", today + dt.timedelta(days=7))
        self.what = named(QLineEdit(), "What to do")
        self.what.setPlaceholderText("What you promised (e.g. check in after the test)")
        self.picker = StudentPicker(journal)
        self.form.addRow("&Due", self.due)
        self.form.addRow("&What", self.what)
        self.form.addRow("&Students", self.picker)
        self.resize(480, self.sizeHint().height())

    def value(self) -> NewFollowUp:
        return NewFollowUp(
            pydate(self.due.date()), self.what.text(), tuple(self.picker.student_ids())
        )
