"""The reader's system of linear constraints, checked against the truth and against a solver.

The release gate proves a publication safe *for the system* :class:`~srojournal.reporting.reader.
Model` builds, so every constraint of it must be one the reader really has (the true numbers
satisfy it) and every relation the reader has must be in it (what an outside integer program over
the same atoms can narrow down, the model narrows down too). These tests pin both sides: the rows
and targets the model writes for months, quarters, the school year, revisions and school merges,
and the deviations it hands the solver.
"""

from __future__ import annotations

import dataclasses
import math

import highspy
import numpy as np
import pytest

from srojournal.domain.facts import MonthFacts
from srojournal.domain.periods import parse_period
from srojournal.reporting.errors import AuditFailed
from srojournal.reporting.lp import INF
from srojournal.reporting.reader import (
    HOURS_KEY,
    STUDENTS_KEY,
    T3_TOTAL,
    Interval,
    Model,
    ReleaseView,
    Target,
)
from srojournal.reporting.relations import _relations, build_relations
from srojournal.reporting.rules import MIN_WIDTH, primary
from srojournal.reporting.tables import ALL, build_tables, logical_key, period_tables_of

from .conftest import busy_month
from .factories import FactsBuilder

K = 10
QUARTER = ("2026-01", "2026-02", "2026-03")
SMALL = logical_key("T1", ("mentoring", "referred"))


@pytest.fixture(autouse=True)
def _relations_derived_afresh() -> None:
    """Each test derives the relations of its layouts itself, not from an earlier test's cache
    (so that a wrong derivation shows in every test that depends on it)."""
    _relations.cache_clear()


def _month(period: str, extra: int = 0) -> MonthFacts:
    """A busy month; ``extra`` adds that many students in a small referred cell."""
    b = busy_month(period)
    if extra:
        b.contact("mentoring", list(range(60, 60 + extra)), outcome_group="referred")
    return b.build()


def _full(facts: MonthFacts) -> dict:
    return dict(build_tables(facts).values())


def _month_view(facts: MonthFacts, number: int = 1, hidden: tuple = ()) -> ReleaseView:
    pub = {k: (None if k in hidden else v) for k, v in _full(facts).items()}
    return ReleaseView(parse_period(facts.period), number, {facts.period: facts}, pub)


def _value(model: Model, terms) -> int:
    return sum(model.true[a] * c for a, c in terms)


def _span(model: Model, published: list[tuple[int, dict]], terms) -> tuple[float, float]:
    """What an integer program over the model's atoms (HiGHS, nothing of ours) knows of
    ``terms``: atoms ≥ 1 where non-empty (≥ 0 where empty), every row, every published cell."""
    n = len(model.true)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    lower = np.array([min(v, 1) for v in model.true], dtype=np.float64)
    h.addVars(n, lower, np.full(n, highspy.kHighsInf))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), [highspy.HighsVarType.kInteger] * n)

    def row(ts, lo: float, hi: float) -> None:
        idx = np.array([a for a, _ in ts], dtype=np.int32)
        val = np.array([float(c) for _, c in ts])
        lo = -highspy.kHighsInf if lo == -INF else lo
        hi = highspy.kHighsInf if hi == INF else hi
        h.addRow(lo, hi, len(idx), idx, val)

    for ts, lo, hi in model.rows:
        row(ts, lo, hi)
    for r, pub in published:
        for key, value in pub.items():
            if value is not None:
                row(model.exprs[r][key], value, value)
    out = []
    for sense in (1.0, -1.0):
        cost = np.zeros(n)
        for a, c in terms:
            cost[a] += sense * c
        h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            out.append(sense * h.getInfo().objective_function_value)
        else:
            assert status != highspy.HighsModelStatus.kInfeasible, "the truth is not feasible"
            out.append(-sense * INF)
    return out[0], out[1]


def _rows_hold(model: Model) -> None:
    for terms, lo, hi in model.rows:
        v = _value(model, terms)
        assert lo <= v <= hi, (terms, lo, hi, v)


# -- the truth is a point of the system ------------------------------------------------------------
def _school_year_releases() -> tuple[list[ReleaseView], dict[str, MonthFacts]]:
    months = {m: _month(m, extra=i % 3) for i, m in enumerate(parse_period("2025-26").months())}
    views = [_month_view(f) for f in months.values()]
    late = busy_month("2026-03")
    late.contact("mentoring", [60, 61], outcome_group="referred")
    late.contact("relationship", [70], outcome_group="resolved")  # a late entry
    revised = dict(months, **{"2026-03": late.build()})
    views.append(_month_view(revised["2026-03"], number=2))
    views.append(ReleaseView(parse_period("2026-Q1"), 1, {m: revised[m] for m in QUARTER}, None))
    return views, revised


def test_the_true_numbers_satisfy_every_row_of_a_school_year() -> None:
    """Every row the model writes (margins, cross-table identities, a period's students and
    hours, the link between a month's versions) holds for the true numbers: the gate never
    proves safety for a system the reader could rule out."""
    views, _ = _school_year_releases()
    model = Model(views, K)
    assert len(model.rows) > 500
    _rows_hold(model)
    for r, view in enumerate(views):
        for key, terms in model.exprs[r].items():
            assert _value(model, terms) == model.values[r][key]
        if view.published is not None:
            fixed, rows = model.published_rows(r, view.published)
            assert all(dev == 0.0 for dev in fixed.values())
            assert all(lo == hi == 0.0 for _i, _c, lo, hi in rows)
    for t in model.targets:
        assert t.true == _value(model, t.terms)
    # the same rows as deviations from the truth: zero satisfies every one of them
    for idx, coef, lo, hi in model.row_specs():
        assert lo <= 0.0 <= hi
        assert len(idx) == len(coef) and all(isinstance(c, float) for c in coef)
    assert len(model.row_specs()) == len(model.rows)


