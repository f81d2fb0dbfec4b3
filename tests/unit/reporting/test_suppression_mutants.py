"""Suppression at its edges: each test names what a wrong line would change for a reader, an
officer or the gate (the cuts of the integer program, the reasons shown, the release itself)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from srojournal.domain.facts import MonthFacts
from srojournal.domain.periods import parse_period
from srojournal.reporting.audit import audit_views, publication_of
from srojournal.reporting.errors import AuditFailed
from srojournal.reporting.lp import FloatArray
from srojournal.reporting.model import Summary
from srojournal.reporting.reader import ReleaseView
from srojournal.reporting.rules import primary
from srojournal.reporting.suppression import (
    Reasons,
    _Master,
    _no_good,
    suppress_facts,
    suppress_release,
)
from srojournal.reporting.tables import ALL, LogicalKey, build_tables, logical_key

from .conftest import busy_month, one_small_cell_month
from .factories import FactsBuilder

KEYS = [logical_key("T1", (f"c{i}", ALL)) for i in range(5)]
PATTERNS = [np.array(y) for y in itertools.product((0.0, 1.0), repeat=len(KEYS))]
PATTERNS_INDEX = {tuple(float(v) for v in x): i for i, x in enumerate(PATTERNS)}


def _allowed(master: _Master) -> list[bool]:
    """Which binary patterns every row of the master allows."""
    master.flush()
    prog = master.relaxed
    out = []
    for x in PATTERNS:
        if prog.m == 0:
            out.append(True)
            continue
        act = prog.row_activity(x[None, :])[:, 0]
        out.append(
            bool(np.all(act >= prog.row_lower - 1e-9) & np.all(act <= prog.row_upper + 1e-9))
        )
    return out


# -- the no-good cut: "this pattern fails, hide one more number of the target's part" ---------


@pytest.mark.parametrize("cond", [None, 4])
@pytest.mark.parametrize(
    ("y", "members"),
    [
        ((1.0, 0.0, 0.0, 1.0, 1.0), [0, 1, 2, 3]),
        ((0.0, 0.0, 1.0, 0.0, 1.0), [1, 2, 3]),
        ((1.0, 1.0, 0.0, 0.0, 1.0), [0, 1, 2, 3, 4]),
    ],
)
def test_a_no_good_cut_asks_for_one_more_hidden_number_of_the_part(
    y: tuple[float, ...], members: list[int], cond: int | None
) -> None:
    """A failing pattern is cut off with every pattern that hides no more of the target's part:
    any pattern hiding at least one of the part's numbers the failing one showed stays allowed
    (and with a condition, every pattern that shows the condition's number)."""
    master = _Master(KEYS, np.ones(len(KEYS)), set())
    _no_good(master, np.array(y), members, cond)
    shown = [i for i in members if y[i] < 0.5]
    expected = [
        (cond is not None and x[cond] < 0.5) or any(x[i] > 0.5 for i in shown) for x in PATTERNS
    ]
    assert _allowed(master) == expected
    if cond is None or y[cond] > 0.5:
        assert not _allowed(master)[PATTERNS_INDEX[y]]


def test_a_no_good_cut_with_nothing_left_to_hide_forbids_its_condition() -> None:
    """When every number of the part is hidden already and the target still fails, no pattern
    protects it while its number is hidden: the number must be shown."""
    master = _Master(KEYS, np.ones(len(KEYS)), set())
    y = np.array([1.0, 1.0, 0.0, 0.0, 1.0])
    _no_good(master, y, [0, 1], 4)
    assert _allowed(master) == [x[4] < 0.5 for x in PATTERNS]


def test_a_no_good_cut_with_nothing_left_and_no_condition_is_a_refusal() -> None:
    """A target without a condition (it must hold whatever is hidden) that fails with its whole
    part hidden cannot be protected: suppression refuses rather than publish it."""
    master = _Master(KEYS, np.ones(len(KEYS)), set())
    with pytest.raises(AuditFailed, match=r"\(the suppression problem has no solution\)"):
        _no_good(master, np.array([1.0, 1.0, 0.0, 0.0, 0.0]), [0, 1], None)


# -- suppress_facts: the first release of one month --------------------------------------------


def test_the_first_release_of_a_month_is_numbered_one_and_keeps_the_catalogue() -> None:
    """The summary is release 1 of its month at its threshold, and each table keeps the unit
    and the dimensions of the catalogue (the renderers and the reader of a file rely on them)."""
    from srojournal.reporting.tables import TABLE_DIMENSIONS, TABLE_UNITS

    facts = busy_month().build()
    summary = suppress_facts(facts)
    assert summary.release == 1
    assert summary.period == facts.period
    assert summary.threshold == 10
    for table in summary.tables:
        assert table.unit == TABLE_UNITS[table.id]
        assert table.dimensions == TABLE_DIMENSIONS[table.id]


# -- the order among patterns of the same cost --------------------------------------------------


def test_the_order_weights_of_the_numbers_do_not_change_between_versions() -> None:
    """Of several cheapest patterns, the release is the first in a fixed order of the numbers.
    That order is part of what a release is: a later version choosing another order would hide
    other cells for the same month, and the two releases together would tell what each hides."""
    from srojournal.reporting.suppression import _order_weight

    assert _order_weight(logical_key("T1", ("mentoring", "none"))) == 348392
    assert _order_weight(logical_key("T1", ("mentoring", "resolved"))) == 457727
    assert _order_weight(logical_key("T0", ("contacts",))) == 673042


def test_of_two_equally_cheap_patterns_the_first_in_the_order_is_released() -> None:
    """One small cell in T1 and two columns that could protect it at the same cost (the same
    counts): the column whose numbers come first in the order (the smaller sum of weights) is
    hidden, and it is the same column in every version."""
    from srojournal.reporting.suppression import _order_weight

    b = FactsBuilder()
    for s in range(1, 41):
        b.contact("mentoring", [s], outcome_group="resolved")
        b.contact("mentoring", [s], outcome_group="none")
        b.contact("relationship", [s + 100], outcome_group="resolved")
        b.contact("relationship", [s + 100], outcome_group="none")
    for s in range(141, 161):
        b.contact("relationship", [s], outcome_group="notified")
    b.contact("mentoring", [201, 202], outcome_group="notified", times=2)
    summary = suppress_facts(b.build())
    hidden = sorted((t.id, c.coords) for t in summary.tables for c in t.cells if c.status == "S")
    weight = {
        col: sum(
            _order_weight(logical_key("T1", (row, col))) for row in ("mentoring", "relationship")
        )
        for col in ("none", "resolved")
    }
    first = min(weight, key=lambda col: weight[col])
    assert first == "resolved"
    assert hidden == [
        ("T1", ("mentoring", "notified")),
        ("T1", ("mentoring", first)),
        ("T1", ("relationship", "notified")),
        ("T1", ("relationship", first)),
    ]


# -- reasons and revisions -----------------------------------------------------------------------


def _revise(
    b: FactsBuilder, earlier: list[ReleaseView], k: int = 10
) -> tuple[Summary, Reasons, ReleaseView]:
    facts = b.build()
    period = parse_period(facts.period)
    number = len(earlier) + 1
    summary, reasons = suppress_release(
        earlier, ReleaseView(period, number, {period.text: facts}, None), k, number
    )
    view = ReleaseView(period, number, {period.text: facts}, publication_of(summary))
    audit_views([*earlier, view], k)
    return summary, reasons, view


def test_a_small_change_to_a_published_cell_is_hidden_as_changed() -> None:
    """Two more students in a published cell: the revision would tell who was added. The cells
    that show the change are hidden, each with the reason "changed", and counted as such."""
    b = busy_month()
    _first, _reasons, v1 = _revise(b, [])
    b.contact("mentoring", [301, 302], outcome_group="resolved")
    _second, reasons, _v2 = _revise(b, [v1])
    mentoring_resolved = logical_key("T1", ("mentoring", "resolved"))
    assert v1.published is not None and v1.published[mentoring_resolved] is not None
    assert reasons.why[mentoring_resolved] == "changed"
    assert reasons.changed == sum(1 for why in reasons.why.values() if why == "changed") > 0
    assert reasons.sticky == sum(1 for why in reasons.why.values() if why == "sticky") > 0
    assert reasons.secondary == sum(1 for why in reasons.why.values() if why == "complement")


def test_a_change_is_measured_from_the_latest_release_not_the_first() -> None:
    """A third release two students after the second: the change a reader can read off is the
    one since the second (small), not since the first (larger than the threshold)."""
    b = busy_month()
    _first, _r1, v1 = _revise(b, [])
    for s in range(400, 415):
        b.contact("mentoring", [s], outcome_group="resolved")
    _second, r2, v2 = _revise(b, [v1])
    mentoring_resolved = logical_key("T1", ("mentoring", "resolved"))
    assert mentoring_resolved not in r2.why
    b.contact("mentoring", [501, 502], outcome_group="resolved")
    _third, r3, _v3 = _revise(b, [v1, v2])
    assert r3.why[mentoring_resolved] == "changed"


def test_a_revision_cannot_take_back_what_an_earlier_release_gave_away() -> None:
    """An earlier release hid a cell that its own row gives away (no complement). No pattern of
    the revision can protect that number any more: suppression refuses, it does not publish a
    revision as if the period were safe."""
    b = busy_month()
    facts = b.build()
    period = parse_period(facts.period)
    leaky = dict(build_tables(facts).values())
    leaky[logical_key("T1", ("safety", "enforcement"))] = None
    first = ReleaseView(period, 1, {period.text: facts}, leaky)
    b.contact("mentoring", [301], outcome_group="resolved")
    revised = b.build()
    with pytest.raises(AuditFailed, match=r"\(the suppression problem has no solution\)"):
        suppress_release([first], ReleaseView(period, 2, {period.text: revised}, None), 10, 2)


# -- a quarter after its months ------------------------------------------------------------------


def _months_then_quarter(
    seed: int,
) -> tuple[list[ReleaseView], dict[str, MonthFacts], Summary, Reasons]:
    from dataclasses import replace

    from .factories import random_facts

    months = {}
    earlier: list[ReleaseView] = []
    for i, m in enumerate(("2026-01", "2026-02", "2026-03")):
        facts = replace(random_facts(seed * 7 + i, n_contacts=60, n_students=25), period=m)
        months[m] = facts
        period = parse_period(m)
        summary, _ = suppress_release(earlier, ReleaseView(period, 1, {m: facts}, None), 10, 1)
        earlier.append(ReleaseView(period, 1, {m: facts}, publication_of(summary)))
    quarter = parse_period("2026-Q1")
    summary, reasons = suppress_release(earlier, ReleaseView(quarter, 1, months, None), 10, 1)
    return earlier, months, summary, reasons


def test_a_quarter_shows_what_its_published_months_already_tell() -> None:
    """A quarter's count of contacts that its published months add up to is known to every
    reader: hiding it would protect nothing. The quarter shows each such number unless a rule
    hides it, and passes the gate together with its months."""
    from srojournal.reporting.tables import combine_months

    earlier, months, summary, _reasons = _months_then_quarter(0)
    quarter = parse_period("2026-Q1")
    pub = publication_of(summary)
    audit_views([*earlier, ReleaseView(quarter, 1, months, pub)], 10)
    rules = primary(build_tables(combine_months("2026-Q1", list(months.values()))), 10)
    told = [
        key
        for key in pub
        if key[0] == "contacts"
        and all(v.published is not None and v.published[key] is not None for v in earlier)
    ]
    assert len(told) >= 10
    for key in told:
        assert (pub[key] is None) == (key in rules.hidden), key
    # The quarter's own numbers are the ones chosen: the fewest that protect it (a search over
    # the last month's numbers instead hides about a hundred).
    assert sum(value is None for value in pub.values()) == 72


# -- the cuts learnt from a failing pattern ------------------------------------------------------


def _exact_month() -> MonthFacts:
    """One small cell in T1 (see test_suppression's smallest protecting pattern)."""
    return one_small_cell_month().build()


class _Cuts:
    """The suppression's reader and master for :func:`_exact_month`, as ``_secondary`` builds
    them, before any cut."""

    def __init__(self) -> None:
        from srojournal.reporting.proof import System
        from srojournal.reporting.reader import Model
        from srojournal.reporting.suppression import CAP, period_tables

        self.facts = _exact_month()
        period = parse_period(self.facts.period)
        view = ReleaseView(period, 1, {period.text: self.facts}, None)
        tables = period_tables(view)
        self.keys = list(tables.values())
        index = {key: i for i, key in enumerate(self.keys)}
        model = Model([view], 10)
        self.system = System(model, [], float(CAP), [model.exprs[0][key] for key in self.keys])
        self.rules = primary(tables, 10)
        self.master = _Master(self.keys, np.ones(len(self.keys)), set(self.rules.hidden))
        self.conditions = [
            None if t.condition is None else index[t.condition] for t in model.targets
        ]
        released = publication_of(suppress_facts(self.facts))
        self.released = self.pattern({key for key, value in released.items() if value is None})

    def pattern(self, hidden: set[LogicalKey]) -> FloatArray:
        return np.array([1.0 if key in hidden else 0.0 for key in self.keys])

    def failing(self, y: FloatArray) -> list[int]:
        self.system.set_pattern(y)
        active = [t for t, c in enumerate(self.conditions) if c is None or y[c] > 0.5]
        return self.system.prove(active, exact=False).failing

    def allowed(self, x: FloatArray) -> bool:
        self.master.flush()
        prog = self.master.relaxed
        act = prog.row_activity(x[None, :])[:, 0]
        return bool(np.all(act >= prog.row_lower - 1e-7))


def test_a_cut_learnt_from_a_failing_pattern_rules_out_hiding_what_cannot_help() -> None:
    """The reader narrows the small cell when only the rules' cells are hidden. The cut learnt
    from that (the reader's own bounds as a function of what is hidden) rules out this pattern
    and a pattern that adds a number the reader does not need (the cell's column still gives it
    away), and keeps the pattern the suppression releases."""
    from srojournal.reporting.suppression import _benders_cut

    c = _Cuts()
    y = c.pattern(set(c.rules.hidden))
    failing = c.failing(y)
    assert failing
    for t in failing:
        _benders_cut(c.master, c.system, t, y, c.conditions[t])
    assert c.allowed(c.released)
    assert not c.allowed(y)
    # Hiding the small cell's row partner protects nothing while its column shows it.
    assert not c.allowed(c.pattern({*c.rules.hidden, logical_key("T1", ("mentoring", "none"))}))


def test_a_cut_the_pattern_already_meets_becomes_a_no_good() -> None:
    """The reader's bounds hold for every pattern, so a pattern that protects the cell meets
    them. Asked to cut such a pattern anyway (a later, stricter check failed it), the cut
    would not move the search: the pattern is ruled out by a no-good over the cell's part
    instead (hide one more of its numbers, or show the cell), so the search cannot stall."""
    from srojournal.reporting.suppression import _benders_cut

    c = _Cuts()
    small = logical_key("T1", ("mentoring", "notified"))
    cond = c.keys.index(small)
    (t,) = [t for t in c.failing(c.pattern(set(c.rules.hidden))) if c.conditions[t] == cond]
    y = c.released
    _benders_cut(c.master, c.system, t, y, cond)
    assert not c.allowed(y)
    members = c.system.candidates_of(t)
    shown = [i for i in members if y[i] < 0.5]
    assert shown
    for i in shown[:10]:
        more = y.copy()
        more[i] = 1.0
        assert c.allowed(more)
    outside = [i for i in range(len(c.keys)) if i not in members and y[i] < 0.5]
    for i in outside[:10]:
        other = y.copy()
        other[i] = 1.0
        assert not c.allowed(other)
    without = y.copy()
    without[cond] = 0.0
    assert c.allowed(without)


@pytest.mark.parametrize(
    ("seed", "n_contacts", "n_students"), [(21, 60, 20), (35, 60, 20), (39, 120, 40)]
)
def test_no_complement_is_hidden_that_the_gate_would_let_show(
    seed: int, n_contacts: int, n_students: int
) -> None:
    """Months whose cuts carry a constant (the reader's bound at a count of zero): a cut with the
    wrong constant is too strong, and the suppression then hides a complement the gate would
    let it show. Each complement here is needed: showing it alone fails the gate."""
    from .factories import random_facts

    facts = random_facts(seed, n_contacts=n_contacts, n_students=n_students)
    period = parse_period(facts.period)
    tables = build_tables(facts)
    values = tables.values()
    rules = primary(tables, 10)
    pub = publication_of(suppress_facts(facts))
    complements = [key for key, value in pub.items() if value is None and key not in rules.hidden]
    assert complements
    for key in complements:
        trial = dict(pub)
        trial[key] = values[key]
        with pytest.raises(AuditFailed):
            audit_views([ReleaseView(period, 1, {period.text: facts}, trial)], 10)


def test_complements_are_counted_and_named_as_such() -> None:
    """The officer's preview says why each cell is hidden: the small cell by its rule, the three
    cells that complete its rectangle as complements, and the count of complements matches."""
    facts = _exact_month()
    period = parse_period(facts.period)
    view = ReleaseView(period, 1, {period.text: facts}, None)
    summary, reasons = suppress_release([], view, 10, 1)
    complements = {key for key, why in reasons.why.items() if why == "complement"}
    assert complements == {
        logical_key("T1", ("mentoring", "none")),
        logical_key("T1", ("relationship", "none")),
        logical_key("T1", ("relationship", "notified")),
    }
    assert reasons.secondary == 3
    assert reasons.why[logical_key("T1", ("mentoring", "notified"))] == "small"
    assert reasons.primary.hidden == {logical_key("T1", ("mentoring", "notified"))}
    assert reasons.primary.small == 1
    assert reasons.sticky == reasons.changed == 0
    hidden = {key for key, value in publication_of(summary).items() if value is None}
    assert hidden == set(reasons.why)
    assert summary.release == 1 and summary.threshold == 10 and summary.period == period.text


@pytest.mark.parametrize(
    ("seed", "n_contacts", "n_students", "cells", "contacts"),
    [(2, 60, 20, 74, 820), (10, 120, 40, 86, 2308)],
)
def test_the_release_hides_the_fewest_cells_then_the_fewest_contacts(
    seed: int, n_contacts: int, n_students: int, cells: int, contacts: int
) -> None:
    """The secondary suppression is exact: of every pattern that protects the month, the one
    released hides the fewest cells (a number shown in two tables counts twice), then the
    fewest contacts in them. A search that lets the cost drift while it looks for the first
    pattern in the order (or any heuristic in place of the integer program) hides more, as it
    would on these months."""
    from .factories import random_facts

    facts = random_facts(seed, n_contacts=n_contacts, n_students=n_students)
    summary = suppress_facts(facts)
    counts = {(t.id, c.coords): c.count for t in build_tables(facts).tables for c in t.cells}
    hidden = [(t.id, c.coords) for t in summary.tables for c in t.cells if c.status == "S"]
    assert (len(hidden), sum(counts[h] for h in hidden)) == (cells, contacts)


# -- the master program ---------------------------------------------------------------------------


def _triangle(extra: int = 1, cost: FloatArray | None = None) -> _Master:
    """Three numbers, each pair of which must hold a hidden one, and ``extra`` numbers nothing
    asks for: the linear relaxation's only optimum hides half of each of the three."""
    keys = [logical_key("T1", (f"c{i}", ALL)) for i in range(3 + extra)]
    master = _Master(keys, np.ones(len(keys)) if cost is None else cost, set())
    for a, b in ((0, 1), (1, 2), (0, 2)):
        master.add({a: 1.0, b: 1.0}, 1.0, None, 0.0)
    return master


def test_an_integral_relaxation_is_the_answer_without_branch_and_bound() -> None:
    """When the linear relaxation's optimum is integral it is the integer optimum: the master
    returns it as an exact pattern and never starts branch and bound."""
    keys = [logical_key("T1", (f"c{i}", ALL)) for i in range(3)]
    master = _Master(keys, np.array([1.0, 2.0, 3.0]), set())
    master.add({1: 1.0, 2: 1.0}, 1.0, None, 0.0)
    y = master.solve()
    assert list(y) == [0.0, 1.0, 0.0]
    assert master.exact
    assert master.prog.solves == 0


def test_a_rough_round_hides_every_number_the_relaxation_touches() -> None:
    """A rough round takes the relaxation's fractional optimum and hides every number it hides
    at all (and nothing else), without branch and bound, and says the pattern is not exact; an
    exact round solves the integer program."""
    master = _triangle()
    y = master.solve(rough=True)
    assert list(y) == [1.0, 1.0, 1.0, 0.0]
    assert not master.exact
    assert master.prog.solves == 0
    y = master.solve()
    assert sorted(y[:3]) == [0.0, 1.0, 1.0] and y[3] == 0.0
    assert master.exact
    assert master.prog.solves >= 1


def test_branch_and_bound_uses_presolve_once_the_master_is_large() -> None:
    """Presolve costs more than it saves on a small master: off until the master holds more
    than ``_PRESOLVE_ROWS`` cuts, then on for the rest of the search."""
    from srojournal.reporting.suppression import _PRESOLVE_ROWS

    master = _triangle(extra=_PRESOLVE_ROWS)
    master.solve()
    assert master.prog._options["presolve"] == "off"
    for i in range(3, 3 + _PRESOLVE_ROWS - 3):
        master.add({i: 1.0, i + 1: 1.0}, 0.0, None, 0.0)
    master.solve()
    assert master.prog.m == _PRESOLVE_ROWS
    assert master.prog._options["presolve"] == "off"
    master.add({0: 1.0, 3: 1.0}, 0.0, None, 0.0)
    master.solve()
    assert master.prog.m == _PRESOLVE_ROWS + 1
    assert master.prog._options["presolve"] == "on"


def test_a_master_without_an_order_keeps_the_pattern_it_is_given() -> None:
    """Settling needs an order to choose among patterns of the same cost; without one the
    pattern handed over is the release."""
    master = _triangle()
    y = master.solve()
    assert master.settle(y) is y
    assert not master.settled


def test_a_master_whose_cuts_contradict_the_rules_refuses_with_its_reason() -> None:
    """A number the rules hide that a cut says must be shown: no pattern exists, and the
    refusal says so (the officer's bug report carries that reason, never a number)."""
    keys = [logical_key("T1", (f"c{i}", ALL)) for i in range(3)]
    master = _Master(keys, np.ones(3), {keys[0]})
    _no_good(master, np.array([1.0, 1.0, 1.0]), [0, 1, 2], 0)  # nothing left: show number 0
    with pytest.raises(AuditFailed, match=r"\(the suppression problem has no solution\)"):
        master.solve()


def test_the_total_of_contacts_is_shown_even_where_hiding_it_would_hide_fewer_cells() -> None:
    """The month's total of contacts is the one number every reader of a summary looks for:
    it stays published whenever any pattern allows it, before the count of hidden cells. In
    this small month, hiding it would protect everything with four numbers fewer."""
    from .factories import random_facts

    facts = random_facts(31, n_contacts=15, n_students=12)
    pub = publication_of(suppress_facts(facts))
    assert pub[logical_key("T0", ("contacts",))] == len(facts.contacts)
    assert sum(value is None for value in pub.values()) == 52


# -- out of rounds ---------------------------------------------------------------------------------


def test_out_of_rounds_the_least_cost_pattern_that_passed_is_released(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the rounds run out while the search looks for the first of the least-cost patterns
    in the order, the pattern that passed is released: it hides as few cells and contacts as
    that first one, and the gate accepts it."""
    from srojournal.reporting import suppression

    from .factories import random_facts

    facts = random_facts(10, n_contacts=120, n_students=40)
    period = parse_period(facts.period)
    counts = {(t.id, c.coords): c.count for t in build_tables(facts).tables for c in t.cells}

    def cost(summary: Summary) -> tuple[int, int]:
        hidden = [(t.id, c.coords) for t in summary.tables for c in t.cells if c.status == "S"]
        return len(hidden), sum(counts[h] for h in hidden)

    first = suppress_facts(facts)
    monkeypatch.setattr(suppression, "_MAX_ROUNDS", 1)
    passed = suppress_facts(facts)
    assert publication_of(passed) != publication_of(first)  # the order was not reached
    assert cost(passed) == cost(first)
    audit_views([ReleaseView(period, 1, {period.text: facts}, publication_of(passed))], 10)


def test_a_search_that_finds_no_pattern_in_its_rounds_refuses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No round left before any pattern passed: nothing is released, and the refusal says
    why."""
    from srojournal.reporting import suppression

    monkeypatch.setattr(suppression, "_MAX_ROUNDS", 0)
    with pytest.raises(AuditFailed, match=r"\(suppression did not converge\)"):
        suppress_facts(busy_month().build())


# -- the first cuts ------------------------------------------------------------------------------


def test_the_first_cuts_ask_a_partner_for_every_hidden_non_empty_number() -> None:
    """Before the reader is asked anything, the master knows that a non-empty number hidden
    alone in a sum is that sum minus the others: hiding any one such number alone is ruled out
    (a number in no sum, such as the count of distinct students, is left to the reader).
    A zero hidden alone is not (a count cannot go below zero, so it needs no partner of its
    own), and showing everything is allowed."""
    from srojournal.reporting.suppression import _cover_cuts

    b = busy_month()
    b.contact("staff_consult", [], outcome_group="referred")  # a count of one is not empty
    tables = build_tables(b.build())
    values = tables.values()
    keys = list(values)
    master = _Master(keys, np.ones(len(keys)), set())
    _cover_cuts(master, tables, values)
    master.flush()
    prog = master.relaxed

    def allowed(hidden: int | None) -> bool:
        x = np.zeros(len(keys))
        if hidden is not None:
            x[hidden] = 1.0
        act = prog.row_activity(x[None, :])[:, 0]
        return bool(np.all(act >= prog.row_lower - 1e-9))

    from srojournal.reporting.relations import build_relations

    in_sums = {
        key
        for rel in build_relations([(c.table_id, c.coords) for c in tables.cells()])
        if rel.op == "eq"
        for key, _ in rel.terms
    }
    assert allowed(None)
    non_empty = [i for i, key in enumerate(keys) if values[key] > 0 and key in in_sums]
    assert any(values[keys[i]] == 1 for i in non_empty)
    zeros = [i for i, key in enumerate(keys) if values[key] == 0]
    assert len(non_empty) > 40 and len(zeros) > 20
    assert not any(allowed(i) for i in non_empty)
    assert all(allowed(i) for i in zeros)


def test_a_number_is_hidden_or_shown_never_counted_twice() -> None:
    """A cut that needs two hidden numbers gets two, even when one of them is cheaper: each
    number of the master is a yes or no, in the relaxation as in branch and bound."""
    master = _triangle(extra=2, cost=np.array([1.0, 1.0, 1.0, 1.0, 1.5]))
    master.add({3: 1.0, 4: 1.0}, 2.0, None, 0.0)  # numbers 3 and 4 are free of the triangle
    y = master.solve()  # the triangle keeps the relaxation fractional: branch and bound
    assert list(y[3:]) == [1.0, 1.0]
    keys = [logical_key("T1", (f"c{i}", ALL)) for i in range(2)]
    master = _Master(keys, np.array([1.0, 1.5]), set())
    master.add({0: 1.0, 1: 1.0}, 2.0, None, 0.0)
    assert list(master.solve()) == [1.0, 1.0]


def test_a_cut_is_tightened_so_the_relaxation_cannot_hide_a_fraction() -> None:
    """Over yes-or-no numbers, ``5·y ≥ 1`` and ``y ≥ 0.5`` both mean ``y = 1``. The master
    stores them tightened, so its linear relaxation already hides the whole number (and is
    the answer without branch and bound) instead of a fifth or a half of it."""
    for coef, rhs in ((5.0, 1.0), (1.0, 0.5)):
        master = _Master(KEYS[:1], np.ones(1), set())
        master.add({0: coef}, rhs, None, 0.0)
        master.flush()
        assert master.relaxed.minimize(np.ones(1)).x == pytest.approx([1.0])
        assert list(master.solve()) == [1.0]
        assert master.prog.solves == 0


def test_a_cut_already_in_the_master_is_not_added_again_and_a_different_one_is() -> None:
    """The same cut found twice is one row; cuts that differ in a coefficient or in their
    right-hand side by a fraction are different cuts and both are kept."""
    master = _Master(KEYS, np.ones(len(KEYS)), set())
    master.add({0: 0.3, 1: 0.7}, 0.5, None, 0.0)
    master.add({0: 0.3, 1: 0.7}, 0.5, None, 0.0)
    master.flush()
    assert master.relaxed.m == 1
    master.add({0: 0.4, 1: 0.7}, 0.5, None, 0.0)
    master.flush()
    assert master.relaxed.m == 2
    master.add({0: 0.2, 1: 0.3}, 0.4, None, 0.0)
    master.add({0: 0.2, 1: 0.3}, 0.45, None, 0.0)
    master.flush()
    assert master.relaxed.m == 4


def test_a_number_the_reader_knows_is_shown_in_the_relaxation_and_in_branch_and_bound() -> None:
    """``show``: a number the reader already knows is never hidden, by the linear relaxation
    (rough rounds) nor by the integer program (exact rounds), even where hiding it is the
    cheapest way to meet a cut."""
    keys = [logical_key("T1", (f"c{i}", ALL)) for i in range(2)]
    master = _Master(keys, np.array([1.0, 2.0]), set())
    master.add({0: 1.0, 1: 1.0}, 1.0, None, 0.0)  # hide one of the two; number 0 is cheaper
    master.show(0)
    master.flush()
    for prog in (master.relaxed, master.prog):
        out = prog.minimize(master.objective)
        assert out.status == "optimal" and out.x is not None
        assert list(np.round(out.x)) == [0.0, 1.0]
    assert list(master.solve(rough=True)) == [0.0, 1.0]


def test_a_cut_that_asks_for_nothing_beyond_rounding_is_no_refusal() -> None:
    """A cut whose terms all vanish (at most 1e-9) asks for nothing when its right-hand side is
    within that tolerance too; with anything more left to meet, no pattern can meet it and the
    search refuses at once. A coefficient of 1e-9 is rounding noise, not a term."""
    from srojournal.reporting.errors import NoSuppression

    master = _Master(KEYS, np.ones(len(KEYS)), set())
    master.add({0: 1e-12}, 1e-9, None, 0.0)
    master.add({}, 0.0, None, 1e-9)
    master.flush()
    assert master.relaxed.m == 0
    with pytest.raises(NoSuppression):
        master.add({0: 1e-9}, 0.5, None, 0.0)


def test_cuts_that_differ_by_rounding_noise_are_one_row() -> None:
    """Cuts are compared to nine decimals: the same cut found twice with a difference below
    that (the duals of two solves) is one row of the master, in a coefficient or in its bound."""
    master = _Master(KEYS, np.ones(len(KEYS)), set())
    master.add({0: 0.3, 1: 0.7}, 0.5, None, 0.0)
    master.add({0: 0.3 + 4e-10, 1: 0.7}, 0.5, None, 0.0)
    master.add({0: 0.3, 1: 0.7}, 0.5 + 4e-10, None, 0.0)
    master.flush()
    assert master.relaxed.m == 1


def test_the_cuts_learnt_from_a_failing_pattern_keep_every_pattern_that_protects() -> None:
    """A cut must never rule out a pattern under which the reader cannot narrow the cell: the
    reader's bounds of both its maximum and its minimum are summed for each hidden number. Of
    random patterns that hide the rules' cells and more, each one that protects every target
    is still allowed by the cuts learnt from the rules' pattern alone."""
    from srojournal.reporting.suppression import _benders_cut

    c = _Cuts()
    y = c.pattern(set(c.rules.hidden))
    learnt = c.failing(y)
    for t in learnt:
        _benders_cut(c.master, c.system, t, y, c.conditions[t])
    rng = np.random.default_rng(7)
    protecting = 0
    for share in (0.1, 0.2, 0.3, 0.5):
        for _ in range(40):
            x = y.copy()
            x[rng.random(len(x)) < share] = 1.0
            if not set(learnt) & set(c.failing(x)):
                protecting += 1
                assert c.allowed(x)
    assert protecting >= 10
