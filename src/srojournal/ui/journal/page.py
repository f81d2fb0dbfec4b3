"""The journal page: filter bar, lazily fetched table, detail pane, delete with undo.

The filters wrap onto a second row when the window is narrow (never overlapping); the table's
columns make room in a set order (``ui/common/columns.py``); an empty list says why and what to
do; the words of a notes search are highlighted in the list and in the detail pane.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import logging

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeySequence,
    QPainter,
    QPalette,
    QShortcut,
    QShowEvent,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from srojournal.domain import taxonomy
from srojournal.domain.errors import UserError
from srojournal.domain.matching import HitFinder, hit_spans, while_typing
from srojournal.domain.models import Contact, ContactFilter
from srojournal.ops import entries
from srojournal.ops.changes import Change, Done
from srojournal.ops.entries import DeletedEntry
from srojournal.ui import theme
from srojournal.ui.common.columns import Column, ColumnFit
from srojournal.ui.common.dates import DateField
from srojournal.ui.common.flow import FlowLayout
from srojournal.ui.common.runner import user_message
from srojournal.ui.common.students import StudentSearchEdit
from srojournal.ui.journal.model import (
    COLUMNS,
    DATE,
    NOTES,
    OUTCOME,
    SCHOOL,
    STUDENTS,
    TYPE,
    ContactIdRole,
    JournalModel,
    outcome_label,
)
from srojournal.ui.page import Page
from srojournal.ui.session import Session
from srojournal.ui.widgets import button, label

log = logging.getLogger("srojournal.ui.journal")

SEARCH_DEBOUNCE_MS = 250
# Which columns stay when the table narrows (0 stays longest), their least and natural widths.
JOURNAL_COLUMNS = (
    Column(DATE, 0, 118, 138, sample="2026-12-31 23:59"),
    Column(NOTES, 1, 160, 240),
    Column(STUDENTS, 2, 90, 150),
    Column(OUTCOME, 3, 90, 130),
    Column(TYPE, 4, 100, 170),
    Column(SCHOOL, 5, 90, 130),
)
EMPTY_JOURNAL = "No entries yet. Press Ctrl+N to log your first contact."
NO_MATCHES = "No entries match these filters."
COUNT_ROOM = "999,999 contacts"  # the count label makes room for this much at first
_LEFT_CENTRED = int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
# An item's state as plain bits: the notes column tests them for every row it paints.
_ENABLED = QStyle.StateFlag.State_Enabled.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_SELECTED = QStyle.StateFlag.State_Selected.value
INITIATOR_LABELS = {"student": "Student", "staff": "Staff", "parent": "Parent", "sro": "SRO"}


def marked_html(text: str, query: str | None) -> str:
    """``text`` as HTML with the words of a notes search marked."""
    if not query:
        return html.escape(text)
    c = theme.colors()
    out, at = [], 0
    for start, end in hit_spans(text, query):
        out.append(html.escape(text[at:start]))
        out.append(
            f"<span style='background-color:{c.mark};color:{c.mark_text}'>"
            f"{html.escape(text[start:end])}</span>"
        )
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out)


class HitDelegate(QStyledItemDelegate):
    """Draws the notes column: the start of each note, cut to the column with "…", and the
    words of the current search marked.

    The text is cut and measured here once per row, search and width, not by the style on
    every repaint: Qt's own item drawing lays out the whole line (up to 160 characters) twice
    to show the 30 to 60 that fit, and a row is repainted on every hover, scroll and selection.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._query: str | None = None
        self._finder: HitFinder | None = None
        # For the current search only (never unbounded; emptied on lock): each row's shown
        # text at a width, with the x offset and width of each visible hit.
        self._shown: dict[tuple[str, int], tuple[str, list[tuple[int, int]]]] = {}
        self._font = QFont()  # the font the shown texts were measured in

    @property
    def query(self) -> str | None:
        return self._query

    @query.setter
    def query(self, query: str | None) -> None:
        if query != self._query:
            self._query = query
            self._finder = HitFinder(query) if query else None
            self.forget()

    def forget(self) -> None:
        """Drop every note text kept for painting."""
        self._shown.clear()

    def shown(self, text: str, fm: QFontMetrics, width: int) -> tuple[str, list[tuple[int, int]]]:
        """``text`` cut to ``width`` pixels, and the x offset and width of each visible hit."""
        key = (text, width)
        found = self._shown.get(key)
        if found is None:
            shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
            visible = len(shown.rstrip("…"))
            spans = self._finder.spans(text, stop=visible) if self._finder else []
            marks = [
                (fm.horizontalAdvance(shown[:start]), fm.horizontalAdvance(shown[start:end]))
                for start, end in spans
            ]
            if len(self._shown) >= 1000:  # one search's rows seen so far; never unbounded
                self._shown.clear()
            found = self._shown[key] = (shown, marks)
        return found

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is None:
            super().paint(painter, option, index)
            return
        text = opt.text
        opt.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if not text:
            return
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        rect = rect.adjusted(margin, 0, -margin, 0)
        if opt.font != self._font:  # a new text size: measure again
            self._shown.clear()
            self._font = QFont(opt.font)
        shown, marks = self.shown(text, opt.fontMetrics, rect.width())
        painter.save()
        if marks:
            mark = QColor(theme.colors().mark)
            for x, w in marks:
                painter.fillRect(QRect(rect.x() + x, rect.y() + 3, w, rect.height() - 6), mark)
        # The colours the style gives an item's text (QCommonStyle's CE_ItemViewItem).
        state = opt.state.value
        group = (
            QPalette.ColorGroup.Disabled
            if not state & _ENABLED
            else QPalette.ColorGroup.Normal
            if state & _ACTIVE
            else QPalette.ColorGroup.Inactive
        )
        role = QPalette.ColorRole.HighlightedText if state & _SELECTED else QPalette.ColorRole.Text
        painter.setPen(opt.palette.color(group, role))
        painter.drawText(rect, _LEFT_CENTRED, shown)
        painter.restore()


