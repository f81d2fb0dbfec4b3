"""Dates between Python and Qt, and the one way a date field looks (``yyyy-MM-dd``, calendar)."""

from __future__ import annotations

import datetime as dt
from typing import Final

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QDateEdit

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


def date_edit(name: str, value: dt.date | None = None) -> QDateEdit:
    """A date field with a calendar popup and its accessible name."""
    w = QDateEdit()
    w.setAccessibleName(name)
    w.setCalendarPopup(True)
    w.setDisplayFormat(DATE_FORMAT)
    if value is not None:
        w.setDate(qdate(value))
    return w