def test_lower_bounds_are_one_for_a_non_empty_atom_and_zero_for_an_empty_one() -> None:
    """Colleagues know a student was seen: a non-empty number is at least 1, an empty one 0."""
    model = Model([_month_view(_month("2026-03"))], K)
    dev = model.lower_deviation()
    assert dev.dtype == np.float64
    true = np.array(model.true, dtype=np.float64)
    assert 0 in model.true and any(v > 1 for v in model.true)
    assert np.array_equal(dev, np.minimum(true, 1.0) - true)
    assert all(d == (0.0 if v == 0 else 1.0 - v) for d, v in zip(dev, model.true, strict=True))


# -- a period's cells are sums of its months' ------------------------------------------------------
def test_a_quarter_cell_is_the_sum_of_its_months_cells() -> None:
    """A quarter's additive cell is, in the reader's system, exactly its months' atoms (one each);
    its distinct students and hours are atoms of their own."""
    facts = {m: _month(m, extra=i) for i, m in enumerate(QUARTER)}
    views = [_month_view(f) for f in facts.values()]
    views.append(ReleaseView(parse_period("2026-Q1"), 1, facts, None))
    model = Model(views, K)
    month_atoms = [model.exprs[r] for r in range(3)]
    quarter = model.exprs[3]
    for key, terms in quarter.items():
        if key in (STUDENTS_KEY, HOURS_KEY):
            assert len(terms) == 1 and terms[0][1] == 1
            assert all(terms[0][0] != m[key][0][0] for m in month_atoms)
            continue
        expected = tuple(sorted((m[key][0][0], 1) for m in month_atoms if key in m))
        assert terms == expected, key
    values = period_tables_of("2026-Q1", list(facts.values())).values()
    assert model.values[3] == dict(values)


def test_releases_of_the_same_months_share_their_atoms() -> None:
    """A second release made from the same facts (even another object with the same records in
    another order) reuses the atoms: the reader knows they are the same numbers."""
    facts = _month("2026-03", extra=2)
    shuffled = dataclasses.replace(facts, contacts=tuple(reversed(facts.contacts)))
    quarter_facts = {m: _month(m) for m in QUARTER[:2]} | {"2026-03": facts}
    q1 = ReleaseView(parse_period("2026-Q1"), 1, quarter_facts, publication_of_facts(quarter_facts))
    q2 = ReleaseView(parse_period("2026-Q1"), 2, dict(quarter_facts, **{"2026-03": shuffled}), None)
    model = Model([_month_view(facts), _month_view(shuffled, number=2), q1, q2], K)
    assert model.exprs[0] == model.exprs[1]
    assert model.exprs[2] == model.exprs[3]  # students and hours: one atom for both releases
    assert len(model.versions) == 3 and not any(v.virtual for v in model.versions)
    assert [v.month for v in model.versions] == ["2026-03", "2026-01", "2026-02"]


def test_within_one_export_two_versions_of_a_month_stay_apart() -> None:
    """Inside one export's memo (tables and fingerprints remembered per facts object), a month
    released from other records is still a version of its own, and the same records in another
    object are still the same version."""
    from srojournal.reporting.tables import memo

    old = _month("2026-03")
    new = _late()
    same = dataclasses.replace(old, contacts=tuple(reversed(old.contacts)))
    with memo():
        model = Model([_month_view(old), _month_view(new, 2), _month_view(same, 3)], K)
        assert len(model.versions) == 2
        assert model.exprs[0] == model.exprs[2] != model.exprs[1]
        _rows_hold(model)


def publication_of_facts(months: dict[str, MonthFacts]) -> dict:
    period = parse_period("2026-Q1") if len(months) == 3 else None
    assert period is not None
    return dict(period_tables_of(period.text, list(months.values())).values())


def test_a_periods_students_lie_between_the_largest_month_and_the_sum() -> None:
    """Distinct students of a quarter: at least each month's, at most their sum and at most the
    quarter's student contacts (rows the reader has, with these exact bounds)."""
    facts = {m: _month(m, extra=i) for i, m in enumerate(QUARTER)}
    views = [_month_view(f) for f in facts.values()]
    views.append(ReleaseView(parse_period("2026-Q1"), 1, facts, None))
    model = Model(views, K)
    ((p, _),) = model.exprs[3][STUDENTS_KEY]
    ms = [model.exprs[r][STUDENTS_KEY][0][0] for r in range(3)]
    t3 = [model.exprs[r][T3_TOTAL][0][0] for r in range(3)]
    rows = {(terms, lo, hi) for terms, lo, hi in model.rows if any(a == p for a, _ in terms)}
    expected = {(tuple(sorted([(p, 1), (m, -1)])), 0.0, INF) for m in ms}
    expected.add((tuple(sorted([(p, 1), *((m, -1) for m in ms)])), -INF, 0.0))
    expected.add((tuple(sorted([(p, 1), *((t, -1) for t in t3)])), -INF, 0.0))
    assert rows == expected
    # from outside: with the months published, the quarter's students range over exactly this
    published = [(r, v.published) for r, v in enumerate(views[:3])]
    low, high = _span(model, published, ((p, 1),))
    month_students = [_full(f)[STUDENTS_KEY] for f in facts.values()]
    assert (low, high) == (max(month_students), sum(month_students))


def test_the_same_month_twice_in_a_period_is_counted_twice_in_its_students_bound() -> None:
    """The period atom is keyed by its months' versions: a quarter released again from changed
    facts gets a students atom of its own, bounded by the new versions."""
    facts = {m: _month(m) for m in QUARTER}
    late = dataclasses.replace(_month("2026-03", extra=2))
    q1 = ReleaseView(parse_period("2026-Q1"), 1, facts, publication_of_facts(facts))
    facts2 = dict(facts, **{"2026-03": late})
    q2 = ReleaseView(parse_period("2026-Q1"), 2, facts2, None)
    model = Model([q1, q2], K)
    assert model.exprs[0][STUDENTS_KEY] != model.exprs[1][STUDENTS_KEY]
    assert model.exprs[0][HOURS_KEY] != model.exprs[1][HOURS_KEY]
    _rows_hold(model)


@pytest.mark.parametrize(("period", "slack"), [("2026-Q1", (-1.0, 1.0)), ("2025-26", (-6.0, 6.0))])
def test_a_periods_hours_are_within_the_rounding_slack_of_its_months(
    period: str, slack: tuple[float, float]
) -> None:
    """Hours are rounded once per period: |H − Σ h| ≤ ⌊(30n + 29)/60⌋ below and ⌊(29n + 30)/60⌋
    above (n months), exactly; a narrower slack would rule out true numbers, a wider one would
    hide a relation the reader has."""
    months = parse_period(period).months()
    facts = {m: _month(m) for m in months}
    model = Model([ReleaseView(parse_period(period), 1, facts, None)], K)
    ((h, _),) = model.exprs[0][HOURS_KEY]
    rows = [(t, lo, hi) for t, lo, hi in model.rows if any(a == h for a, _ in t)]
    assert len(rows) == 1
    terms, lo, hi = rows[0]
    month_hours = sorted(v.atoms[HOURS_KEY] for v in model.versions)
    assert terms == tuple(sorted([(h, 1), *((m, -1) for m in month_hours)]))
    assert (lo, hi) == slack
    assert type(lo) is float and type(hi) is float
    n = len(months)
    assert (lo, hi) == (-float((30 * n + 29) // 60), float((29 * n + 30) // 60))


def test_hours_slack_is_tight_for_real_minutes() -> None:
    """Three months of 1 h 29 min each (each rounds to 1 h) make 4 h 27 min, which rounds to
    4 h: the period is one hour above the months' sum, at the edge of the slack."""
    facts = {}
    for m in QUARTER:
        b = busy_month(m)
        b.contacts = [dataclasses.replace(c, duration_min=0) for c in b.contacts]
        b.contact("classroom", [], outcome_group="none", duration=89)
        facts[m] = b.build()
    model = Model([ReleaseView(parse_period("2026-Q1"), 1, facts, None)], K)
    _rows_hold(model)
    ((h, _),) = model.exprs[0][HOURS_KEY]
    month_hours = [v.atoms[HOURS_KEY] for v in model.versions]
    assert model.true[h] - sum(model.true[m] for m in month_hours) == 1


# -- versions of a month ---------------------------------------------------------------------------
def _late(period: str = "2026-03") -> MonthFacts:
    b = busy_month(period)
    b.contact("mentoring", [60, 61], outcome_group="referred")  # two students added late
    return b.build()


def test_a_late_entry_links_the_versions_and_protects_the_change() -> None:
    """Only records added: every cell of the newer version is at least the older one's, and a
    change that concerns fewer than k students is a target ("change of ...")."""
    old = _month("2026-03")
    new = _late()
    model = Model([_month_view(old), _month_view(new, number=2, hidden=(SMALL,))], K)
    a, b = model.versions
    links = [
        (terms, lo, hi)
        for terms, lo, hi in model.rows
        if {x for x, _ in terms} & set(a.atoms.values())
        and {x for x, _ in terms} & set(b.atoms.values())
    ]
    shared = a.atoms.keys() & b.atoms.keys()
    assert len(links) == len(shared)
    assert {terms for terms, _lo, _hi in links} == {
        tuple(sorted([(b.atoms[key], 1), (a.atoms[key], -1)])) for key in shared
    }
    assert all((lo, hi) == (0.0, INF) for _t, lo, hi in links)
    changes = [t for t in model.targets if t.label.startswith("change of 2026-03")]
    assert changes and all(t.kind == "width" and t.need == MIN_WIDTH for t in changes)
    labels = {t.label for t in changes}
    assert "change of 2026-03 in contacts category=mentoring outcome_group=referred" in labels
    for t in changes:
        assert len(t.terms) == 2 and {c for _a, c in t.terms} == {1, -1}
        assert t.condition is None
    # from outside: the old release shows 0 referred, so the hidden new cell is at least 1
    # (non-empty) and the reader's range of the change starts at 1, not at a smaller number
    low, _high = _span(
        model,
        [(0, _month_view(old).published), (1, _month_view(new, 2, (SMALL,)).published)],
        ((b.atoms[SMALL], 1), (a.atoms[SMALL], -1)),
    )
    assert low == 1


def test_monotone_link_narrows_what_an_edit_leaves_open() -> None:
    """From outside: after a late entry the newer cell is at least the older published one;
    after an edit (a record removed) nothing links the versions."""
    b = busy_month("2026-03")
    for s in range(4):
        b.contact("mentoring", [60 + s], outcome_group="referred")
    old = b.build()
    b.contact("mentoring", [80], outcome_group="resolved")
    late = b.build()
    edited = dataclasses.replace(late, contacts=late.contacts[1:])  # one record removed
    for new, monotone in ((late, True), (edited, False)):
        views = [_month_view(old), _month_view(new, 2)]
        model = Model(views, K)
        v = model.versions[1]
        low, _ = _span(model, [(0, views[0].published)], ((v.atoms[SMALL], 1),))
        assert low == (4 if monotone else 1)


def test_an_edit_adds_no_link_between_versions() -> None:
    old = _month("2026-03")
    edited = dataclasses.replace(old, contacts=old.contacts[1:])
    model = Model([_month_view(old), _month_view(edited, number=2)], K)
    a, b = model.versions
    olds, news = set(a.atoms.values()), set(b.atoms.values())
    assert not [
        t for t, _l, _h in model.rows if {x for x, _ in t} & olds and {x for x, _ in t} & news
    ]
    _rows_hold(model)


# -- a merge of schools --------------------------------------------------------------------------
def _merged(added: bool = True) -> tuple[MonthFacts, MonthFacts]:
    """March before and after the second school merged into the first (and, if ``added``, one
    late contact at the first school)."""
    b = busy_month("2026-03")
    old = b.build()
    if added:
        b.contact("mentoring", [90, 91], outcome_group="referred")
    school_a, school_b = old.schools
    moved = tuple(
        dataclasses.replace(c, school=school_a) if c.school == school_b else c
        for c in b.build().contacts
    )
    new = MonthFacts(old.period, moved, old.follow_ups, (school_a,))
    return old, new


def test_a_merge_of_schools_relabels_the_older_rows() -> None:
    """After a merge the reader knows the older numbers under the new school list: a virtual
    version whose school row is the sum of the merged schools' rows, every other cell the same;
    distinct students are not (a merge may fold two students into one)."""
    old, new = _merged()
    school_a, school_b = old.schools
    model = Model([_month_view(old), _month_view(new, number=2)], K)
    assert [v.virtual for v in model.versions] == [False, False, True]
    a, b, mid = model.versions
    assert mid.month == "2026-03"
    assert model._versions_of["2026-03"] == [0, 1, 2]
    assert model._by_month["2026-03"] == [0, 1]
    _rows_hold(model)
    eq_rows = {t for t, lo, hi in model.rows if lo == hi == 0.0}
    for key, atom in mid.atoms.items():
        if key == STUDENTS_KEY:
            assert not [
                t for t, _l, _h in model.rows if t == tuple(sorted([(atom, 1), (a.atoms[key], -1)]))
            ]
            continue
        pairs = dict(key[2])
        if pairs.get("school") == school_a:
            other = (key[0], key[1], tuple(sorted({**pairs, "school": school_b}.items())))
            want = tuple(sorted([(atom, 1), (a.atoms[key], -1), (a.atoms[other], -1)]))
        else:
            want = tuple(sorted([(atom, 1), (a.atoms[key], -1)]))
        assert want in eq_rows, key
    # the merged version is linked to the newer one (only a relabel: the same records)
    shared = mid.atoms.keys() & b.atoms.keys()
    for key in shared:
        link = tuple(sorted([(b.atoms[key], 1), (mid.atoms[key], -1)]))
        assert (link, 0.0, INF) in model.rows
    # a virtual version has no targets of its own
    mid_atoms = set(mid.atoms.values())
    assert not [t for t in model.targets if {x for x, _ in t.terms} <= mid_atoms]


def test_a_merge_into_the_same_facts_adds_no_change_targets() -> None:
    """When the newer facts are exactly the older ones after the merge, the merged version is
    the newer version: no link rows and no change targets are needed."""
    old, new = _merged(added=False)
    model = Model([_month_view(old), _month_view(new, number=2)], K)
    assert not [t for t in model.targets if t.label.startswith("change of")]
    assert len(model.versions) == 2
    a, b = model.versions
    olds, news = set(a.atoms.values()), set(b.atoms.values())
    relabels = [
        t for t, _l, _h in model.rows if {x for x, _ in t} & olds and {x for x, _ in t} & news
    ]
    assert relabels and all(lo == hi == 0.0 for t, lo, hi in model.rows if t in relabels)


def test_a_quarter_revised_after_a_merge_protects_the_merged_schools_change() -> None:
    """Two releases of a quarter across a merge: the change of the merged school's row is
    measured against the sum of the two older rows (not against the old row of one school)."""
    before: dict[str, MonthFacts] = {}
    after: dict[str, MonthFacts] = {}
    for m in QUARTER:
        b = busy_month(m)
        school_a, school_b = b.schools
        before[m] = b.build()
        if m == "2026-03":
            b.contact("mentoring", [90, 91], outcome_group="referred")
        after[m] = MonthFacts(
            m,
            tuple(dataclasses.replace(c, school=school_a) for c in b.build().contacts),
            before[m].follow_ups,
            (school_a,),
        )
    q1 = ReleaseView(parse_period("2026-Q1"), 1, before, publication_of_facts(before))
    q2 = ReleaseView(parse_period("2026-Q1"), 2, after, None)
    model = Model([q1, q2], K)
    _rows_hold(model)
    changes = [t for t in model.targets if t.label == "2026-Q1 release 2 change"]
    assert changes
    key_a = logical_key("T2", (school_a, "mentoring"))
    key_b = logical_key("T2", (school_b, "mentoring"))
    want = {a: c for a, c in model.exprs[1][key_a]}
    for a, c in [*model.exprs[0][key_a], *model.exprs[0][key_b]]:
        want[a] = want.get(a, 0) - c
    assert tuple(sorted((a, c) for a, c in want.items() if c)) in {t.terms for t in changes}
    assert all(t.true == _value(model, t.terms) for t in changes)
    # the school's total changed by one contact only once the merge is applied: protected
    total_a = logical_key("T2", (school_a, ALL))
    total_b = logical_key("T2", (school_b, ALL))
    want = {a: c for a, c in model.exprs[1][total_a]}
    for a, c in [*model.exprs[0][total_a], *model.exprs[0][total_b]]:
        want[a] = want.get(a, 0) - c
    assert tuple(sorted((a, c) for a, c in want.items() if c)) in {t.terms for t in changes}


# -- targets -------------------------------------------------------------------------------------
def test_the_candidate_has_a_width_target_for_every_non_empty_cell() -> None:
    """Every non-empty cell of the candidate is a target tied to that cell (the suppression
    decides which of them to hide); an empty cell is not."""
    facts = _month("2026-03", extra=2)
    view = ReleaseView(parse_period("2026-03"), 1, {"2026-03": facts}, None)
    model = Model([view], K)
    values = _full(facts)
    tied = [t for t in model.targets if t.condition is not None]
    assert {t.condition for t in tied} == {k for k, v in values.items() if v > 0}
    assert len(tied) == sum(1 for v in values.values() if v > 0)
    for t in tied:
        assert t.kind == "width" and t.need == MIN_WIDTH and type(t.need) is float
        assert t.terms == ((model.exprs[0][t.condition][0][0], 1),)
        assert t.true == values[t.condition] and type(t.true) is int
    assert any(
        t.label == "2026-03 release 1 contacts category=mentoring outcome_group=referred"
        for t in tied
    )
    assert model.candidate == 0


def test_a_published_release_has_targets_for_its_hidden_non_empty_cells_only() -> None:
    facts = _month("2026-03", extra=2)
    empty = next(k for k, v in _full(facts).items() if v == 0)
    view = _month_view(facts, hidden=(SMALL, empty))
    model = Model([view], K)
    assert model.candidate is None
    hidden = [t for t in model.targets if t.label == "2026-03 release 1 hidden"]
    assert [t.terms for t in hidden] == [((model.exprs[0][SMALL][0][0], 1),)]
    assert hidden[0].condition is None and hidden[0].true == 1


def test_a_month_on_its_own_protects_what_its_rules_would_hide() -> None:
    """Targets (b): every non-empty cell the rules hide in a month on its own, and every group
    case, even when the month itself was never released on its own (a quarter only)."""
    facts = {m: _month(m, extra=2) for m in QUARTER}
    model = Model([ReleaseView(parse_period("2026-Q1"), 1, facts, None)], K)
    for ver in model.versions:
        rules = primary(ver.tables, K)
        values = ver.tables.values()
        want = {ver.atoms[key] for key in rules.hidden if values[key] > 0}
        assert want
        for t in model.targets:
            if len(t.terms) == 1 and t.terms[0][0] in set(ver.atoms.values()):
                assert t.terms[0][1] == 1
        got = {
            t.terms[0][0]
            for t in model.targets
            if t.kind == "width"
            and len(t.terms) == 1
            and t.terms[0][0] in set(ver.atoms.values())
            and t.label.startswith(ver.month)
        }
        assert want <= got
        label = f"{ver.month} contacts category=mentoring outcome_group=referred"
        assert label in {t.label for t in model.targets}
    ups = [t for t in model.targets if t.kind == "up"]
    for t in ups:
        assert t.need == MIN_WIDTH and t.true == _value(model, t.terms)


def test_group_cases_become_one_sided_targets() -> None:
    """(g) group attribute: "student-linked contacts of c that were not sensitive" must be able
    to reach MIN_WIDTH; the month's case and the quarter's case are both targets."""
    facts = {}
    for m in QUARTER:
        b = busy_month(m)
        b.contact("investigation", [50, 51], outcome_group="enforcement")
        facts[m] = b.build()
    views = [_month_view(f) for f in facts.values()]
    views.append(ReleaseView(parse_period("2026-Q1"), 1, facts, None))
    model = Model(views, K)
    quarter_cases = primary(period_tables_of("2026-Q1", list(facts.values())), K).cases
    month_cases = primary(build_tables(facts["2026-01"]), K).cases
    assert quarter_cases and month_cases
    ups = {t.label: t for t in model.targets if t.kind == "up"}
    for case in quarter_cases:
        t = ups[f"2026-Q1 release 1 {case.scope}"]
        want: dict[int, int] = {}
        for key, coef in case.expression:
            for a, c in model.exprs[3][key]:
                want[a] = want.get(a, 0) + c * coef
        assert t.terms == tuple(sorted((a, c) for a, c in want.items() if c))
    for case in month_cases:
        t = ups[f"2026-01 {case.scope}"]
        want = {}
        for key, coef in case.expression:
            a = model.versions[0].atoms[key]
            want[a] = want.get(a, 0) + coef
        assert t.terms == tuple(sorted((a, c) for a, c in want.items() if c))
    for t in model.targets:  # integer coefficients, as the model's ``Terms`` say
        assert all(type(a) is int and type(c) is int for a, c in t.terms)


def test_a_target_is_listed_once_unless_it_belongs_to_a_candidate_cell() -> None:
    """The same expression asked twice is one target; a candidate's cell keeps its own target
    (its condition) even when another release already asks for the same expression."""
    facts = _month("2026-03", extra=2)
    published = _month_view(facts, hidden=(SMALL,))
    again = ReleaseView(parse_period("2026-03"), 2, {"2026-03": facts}, None)
    model = Model([published, again], K)
    atom = model.exprs[0][SMALL][0][0]
    same = [t for t in model.targets if t.terms == ((atom, 1),) and t.kind == "width"]
    assert [t.condition for t in same] == [None, SMALL]
    model = Model([published, _month_view(facts, number=2, hidden=(SMALL,))], K)
    same = [t for t in model.targets if t.terms == ((atom, 1),) and t.kind == "width"]
    assert len(same) == 1


# -- what the solver is handed ---------------------------------------------------------------------
def test_published_rows_fix_single_atoms_and_write_sums_as_rows() -> None:
    """A month's published cell fixes its atom (as a deviation from the truth); a quarter's
    published cell is a row over its months' atoms; a number that disagrees is a deviation."""
    facts = {m: _month(m) for m in QUARTER}
    view = ReleaseView(parse_period("2026-Q1"), 1, facts, None)
    month = _month_view(facts["2026-01"])
    model = Model([month, view], K)
    pub = dict(month.published or {})
    pub[SMALL] = None
    contacts = logical_key("T0", ("contacts",))
    pub[contacts] = pub[contacts] + 2
    fixed, rows = model.published_rows(0, pub)
    assert fixed[model.exprs[0][contacts][0][0]] == 2.0
    assert model.exprs[0][SMALL][0][0] not in fixed
    assert sum(1 for d in fixed.values() if d == 0.0) == len(pub) - 2
    assert not rows
    qpub = dict(publication_of_facts(facts))
    qpub[contacts] += 3
    qfixed, qrows = model.published_rows(1, qpub)
    # students and hours are single atoms of their own; every other cell is a row
    assert set(qfixed) == {model.exprs[1][STUDENTS_KEY][0][0], model.exprs[1][HOURS_KEY][0][0]}
    terms = model.exprs[1][contacts]
    assert ([a for a, _ in terms], [1.0] * 3, 3.0, 3.0) in qrows
    assert all(isinstance(c, float) for _i, cs, _l, _h in qrows for c in cs)


def test_one_atom_published_with_two_numbers_is_inconsistent() -> None:
    facts = _month("2026-03")
    model = Model([_month_view(facts), _month_view(facts, number=2)], K)
    pub = dict(_month_view(facts).published or {})
    model.published_rows(0, pub)
    contacts = logical_key("T1", (ALL, ALL))
    # T1 and T0 contacts are one atom: two numbers for it cannot both be published
    wrong = dict(pub)
    wrong[contacts] = pub[contacts] + 1
    fixed, _ = model.published_rows(0, wrong)
    assert fixed[model.exprs[0][contacts][0][0]] == 1.0


def test_a_published_row_with_no_atom_must_be_zero() -> None:
    """A period cell no month has (no atoms) can only be published as 0."""
    facts = {m: _month(m) for m in QUARTER}
    model = Model([ReleaseView(parse_period("2026-Q1"), 1, facts, None)], K)
    key = next(iter(model.exprs[0]))
    model.exprs[0][key] = ()
    assert model.published_rows(0, {key: 0}) == ({}, [])
    with pytest.raises(AuditFailed, match=r"\(the published numbers are inconsistent\)$"):
        model.published_rows(0, {key: 1})


def test_a_published_number_that_contradicts_another_is_refused() -> None:
    facts = _month("2026-03")
    model = Model([_month_view(facts)], K)
    contacts = logical_key("T0", ("contacts",))
    atom = model.exprs[0][contacts][0][0]
    other = logical_key("T1", (ALL, ALL))
    assert model.exprs[0][other] == ((atom, 1),)
    model.exprs[0][("alias", "month", ())] = ((atom, 1),)
    model.values[0][("alias", "month", ())] = model.values[0][contacts]
    pub = {
        contacts: model.values[0][contacts],
        ("alias", "month", ()): model.values[0][contacts] + 1,
    }
    with pytest.raises(AuditFailed, match=r"\(the published numbers are inconsistent\)$"):
        model.published_rows(0, pub)
    pub[("alias", "month", ())] = model.values[0][contacts]
    fixed, rows = model.published_rows(0, pub)
    assert fixed == {atom: 0.0} and rows == []


# -- what the model refuses ------------------------------------------------------------------------
def test_two_candidates_are_refused() -> None:
    facts = _month("2026-03")
    view = ReleaseView(parse_period("2026-03"), 1, {"2026-03": facts}, None)
    with pytest.raises(ValueError, match=r"^one candidate release at most$"):
        Model([view, dataclasses.replace(view, number=2)], K)


def test_a_release_without_the_facts_of_one_of_its_months_is_refused() -> None:
    facts = {m: _month(m) for m in QUARTER[:2]}
    with pytest.raises(AuditFailed, match=r"\(a release lacks the facts of one of its months\)$"):
        Model([ReleaseView(parse_period("2026-Q1"), 1, facts, None)], K)


def test_a_published_cell_outside_the_catalogue_is_refused() -> None:
    facts = _month("2026-03")
    pub = _full(facts)
    pub[logical_key("T2", ("Nowhere School", ALL))] = 1
    with pytest.raises(AuditFailed, match=r"\(a release holds a cell outside its catalogue\)$"):
        Model([ReleaseView(parse_period("2026-03"), 1, {"2026-03": facts}, pub)], K)


def test_interval_width() -> None:
    assert Interval(2.0, 7.5).width == 5.5
    assert Target(((0, 1),), 3.0, "width", 4, None, "x").need == 3.0
    assert math.isinf(Interval(0.0, INF).width)


# -- relations of one period's tables -----------------------------------------------------------
def test_every_relation_holds_for_the_truth_and_pins_a_hidden_cell() -> None:
    """Every relation holds for the true values of a random month; and each margin relation is
    one a reader uses: with every other cell of it published, the hidden one is known."""
    from .factories import random_facts

    facts = random_facts(7)
    tables = build_tables(facts)
    values = tables.values()
    rels = build_relations((c.table_id, c.coords) for c in tables.cells())
    for r in rels:
        total = sum(c * values[k] for k, c in r.terms)
        assert (total == 0) if r.op == "eq" else (total <= 0), r
    assert all(r.op in ("eq", "le") for r in rels)
    assert len({(r.terms, r.op) for r in rels}) == len(rels)


def _layout(facts: MonthFacts) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.table_id, c.coords) for c in build_tables(facts).cells()]


def _expected_margins(layout: list[tuple[str, tuple[str, ...]]]) -> set[frozenset]:
    """Every ``_all`` margin equals the sum of its row or column, written from the cells alone:
    a cell with ``_all`` at one position is the sum of the cells that differ from it only there
    (T0, T5 and T6's measure have no margin)."""
    present = set(layout)
    out: set[frozenset] = set()
    for tid, coords in present:
        for i, v in enumerate(coords):
            if v != ALL or tid in ("T0", "T5") or (tid == "T6" and i == 1):
                continue
            members = [
                (t, c)
                for t, c in present
                if t == tid
                and c[i] != ALL
                and c[:i] == coords[:i]
                and c[i + 1 :] == coords[i + 1 :]
            ]
            terms: dict = {logical_key(tid, coords): 1}
            for t, c in members:
                terms[logical_key(t, c)] = terms.get(logical_key(t, c), 0) - 1
            out.add(frozenset((k, c) for k, c in terms.items() if c))
    return out


def _sign_free(terms) -> frozenset:
    first = min(terms)[1]
    return frozenset((k, c * (1 if first > 0 else -1)) for k, c in terms)


def test_the_equalities_are_every_margin_and_the_follow_up_identities() -> None:
    """The equalities of a month's tables are exactly: every margin (each written once, however
    many tables share its numbers), T5 due = on time + late + open, and T0 follow-ups done =
    on time + late."""
    layout = _layout(busy_month().build())
    rels = build_relations(layout)
    eqs = [r for r in rels if r.op == "eq"]
    t5 = {s: logical_key("T5", (s,)) for s in ("due", "done_on_time", "done_late", "open")}
    want = {_sign_free(tuple(m)) for m in _expected_margins(layout)}
    want.add(
        _sign_free(
            ((t5["due"], 1), (t5["done_on_time"], -1), (t5["done_late"], -1), (t5["open"], -1))
        )
    )
    done = logical_key("T0", ("follow_ups_done",))
    want.add(_sign_free(((done, 1), (t5["done_on_time"], -1), (t5["done_late"], -1))))
    got = [_sign_free(r.terms) for r in eqs]
    assert len(got) == len(set(got)), "an equality is written twice"
    assert set(got) == want
    for r in rels:
        assert r.terms == tuple(sorted(r.terms)) and all(c != 0 for _k, c in r.terms)


def test_the_inequalities_are_the_ones_a_reader_has() -> None:
    """Group activities of a category ≤ that category's contacts; all of T6 ≤ all contacts;
    distinct students ≤ student contacts; each referral target ≤ contacts. Nothing else."""
    from srojournal.domain.taxonomy import BUILTIN_CONTACT_TYPES, CATEGORIES

    layout = _layout(busy_month().build())
    les = {frozenset(r.terms) for r in build_relations(layout) if r.op == "le"}
    contacts = logical_key("T0", ("contacts",))
    want = set()
    for cat in CATEGORIES:
        group = [t.code for t in BUILTIN_CONTACT_TYPES if t.group_activity and t.category == cat]
        if group:
            terms = {logical_key("T6", (g, "contacts")): 1 for g in group}
            want.add(frozenset({**terms, logical_key("T1", (cat, ALL)): -1}.items()))
    assert len(want) == 2  # education and safety have group activities
    want.add(frozenset({logical_key("T6", (ALL, "contacts")): 1, contacts: -1}.items()))
    want.add(frozenset({STUDENTS_KEY: 1, T3_TOTAL: -1}.items()))
    targets = {c for t, c in layout if t == "T4" and c[0] != ALL}
    assert len(targets) > 5
    for c in targets:
        want.add(frozenset({logical_key("T4", c): 1, contacts: -1}.items()))
    assert les == want


