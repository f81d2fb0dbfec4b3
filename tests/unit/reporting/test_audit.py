from __future__ import annotations

import time

import pytest

from srojournal.reporting.audit import (
    IntervalSolver,
    audit_release,
    build_relations,
    compute_intervals,
)
from srojournal.reporting.errors import AuditFailed
from srojournal.reporting.model import Cell, Summary, Table
from srojournal.reporting.render_json import render_summary_json
from srojournal.reporting.suppression import suppress
from srojournal.reporting.tables import ALL, MonthTables, build_tables, logical_key

from .conftest import busy_month
from .factories import random_facts


def _all_ok(month: MonthTables) -> Summary:
    """Every cell published with its true value."""
    tables = tuple(
        Table(t.id, t.unit, t.dimensions, tuple(Cell(c.coords, c.count, "ok") for c in t.cells))
        for t in month.tables
    )
    return Summary(month.period, 10, 1, tables)


def _hide(summary: Summary, hidden: set[tuple[str, tuple[str, ...]]]) -> Summary:
    keys = {logical_key(t, c) for t, c in hidden}
    tables = tuple(
        Table(
            t.id,
            t.unit,
            t.dimensions,
            tuple(
                Cell(c.coords, None, "S") if logical_key(t.id, c.coords) in keys else c
                for c in t.cells
            ),
        )
        for t in summary.tables
    )
    return Summary(summary.period, summary.threshold, summary.release, tables)


@pytest.fixture
def plain() -> Summary:
    return _all_ok(build_tables(busy_month().build()))


def _true(summary: Summary, tid: str, *coords: str) -> int:
    count = summary.table(tid).cell(*coords).count
    assert count is not None
    return count


def test_a_single_hidden_cell_is_recovered_from_its_row_total(plain: Summary) -> None:
    s = _hide(plain, {("T1", ("mentoring", "resolved"))})
    report = compute_intervals([s])
    (iv,) = report.intervals.values()
    assert iv.low == iv.high == _true(plain, "T1", "mentoring", "resolved")
    with pytest.raises(AuditFailed) as err:
        audit_release(render_summary_json(s), [])
    assert "bug" in str(err.value)


def test_two_hidden_cells_in_a_row_are_still_recovered_through_columns(plain: Summary) -> None:
    # the two cells share a row, but each column total still pins them
    s = _hide(plain, {("T1", ("conflict", "agreement")), ("T1", ("conflict", "none"))})
    with pytest.raises(AuditFailed):
        audit_release(render_summary_json(s), [])


def test_a_protected_rectangle_passes(plain: Summary) -> None:
    hidden = {
        ("T1", ("relationship", "none")),
        ("T1", ("relationship", "resolved")),
        ("T1", ("mentoring", "none")),
        ("T1", ("mentoring", "resolved")),
    }
    s = _hide(plain, hidden)
    report = compute_intervals([s])
    assert report.intervals and not report.failing()


def test_narrow_interval_fails_even_without_exact_recovery() -> None:
    # hand-made: T5 due = on_time + late + open, with on_time and open hidden and due - late = 2
    b = busy_month()
    b.follow_ups.clear()
    b.follow_up("done_on_time", [1]).follow_up("open", [2]).follow_up("done_late", [3])
    s = _all_ok(build_tables(b.build()))
    s = _hide(s, {("T5", ("done_on_time",)), ("T5", ("open",)), ("T0", ("follow_ups_done",))})
    report = compute_intervals([s])
    widths = sorted(iv.width for iv in report.intervals.values())
    assert widths[0] < 3  # on_time + open = 2: each is 0, 1 or 2
    with pytest.raises(AuditFailed):
        audit_release(render_summary_json(s), [])


def test_relations_cover_margins_and_cross_table_identities(plain: Summary) -> None:
    rels = build_relations((t.id, c.coords) for t in plain.tables for c in t.cells)
    keys_in_rel = [{k for k, _ in r.terms} for r in rels]
    grand = logical_key("T1", (ALL, ALL))
    assert grand == logical_key("T2", (ALL, ALL)) == logical_key("T0", ("contacts",))
    assert any(grand in ks for ks in keys_in_rel)
    # every relation holds for the true values
    values = {logical_key(t.id, c.coords): c.count for t in plain.tables for c in t.cells}
    for r in rels:
        total = sum(coef * (values[k] or 0) for k, coef in r.terms)
        assert total == 0 if r.op == "eq" else total <= 0


def test_audit_reads_only_the_bytes() -> None:
    with pytest.raises(AuditFailed):
        audit_release(b"{not json", [])


def test_summary_with_suppression_and_audit_is_fast() -> None:
    facts = random_facts(7, n_contacts=400, n_students=120)
    best = 10.0
    for _ in range(3):
        start = time.perf_counter()
        summary = suppress(build_tables(facts), 10, 1, solver=IntervalSolver())
        audit_release(render_summary_json(summary), [])
        best = min(best, time.perf_counter() - start)
    assert best <= 0.5, f"{best * 1000:.0f} ms"
