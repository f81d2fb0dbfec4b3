"""Dates and times typed as text: what an officer writes in one field, read the one sensible way.

A day: ``2026-03-14`` (ISO), ``3/14`` or ``3/14/26`` (month first, as US schools write it),
``Mar 14`` or ``14 Mar``, ``today``, ``yesterday``, ``tomorrow``, a weekday (``fri``), or a
number of days from today (``-2``, ``+7``, ``+2w``). A day without a year, or a weekday, is read
as the nearest such day on the side the field looks at: the past for when a contact happened,
the future for when a follow-up is due.

A time: ``14:30``, ``1430``, ``9``, ``930``, ``2:30p``, ``2:30 pm``, ``noon``, ``now``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final, Literal

from srojournal.domain.errors import InvalidInput

Side = Literal["past", "future", "any"]

MONTHS: Final = (
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
)  # fmt: skip
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_HINT: Final = "a date like 2026-03-14, 3/14, today or fri"
TIME_HINT: Final = "a time like 14:30 or 2:30 pm"

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?")
_REL = re.compile(r"([+-])\s*(\d{1,4})\s*([dw]?)")
_NAMED = re.compile(r"([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?")
_NAMED_DAY_FIRST = re.compile(r"(\d{1,2})\s+([a-z]{3})[a-z]*\.?(?:\s+(\d{4}))?")
_CLOCK = re.compile(r"(\d{1,2})(?::?(\d{2}))?\s*(a|am|p|pm)?\.?")


def _bad(text: str) -> InvalidInput:
    return InvalidInput(f"“{text}” is not a date: type {DAY_HINT}.")


def _date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _bad(text) from None


def _nearest(month: int, day: int, today: dt.date, side: Side, text: str) -> dt.date:
    """The day ``month``/``day`` nearest to today on ``side`` (this year's when ``any``)."""
    this_year = _date(today.year, month, day, text) if _valid(today.year, month, day) else None
    if side == "past":
        if this_year is not None and this_year <= today:
            return this_year
        return _date(today.year - 1, month, day, text)
    if side == "future":
        if this_year is not None and this_year >= today:
            return this_year
        return _date(today.year + 1, month, day, text)
    if this_year is None:
        raise _bad(text)
    return this_year


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _starts(word: str, typed: str, least: int) -> bool:
    """``typed`` is the start of ``word``, at least ``least`` letters of it (yest, fri)."""
    return len(typed) >= least and word.startswith(typed)


def _full_year(y: str) -> int:
    n = int(y)
    return n + 2000 if len(y) == 2 else n


def parse_day(text: str, today: dt.date, side: Side = "any") -> dt.date:
    """The day the text names; ``InvalidInput`` with a hint when it names none."""
    raw = text
    t = " ".join(text.strip().lower().split())
    if not t:
        raise _bad(raw)
    if t in ("t", "now") or _starts("today", t, 3):
        return today
    if t == "yday" or _starts("yesterday", t, 1):
        return today - dt.timedelta(days=1)
    if t in ("tm", "tmrw") or _starts("tomorrow", t, 3):
        return today + dt.timedelta(days=1)
    if m := _ISO.fullmatch(t):
        return _date(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _US.fullmatch(t):
        month, day = int(m[1]), int(m[2])
        if m[3]:
            return _date(_full_year(m[3]), month, day, raw)
        return _nearest(month, day, today, side, raw)
    if m := _REL.fullmatch(t):
        n = int(m[2]) * (7 if m[3] == "w" else 1)
        return today + dt.timedelta(days=n if m[1] == "+" else -n)
    days = [i for i, name in enumerate(WEEKDAYS) if _starts(name, t, 2)]
    if len(days) == 1:
        wanted = days[0]
        delta = (wanted - today.weekday()) % 7
        if side == "past":
            return today - dt.timedelta(days=(today.weekday() - wanted) % 7)
        return today + dt.timedelta(days=delta)
    for pattern, month_group, day_group in ((_NAMED, 1, 2), (_NAMED_DAY_FIRST, 2, 1)):
        if (m := pattern.fullmatch(t)) and m[month_group] in MONTHS:
            month, day = MONTHS.index(m[month_group]) + 1, int(m[day_group])
            if m[3]:
                return _date(int(m[3]), month, day, raw)
            return _nearest(month, day, today, side, raw)
    raise _bad(raw)


def parse_clock(text: str, now: dt.time | None = None) -> dt.time:
    """The time of day the text names (to the minute); ``InvalidInput`` when it names none."""
    t = " ".join(text.strip().lower().split())
    if t == "now" and now is not None:
        return now.replace(second=0, microsecond=0)
    if t == "noon":
        return dt.time(12, 0)
    if t == "midnight":
        return dt.time(0, 0)
    m = _CLOCK.fullmatch(t)
    if m is None and t.isdigit() and len(t) in (3, 4):  # 930, 1430
        m = _CLOCK.fullmatch(f"{t[:-2]}:{t[-2:]}")
    if m is None:
        raise InvalidInput(f"“{text}” is not a time: type {TIME_HINT}.")
    hour, minute, half = int(m[1]), int(m[2] or 0), m[3]
    if half is not None:
        if not 1 <= hour <= 12:
            raise InvalidInput(f"“{text}” is not a time: type {TIME_HINT}.")
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise InvalidInput(f"“{text}” is not a time: type {TIME_HINT}.")
    return dt.time(hour, minute)


def format_day(d: dt.date) -> str:
    return d.isoformat()


def format_clock(t: dt.time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"
