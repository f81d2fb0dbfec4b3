"""The exact proofs' reduction and their refusals of numbers that contradict the facts.

Before anything is solved, :mod:`srojournal.reporting.proof` folds fixed unknowns into the
reader's rows and turns a row with one unknown left into that unknown's bounds; a published
number that disagrees with the facts behind it is refused. These tests pin both.
"""

from __future__ import annotations

import numpy as np
import pytest

from srojournal.domain.periods import parse_period
from srojournal.reporting.errors import AuditFailed
from srojournal.reporting.proof import System, _reduce
from srojournal.reporting.reader import Model, ReleaseView
from srojournal.reporting.suppression import suppress_release
from srojournal.reporting.tables import build_tables, combine_months, logical_key

from .factories import FactsBuilder, random_facts

MONTHS = ("2026-01", "2026-02", "2026-03")


def _bounds(n: int, low: float = -10.0, high: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    return np.full(n, low), np.full(n, high)


@pytest.mark.parametrize(
    ("coef", "lo", "hi", "bounds"),
    [
        (2.0, 4.0, 6.0, (2.0, 3.0)),  # 4 <= 2x <= 6: x in [2, 3]
        (-2.0, 4.0, 6.0, (-3.0, -2.0)),  # 4 <= -2x <= 6: x in [-3, -2]
        (3.0, -7.0, 7.0, (-2.0, 2.0)),  # rounded inwards: x in [-7/3, 7/3] holds -2..2
        (-3.0, -7.0, 5.0, (-1.0, 2.0)),  # x in [-5/3, 7/3]
    ],
)
def test_a_row_of_one_unknown_becomes_its_bounds_divided_by_its_coefficient(
    coef: float, lo: float, hi: float, bounds: tuple[float, float]
) -> None:
    lower, upper = _bounds(1)
    assert _reduce([([0], [coef], lo, hi)], lower, upper) == []
    assert (lower[0], upper[0]) == bounds


def test_a_row_left_with_one_unknown_after_others_are_fixed_bounds_it() -> None:
    """x0 is fixed at 2; 4 <= 3*x0 - 2*x1 <= 8 leaves -1 <= x1 <= 1."""
    lower, upper = _bounds(2)
    lower[0] = upper[0] = 2.0
    assert _reduce([([0, 1], [3.0, -2.0], 4.0, 8.0)], lower, upper) == []
    assert (lower[1], upper[1]) == (-1.0, 1.0)


@pytest.mark.parametrize(
    "rows",
    [
        [([0], [2.0], 3.0, 3.0)],  # 2x = 3 has no integer solution
        [([0], [1.0], 20.0, 30.0)],  # outside the unknown's bounds
        [([0], [1.0], 1.0, 1.0), ([0], [1.0], 2.0, 2.0)],  # x = 1 and x = 2
    ],
)
def test_rows_no_integer_point_satisfies_are_refused_as_inconsistent(rows) -> None:
    lower, upper = _bounds(1)
    with pytest.raises(AuditFailed) as refused:
        _reduce(rows, lower, upper)
    assert str(refused.value) == str(AuditFailed("the published numbers are inconsistent"))


def _month(period: str) -> FactsBuilder:
    b = FactsBuilder(period)
    for s in range(1, 30):
        b.contact("mentoring", [s], outcome_group="resolved")
        b.contact("relationship", [100 + s], outcome_group="none")
    return b


MISMATCH = str(AuditFailed("a published number does not match the facts behind it"))


def test_a_published_cell_off_by_one_from_its_facts_is_refused() -> None:
    facts = _month("2026-03").build()
    published: dict = dict(build_tables(facts).values())
    key = next(k for k, v in published.items() if v)
    published[key] += 1
    view = ReleaseView(parse_period("2026-03"), 1, {"2026-03": facts}, published)
    with pytest.raises(AuditFailed) as refused:
        System(Model([view], 10), [(0, published)])
    assert str(refused.value) == MISMATCH


def test_a_published_quarter_cell_off_by_one_from_its_months_is_refused() -> None:
    """A quarter's cell is a sum of its months' unknowns: a row, not a fixed unknown."""
    months = {m: _month(m).build() for m in MONTHS}
    quarter = build_tables(combine_months("2026-Q1", list(months.values()))).values()
    published: dict = dict(quarter)
    key = next(k for k, v in published.items() if v)
    published[key] += 1
    view = ReleaseView(parse_period("2026-Q1"), 1, months, published)
    with pytest.raises(AuditFailed) as refused:
        System(Model([view], 10), [(0, published)])
    assert str(refused.value) == MISMATCH
    honest = ReleaseView(parse_period("2026-Q1"), 1, months, dict(quarter))
    System(Model([honest], 10), [(0, dict(quarter))])  # the true numbers pass


@pytest.mark.parametrize(("seed", "most"), [(9, 26), (24, 11), (3, 12), (11, 8)])
@pytest.mark.parametrize("exact", [True, False])
def test_a_proof_of_a_month_takes_no_more_solves_than_today(
    seed: int, most: int, exact: bool
) -> None:
    """The work of a proof is part of what it promises: the school year's releases are proven
    many times over, and each step that settles targets without a solve (points already seen,
    targets the truth settles, pushes capped at what they need) keeps that work small. A change
    that makes a month's proof solve more often fails here; one that solves less updates the
    number."""
    from .test_audit_mutants import _scattered_release

    view = _scattered_release(seed)
    model = Model([view], 10)
    system = System(model, [(0, view.published)])
    proof = system.prove(range(len(model.targets)), exact=exact)
    assert proof.complete and set(proof.intervals) == set(range(len(model.targets)))
    assert system.solves <= most


@pytest.mark.parametrize(("seed", "most"), [(1, 12), (2, 15), (4, 11)])
@pytest.mark.parametrize("exact", [False, True])
def test_the_suppressions_pattern_is_proven_capped_with_no_more_solves_than_today(
    seed: int, most: int, exact: bool
) -> None:
    """The suppression's reader (a cap on every unknown, the candidate's numbers pinned or
    freed by a pattern) proves the pattern the suppression chose: nothing fails, and the work
    stays where it is today (the caps and the pattern's bounds are what keep it small)."""
    facts = random_facts(seed, n_contacts=120)
    candidate = ReleaseView(parse_period(facts.period), 1, {facts.period: facts}, None)
    model = Model([candidate], 10)
    keys = list(model.values[0])
    released, _reasons = suppress_release([], candidate, 10, 1)
    hidden = {
        logical_key(t.id, c.coords) for t in released.tables for c in t.cells if c.status == "S"
    }
    y = np.array([1.0 if key in hidden else 0.0 for key in keys])
    conditions = [None if t.condition is None else keys.index(t.condition) for t in model.targets]
    active = [t for t, c in enumerate(conditions) if c is None or y[c] > 0.5]
    system = System(model, [], 12.0, [model.exprs[0][key] for key in keys])
    system.set_pattern(y)
    proof = system.prove(active, exact=exact)
    assert proof.complete and proof.failing == [] and len(active) > 50
    assert system.solves <= most
