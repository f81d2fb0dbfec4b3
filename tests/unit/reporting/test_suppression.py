from __future__ import annotations

import pytest

from srojournal.reporting.audit import audit_release, compute_intervals
from srojournal.reporting.errors import AuditFailed
from srojournal.reporting.model import Cell, Summary, Table
from srojournal.reporting.render_json import render_summary_json
from srojournal.reporting.suppression import suppress
from srojournal.reporting.tables import ALL, build_tables, logical_key

from .conftest import busy_month
from .factories import FactsBuilder


def _status(summary: Summary, table_id: str, *coords: str) -> str:
    return summary.table(table_id).cell(*coords).status


def _export(facts, k: int = 10, earlier: list[Summary] | None = None) -> Summary:
    earlier = earlier or []
    summary = suppress(build_tables(facts), k, len(earlier) + 1, earlier)
    audit_release(render_summary_json(summary), [render_summary_json(e) for e in earlier])
    return summary


def _same_key_same_status(summary: Summary) -> None:
    seen: dict[object, str] = {}
    for t in summary.tables:
        for c in t.cells:
            key = logical_key(t.id, c.coords)
            assert seen.setdefault(key, c.status) == c.status, (t.id, c.coords)


def test_one_student_with_twelve_contacts_is_still_one_student() -> None:
    b = busy_month()
    b.contact("restorative", [99], outcome_group="agreement", times=12)
    summary = _export(b.build())
    month = build_tables(b.build())
    t1 = {c.coords: c for c in month.tables[1].cells}
    assert t1[("conflict", "agreement")].count == 24  # 12 mediations + 12 restorative
    # the restorative sessions alone would be 12 contacts of one student
    b2 = FactsBuilder().contact("mentoring", [7], outcome_group="follow_up", times=12)
    for s in range(20, 40):
        b2.contact("relationship", [s], outcome_group="none")
    s2 = _export(b2.build())
    assert _status(s2, "T1", "mentoring", "follow_up") == "S"
    assert s2.table("T1").cell("mentoring", "follow_up").count is None
    assert _status(s2, "T1", "mentoring", ALL) == "S"
    _same_key_same_status(summary)


def test_two_suppressed_cells_in_one_row_with_the_total_shown() -> None:
    b = FactsBuilder()
    for s in range(1, 41):
        b.contact("mentoring", [s], outcome_group="resolved")
    for s in range(41, 44):
        b.contact("mentoring", [s], outcome_group="referred")
    for s in range(44, 48):
        b.contact("mentoring", [s], outcome_group="notified")
    for s in range(100, 140):
        b.contact("relationship", [s], outcome_group="resolved")
    b.contact("relationship", [150, 151], outcome_group="notified", times=2)
    b.contact("relationship", [152, 153, 154], outcome_group="referred")
    summary = _export(b.build())
    assert _status(summary, "T1", "mentoring", "referred") == "S"
    assert _status(summary, "T1", "mentoring", "notified") == "S"
    total = summary.table("T1").cell("mentoring", ALL)
    assert total.status == "ok" and total.count == 47
    report = compute_intervals([summary])
    for (_, key), iv in report.intervals.items():
        assert iv.width >= 3, key


def test_a_leak_through_margins_shared_by_two_tables_is_caught() -> None:
    summary = _export(busy_month().build())
    _same_key_same_status(summary)
    # Hide a category margin in T1 only: T2 still shows the same number, a reader recovers it.
    t1 = summary.table("T1")
    hidden_cat = next(c.coords[0] for c in t1.cells if c.coords[1] == ALL and c.coords[0] != ALL)
    naive_t1 = Table(
        "T1",
        t1.unit,
        t1.dimensions,
        tuple(Cell(c.coords, None, "S") if c.coords == (hidden_cat, ALL) else c for c in t1.cells),
    )
    naive = Summary(
        summary.period,
        summary.threshold,
        1,
        tuple(naive_t1 if t.id == "T1" else t for t in summary.tables),
    )
    with pytest.raises(AuditFailed):
        audit_release(render_summary_json(naive), [])


def test_per_table_suppression_is_not_enough_for_shared_margins() -> None:
    # conflict contacts of 4 students: (conflict,_all) is suppressed in T1 AND in T2
    b = busy_month()
    facts = b.build()
    from dataclasses import replace

    few = tuple(c for c in facts.contacts if c.category != "conflict")
    b2 = FactsBuilder()
    b2.contact("mediation", [1, 2], outcome_group="agreement", times=3)
    b2.contact("deescalation", [3, 4], outcome_group="resolved", school=b2.schools[1])
    facts = replace(facts, contacts=few + tuple(b2.build().contacts))
    summary = _export(facts)
    assert _status(summary, "T1", "conflict", ALL) == "S"
    assert _status(summary, "T2", ALL, "conflict") == "S"
    assert _status(summary, "T3", ALL, "conflict") == "S"


def test_month_with_six_students_publishes_no_breakdown() -> None:
    b = FactsBuilder()
    for s in range(1, 7):
        b.contact("mentoring", [s], times=5)
    b.contact("classroom", [], attendees=30, times=3)
    summary = _export(b.build())
    for t in summary.tables:
        if t.id != "T0":
            assert all(c.status == "S" for c in t.cells), t.id
    t0 = summary.table("T0")
    assert t0.cell("contacts").status == "S"
    assert t0.cell("students").status == "S"
    assert any("no breakdown" in n for n in summary.notes)


def test_row_whose_contacts_are_all_citations_is_suppressed() -> None:
    b = busy_month()
    for s in range(60, 75):  # 15 students, all safety contacts end in a citation
        b.contact("investigation", [s], outcome_group="enforcement", band="high")
    facts = b.build()
    from dataclasses import replace

    facts = replace(
        facts, contacts=tuple(c for c in facts.contacts if c.contact_type != "safety_check")
    )
    summary = _export(facts)
    safety_row = [c for c in summary.table("T1").cells if c.coords[0] == "safety"]
    assert safety_row and all(c.status == "S" for c in safety_row)
    assert _status(summary, "T2", ALL, "safety") == "S"
    _same_key_same_status(summary)


def test_threshold_floor_is_five() -> None:
    summary = _export(busy_month().build(), k=2)
    assert summary.threshold == 5


def test_suppression_is_sticky_across_releases() -> None:
    b = busy_month()
    first = _export(b.build())
    for s in range(200, 215):
        b.contact("mentoring", [s], outcome_group="follow_up")
    second = _export(b.build(), earlier=[first])
    assert second.release == 2
    for t1, t2 in zip(first.tables, second.tables, strict=True):
        for c1, c2 in zip(t1.cells, t2.cells, strict=True):
            if c1.status == "S":
                assert c2.status == "S", (t1.id, c1.coords)
    # the late entries are visible in the revision
    assert (
        second.table("T0").cell("contacts").count == first.table("T0").cell("contacts").count + 15
    )


def test_revealing_a_cell_in_a_revision_fails_the_joint_audit() -> None:
    first = _export(busy_month().build())
    # a "revision" that shows every cell un-suppressed with the true values
    month = build_tables(busy_month().build())
    tables = tuple(
        Table(t.id, t.unit, t.dimensions, tuple(Cell(c.coords, c.count, "ok") for c in t.cells))
        for t in month.tables
    )
    alone = Summary(first.period, first.threshold, 1, tables)
    audit_release(render_summary_json(alone), [])  # alone: nothing is suppressed, passes
    naive = Summary(first.period, first.threshold, 2, tables)
    with pytest.raises(AuditFailed):
        audit_release(render_summary_json(naive), [render_summary_json(first)])


def test_empty_month_and_group_activities_only() -> None:
    empty = _export(FactsBuilder().build())
    assert all(c.status == "ok" and c.count == 0 for t in empty.tables for c in t.cells)
    b = FactsBuilder().contact("classroom", [], attendees=20, times=5)
    only_groups = _export(b.build())
    assert only_groups.table("T6").cell("classroom", "contacts").count == 5
    assert only_groups.table("T0").cell("contacts").count == 5


def test_month_where_every_contact_is_enforcement() -> None:
    b = FactsBuilder()
    for s in range(1, 25):
        b.contact("investigation", [s], outcome_group="enforcement", school=b.schools[s % 2])
    summary = _export(b.build())
    t1 = summary.table("T1")
    assert all(c.status == "S" for c in t1.cells if c.coords[0] in ("safety", ALL))
    assert summary.table("T0").cell("contacts").status == "S"
    assert summary.table("T2").cell(ALL, ALL).status == "S"
    _same_key_same_status(summary)
