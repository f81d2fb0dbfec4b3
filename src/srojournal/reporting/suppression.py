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
  be hidden. A number the reader knows already (from the releases before) is shown unless a
  rule hides it: hiding it would cost and protect nothing.
  A round cuts for at most ``_CUTS_PER_ROUND`` failing targets, drawn in a fixed pseudo-random
  order: the master moves about as far, for a fraction of the reader's programs. Cuts are
  tightened (a coefficient larger than what the rest can still miss counts only that) and a
  cut already in the master is not added again.
* **Rough rounds first.** While the master's linear relaxation has a fractional optimum, the
  first rounds test the pattern that hides every number the relaxation hides at all, instead
  of solving the integer master: any pattern's cuts are valid, and the relaxation costs a
  fraction of the branch and bound. Once such a pattern passes the linear reader, every
  later pattern is a least-cost one.
* **Exact check.** When the linear reader is beaten, the integer reader runs on the same
  program; a target it can still narrow (integer gaps) gets a cut requiring one more hidden
  number of its part.
* **Ties.** Several patterns often cost the same. Once one has passed, the master keeps to its
  cost and looks for the first pattern of that cost in a fixed order of the numbers (a hash of
  their codes), checking it the same way: the release does not depend on the order of the
  school list or on the path the search took.

