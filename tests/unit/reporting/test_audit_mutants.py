"""The release gate told apart from a slightly wrong gate: each test pins one behaviour of the
reader's system (:mod:`srojournal.reporting.reader`, :mod:`.relations`), of the exact proofs
(:mod:`.proof`) or of the gate (:mod:`.audit`) that a wrong line would change.

Months are hand-made and small, so every test runs in well under a second or two.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from srojournal.domain.facts import MonthFacts
from srojournal.domain.periods import parse_period
from srojournal.reporting.audit import audit_views, build_relations, publication_of
from srojournal.reporting.errors import AuditFailed
from srojournal.reporting.lp import INF
from srojournal.reporting.model import Cell, Summary, Table
from srojournal.reporting.proof import System
from srojournal.reporting.reader import Interval, Model, ReleaseView, Target
from srojournal.reporting.suppression import suppress_facts, suppress_release
from srojournal.reporting.tables import LogicalKey, build_tables, logical_key, period_tables_of

from .conftest import busy_month, point_of
from .factories import FactsBuilder, random_facts

PERIOD = "2026-03"
RECTANGLE = [(c, g) for c in ("mentoring", "relationship") for g in ("resolved", "notified")]


def _view(
    facts: MonthFacts, hidden: set[tuple[str, tuple[str, ...]]], number: int = 1
) -> ReleaseView:
    """A release of one month that hides exactly these (table, coordinates) cells."""
    tables = build_tables(facts)
    keys = {logical_key(t, c) for t, c in hidden}
    pub = {k: (None if k in keys else v) for k, v in tables.values().items()}
    return ReleaseView(parse_period(facts.period), number, {facts.period: facts}, pub)


def _rectangle_month() -> FactsBuilder:
    """39 students in each corner of a mentoring/relationship × resolved/notified rectangle."""
    b = FactsBuilder(PERIOD)
    for s in range(1, 40):
        for category, group in RECTANGLE:
            b.contact(category, [s], outcome_group=group)
    return b


def _with_late_follow_ups() -> MonthFacts:
    """The rectangle month with twelve follow-ups each on time, late and open."""
    b = _rectangle_month()
    for s in range(1, 37):
        b.follow_up(("done_on_time", "done_late", "open")[s % 3], [s])
    return b.build()


# -- the reader's relations and links ----------------------------------------------------------


def test_follow_up_relations_hold_with_late_follow_ups() -> None:
    """Due = on time + late + open, and done = on time + late, for a month that has late
    follow-ups (a wrong coefficient on "late" would make the truth break the relation)."""
    facts = _with_late_follow_ups()
    tables = build_tables(facts)
    values = tables.values()
    late = logical_key("T5", ("done_late",))
    assert values[late] == 12
    rels = build_relations((c.table_id, c.coords) for c in tables.cells())
    with_late = [r for r in rels if late in {k for k, _ in r.terms}]
    assert len(with_late) == 2
    for r in rels:
        total = sum(coef * values[k] for k, coef in r.terms)
        assert total == 0 if r.op == "eq" else total <= 0


def test_a_month_with_late_follow_ups_passes_the_gate_and_its_hidden_late_count_fails() -> None:
    facts = _with_late_follow_ups()
    rectangle = {("T1", cell) for cell in RECTANGLE}
    assert not audit_views([_view(facts, rectangle)], 10).failing
    # "late" hidden on its own is due − on time − open (and done − on time): the reader knows it
    with pytest.raises(AuditFailed):
        audit_views([_view(facts, {*rectangle, ("T5", ("done_late",))})], 10)


def _change_target(model: Model, key: object) -> int:
    older, newer = model.exprs[0][key][0][0], model.exprs[1][key][0][0]
    want = tuple(sorted(((older, -1), (newer, 1))))
    return next(i for i, t in enumerate(model.targets) if t.terms == want)


def test_a_revision_that_only_adds_records_never_lowers_a_cell_for_the_reader() -> None:
    """One contact added to a hidden corner of a rectangle whose margins are published in both
    releases: since no cell can go down, the other corners did not move, and the reader knows
    the corner's change exactly (+1) — the gate must see it exactly so."""
    b = _rectangle_month()
    first = b.build()
    b.contact("mentoring", [300], outcome_group="resolved")
    second = b.build()
    hidden = {("T1", cell) for cell in RECTANGLE}
    views = [_view(first, hidden, 1), _view(second, hidden, 2)]
    model = Model(views, 10)
    system = System(model, [(r, v.published) for r, v in enumerate(views) if v.published])
    corner = logical_key("T1", ("mentoring", "resolved"))
    t = _change_target(model, corner)
    proof = system.prove([t], exact=True)
    assert proof.failing == [t]
    assert proof.intervals[t] == Interval(1.0, 1.0)
    with pytest.raises(AuditFailed):
        audit_views(views, 10)


