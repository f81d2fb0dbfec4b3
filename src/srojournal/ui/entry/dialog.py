"""The quick-entry dialog (Ctrl+N).

Non-modal (``show()``), keyboard first, Ctrl+Enter saves. It never asks "discard changes?": when
it closes without saving (Esc, the window closing, the app locking) whatever was typed is kept as
an encrypted draft inside the vault and comes back the next time the same entry is opened.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from srojournal.domain import taxonomy
from srojournal.domain.errors import UserError
from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.ops import entries
from srojournal.ops.changes import Change, Done
from srojournal.ops.entries import EntryDraft, FollowUpRequest
from srojournal.ui.common.dates import pydate, pydatetime, qdate, qdatetime
from srojournal.ui.common.error_label import ErrorLabel
from srojournal.ui.common.runner import user_message
from srojournal.ui.common.students import StudentSearchEdit
from srojournal.ui.session import Session
from srojournal.ui.widgets import button, label, primary_button

log = logging.getLogger("srojournal.ui.entry")

DRAFT_NEW = "entry:new"
INITIATOR_LABELS = {"student": "Student", "staff": "Staff", "parent": "Parent", "sro": "SRO"}
ROLE_LABELS = {"participant": "Participant", "party": "Party (conflict)"}
DEFAULT_DURATION = 15


def draft_name(contact_id: int | None) -> str:
    return DRAFT_NEW if contact_id is None else f"entry:edit:{contact_id}"


def round_to_5(t: dt.datetime) -> dt.datetime:
    """The nearest 5 minutes (12:02 → 12:00, 12:03 → 12:05)."""
    t = t.replace(second=0, microsecond=0)
    minutes = (t.minute + 2) // 5 * 5
    return t.replace(minute=0) + dt.timedelta(minutes=minutes)


class StudentChip(QFrame):
    """One student of the entry: alias, role, remove."""

    removed = Signal(int)

    def __init__(self, student_id: int, text: str, role: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.student_id = student_id
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self.name = QLabel(text)
        self.name.setAccessibleName("Student")
        lay.addWidget(self.name, 1)
        self.role = QComboBox()
        self.role.setAccessibleName(f"Role of {text}")
        for code, lbl in ROLE_LABELS.items():
            self.role.addItem(lbl, code)
        self.role.setCurrentIndex(max(0, self.role.findData(role)))
        lay.addWidget(self.role)
        self.remove_btn = button("Remove", f"Remove {text}")
        self.remove_btn.clicked.connect(lambda: self.removed.emit(self.student_id))
        lay.addWidget(self.remove_btn)

    @property
    def role_code(self) -> str:
        return str(self.role.currentData())


class QuickEntryDialog(QDialog):
    saved = Signal(int)  # contact id

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        contact_id: int | None = None,
        prefill: ContactInput | None = None,
        case_ids: tuple[int, ...] = (),
        restore_draft: bool = True,
        now: Callable[[], dt.datetime] = dt.datetime.now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("QuickEntryDialog")
        self.session = session
        self.journal = session.journal
        self.contact_id = contact_id
        # Conflict cases the entry belongs to (it was logged from a case); the first save links it.
        self.case_ids = case_ids
        self.now = now
        self._saved = False
        self._saving = False
        self.saved_id: int | None = None  # the contact id of the last save
        self._closing = False
        self._chips: list[StudentChip] = []
        self.setWindowTitle("Edit entry" if contact_id is not None else "New entry")
        self.setAccessibleName(self.windowTitle())
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self._build()
        self._load_choices()
        self._set_defaults()
        if contact_id is not None:
            self.set_input(self.journal.contact(contact_id).to_input())
        elif prefill is not None:
            self.set_input(prefill)
        self._baseline = self.state()
        self.restored_draft = False
        if restore_draft:
            payload = self.journal.load_draft(self.draft_name)
            if payload:
                try:
                    self.restore_state(json.loads(payload))
                    self.restored_draft = True
                except (ValueError, TypeError, KeyError):
                    log.warning("a saved draft could not be read; it was left in place")
        self.draft_banner.setVisible(self.restored_draft)
        self.resize(760, 860)

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(20, 16, 20, 16)
        root.setSpacing(8)

        self.draft_banner = label("Restored what you were typing before.", "warning")
        self.draft_banner.setAccessibleName("Draft restored")
        root.addWidget(self.draft_banner)

        g = QGridLayout()
        g.setHorizontalSpacing(10)
        g.setVerticalSpacing(4)
        g.setColumnStretch(1, 1)
        g.setColumnStretch(3, 1)
        row = 0

        def field(
            text: str, w: QWidget, r: int, c: int, span: int = 1, err: QLabel | None = None
        ) -> None:
            lbl = label(text, buddy=w)
            lbl.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            g.addWidget(lbl, r, c)
            g.addWidget(w, r, c + 1, 1, span)
            if err is not None:
                g.addWidget(err, r + 1, c + 1, 1, span)

        self.template_combo = QComboBox()
        self.template_combo.setAccessibleName("Template")
        self.template_combo.activated.connect(self._apply_template)
        field("Te&mplate", self.template_combo, row, 0, 3)
        row += 1

        self.when = QDateTimeEdit()
        self.when.setAccessibleName("Date and time")
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when.setCalendarPopup(True)
        self.duration = QSpinBox()
        self.duration.setAccessibleName("Duration in minutes")
        self.duration.setRange(0, 24 * 60)
        self.duration.setSingleStep(5)
        self.duration.setSuffix(" min")
        field("&When", self.when, row, 0)
        field("&Duration", self.duration, row, 2)
        row += 1

        self.school = QComboBox()
        self.school.setEditable(True)
        self.school.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.school.setAccessibleName("School")
        school_edit = self.school.lineEdit()
        if school_edit is not None:
            school_edit.setPlaceholderText("Choose or type a new school")
        school_completer = self.school.completer()
        if school_completer is not None:
            school_completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            school_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.school_error = ErrorLabel("School problem")
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Contact type")
        self.type_combo.currentIndexChanged.connect(self._on_type_changed)
        self.type_error = ErrorLabel("Type problem")
        field("&School", self.school, row, 0, err=self.school_error)
        field("T&ype", self.type_combo, row, 2, err=self.type_error)
        row += 2

        self.student_search = StudentSearchEdit("Add student")
        self.student_search.setPlaceholderText("Type an alias, Enter to add (new ones are created)")
        self.student_search.student_chosen.connect(self._on_student_chosen)
        self.student_search.create_requested.connect(self._offer_create)
        field("S&tudents", self.student_search, row, 0, 3)
        row += 1
        self.chips_box = QWidget()
        self.chips_layout = QVBoxLayout(self.chips_box)
        self.chips_layout.setContentsMargins(0, 0, 0, 0)
        self.chips_layout.setSpacing(4)
        g.addWidget(self.chips_box, row, 1, 1, 3)
        row += 1

        self.create_panel = QFrame()
        self.create_panel.setProperty("role", "card")
        cp = QHBoxLayout(self.create_panel)
        cp.setContentsMargins(10, 6, 10, 6)
        self.new_alias = QLineEdit()
        self.new_alias.setAccessibleName("New student alias")
        self.new_grade = QComboBox()
        self.new_grade.setAccessibleName("New student grade")
        self.new_grade.addItem("Grade unknown", None)
        for gr in taxonomy.GRADES:
            self.new_grade.addItem("Kindergarten" if gr == "K" else f"Grade {gr}", gr)
        self.create_student_btn = button("Create student", "Create student")
        self.create_student_btn.clicked.connect(self.create_student)
        self.new_alias.returnPressed.connect(self.create_student)
        cancel_create = button("Cancel", "Cancel new student", flat=True)
        cancel_create.clicked.connect(self._hide_create)
        cp.addWidget(label("New student", "section"))
        cp.addWidget(self.new_alias, 2)
        cp.addWidget(self.new_grade, 1)
        cp.addWidget(self.create_student_btn)
        cp.addWidget(cancel_create)
        self.create_panel.setVisible(False)
        g.addWidget(self.create_panel, row, 1, 1, 3)
        row += 1
        self.students_error = ErrorLabel("Students problem")
        g.addWidget(self.students_error, row, 1, 1, 3)
        row += 1

        self.initiated = QComboBox()
        self.initiated.setAccessibleName("Initiated by")
        self.initiated.addItem("—", None)
        for code in taxonomy.INITIATORS:
            self.initiated.addItem(INITIATOR_LABELS[code], code)
        self.outcome = QComboBox()
        self.outcome.setAccessibleName("Outcome")
        self.outcome.addItem("—", None)
        for o in taxonomy.OUTCOMES:
            self.outcome.addItem(o.label, o.code)
        field("&Initiated by", self.initiated, row, 0)
        field("&Outcome", self.outcome, row, 2)
        row += 1

        self.attendees = QSpinBox()
        self.attendees.setAccessibleName("Attendees")
        self.attendees.setRange(0, 100_000)
        self.attendees.setSpecialValueText("—")
        self.attendees_label = label("Atte&ndees", buddy=self.attendees)
        self.attendees_label.setAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        g.addWidget(self.attendees_label, row, 0)
        g.addWidget(self.attendees, row, 1)
        fu = QHBoxLayout()
        self.follow_check = QCheckBox("Follo&w up on")
        self.follow_check.setAccessibleName("Schedule a follow-up")
        self.follow_date = QDateEdit()
        self.follow_date.setAccessibleName("Follow-up date")
        self.follow_date.setCalendarPopup(True)
        self.follow_date.setDisplayFormat("yyyy-MM-dd")
        self.follow_date.setEnabled(False)
        self.follow_check.toggled.connect(self.follow_date.setEnabled)
        fu.addWidget(self.follow_check)
        fu.addWidget(self.follow_date, 1)
        g.addLayout(fu, row, 2, 1, 2)
        row += 1
        self.follow_what = QLineEdit()
        self.follow_what.setAccessibleName("Follow-up: what to do")
        self.follow_what.setPlaceholderText("What to follow up on (optional)")
        self.follow_what.setEnabled(False)
        self.follow_check.toggled.connect(self.follow_what.setEnabled)
        g.addWidget(self.follow_what, row, 2, 1, 2)
        self.follow_error = ErrorLabel("Follow-up problem")
        g.addWidget(self.follow_error, row + 1, 2, 1, 2)
        row += 2

        self.referrals = QListWidget()
        self.referrals.setAccessibleName("Referrals")
        for code, lbl in taxonomy.REFERRAL_TARGETS.items():
            item = QListWidgetItem(lbl)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.referrals.addItem(item)
        self.referrals.setMaximumHeight(104)
        field("&Referrals", self.referrals, row, 0, 3)
        row += 1

        self.tags = QLineEdit()
        self.tags.setAccessibleName("Tags")
        self.tags.setPlaceholderText("Comma-separated, e.g. lunch, 8th grade")
        field("Ta&gs", self.tags, row, 0, 3)
        row += 1

        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText("What happened (stays encrypted in the vault)")
        self.notes.setMinimumHeight(140)
        notes_lbl = label("No&tes", buddy=self.notes)
        notes_lbl.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        g.addWidget(notes_lbl, row, 0)
        g.addWidget(self.notes, row, 1, 1, 3)
        g.setRowStretch(row, 1)
        root.addLayout(g, 1)

        self.form_error = ErrorLabel("Entry problem")
        root.addWidget(self.form_error)
        buttons = QHBoxLayout()
        self.clear_btn = button("Clear form", "Clear form")
        self.clear_btn.setToolTip("Start over with an empty form (also forgets the draft)")
        self.clear_btn.clicked.connect(self.clear_form)
        buttons.addWidget(self.clear_btn)
        buttons.addStretch(1)
        hint = label("Ctrl+Enter saves · Esc keeps a draft", "hint")
        hint.setWordWrap(False)
        buttons.addWidget(hint)
        self.cancel_btn = button("Close", "Close and keep a draft")
        self.cancel_btn.clicked.connect(self.reject)
        buttons.addWidget(self.cancel_btn)
        self.save_new_btn = button("Save && new", "Save and start a new entry")
        self.save_new_btn.setToolTip("Ctrl+Shift+Enter")
        self.save_new_btn.clicked.connect(lambda: self.save(keep_open=True))
        self.save_new_btn.setVisible(self.contact_id is None)
        buttons.addWidget(self.save_new_btn)
        self.save_btn = primary_button("Save", "Save entry")
        self.save_btn.setToolTip("Ctrl+Enter")
        self.save_btn.clicked.connect(lambda: self.save())
        buttons.addWidget(self.save_btn)
        root.addLayout(buttons)

        self._fix_tab_order()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Ctrl+Enter saves from any field, even one that would take Enter itself (notes)."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self.save(keep_open=shift and self.contact_id is None)
                return True
        return False

    def _fix_tab_order(self) -> None:
        order: list[QWidget] = [
            self.template_combo,
            self.when,
            self.duration,
            self.school,
            self.type_combo,
            self.student_search,
        ]
        for chip in self._chips:
            order += [chip.role, chip.remove_btn]
        if self.create_panel.isVisible():
            order += [self.new_alias, self.new_grade, self.create_student_btn]
        order += [
            self.initiated,
            self.outcome,
            self.attendees,
            self.follow_check,
            self.follow_date,
            self.follow_what,
            self.referrals,
            self.tags,
            self.notes,
            self.save_btn,
            self.save_new_btn,
            self.cancel_btn,
            self.clear_btn,
        ]
        for a, b in itertools.pairwise(order):
            QWidget.setTabOrder(a, b)
        for w in self.findChildren(QWidget):
            if w.focusPolicy() != Qt.FocusPolicy.NoFocus and not w.property("_keys"):
                w.setProperty("_keys", True)
                w.installEventFilter(self)

    # -- choices and defaults ------------------------------------------------------------------
    def _load_choices(self) -> None:
        j = self.journal
        self.template_combo.clear()
        self.template_combo.addItem("No template", None)
        self._templates = {t.id: t for t in j.templates()}
        for t in self._templates.values():
            self.template_combo.addItem(t.name, t.id)
        self.school.clear()
        for s in j.schools():
            self.school.addItem(s.name, s.id)
        self._load_types(None)
        self.tag_completer = QCompleter(j.tags(), self)
        self.tag_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tags.setCompleter(self.tag_completer)
        self.student_search.set_journal(j)

    def _load_types(self, keep_code: str | None) -> None:
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        first = True
        for cat in taxonomy.CATEGORIES:
            types = [
                t
                for t in self.journal.contact_types()
                if t.category == cat and (not t.retired or t.code == keep_code)
            ]
            if not types:
                continue
            if not first:
                self.type_combo.insertSeparator(self.type_combo.count())
            first = False
            for t in types:
                self.type_combo.addItem(t.label, t.code)
        self.type_combo.blockSignals(False)

    def _set_defaults(self) -> None:
        self.when.setDateTime(qdatetime(round_to_5(self.now())))
        self.duration.setValue(DEFAULT_DURATION)
        school_id, type_code = self.journal.last_used()
        if school_id is not None and self.school.findData(school_id) >= 0:
            self.school.setCurrentIndex(self.school.findData(school_id))
        elif self.school.count() == 1:
            self.school.setCurrentIndex(0)
        else:
            self.school.setCurrentIndex(-1)
            self.school.setEditText("")
        self._select_type(type_code or "relationship")
        today = self.now().date()
        self.follow_date.setDate(qdate(today + dt.timedelta(days=7)))
        self._on_type_changed()

    def _select_type(self, code: str | None) -> None:
        if code is not None and self.type_combo.findData(code) < 0:
            self._load_types(code)
        i = self.type_combo.findData(code) if code else -1
        self.type_combo.setCurrentIndex(i if i >= 0 else 0)

    def _on_type_changed(self, *_args: Any) -> None:
        code = self.type_combo.currentData()
        group = False
        if code:
            try:
                group = self.journal.contact_type(code).group_activity
            except UserError:
                group = False
        self.attendees.setEnabled(group)
        self.attendees_label.setEnabled(group)
        self.attendees.setToolTip("" if group else "Only for lessons, trainings, drills and events")

    def _apply_template(self, _index: int) -> None:
        t = self._templates.get(self.template_combo.currentData())
        if t is None:
            return
        self._select_type(t.type_code)
        if t.duration_min is not None:
            self.duration.setValue(t.duration_min)
        self.initiated.setCurrentIndex(max(0, self.initiated.findData(t.initiated_by)))
        self.outcome.setCurrentIndex(max(0, self.outcome.findData(t.outcome)))
        if t.notes and not self.notes.toPlainText().strip():
            self.notes.setPlainText(t.notes)
        if t.tags:
            tags = _split_tags(self.tags.text())
            tags += [x for x in t.tags if x not in tags]
            self.tags.setText(", ".join(tags))

    # -- students ------------------------------------------------------------------------------
    def _on_student_chosen(self, student_id: int) -> None:
        self.add_student(student_id)
        self.student_search.clear()
        self.student_search.setFocus()

    def add_student(self, student_id: int, role: str = "participant") -> None:
        if any(c.student_id == student_id for c in self._chips):
            self.students_error.set_message("That student is already in this entry.")
            return
        try:
            s = self.journal.student(student_id)
        except UserError:
            return
        self.students_error.set_message("")
        chip = StudentChip(student_id, self.student_search.label_for(s), role)
        chip.removed.connect(self.remove_student)
        self._chips.append(chip)
        self.chips_layout.addWidget(chip)
        self._fix_tab_order()

    def remove_student(self, student_id: int) -> None:
        for chip in list(self._chips):
            if chip.student_id == student_id:
                self._chips.remove(chip)
                chip.setParent(None)
                chip.deleteLater()
        self._fix_tab_order()
        self.student_search.setFocus()

    def student_entries(self) -> list[tuple[int, str]]:
        return [(c.student_id, c.role_code) for c in self._chips]

    def _offer_create(self, text: str) -> None:
        self.new_alias.setText(text)
        self.create_panel.setVisible(True)
        self._fix_tab_order()
        self.new_grade.setFocus()

    def _hide_create(self) -> None:
        self.create_panel.setVisible(False)
        self.new_alias.clear()
        self._fix_tab_order()
        self.student_search.setFocus()

    def create_student(self) -> None:
        alias = self.new_alias.text().strip()
        if not alias:
            self.students_error.set_message("Type an alias for the new student.")
            return
        school_text = " ".join(self.school.currentText().split())
        if not school_text:
            self.school_error.set_message("Choose the school first: students belong to a school.")
            self.school.setFocus()
            return
        grade = self.new_grade.currentData()
        journal = self.journal

        def create() -> tuple[int, int, bool]:
            with journal.batch():
                school_id, created = entries.resolve_school(journal, school_text)
                existing = journal.student_by_alias(school_id, alias)
                sid = existing.id if existing else journal.add_student(alias, school_id, grade)
            return sid, school_id, created

        def failed(exc: BaseException) -> None:
            self.students_error.set_message(user_message(exc))

        self.session.runner.write(create, self._student_created, failed)

    def _student_created(self, result: tuple[int, int, bool]) -> None:
        sid, school_id, created_school = result
        if created_school:
            self._school_added(school_id)
        self.session.notify(Change.STUDENTS)
        self.student_search.set_journal(self.journal)
        self.create_panel.setVisible(False)
        self.new_alias.clear()
        self.new_grade.setCurrentIndex(0)
        self.student_search.clear()
        self.add_student(sid)
        self.student_search.setFocus()

    # -- school --------------------------------------------------------------------------------
    def _school_added(self, school_id: int) -> None:
        """A school named in this dialog was created: choose it in the list."""
        if self.school.findData(school_id) < 0:
            name = " ".join(self.school.currentText().split())
            self.school.addItem(name, school_id)
        self.school.setCurrentIndex(self.school.findData(school_id))
        self.session.notify(Change.SCHOOLS)

    # -- state (drafts) ------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {
            "version": 1,
            "contact_id": self.contact_id,
            "when": self.when.dateTime().toString("yyyy-MM-ddTHH:mm"),
            "duration": self.duration.value(),
            "school": self.school.currentText(),
            "type": self.type_combo.currentData(),
            "students": [[sid, role] for sid, role in self.student_entries()],
            "initiated_by": self.initiated.currentData(),
            "outcome": self.outcome.currentData(),
            "attendees": self.attendees.value(),
            "follow_up": self.follow_check.isChecked(),
            "follow_date": self.follow_date.date().toString("yyyy-MM-dd"),
            "follow_what": self.follow_what.text(),
            "referrals": self.checked_referrals(),
            "tags": self.tags.text(),
            "notes": self.notes.toPlainText(),
        }

    def restore_state(self, s: dict[str, Any]) -> None:
        when = dt.datetime.strptime(s["when"], "%Y-%m-%dT%H:%M")
        self.when.setDateTime(qdatetime(when))
        self.duration.setValue(int(s.get("duration") or 0))
        self.school.setEditText(str(s.get("school") or ""))
        i = self.school.findText(str(s.get("school") or ""))
        if i >= 0:
            self.school.setCurrentIndex(i)
        self._select_type(s.get("type"))
        for chip in list(self._chips):
            self.remove_student(chip.student_id)
        for sid, role in s.get("students") or []:
            self.add_student(int(sid), str(role))
        self.initiated.setCurrentIndex(max(0, self.initiated.findData(s.get("initiated_by"))))
        self.outcome.setCurrentIndex(max(0, self.outcome.findData(s.get("outcome"))))
        self.attendees.setValue(int(s.get("attendees") or 0))
        self.follow_check.setChecked(bool(s.get("follow_up")))
        self.follow_date.setDate(QDate.fromString(str(s.get("follow_date")), "yyyy-MM-dd"))
        self.follow_what.setText(str(s.get("follow_what") or ""))
        self.set_referrals(s.get("referrals") or [])
        self.tags.setText(str(s.get("tags") or ""))
        self.notes.setPlainText(str(s.get("notes") or ""))

    def set_input(self, data: ContactInput) -> None:
        self.when.setDateTime(qdatetime(data.occurred_at))
        self.duration.setValue(data.duration_min or 0)
        i = self.school.findData(data.school_id)
        if i < 0:
            try:
                name = next(
                    s.name
                    for s in self.journal.schools(include_inactive=True)
                    if s.id == data.school_id
                )
            except StopIteration:
                name = ""
            if name:
                self.school.addItem(name, data.school_id)
                i = self.school.findData(data.school_id)
        self.school.setCurrentIndex(i)
        self._select_type(data.type_code)
        for cs in data.students:
            self.add_student(cs.student_id, cs.role)
        self.initiated.setCurrentIndex(max(0, self.initiated.findData(data.initiated_by)))
        self.outcome.setCurrentIndex(max(0, self.outcome.findData(data.outcome)))
        self.attendees.setValue(data.attendees or 0)
        self.set_referrals(list(data.referrals))
        self.tags.setText(", ".join(data.tags))
        self.notes.setPlainText(data.notes)
        self._on_type_changed()

    def checked_referrals(self) -> list[str]:
        out = []
        for i in range(self.referrals.count()):
            item = self.referrals.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def set_referrals(self, codes: list[str]) -> None:
        for i in range(self.referrals.count()):
            item = self.referrals.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in codes
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def is_dirty(self) -> bool:
        return not self._saved and self.state() != self._baseline

    @property
    def draft_name(self) -> str:
        return draft_name(self.contact_id)

    def keep_draft(self) -> bool:
        """Store what is typed as an encrypted draft (or drop the draft when nothing is)."""
        if self._saved:
            return False
        name, dirty = self.draft_name, self.is_dirty()
        payload = json.dumps(self.state()) if dirty else ""
        journal = self.journal

        def keep() -> None:
            if dirty:
                journal.save_draft(name, payload)
            else:
                journal.delete_draft(name)

        def failed(exc: BaseException) -> None:
            log.error("could not keep the entry draft: %s", type(exc).__name__)

        self.session.runner.write(keep, lambda _r: None, failed)
        return dirty

    def clear_form(self) -> None:
        """Start over: defaults again, and the stored draft is forgotten."""
        for chip in list(self._chips):
            self.remove_student(chip.student_id)
        self.notes.clear()
        self.tags.clear()
        self.set_referrals([])
        self.follow_check.setChecked(False)
        self.follow_what.clear()
        self.initiated.setCurrentIndex(0)
        self.outcome.setCurrentIndex(0)
        self.attendees.setValue(0)
        self.template_combo.setCurrentIndex(0)
        if self.contact_id is None:
            self._set_defaults()
        else:
            self.set_input(self.journal.contact(self.contact_id).to_input())
        self._baseline = self.state()
        self.draft_banner.setVisible(False)
        for e in (
            self.school_error,
            self.type_error,
            self.students_error,
            self.follow_error,
            self.form_error,
        ):
            e.set_message("")
        name = self.draft_name
        self.session.runner.write(
            lambda: self.journal.delete_draft(name),
            lambda _r: None,
            lambda exc: self.form_error.set_message(user_message(exc)),
        )
        self.when.setFocus()

    # -- saving --------------------------------------------------------------------------------
    def validate(self) -> bool:
        ok = True
        for e in (self.school_error, self.type_error, self.follow_error, self.form_error):
            e.set_message("")
        if not self.school.currentText().strip():
            self.school_error.set_message("Choose a school or type a new one.")
            ok = False
        if not self.type_combo.currentData():
            self.type_error.set_message("Choose a contact type.")
            ok = False
        if self.follow_check.isChecked():
            due = self.follow_date.date()
            if due < self.when.date():
                self.follow_error.set_message("The follow-up date is before the contact.")
                ok = False
        if self.create_panel.isVisible() and self.new_alias.text().strip():
            self.students_error.set_message("Create or cancel the new student first.")
            ok = False
        return ok

    def build_input(self, school_id: int) -> ContactInput:
        occurred = pydatetime(self.when.dateTime())
        group = self.attendees.isEnabled()
        return ContactInput(
            occurred_at=occurred,
            school_id=school_id,
            type_code=str(self.type_combo.currentData()),
            students=tuple(ContactStudent(sid, role) for sid, role in self.student_entries()),
            duration_min=self.duration.value(),
            initiated_by=self.initiated.currentData(),
            outcome=self.outcome.currentData(),
            referrals=tuple(self.checked_referrals()),
            tags=tuple(_split_tags(self.tags.text())),
            notes=self.notes.toPlainText().strip(),
            attendees=self.attendees.value() if group and self.attendees.value() > 0 else None,
        )

    def value(self) -> EntryDraft:
        """What would be saved: the entry, its school by name, its follow-up, its draft."""
        follow_up = None
        if self.follow_check.isChecked():
            follow_up = FollowUpRequest(
                pydate(self.follow_date.date()),
                self.follow_what.text().strip() or f"Follow up: {self.type_combo.currentText()}",
            )
        return EntryDraft(
            contact=self.build_input(0),
            contact_id=self.contact_id,
            school_name=self.school.currentText(),
            follow_up=follow_up,
            case_ids=self.case_ids,
            draft_name=self.draft_name,
        )

    def save(self, *, keep_open: bool = False) -> int | None:
        """Save through the session's writer. Returns the contact id when saved at once; while
        background work runs, the save waits its turn and the dialog stays open until then."""
        if self._saving:
            return None
        if not self.validate():
            self._focus_first_error()
            return None
        draft = self.value()
        self.saved_id = None

        def done(result: Done[int]) -> None:
            self._set_saving(False)
            cid = self.session.applied(result)
            self.saved_id = cid
            self.case_ids = ()  # "Save & new" goes on with unrelated entries
            if result.changes & Change.SCHOOLS:
                self._load_choices_keep_school()
            self.saved.emit(cid)
            if keep_open:
                self.clear_form()
                self.student_search.setFocus()
            else:
                self._saved = True
                self.accept()

        def failed(exc: BaseException) -> None:
            self._set_saving(False)
            self.form_error.set_message(user_message(exc))

        self._set_saving(True)
        if (
            not self.session.runner.write(
                lambda: entries.save_entry(self.journal, draft), done, failed
            )
            and self._saving
        ):
            self.form_error.set_message("Saving as soon as the task in progress finishes…")
        return self.saved_id

    def _set_saving(self, on: bool) -> None:
        self._saving = on
        for b in (self.save_btn, self.save_new_btn):
            b.setEnabled(not on)

    def _load_choices_keep_school(self) -> None:
        text = self.school.currentText()
        self.school.clear()
        for s in self.journal.schools():
            self.school.addItem(s.name, s.id)
        i = self.school.findText(text)
        if i >= 0:
            self.school.setCurrentIndex(i)

    def _focus_first_error(self) -> None:
        for err, w in (
            (self.school_error, self.school),
            (self.type_error, self.type_combo),
            (self.students_error, self.new_alias),
            (self.follow_error, self.follow_date),
        ):
            if err.isVisible() or err.text():
                w.setFocus()
                return

    # -- closing never loses text --------------------------------------------------------------
    def reject(self) -> None:
        self.keep_draft()
        self._saved = True  # the draft is stored; closeEvent must not store it again
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._saved:
            self.keep_draft()
            self._saved = True
        super().closeEvent(event)

    def close_keeping_draft(self) -> bool:
        """Used on lock: store the draft and close without a question. True if one was kept."""
        kept = self.keep_draft()
        self._saved = True
        self.done(QDialog.DialogCode.Rejected)
        return kept


def _split_tags(text: str) -> list[str]:
    out: list[str] = []
    for t in text.split(","):
        t = " ".join(t.split())
        if t and t not in out:
            out.append(t)
    return out
