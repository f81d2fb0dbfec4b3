"""What the Reports screen says, in plain words: periods, tables, and why numbers are hidden.

No widgets here: functions from the engine's results to sentences, so the words are tested on
their own and the page stays thin.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence

from srojournal.domain import taxonomy
from srojournal.domain.periods import (
    Period,
    month_of,
    parse_period,
    quarter,
    quarter_of,
    school_year,
    school_year_of,
)
from srojournal.reporting.model import STATUS_SUPPRESSED, Summary, Table

ALL = "_all"
KINDS = (("month", "Month"), ("quarter", "Quarter"), ("school_year", "School year"))

TABLE_NAMES = {
    "T0": "Headline figures",
    "T1": "Contacts by category and outcome",
    "T2": "Contacts by school and category",
    "T3": "Students in contacts, by grade band and category",
    "T4": "Referrals, by where students were referred",
    "T5": "Follow-ups due, and how they went",
    "T6": "Lessons, trainings, drills and events",
}
TABLE_UNITS = {
    "contacts": "contacts",
    "student_contacts": "students in contacts (a contact with two students counts twice)",
    "referrals": "referrals",
    "follow_ups": "follow-ups",
}
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


# -- periods -------------------------------------------------------------------------------------
def period_name(text: str) -> str:
    """ "November 2025", "2025-Q4 (October–December 2025)", "School year 2025–26"."""
    p = parse_period(text)
    if p.kind == "month":
        return f"{_MONTHS[p.first.month - 1]} {p.first.year}"
    if p.kind == "quarter":
        first, last = _MONTHS[p.first.month - 1], _MONTHS[p.last.month - 1]
        return f"{p.text} ({first}–{last} {p.first.year})"
    return f"School year {p.first.year}–{str(p.last.year)[2:]}"


def short_name(text: str) -> str:
    """ "November" for a month (the name an officer says), else the period's own text."""
    p = parse_period(text)
    return _MONTHS[p.first.month - 1] if p.kind == "month" else p.text


def _of(kind: str, day: dt.date) -> Period:
    if kind == "month":
        return month_of(day)
    if kind == "quarter":
        return quarter_of(day)
    return school_year_of(day)


def _before(p: Period) -> Period:
    return _of(p.kind, p.first - dt.timedelta(days=1))


def periods(kind: str, today: dt.date, first_entry: dt.date | None) -> list[str]:
    """The periods of one kind to choose from, newest first: from the current one back to the
    one of the journal's first entry (only the current one for an empty journal)."""
    current = _of(kind, today)
    earliest = _of(kind, first_entry) if first_entry is not None else current
    out: list[str] = []
    p = current
    while p.first >= earliest.first and len(out) < 600:
        out.append(p.text)
        p = _before(p)
    return out or [current.text]


def default_period(kind: str, today: dt.date, first_entry: dt.date | None) -> str:
    """The last complete period, unless the journal starts after it: then the current one."""
    current = _of(kind, today)
    last = _before(current)
    if first_entry is not None and first_entry <= last.last:
        return last.text
    return current.text