class DeleteContactCommand(QUndoCommand):
    """Deletes on ``redo`` and restores the same entry (same id, same case links) on ``undo``;
    if an entry saved since took its id, it comes back under a new one, which redo deletes.

    The first delete happens before the command is pushed (so an error surfaces to the
    caller); errors on later undo/redo become a status message, never an exception inside Qt.
    Both go through the session's writer.
    """

    def __init__(self, page: JournalPage, deleted: DeletedEntry) -> None:
        super().__init__("Delete entry")
        self.page = page
        self.contact_id = deleted.contact.id
        self.deleted: DeletedEntry | None = deleted
        self._first = True

    def _failed(self, exc: BaseException) -> None:
        self.page.status_message.emit(user_message(exc))

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        session = self.page.session

        def done(result: Done[DeletedEntry]) -> None:
            self.deleted = session.applied(result)

        session.runner.write(
            lambda: entries.delete_entry(session.journal, self.contact_id), done, self._failed
        )

    def undo(self) -> None:
        deleted = self.deleted
        if deleted is None:
            return
        session = self.page.session

        def done(result: Done[int]) -> None:
            self.deleted = None
            # Its id, or a new one if an entry saved since the delete took it: redo deletes
            # what was put back.
            self.contact_id = session.applied(result)
            self.page.select_contact(self.contact_id)
            self.page.status_message.emit("Entry restored.")

        session.runner.write(
            lambda: entries.restore_entry(session.journal, deleted), done, self._failed
        )


