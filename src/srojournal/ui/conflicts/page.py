"""Conflict cases: a mediation or restorative process spanning contacts (parties, terms, checks)."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from srojournal.domain import taxonomy
from srojournal.domain.errors import UserError
from srojournal.domain.models import ConflictCase, ContactRow
from srojournal.ops import cases as case_ops
from srojournal.ops.changes import Change, Done
from srojournal.ops.entries import EntryDraft
from srojournal.ui.common.contact_table import ContactTable
from srojournal.ui.common.dates import date_edit
from srojournal.ui.common.error_label import ErrorLabel
from srojournal.ui.common.kit import (
    MARGIN,
    SPACING,
    Card,
    RecordEditor,
    hint_label,
    list_and_detail,
    named,
    primary,
    record_table,
    section_label,
    title_label,
)
from srojournal.ui.common.runner import user_message
from srojournal.ui.conflicts.dialogs import CheckDialog, LinkContactDialog, NewCaseDialog
from srojournal.ui.page import Page
from srojournal.ui.session import Session

STATUS_LABELS = {"open": "Open", "held": "Agreement held", "broken": "Agreement broken",
                 "closed": "Closed"}  # fmt: skip
_ID_ROLE = Qt.ItemDataRole.UserRole


class ConflictsPage(RecordEditor, Page):
    title = "Conflict cases"
    object_name = "conflictsPage"
    refreshed_by = Change.CASES | Change.CONTACTS | Change.STUDENTS
    refresh_on_show = True

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._refused = False  # the last save was refused (its message is shown)
        self._current: ConflictCase | None = None
        self._names: dict[int, str] = {}
        self._loading = False
        self._dirty = False
        self.new_button = named(QPushButton("New case…"), "New conflict case")
        self.new_button.clicked.connect(self.open_new_dialog)
        splitter, lv = list_and_detail(self, "Conflict cases", self.new_button)
        self.status_filter = named(QComboBox(), "Show cases with status")
        self.status_filter.addItem("All cases", None)
        for code in taxonomy.CONFLICT_STATUSES:
            self.status_filter.addItem(STATUS_LABELS[code], code)
        self.status_filter.currentIndexChanged.connect(self.refresh)
        lv.addWidget(self.status_filter)
        self.list = named(QTableWidget(0, 3), "Conflict case list")
        self.list.setHorizontalHeaderLabels(["Case", "Status", "Check"])
        record_table(self.list, grid=False)
        self.list.currentCellChanged.connect(self._on_row_changed)
        lv.addWidget(self.list, 1)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(SPACING // 2, MARGIN, MARGIN, MARGIN)
        rv.setSpacing(SPACING)
        self.empty_hint = hint_label("Choose a case on the left, or open a new one.")
        rv.addWidget(self.empty_hint)
        self.body = QWidget()
        bv = QVBoxLayout(self.body)
        bv.setContentsMargins(0, 0, 0, 0)
        bv.setSpacing(SPACING)
        top = QHBoxLayout()
        self.case_title = title_label("")
        self.case_title.setTextFormat(Qt.TextFormat.PlainText)
        self.case_title.setWordWrap(True)  # the officer's own words: any length
        top.addWidget(self.case_title, 1)
        self.log_button = primary(
            named(QPushButton("Log contact"), "Log a contact for this case", "Open quick entry")
        )
        self.log_button.clicked.connect(self._request_new_contact)
        top.addWidget(self.log_button)
        bv.addLayout(top)
        self.parties_label = hint_label()
        self.parties_label.setTextFormat(Qt.TextFormat.PlainText)
        named(self.parties_label, "Parties")
        bv.addWidget(self.parties_label)

        card = Card()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.title_edit = named(QLineEdit(), "Case title", "A short neutral title")
        self.status_combo = named(QComboBox(), "Case status")
        for code in taxonomy.CONFLICT_STATUSES:
            self.status_combo.addItem(STATUS_LABELS[code], code)
        self.terms_edit = named(QPlainTextEdit(), "Agreement terms")
        self.terms_edit.setTabChangesFocus(True)
        self.terms_edit.setPlaceholderText("What the parties agreed to")
        self.terms_edit.setMaximumHeight(110)
        check_row = QHBoxLayout()
        self.check_edit = date_edit(
            "Check date", side="future", optional=True, today=self.session.today
        )
        self.check_edit.setPlaceholderText("No check date")
        self.check_edit.setToolTip("When to check that the agreement holds; empty: no check")
        check_row.addWidget(self.check_edit)
        check_row.addStretch(1)
        self.opened_label = QLabel()
        form.addRow("&Title", self.title_edit)
        form.addRow("&Status", self.status_combo)
        form.addRow("T&erms", self.terms_edit)
        check_label = QLabel("Chec&k on")
        check_label.setBuddy(self.check_edit)
        form.addRow(check_label, check_row)
        form.addRow("Opened", self.opened_label)
        card.body.addLayout(form)
        self.error = ErrorLabel()
        card.body.addWidget(self.error)
        brow = QHBoxLayout()
        self.held_button = named(
            QPushButton("Check: held…"),
            "Record check: the agreement held",
            "Log the check with the parties and move the check date",
        )
        self.held_button.clicked.connect(lambda: self.open_check_dialog(held=True))
        self.broken_button = named(
            QPushButton("Check: broken…"),
            "Record check: the agreement was broken",
            "Log the check with the parties and clear the check date",
        )
        self.broken_button.clicked.connect(lambda: self.open_check_dialog(held=False))
        brow.addWidget(self.held_button)
        brow.addWidget(self.broken_button)
        brow.addStretch(1)
        self.revert_button = named(QPushButton("Revert"), "Revert case changes")
        self.revert_button.clicked.connect(self._show_current)
        self.save_button = named(QPushButton("Save"), "Save case")
        self.save_button.clicked.connect(self.save_case)
        brow.addWidget(self.revert_button)
        brow.addWidget(self.save_button)
        card.body.addLayout(brow)
        bv.addWidget(card)
        self.title_edit.textEdited.connect(self._mark_dirty)
        self.status_combo.activated.connect(self._mark_dirty)
        self.terms_edit.textChanged.connect(self._mark_dirty)
        self.check_edit.textEdited.connect(self._mark_dirty)
        self.check_edit.changed.connect(self._mark_dirty)

        lrow = QHBoxLayout()
        lrow.addWidget(section_label("Linked contacts"))
        lrow.addStretch(1)
        self.link_button = named(QPushButton("Link contact…"), "Link a contact to this case")
        self.link_button.clicked.connect(self.open_link_dialog)
        lrow.addWidget(self.link_button)
        bv.addLayout(lrow)
        self.contacts = named(ContactTable(), "Contacts linked to this case")
        self.contacts.open_contact.connect(self.edit_contact_requested)
        bv.addWidget(self.contacts, 1)
        rv.addWidget(self.body, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([470, 630])
        self.body.hide()
        self._update_buttons()

    # -- Page contract ----------------------------------------------------------------------

    def refresh(self) -> None:
        if not self._open():
            return
        j = self.journal
        self._names = {s.id: s.alias for s in j.students(include_archived=True)}
        wanted = self.status_filter.currentData()
        cases = [c for c in j.conflict_cases() if wanted is None or c.status == wanted]
        keep = self._current.id if self._current else None
        self._loading = True
        self.list.setRowCount(0)
        self.list.setRowCount(len(cases))
        for i, c in enumerate(cases):
            title = QTableWidgetItem(c.title or "Untitled case")
            title.setData(_ID_ROLE, c.id)
            title.setToolTip(self._parties(c))
            self.list.setItem(i, 0, title)
            self.list.setItem(i, 1, QTableWidgetItem(STATUS_LABELS.get(c.status, c.status)))
            check = c.check_date.isoformat() if c.check_date else ""
            self.list.setItem(i, 2, QTableWidgetItem(check))
            if c.id == keep:
                self.list.selectRow(i)
        self._loading = False
        hint = cast(QLabel, self.empty_hint)
        if not cases and self._current is None:
            hint.setText(
                "No conflict cases yet. Save a mediation entry (Ctrl+N) with its parties and "
                "the window offers to open one; or use “New case…”."
                if wanted is None
                else "No case has this status."
            )
        elif self._current is None:
            hint.setText("Choose a case on the left, or open a new one.")
        if keep is not None and not self._dirty:
            self._current = j.conflict_case(keep)
            self._show_current()

    def clear(self) -> None:
        if self._dirty:
            self.save_case(notify=False)
        self._loading = True
        self._current = None
        self._dirty = False
        self._names = {}
        self.list.setRowCount(0)
        self.title_edit.clear()
        self.terms_edit.clear()
        self.case_title.clear()
        self.parties_label.clear()
        self.opened_label.clear()
        self.contacts.clear_rows()
        self.error.hide()
        self._loading = False
        self.body.hide()
        self.empty_hint.show()

    # -- list / selection -------------------------------------------------------------------
    def _parties(self, c: ConflictCase) -> str:
        return ", ".join(self._names.get(p, "?") for p in c.party_ids)

    def _on_row_changed(self, row: int, *_: int) -> None:
        if self._loading or row < 0:
            return
        item = self.list.item(row, 0)
        if item is not None:
            self.show_case(int(item.data(_ID_ROLE)))

    def show_case(self, case_id: int) -> None:
        if self._dirty and self._current is not None and self._current.id != case_id:
            self.save_case()
        self._current = self.journal.conflict_case(case_id)
        for i in range(self.list.rowCount()):
            item = self.list.item(i, 0)
            if item is not None and item.data(_ID_ROLE) == case_id:
                self._loading = True
                self.list.selectRow(i)
                self._loading = False
        self._show_current()

    def _show_current(self) -> None:
        c = self._current
        if c is None:
            return
        c = self._current = self.journal.conflict_case(c.id)
        self._loading = True
        self.case_title.setText(c.title or "Untitled case")
        parties = self._parties(c) or "no parties recorded"
        self.parties_label.setText(f"Parties: {parties}")
        if self.title_edit.text() != c.title:
            self.title_edit.setText(c.title)
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(c.status), 0))
        if self.terms_edit.toPlainText() != c.terms:
            self.terms_edit.setPlainText(c.terms)
        self.check_edit.set_value(c.check_date)
        self.opened_label.setText(c.opened_on.isoformat())
        self.contacts.set_rows(self._rows(c.contact_ids))
        self.error.hide()
        self._record_shown()

    def _rows(self, contact_ids: tuple[int, ...]) -> list[ContactRow]:
        j = self.journal
        schools = {s.id: s.name for s in j.schools(include_inactive=True)}
        rows = []
        for cid in contact_ids:
            try:
                c = j.contact(cid)
            except UserError:
                continue
            rows.append(
                ContactRow(
                    id=c.id,
                    occurred_at=c.occurred_at,
                    school=schools.get(c.school_id, ""),
                    type_code=c.type_code,
                    type_label=j.contact_type(c.type_code).label,
                    students=", ".join(self._names.get(s.student_id, "?") for s in c.students),
                    outcome=c.outcome,
                    first_line=c.notes.strip().split("\n", 1)[0][:160],
                    tags=", ".join(c.tags),
                )
            )
        rows.sort(key=lambda r: r.occurred_at, reverse=True)
        return rows

    def save_case(self, *, notify: bool = True) -> bool:
        """Save the edited case through the writer; False when it was refused (message shown).

        While background work runs, the save waits its turn and this returns True.
        """
        c = self._current
        if c is None or not self._dirty:
            return True
        title = self.title_edit.text()
        terms = self.terms_edit.toPlainText()
        status = str(self.status_combo.currentData())
        try:
            check = self.check_edit.value()
        except UserError as exc:
            self._refused = True
            self.error.setText(exc.message)
            self.error.show()
            return False
        self._refused = False

        def done(_done: object) -> None:
            self._record_saved(notify, "Case saved", Change.CASES, self.refresh)

        def failed(exc: BaseException) -> None:
            self._refused = True
            self.error.setText(user_message(exc))
            self.error.show()

        self.session.runner.write(
            lambda: case_ops.save_case(
                self.journal, c.id, title=title, terms=terms, status=status, check_date=check
            ),
            done,
            failed,
        )
        return not self._refused

    def _request_new_contact(self) -> None:
        c = self._current
        if c is None:
            return
        prefill = case_ops.case_contact(self.journal, c, self.session.now())
        if prefill is None:
            self.status_message.emit("Add a school in Settings first")
            return
        # The entry is saved with its link to this case, in the same transaction.
        self.new_contact_requested.emit(EntryDraft(prefill, case_ids=(c.id,)))

    def open_check_dialog(self, *, held: bool) -> CheckDialog | None:
        """Record a check on the agreement: held or broken, logged and the date moved at once."""
        c = self._current
        if c is None:
            return None
        if self._dirty and not self.save_case():
            return None
        journal, case_id = self.journal, c.id
        dlg = CheckDialog(
            c.title,
            held,
            self.session.today(),
            self.session.now,
            lambda check: case_ops.record_check(journal, case_id, check),
            runner=self.session.runner,
            parent=self,
        )
        dlg.completed.connect(self._check_recorded)
        dlg.open()
        dlg.notes.setFocus()
        return dlg

    def _check_recorded(self, done: Done[int]) -> None:
        self.session.applied(done)
        self.status_message.emit("Check recorded; contact logged")
        self.refresh()
        self._show_current()

    # -- dialogs ----------------------------------------------------------------------------
    def open_new_dialog(self) -> NewCaseDialog:
        journal = self.journal
        dlg = NewCaseDialog(
            journal,
            self.session.today(),
            lambda case: case_ops.open_case(journal, case),
            runner=self.session.runner,
            parent=self,
        )
        dlg.completed.connect(self._case_opened)
        dlg.open()
        dlg.title.setFocus()
        return dlg

    def _case_opened(self, done: Done[int]) -> None:
        case_id = self.session.applied(done)
        self.status_message.emit("Case opened")
        self.status_filter.setCurrentIndex(0)
        self.refresh()
        self.show_case(case_id)

    def candidate_contacts(self) -> list[ContactRow]:
        """Recent contacts of the case's parties that are not linked yet (newest first)."""
        c = self._current
        if c is None:
            return []
        seen: dict[int, ContactRow] = {}
        for p in c.party_ids:
            for r in self.journal.timeline(p, limit=100):
                if r.id not in c.contact_ids:
                    seen[r.id] = r
        return sorted(seen.values(), key=lambda r: r.occurred_at, reverse=True)[:100]

    def open_link_dialog(self) -> LinkContactDialog | None:
        c = self._current
        if c is None:
            return None
        journal = self.journal
        dlg = LinkContactDialog(
            self.candidate_contacts(),
            lambda contact_id: case_ops.link_contact(journal, c.id, contact_id),
            runner=self.session.runner,
            parent=self,
        )
        dlg.completed.connect(self._contact_linked)
        dlg.open()
        dlg.table.setFocus()
        return dlg

    def _contact_linked(self, done: Done[None]) -> None:
        self.session.applied(done)
        self.status_message.emit("Contact linked")
        self._show_current()
