"""Reporting periods: a month ``YYYY-MM``, a quarter ``YYYY-Qn`` and a school year ``YYYY-YY``.

A quarter is a calendar quarter (Q1 = January to March). A school year runs from 1 July to
30 June: ``2025-26`` is 1 July 2025 to 30 June 2026, and its second part must be the year after
the first (``2025-27`` is not a period). This module is the one place that knows these shapes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final, Literal

PeriodKind = Literal["month", "quarter", "school_year"]

MONTH_RE: Final = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER_RE: Final = re.compile(r"^(\d{4})-Q([1-4])$")
SCHOOL_YEAR_RE: Final = re.compile(r"^(\d{4})-(\d{2})$")
PERIOD_RE: Final = re.compile(r"^\d{4}-(?:0[1-9]|1[0-2]|Q[1-4]|\d{2})$")
"""Any of the three shapes (a cheap pre-check; :func:`parse_period` is the authority)."""

PERIOD_HELP: Final = "a month YYYY-MM, a quarter YYYY-Qn or a school year YYYY-YY"


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A reporting period: ``first`` and ``last`` are inclusive dates."""

    first: dt.date
    last: dt.date
    kind: PeriodKind
    text: str

    @property
    def end(self) -> dt.date:
        """The day after the period (exclusive bound, handy for SQL ranges)."""
        return self.last + dt.timedelta(days=1)

    def months(self) -> tuple[str, ...]:
        """Every month of the period, in order, as ``YYYY-MM``."""
        out: list[str] = []
        y, m = self.first.year, self.first.month
        while (y, m) <= (self.last.year, self.last.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return tuple(out)

    def overlaps(self, other: Period) -> bool:
        return self.first <= other.last and other.first <= self.last

    def contains(self, other: Period) -> bool:
        return self.first <= other.first and other.last <= self.last

    def is_over(self, today: dt.date) -> bool:
        """True once the last day of the period has passed."""
        return today > self.last

    def __str__(self) -> str:
        return self.text


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def month(year: int, month_number: int) -> Period:
    return Period(
        dt.date(year, month_number, 1),
        _month_end(year, month_number),
        "month",
        f"{year:04d}-{month_number:02d}",
    )


def quarter(year: int, number: int) -> Period:
    first_month = 3 * (number - 1) + 1
    return Period(
        dt.date(year, first_month, 1),
        _month_end(year, first_month + 2),
        "quarter",
        f"{year:04d}-Q{number}",
    )


def school_year(start_year: int) -> Period:
    return Period(
        dt.date(start_year, 7, 1),
        dt.date(start_year + 1, 6, 30),
        "school_year",
        f"{start_year:04d}-{(start_year + 1) % 100:02d}",
    )


def parse_period(text: str) -> Period:
    """Parse one of the three shapes; ValueError with a message fit for the user otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"a period must be {PERIOD_HELP}")
    if m := MONTH_RE.match(text):
        return month(int(m.group(1)), int(m.group(2)))
    if m := QUARTER_RE.match(text):
        return quarter(int(m.group(1)), int(m.group(2)))
    if m := SCHOOL_YEAR_RE.match(text):
        start = int(m.group(1))
        if int(m.group(2)) == (start + 1) % 100:
            return school_year(start)
    raise ValueError(f"a period must be {PERIOD_HELP}, not {text[:20]!r}")


def month_of(day: dt.date) -> Period:
    return month(day.year, day.month)


def quarter_of(day: dt.date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def school_year_of(day: dt.date) -> Period:
    return school_year(day.year if day.month >= 7 else day.year - 1)


def is_month(text: str) -> bool:
    return bool(MONTH_RE.match(text))