class JournalPage(Page):
    title = "Journal"
    object_name = "JournalPage"

    filter_changed = Signal(object)  # ContactFilter

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._stale = True
        self._updating = False
        self.history = QUndoStack(self)  # deletions, for Ctrl+Z
        self.undo_stack = self.history
        self.model = JournalModel(None, self)

        root = QVBoxLayout(self)
        root.setContentsMargins(20, 16, 20, 12)
        root.setSpacing(10)

        head = QHBoxLayout()
        head.addWidget(label("Journal", "title"))
        head.addStretch(1)
        self.count_label = label("", "hint")
        self.count_label.setAccessibleName("Number of contacts shown")
        # The count changes on every keystroke of a search: at a fixed size, taking the new
        # number does not lay the page out again (see _update_count).
        self.count_label.setWordWrap(False)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._count_width = 0
        head.addWidget(self.count_label)
        self.new_btn = button("New entry", "New entry")
        self.new_btn.setProperty("primary", True)
        self.new_btn.setToolTip("New entry (Ctrl+N)")
        self.new_btn.clicked.connect(lambda: self.new_contact_requested.emit(None))
        head.addWidget(self.new_btn)
        root.addLayout(head)

        root.addWidget(self._build_filters())

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.list_stack = QStackedWidget()
        self.table = QTableView()
        self.table.setObjectName("JournalTable")
        self.table.setAccessibleName("Journal entries")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        self.hits = HitDelegate(self.table)
        self.table.setItemDelegateForColumn(NOTES, self.hits)
        self.columns = ColumnFit(self.table, JOURNAL_COLUMNS, stretch=NOTES)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self._build_empty())
        self.splitter.addWidget(self.list_stack)
        self.splitter.addWidget(self._build_detail())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([800, 260])
        root.addWidget(self.splitter, 1)

        for seq, slot in (
            (Qt.Key.Key_Return, self.edit_selected),
            (Qt.Key.Key_Enter, self.edit_selected),
            (QKeySequence.StandardKey.Delete, self.delete_selected),
        ):
            sc = QShortcut(QKeySequence(seq), self.table)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(slot)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._on_search_paused)

        order = [
            self.new_btn,
            self.search,
            self.student_edit,
            self.date_from,
            self.date_to,
            self.school_combo,
            self.type_combo,
            self.outcome_combo,
            self.tag_combo,
            self.clear_btn,
            self.table,
            self.empty_clear_btn,
            self.detail,
            self.edit_btn,
            self.delete_btn,
        ]
        for a, b in itertools.pairwise(order):
            QWidget.setTabOrder(a, b)

    # -- building ------------------------------------------------------------------------------
    def _build_filters(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("FilterBar")
        flow = FlowLayout(bar, spacing=8)

        self.search = QLineEdit()
        self.search.setObjectName("JournalSearch")
        self.search.setAccessibleName("Search notes")
        self.search.setPlaceholderText("Search notes (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self.search.setToolTip(
            "Finds notes with every word; the last one may be the start of a word."
            " A single letter is searched when you press Enter."
        )
        # Typing searches after a pause (SEARCH_DEBOUNCE_MS), without a last word of one letter
        # (domain/matching.py: while_typing); Enter searches the text as it is, at once.
        self._search_entered = False
        self.search.textChanged.connect(self._on_search_edited)
        self.search.returnPressed.connect(self._on_search_entered)
        flow.addWidget(self.search, stretch=3)

        self.student_edit = StudentSearchEdit("Filter by student")
        self.student_edit.setPlaceholderText("Student")
        self.student_edit.setClearButtonEnabled(True)
        self.student_edit.setMinimumWidth(160)
        self.student_id: int | None = None
        self.student_edit.student_chosen.connect(self._on_student_chosen)
        self.student_edit.textEdited.connect(self._on_student_text)
        flow.addWidget(self.student_edit, stretch=1)

        def date_filter(name: str) -> DateField:
            d = DateField(name, optional=True, today=self.session.today)
            d.changed.connect(self.apply_filters)
            return d

        self.date_from = date_filter("From date")
        self.date_to = date_filter("To date")
        dates = QWidget()
        dates.setObjectName("DateFilters")
        row = QHBoxLayout(dates)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(label("&From", "hint", buddy=self.date_from))
        row.addWidget(self.date_from)
        row.addWidget(label("t&o", "hint", buddy=self.date_to))
        row.addWidget(self.date_to)
        flow.addWidget(dates)

        def combo(name: str) -> QComboBox:
            c = QComboBox()
            c.setAccessibleName(name)
            c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            c.setMinimumContentsLength(12)
            c.currentIndexChanged.connect(lambda _i: self.apply_filters())
            return c

        self.school_combo = combo("Filter by school")
        self.type_combo = combo("Filter by category or type")
        self.outcome_combo = combo("Filter by outcome")
        self.tag_combo = combo("Filter by tag")
        for c in (self.school_combo, self.type_combo, self.outcome_combo, self.tag_combo):
            flow.addWidget(c, stretch=1)
        self.clear_btn = button("Clear filters", "Clear filters")
        self.clear_btn.clicked.connect(self.clear_filters)
        flow.addWidget(self.clear_btn)
        return bar

    def _build_empty(self) -> QWidget:
        box = QFrame()
        box.setObjectName("JournalEmpty")
        lay = QVBoxLayout(box)
        lay.addStretch(1)
        self.empty_label = label(EMPTY_JOURNAL, "subtitle")
        self.empty_label.setAccessibleName("Journal is empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.empty_label)
        self.empty_clear_btn = button("Clear filters", "Clear filters and show every entry")
        self.empty_clear_btn.clicked.connect(self.clear_filters)
        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addWidget(self.empty_clear_btn)
        centre.addStretch(1)
        lay.addLayout(centre)
        lay.addStretch(2)
        return box

    def _build_detail(self) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(10, 0, 0, 0)
        lay.setSpacing(8)
        self.detail = QTextBrowser()
        self.detail.setObjectName("ContactDetail")
        self.detail.setAccessibleName("Contact details")
        self.detail.setOpenLinks(False)
        self.detail.setPlaceholderText("Select an entry to see it in full.")
        lay.addWidget(self.detail, 1)
        row = QHBoxLayout()
        self.edit_btn = button("Edit", "Edit contact")
        self.edit_btn.setToolTip("Edit the selected entry (Enter)")
        self.edit_btn.clicked.connect(self.edit_selected)
        self.delete_btn = button("Delete", "Delete contact")
        self.delete_btn.setToolTip("Delete the selected entry (Delete); Ctrl+Z undoes")
        self.delete_btn.clicked.connect(self.delete_selected)
        row.addWidget(self.edit_btn)
        row.addWidget(self.delete_btn)
        row.addStretch(1)
        lay.addLayout(row)
        self._set_detail(None)
        return box

    # -- Page contract -------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        journal = self.session.journal
        self._fill_combos()
        self.student_edit.set_journal(journal)
        keep = self.current_contact_id()
        self.model.load(journal, self.current_filter())
        self._update_count()
        if keep is not None:
            self.select_contact(keep, scroll=False)
        else:
            self._set_detail(None)

    def clear(self) -> None:
        self._search_timer.stop()
        self.history.clear()
        self.model.clear()
        self.student_edit.set_journal(None)
        self._updating = True
        try:
            self.search.clear()
            self.student_edit.clear()
            self.student_id = None
            for c in (self.school_combo, self.type_combo, self.outcome_combo, self.tag_combo):
                c.clear()
            self.date_from.set_value(None)
            self.date_to.set_value(None)
        finally:
            self._updating = False
        self.hits.query = None
        self.hits.forget()
        self.detail.clear()
        self.count_label.clear()
        self._stale = True

    def on_data_changed(self, changes: Change) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.refresh()

    # -- filters -------------------------------------------------------------------------------
    def _fill_combos(self) -> None:
        journal = self.session.journal
        self._updating = True
        try:

            def refill(c: QComboBox, items: list[tuple[str, object]]) -> None:
                current = c.currentData()
                c.clear()
                for text, data in items:
                    c.addItem(text, data)
                i = c.findData(current) if current is not None else 0
                c.setCurrentIndex(max(i, 0))

            refill(
                self.school_combo,
                [("All schools", None)]
                + [(s.name, s.id) for s in journal.schools(include_inactive=True)],
            )
            types: list[tuple[str, object]] = [("All types", None)]
            for cat in taxonomy.CATEGORIES:
                types.append((taxonomy.CATEGORY_LABELS[cat], "category:" + cat))
                for t in journal.contact_types():
                    if t.category == cat:
                        types.append(("    " + t.label, "type:" + t.code))
            refill(self.type_combo, types)
            refill(
                self.outcome_combo,
                [("All outcomes", None)] + [(o.label, o.code) for o in taxonomy.OUTCOMES],
            )
            refill(self.tag_combo, [("All tags", None)] + [(t, t) for t in journal.tags()])
        finally:
            self._updating = False

    def _on_search_edited(self, _text: str) -> None:
        self._search_entered = False
        self._search_timer.start()

    def _on_search_paused(self) -> None:
        """Typing paused: search, unless that changes nothing (a one-letter word was typed)."""
        if self.current_filter() != self.model.filter:
            self.apply_filters()

    def _on_search_entered(self) -> None:
        self._search_entered = True
        self.apply_filters()

    def searched_text(self) -> str:
        """The notes search the list shows: the box's text, without a last one-letter word
        until Enter is pressed."""
        text = self.search.text()
        return text if self._search_entered else while_typing(text)

    def current_filter(self) -> ContactFilter:
        def date_of(d: DateField) -> dt.date | None:
            return d.value_or_none()  # a date being typed filters once it is one

        kind = str(self.type_combo.currentData() or "").partition(":")[::2]
        return ContactFilter(
            date_from=date_of(self.date_from),
            date_to=date_of(self.date_to),
            school_id=self.school_combo.currentData(),
            type_codes=(kind[1],) if kind[0] == "type" else (),
            category=kind[1] if kind[0] == "category" else None,
            student_id=self.student_id,
            outcome=self.outcome_combo.currentData(),
            tag=self.tag_combo.currentData(),
            text=self.searched_text().strip() or None,
        )

    def apply_filters(self) -> None:
        if self._updating or not self.model.has_journal:
            return
        self._search_timer.stop()
        f = self.current_filter()
        self.hits.query = f.text
        self.model.set_filter(f)
        self._update_count()
        self._set_detail(None)
        self.filter_changed.emit(f)

    def clear_filters(self) -> None:
        self._updating = True
        try:
            self.search.clear()
            self.student_edit.clear()
            self.student_id = None
            for c in (self.school_combo, self.type_combo, self.outcome_combo, self.tag_combo):
                c.setCurrentIndex(0)
            self.date_from.set_value(None)
            self.date_to.set_value(None)
        finally:
            self._updating = False
        self.apply_filters()
        self.search.setFocus()

    def _on_student_chosen(self, student_id: int) -> None:
        self.student_id = student_id
        self.apply_filters()

    def _on_student_text(self, text: str) -> None:
        if not text.strip() and self.student_id is not None:
            self.student_id = None
            self.apply_filters()

    def show_student(self, student_id: int) -> None:
        """Show only this student's contacts (asked for by other pages)."""
        if self._stale:
            self.refresh()
        s = self.session.journal.student(student_id)
        self.student_edit.setText(self.student_edit.label_for(s))
        self.student_id = student_id
        self.apply_filters()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def filtered(self) -> bool:
        return self.current_filter() != ContactFilter()

    def _update_count(self) -> None:
        n = self.model.total
        text = f"{n:,} contact{'s' if n != 1 else ''}"
        fm = self.count_label.fontMetrics()
        need = fm.horizontalAdvance(text)
        if need > self._count_width:  # the first count, or more digits than there was room for
            self._count_width = max(need, fm.horizontalAdvance(COUNT_ROOM))
            self.count_label.setFixedSize(self._count_width + 2, fm.height() + 2)
        self.count_label.setText(text)
        empty = n == 0 and self.model.has_journal
        if empty:
            filtered = self.filtered()
            self.empty_label.setText(NO_MATCHES if filtered else EMPTY_JOURNAL)
            self.empty_clear_btn.setVisible(filtered)
        had_focus = self.table.hasFocus()
        self.list_stack.setCurrentIndex(1 if empty else 0)
        if empty and had_focus:
            (self.empty_clear_btn if self.empty_clear_btn.isVisible() else self.search).setFocus()

    # -- selection and detail ------------------------------------------------------------------
    def current_contact_id(self) -> int | None:
        idx = self.table.currentIndex()
        if not idx.isValid():
            return None
        value = self.model.data(idx, ContactIdRole)
        return int(value) if value is not None else None

    def select_contact(self, contact_id: int, *, scroll: bool = True) -> bool:
        row = self.model.row_of(contact_id)
        if row < 0:
            self._set_detail(None)
            return False
        idx = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            idx,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        if scroll:
            self.table.scrollTo(idx)
        return True

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        cid = self.model.data(current, ContactIdRole) if current.isValid() else None
        if cid is None:
            self._set_detail(None)
            return
        try:
            contact = self.session.journal.contact(int(cid))
        except UserError as exc:
            self.status_message.emit(exc.message)
            self._set_detail(None)
            return
        self._set_detail(contact)

    def _set_detail(self, contact: Contact | None) -> None:
        self.edit_btn.setEnabled(contact is not None)
        self.delete_btn.setEnabled(contact is not None)
        if contact is None:
            if not self.detail.document().isEmpty():  # a search clears it on every keystroke
                self.detail.clear()
            return
        self.detail.setHtml(self.detail_html(contact))

    def detail_html(self, c: Contact) -> str:
        j = self.session.journal
        e = html.escape
        schools = {s.id: s.name for s in j.schools(include_inactive=True)}
        try:
            t = j.contact_type(c.type_code)
            type_text = f"{t.label} · {taxonomy.CATEGORY_LABELS[t.category]}"
        except UserError:
            type_text = c.type_code
        rows: list[tuple[str, str]] = [
            ("When", c.occurred_at.strftime("%A %d %B %Y, %H:%M")),
            ("School", schools.get(c.school_id, "")),
            ("Type", type_text),
        ]
        if c.duration_min is not None:
            rows.append(("Duration", f"{c.duration_min} min"))
        if c.initiated_by:
            rows.append(("Initiated by", INITIATOR_LABELS.get(c.initiated_by, c.initiated_by)))
        if c.students:
            names = []
            for cs in c.students:
                try:
                    alias = j.student(cs.student_id).alias
                except UserError:
                    alias = "?"
                names.append(alias + (" (party)" if cs.role == "party" else ""))
            rows.append(("Students", ", ".join(names)))
        if c.attendees is not None:
            rows.append(("Attendees", str(c.attendees)))
        rows.append(("Outcome", outcome_label(c.outcome) or "—"))
        if c.referrals:
            rows.append(
                (
                    "Referrals",
                    ", ".join(taxonomy.REFERRAL_TARGETS.get(r, r) for r in c.referrals),
                )
            )
        if c.tags:
            rows.append(("Tags", ", ".join(c.tags)))
        table = "".join(
            f"<tr><td style='padding:2px 12px 2px 0'><b>{e(k)}</b></td><td>{e(v)}</td></tr>"
            for k, v in rows
        )
        notes = (
            "<i>Notes were purged under the retention schedule.</i>"
            if c.redacted
            else marked_html(c.notes, self.hits.query).replace("\n", "<br>") or "<i>No notes.</i>"
        )
        return f"<table>{table}</table><p style='margin-top:12px'>{notes}</p>"

    # -- actions -------------------------------------------------------------------------------
    def edit_selected(self) -> None:
        cid = self.current_contact_id()
        if cid is not None:
            self.edit_contact_requested.emit(cid)

    def delete_selected(self) -> None:
        cid = self.current_contact_id()
        if cid is None:
            return
        row = self.table.currentIndex().row()

        def done(result: Done[DeletedEntry]) -> None:
            self.history.push(DeleteContactCommand(self, self.session.applied(result)))
            self.status_message.emit("Entry deleted. Undo with Ctrl+Z.")
            if self.model.rowCount() > 0:
                idx = self.model.index(min(row, self.model.rowCount() - 1), 0)
                self.table.setCurrentIndex(idx)
            self.table.setFocus()

        self.session.runner.write(
            lambda: entries.delete_entry(self.session.journal, cid),
            done,
            lambda exc: self.status_message.emit(user_message(exc)),
        )


__all__ = ["COLUMNS", "JournalPage"]
