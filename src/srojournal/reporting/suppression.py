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
  complements: they cost a cell but no contacts.
* **Protection.** Each target of :mod:`.reader` (a hidden non-empty cell, a protected change, a
  group attribute) must keep a spread of ``MIN_WIDTH`` for the reader. The reader's linear
  program is solved for the master's pattern; for every target it cannot protect, the dual of
  the reader's maximum and minimum gives a valid inequality over ``y`` (a Benders cut: the
  reader's bound is linear in the bounds, and each hidden number's bounds are linear in its
  ``y``), added to the master, which is solved again. It starts with the simplest of those
  cuts: a hidden non-empty number needs another hidden number in every relation it is in.
* **Exact check.** When the linear reader is beaten, the integer reader (the gate itself) runs;
  a target it can still narrow (integer gaps) gets a cut requiring one more hidden number.

The reader in the master is capped (every unknown at most ``CAP`` above its true value), which
makes it weaker only in ways that make the suppression hide more; the gate re-audits the rendered
bytes with the uncapped integer reader anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from srojournal.domain.facts import MonthFacts
from srojournal.domain.periods import Period

from .audit import attacker_program, audit_views
from .errors import AuditFailed
from .lp import INF, FloatArray, Program
from .model import STATUS_OK, STATUS_SUPPRESSED, Cell, Summary, Table
from .reader import Model, ReleaseView, prove
from .relations import build_relations
from .rules import (
    DEFAULT_THRESHOLD,
    MIN_THRESHOLD,
    MIN_WIDTH,
    Primary,
    change_between,
    delta_sensitive,
    effective_threshold,
    primary,
)
from .tables import ALL, LogicalKey, MonthTables, build_tables, combine_months, logical_key

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


def period_tables(view: ReleaseView) -> MonthTables:
    months = view.period.months()
    return build_tables(combine_months(view.period.text, [view.months[m] for m in months]))


def _multiplicity(tables: MonthTables) -> dict[LogicalKey, int]:
    mult: dict[LogicalKey, int] = {}
    for cell in tables.cells():
        mult[cell.key] = mult.get(cell.key, 0) + 1
    return mult


class _Master:
    """min cost·y subject to the cuts found so far; y binary, forced ones fixed at 1."""

    def __init__(self, keys: list[LogicalKey], cost: FloatArray, forced: set[LogicalKey]) -> None:
        self.keys = keys
        self.index = {k: i for i, k in enumerate(keys)}
        lower = [1.0 if k in forced else 0.0 for k in keys]
        self.prog = Program(lower, [1.0] * len(keys), [], binary=True)
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
            return
        self.prog.add_row(idx, [terms[i] for i in idx], rhs, INF)
        self.cuts += 1

    def solve(self) -> FloatArray:
        out = self.prog.minimize(self.cost)
        if out.status != "optimal" or out.x is None:
            raise AuditFailed("the suppression problem has no solution")
        return np.round(out.x)


def suppress_release(
    earlier: Sequence[ReleaseView], candidate: ReleaseView, k: int, release: int
) -> tuple[Summary, Reasons]:
    """Choose the hidden cells of ``candidate`` (its ``published`` is None) and return it."""
    k = effective_threshold(k)
    tables = period_tables(candidate)
    values = tables.values()
    rules = primary(tables, k)
    reasons = Reasons(rules)
    forced = set(rules.hidden)
    same = [v for v in earlier if v.period.text == candidate.period.text]
    for view in same:
        assert view.published is not None
        for key, value in view.published.items():
            if value is None and key in values and key not in forced:
                forced.add(key)
                reasons.sticky += 1
    if same:
        previous = same[-1]
        assert previous.published is not None
        change = change_between(period_tables_facts(previous), period_tables_facts(candidate))
        for key in delta_sensitive(change, k):
            if key in values and previous.published.get(key) is not None and key not in forced:
                forced.add(key)
                reasons.changed += 1
    hidden = _secondary(earlier, candidate, k, tables, values, forced)
    reasons.secondary = len(hidden - forced)
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
    prog, target_rows = attacker_program(model, published, float(CAP))
    lower_dev = model.lower_deviation()
    cand_rows: dict[int, tuple[int, float, float]] = {}  # key index -> row, room down, room up
    for i, key in enumerate(keys):
        terms = model.exprs[r][key]
        if not terms:
            continue
        down = sum(-lower_dev[a] * c if c > 0 else CAP * -c for a, c in terms)
        up = sum(CAP * c if c > 0 else -lower_dev[a] * -c for a, c in terms)
        row = prog.add_row([a for a, _ in terms], [float(c) for _, c in terms], 0.0, 0.0)
        cand_rows[i] = (row, float(down), float(up))
    cond_index = {key: i for i, key in enumerate(keys)}

    for _round in range(_MAX_ROUNDS):
        y = master.solve()
        for i, (row, down, up) in cand_rows.items():
            if y[i] > 0.5:
                prog.set_row_bounds(row, -down, up)
            else:
                prog.set_row_bounds(row, 0.0, 0.0)
        active = [
            t
            for t, target in enumerate(model.targets)
            if target.condition is None or y[cond_index[target.condition]] > 0.5
        ]
        proof = prove(prog, model.targets, active, target_rows, exact=False)
        if proof.failing:
            for t in proof.failing:
                _benders_cut(master, prog, model, t, y, cand_rows, cond_index)
            continue
        exact = prove(prog, model.targets, active, target_rows, exact=True)
        if exact.failing:
            # Integer gaps: the linear reader is beaten, the integer one is not.
            for t in exact.failing:
                _no_good(master, y, cand_rows, _condition(model, t, cond_index))
            continue
        hidden = {keys[i] for i in range(len(keys)) if y[i] > 0.5}
        pattern = {key: (None if key in hidden else values[key]) for key in keys}
        final = ReleaseView(candidate.period, candidate.number, candidate.months, pattern)
        audit_views([*earlier, final], k)
        return hidden
    raise AuditFailed("suppression did not converge")