def test_relations_use_only_the_cells_present() -> None:
    """A relation that names a cell the catalogue lacks is not written (it would constrain a
    number nobody published): drop the referral table and one school's row."""
    layout = _layout(busy_month().build())
    school = busy_month().schools[1]
    fewer = [
        (t, c) for t, c in layout if t != "T4" and not (t == "T2" and c == (school, "mentoring"))
    ]
    rels = build_relations(fewer)
    keys = {logical_key(t, c) for t, c in fewer}
    assert all(k in keys for r in rels for k, _c in r.terms)
    assert not [r for r in rels if any(k[0] == "referrals" for k, _ in r.terms)]
    full = build_relations(layout)
    lost = {_sign_free(r.terms) for r in full} - {_sign_free(r.terms) for r in rels}
    mentoring_school = logical_key("T2", (school, "mentoring"))
    assert all(
        any(k[0] == "referrals" or k == mentoring_school for k, _ in terms) for terms in lost
    )
    assert len(lost) == len(full) - len(rels)
    assert build_relations([]) == []
    # the order of the layout does not matter, and the result is a fresh list each time
    again = build_relations(reversed(layout))
    assert again == full and again is not full


def test_each_month_links_its_own_versions_after_a_merge_elsewhere() -> None:
    """A merge that leaves one month's facts unchanged (nothing to link) does not stop the
    linking of the other months' versions."""
    old, new = _merged(added=False)
    april = busy_month("2026-04").build()
    april_late = _late("2026-04")
    views = [
        _month_view(old),
        _month_view(new, number=2),
        _month_view(april),
        _month_view(april_late, number=2),
    ]
    model = Model(views, K)
    a, b = (model.versions[v] for v in model._by_month["2026-04"])
    olds, news = set(a.atoms.values()), set(b.atoms.values())
    links = [t for t, _l, _h in model.rows if {x for x, _ in t} & olds and {x for x, _ in t} & news]
    assert len(links) == len(a.atoms.keys() & b.atoms.keys())
    assert [t for t in model.targets if t.label.startswith("change of 2026-04")]