The reader in the master is capped (every unknown at most ``CAP`` above its true value), which
makes it weaker only in ways that make the suppression hide more: every spread the capped
integer reader proves, the uncapped gate proves too. The gate re-audits the rendered bytes; the
points the reader found for the chosen pattern go with the release to the gate, which checks
each against its own system before it counts it (:meth:`.proof.System.seed`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from srojournal.domain.facts import MonthFacts
from srojournal.domain.periods import Period

from .errors import AuditFailed, NoSuppression
from .lp import INF, FloatArray, Program
from .model import STATUS_OK, STATUS_SUPPRESSED, Cell, Summary, Table
from .proof import System, Witnesses
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
_CUTS_PER_ROUND = 16
"""Failing targets that get a cut in one round: a sample of this size moves the master about
as far as all of them, at a fraction of the reader's programs."""
_TOL = 1e-6
T0_CONTACTS = logical_key("T0", ("contacts",))


@dataclass(slots=True)
class Reasons:
    """Why cells are hidden, for the officer's preview (never rendered into an export)."""

    primary: Primary
    sticky: int = 0
    changed: int = 0
    secondary: int = 0
    witnesses: Witnesses = field(default_factory=list)
    """Integral points of the reader's system for the chosen pattern (the gate checks them
    against its own system before it uses any)."""
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
    optimum. Otherwise HiGHS's branch and bound decides, without primal heuristics (and
    without presolve while the master is small): on a program of a few hundred binaries their
    set-up costs more than the search.

    Once a pattern of the least cost is found (:meth:`settle`), the master keeps to that cost
    (``levels``: the parts of the cost, each held at most at that pattern's) and minimises
    ``order`` instead: of several patterns of the same cost, the one first in a fixed order is
    the release, whatever path the search took to it.
    """

    def __init__(
        self,
        keys: list[LogicalKey],
        cost: FloatArray,
        forced: set[LogicalKey],
        levels: Sequence[FloatArray] = (),
        order: FloatArray | None = None,
    ) -> None:
        self.keys = keys
        self.index = {k: i for i, k in enumerate(keys)}
        lower = [1.0 if k in forced else 0.0 for k in keys]
        self.relaxed = Program(lower, [1.0] * len(keys), [])
        self.prog = Program(lower, [1.0] * len(keys), [], binary=True)
        for option, value in _MASTER_OPTIONS.items():
            self.prog.set_option(option, value)
        self.cost = cost
        self.objective = cost
        self.levels = list(levels)
        self.order = order
        self.settled = False
        self.cuts = 0
        self._seen: set[tuple[tuple[int, ...], tuple[float, ...], float]] = set()
        self._presolve = False
        self.exact = True
        self._pending: list[tuple[Sequence[int], Sequence[float], float, float]] = []

    def add(self, coefs: Mapping[int, float], rhs: float, cond: int | None, need: float) -> None:
        """sum(coef * y) - need * y[cond] >= rhs."""
        terms = dict(coefs)
        if cond is not None:
            terms[cond] = terms.get(cond, 0.0) - need
        else:
            rhs += need
        idx = sorted(i for i, c in terms.items() if abs(c) > 1e-9)
        if not idx:
            if rhs > 1e-9:
                raise NoSuppression()
            return
        # Coefficient tightening: with every negative term on, a positive term larger than what
        # is still missing counts only what is missing (the same binary solutions, a much
        # tighter linear relaxation).
        missing = rhs - sum(terms[i] for i in idx if terms[i] < 0)
        vals = [min(terms[i], missing) if terms[i] > 0 and missing > 0 else terms[i] for i in idx]
        sig = (tuple(idx), tuple(round(v, 9) for v in vals), round(rhs, 9))
        if sig in self._seen:
            return
        self._seen.add(sig)
        self._row(idx, vals, rhs, INF)
        self.cuts += 1

    def show(self, i: int) -> None:
        """Number ``i`` is shown in every pattern."""
        self.relaxed.set_col_bounds(i, 0.0, 0.0)
        self.prog.set_col_bounds(i, 0.0, 0.0)

    def _row(self, idx: Sequence[int], vals: Sequence[float], lower: float, upper: float) -> None:
        self._pending.append((idx, vals, lower, upper))  # added in one go before a solve

    def flush(self) -> None:
        """Hand the cuts found since the last solve to both programs."""
        if self._pending:
            self.relaxed.add_rows(self._pending)
            self.prog.add_rows(self._pending)
            self._pending = []

    def solve(self, rough: bool = False) -> FloatArray:
        """The least-cost pattern that satisfies every cut so far. ``rough``: when the linear
        relaxation's optimum is fractional, every number it hides at all (``exact`` False)."""
        self.flush()
        out = self.relaxed.minimize(self.objective)
        if out.status == "optimal" and out.x is not None and out.integral():
            self.exact = True
            return np.round(out.x)
        if rough and out.status == "optimal" and out.x is not None:
            self.exact = False
            return np.ceil(out.x - _TOL)
        self.exact = True
        if self.prog.m > _PRESOLVE_ROWS and not self._presolve:
            self._presolve = True
            self.prog.set_option("presolve", "on")
        out = self.prog.minimize(self.objective)
        if out.status != "optimal" or out.x is None:
            raise NoSuppression()
        return np.round(out.x)

    def settle(self, y: FloatArray) -> FloatArray:
        """``y`` passed and costs the least: keep to its cost from now on and minimise the
        order. Returns the first pattern of that cost in the order that the cuts so far allow
        (``y`` itself when it is that one)."""
        if self.order is None or self.settled:
            return y
        self.settled = True
        for level in self.levels:
            idx = [int(i) for i in np.flatnonzero(level)]
            if idx:
                self._row(idx, [float(level[i]) for i in idx], -INF, float(level @ y) + 0.5)
        self.objective = self.order
        return self.solve()


_PRESOLVE_ROWS = 400
"""Branch and bound starts with HiGHS's presolve once the master holds more cuts than this: on
the benchmark's school years that halves the large masters of quarters and years, and costs
more than it saves on smaller ones."""
_MASTER_OPTIONS: dict[str, bool | float | str] = {
    "presolve": "off",
    "mip_allow_restart": False,  # 14 % less time on the benchmark's masters
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
    hidden, reasons.witnesses = _secondary(earlier, candidate, k, tables, values, forced)
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
) -> tuple[set[LogicalKey], Witnesses]:
    views = [*earlier, candidate]
    model = Model(views, k)
    r = len(views) - 1
    keys = list(values)
    mult = _multiplicity(tables)
    # The cost, lexicographic: T0 contacts, then cells, then contacts in hidden cells.
    t0 = np.array([mult[key] if key == T0_CONTACTS else 0 for key in keys], dtype=np.float64)
    cells = np.array([mult[key] for key in keys], dtype=np.float64)
    contacts = np.array([mult[key] * values[key] for key in keys], dtype=np.float64)
    weight = float(sum(values.values()) + 1)
    cost = cells * weight + contacts
    everything = float(cost.sum()) + 1.0
    cost += t0 * everything
    order = np.array([_order_weight(key) for key in keys], dtype=np.float64)
    master = _Master(keys, cost, forced, (t0, cells, contacts), order)
    _cover_cuts(master, tables, values)

    published = [(i, v.published) for i, v in enumerate(earlier) if v.published is not None]
    system = System(model, published, float(CAP), [model.exprs[r][key] for key in keys])
    cond_index = {key: i for i, key in enumerate(keys)}
    conditions = [None if t.condition is None else cond_index[t.condition] for t in model.targets]
    for t, c in system.pinning():
        master.add({c: 1.0}, 0.0, conditions[t], 1.0)  # showing c would publish target t
    for c in system.known():
        if keys[c] not in forced:
            master.show(c)  # the reader knows it: hiding it would cost and protect nothing

    rough = True  # until a rough pattern passes the linear reader: see the module's notes
    y = master.solve(rough)
    passed: FloatArray | None = None  # the first pattern that passed: the least cost
    for _round in range(_MAX_ROUNDS):
        hidden_idx = {i for i in range(len(keys)) if y[i] > 0.5}
        system.set_pattern(y)
        active = [t for t, c in enumerate(conditions) if c is None or c in hidden_idx]
        proof = system.prove(active, exact=False, limit=_CUTS_PER_ROUND, seed=_round)
        if proof.failing:
            for t in proof.failing:
                _benders_cut(master, system, t, y, conditions[t])
            y = master.solve(rough)
            continue
        if not master.exact:
            rough = False  # from now on, only least-cost patterns
            y = master.solve()
            continue
        exact = system.prove(active, exact=True)
        if exact.failing:
            # Integer gaps: the linear reader is beaten, the integer one is not.
            for t in exact.failing:
                _no_good(master, y, system.candidates_of(t), conditions[t])
            y = master.solve()
            continue
        # The integer reader above is capped, hence weaker than the gate's: every spread it
        # proves, the gate proves too. The gate still re-audits the rendered bytes.
        if passed is None:
            passed = y
        first = master.settle(y)
        if np.array_equal(first, y):
            return {keys[i] for i in hidden_idx}, system.witnesses()
        y = first
    if passed is not None:
        # Out of rounds while looking for the first of the least-cost patterns in the order:
        # the one that passed costs as little and protects as well.
        system.set_pattern(passed)
        return {keys[i] for i in range(len(keys)) if passed[i] > 0.5}, system.witnesses()
    raise AuditFailed("suppression did not converge")


def _order_weight(key: LogicalKey) -> int:
    """A fixed weight per number, for choosing among patterns of the same cost: a hash of its
    key, so that no two choices weigh the same by the shape of the tables."""
    digest = hashlib.blake2b(repr(key).encode("utf-8"), digest_size=4).digest()
    return 1 + int.from_bytes(digest, "big") % (1 << 20)


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
