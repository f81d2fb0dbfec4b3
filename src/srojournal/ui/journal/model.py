"""The journal table model: fetches pages of rows on demand, never the whole journal."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from srojournal.domain import taxonomy
from srojournal.domain.models import ContactFilter, ContactRow
from srojournal.vault.repo import Journal

ContactIdRole = Qt.ItemDataRole.UserRole + 1
ContactRowRole = Qt.ItemDataRole.UserRole + 2

COLUMNS = ("Date", "School", "Type", "Students", "Outcome", "Notes")
DATE, SCHOOL, TYPE, STUDENTS, OUTCOME, NOTES = range(len(COLUMNS))
PAGE_SIZE = 200

AnyIndex = QModelIndex | QPersistentModelIndex

# Asked for every visible cell on every repaint: combined once, not on each call.
_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)
# The roles a cell answers; the view asks each cell for a dozen more on every repaint.
_TEXT_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
    }
)


def outcome_label(code: str | None) -> str:
    if code is None:
        return ""
    o = taxonomy.OUTCOME_BY_CODE.get(code)
    return o.label if o else code


class JournalModel(QAbstractTableModel):
    """Rows come from ``journal.list_contacts`` in pages of ``page_size``.

    ``total`` is the number of contacts matching the filter; ``fetched`` how many are loaded.
    """

    def __init__(
        self,
        journal: Journal | None = None,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._journal = journal
        self.page_size = page_size
        self.filter = ContactFilter()
        self._rows: list[ContactRow] = []
        # Each row's six texts, made the first time the view asks for one of them: the view
        # asks each visible cell again on every repaint (hover, scroll, selection).
        self._texts: dict[int, tuple[str, str, str, str, str, str]] = {}
        self.total = 0
        self.fetch_calls = 0

    # -- loading -------------------------------------------------------------------------------
    def set_journal(self, journal: Journal | None) -> None:
        self._journal = journal
        self.reload()

    def load(self, journal: Journal, f: ContactFilter) -> None:
        self._journal = journal
        self.filter = f
        self.reload()

    @property
    def has_journal(self) -> bool:
        return self._journal is not None

    def set_filter(self, f: ContactFilter) -> None:
        self.filter = f
        self.reload()

    def reload(self) -> None:
        """Start over: count the matches, load the first page only."""
        self.beginResetModel()
        self._rows = []
        self._texts.clear()
        self.total = 0
        if self._journal is not None:
            self.total = self._journal.count_contacts(self.filter)
            if self.total:
                self._rows = self._journal.list_contacts(self.filter, limit=self.page_size)
                self.fetch_calls += 1
                self.total = max(self.total, len(self._rows))
        self.endResetModel()

    def clear(self) -> None:
        """Drop every row and the repository (on lock)."""
        self.beginResetModel()
        self._journal = None
        self._rows = []
        self._texts.clear()
        self.total = 0
        self.filter = ContactFilter()
        self.endResetModel()

    @property
    def fetched(self) -> int:
        return len(self._rows)

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and self._journal is not None and len(self._rows) < self.total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or self._journal is None:
            return
        want = min(self.page_size, self.total - len(self._rows))
        if want <= 0:
            return
        rows = self._journal.list_contacts(self.filter, limit=want, after=self._rows[-1])
        self.fetch_calls += 1
        if not rows:
            # The journal shrank since counting: stop asking for more.
            self.total = len(self._rows)
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    # -- model API -----------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
            and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)
        ):
            return COLUMNS[section]
        return None

    def row_at(self, row: int) -> ContactRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, contact_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r.id == contact_id:
                return i
        return -1

    def texts_of(self, row: int) -> tuple[str, str, str, str, str, str] | None:
        """The row's texts as the columns show them."""
        texts = self._texts.get(row)
        if texts is None:
            r = self.row_at(row)
            if r is None:
                return None
            d = r.occurred_at  # as strftime("%Y-%m-%d %H:%M"), which imports on every call
            texts = self._texts[row] = (
                f"{d.year:04d}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}",
                r.school,
                r.type_label,
                r.students,
                outcome_label(r.outcome),
                r.first_line,
            )
        return texts

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A table's index has no parent; an invalid one has row -1, which no row has.
        if role in _TEXT_ROLES:
            texts = self.texts_of(index.row())
            col = index.column()
            return texts[col] if texts is not None and 0 <= col < len(texts) else None
        if role in (ContactIdRole, ContactRowRole):
            r = self.row_at(index.row())
            if r is None or not 0 <= index.column() < len(COLUMNS):
                return None
            return r.id if role == ContactIdRole else r
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags
