from __future__ import annotations

from dataclasses import replace

import pytest

from srojournal.domain.facts import StudentFact
from srojournal.reporting.errors import ReportRejected
from srojournal.reporting.tables import ALL, build_tables, logical_key

from .conftest import busy_month
from .factories import FactsBuilder


def _cells(month, table_id):
    t = next(t for t in month.tables if t.id == table_id)
    return {c.coords: c for c in t.cells}


def test_shared_margins_are_the_same_number() -> None:
    month = build_tables(busy_month().build())
    t0, t1, t2 = (_cells(month, t) for t in ("T0", "T1", "T2"))
    for cat in ("relationship", "mentoring", "conflict", "education", "safety"):
        assert t1[(cat, ALL)].count == t2[(ALL, cat)].count
        assert t1[(cat, ALL)].key == t2[(ALL, cat)].key
    assert t0[("contacts",)].count == t1[(ALL, ALL)].count == t2[(ALL, ALL)].count
    assert logical_key("T0", ("contacts",)) == logical_key("T2", (ALL, ALL))


def test_margins_add_up_and_t3_counts_each_student() -> None:
    facts = FactsBuilder().contact("mediation", [1, 2], band="middle").build()
    # a contact with two students in different bands counts in both rows
    c = facts.contacts[0]
    c2 = replace(c, students=(StudentFact(1, "middle"), StudentFact(2, "high")))
    month = build_tables(replace(facts, contacts=(c2,)))
    t3 = _cells(month, "T3")
    assert t3[("middle", "conflict")].count == 1
    assert t3[("high", "conflict")].count == 1
    assert t3[(ALL, "conflict")].count == 2
    assert t3[(ALL, ALL)].count == 2
    t1 = _cells(month, "T1")
    assert t1[(ALL, ALL)].count == 1
    # Each row holds only its own band's students: the middle row has one student, not two
    # (primary suppression counts these sets).
    assert t3[("middle", "conflict")].students == frozenset({1})
    assert t3[("high", "conflict")].students == frozenset({2})
    assert t3[(ALL, "conflict")].students == frozenset({1, 2})


def test_t0_t5_t6_values() -> None:
    month = build_tables(busy_month().build())
    t0, t5, t6 = (_cells(month, t) for t in ("T0", "T5", "T6"))
    assert t0[("follow_ups_due",)].count == t5[("due",)].count == 14
    assert t0[("follow_ups_done",)].count == 8
    assert t5[("open",)].count == 6
    assert t6[("classroom", "contacts")].count == 4
    assert t6[("classroom", "attendees")].count == 100
    assert t6[(ALL, "contacts")].count == 7
    assert not t6[("classroom", "contacts")].student_linked
    assert t0[("students",)].count == 33


def test_unknown_codes_are_rejected() -> None:
    facts = busy_month().build()
    bad = replace(facts.contacts[0], category="free text")
    with pytest.raises(ReportRejected) as err:
        build_tables(replace(facts, contacts=(bad,)))
    assert "free text" not in str(err.value)
    with pytest.raises(ReportRejected):
        build_tables(replace(facts, period="2026-13"))


def test_a_period_made_from_its_months_tables_is_the_period_counted_at_once() -> None:
    """A quarter's tables are merged from its months' tables: every cell, its distinct students
    and outcome groups, T0's distinct students and once-rounded hours, and the group-attribute
    counts must be what counting the quarter's facts at once gives (schools differ by month)."""
    import random

    from srojournal.reporting.tables import combine_months, period_tables_of

    from .factories import random_facts

    schools = ("Lincoln High", "Washington Middle", "Adams Elementary")
    rounded_differently = 0
    for seed in range(8):
        rng = random.Random(seed)
        months = []
        for i, month in enumerate(("2025-10", "2025-11", "2025-12")):
            f = random_facts(10 * seed + i, n_contacts=60 + 20 * i, n_students=30)
            own = schools[: 1 + (seed + i) % 3]
            contacts = tuple(
                replace(c, school=rng.choice(own), duration_min=rng.randrange(50))
                for c in f.contacts
            )
            months.append(replace(f, period=month, contacts=contacts, schools=own[::-1]))
        merged = period_tables_of("2025-Q4", months)
        direct = build_tables(combine_months("2025-Q4", months))
        assert merged == direct
        assert merged.linked == direct.linked
        hours = sum(_cells(build_tables(m), "T0")[("hours",)].count for m in months)
        rounded_differently += hours != _cells(direct, "T0")[("hours",)].count
    assert rounded_differently  # the months' rounded hours do not add up to the quarter's


def test_a_pair_is_remembered_only_for_the_same_two_objects() -> None:
    from srojournal.reporting.tables import memo, remembered_pair

    a, b, c = object(), object(), object()
    calls: list[str] = []

    def compute(name: str) -> str:
        calls.append(name)
        return name

    with memo():
        assert remembered_pair("k", a, b, lambda: compute("ab")) == "ab"
        assert remembered_pair("k", a, b, lambda: compute("again")) == "ab"
        assert remembered_pair("k", a, c, lambda: compute("ac")) == "ac"
        assert remembered_pair("k", b, a, lambda: compute("ba")) == "ba"
    assert remembered_pair("k", a, b, lambda: compute("outside")) == "outside"
    assert calls == ["ab", "ac", "ba", "outside"]
