"""Students: a searchable list and a profile with the student's timeline, follow-ups and cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from srojournal.domain.models import ContactInput, ContactStudent, Student
from srojournal.ops import students as student_ops
from srojournal.ops.changes import Change, Done
from srojournal.ui.common.contact_table import ContactTable
from srojournal.ui.common.error_label import ErrorLabel
from srojournal.ui.common.forms import (
    fill_school_combo,
    grade_combo,
    set_combo_data,
)
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
from srojournal.ui.page import Page
from srojournal.ui.session import Session
from srojournal.ui.students.dialogs import AddStudentDialog

Index = QModelIndex | QPersistentModelIndex
STUDENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class StudentListModel(QAbstractTableModel):
    COLUMNS = ("Alias", "School", "Grade")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Student] = []
        self._schools: dict[int, str] = {}

    def set_students(self, rows: list[Student], schools: dict[int, str]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._schools = schools
        self.endResetModel()

    def student_at(self, row: int) -> Student | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, student_id: int) -> int:
        for i, s in enumerate(self._rows):
            if s.id == student_id:
                return i
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        s = self._rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == 0:
                return s.alias + (" (archived)" if s.archived else "")
            if col == 1:
                return self._schools.get(s.school_id, "")
            if col == 2:
                return s.grade or ""
        if role == STUDENT_ID_ROLE:
            return s.id
        if role == Qt.ItemDataRole.FontRole and s.archived:
            f = QFont()
            f.setItalic(True)
            return f
        return None


class StudentsPage(RecordEditor, Page):
    title = "Students"
    object_name = "studentsPage"
    refreshed_by = (
        Change.STUDENTS | Change.CONTACTS | Change.FOLLOW_UPS | Change.CASES | Change.SCHOOLS
    )
    refresh_on_show = True

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._current: Student | None = None
        self._loading = False
        self._refused = False  # the last save was refused (its message is shown)

        # -- the list -----------------------------------------------------------------------
        self.add_button = named(QPushButton("Add student…"), "Add student")
        self.add_button.clicked.connect(self.open_add_dialog)
        splitter, lv = list_and_detail(self, "Students", self.add_button)
        self.search = named(QLineEdit(), "Search students", "Filter the list by alias")
        self.search.setPlaceholderText("Search by alias")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._reload_list)
        self.search.returnPressed.connect(self.open_first_match)
        self.search.installEventFilter(self)
        lv.addWidget(self.search)
        self.include_archived = named(QCheckBox("Include archived"), "Include archived students")
        self.include_archived.toggled.connect(self._reload_list)
        lv.addWidget(self.include_archived)
        self.model = StudentListModel(self)
        self.list = named(QTableView(), "Student list")
        self.list.setModel(self.model)
        record_table(self.list, stretch=1, grid=False)
        self.list.setAlternatingRowColors(True)
        self.list.selectionModel().currentRowChanged.connect(self._on_row_changed)
        lv.addWidget(self.list, 1)
        self.list_hint = hint_label()
        lv.addWidget(self.list_hint)

        # -- the profile --------------------------------------------------------------------
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.profile = QWidget()
        pv = QVBoxLayout(self.profile)
        pv.setContentsMargins(SPACING // 2, MARGIN, MARGIN, MARGIN)
        pv.setSpacing(SPACING)
        self.empty_hint = hint_label("Choose a student on the left, or add one.")
        pv.addWidget(self.empty_hint)

        self.body = QWidget()
        bv = QVBoxLayout(self.body)
        bv.setContentsMargins(0, 0, 0, 0)
        bv.setSpacing(SPACING)
        top = QHBoxLayout()
        self.name_label = title_label("")
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        self.name_label.setWordWrap(True)
        top.addWidget(self.name_label, 1)
        self.log_button = primary(
            named(QPushButton("Log contact"), "Log contact with this student", "Open quick entry")
        )
        self.log_button.clicked.connect(self._request_new_contact)
        self.journal_button = named(
            QPushButton("Show in journal"), "Show this student's contacts in the journal"
        )
        self.journal_button.clicked.connect(
            lambda: self._current and self.show_student_requested.emit(self._current.id)
        )
        self.archive_button = named(QPushButton("Archive"), "Archive student")
        self.archive_button.clicked.connect(self.toggle_archived)
        for b in (self.log_button, self.journal_button, self.archive_button):
            top.addWidget(b)
        bv.addLayout(top)
        self.meta_label = hint_label()
        self.meta_label.setTextFormat(Qt.TextFormat.PlainText)
        bv.addWidget(self.meta_label)
        self.counts_label = QLabel()
        self.counts_label.setWordWrap(True)
        self.counts_label.setTextFormat(Qt.TextFormat.PlainText)
        named(self.counts_label, "Counts")
        bv.addWidget(self.counts_label)

        details = Card()
        details.body.addWidget(section_label("Details"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.alias_edit = named(QLineEdit(), "Alias", "Initials or a nickname")
        self.school_combo = named(QComboBox(), "School")
        self.grade_combo = grade_combo()
        self.notes_edit = named(
            QPlainTextEdit(), "Private notes", "Stays in the encrypted vault; never exported"
        )
        self.notes_edit.setPlaceholderText("Private notes (never exported)")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMinimumHeight(60)
        self.notes_edit.setMaximumHeight(90)
        form.addRow("&Alias", self.alias_edit)
        form.addRow("S&chool", self.school_combo)
        form.addRow("&Grade", self.grade_combo)
        form.addRow("&Notes", self.notes_edit)
        details.body.addLayout(form)
        self.profile_error = ErrorLabel()
        details.body.addWidget(self.profile_error)
        brow = QHBoxLayout()
        brow.addStretch(1)
        self.revert_button = named(QPushButton("Revert"), "Revert changes to details")
        self.revert_button.clicked.connect(self._show_current)
        self.save_button = named(QPushButton("Save"), "Save details", "Ctrl+S")
        self.save_button.clicked.connect(self.save_profile)
        brow.addWidget(self.revert_button)
        brow.addWidget(self.save_button)
        details.body.addLayout(brow)
        self.alias_edit.textEdited.connect(self._mark_dirty)
        self.school_combo.activated.connect(self._mark_dirty)
        self.grade_combo.activated.connect(self._mark_dirty)
        self.notes_edit.textChanged.connect(self._mark_dirty)
        save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self.body)
        save_shortcut.activated.connect(self.save_profile)

        side = Card()
        side.body.addWidget(section_label("Open follow-ups"))
        self.follow_ups = named(QListWidget(), "Open follow-ups of this student")
        self.follow_ups.setMinimumHeight(60)
        side.body.addWidget(self.follow_ups, 1)
        side.body.addWidget(section_label("Conflict cases"))
        self.cases = named(QListWidget(), "Conflict cases of this student")
        self.cases.setMinimumHeight(60)
        side.body.addWidget(self.cases, 1)
        for w in (self.follow_ups, self.cases):
            w.setFrameShape(QListWidget.Shape.NoFrame)
            w.setWordWrap(True)
            w.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            w.setMaximumHeight(72)
        side.body.addStretch(1)

        cards = QHBoxLayout()
        cards.setSpacing(SPACING)
        cards.addWidget(details, 3)
        cards.addWidget(side, 2)
        bv.addLayout(cards, 0)

        bv.addWidget(section_label("Timeline"))
        self.timeline = named(ContactTable(show_students=True), "Timeline of contacts")
        self.timeline.setMinimumHeight(200)
        self.timeline.open_contact.connect(self.edit_contact_requested)
        bv.addWidget(self.timeline, 10)
        self.timeline_hint = hint_label("Double-click a contact to open it.")
        bv.addWidget(self.timeline_hint)
        pv.addWidget(self.body, 1)
        scroll.setWidget(self.profile)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([420, 680])
        self.body.hide()
        self._dirty = False
        self._update_buttons()

        self.setTabOrder(self.add_button, self.search)
        self.setTabOrder(self.search, self.include_archived)
        self.setTabOrder(self.include_archived, self.list)
        self.setTabOrder(self.list, self.log_button)
        self.setTabOrder(self.log_button, self.journal_button)
        self.setTabOrder(self.journal_button, self.archive_button)
        self.setTabOrder(self.archive_button, self.alias_edit)
        self.setTabOrder(self.alias_edit, self.school_combo)
        self.setTabOrder(self.school_combo, self.grade_combo)
        self.setTabOrder(self.grade_combo, self.notes_edit)
        self.setTabOrder(self.notes_edit, self.revert_button)
        self.setTabOrder(self.revert_button, self.save_button)
        self.setTabOrder(self.save_button, self.follow_ups)
        self.setTabOrder(self.follow_ups, self.cases)
        self.setTabOrder(self.cases, self.timeline)

    # -- Page contract ----------------------------------------------------------------------

    def refresh(self) -> None:
        self._reload_list()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Down in the search goes to the list (Up and Down then move through it)."""
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount() > 0
        ):
            self.open_first_match()
            return True
        return False

    def open_first_match(self) -> None:
        """Enter in the search: the first (often the only) match opens, and the list takes the
        keyboard."""
        if self.model.rowCount() == 0:
            return
        current = self.list.currentIndex()
        row = current.row() if current.isValid() else 0
        self.list.selectRow(row)
        s = self.model.student_at(row)
        if s is not None and (self._current is None or self._current.id != s.id):
            self.show_student(s.id)
        self.list.setFocus()

    def clear(self) -> None:
        # Locking never loses typed text: keep pending profile edits first.
        if self._dirty:
            self.save_profile(notify=False)
        self._current = None
        self._dirty = False
        self._loading = True
        self.model.set_students([], {})
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.alias_edit.clear()
        self.notes_edit.clear()
        self.school_combo.clear()
        self.name_label.clear()
        self.meta_label.clear()
        self.counts_label.clear()
        self.timeline.clear_rows()
        self.follow_ups.clear()
        self.cases.clear()
        self.list_hint.clear()
        self.profile_error.hide()
        self._loading = False
        self.body.hide()
        self.empty_hint.show()

    # -- list -------------------------------------------------------------------------------
    def _reload_list(self) -> None:
        if self.session.vault.conn is None:
            return
        keep = self._current.id if self._current else None
        schools = {s.id: s.name for s in self.journal.schools(include_inactive=True)}
        rows = self.journal.students(
            self.search.text(), include_archived=self.include_archived.isChecked()
        )
        self._loading = True
        self.model.set_students(rows, schools)
        self._loading = False
        n = len(rows)
        if n == 0 and not self.search.text().strip():
            self.list_hint.setText(
                "No students yet. A new alias typed in an entry (Ctrl+N) adds one; so does "
                "“Add student…”."
            )
        elif n == 0:
            self.list_hint.setText("No student matches this search.")
        else:
            self.list_hint.setText(f"{n} student{'s' if n != 1 else ''}")
        if keep is not None:
            row = self.model.row_of(keep)
            if row >= 0:
                self._loading = True
                self.list.selectRow(row)
                self._loading = False
                if not self._dirty:
                    self._current = self.journal.student(keep)
                    self._show_current()
                return
            if not self._dirty:
                # Still show a student filtered out by the search (e.g. just archived).
                self._current = self.journal.student(keep)
                self._show_current()
                return

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._loading:
            return
        s = self.model.student_at(current.row())
        if s is not None:
            self.show_student(s.id)

    def show_student(self, student_id: int) -> None:
        """Open a student's profile (saving pending edits of the one shown before)."""
        if self._dirty and self._current is not None and self._current.id != student_id:
            self.save_profile()
        self._current = self.journal.student(student_id)
        row = self.model.row_of(student_id)
        if row >= 0:
            self._loading = True
            self.list.selectRow(row)
            self._loading = False
        self._show_current()

    # -- profile ----------------------------------------------------------------------------
    def _show_current(self) -> None:
        s = self._current
        if s is None:
            self.body.hide()
            self.empty_hint.show()
            return
        s = self._current = self.journal.student(s.id)
        j = self.journal
        schools = j.schools(include_inactive=True)
        school_names = {x.id: x.name for x in schools}
        self._loading = True
        self.name_label.setText(s.alias)
        grade = f"grade {s.grade}" if s.grade else "grade unknown"
        status = " · archived" if s.archived else ""
        self.meta_label.setText(f"{school_names.get(s.school_id, '?')} · {grade}{status}")
        if self.alias_edit.text() != s.alias:  # keep the cursor where the officer left it
            self.alias_edit.setText(s.alias)
        fill_school_combo(self.school_combo, schools, s.school_id)
        set_combo_data(self.grade_combo, s.grade)
        if self.notes_edit.toPlainText() != s.notes:
            self.notes_edit.setPlainText(s.notes)
        self.profile_error.hide()

        rows = j.timeline(s.id)
        self.timeline.set_rows(rows)
        total = j.student_contact_count(s.id)
        open_fus = j.follow_ups(status="open", student_id=s.id)
        cases = j.conflict_cases(student_id=s.id)
        last = rows[0].occurred_at.strftime("%Y-%m-%d") if rows else "never"
        self.counts_label.setText(
            f"{total} contact{'s' if total != 1 else ''} · "
            f"{len(open_fus)} open follow-up{'s' if len(open_fus) != 1 else ''} · "
            f"{len(cases)} conflict case{'s' if len(cases) != 1 else ''} · last contact {last}"
        )
        self.timeline_hint.setText(
            "Double-click a contact to open it."
            if rows
            else "No contacts yet. Use “Log contact” to add the first."
        )
        self.follow_ups.clear()
        today = self.session.today()
        for f in open_fus:
            late = " (overdue)" if f.due < today else ""
            item = QListWidgetItem(f"{f.due.isoformat()}{late} — {f.what or 'Follow-up'}")
            self.follow_ups.addItem(item)
        if not open_fus:
            self._placeholder(self.follow_ups, "None open")
        self.cases.clear()
        for c in cases:
            check = f", check {c.check_date.isoformat()}" if c.check_date else ""
            self.cases.addItem(QListWidgetItem(f"{c.title or 'Case'} — {c.status}{check}"))
        if not cases:
            self._placeholder(self.cases, "None")
        self.archive_button.setText("Unarchive" if s.archived else "Archive")
        self.archive_button.setAccessibleName(
            "Unarchive student" if s.archived else "Archive student"
        )
        self._record_shown()

    @staticmethod
    def _placeholder(widget: QListWidget, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setForeground(widget.palette().color(QPalette.ColorRole.PlaceholderText))
        widget.addItem(item)

    def save_profile(self, *, notify: bool = True) -> bool:
        """Save the edited details through the writer; False when refused (message shown).

        While background work runs, the save waits its turn and this returns True.
        """
        s = self._current
        if s is None or not self._dirty:
            return True
        alias = self.alias_edit.text()
        grade = self.grade_combo.currentData() or ""
        notes = self.notes_edit.toPlainText()
        school_id = self.school_combo.currentData()
        self._refused = False

        def done(_result: object) -> None:
            self._record_saved(notify, "Student saved", Change.STUDENTS, self._reload_list)

        def failed(exc: BaseException) -> None:
            self._refused = True
            self.profile_error.setText(user_message(exc))
            self.profile_error.show()

        self.session.runner.write(
            lambda: self.journal.update_student(
                s.id, alias=alias, grade=grade, notes=notes, school_id=school_id
            ),
            done,
            failed,
        )
        return not self._refused

    def toggle_archived(self) -> None:
        s = self._current
        if s is None:
            return
        if self._dirty and not self.save_profile():
            return

        def done(_result: object) -> None:
            self.status_message.emit("Student unarchived" if s.archived else "Student archived")
            self.session.notify(Change.STUDENTS)
            self._reload_list()

        self.session.runner.write(
            lambda: self.journal.set_student_archived(s.id, not s.archived),
            done,
            lambda exc: self.status_message.emit(user_message(exc)),
        )

    def _request_new_contact(self) -> None:
        s = self._current
        if s is None:
            return
        now = dt.datetime.now().replace(second=0, microsecond=0)
        _, last_type = self.journal.last_used()
        prefill = ContactInput(
            occurred_at=now,
            school_id=s.school_id,
            type_code=last_type or "relationship",
            students=(ContactStudent(s.id),),
        )
        self.new_contact_requested.emit(prefill)

    # -- add --------------------------------------------------------------------------------
    def open_add_dialog(self) -> AddStudentDialog | None:
        schools = self.journal.schools()
        if not schools:
            self.status_message.emit("Add a school in Settings first")
            return None
        last_school, _ = self.journal.last_used()
        current = self._current.school_id if self._current else last_school
        journal = self.journal
        dlg = AddStudentDialog(
            schools,
            current,
            lambda new: student_ops.add_student(journal, new),
            runner=self.session.runner,
            parent=self,
        )
        dlg.completed.connect(self._student_added)
        dlg.open()
        dlg.alias.setFocus()
        return dlg

    def _student_added(self, done: Done[int]) -> None:
        sid = self.session.applied(done)
        self.search.clear()
        self._reload_list()
        self.show_student(sid)
        self.status_message.emit("Student added")
