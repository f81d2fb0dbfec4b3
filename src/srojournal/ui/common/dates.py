"""Dates between Python and Qt, and the one way a date or a time is typed: as text.

A :class:`DateField` is a line edit that reads what ``domain.when`` reads (``2026-03-14``,
``3/14``, ``today``, ``fri``, ``+7``…) and writes it back as ``yyyy-MM-dd`` when the officer
leaves it; its calendar opens with the button inside the field, F4 or Alt+Down. One Tab enters
it and one Tab leaves it (a date spin box takes one Tab per part and traps the keyboard when it
shows a special text). A :class:`TimeField` does the same for a time of day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QDate, QDateTime, QPoint, Qt, QTime, Signal
from PySide6.QtGui import QAction, QFocusEvent, QIcon, QKeyEvent
from PySide6.QtWidgets import QCalendarWidget, QFrame, QLineEdit, QVBoxLayout, QWidget

from srojournal.domain import when
from srojournal.domain.errors import InvalidInput

DATE_FORMAT: Final = "yyyy-MM-dd"
DATE_TIME_FORMAT: Final = "yyyy-MM-dd HH:mm"


def qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def pydate(d: QDate) -> dt.date:
    return dt.date(d.year(), d.month(), d.day())


def qdatetime(t: dt.datetime) -> QDateTime:
    """To the minute (the journal keeps no seconds)."""
    return QDateTime(qdate(t.date()), QTime(t.hour, t.minute))


def pydatetime(q: QDateTime) -> dt.datetime:
    d, t = q.date(), q.time()
    return dt.datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())


class _TextField(QLineEdit):
    """What the date and time fields share: an invalid text is marked, never thrown away."""

    def _parse(self, text: str) -> object:
        raise NotImplementedError

    def _format(self, value: object) -> str:
        raise NotImplementedError

    def _mark(self, invalid: bool) -> None:
        if bool(self.property("invalid")) != invalid:
            self.setProperty("invalid", invalid)
            self.style().unpolish(self)
            self.style().polish(self)

    def _tidy(self) -> None:
        """Leaving the field: a readable text is written out in full, an unreadable one kept."""
        text = self.text().strip()
        if not text:
            self._mark(False)
            return
        try:
            value = self._parse(text)
        except InvalidInput:
            self._mark(True)
            return
        self._mark(False)
        tidy = self._format(value)
        if tidy != self.text():
            self.setText(tidy)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        self._tidy()
        super().focusOutEvent(event)


class DateField(_TextField):
    """A date typed as text, with a calendar. ``changed`` when the date it holds changes.

    ``side`` is where a day without a year lies (``past`` for when something happened,
    ``future`` for when something is due). ``optional``: an empty field is no date (None).
    """

    changed = Signal()

    def __init__(
        self,
        name: str,
        value: dt.date | None = None,
        *,
        side: when.Side = "any",
        optional: bool = False,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.side: when.Side = side
        self.optional = optional
        self.today = today
        self._last: dt.date | None = None
        self.setAccessibleName(name)
        self.setPlaceholderText("Any date" if optional else "yyyy-mm-dd")
        self.setToolTip("Type a date (2026-03-14, 3/14, today, fri, +7); F4 opens a calendar")
        self.setAccessibleDescription("A date; F4 or Alt+Down opens a calendar")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("2026-12-31") + 48)
        from srojournal.ui.theme import resource_dir

        self.calendar_action = QAction(
            QIcon(str(resource_dir("icons", "calendar.svg"))), "Open calendar", self
        )
        self.calendar_action.setToolTip("Open a calendar (F4)")
        self.calendar_action.triggered.connect(self.open_calendar)
        self.addAction(self.calendar_action, QLineEdit.ActionPosition.TrailingPosition)
        self.calendar: _CalendarPopup | None = None
        self.editingFinished.connect(self._emit_if_changed)
        if value is not None:
            self.set_value(value)

    # -- value ---------------------------------------------------------------------------------
    def _parse(self, text: str) -> object:
        return when.parse_day(text, self.today(), self.side)

    def _format(self, value: object) -> str:
        assert isinstance(value, dt.date)
        return value.isoformat()

    def value(self) -> dt.date | None:
        """The date typed; None when empty (``optional``). InvalidInput when unreadable."""
        text = self.text().strip()
        if not text:
            if self.optional:
                return None
            raise InvalidInput(f"{self.name}: type {when.DAY_HINT}.")
        try:
            return when.parse_day(text, self.today(), self.side)
        except InvalidInput as exc:
            raise InvalidInput(f"{self.name}: {exc.message}") from None

    def value_or_none(self) -> dt.date | None:
        try:
            return self.value()
        except InvalidInput:
            return None

    def set_value(self, d: dt.date | None) -> None:
        self.setText("" if d is None else d.isoformat())
        self._mark(False)
        self._emit_if_changed()

    # The QDateEdit calls the other screens use.
    def date(self) -> QDate:
        d = self.value_or_none()
        return QDate() if d is None else qdate(d)

    def setDate(self, d: QDate) -> None:  # noqa: N802 - mirrors QDateEdit
        self.set_value(pydate(d) if d.isValid() else None)

    def _emit_if_changed(self) -> None:
        d = self.value_or_none()
        if d != self._last:
            self._last = d
            self.changed.emit()

    # -- calendar ------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        alt_down = event.key() == Qt.Key.Key_Down and bool(
            event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if event.key() == Qt.Key.Key_F4 or alt_down:
            self.open_calendar()
            event.accept()
            return
        super().keyPressEvent(event)

    def open_calendar(self) -> None:
        if self.calendar is None:
            self.calendar = _CalendarPopup(self)
            self.calendar.chosen.connect(self._chosen)
        self.calendar.open_at(self.value_or_none() or self.today())

    def _chosen(self, d: dt.date) -> None:
        self.set_value(d)
        self.setFocus(Qt.FocusReason.PopupFocusReason)


class _CalendarPopup(QFrame):
    """A month calendar in a popup: Enter or a click chooses, Esc closes."""

    chosen = Signal(object)

    def __init__(self, field: DateField) -> None:
        super().__init__(field, Qt.WindowType.Popup)
        self.field = field
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        self.grid = QCalendarWidget()
        self.grid.setAccessibleName(f"{field.name}: calendar")
        self.grid.setGridVisible(False)
        self.grid.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.grid.activated.connect(self._pick)
        self.grid.clicked.connect(self._pick)
        lay.addWidget(self.grid)

    def open_at(self, d: dt.date) -> None:
        self.grid.setSelectedDate(qdate(d))
        self.adjustSize()
        self.move(self.field.mapToGlobal(QPoint(0, self.field.height())))
        self.show()
        self.grid.setFocus(Qt.FocusReason.PopupFocusReason)

    def _pick(self, d: QDate) -> None:
        self.hide()
        self.chosen.emit(pydate(d))


class TimeField(_TextField):
    """A time of day typed as text (``14:30``, ``930``, ``2:30 pm``)."""

    def __init__(self, name: str, value: dt.time | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = name
        self.setAccessibleName(name)
        self.setPlaceholderText("hh:mm")
        self.setToolTip("Type a time (14:30, 930, 2:30 pm)")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("00:00 pm") + 24)
        if value is not None:
            self.set_value(value)

    def _parse(self, text: str) -> object:
        return when.parse_clock(text, dt.datetime.now().time())

    def _format(self, value: object) -> str:
        assert isinstance(value, dt.time)
        return when.format_clock(value)

    def value(self) -> dt.time:
        try:
            return when.parse_clock(self.text(), dt.datetime.now().time())
        except InvalidInput as exc:
            raise InvalidInput(f"{self.name}: {exc.message}") from None

    def set_value(self, t: dt.time) -> None:
        self.setText(when.format_clock(t))
        self._mark(False)


def date_edit(
    name: str,
    value: dt.date | None = None,
    *,
    side: when.Side = "any",
    optional: bool = False,
    today: Callable[[], dt.date] = dt.date.today,
) -> DateField:
    """A date field with its calendar and accessible name."""
    return DateField(name, value, side=side, optional=optional, today=today)
