"""Which cells of a release are hidden: the rules, then the fewest complements that protect them.

Primary suppression is :func:`.rules.primary` (small cells, few contacts behind a sensitive
cell, group attribute, no breakdown), plus stickiness (a cell hidden in an earlier release of the
period stays hidden) and, for a revision, every cell whose change a reader could read off and
that the rules protect.

Secondary suppression is an exact integer program in the style of Fischetti and Salazar's
optimal cell suppression (the method behind τ-ARGUS's "optimal" and sdcTable's ``OPT``):

* **Master problem.** One binary ``y`` per number of the release (cells with the same logical
  key are one number, hidden everywhere or nowhere). Cost, lexicographic: never T0 ``contacts``
  while avoidable, then the fewest hidden cells (a number shown in two tables counts twice), then
  the fewest contacts in hidden cells (the sum of their counts). Zeros may be hidden as
  complements: they cost a cell but no contacts. Its LP relaxation is solved first (an integral
  optimum is the integer optimum); branch and bound only when it is fractional.
* **Protection.** Each target of :mod:`.reader` (a hidden non-empty cell, a protected change, a
  group attribute) must keep a spread of ``MIN_WIDTH`` for the reader. The reader's linear
  program (:mod:`.proof`) is solved for the master's pattern; for every target it cannot
  protect, the duals of the reader's maximum and minimum (those of the proof itself) give a
  valid inequality over ``y`` (a Benders cut: the reader's bound is linear in the bounds, and
  each hidden number's bounds are linear in its ``y``), added to the master, which is solved
  again. It starts with the simplest cuts: a hidden non-empty number needs another hidden
  number in every relation it is in, and a number whose unknowns are exactly a target's must
  be hidden.
* **Exact check.** When the linear reader is beaten, the integer reader runs on the same
  program; a target it can still narrow (integer gaps) gets a cut requiring one more hidden
  number of its part.

The reader in the master is capped (every unknown at most ``CAP`` above its true value), which
makes it weaker only in ways that make the suppression hide more: every spread the capped
integer reader proves, the uncapped gate proves too. The gate re-audits the rendered bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from srojournal.domain.facts import MonthFacts
from srojournal.domain.periods import Period

from .errors import AuditFailed
from .lp import INF, FloatArray, Program
from .model import STATUS_OK, STATUS_SUPPRESSED, Cell, Summary, Table
from .proof import System
from .reader import Model, ReleaseView
from .relations import build_relations
from .rules import (
    DEFAULT_THRESHOLD,
    MIN_THRESHOLD,
    MIN_WIDTH,
    Primary,
    change_since,
    delta_sensitive,
    effective_threshold,
    primary,
)
from .tables import (
    ALL,
    LogicalKey,
    MonthTables,
    combine_months,
    logical_key,
    period_tables_of,
)

CAP = 4 * MIN_WIDTH
_MAX_ROUNDS = 80
_TOL = 1e-6
T0_CONTACTS = logical_key("T0", ("contacts",))


@dataclass(slots=True)
class Reasons:
    """Why cells are hidden, for the officer's preview (never rendered into an export)."""

    primary: Primary
    sticky: int = 0
    changed: int = 0
    secondary: int = 0
    why: dict[LogicalKey, str] = field(default_factory=dict)
    """Why each hidden key is hidden: a rule (see ``rules.RULE_REASONS``), ``sticky`` (hidden
    in an earlier release of the period), ``changed`` (would show what a revision changed) or
    ``complement`` (hidden so that hidden numbers cannot be worked out)."""


def period_tables(view: ReleaseView) -> MonthTables:
    months = view.period.months()
    return period_tables_of(view.period.text, [view.months[m] for m in months])


def _multiplicity(tables: MonthTables) -> dict[LogicalKey, int]:
    mult: dict[LogicalKey, int] = {}
    for cell in tables.cells():
        mult[cell.key] = mult.get(cell.key, 0) + 1
    return mult


class _Master:
    """min cost·y subject to the cuts found so far; y binary, forced ones fixed at 1.

    The linear relaxation is solved first: when its optimum is integral, it is the integer
    optimum. Otherwise HiGHS's branch and bound decides, without presolve and primal
    heuristics: on a program of a few hundred binaries their set-up costs more than the search.
    """

    def __init__(self, keys: list[LogicalKey], cost: FloatArray, forced: set[LogicalKey]) -> None:
        self.keys = keys
        self.index = {k: i for i, k in enumerate(keys)}
        lower = [1.0 if k in forced else 0.0 for k in keys]
        self.relaxed = Program(lower, [1.0] * len(keys), [])
        self.prog = Program(lower, [1.0] * len(keys), [], binary=True)
        for option, value in _MASTER_OPTIONS.items():
            self.prog.set_option(option, value)
        self.cost = cost
        self.cuts = 0

    def add(self, coefs: Mapping[int, float], rhs: float, cond: int | None, need: float) -> None:
        """sum(coef * y) - need * y[cond] >= rhs."""
        terms = dict(coefs)
        if cond is not None:
            terms[cond] = terms.get(cond, 0.0) - need
        else:
            rhs += need
        idx = [i for i, c in terms.items() if abs(c) > 1e-9]
        if not idx:
            if rhs > 1e-9:
                raise AuditFailed("the suppression problem has no solution")
            return
        self.relaxed.add_row(idx, [terms[i] for i in idx], rhs, INF)
        self.prog.add_row(idx, [terms[i] for i in idx], rhs, INF)
        self.cuts += 1

    def solve(self) -> FloatArray:
        out = self.relaxed.minimize(self.cost)
        if out.status == "optimal" and out.x is not None and out.integral():
            return np.round(out.x)
        out = self.prog.minimize(self.cost)
        if out.status != "optimal" or out.x is None:
            raise AuditFailed("the suppression problem has no solution")
        return np.round(out.x)


_MASTER_OPTIONS: dict[str, bool | float | str] = {
    "presolve": "off",
    "mip_heuristic_run_feasibility_jump": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_shifting": False,
    "mip_heuristic_run_zi_round": False,
}


def suppress_release(
    earlier: Sequence[ReleaseView], candidate: ReleaseView, k: int, release: int
) -> tuple[Summary, Reasons]:
    """Choose the hidden cells of ``candidate`` (its ``published`` is None) and return it."""
    k = effective_threshold(k)
    tables = period_tables(candidate)
    values = tables.values()
    rules = primary(tables, k)
    reasons = Reasons(rules, why=dict(rules.why))
    forced = set(rules.hidden)
    same = [v for v in earlier if v.period.text == candidate.period.text]
    for view in same:
        assert view.published is not None
        for key, value in view.published.items():
            if value is None and key in values and key not in forced:
                forced.add(key)
                reasons.why[key] = "sticky"
                reasons.sticky += 1
    if same:
        previous = same[-1]
        assert previous.published is not None
        change = change_since(period_tables_facts(previous), period_tables_facts(candidate))
        for key in delta_sensitive(change, k):
            if key in values and previous.published.get(key) is not None and key not in forced:
                forced.add(key)
                reasons.why[key] = "changed"
                reasons.changed += 1
    hidden = _secondary(earlier, candidate, k, tables, values, forced)
    reasons.secondary = len(hidden - forced)
    for key in hidden - forced:
        reasons.why[key] = "complement"
    summary = _summary(candidate.period, tables, hidden, k, release)
    return summary, reasons


def period_tables_facts(view: ReleaseView) -> MonthFacts:
    return combine_months(view.period.text, [view.months[m] for m in view.period.months()])


def _secondary(
    earlier: Sequence[ReleaseView],
    candidate: ReleaseView,
    k: int,
    tables: MonthTables,
    values: dict[LogicalKey, int],
    forced: set[LogicalKey],
) -> set[LogicalKey]:
    views = [*earlier, candidate]
    model = Model(views, k)
    r = len(views) - 1
    keys = list(values)
    mult = _multiplicity(tables)
    weight = float(sum(values.values()) + 1)
    cost = np.array([mult[key] * (weight + values[key]) for key in keys], dtype=np.float64)
    everything = float(cost.sum()) + 1.0
    for i, key in enumerate(keys):
        if key == T0_CONTACTS:
            cost[i] += everything
    master = _Master(keys, cost, forced)
    _cover_cuts(master, tables, values)

    published = [(i, v.published) for i, v in enumerate(earlier) if v.published is not None]
    system = System(model, published, float(CAP), [model.exprs[r][key] for key in keys])
    cond_index = {key: i for i, key in enumerate(keys)}
    conditions = [None if t.condition is None else cond_index[t.condition] for t in model.targets]
    for t, c in system.pinning():
        master.add({c: 1.0}, 0.0, conditions[t], 1.0)  # showing c would publish target t

    for _round in range(_MAX_ROUNDS):
        y = master.solve()
        hidden_idx = {i for i in range(len(keys)) if y[i] > 0.5}
        system.set_pattern(y)
        active = [t for t, c in enumerate(conditions) if c is None or c in hidden_idx]
        proof = system.prove(active, exact=False)
        if proof.failing:
            for t in proof.failing:
                _benders_cut(master, system, t, y, conditions[t])
            continue
        exact = system.prove(active, exact=True)
        if exact.failing:
            # Integer gaps: the linear reader is beaten, the integer one is not.
            for t in exact.failing:
                _no_good(master, y, system.candidates_of(t), conditions[t])
            continue
        # The integer reader above is capped, hence weaker than the gate's: every spread it
        # proves, the gate proves too. The gate still re-audits the rendered bytes.
        return {keys[i] for i in hidden_idx}
    raise AuditFailed("suppression did not converge")


