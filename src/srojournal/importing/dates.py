"""Dates and times as spreadsheets write them.

Dates: ISO (2026-11-03), US month first (11/3/2026, 11/3/26), day first (3/11/2026, 3.11.2026),
and with the month's name (Nov 3, 2026; 3 November 2026), optionally followed by a time. Excel
date cells arrive as dates already. Whether a numeric column is month-first or day-first is
decided from the whole column (and every other date column of the file): a day above 12 settles
it. When no value settles it (every day is 12 or less) the column is ambiguous and the officer is
asked; it is never guessed.

Times: 24-hour (14:30, 1430) and 12-hour (2:30 PM, 2pm), Excel time cells and fractions of a day.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final


class DateOrder(enum.Enum):
    YMD = "YYYY-MM-DD"
    MDY = "M/D/YYYY"
    DMY = "D/M/YYYY"

    @property
    def label(self) -> str:
        return {
            DateOrder.YMD: "Year first (2026-11-03)",
            DateOrder.MDY: "Month first, as in the US (11/3/2026 is 3 November)",
            DateOrder.DMY: "Day first (3/11/2026 is 3 November)",
        }[self]


_ORDER_NAMES: Final = {
    "yyyy-mm-dd": DateOrder.YMD,
    "iso": DateOrder.YMD,
    "ymd": DateOrder.YMD,
    "m/d/yyyy": DateOrder.MDY,
    "mm/dd/yyyy": DateOrder.MDY,
    "m/d/yy": DateOrder.MDY,
    "us": DateOrder.MDY,
    "mdy": DateOrder.MDY,
    "month-first": DateOrder.MDY,
    "d/m/yyyy": DateOrder.DMY,
    "dd/mm/yyyy": DateOrder.DMY,
    "d.m.yyyy": DateOrder.DMY,
    "dd.mm.yyyy": DateOrder.DMY,
    "d/m/yy": DateOrder.DMY,
    "dmy": DateOrder.DMY,
    "day-first": DateOrder.DMY,
}
DATE_FORMAT_CHOICES: Final = ("YYYY-MM-DD", "M/D/YYYY", "D/M/YYYY")


def parse_date_order(text: str) -> DateOrder:
    """``--date-format`` and a mapping's ``date_format``: raises ValueError with the choices."""
    order = _ORDER_NAMES.get(text.strip().casefold())
    if order is None:
        raise ValueError(
            f"unknown date format {text[:20]!r}: use one of " + ", ".join(DATE_FORMAT_CHOICES)
        )
    return order


_TIME: Final = r"(\d{1,2})(?::(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*([AaPp])?\.?\s*(?:[Mm]\.?)?"
_TIME_RE: Final = re.compile(r"^\s*" + _TIME + r"\s*$")
_COMPACT_TIME_RE: Final = re.compile(r"^\s*(\d{2})(\d{2})\s*(?:h|hrs)?\s*$")
_TAIL: Final = r"(?:(?:\s+|T|\s*,\s*|\s+at\s+)(?P<time>.+?))?\s*$"
_ISO_RE: Final = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TAIL)
_NUMERIC_RE: Final = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})" + _TAIL)
_MONTHS: Final = {
    name: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for name in names
}
_WEEKDAY: Final = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_MONTH_FIRST_RE: Final = re.compile(
    r"^\s*" + _WEEKDAY + r"([a-z]+)\.?[\s-]+(\d{1,2})(?:st|nd|rd|th)?,?[\s-]+(\d{4})" + _TAIL,
    re.IGNORECASE,
)
_DAY_FIRST_RE: Final = re.compile(
    r"^\s*" + _WEEKDAY + r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)\.?,?[\s-]+(\d{4})" + _TAIL,
    re.IGNORECASE,
)


class DateError(ValueError):
    """The text is not a date (or not one in the column's order)."""


@dataclass(frozen=True, slots=True)
class ParsedDate:
    date: dt.date
    time: dt.time | None  # a time written in the same cell (a timestamp column)


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:
        y += 2000 if y < 80 else 1900
    return y


def _make(y: int, m: int, d: int) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise DateError("not a real date: check the day and month") from None


def _tail_time(text: str | None) -> dt.time | None:
    if not text:
        return None
    return parse_time_text(text)


