"""The conflicts page's dialogs: open a case, record a check on its agreement, link a contact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from srojournal.domain import cases
from srojournal.domain.errors import InvalidInput
from srojournal.domain.models import ContactRow
from srojournal.ops.cases import CheckRecord, NewCase
from srojournal.ops.changes import Done
from srojournal.ui.common.contact_table import ContactTable
from srojournal.ui.common.dates import date_edit
from srojournal.ui.common.forms import FormDialog
from srojournal.ui.common.kit import hint_label, named
from srojournal.ui.common.runner import Runner
from srojournal.ui.common.students import StudentPicker
from srojournal.vault.repo import Journal


class NewCaseDialog(FormDialog):
    def __init__(
        self,
        journal: Journal,
        today: dt.date,
        submit: Callable[[NewCase], Done[int]],
        *,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("New conflict case", submit, parent, runner=runner, ok_label="Open case")
        self.setObjectName("newCaseDialog")
        self.title = named(QLineEdit(), "Case title")
        self.title.setPlaceholderText("e.g. Lunch table dispute")
        self.parties = StudentPicker(journal, "Parties")
        self.terms = named(QPlainTextEdit(), "Agreement terms")
        self.terms.setTabChangesFocus(True)
        self.terms.setMaximumHeight(90)
        self.opened = date_edit("Opened on", today, side="past", today=lambda: today)
        self.check = date_edit(
            "Check date",
            today + dt.timedelta(days=cases.CHECK_AFTER_DAYS),
            side="future",
            optional=True,
            today=lambda: today,
        )
        self.check.setPlaceholderText("No check date")
        self.form.addRow("&Title", self.title)
        # The label's buddy is the field the officer types in (Alt+P reaches it).
        parties_label = QLabel("&Parties")
        parties_label.setBuddy(self.parties.search)
        self.form.addRow(parties_label, self.parties)
        self.form.addRow("T&erms", self.terms)
        self.form.addRow("&Opened", self.opened)
        self.form.addRow("&Check on", self.check)
        # A message about what was typed goes once it is corrected.
        self.parties.changed.connect(lambda: self.show_error(""))
        self.title.textEdited.connect(lambda _t: self.show_error(""))
        self.resize(500, self.sizeHint().height())

    def value(self) -> NewCase:
        """The rules (a title, two parties) are checked by ``ops.cases.open_case``."""
        opened = self.opened.value()
        assert opened is not None  # not optional: an empty field raises
        return NewCase(
            title=self.title.text(),
            party_ids=tuple(self.parties.student_ids()),
            opened_on=opened,
            terms=self.terms.toPlainText(),
            check_date=self.check.value(),
        )


class CheckDialog(FormDialog):
    """Record a check on a case's agreement: the contact with the parties is logged and the
    case's check date moves (held: a month on) or is cleared (broken), in one step."""

    def __init__(
        self,
        title: str,
        held: bool,
        today: dt.date,
        now: Callable[[], dt.datetime],
        submit: Callable[[CheckRecord], Done[int]],
        *,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Record agreement check", submit, parent, runner=runner, ok_label="Record check"
        )
        self.setObjectName("checkDialog")
        self._now = now
        self._today = today
        intro = QLabel(
            f"Checking the agreement of “{title}”. The check is logged as a contact with the "
            "parties and linked to the case."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.held_choice = named(QRadioButton("It &held"), "The agreement held")
        self.broken_choice = named(QRadioButton("It was &broken"), "The agreement was broken")
        (self.held_choice if held else self.broken_choice).setChecked(True)
        choice = QHBoxLayout()
        choice.addWidget(self.held_choice)
        choice.addWidget(self.broken_choice)
        choice.addStretch(1)
        self.notes = named(QPlainTextEdit(), "Notes of the check")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(80)
        self.duration = named(QSpinBox(), "Duration in minutes")
        self.duration.setRange(1, 24 * 60)
        self.duration.setSingleStep(5)
        self.duration.setValue(10)
        self.duration.setSuffix(" min")
        self.next_check = date_edit(
            "Next check date", None, side="future", optional=True, today=lambda: today
        )
        self.next_check.setPlaceholderText("No further check")
        self._next_set = False
        self.next_check.textEdited.connect(self._next_typed)
        self.form.addRow(intro)
        self.form.addRow(choice)
        self.form.addRow("&Notes", self.notes)
        self.form.addRow("&Duration", self.duration)
        self.form.addRow("Next &check", self.next_check)
        self.held_choice.toggled.connect(self._verdict_changed)
        self._verdict_changed()
        self.resize(480, self.sizeHint().height())

    @property
    def held(self) -> bool:
        return self.held_choice.isChecked()

    def _next_typed(self, _text: str) -> None:
        self._next_set = True

    def _verdict_changed(self, *_: object) -> None:
        verdict = "held" if self.held else "was broken"
        self.notes.setPlaceholderText(f"Checked on the agreement: it {verdict}.")
        if not self._next_set:
            self.next_check.set_value(cases.next_check(self.held, self._today))

    def value(self) -> CheckRecord:
        return CheckRecord(
            held=self.held,
            at=self._now(),  # when the check is recorded
            notes=self.notes.toPlainText(),
            duration_min=self.duration.value(),
            next_check=self.next_check.value(),
        )


class LinkContactDialog(FormDialog):
    def __init__(
        self,
        rows: list[ContactRow],
        submit: Callable[[int], Done[None]],
        *,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Link a contact", submit, parent, runner=runner, ok_label="Link contact")
        self.setObjectName("linkContactDialog")
        self.table = named(ContactTable(), "Contacts of the parties")
        self.table.set_rows(rows)
        self.table.setMinimumSize(640, 260)
        if self.table.rowCount():
            self.table.selectRow(0)
        note = hint_label(
            "Contacts of the parties, newest first."
            if self.table.rowCount()
            else "No unlinked contacts of these parties yet."
        )
        self.form.addRow(note)
        self.form.addRow(self.table)
        self.table.open_contact.connect(lambda _cid: self.accept())

    def value(self) -> int:
        cid = self.table.selected_contact_id()
        if cid is None:
            raise InvalidInput("Choose a contact to link.")
        return cid