def _condition(model: Model, t: int, cond_index: Mapping[LogicalKey, int]) -> int | None:
    cond = model.targets[t].condition
    return None if cond is None else cond_index[cond]


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


def _dual_bound(
    prog: Program,
    cost: FloatArray,
    cand_rows: Mapping[int, tuple[int, float, float]],
) -> tuple[float, dict[int, float]] | None:
    """min cost·w solved; return its dual bound as const + sum(coef * y) over the candidate."""
    out = prog.minimize(cost)
    if out.status != "optimal" or out.row_dual is None or out.col_dual is None:
        return None
    lower, upper, rlo, rhi = prog.col_lower, prog.col_upper, prog.row_lower, prog.row_upper
    rd = out.row_dual
    cd = out.col_dual
    by_row = {row: (i, down, up) for i, (row, down, up) in cand_rows.items()}
    const = 0.0
    coefs: dict[int, float] = {}
    for j in range(prog.n):
        d = cd[j]
        if abs(d) < 1e-9:
            continue
        bound = lower[j] if d > 0 else upper[j]
        const += d * bound
    for row in range(prog.m):
        d = rd[row]
        if abs(d) < 1e-9:
            continue
        cand = by_row.get(row)
        if cand is not None:
            i, down, up = cand
            coefs[i] = coefs.get(i, 0.0) + d * (-down if d > 0 else up)
            continue
        const += d * (rlo[row] if d > 0 else rhi[row])
    if not np.isfinite(const):
        return None
    return const, coefs


def _benders_cut(
    master: _Master,
    prog: Program,
    model: Model,
    t: int,
    y: FloatArray,
    cand_rows: Mapping[int, tuple[int, float, float]],
    cond_index: Mapping[LogicalKey, int],
) -> None:
    target = model.targets[t]
    n = prog.n
    up_cost = np.zeros(n)
    for a, c in target.terms:
        up_cost[a] -= c  # minimise −expr: its dual bound g1 gives max expr <= −g1
    parts = [_dual_bound(prog, up_cost, cand_rows)]
    if target.kind == "width":
        parts.append(_dual_bound(prog, -up_cost, cand_rows))  # min expr >= g2
    cond = _condition(model, t, cond_index)
    if any(p is None for p in parts):
        _no_good(master, y, cand_rows, cond)
        return
    # width <= −g1 − g2 (up: max <= −g1), so −g1 − g2 >= need is necessary.
    coefs: dict[int, float] = {}
    const = 0.0
    for p in parts:
        assert p is not None
        const -= p[0]
        for i, coef in p[1].items():
            coefs[i] = coefs.get(i, 0.0) - coef
    need: float = target.need if target.kind == "width" else target.need - target.true
    rhs = -const - _TOL
    lhs = sum(c * y[i] for i, c in coefs.items())
    if lhs - (need * y[cond] if cond is not None else need) >= rhs:
        _no_good(master, y, cand_rows, cond)  # the cut would not move the master: be blunt
        return
    master.add(coefs, rhs, cond, need)


def _no_good(
    master: _Master,
    y: FloatArray,
    cand_rows: Mapping[int, tuple[int, float, float]],
    cond: int | None,
) -> None:
    """This pattern and every pattern hiding less fail: hide at least one more number."""
    shown = [i for i in cand_rows if y[i] < 0.5]
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