def test_a_school_added_between_versions_links_the_shared_cells_only() -> None:
    """A late entry at a school the older version did not list: the cells both versions have
    are linked, and only the changed cells that concern few students are targets."""
    from srojournal.reporting.rules import change_between, delta_sensitive

    old = _month("2026-03")
    b = busy_month("2026-03")
    b.schools = (*b.schools, "Adams Elementary")
    b.contact("mentoring", [95, 96], outcome_group="resolved", school="Adams Elementary")
    new = b.build()
    model = Model([_month_view(old), _month_view(new, number=2)], K)
    va, vb = model.versions
    shared = va.atoms.keys() & vb.atoms.keys()
    assert vb.atoms.keys() - va.atoms.keys()  # the new school's cells
    olds, news = set(va.atoms.values()), set(vb.atoms.values())
    links = [t for t, _l, _h in model.rows if {x for x, _ in t} & olds and {x for x, _ in t} & news]
    assert len(links) == len(shared)
    _rows_hold(model)
    sensitive = delta_sensitive(change_between(old, new), K) & shared
    assert sensitive
    changes = {t.terms for t in model.targets if t.label.startswith("change of 2026-03")}
    assert changes == {
        tuple(sorted([(vb.atoms[key], 1), (va.atoms[key], -1)])) for key in sensitive
    }


