"""Table columns that make room in a set order instead of being cut off.

A :class:`ColumnFit` watches a table's width. Each column has a priority (0 is kept longest), a
minimum and a natural width; one column (the notes) takes what is left. When the columns do not
fit at their minimum widths, the lowest-priority ones are hidden until they do, and they come
back when the table is wide enough again. The officer can still resize columns by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    priority: int  # 0: kept longest
    minimum: int
    natural: int


class ColumnFit(QObject):
    def __init__(self, view: QTableView, columns: Sequence[Column], stretch: int) -> None:
        super().__init__(view)
        self.view = view
        self.columns = sorted(columns, key=lambda c: c.priority)
        self.stretch = stretch
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        for c in self.columns:
            header.setSectionResizeMode(
                c.index,
                QHeaderView.ResizeMode.Stretch
                if c.index == stretch
                else QHeaderView.ResizeMode.Interactive,
            )
        view.viewport().installEventFilter(self)
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def hidden(self) -> list[int]:
        header = self.view.horizontalHeader()
        return [c.index for c in self.columns if header.isSectionHidden(c.index)]

    def fit(self) -> None:
        width = self.view.viewport().width()
        if width <= 0:
            return
        shown = list(self.columns)
        while len(shown) > 1 and sum(c.minimum for c in shown) > width:
            shown.pop()  # the lowest priority
        header = self.view.horizontalHeader()
        keep = {c.index for c in shown}
        for c in self.columns:
            header.setSectionHidden(c.index, c.index not in keep)
        fixed = [c for c in shown if c.index != self.stretch]
        stretch = next((c for c in shown if c.index == self.stretch), None)
        room = width - (stretch.minimum if stretch is not None else 0)
        natural = sum(c.natural for c in fixed)
        minimum = sum(c.minimum for c in fixed)
        for c in fixed:
            if natural <= room:
                w = c.natural
            elif minimum < room and natural > minimum:
                w = c.minimum + (c.natural - c.minimum) * (room - minimum) // (natural - minimum)
            else:
                w = c.minimum
            header.resizeSection(c.index, w)
