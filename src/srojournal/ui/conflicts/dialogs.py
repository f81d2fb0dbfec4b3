"""The conflicts page's dialogs: open a case, link a contact to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from srojournal.domain.errors import InvalidInput
from srojournal.domain.models import ContactRow
from srojournal.ops.cases import NewCase
from srojournal.ops.changes import Done
from srojournal.ui.common.contact_table import ContactTable
from srojournal.ui.common.dates import date_edit, pydate
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
        self.opened = date_edit("Opened on", today)
        self.check = date_edit("Check date", today + dt.timedelta(days=7))
        self.form.addRow("&Title", self.title)
        self.form.addRow("&Parties", self.parties)
        self.form.addRow("T&erms", self.terms)
        self.form.addRow("&Opened", self.opened)
        self.form.addRow("&Check on", self.check)
        self.resize(500, self.sizeHint().height())

    def value(self) -> NewCase:
        """The rules (a title, two parties) are checked by ``ops.cases.open_case``."""
        return NewCase(
            title=self.title.text(),
            party_ids=tuple(self.parties.student_ids()),
            opened_on=pydate(self.opened.date()),
            terms=self.terms.toPlainText(),
            check_date=pydate(self.check.date()),
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