def test_a_revision_whose_numbers_go_down_is_consistent_for_the_reader() -> None:
    """A contact deleted between two releases lowers a corner and its margins: nothing links
    the versions upwards, so the two releases are consistent; the margin's published change
    (−1, one student) is what the gate refuses, while the hidden corner's change stays open."""
    b = _rectangle_month()
    second = b.build()
    first = b.contact("mentoring", [1], outcome_group="resolved").build()  # deleted later
    hidden = {("T1", cell) for cell in RECTANGLE}
    views = [_view(first, hidden, 1), _view(second, hidden, 2)]
    model = Model(views, 10)
    system = System(model, [(r, v.published) for r, v in enumerate(views) if v.published])
    corner = _change_target(model, logical_key("T1", ("mentoring", "resolved")))
    margin = _change_target(model, logical_key("T1", ("mentoring", "_all")))
    proof = system.prove([corner, margin], exact=True)
    assert proof.failing == [margin]
    assert proof.intervals[margin] == Interval(-1.0, -1.0)
    assert proof.intervals[corner].width >= 3
    with pytest.raises(AuditFailed, match="narrowed"):
        audit_views(views, 10)


# -- exact proofs: integral points only ---------------------------------------------------------


class _Program:
    """A reader's system written by hand (what :class:`Model` hands to :class:`System`), for
    shapes no month's tables produce: the tables' margins never give a fractional vertex."""

    def __init__(
        self,
        true: list[int],
        rows: list[tuple[list[int], list[float], float, float]],
        targets: list[Target],
    ) -> None:
        self.true = true
        self.rows = rows
        self.targets = targets

    def lower_deviation(self) -> np.ndarray:
        true = np.asarray(self.true, dtype=np.float64)
        return np.minimum(true, 1.0) - true

    def row_specs(self) -> list[tuple[list[int], list[float], float, float]]:
        return [(list(i), list(v), lo, hi) for i, v, lo, hi in self.rows]

    def published_rows(self, r: int, published: object) -> tuple[dict[int, float], list[object]]:
        return {}, []


def _odd_cycle(need: float, kind: str = "up") -> System:
    """Three counts of 5, any two of which add up to at most 11 (deviations: d_i + d_j <= 1).
    Their sum is at most 16 over the integers, but 16.5 at the linear program's optimum
    (every deviation one half)."""
    rows = [([i, j], [1.0, 1.0], -INF, 1.0) for i, j in ((0, 1), (1, 2), (0, 2))]
    target = Target(((0, 1), (1, 1), (2, 1)), need, kind, 15, None, "sum")
    return System(_Program([5, 5, 5], rows, [target]), [])  # type: ignore[arg-type]


def test_an_exact_proof_takes_the_integer_optimum_not_the_fractional_vertex() -> None:
    """ "The sum can reach 16.5" is true of the linear relaxation only: the reader's counts are
    integers, so the exact proof reaches 16 and no more, and says so."""
    exact = _odd_cycle(16.5).prove([0], exact=True)
    assert exact.failing == [0]
    assert exact.intervals[0].high == 16.0
    linear = _odd_cycle(16.5).prove([0], exact=False)
    assert linear.failing == []
    reached = _odd_cycle(16.0).prove([0], exact=True)
    assert reached.failing == []
    assert reached.intervals[0].high == 16.0


# -- the gate judges every target ---------------------------------------------------------------


def _scattered_release(seed: int) -> ReleaseView:
    """A plausible month with a random third of its cells hidden: many small parts, many
    hidden numbers a reader can narrow down and many it cannot."""
    rng = random.Random(seed)
    facts = random_facts(seed % 5, n_contacts=rng.choice((60, 120, 200)))
    cells = [(c.table_id, c.coords) for c in build_tables(facts).cells()]
    return _view(facts, set(rng.sample(cells, rng.randint(3, len(cells) // 3))))


@pytest.mark.parametrize("seed", [9, 24])
def test_proving_all_targets_at_once_gives_each_the_verdict_of_its_own_proof(seed: int) -> None:
    """Targets are proven together (shared points, batches, parts one after another), but the
    verdict on each must be the one its own exact minimum and maximum give: no target is left
    undecided because another was settled or failed before it."""
    view = _scattered_release(seed)
    model = Model([view], 10)
    system = System(model, [(0, view.published)])
    together = system.prove(range(len(model.targets)), exact=True)
    assert together.complete and together.failing
    alone: list[int] = []
    for t in range(len(model.targets)):
        proof = System(model, [(0, view.published)]).prove([t], exact=True)
        alone += proof.failing
        if proof.failing and model.targets[t].kind == "width":  # both ends exact
            assert together.intervals[t] == proof.intervals[t]
    assert together.failing == alone
    assert set(together.intervals) == set(range(len(model.targets)))
    for t, target in enumerate(model.targets):  # what passes shows what it needs
        if t not in alone:
            interval = together.intervals[t]
            shown = interval.width if target.kind == "width" else interval.high
            assert shown >= target.need, (t, interval, target.need)


# -- the gate's answer --------------------------------------------------------------------------


def test_the_gate_says_how_many_hidden_numbers_a_reader_narrows_down() -> None:
    """Two cells of one row hidden beside published column totals: both are known exactly, and
    the bug report says two (never which, nor their counts)."""
    facts = _rectangle_month().build()
    hidden = {("T1", ("mentoring", "resolved")), ("T1", ("mentoring", "notified"))}
    with pytest.raises(AuditFailed) as err:
        audit_views([_view(facts, hidden)], 10)
    assert str(err.value).endswith("(2 hidden number(s) can be narrowed down)")


def test_the_gate_reports_what_it_proved() -> None:
    facts = _rectangle_month().build()
    view = _view(facts, {("T1", cell) for cell in RECTANGLE})
    report = audit_views([view], 10)
    assert report.targets == tuple(Model([view], 10).targets)
    assert len(report.targets) == 4
    assert report.failing == ()
    assert set(report.intervals) == {0, 1, 2, 3}
    assert report.solves >= 1
    assert 3 <= report.narrowest() < INF
    # nothing hidden: nothing to narrow down, nothing solved
    plain = audit_views([_view(facts, set())], 10)
    assert plain.targets == () and plain.intervals == {} and plain.failing == ()
    assert plain.solves == 0
    assert plain.narrowest() == INF


def test_the_gate_refuses_a_release_still_being_chosen() -> None:
    facts = _rectangle_month().build()
    candidate = ReleaseView(parse_period(PERIOD), 1, {PERIOD: facts}, None)
    with pytest.raises(ValueError) as err:
        audit_views([candidate], 10)
    assert str(err.value) == "the gate audits published releases only"


def _summary_with(facts: MonthFacts, change: dict[tuple[str, tuple[str, ...]], Cell]) -> Summary:
    """The month's tables with every cell shown, except the given cells replaced."""
    s = suppress_facts(facts)
    tables = tuple(
        Table(t.id, t.unit, t.dimensions, tuple(change.get((t.id, c.coords), c) for c in t.cells))
        for t in s.tables
    )
    return Summary(s.period, s.threshold, 1, tables)


def test_a_publication_hides_what_is_marked_hidden_and_refuses_contradictions() -> None:
    """The same number appears in several tables (T1's and T2's category totals, T0's and
    T1's grand total): hidden in one and shown in another, or shown twice with two values,
    is refused with what went wrong; a cell marked hidden is hidden, whatever it carries."""
    facts = _rectangle_month().build()
    total = logical_key("T0", ("contacts",))
    n = build_tables(facts).values()[total]
    hidden_first = _summary_with(facts, {("T0", ("contacts",)): Cell(("contacts",), None, "S")})
    hidden_last = _summary_with(
        facts, {("T1", ("_all", "_all")): Cell(("_all", "_all"), None, "S")}
    )
    for shown_and_hidden in (hidden_first, hidden_last):
        with pytest.raises(AuditFailed, match=r"\(a suppressed cell is shown in another table\)$"):
            publication_of(shown_and_hidden)
    disagree = _summary_with(facts, {("T0", ("contacts",)): Cell(("contacts",), n + 1, "ok")})
    with pytest.raises(AuditFailed, match=r"\(two cells of the same quantity disagree\)$"):
        publication_of(disagree)
    marked = {(tid, ("_all", "_all")): Cell(("_all", "_all"), n, "S") for tid in ("T1", "T2", "T3")}
    marked[("T0", ("contacts",))] = Cell(("contacts",), n, "S")
    pub = publication_of(_summary_with(facts, marked))
    assert pub[total] is None


# -- points found elsewhere -----------------------------------------------------------------------


def test_points_found_elsewhere_are_checked_one_by_one_and_kept_as_witnesses() -> None:
    """The suppression hands the gate points of the reader's system; the gate keeps each one
    that is (within rounding) an integral point of its own system — on a bound counts, a step
    beyond does not, and one bad point does not spoil the others — and uses them as its own."""
    facts = _rectangle_month().build()
    view = _view(facts, {("T1", cell) for cell in RECTANGLE})
    model = Model([view], 10)
    system = System(model, [(0, view.published)])
    atoms = [model.exprs[0][logical_key("T1", cell)][0][0] for cell in RECTANGLE]
    (part,) = system.parts
    assert sorted(part.atoms) == sorted(atoms)

    def point(*moves: float) -> np.ndarray:
        return point_of(part.atoms, atoms, *moves)

    good = [
        point(1, -1, -1, 1),  # a swap around the rectangle: every margin stays
        point(-38, 38, 38, -38),  # the corners of 39 down to 1: on the lower bound
        point(1e-6, 0, 0, 0),  # the truth, off by rounding
    ]
    bad = [
        point(-39, 39, 39, -39),  # a non-empty cell down to 0
        point(1, 0, 0, 0),  # off a margin
        point(0.5, -0.5, -0.5, 0.5),  # not integral
    ]
    block = (tuple(part.atoms), np.array([bad[0], good[0], bad[1], good[1], bad[2], good[2]]))
    assert system.seed([block]) == 3
    kept = system.witnesses()
    assert len(kept) == 1 and kept[0][0] == tuple(part.atoms)
    assert sorted(map(tuple, kept[0][1])) == sorted(tuple(np.round(p)) for p in good)
    # a block that misses one of the part's unknowns vouches for nothing, nor does an empty one
    fresh = System(model, [(0, view.published)])
    assert fresh.seed([(tuple(part.atoms[:-1]), np.zeros((1, len(part.atoms) - 1)))]) == 0
    assert fresh.seed([(tuple(part.atoms), np.zeros((0, len(part.atoms))))]) == 0
    assert fresh.witnesses() == []


def test_points_are_checked_against_bounds_found_by_the_reduction_in_every_part() -> None:
    """Three parts: counts 0 and 1 (5 each) with a fixed sum, where a published relation keeps
    the first at most one above its truth; count 2 on its own; and count 3, which no target
    concerns."""
    rows = [([0, 1], [1.0, 1.0], 0.0, 0.0), ([0], [1.0], -INF, 1.0)]
    targets = [
        Target(((0, 1),), 3.0, "width", 5, None, "a"),
        Target(((2, 1),), 3.0, "width", 5, None, "b"),
    ]
    system = System(_Program([5, 5, 5, 5], rows, targets), [])  # type: ignore[arg-type]
    assert len(system.parts) == 3
    assert system.upper[0] == 1.0
    witnesses = [
        ((0, 1), np.array([[1.0, -1.0], [2.0, -2.0], [-4.0, 4.0]])),  # at the bound, beyond, low
        ((2,), np.array([[3.0], [-4.0], [-5.0]])),
        ((3,), np.array([[7.0]])),
    ]
    assert system.seed(witnesses) == 5
    assert [len(points) for _atoms, points in system.witnesses()] == [2, 2, 1]
    proof = system.prove([0, 1], exact=True)
    assert proof.failing == []


# -- the dual bounds the suppression's cuts are made of -------------------------------------------


def _dual_bounds_hold(system: System, t: int, patterns: list[np.ndarray]) -> None:
    """Target ``t`` was just shown to fail for ``patterns[0]``: its dual bounds, from the
    proof's own duals and then solved anew, bound its linear optimum for every pattern and
    equal it for the first."""
    width = system.targets[t].kind == "width"
    for again in (False, True):
        solves = system.solves
        bounds = system.dual_bounds(t)
        assert bounds is not None
        assert len(bounds) == (2 if width else 1)
        if not again:
            assert system.solves == solves or not width
        part = system.parts[system.part_of_target[t]]
        vec = part.target_vec[t]
        for n, y in enumerate(patterns):
            system.set_pattern(y)
            values = [-part.lp.minimize(-vec).value, part.lp.minimize(vec).value]
            for b, value, sign in zip(bounds, values, (-1.0, 1.0), strict=False):
                bound = sign * (b.const + sum(c * y[i] for i, c in b.coefs.items()))
                assert sign * value >= sign * bound - 1e-6
                if n == 0:
                    assert value == pytest.approx(bound, abs=1e-6)
        system.set_pattern(patterns[0])


def _check_dual_bounds(
    views: list[ReleaseView], shown_of_hidden: int, seed: int, also: tuple[LogicalKey, ...] = ()
) -> int:
    """Hide the cells the suppression hides in the candidate (the last view), less a few and
    plus ``also``, and check the dual bounds of every target the linear reader then narrows
    (see below)."""
    model = Model(views, 10)
    r = len(views) - 1
    keys = list(model.values[r])
    published = [(i, v.published) for i, v in enumerate(views) if v.published is not None]
    system = System(model, published, 12.0, [model.exprs[r][key] for key in keys])
    facts = views[r].months
    earlier = [v for v in views if v.published is not None]
    released, _reasons = suppress_release(earlier, views[r], 10, 1)
    hidden = sorted(
        logical_key(t.id, c.coords) for t in released.tables for c in t.cells if c.status == "S"
    )
    assert facts and len(hidden) > shown_of_hidden
    rng = random.Random(seed)
    fewer = {*rng.sample(hidden, len(hidden) - shown_of_hidden), *also}
    y0 = np.array([1.0 if key in fewer else 0.0 for key in keys])
    system.set_pattern(y0)
    conditions = [None if t.condition is None else keys.index(t.condition) for t in model.targets]
    active = [t for t, c in enumerate(conditions) if c is None or y0[c] > 0.5]
    failing = [t for t in system.prove(active, exact=False).failing][:8]
    assert failing
    patterns = [y0, *(np.array([float(rng.random() < 0.5) for _ in keys]) for _ in range(6))]
    for t in failing:
        _dual_bounds_hold(system, t, patterns)
    return len(failing)


def test_dual_bounds_hold_for_every_pattern_and_are_exact_for_the_one_solved() -> None:
    """For a target the linear reader narrows, each dual bound is linear in which numbers are
    hidden: it must bound the reader's optimum for every pattern (else a cut would exclude a
    pattern that protects), equal it for the pattern just solved (else a cut would not move
    the master problem), and come from that proof without solving again."""
    facts = busy_month().build()
    candidate = ReleaseView(parse_period(PERIOD), 1, {PERIOD: facts}, None)
    assert _check_dual_bounds([candidate], 2, 7)


def test_dual_bounds_read_each_end_of_a_relation_with_two() -> None:
    """Two counts of 10, the first at most one below the second (a relation with two ends,
    like a period's hours and its months'), each a number of the candidate release: with the
    second shown, the first is narrowed to 9 to 10 by the relation's ends. Beside them, a count
    of 2 (of an earlier release) at most its neighbour's value is narrowed to 1 to 2, at the
    bottom by its own lower bound (a column's dual, not a relation's); their sum needs both."""
    rows = [([0, 1], [1.0, -1.0], -1.0, 0.0), ([2, 3], [1.0, -1.0], -INF, 0.0)]
    targets = [
        Target(((0, 1),), 3.0, "width", 10, None, "first"),
        Target(((2, 1),), 3.0, "width", 2, None, "third"),
        Target(((0, 1), (2, 1)), 3.0, "width", 12, None, "first and third"),
    ]
    program = _Program([10, 10, 2, 2], rows, targets)
    cands = [((0, 1),), ((1, 1),), ((3, 1),)]
    system = System(program, [], 12.0, cands)  # type: ignore[arg-type]
    y0 = np.array([1.0, 0.0, 0.0])
    system.set_pattern(y0)
    proof = system.prove([0, 1, 2], exact=False)
    assert proof.failing == [0, 1, 2]
    assert proof.intervals == {
        0: Interval(9.0, 10.0),
        1: Interval(1.0, 2.0),
        2: Interval(10.0, 12.0),
    }
    patterns = [y0, *(np.array(p, dtype=float) for p in ([1, 1, 1], [0, 0, 0], [0, 1, 1]))]
    for t in (0, 1, 2):
        _dual_bounds_hold(system, t, patterns)


# -- each target's own maximum and minimum ------------------------------------------------------


def test_a_spread_of_exactly_min_width_passes_and_one_less_fails() -> None:
    """A count of 2 that a published bound keeps at most 4 is 1 to 4: a spread of exactly 3,
    which passes, read either way (a change "older − newer" has a coefficient of −1); at most
    3, it is narrowed."""
    for top, passes in ((2.0, True), (1.0, False)):
        rows = [([0], [1.0], -INF, top)]
        targets = [
            Target(((0, -1),), 3.0, "width", -2, None, "minus the count"),
            Target(((0, 1),), 3.0, "width", 2, None, "the count"),
        ]
        proof = System(_Program([2], rows, targets), []).prove([0, 1], exact=True)  # type: ignore[arg-type]
        assert proof.intervals[0] == Interval(-2.0 - top, -1.0)
        assert proof.intervals[1] == Interval(1.0, 2.0 + top)
        assert proof.failing == ([] if passes else [0, 1])


def test_a_one_sided_target_is_judged_by_its_maximum_alone() -> None:
    """ "Up" targets (a group attribute: the reader must not prove "all of them") need their
    maximum to reach an absolute level; reaching it exactly is enough. Their interval shows
    the exact maximum and the lowest value seen on the way, never a minimum solved for."""
    rows = [
        ([0, 1], [1.0, 1.0], -INF, 1.0),  # two counts of 1 that together grow by one at most
        ([2], [1.0], -INF, 1.0),  # a count of 5 that grows by one at most
    ]
    targets = [
        Target(((0, 1),), 2.0, "up", 1, None, "first reaches 2"),
        Target(((1, 1),), 2.0, "up", 1, None, "second reaches 2"),
        Target(((2, 1),), 7.0, "up", 5, None, "third cannot reach 7"),
        Target(((2, 1),), 3.0, "width", 5, None, "third is 1 to 6"),
    ]
    system = System(_Program([1, 1, 5], rows, targets), [])  # type: ignore[arg-type]
    proof = system.prove(range(4), exact=True)
    assert proof.failing == [2]
    assert proof.intervals[0].high == proof.intervals[1].high == 2.0
    # 6 at most; 3 was seen while the width of the same count was proven (1 to 6 is exact)
    assert proof.intervals[2] == Interval(3.0, 6.0)


def test_both_ends_of_a_spread_are_integer_optima() -> None:
    """Three counts of 5, any two within one of their truth together: their sum is 14 to 16
    over the integers (a spread of 2, narrowed), 13.5 to 16.5 for the linear relaxation."""
    rows = [([i, j], [1.0, 1.0], -1.0, 1.0) for i, j in ((0, 1), (1, 2), (0, 2))]
    target = Target(((0, 1), (1, 1), (2, 1)), 3.0, "width", 15, None, "sum")
    exact = System(_Program([5, 5, 5], rows, [target]), []).prove([0], exact=True)  # type: ignore[arg-type]
    assert exact.failing == [0] and exact.intervals[0] == Interval(14.0, 16.0)
    linear = System(_Program([5, 5, 5], rows, [target]), []).prove([0], exact=False)  # type: ignore[arg-type]
    assert linear.failing == [] and linear.intervals[0].width >= 3


def test_published_numbers_that_contradict_each_other_are_a_bug() -> None:
    """Two counts that must add up to five more than their truth while each grows by one at
    most: no point of the reader's system exists, and the gate says so instead of passing."""
    rows = [([0, 1], [1.0, 1.0], 5.0, 5.0), ([0], [1.0], -INF, 1.0), ([1], [1.0], -INF, 1.0)]
    targets = [Target(((0, 1), (1, 1)), 3.0, "width", 10, None, "sum")]
    system = System(_Program([5, 5], rows, targets), [])  # type: ignore[arg-type]
    with pytest.raises(AuditFailed, match=r"\(the published numbers are inconsistent\)$"):
        system.prove([0], exact=True)


def test_a_one_sided_target_that_can_fall_far_but_not_rise_enough_fails() -> None:
    """ "Contacts of a category that were not sensitive" is a difference: the reader can make
    it as low as he likes, but what matters is whether it can rise to the level it needs. A
    wide spread below is no protection."""
    rows = [([0], [1.0], -INF, 1.0)]  # the first count (5) grows by one at most
    target = Target(((0, 1), (1, -1)), 6.0, "up", 4, None, "first minus second")
    system = System(_Program([5, 1], rows, [target]), [])  # type: ignore[arg-type]
    proof = system.prove([0], exact=True)
    assert proof.failing == [0]
    assert proof.intervals[0].high == 5.0


# -- what showing a number of the candidate would tell -------------------------------------------


def _school_year_with_a_published_quarter() -> tuple[Model, System, list[LogicalKey]]:
    """Every month of 2025-26 released. July to September hide a rectangle of mentoring and
    relationship × resolved and notified, October one of mentoring and conflict; the first
    quarter (July to September) was released with everything shown. The school year is the
    candidate."""
    year = parse_period("2025-26")
    facts: dict[str, MonthFacts] = {}
    views: list[ReleaseView] = []
    for n, month in enumerate(year.months()):
        b = FactsBuilder(month)
        for s in range(1, 13):
            for category in ("mentoring", "relationship", "mediation"):
                for group in ("resolved", "notified"):
                    b.contact(category, [s + 20 * n], outcome_group=group)
        facts[month] = b.build()
        corners = ("relationship", "mentoring") if n < 3 else ("conflict", "mentoring")
        hidden = (
            {("T1", (c, g)) for c in corners for g in ("resolved", "notified")} if n < 4 else set()
        )
        views.append(_view(facts[month], hidden if n < 4 else set()))
    first = year.months()[:3]
    quarter = parse_period("2025-Q3")
    assert quarter.months() == first
    values = period_tables_of(quarter.text, [facts[m] for m in first]).values()
    views.append(ReleaseView(quarter, 1, {m: facts[m] for m in first}, dict(values)))
    views.append(ReleaseView(year, 1, facts, None))
    model = Model(views, 10)
    keys = list(model.values[-1])
    published = [(r, v.published) for r, v in enumerate(views) if v.published is not None]
    system = System(model, published, 12.0, [model.exprs[-1][key] for key in keys])
    return model, system, keys


def test_what_the_published_quarter_and_the_year_together_tell() -> None:
    """The school year's "relationship, notified" is the published quarter's plus published
    months: the reader knows it already (hiding it protects nothing). Its "mentoring,
    resolved" adds October's hidden cell to the quarter's sum: showing it would tell October's
    cell exactly (and nothing exact about July's, which stays mixed with August and
    September)."""
    model, system, keys = _school_year_with_a_published_quarter()
    known = {keys[c] for c in system.known()}
    notified = logical_key("T1", ("relationship", "notified"))
    resolved = logical_key("T1", ("mentoring", "resolved"))
    assert notified in known and resolved not in known
    month_targets = {
        model.versions[v].month: t
        for t, target in enumerate(model.targets)
        for v in range(len(model.versions))
        if target.terms == ((model.versions[v].atoms[resolved], 1),) and target.kind == "width"
    }
    assert set(month_targets) == {"2025-07", "2025-08", "2025-09", "2025-10"}
    pins = set(system.pinning())
    c = keys.index(resolved)
    assert (month_targets["2025-10"], c) in pins
    year_cell = next(t for t, target in enumerate(model.targets) if target.condition == resolved)
    assert (year_cell, c) in pins  # showing it shows it, of course
    assert not {(month_targets[m], c) for m in ("2025-07", "2025-08", "2025-09")} & pins


# -- reduction, known numbers and proofs that stop early ------------------------------------------


def test_counts_fixed_one_after_another_are_carried_into_the_next_relation() -> None:
    """Relations with one unknown left fix it, and what they fix is carried into the next
    relation: here two counts are fixed one above their truth, and a sum that is two above
    fixes the third at its truth."""
    rows = [
        ([0], [1.0], 1.0, 1.0),
        ([1], [1.0], 1.0, 1.0),
        ([0, 1, 2], [1.0, 1.0, 1.0], 2.0, 2.0),
    ]
    target = Target(((2, 1),), 3.0, "width", 5, None, "third")
    system = System(_Program([5, 5, 5], rows, [target]), [])  # type: ignore[arg-type]
    assert list(system.lower) == list(system.upper) == [1.0, 1.0, 0.0]
    proof = system.prove([0], exact=True)
    assert proof.failing == [0] and proof.intervals[0] == Interval(5.0, 5.0)


def test_relations_that_contradict_each_other_are_refused() -> None:
    for first, second in ((1.0, 0.0), (-1.0, 0.0), (0.0, 1.0)):
        rows = [
            ([0], [1.0], first, first),
            ([0, 1], [1.0, 1.0], second, second),
            ([1], [1.0], 0.0, 0.0),
        ]
        with pytest.raises(AuditFailed, match=r"\(the published numbers are inconsistent\)$"):
            System(_Program([5, 5], rows, []), [])  # type: ignore[arg-type]


def test_a_number_the_reader_knows_exactly_has_an_interval_of_one_value() -> None:
    """All of a target's unknowns fixed: its interval is its true value alone; a width target
    fails, a one-sided one passes when its true value is already at its level."""
    rows = [([0], [1.0], 0.0, 0.0)]
    targets = [
        Target(((0, 1),), 3.0, "width", 5, None, "known"),
        Target(((0, 1),), 5.0, "up", 5, None, "known, at its level"),
        Target(((0, 1),), 6.0, "up", 5, None, "known, below its level"),
    ]
    system = System(_Program([5], rows, targets), [])  # type: ignore[arg-type]
    assert system.candidates_of(0) == []  # nothing to hide would change it
    proof = system.prove(range(3), exact=True)
    assert proof.intervals == {t: Interval(5.0, 5.0) for t in range(3)}
    assert proof.failing == [0, 2]


def test_a_proof_with_a_limit_stops_at_that_many_failures_and_says_what_it_left() -> None:
    """The suppression asks for a few failures per round, drawn from all of them. Here eight
    pairs of counts of 1 and 2 with a published sum: each count is 1 or 2, all sixteen fail."""
    rows = [([2 * k, 2 * k + 1], [1.0, 1.0], 0.0, 0.0) for k in range(8)]
    targets = [Target(((a, 1),), 3.0, "width", 1 + a % 2, None, f"count {a}") for a in range(16)]
    program = _Program([1, 2] * 8, rows, targets)
    full = System(program, []).prove(range(16), exact=False)  # type: ignore[arg-type]
    assert full.failing == list(range(16)) and full.complete and not full.undecided
    samples = []
    for seed in (0, 1, 2):
        system = System(program, [])  # type: ignore[arg-type]
        proof = system.prove(range(16), exact=False, limit=5, seed=seed)
        assert len(proof.failing) == 5 and not proof.complete
        assert sorted(proof.failing + proof.undecided) == list(range(16))
        samples.append(tuple(proof.failing))
    assert len(set(samples)) > 1  # drawn from the seed
    default = System(program, []).prove(range(16), exact=False, limit=5)  # type: ignore[arg-type]
    assert tuple(default.failing) == samples[0]


# -- points kept between proofs and patterns -----------------------------------------------------


def test_an_exact_proof_after_a_linear_one_uses_no_fractional_point() -> None:
    """The suppression proves a pattern linearly, then exactly, on the same system: the
    linear proof's fractional points must not vouch for the exact one, nor be handed on as
    witnesses."""
    system = _odd_cycle(16.5)
    assert system.prove([0], exact=False).failing == []
    exact = system.prove([0], exact=True)
    assert exact.failing == [0] and exact.intervals[0].high == 16.0
    for _atoms, points in system.witnesses():
        assert np.array_equal(points, np.round(points))


def test_points_found_for_one_pattern_do_not_vouch_for_another() -> None:
    """Two counts of 5 with a published sum; the first is a number of the candidate. Hidden,
    it can move with the second; shown, the reader knows it — points found while it was
    hidden move it, so they are no points of the system once it is shown."""
    rows = [([0, 1], [1.0, 1.0], 0.0, 0.0)]
    targets = [Target(((0, 1),), 3.0, "width", 5, None, "first")]
    system = System(_Program([5, 5], rows, targets), [], 12.0, [((0, 1),)])  # type: ignore[arg-type]
    assert system.candidates_of(0) == [0]  # the number that decides the target's fate
    for exact in (False, True):
        system.set_pattern(np.array([1.0]))
        assert system.prove([0], exact=exact).failing == []
        assert system.witnesses()
        system.set_pattern(np.array([0.0]))
        assert system.prove([0], exact=exact).failing == [0]
        assert all(np.all(points[:, 0] == 0) for _atoms, points in system.witnesses())


def test_a_hidden_number_of_the_candidate_ranges_as_far_as_its_unknowns() -> None:
    """A hidden number of the candidate release constrains nothing beyond its unknowns' own
    bounds (a count of 5 is 1 to 5 + cap, a count of 3 is 1 to 3 + cap); a shown one is its
    true value. Checked for a sum and a difference of two counts."""
    targets = [
        Target(((0, 1), (1, 1)), 3.0, "width", 8, None, "sum"),
        Target(((0, 1), (1, -1)), 3.0, "width", 2, None, "difference"),
    ]
    cands = [((0, 1), (1, 1)), ((0, 1), (1, -1))]
    system = System(_Program([5, 3], [], targets), [], 12.0, cands)  # type: ignore[arg-type]
    (part,) = system.parts
    ranges = {0: (-6.0, 24.0), 1: (-4.0 - 12.0, 12.0 + 2.0)}  # deviations from the truth
    for hidden in ([1.0, 1.0], [1.0, 0.0], [0.0, 1.0]):
        system.set_pattern(np.array(hidden))
        for t in (0, 1):
            vec = part.target_vec[t]
            low, high = part.lp.minimize(vec).value, -part.lp.minimize(-vec).value
            if all(hidden):
                assert (low, high) == ranges[t]
            elif not hidden[t]:
                assert low == high == 0.0
    # the linear relaxation of the choice: half hidden, half the range
    system.set_pattern(np.array([0.5, 0.5]))
    for t in (0, 1):
        vec = part.target_vec[t]
        low, high = part.lp.minimize(vec).value, -part.lp.minimize(-vec).value
        assert (low, high) == (ranges[t][0] / 2, ranges[t][1] / 2)