def larger_period(text: str) -> str | None:
    """The quarter of a month (what it would publish that the month cannot); None otherwise."""
    p = parse_period(text)
    if p.kind != "month":
        return None
    return quarter(p.first.year, (p.first.month - 1) // 3 + 1).text


def year_of(text: str) -> str:
    return school_year(school_year_of(parse_period(text).first).first.year).text


# -- why numbers are hidden ---------------------------------------------------------------------
def hidden_sentence(table: Table, reasons: Mapping[tuple[str, tuple[str, ...]], str], k: int,
                    period: str) -> str:  # fmt: skip
    """One sentence: how much of this table is hidden and why."""
    cells = len(table.cells)
    hidden = [c for c in table.cells if c.status == STATUS_SUPPRESSED]
    if not hidden:
        return f"All {cells} numbers are shown."
    why = Counter(reasons.get((table.id, c.coords), "complement") for c in hidden)
    if why.get("no_breakdown"):
        return (
            f"All {cells} numbers are hidden: fewer than {k} different students were seen in "
            f"{period_name(period)}, so no breakdown is shown at all."
        )
    parts = []
    for code in ("small", "few_contacts", "group", "sticky", "changed", "complement"):
        n = why.get(code, 0)
        if n:
            parts.append(_reason(code, n, k))
    head = f"{len(hidden)} of {cells} numbers are hidden"
    return f"{head}: {_join(parts)}."


def _reason(code: str, n: int, k: int) -> str:
    one = n == 1
    return {
        "small": f"{n} {'counts' if one else 'count'} fewer than {k} different students",
        "few_contacts": (
            f"{n} {'shows' if one else 'show'} an enforcement or referral outcome that only one "
            "or two contacts share"
        ),
        "group": (
            f"{n} would show that every student contact of a row had an enforcement or "
            "referral outcome"
        ),
        "sticky": f"{n} {'was' if one else 'were'} hidden in an earlier release of this period",
        "changed": f"{n} would show exactly what changed since the last release",
        "complement": (
            f"{n} {'keeps' if one else 'keep'} hidden numbers from being worked out from "
            "totals, other tables or other releases"
        ),
    }[code]


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def overall_sentence(summary: Summary) -> str:
    hidden = sum(1 for t in summary.tables for c in t.cells if c.status == STATUS_SUPPRESSED)
    cells = sum(len(t.cells) for t in summary.tables)
    if not hidden:
        return "Every number is shown: each one covers at least enough different students."
    return (
        f"{hidden} of {cells} numbers are shown as S (hidden), so that no student can be "
        f"singled out; k = {summary.threshold}: a number needs at least {summary.threshold} "
        "different students behind it."
    )


def larger_sentence(small: Summary, large: Summary) -> str:
    """What the larger period (a quarter) would publish that the smaller one hides."""
    by_table: Counter[str] = Counter()
    for ts, tl in zip(small.tables, large.tables, strict=True):
        shown = {c.coords for c in tl.cells if c.status != STATUS_SUPPRESSED}
        for c in ts.cells:
            if c.status == STATUS_SUPPRESSED and c.coords in shown:
                by_table[ts.id] += 1
    total = sum(by_table.values())
    name, small_name = period_name(large.period), short_name(small.period)
    if not total:
        return f"The quarter {name} would not show any number that {small_name} hides."
    top = [f"{n} in {TABLE_NAMES[t].lower()}" for t, n in by_table.most_common(2)]
    rest = total - sum(n for _t, n in by_table.most_common(2))
    if rest:
        top.append(f"{rest} more")
    return (
        f"The quarter {name} would show {total} numbers that {small_name} hides "
        f"({_join(top)}): more students are behind each of them."
    )


def refused_sentence(period: str, previous: int, students: int, k: int,
                     counted_in: Sequence[str]) -> str:  # fmt: skip
    who = "1 student" if students == 1 else f"{students} students"
    where = " and ".join(f"the {'quarter' if 'Q' in p else 'school year'} {p}" for p in counted_in)
    later = f" They will be counted in {where} instead." if where else ""
    return (
        f"A revision of {period_name(period)} can't be published: the entries added or changed "
        f"since release {previous} concern {who}, fewer than {k}, so a revision would single "
        f"them out.{later}"
    )


def headline_text(t0: Table) -> str:
    """The headline figures on one line."""
    v = {c.coords[0]: cell_text(c.count, c.status) for c in t0.cells}
    return (
        f"{v['contacts']} contacts  ·  {v['students']} students  ·  {v['hours']} hours  ·  "
        f"Follow-ups due: {v['follow_ups_due']}, done: {v['follow_ups_done']}"
    )


def label_for(value: str) -> str:
    if value == ALL:
        return "Total"
    if value in taxonomy.CATEGORY_LABELS:
        return taxonomy.CATEGORY_LABELS[value]
    if value in taxonomy.REFERRAL_TARGETS:
        return taxonomy.REFERRAL_TARGETS[value]
    if value.startswith("follow_up"):
        return "Follow-" + value[len("follow_") :].replace("_", " ")
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]  # a school keeps its capitals: not str.capitalize()


def cell_text(count: int | None, status: str) -> str:
    return "S" if status == STATUS_SUPPRESSED or count is None else str(count)
