"""The quick-entry dialog (Ctrl+N), built for logging the day's contacts from the keyboard.

The officer types an alias and Enter for each student (a new alias becomes a new student in the
entry's school; its grade is typed as text: K or 1–12), Tab, a few letters of the type, Tab, a
few letters of the outcome, Tab, the notes, and Ctrl+Enter. Every other field starts from a
sensible default (now, the last school, the last type, the minutes such a contact takes). Type-
ahead lists never take the keyboard (``ui/common/choice.py``); dates and times are typed as text.

Before saving, the dialog asks once (in the window, with the keyboard) when something looks
forgotten (no notes, 0 minutes) and offers to open a conflict case for a conflict with parties.

Non-modal (``show()``). It never asks "discard changes?": when it closes without saving (Esc,
the window closing, the app locking) whatever was typed is kept as an encrypted draft inside the
vault and comes back the next time the same entry is opened.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from srojournal.domain import cases, taxonomy
from srojournal.domain import entries as rules
from srojournal.domain.errors import InvalidInput, UserError
from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.domain.settings import SPELL_CHECK
from srojournal.domain.taxonomy import ContactType
from srojournal.domain.text import normalize_alias
from srojournal.ops import entries, spelling
from srojournal.ops.changes import Change, Done
from srojournal.ops.entries import CaseRequest, EntryDraft, EntryStudent, FollowUpRequest
from srojournal.ui.common.choice import ChoiceEdit, SuggestionPopup
from srojournal.ui.common.dates import DateField, TimeField
from srojournal.ui.common.error_label import ErrorLabel
from srojournal.ui.common.flow import FlowLayout
from srojournal.ui.common.runner import user_message
from srojournal.ui.common.spelling import NotesEdit
from srojournal.ui.common.students import StudentSearchEdit
from srojournal.ui.session import Session
from srojournal.ui.widgets import button, label, primary_button

log = logging.getLogger("srojournal.ui.entry")

DRAFT_NEW = "entry:new"
INITIATOR_LABELS = {"student": "Student", "staff": "Staff", "parent": "Parent", "sro": "SRO"}
DRAFT_VERSION = 2
MAX_HEIGHT = 700  # fits a 768-pixel-high screen with its panel and the window's title bar
HEIGHT = 660  # room for a few students and a conflict's agreement without scrolling


def draft_name(contact_id: int | None) -> str:
    return DRAFT_NEW if contact_id is None else f"entry:edit:{contact_id}"


def round_to_5(t: dt.datetime) -> dt.datetime:
    """The nearest 5 minutes (12:02 → 12:00, 12:03 → 12:05)."""
    t = t.replace(second=0, microsecond=0)
    minutes = (t.minute + 2) // 5 * 5
    return t.replace(minute=0) + dt.timedelta(minutes=minutes)


def _valid_grade_prefix(text: str) -> bool:
    t = text.strip().upper()
    return t == "" or any(g.startswith(t) for g in taxonomy.GRADES)


class GradeEdit(QLineEdit):
    """A new student's grade, typed: ``K`` or ``1``–``12``.

    Enter (or a space or comma after a grade) confirms it (``confirmed``). A key that cannot be
    part of a grade means the officer is typing the next alias already: what was typed here and
    that key move on (``overflow(text)``), so nothing lands in the wrong field.
    """

    confirmed = Signal()
    overflow = Signal(str)

    def __init__(self, alias: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(f"Grade of {alias} (K or 1 to 12)")
        self.setPlaceholderText("Grade")
        self.setToolTip("K or 1–12, then Enter (leave empty when unknown)")
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("Grade") + 28)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key, text = event.key(), event.text()
        mods = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not mods:
            event.accept()
            self.confirmed.emit()
            return
        if mods or not text or not text.isprintable():
            super().keyPressEvent(event)
            return
        if text in " ,;" and self.text().strip():
            event.accept()
            self.confirmed.emit()
            return
        typed = self.text()[: self.cursorPosition()] + text + self.text()[self.cursorPosition() :]
        if self.hasSelectedText():
            typed = self.text().replace(self.selectedText(), text, 1)
        if _valid_grade_prefix(typed):
            super().keyPressEvent(event)
            return
        event.accept()
        moved = self.text() + text
        self.clear()
        self.overflow.emit(moved)

    def grade(self) -> str | None:
        return taxonomy.normalize_grade(self.text()) if self.text().strip() else None


class StudentChip(QFrame):
    """One student of the entry: who, whether a party, (new student) the grade, remove."""

    removed = Signal(object)  # the chip

    def __init__(
        self,
        text: str,
        role: str,
        *,
        student_id: int | None = None,
        alias: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("role", "chip")
        self.student_id = student_id
        self.alias = alias
        self.role_set = False  # the officer chose the role (a type change then leaves it)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 2, 4, 2)
        lay.setSpacing(6)
        self.name = QLabel(text)
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.name)
        self.grade_edit: GradeEdit | None = None
        if student_id is None:
            self.grade_edit = GradeEdit(alias)
            lay.addWidget(self.grade_edit)
        who = alias or text
        self.party = QCheckBox("Party")
        self.party.setAccessibleName(f"{who} is a party to the conflict")
        self.party.setChecked(role == "party")
        self.party.clicked.connect(self._role_clicked)
        lay.addWidget(self.party)
        self.remove_btn = button("✕", f"Remove {who}", flat=True)
        self.remove_btn.setToolTip(f"Remove {who} from this entry")
        self.remove_btn.clicked.connect(lambda: self.removed.emit(self))
        lay.addWidget(self.remove_btn)

    def _role_clicked(self) -> None:
        self.role_set = True

    @property
    def role_code(self) -> str:
        return "party" if self.party.isChecked() else "participant"

    def set_role(self, role: str) -> None:
        self.party.setChecked(role == "party")

    def controls(self) -> list[QWidget]:
        return [w for w in (self.grade_edit, self.party, self.remove_btn) if w is not None]

    def entry_student(self) -> EntryStudent:
        grade = None
        if self.grade_edit is not None:
            try:
                grade = self.grade_edit.grade()
            except ValueError:
                raise InvalidInput(f"The grade of {self.alias} must be K or 1–12.") from None
        return EntryStudent(self.student_id, self.role_code, self.alias, grade)

    def state(self) -> dict[str, Any]:
        return {
            "id": self.student_id,
            "alias": self.alias,
            "role": self.role_code,
            "role_set": self.role_set,
            "grade": self.grade_edit.text() if self.grade_edit is not None else "",
        }


class TagsEdit(QLineEdit):
    """Comma-separated tags; the tag being typed is completed from the tags already used
    (Down highlights one, Enter or Tab takes it), never from a list that takes the focus."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.known: list[str] = []
        self._shown: list[str] = []
        self.popup = SuggestionPopup(self)
        self.popup.picked.connect(self._take)
        self.textEdited.connect(self._suggest)

    def _suggest(self, text: str) -> None:
        head, _, last = text.rpartition(",")
        word = last.strip().casefold()
        used = {t.strip().casefold() for t in head.split(",")}
        self._shown = [
            t for t in self.known if word and t.casefold().startswith(word) and t not in used
        ][:8]
        if self._shown and self.hasFocus():
            self.popup.show_items(self._shown, -1)
        else:
            self.popup.hide()

    def _take(self, row: int) -> None:
        if 0 <= row < len(self._shown):
            head = self.text().rpartition(",")[0]
            self.setText((head + ", " if head else "") + self._shown[row])
        self.popup.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        if self.popup.isVisible() and not event.modifiers():
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self.popup.move_highlight(1 if key == Qt.Key.Key_Down else -1)
                event.accept()
                return
            if key == Qt.Key.Key_Escape:
                self.popup.hide()
                event.accept()
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.popup.highlighted() >= 0:
                self._take(self.popup.highlighted())
                event.accept()
                return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if self.popup.highlighted() >= 0 and event.reason() == Qt.FocusReason.TabFocusReason:
            self._take(self.popup.highlighted())
        self.popup.hide()
        super().focusOutEvent(event)


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
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("QuickEntryDialog")
        self.session = session
        self.journal = session.journal
        self.contact_id = contact_id
        # Conflict cases the entry belongs to (it was logged from a case); the first save links it.
        self.case_ids = case_ids
        self.now = now or session.now
        self._saved = False
        self._saving = False
        self._loading = False
        self._duration_set = False  # the officer typed a duration: a type change keeps it
        self._follow_set = False  # the officer typed a follow-up date
        self._asked: dict[str, Any] | None = None  # the question on screen (see ``save``)
        self.saved_id: int | None = None  # the contact id of the last save
        self._chips: list[StudentChip] = []
        self._types: dict[str, ContactType] = {}
        self.setWindowTitle("Edit entry" if contact_id is not None else "New entry")
        self.setAccessibleName(self.windowTitle())
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self._build()
        self._load_choices()
        self._loading = True
        self._set_defaults()
        if contact_id is not None:
            self.set_input(self.journal.contact(contact_id).to_input())
        elif prefill is not None:
            self.set_input(prefill)
        if case_ids and not self.agreement.toPlainText():
            self.agreement.setPlainText(self._case_terms(case_ids))
        self._loading = False
        self._baseline = self.state()
        self.restored_draft = False
        if restore_draft:
            payload = self.journal.load_draft(self.draft_name)
            if payload:
                try:
                    self.restore_state(json.loads(payload))
                    self.restored_draft = True
                except (ValueError, TypeError, KeyError, AttributeError):
                    log.warning("a saved draft could not be read; it was left in place")
        self.draft_banner.setVisible(self.restored_draft)
        self._fit_to_screen()

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form = QWidget()
        self.form.setObjectName("QuickEntryForm")
        root = QVBoxLayout(self.form)
        root.setContentsMargins(18, 12, 18, 8)
        root.setSpacing(6)
        self.scroller.setWidget(self.form)
        outer.addWidget(self.scroller, 1)

        self.draft_banner = label("Restored what you were typing before.", "warning")
        self.draft_banner.setAccessibleName("Draft restored")
        root.addWidget(self.draft_banner)

        g = QGridLayout()
        g.setHorizontalSpacing(8)
        g.setVerticalSpacing(6)
        g.setColumnStretch(1, 1)
        g.setColumnStretch(3, 1)
        self.grid = g

        def caption(text: str, buddy: QWidget, *, top: bool = False) -> QLabel:
            lbl = label(text, buddy=buddy)
            align = Qt.AlignmentFlag.AlignTop if top else Qt.AlignmentFlag.AlignVCenter
            lbl.setAlignment(Qt.AlignmentFlag.AlignRight | align)
            return lbl

        # Row 0–2: the students (type an alias, Enter), their chips and their problems.
        self.student_search = StudentSearchEdit("Students: type an alias and press Enter")
        self.student_search.setPlaceholderText(
            "Type an alias, Enter (a new alias makes a new student)"
        )
        self.student_search.student_chosen.connect(self._on_student_chosen)
        self.student_search.create_requested.connect(self.add_new_student)
        self.student_search.empty_return.connect(self._next_after_students)
        g.addWidget(caption("&Students", self.student_search), 0, 0)
        g.addWidget(self.student_search, 0, 1, 1, 3)
        self.chips_box = QWidget()
        self.chips_box.setObjectName("StudentChips")
        self.chips_layout = FlowLayout(self.chips_box, spacing=6)
        g.addWidget(self.chips_box, 1, 1, 1, 3)
        self.students_error = ErrorLabel("Students problem")
        g.addWidget(self.students_error, 2, 1, 1, 3)

        # Row 3–4: type and outcome.
        self.type_edit = ChoiceEdit("Contact type")
        self.type_edit.setPlaceholderText("Type a few letters, e.g. ment")
        self.type_edit.value_changed.connect(self._on_type_changed)
        self.outcome = ChoiceEdit("Outcome")
        self.outcome.setPlaceholderText("e.g. res, ref, agr")
        self.outcome.set_choices([(o.label, o.code) for o in taxonomy.OUTCOMES])
        self.outcome.value_changed.connect(self._on_outcome_changed)
        g.addWidget(caption("T&ype", self.type_edit), 3, 0)
        g.addWidget(self.type_edit, 3, 1)
        g.addWidget(caption("&Outcome", self.outcome), 3, 2)
        g.addWidget(self.outcome, 3, 3)
        self.type_error = ErrorLabel("Type or outcome problem")
        g.addWidget(self.type_error, 4, 1, 1, 3)

        # Row 5–6: notes, and the agreement of a conflict.
        self.notes = NotesEdit("Notes", lines=5)
        self.notes.setPlaceholderText("What happened (stays encrypted in the vault)")
        self.notes.setMinimumHeight(96)
        g.addWidget(caption("&Notes", self.notes, top=True), 5, 0)
        g.addWidget(self.notes, 5, 1, 1, 3)
        g.setRowStretch(5, 1)
        self.agreement = NotesEdit("Agreement terms", lines=2)
        self.agreement.setPlaceholderText("What the parties agreed to (kept with the case)")
        self.agreement.setFixedHeight(52)
        self.agreement_label = caption("&Agreement", self.agreement, top=True)
        g.addWidget(self.agreement_label, 6, 0)
        g.addWidget(self.agreement, 6, 1, 1, 3)

        # Row 7–8: when and how long; where and who started it.
        self.when_date = DateField("Date of the contact", side="past", today=self._today)
        self.when_time = TimeField("Time of the contact")
        self.duration = QSpinBox()
        self.duration.setAccessibleName("Duration in minutes")
        self.duration.setRange(0, 24 * 60)
        self.duration.setSingleStep(5)
        self.duration.setSuffix(" min")
        self.duration.valueChanged.connect(self._on_duration_changed)
        when_row = QHBoxLayout()
        when_row.setSpacing(6)
        when_row.addWidget(self.when_date, 3)
        when_row.addWidget(self.when_time, 2)
        g.addWidget(caption("&When", self.when_date), 7, 0)
        g.addLayout(when_row, 7, 1)
        g.addWidget(caption("&Duration", self.duration), 7, 2)
        g.addWidget(self.duration, 7, 3)
        self.school = ChoiceEdit("School", free_text=True)
        self.school.setPlaceholderText("Choose or type a new school")
        g.addWidget(caption("S&chool", self.school), 8, 0)
        g.addWidget(self.school, 8, 1)
        self.initiated = ChoiceEdit("Initiated by")
        self.initiated.set_choices([(INITIATOR_LABELS[c], c) for c in taxonomy.INITIATORS])
        self.initiated.setPlaceholderText("Student, staff, parent or SRO")
        g.addWidget(caption("&Initiated by", self.initiated), 8, 2)
        g.addWidget(self.initiated, 8, 3)
        self.when_error = ErrorLabel("When or where problem")
        g.addWidget(self.when_error, 9, 1, 1, 3)

        # Row 10–11: the follow-up.
        self.follow_date = DateField(
            "Follow-up date", side="future", optional=True, today=self._today
        )
        self.follow_date.setPlaceholderText("No follow-up")
        self.follow_date.textEdited.connect(self._on_follow_typed)
        self.follow_what = QLineEdit()
        self.follow_what.setAccessibleName("Follow-up: what to do")
        self.follow_what.setPlaceholderText("What to follow up on")
        g.addWidget(caption("Follow &up on", self.follow_date), 10, 0)
        g.addWidget(self.follow_date, 10, 1)
        g.addWidget(caption("W&hat", self.follow_what), 10, 2)
        g.addWidget(self.follow_what, 10, 3)
        self.follow_error = ErrorLabel("Follow-up problem")
        g.addWidget(self.follow_error, 11, 1, 1, 3)

        # Row 12: a template; the attendees of a group activity.
        self.template = ChoiceEdit("Template")
        self.template.setPlaceholderText("Fills type, outcome, minutes and tags")
        self.template.committed.connect(self._apply_template)
        g.addWidget(caption("Te&mplate", self.template), 12, 0)
        g.addWidget(self.template, 12, 1)
        self.attendees = QSpinBox()
        self.attendees.setAccessibleName("Attendees")
        self.attendees.setRange(0, 100_000)
        self.attendees.setSpecialValueText("—")
        self.attendees_label = caption("Atte&ndees", self.attendees)
        g.addWidget(self.attendees_label, 12, 2)
        g.addWidget(self.attendees, 12, 3)

        # Row 13: referrals and tags.
        self.referrals = QListWidget()
        self.referrals.setAccessibleName("Referrals")
        for code, lbl in taxonomy.REFERRAL_TARGETS.items():
            item = QListWidgetItem(lbl)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.referrals.addItem(item)
        self.referrals.setFixedHeight(76)
        self.referrals.setToolTip("Space ticks the highlighted referral")
        self.tags = TagsEdit("Tags")
        self.tags.setPlaceholderText("Comma-separated, e.g. lunch, 8th grade")
        g.addWidget(caption("&Referrals", self.referrals, top=True), 13, 0)
        g.addWidget(self.referrals, 13, 1)
        g.addWidget(caption("Ta&gs", self.tags, top=True), 13, 2)
        g.addWidget(self.tags, 13, 3, Qt.AlignmentFlag.AlignTop)
        root.addLayout(g, 1)

        # The question asked before saving (something forgotten, a case to open).
        self.ask_bar = QFrame()
        self.ask_bar.setObjectName("AskBar")
        self.ask_bar.setProperty("role", "card")
        ask = QVBoxLayout(self.ask_bar)
        ask.setContentsMargins(10, 8, 10, 8)
        ask.setSpacing(6)
        self.ask_text = label("", "warning")
        self.ask_text.setAccessibleName("Before saving")
        ask.addWidget(self.ask_text)
        ask_buttons = QHBoxLayout()
        self.ask_case_btn = primary_button("Save and open case", "Save and open a conflict case")
        self.ask_case_btn.clicked.connect(lambda: self._answer(save=True, open_case=True))
        self.ask_save_btn = button("Save", "Save without asking again")
        self.ask_save_btn.clicked.connect(lambda: self._answer(save=True, open_case=False))
        self.ask_back_btn = button("Back to the entry", "Back to the entry")
        self.ask_back_btn.clicked.connect(lambda: self._answer(save=False, open_case=False))
        for b in (self.ask_case_btn, self.ask_save_btn, self.ask_back_btn):
            ask_buttons.addWidget(b)
        ask_buttons.addStretch(1)
        ask.addLayout(ask_buttons)
        self.ask_bar.setVisible(False)
        root.addWidget(self.ask_bar)
        self.form_error = ErrorLabel("Entry problem")
        root.addWidget(self.form_error)

        bar = QWidget()
        bar.setObjectName("QuickEntryButtons")
        buttons = QHBoxLayout(bar)
        buttons.setContentsMargins(18, 6, 18, 12)
        self.clear_btn = button("C&lear form", "Clear form")
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
        outer.addWidget(bar)

        self._fix_tab_order()

    def _fit_to_screen(self) -> None:
        """At most 700 px high, and never taller than the screen (the form scrolls then)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().height() - 40 if screen is not None else HEIGHT
        width = screen.availableGeometry().width() - 40 if screen is not None else 780
        self.resize(min(780, width), max(360, min(HEIGHT, MAX_HEIGHT, room)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Ctrl+Enter saves from any field, even one that would take Enter itself (notes)."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                if self._asked is not None:
                    self._answer(save=True, open_case=self._asked["case"])
                else:
                    self.save(keep_open=shift and self.contact_id is None)
                return True
        return False

    def tab_order(self) -> list[QWidget]:
        """The fields in the order Tab visits them: the everyday ones first (students, type,
        outcome, notes), then the rest, then each student's own controls, then the buttons."""
        order: list[QWidget] = [self.student_search, self.type_edit, self.outcome, self.notes]
        if not self.agreement.isHidden():
            order.append(self.agreement)
        order += [self.when_date, self.when_time, self.duration, self.school, self.initiated]
        order += [self.follow_date, self.follow_what, self.template]
        if not self.attendees.isHidden():
            order.append(self.attendees)
        order += [self.referrals, self.tags]
        for chip in self._chips:
            order += chip.controls()
        if not self.ask_bar.isHidden():
            order += [b for b in (self.ask_case_btn, self.ask_save_btn) if not b.isHidden()]
            order.append(self.ask_back_btn)
        order += [self.save_btn]
        if self.contact_id is None:
            order.append(self.save_new_btn)
        order += [self.cancel_btn, self.clear_btn]
        return order

    def _fix_tab_order(self) -> None:
        for a, b in itertools.pairwise(self.tab_order()):
            QWidget.setTabOrder(a, b)
        for w in self.findChildren(QWidget):
            if w.focusPolicy() != Qt.FocusPolicy.NoFocus and not w.property("_keys"):
                w.setProperty("_keys", True)
                w.installEventFilter(self)

    # -- choices and defaults ------------------------------------------------------------------
    def _today(self) -> dt.date:
        return self.now().date()

    def _load_choices(self) -> None:
        j = self.journal
        self._templates = {t.id: t for t in j.templates()}
        self.template.set_choices([(t.name, t.id) for t in self._templates.values()])
        self.school.set_choices([(s.name, s.id) for s in j.schools()])
        self._load_types(None)
        self.tags.known = j.tags()
        self.student_search.set_journal(j)
        self._load_spelling()

    def _load_spelling(self) -> None:
        on = SPELL_CHECK.read(self.journal)
        words = self.session.spelling_words() if on else frozenset()
        for edit in (self.notes, self.agreement):
            edit.set_spelling(on, words)
            if not edit.property("_words"):
                edit.setProperty("_words", True)
                edit.word_added.connect(self._add_word)

    def _add_word(self, word: str) -> None:
        """A word added to the dictionary: kept in the vault; both fields accept it now."""
        for edit in (self.notes, self.agreement):
            edit.extra.add(word.lower())
            if edit.highlighter is not None:
                edit.highlighter.rehighlight()
        self.session.runner.write(
            lambda: spelling.add_word(self.journal, word),
            self.session.applied,
            lambda exc: self.form_error.set_message(user_message(exc)),
        )

    def _load_types(self, keep_code: str | None) -> None:
        self._types = {t.code: t for t in self.journal.contact_types()}
        items: list[tuple[str, str]] = []
        for cat in taxonomy.CATEGORIES:
            items += [
                (t.label, t.code)
                for t in self._types.values()
                if t.category == cat and (not t.retired or t.code == keep_code)
            ]
        self.type_edit.set_choices(items)

    def _type(self) -> ContactType | None:
        code = self.type_edit.value()
        return self._types.get(code) if code else None

    def _set_defaults(self) -> None:
        start = round_to_5(self.now())
        self.when_date.set_value(start.date())
        self.when_time.set_value(start.time())
        school_id, type_code = self.journal.last_used()
        schools = self.school.choices()
        if school_id is not None and self.school.label_of(school_id):
            self.school.set_value(school_id)
        elif len(schools) == 1:
            self.school.set_value(schools[0][1])
        else:
            self.school.clear()
        self._select_type(type_code or "relationship")
        self._set_duration(rules.default_minutes(self._type()))
        self._duration_set = False
        self._on_type_changed()

    def _select_type(self, code: str | None) -> None:
        if code is not None and not self.type_edit.label_of(code):
            self._load_types(code)
        self.type_edit.set_value(code)

    def _set_duration(self, minutes: int) -> None:
        loading, self._loading = self._loading, True
        self.duration.setValue(minutes)
        self._loading = loading

    def _on_duration_changed(self, _value: int) -> None:
        if not self._loading:
            self._duration_set = True

    def _on_type_changed(self, *_args: Any) -> None:
        t = self._type()
        if not self._loading and not self._duration_set and t is not None:
            self._set_duration(rules.default_minutes(t))
        role = rules.default_role(t)
        for chip in self._chips:
            if not chip.role_set:
                chip.set_role(role)
        conflict = rules.is_conflict(t) or bool(self.agreement.toPlainText().strip())
        self.agreement.setVisible(conflict)
        self.agreement_label.setVisible(conflict)
        group = t is not None and t.group_activity
        self.attendees.setVisible(group)
        self.attendees_label.setVisible(group)
        self._fix_tab_order()

    def _on_outcome_changed(self, outcome: Any) -> None:
        if self._loading or self._follow_set or self.follow_date.text().strip():
            return
        day = self.when_date.value_or_none() or self._today()
        due = rules.default_follow_up(outcome, day)
        if due is not None:
            self.follow_date.set_value(due)

    def _on_follow_typed(self, _text: str) -> None:
        self._follow_set = True

    def _apply_template(self) -> None:
        t = self._templates.get(self.template.value())
        if t is None:
            return
        self._select_type(t.type_code)
        if t.duration_min is not None:
            self._set_duration(t.duration_min)
            self._duration_set = True
        if t.initiated_by:
            self.initiated.set_value(t.initiated_by)
        if t.outcome:
            self.outcome.set_value(t.outcome)
        if t.notes and not self.notes.toPlainText().strip():
            self.notes.setPlainText(t.notes)
        if t.tags:
            tags = _split_tags(self.tags.text())
            tags += [x for x in t.tags if x not in tags]
            self.tags.setText(", ".join(tags))

    def _case_terms(self, case_ids: tuple[int, ...]) -> str:
        for cid in case_ids:
            try:
                terms = self.journal.conflict_case(cid).terms
            except UserError:
                continue
            if terms:
                return terms
        return ""

    # -- students ------------------------------------------------------------------------------
    def _next_after_students(self) -> None:
        self.type_edit.setFocus(Qt.FocusReason.TabFocusReason)

    def _on_student_chosen(self, student_id: int) -> None:
        self.add_student(student_id)
        self.student_search.clear()
        self.student_search.setFocus()

    def _has(self, student_id: int | None, alias: str) -> bool:
        key = normalize_alias(alias)
        for c in self._chips:
            if student_id is not None and c.student_id == student_id:
                return True
            if student_id is None and c.student_id is None and normalize_alias(c.alias) == key:
                return True
        return False

    def add_student(self, student_id: int, role: str | None = None) -> StudentChip | None:
        if self._has(student_id, ""):
            self.students_error.set_message("That student is already in this entry.")
            return None
        try:
            s = self.journal.student(student_id)
        except UserError:
            return None
        self.students_error.set_message("")
        chip = StudentChip(
            self.student_search.label_for(s),
            role or rules.default_role(self._type()),
            student_id=student_id,
            alias=s.alias,
        )
        if role is not None:
            chip.role_set = role != rules.default_role(self._type())
        return self._add_chip(chip)

    def add_new_student(
        self, alias: str, *, role: str | None = None, grade: str = "", focus: bool = True
    ) -> StudentChip | None:
        """A student not in the journal yet: created in the entry's school when it is saved.
        The focus goes to its grade (typed: K or 1–12, then Enter)."""
        alias = " ".join(alias.split())
        if not alias:
            return None
        if self._has(None, alias):
            self.students_error.set_message("That student is already in this entry.")
            return None
        self.students_error.set_message("")
        chip = StudentChip(f"{alias} (new)", role or rules.default_role(self._type()), alias=alias)
        assert chip.grade_edit is not None
        chip.grade_edit.setText(grade)
        chip.grade_edit.confirmed.connect(self._back_to_students)
        chip.grade_edit.overflow.connect(self._grade_overflow)
        self._add_chip(chip)
        self.student_search.clear()
        if focus:
            chip.grade_edit.setFocus()
        return chip

    def _add_chip(self, chip: StudentChip) -> StudentChip:
        chip.removed.connect(self.remove_chip)
        self._chips.append(chip)
        self.chips_layout.addWidget(chip)
        self.chips_box.updateGeometry()
        self._fix_tab_order()
        return chip

    def _back_to_students(self) -> None:
        self.student_search.setFocus()

    def _grade_overflow(self, text: str) -> None:
        """Keys typed into a grade that make no grade: the start of the next alias."""
        self.student_search.setFocus()
        self.student_search.insert(text)
        self.student_search.textEdited.emit(self.student_search.text())

    def remove_chip(self, chip: StudentChip) -> None:
        if chip in self._chips:
            self._chips.remove(chip)
            chip.setParent(None)
            chip.deleteLater()
        self._fix_tab_order()
        self.student_search.setFocus()

    def remove_student(self, student_id: int) -> None:
        for chip in list(self._chips):
            if chip.student_id == student_id:
                self.remove_chip(chip)

    def student_entries(self) -> list[tuple[int | None, str]]:
        return [(c.student_id, c.role_code) for c in self._chips]

    # -- state (drafts) ------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {
            "version": DRAFT_VERSION,
            "contact_id": self.contact_id,
            "date": self.when_date.text(),
            "time": self.when_time.text(),
            "duration": self.duration.value(),
            "school": self.school.text(),
            "type": self.type_edit.value(),
            "type_text": self.type_edit.text(),
            "students": [c.state() for c in self._chips],
            "initiated_text": self.initiated.text(),
            "outcome_text": self.outcome.text(),
            "attendees": self.attendees.value(),
            "follow_date": self.follow_date.text(),
            "follow_what": self.follow_what.text(),
            "referrals": self.checked_referrals(),
            "tags": self.tags.text(),
            "notes": self.notes.toPlainText(),
            "agreement": self.agreement.toPlainText(),
            "template_text": self.template.text(),
        }

    def restore_state(self, s: dict[str, Any]) -> None:
        self._loading = True
        try:
            if int(s.get("version") or 1) < DRAFT_VERSION:
                s = _upgrade_draft(s)
            self.when_date.setText(str(s.get("date") or ""))
            self.when_time.setText(str(s.get("time") or ""))
            self.school.setText(str(s.get("school") or ""))
            if s.get("type"):
                self._select_type(str(s["type"]))
            if s.get("type_text") is not None:
                self.type_edit.setText(str(s["type_text"]))
            self.duration.setValue(int(s.get("duration") or 0))
            self._duration_set = True
            for old in list(self._chips):
                self.remove_chip(old)
            for st in s.get("students") or []:
                role = str(st.get("role") or "participant")
                chip: StudentChip | None
                if st.get("id") is not None:
                    chip = self.add_student(int(st["id"]), role)
                else:
                    chip = self.add_new_student(
                        str(st.get("alias") or ""),
                        role=role,
                        grade=str(st.get("grade") or ""),
                        focus=False,
                    )
                if chip is not None:
                    chip.role_set = bool(st.get("role_set"))
            self.initiated.setText(str(s.get("initiated_text") or ""))
            self.outcome.setText(str(s.get("outcome_text") or ""))
            self.attendees.setValue(int(s.get("attendees") or 0))
            self.follow_date.setText(str(s.get("follow_date") or ""))
            self._follow_set = bool(s.get("follow_date"))
            self.follow_what.setText(str(s.get("follow_what") or ""))
            self.set_referrals(list(s.get("referrals") or []))
            self.tags.setText(str(s.get("tags") or ""))
            self.notes.setPlainText(str(s.get("notes") or ""))
            self.agreement.setPlainText(str(s.get("agreement") or ""))
            self.template.setText(str(s.get("template_text") or ""))
        finally:
            self._loading = False
        self._on_type_changed()

    def set_input(self, data: ContactInput) -> None:
        self.when_date.set_value(data.occurred_at.date())
        self.when_time.set_value(data.occurred_at.time())
        if not self.school.label_of(data.school_id):
            names = {s.id: s.name for s in self.journal.schools(include_inactive=True)}
            if data.school_id in names:
                self.school.set_choices(
                    [*self.school.choices(), (names[data.school_id], data.school_id)]
                )
        self.school.set_value(data.school_id)
        self._select_type(data.type_code)
        if data.duration_min is not None:
            self._set_duration(data.duration_min)
            self._duration_set = True
        else:
            self._set_duration(rules.default_minutes(self._type()))
        for chip in list(self._chips):
            self.remove_chip(chip)
        for cs in data.students:
            self.add_student(cs.student_id, cs.role)
        self.initiated.set_value(data.initiated_by)
        self.outcome.set_value(data.outcome)
        self.attendees.setValue(data.attendees or 0)
        self.set_referrals(list(data.referrals))
        self.tags.setText(", ".join(data.tags))
        self.notes.setPlainText(data.notes)
        if self.contact_id is not None:
            linked = tuple(
                c.id for c in self.journal.conflict_cases() if self.contact_id in c.contact_ids
            )
            self.agreement.setPlainText(self._case_terms(linked))
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
        self._loading = True
        for chip in list(self._chips):
            self.remove_chip(chip)
        self.notes.clear()
        self.agreement.clear()
        self.tags.clear()
        self.set_referrals([])
        self.follow_date.set_value(None)
        self.follow_what.clear()
        self.initiated.clear()
        self.outcome.clear()
        self.attendees.setValue(0)
        self.template.clear()
        self._follow_set = False
        if self.contact_id is None:
            self._set_defaults()
        else:
            self.set_input(self.journal.contact(self.contact_id).to_input())
        self._loading = False
        self._on_type_changed()
        self._baseline = self.state()
        self.draft_banner.setVisible(False)
        self._hide_question()
        for e in (
            self.students_error,
            self.type_error,
            self.when_error,
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
        self.student_search.setFocus()

    # -- saving --------------------------------------------------------------------------------
    def _check(self) -> list[tuple[ErrorLabel, QWidget, str]]:
        """Every problem that stops the save: (where it is shown, the field, the message)."""
        found: list[tuple[ErrorLabel, QWidget, str]] = []
        for chip in self._chips:
            try:
                chip.entry_student()
            except InvalidInput as exc:
                found.append((self.students_error, chip.grade_edit or chip, exc.message))
        if self.type_edit.value() is None:
            text = self.type_edit.text().strip()
            msg = f"No contact type matches “{text}”." if text else "Choose a contact type."
            found.append((self.type_error, self.type_edit, msg))
        for field, what in ((self.outcome, "outcome"), (self.initiated, "choice")):
            if not field.is_valid():
                found.append((self.type_error, field, f"No {what} matches “{field.text()}”."))
        if not self.school.text().strip():
            found.append((self.when_error, self.school, "Choose a school or type a new one."))
        for f in (self.when_date, self.when_time):
            try:
                f.value()
            except InvalidInput as exc:
                found.append((self.when_error, f, exc.message))
        try:
            due = self.follow_date.value()
            day = self.when_date.value_or_none()
            if due is not None and day is not None and due < day:
                found.append(
                    (
                        self.follow_error,
                        self.follow_date,
                        "The follow-up date is before the contact.",
                    )
                )
        except InvalidInput as exc:
            found.append((self.follow_error, self.follow_date, exc.message))
        return found

    def validate(self) -> bool:
        for e in (
            self.students_error,
            self.type_error,
            self.when_error,
            self.follow_error,
            self.form_error,
        ):
            e.set_message("")
        problems = self._check()
        for err, _field, message in reversed(problems):
            err.set_message(message)
        if problems:
            problems[0][1].setFocus()
        return not problems

    def _parties(self) -> list[StudentChip]:
        return [c for c in self._chips if c.role_code == "party"]

    def _offers_case(self) -> bool:
        return (
            self.contact_id is None
            and not self.case_ids
            and rules.is_conflict(self._type())
            and len(self._parties()) >= cases.MIN_PARTIES
        )

    def build_input(self, school_id: int) -> ContactInput:
        day = self.when_date.value()
        assert day is not None
        occurred = dt.datetime.combine(day, self.when_time.value())
        t = self._type()
        group = t is not None and t.group_activity
        return ContactInput(
            occurred_at=occurred,
            school_id=school_id,
            type_code=str(self.type_edit.value()),
            students=tuple(
                ContactStudent(c.student_id, c.role_code)
                for c in self._chips
                if c.student_id is not None
            ),
            duration_min=self.duration.value(),
            initiated_by=self.initiated.value(),
            outcome=self.outcome.value(),
            referrals=tuple(self.checked_referrals()),
            tags=tuple(_split_tags(self.tags.text())),
            notes=self.notes.toPlainText().strip(),
            attendees=self.attendees.value() if group and self.attendees.value() > 0 else None,
        )

    def value(self, *, open_case: bool = False) -> EntryDraft:
        """What would be saved: the entry, its school by name, its new students, its follow-up,
        its agreement, the case it opens, its draft."""
        follow_up = None
        due = self.follow_date.value()
        if due is not None:
            follow_up = FollowUpRequest(
                due, self.follow_what.text().strip() or f"Follow up: {self.type_edit.text()}"
            )
        contact = self.build_input(0)
        new_case = None
        if open_case and self._offers_case():
            new_case = CaseRequest(
                check_date=contact.occurred_at.date() + dt.timedelta(days=cases.CHECK_AFTER_DAYS)
            )
        return EntryDraft(
            contact=contact,
            contact_id=self.contact_id,
            school_name=self.school.text(),
            follow_up=follow_up,
            case_ids=self.case_ids,
            draft_name=self.draft_name,
            students=tuple(c.entry_student() for c in self._chips),
            agreement=self.agreement.toPlainText() if not self.agreement.isHidden() else "",
            new_case=new_case,
        )

    def _question(self) -> dict[str, Any] | None:
        """What to ask before saving (None: nothing)."""
        warnings = rules.entry_warnings(
            self._type(), self.notes.toPlainText(), self.duration.value()
        )
        case = self._offers_case()
        if not warnings and not case:
            return None
        lines = list(warnings)
        if case:
            names = cases.title_for([c.alias for c in self._parties()])
            lines.append(f"Open a conflict case with {names} and these terms?")
        return {"text": " ".join(lines), "case": case, "warnings": bool(warnings)}

    def _show_question(self, q: dict[str, Any], keep_open: bool) -> None:
        self._asked = {**q, "keep_open": keep_open}
        self.ask_text.setText(q["text"])
        self.ask_case_btn.setVisible(q["case"])
        self.ask_save_btn.setText("Save without a case" if q["case"] else "Save anyway")
        self.ask_save_btn.setAccessibleName(self.ask_save_btn.text())
        self.ask_bar.setVisible(True)
        self._fix_tab_order()
        self.scroller.ensureWidgetVisible(self.ask_bar)
        (self.ask_case_btn if q["case"] else self.ask_save_btn).setFocus()

    def _hide_question(self) -> None:
        self._asked = None
        self.ask_bar.setVisible(False)
        self._fix_tab_order()

    def _answer(self, *, save: bool, open_case: bool) -> None:
        asked = self._asked
        self._hide_question()
        if asked is None:
            return
        if not save:
            (self.notes if asked["warnings"] else self.type_edit).setFocus()
            return
        self.save(keep_open=asked["keep_open"], confirmed=True, open_case=open_case)

    def save(
        self, *, keep_open: bool = False, confirmed: bool = False, open_case: bool = False
    ) -> int | None:
        """Save through the session's writer. Returns the contact id when saved at once; while
        background work runs, the save waits its turn and the dialog stays open until then.

        Unless ``confirmed``, something that looks forgotten (or a case that could be opened) is
        asked about first, in the dialog; the answer saves."""
        if self._saving:
            return None
        if not self.validate():
            return None
        if not confirmed:
            q = self._question()
            if q is not None:
                self._show_question(q, keep_open)
                return None
        try:
            draft = self.value(open_case=open_case)
        except InvalidInput as exc:
            self.form_error.set_message(exc.message)
            return None
        self.saved_id = None

        def done(result: Done[int]) -> None:
            self._set_saving(False)
            cid = self.session.applied(result)
            self.saved_id = cid
            self.case_ids = ()  # "Save & new" goes on with unrelated entries
            if result.changes & (Change.SCHOOLS | Change.STUDENTS):
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
        text = self.school.text()
        self.school.set_choices([(s.name, s.id) for s in self.journal.schools()])
        self.school.setText(text)
        self.student_search.set_journal(self.journal)
        self.tags.known = self.journal.tags()

    # -- closing never loses text --------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape and self._asked is not None:
            self._answer(save=False, open_case=False)
            event.accept()
            return
        super().keyPressEvent(event)

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


def _upgrade_draft(s: dict[str, Any]) -> dict[str, Any]:
    """A draft kept by the first quick entry (one date-time, student ids only)."""
    out = dict(s)
    when_text = str(s.get("when") or "")
    if "T" in when_text:
        out["date"], out["time"] = when_text.split("T", 1)
    out["students"] = [
        {"id": int(sid), "role": str(role), "role_set": True} for sid, role in s.get("students", [])
    ]
    out["initiated_text"] = INITIATOR_LABELS.get(str(s.get("initiated_by")), "")
    outcome = taxonomy.OUTCOME_BY_CODE.get(str(s.get("outcome")))
    out["outcome_text"] = outcome.label if outcome else ""
    out["follow_date"] = s.get("follow_date") if s.get("follow_up") else ""
    out["type_text"] = None
    return out


def _split_tags(text: str) -> list[str]:
    out: list[str] = []
    for t in text.split(","):
        t = " ".join(t.split())
        if t and t not in out:
            out.append(t)
    return out
