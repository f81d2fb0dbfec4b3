"""A compact read-only table of journal rows (student timeline, a case's linked contacts)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from srojournal.domain import taxonomy
from srojournal.domain.models import ContactRow
from srojournal.ui.common.columns import Column, ColumnFit

_ID_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("Date", "Type", "School", "Students", "Outcome", "Notes")
DATE, TYPE, SCHOOL, STUDENTS, OUTCOME, NOTES = range(len(COLUMNS))
# When the table narrows, the school goes first, then the students, then the type: the date,
# the outcome and the notes stay.
FIT = (
    Column(DATE, 0, 118, 130, sample="2026-12-31 23:59"),
    Column(NOTES, 1, 120, 260),
    Column(OUTCOME, 2, 90, 140),
    Column(TYPE, 3, 100, 180),
    Column(STUDENTS, 4, 80, 130),
    Column(SCHOOL, 5, 80, 130),
)


def outcome_label(code: str | None) -> str:
    if not code:
        return ""
    o = taxonomy.OUTCOME_BY_CODE.get(code)
    return o.label if o else code


class ContactTable(QTableWidget):
    """Double-click or Enter on a row emits ``open_contact(contact_id)``."""

    open_contact = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, show_students: bool = True) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.setTabKeyNavigation(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        columns = FIT if show_students else tuple(c for c in FIT if c.index != STUDENTS)
        self.setColumnHidden(STUDENTS, not show_students)
        self.fit = ColumnFit(self, columns, stretch=NOTES)
        self.doubleClicked.connect(lambda idx: self._emit_row(idx.row()))
        self.activated.connect(lambda idx: self._emit_row(idx.row()))

    def _emit_row(self, row: int) -> None:
        cid = self.contact_id_at(row)
        if cid is not None:
            self.open_contact.emit(cid)

    def contact_id_at(self, row: int) -> int | None:
        item = self.item(row, 0)
        return None if item is None else int(item.data(_ID_ROLE))

    def selected_contact_id(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        return self.contact_id_at(rows[0].row()) if rows else None

    def set_rows(self, rows: Sequence[ContactRow]) -> None:
        self.setRowCount(0)
        self.setRowCount(len(rows))
        for i, r in enumerate(rows):
            values = (
                r.occurred_at.strftime("%Y-%m-%d %H:%M"),
                r.type_label,
                r.school,
                r.students,
                outcome_label(r.outcome),
                r.first_line,
            )
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # a column that gives way still shows on hover
                if col == 0:
                    item.setData(_ID_ROLE, r.id)
                self.setItem(i, col, item)

    def clear_rows(self) -> None:
        self.setRowCount(0)
