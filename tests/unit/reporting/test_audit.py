"""The release gate on hand-made publications: what it must refuse and what it must pass."""

from __future__ import annotations

import pytest

from srojournal.domain.periods import parse_period
from srojournal.reporting.audit import audit_views, build_relations, publication_of
from srojournal.reporting.errors import AuditFailed
from srojournal.reporting.reader import Model, ReleaseView
from srojournal.reporting.tables import ALL, build_tables, logical_key

from .conftest import busy_month, point_of
from .factories import FactsBuilder

PERIOD = "2026-03"


def _view(facts, hidden: set[tuple[str, tuple[str, ...]]], number: int = 1) -> ReleaseView:
    tables = build_tables(facts)
    keys = {logical_key(t, c) for t, c in hidden}
    pub = {k: (None if k in keys else v) for k, v in tables.values().items()}
    return ReleaseView(parse_period(facts.period), number, {facts.period: facts}, pub)


def test_a_single_hidden_cell_is_recovered_from_its_row_total() -> None:
    facts = busy_month().build()
    with pytest.raises(AuditFailed) as err:
        audit_views([_view(facts, {("T1", ("mentoring", "resolved"))})], 10)
    assert "bug" in str(err.value)


def test_lower_bound_one_narrows_two_small_cells() -> None:
    """Two hidden non-empty cells of 1 and 2 beside a published total of 3: each is 1 or 2."""
    b = FactsBuilder()
    for s in range(1, 40):
        b.contact("mentoring", [s], outcome_group="resolved")
    b.contact("relationship", [100], outcome_group="resolved")
    b.contact("relationship", [101, 102], outcome_group="notified", times=2)
    facts = b.build()
    hidden = {("T1", ("relationship", "resolved")), ("T1", ("relationship", "notified"))}
    # the column totals would pin them anyway; hide the mentoring cells beside them too
    hidden |= {("T1", ("mentoring", "resolved")), ("T1", ("mentoring", "notified"))}
    with pytest.raises(AuditFailed):
        audit_views([_view(facts, hidden)], 10)


def test_a_protected_rectangle_passes() -> None:
    b = FactsBuilder()
    for s in range(1, 40):
        b.contact("mentoring", [s], outcome_group="resolved")
        b.contact("mentoring", [s], outcome_group="notified")
        b.contact("relationship", [s], outcome_group="resolved")
        b.contact("relationship", [s], outcome_group="notified")
    facts = b.build()
    hidden = {
        ("T1", ("relationship", "notified")),
        ("T1", ("relationship", "resolved")),
        ("T1", ("mentoring", "notified")),
        ("T1", ("mentoring", "resolved")),
    }
    report = audit_views([_view(facts, hidden)], 10)
    assert report.intervals and not report.failing
    assert report.narrowest() >= 3


def test_relations_hold_for_the_true_values() -> None:
    tables = build_tables(busy_month().build())
    values = tables.values()
    rels = build_relations((c.table_id, c.coords) for c in tables.cells())
    grand = logical_key("T1", (ALL, ALL))
    assert grand == logical_key("T2", (ALL, ALL)) == logical_key("T0", ("contacts",))
    assert any(grand in {k for k, _ in r.terms} for r in rels)
    for r in rels:
        total = sum(coef * values[k] for k, coef in r.terms)
        assert total == 0 if r.op == "eq" else total <= 0


def test_a_publication_that_disagrees_with_its_facts_is_a_bug() -> None:
    facts = busy_month().build()
    view = _view(facts, set())
    assert view.published is not None
    wrong = dict(view.published)
    wrong[logical_key("T0", ("contacts",))] = 1
    with pytest.raises(AuditFailed):
        audit_views([ReleaseView(view.period, 1, view.months, wrong)], 10)


