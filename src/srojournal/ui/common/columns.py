"""Table columns that make room in a set order instead of being cut off.

A :class:`ColumnFit` watches a table's width. Each column has a priority (0 is kept longest), a
minimum and a natural width (at least as wide as its ``sample`` text); one column (the notes)
takes what is left. Columns less important than the notes give way (are hidden, lowest priority
first) before the notes shrink below their natural width; any column gives way before one is cut
below its minimum. Hidden columns come back when the table is wide enough again. The officer
can still resize columns by hand.
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
    sample: str = ""  # a text the column must show in full (a date and time)


class ColumnFit(QObject):
    def __init__(self, view: QTableView, columns: Sequence[Column], stretch: int) -> None:
        super().__init__(view)
        self.view = view
        fm = view.fontMetrics()
        self.columns = [
            Column(
                c.index,
                c.priority,
                max(c.minimum, fm.horizontalAdvance(c.sample) + 24 if c.sample else 0),
                max(c.natural, fm.horizontalAdvance(c.sample) + 24 if c.sample else 0),
            )
            for c in sorted(columns, key=lambda c: c.priority)
        ]
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
        notes = next((c for c in shown if c.index == self.stretch), None)
        if notes is not None:
            # Less important than the notes: give way while the notes are below their natural.
            def fits_with_notes() -> bool:
                fixed = sum(c.minimum for c in shown if c is not notes)
                return fixed + notes.natural <= width

            while not fits_with_notes() and shown[-1].priority > notes.priority:
                shown.pop()
        while len(shown) > 1 and sum(c.minimum for c in shown) > width:
            shown.pop()  # the lowest priority
        header = self.view.horizontalHeader()
        keep = {c.index for c in shown}
        for c in self.columns:
            header.setSectionHidden(c.index, c.index not in keep)
        fixed = [c for c in shown if c.index != self.stretch]
        stretch = next((c for c in shown if c.index == self.stretch), None)
        room = width - (stretch.minimum if stretch is not None else 0)
        if stretch is not None and width - stretch.natural >= sum(c.minimum for c in fixed):
            room = width - stretch.natural  # the notes at their natural width first
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