def test_a_month_without_a_breakdown_protects_its_non_empty_cells_only() -> None:
    """Fewer than k students in a month: the rules hide every breakdown cell, empty ones too;
    only the non-empty ones are targets (an empty cell has nothing to protect)."""
    b = FactsBuilder("2026-01")
    for s in range(1, 4):
        b.contact("mentoring", [s], outcome_group="resolved")
    small = b.build()
    facts = {"2026-01": small} | {m: _month(m) for m in QUARTER[1:]}
    model = Model([ReleaseView(parse_period("2026-Q1"), 1, facts, None)], K)
    ver = model.versions[0]
    rules = primary(ver.tables, K)
    assert rules.no_breakdown
    values = ver.tables.values()
    assert any(values[key] == 0 for key in rules.hidden)
    mine = set(ver.atoms.values())
    singles = [t for t in model.targets if len(t.terms) == 1 and t.terms[0][0] in mine]
    assert {t.terms[0][0] for t in singles} == {
        ver.atoms[key] for key in rules.hidden if values[key] > 0
    }
    assert all(t.true > 0 for t in singles)


def test_a_months_rows_are_its_relations_with_their_exact_bounds() -> None:
    """Each relation of a month's tables is one row over its atoms: an equality is 0 = sum,
    an inequality sum <= 0 (not a looser bound)."""
    facts = _month("2026-03", extra=2)
    model = Model([_month_view(facts)], K)
    ver = model.versions[0]
    rels = build_relations((c.table_id, c.coords) for c in ver.tables.cells())
    want = {
        (
            tuple(sorted((ver.atoms[k], c) for k, c in r.terms)),
            0.0 if r.op == "eq" else -INF,
            0.0,
        )
        for r in rels
    }
    assert set(model.rows) == want and len(model.rows) == len(rels)


def test_a_revised_quarter_protects_every_small_change() -> None:
    """A quarter released again after a late entry at a new school and the deletion of the only
    contact of a school since dropped: every cell of both releases whose change concerns few
    students is a width target on (new − old), months left alone cancelling out."""
    from srojournal.reporting.rules import change_between, delta_sensitive
    from srojournal.reporting.tables import combine_months

    before: dict[str, MonthFacts] = {}
    after: dict[str, MonthFacts] = {}
    for m in QUARTER:
        b = busy_month(m)
        after[m] = b.build()
        if m == "2026-03":
            b.schools = (*b.schools, "Carver Middle")
            b.contact("mentoring", [97], outcome_group="follow_up", school="Carver Middle")
            gone = dataclasses.replace(b.contacts[-1], contact_id=999)  # no id of the new facts
            before[m] = dataclasses.replace(b.build(), contacts=(*b.contacts[:-1], gone))
            late = busy_month(m)
            late.schools = (*late.schools, "Adams Elementary")
            late.contact("mentoring", [95, 96], outcome_group="resolved", school="Adams Elementary")
            after[m] = late.build()
        else:
            before[m] = after[m]
    q1 = ReleaseView(parse_period("2026-Q1"), 1, before, publication_of_facts(before))
    q2 = ReleaseView(parse_period("2026-Q1"), 2, after, None)
    model = Model([q1, q2], K)
    old = combine_months("2026-Q1", list(before.values()))
    new = combine_months("2026-Q1", list(after.values()))
    keys = delta_sensitive(change_between(old, new), K)
    assert keys - model.exprs[1].keys() and keys - model.exprs[0].keys()  # both schools
    want = set()
    for key in keys & model.exprs[0].keys() & model.exprs[1].keys():
        diff = dict(model.exprs[1][key])
        for a, c in model.exprs[0][key]:
            diff[a] = diff.get(a, 0) - c
        terms = tuple(sorted((a, c) for a, c in diff.items() if c))
        if terms:
            want.add(terms)
    assert len(want) > 3
    # (the same expression as March's own change is one target, listed once)
    changes = [t for t in model.targets if t.terms in want]
    assert {t.terms for t in changes} == want
    assert all(t.kind == "width" and t.need == MIN_WIDTH and t.condition is None for t in changes)
    assert any(t.label == "2026-Q1 release 2 change" for t in changes)
    assert all(t.terms in want for t in model.targets if t.label == "2026-Q1 release 2 change")