def _cover_cuts(master: _Master, tables: MonthTables, values: Mapping[LogicalKey, int]) -> None:
    """A hidden non-empty number needs another hidden number in each of its equations."""
    layout = [(c.table_id, c.coords) for c in tables.cells()]
    for rel in build_relations(layout):
        if rel.op != "eq":
            continue
        members = [master.index[key] for key, _ in rel.terms if key in master.index]
        for key, _ in rel.terms:
            if values.get(key, 0) <= 0 or key not in master.index:
                continue
            s = master.index[key]
            master.add({i: 1.0 for i in members if i != s}, 0.0, s, 1.0)


def _benders_cut(master: _Master, system: System, t: int, y: FloatArray, cond: int | None) -> None:
    """The reader narrows target ``t``: the duals of its maximum and minimum say what to hide.

    Each dual gives a bound of the reader's optimum that is linear in which numbers are hidden
    and holds for every pattern; the target's spread is at most their sum, so the sum must
    reach the spread the target needs.
    """
    target = system.targets[t]
    bounds = system.dual_bounds(t)
    if bounds is None:
        _no_good(master, y, system.candidates_of(t), cond)
        return
    # max <= −g1 and min >= g2, so width <= −g1 − g2 (up: max <= −g1) must reach the need.
    coefs: dict[int, float] = {}
    const = 0.0
    for b in bounds:
        const -= b.const
        for i, coef in b.coefs.items():
            coefs[i] = coefs.get(i, 0.0) - coef
    need: float = target.need if target.kind == "width" else target.need - target.true
    rhs = -const - _TOL
    lhs = sum(c * y[i] for i, c in coefs.items())
    if lhs - (need * y[cond] if cond is not None else need) >= rhs:
        _no_good(master, y, system.candidates_of(t), cond)  # the cut would not move the master
        return
    master.add(coefs, rhs, cond, need)


def _no_good(master: _Master, y: FloatArray, members: Sequence[int], cond: int | None) -> None:
    """This pattern and every pattern hiding less fail: hide at least one more number.

    Only the numbers in the target's part of the reader's program can change its spread.
    """
    shown = [i for i in members if y[i] < 0.5]
    master.add({i: 1.0 for i in shown}, 0.0, cond, 1.0)


def _summary(
    period: Period, tables: MonthTables, hidden: set[LogicalKey], k: int, release: int
) -> Summary:
    out = tuple(
        Table(
            t.id,
            t.unit,
            t.dimensions,
            tuple(
                Cell(c.coords, None, STATUS_SUPPRESSED)
                if c.key in hidden
                else Cell(c.coords, c.count, STATUS_OK)
                for c in t.cells
            ),
        )
        for t in tables.tables
    )
    return Summary(period.text, k, release, out)


__all__ = [
    "ALL",
    "DEFAULT_THRESHOLD",
    "MIN_THRESHOLD",
    "Reasons",
    "effective_threshold",
    "suppress_release",
]


def suppress_facts(facts: MonthFacts, k: int = DEFAULT_THRESHOLD) -> Summary:
    """The first release of one month on its own (no earlier release): for tests and tools."""
    from srojournal.domain.periods import parse_period

    view = ReleaseView(parse_period(facts.period), 1, {facts.period: facts}, None)
    summary, _reasons = suppress_release([], view, k, 1)
    return summary