def test_a_cell_shown_in_one_table_and_hidden_in_another_is_refused() -> None:
    from srojournal.reporting.model import Cell, Summary, Table
    from srojournal.reporting.suppression import suppress_facts

    s = suppress_facts(busy_month().build())
    t1 = s.table("T1")
    cat = next(c.coords[0] for c in t1.cells if c.coords[1] == ALL and c.status == "ok")
    naive = Table(
        "T1",
        t1.unit,
        t1.dimensions,
        tuple(Cell(c.coords, None, "S") if c.coords == (cat, ALL) else c for c in t1.cells),
    )
    tables = tuple(naive if t.id == "T1" else t for t in s.tables)
    with pytest.raises(AuditFailed):
        publication_of(Summary(s.period, s.threshold, 1, tables))


def test_points_found_elsewhere_are_checked_before_they_count() -> None:
    """The gate takes the suppression's points as witnesses only after checking each against
    its own system: a point off a relation, a fractional one, or one for another pattern proves
    nothing."""
    import numpy as np

    from srojournal.reporting.proof import System
    from srojournal.reporting.reader import Model

    b = FactsBuilder()
    for s in range(1, 40):
        for group in ("resolved", "notified"):
            b.contact("mentoring", [s], outcome_group=group)
            b.contact("relationship", [s], outcome_group=group)
    facts = b.build()
    cells = [(c, g) for c in ("mentoring", "relationship") for g in ("resolved", "notified")]
    view = _view(facts, {("T1", cell) for cell in cells})
    model = Model([view], 10)
    system = System(model, [(0, view.published)])
    atoms = [model.exprs[0][logical_key("T1", cell)][0][0] for cell in cells]
    part = system.parts[system.part_of_target[0]]

    def point(*moves: float) -> np.ndarray:
        return point_of(part.atoms, atoms, *moves)

    swap = point(1, -1, -1, 1)  # a rectangle: every margin stays
    off_a_relation = point(1, 0, 0, 0)
    fractional = point(0.5, -0.5, -0.5, 0.5)
    witnesses = [(tuple(part.atoms), np.array([swap, off_a_relation, fractional]))]
    assert system.seed(witnesses) == 1

    # Points of the protected rectangle do not vouch for a publication that shows a corner.
    shown = dict(view.published or {})
    corner = logical_key("T1", cells[0])
    shown[corner] = build_tables(facts).values()[corner]
    with pytest.raises(AuditFailed):
        audit_views([ReleaseView(view.period, 1, view.months, shown)], 10, witnesses)


def test_numbers_the_reader_knows_already_are_told_apart() -> None:
    """A quarter's number is known to the reader when each of its months published it (hiding
    it would protect nothing), not when a month hid it; distinct students and hours are never
    the sum of the months'."""
    from srojournal.reporting.proof import System
    from srojournal.reporting.suppression import suppress_facts

    months = {m: busy_month(m) for m in ("2026-01", "2026-02", "2026-03")}
    months["2026-02"].contact("mentoring", [1, 2], outcome_group="referred")  # a small cell
    facts = {m: b.build() for m, b in months.items()}
    views = [
        ReleaseView(parse_period(m), 1, {m: f}, publication_of(suppress_facts(f)))
        for m, f in facts.items()
    ]
    assert views[1].published is not None
    assert views[1].published[logical_key("T1", ("mentoring", "referred"))] is None
    quarter = ReleaseView(parse_period("2026-Q1"), 1, facts, None)
    model = Model([*views, quarter], 10)
    keys = list(model.exprs[-1])
    published = [(r, v.published) for r, v in enumerate(views) if v.published is not None]
    system = System(model, published, 12.0, [model.exprs[-1][key] for key in keys])
    known = {keys[c] for c in system.known()}
    shown_everywhere = {
        key for key in keys if all(v.published and v.published.get(key) is not None for v in views)
    }
    hidden_in_february = {key for key, v in views[1].published.items() if v is None}
    assert logical_key("T0", ("contacts",)) in shown_everywhere
    own = {logical_key("T0", ("students",)), logical_key("T0", ("hours",))}  # not sums
    assert shown_everywhere - own <= known
    assert logical_key("T1", ("mentoring", "referred")) in hidden_in_february
    assert not known & (hidden_in_february | own)
