"""A compact read-only table of journal rows (student timeline, a case's linked contacts)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from srojournal.domain import taxonomy
from srojournal.domain.models import ContactRow

_ID_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("Date", "Type", "School", "Students", "Outcome", "Notes")


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
        h = self.horizontalHeader()
        for i in (0, 2, 3, 4):
            h.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        h.resizeSection(1, 190)
        h.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setColumnHidden(3, not show_students)
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
                if col in (1, 5):
                    item.setToolTip(text)
                if col == 0:
                    item.setData(_ID_ROLE, r.id)
                self.setItem(i, col, item)

    def clear_rows(self) -> None:
        self.setRowCount(0)