def parse_date(value: object, order: DateOrder | None) -> ParsedDate:
    """A cell as a date. ``order`` settles 3/4/2026; without it such a value is refused."""
    if isinstance(value, dt.datetime):
        t = value.time()
        return ParsedDate(value.date(), None if t == dt.time(0, 0) else t.replace(second=0))
    if isinstance(value, dt.date):
        return ParsedDate(value, None)
    if not isinstance(value, str):
        raise DateError("is not a date")
    text = value
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return ParsedDate(dt.date.fromisoformat(text), None)
        except ValueError:
            pass
    m = _ISO_RE.match(text)
    if m:
        return ParsedDate(_make(int(m[1]), int(m[2]), int(m[3])), _tail_time(m.group("time")))
    m = _NUMERIC_RE.match(text)
    if m:
        a, b, y = int(m[1]), int(m[2]), _year(m[3])
        if order is None:
            if a > 12:
                order = DateOrder.DMY
            elif b > 12:
                order = DateOrder.MDY
            else:
                raise DateError("could be month first or day first")
        if order is DateOrder.DMY:
            a, b = b, a
        elif order is DateOrder.YMD:
            raise DateError("is not written year first like the rest of the column")
        return ParsedDate(_make(y, a, b), _tail_time(m.group("time")))
    for rx, month_group, day_group in ((_MONTH_FIRST_RE, 1, 2), (_DAY_FIRST_RE, 2, 1)):
        m = rx.match(text)
        if m:
            month = _MONTHS.get(m[month_group].casefold())
            if month is None:
                break
            return ParsedDate(
                _make(int(m[3]), month, int(m[day_group])), _tail_time(m.group("time"))
            )
    raise DateError("is not a date")


@dataclass(frozen=True, slots=True)
class OrderEvidence:
    """What a file's date columns say about month-first versus day-first."""

    month_first: int = 0  # values whose second number is above 12 (11/13/2026)
    day_first: int = 0  # values whose first number is above 12 (13/11/2026)
    undecided: int = 0  # numeric values that fit both (3/4/2026)
    example: str = ""  # one undecided value, to show the officer

    @property
    def order(self) -> DateOrder | None:
        """The order the values settle, or None (no numeric dates, or only undecided ones)."""
        if self.month_first > self.day_first:
            return DateOrder.MDY
        if self.day_first > self.month_first:
            return DateOrder.DMY
        return None

    @property
    def ambiguous(self) -> bool:
        return self.undecided > 0 and self.order is None


def date_order_evidence(values: Iterable[object]) -> OrderEvidence:
    month_first = day_first = undecided = 0
    example = ""
    for v in values:
        if not isinstance(v, str) or (len(v) == 10 and v[4] == "-"):
            continue
        m = _NUMERIC_RE.match(v)
        if not m:
            continue
        a, b = int(m[1]), int(m[2])
        if a > 12 and b <= 12:
            day_first += 1
        elif b > 12 and a <= 12:
            month_first += 1
        elif a <= 12 and b <= 12:
            undecided += 1
            if not example and a != b:
                example = v.strip()[:20]
    return OrderEvidence(month_first, day_first, undecided, example)


def parse_time_text(text: str) -> dt.time:
    m = _TIME_RE.match(text)
    if m:
        hour = int(m[1])
        minute = int(m[2]) if m[2] else 0
        if m[4]:  # a.m. / p.m.
            if not 1 <= hour <= 12:
                raise DateError("is not a 12-hour time (the hour must be 1 to 12 with AM/PM)")
            hour = hour % 12 + (12 if m[4] in "Pp" else 0)
        elif m[2] is None:
            raise DateError("is not a time (write it like 14:30 or 2:30 PM)")
        if hour > 23 or minute > 59:
            raise DateError("is not a time of day")
        return dt.time(hour, minute)
    m = _COMPACT_TIME_RE.match(text)
    if m:  # 1430 (24-hour, as police logs write it)
        hour, minute = int(m[1]), int(m[2])
        if hour <= 23 and minute <= 59:
            return dt.time(hour, minute)
    raise DateError("is not a time (write it like 14:30 or 2:30 PM)")


def parse_time(value: object) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, dt.timedelta) and dt.timedelta(0) <= value < dt.timedelta(days=1):
        minutes = int(value.total_seconds() // 60)
        return dt.time(minutes // 60, minutes % 60)
    if isinstance(value, bool):
        raise DateError("is not a time")
    if isinstance(value, float) and 0 <= value < 1:  # a fraction of a day (an unformatted cell)
        minutes = round(value * 1440) % 1440
        return dt.time(minutes // 60, minutes % 60)
    if isinstance(value, int | float) and float(value).is_integer():
        return parse_time_text(f"{int(value):04d}")
    if isinstance(value, str):
        return parse_time_text(value)
    raise DateError("is not a time")


def looks_like_12_hour_without_suffix(values: Iterable[object]) -> str | None:
    """An example when every text time lacks AM/PM and some read as early morning (2:30)."""
    early = ""
    for v in values:
        if not isinstance(v, str) or not v.strip():
            continue
        m = _TIME_RE.match(v)
        if not m or m[4]:
            return None
        hour = int(m[1])
        if hour >= 13 or hour == 0:
            return None
        if 1 <= hour <= 5 and not early:
            early = v.strip()
    return early or None
