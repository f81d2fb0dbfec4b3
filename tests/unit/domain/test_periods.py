from __future__ import annotations

import datetime as dt

import pytest

from srojournal.domain.periods import (
    month_of,
    parse_period,
    quarter_of,
    school_year_of,
)


def test_month() -> None:
    p = parse_period("2026-02")
    assert (p.kind, p.first, p.last) == ("month", dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert p.months() == ("2026-02",)
    assert p.end == dt.date(2026, 3, 1)
    assert parse_period("2024-02").last == dt.date(2024, 2, 29)
    assert parse_period("2025-12").end == dt.date(2026, 1, 1)


def test_quarter() -> None:
    p = parse_period("2026-Q4")
    assert (p.kind, p.first, p.last) == ("quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert p.months() == ("2026-10", "2026-11", "2026-12")
    assert parse_period("2026-Q1").months() == ("2026-01", "2026-02", "2026-03")


def test_school_year() -> None:
    p = parse_period("2025-26")
    assert (p.kind, p.first, p.last) == ("school_year", dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    assert len(p.months()) == 12
    assert p.months()[0] == "2025-07" and p.months()[-1] == "2026-06"
    assert parse_period("1999-00").last == dt.date(2000, 6, 30)


@pytest.mark.parametrize(
    "text",
    ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "2025-27", "2025-25", "26-01", "2026-1", "", "x"],
)
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="period must be"):
        parse_period(text)


def test_containing_periods_and_overlap() -> None:
    day = dt.date(2026, 3, 31)
    assert month_of(day).text == "2026-03"
    assert quarter_of(day).text == "2026-Q1"
    assert school_year_of(day).text == "2025-26"
    assert school_year_of(dt.date(2026, 7, 1)).text == "2026-27"
    assert school_year_of(dt.date(2026, 6, 30)).text == "2025-26"
    year, q1, march = school_year_of(day), quarter_of(day), month_of(day)
    assert year.contains(q1) and q1.contains(march) and not march.contains(q1)
    assert parse_period("2026-Q3").overlaps(parse_period("2026-27"))
    assert parse_period("2026-Q2").overlaps(parse_period("2025-26"))
    assert not parse_period("2026-Q3").overlaps(parse_period("2025-26"))
    assert march.is_over(dt.date(2026, 4, 1)) and not march.is_over(day)
