"""The release gate (docs/summary-format.md): can any suppressed cell be narrowed down?

Model (see the summary format description for the reader's side):

* Every suppressed cell of every release of the month is an unknown non-negative integer. Zeros
  can be suppressed (the group-attribute rule hides whole rows, and a cell suppressed in an earlier
  release stays suppressed even if it drops to zero), so the lower bound is 0, not 1.
* Cells with the same logical key (same unit, scope and coordinates) are one unknown, so the
  category margins of T1 and T2 or T0 ``contacts`` and the grand totals are one number.
* Additive relations of each release: every margin equals the sum of its row or column, T5
  ``due`` = on time + late + open, T0 ``follow_ups_done`` = T5 on time + late. Inequalities that
  a reader can justify: the group activities of T6 of one category are at most that category's
  contacts, all group activities at most all contacts, and distinct students at most student
  contacts (T3 grand total).
* Releases of the same month are linked by monotonicity (a revision only adds late entries):
  every cell of release n+1 is at least the same cell of release n. This models differencing
  between releases. If the published cells show that a number went down (an entry was edited or
  deleted), a reader knows the assumption is false, and it is dropped — as it is when it is
  inconsistent with the published numbers.
* For each unknown we compute the exact integer minimum and maximum. Solver: SciPy's ``milp``,
  i.e. HiGHS, because it is already a dependency (no extra wheel to ship), is exact for integer
  programs, reports unboundedness and infeasibility cleanly, and solves these small problems in
  well under a millisecond. We solve the LP relaxation first and only fall back to the integer
  program when the LP optimum is fractional (an integral LP optimum is also the integer optimum).
  Most unknowns pass, so we first look for proof rather than for bounds: one integral point of
  minimum total, then a few LPs that push every unproven unknown up by ``MIN_WIDTH`` at once.
  An unknown for which two integral feasible points ``MIN_WIDTH`` apart are found has passed
  (exactly: the integer interval contains both); only the others get their own exact
  maximisation and minimisation. The interval reported for a proven unknown is the part that was
  proven, inside the exact one; for the others it is the exact integer interval. Independent
  components are solved separately, and component results are cached across the greedy
  suppression iterations.

The audit passes only if every unknown's interval is at least ``MIN_WIDTH`` wide (max − min ≥ 3,
or unbounded). A failure is a bug in suppression and raises :class:`AuditFailed`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from srojournal.domain.taxonomy import CATEGORIES

from .errors import AuditFailed, ReportRejected
from .model import STATUS_SUPPRESSED, Summary
from .render_json import parse_summary_json
from .tables import (
    ALL,
    GROUP_TYPES,
    TABLE_DIMENSIONS,
    TYPE_CATEGORY,
    LogicalKey,
    dimension_values,
    has_margin,
    logical_key,
)

MIN_WIDTH = 3
_EPS = 1e-6

Publication = dict[LogicalKey, int | None]
"""One release: every logical key with its published count, or None when suppressed."""


@dataclass(frozen=True, slots=True)
class Relation:
    """sum(coef * value) == 0 (``eq``) or <= 0 (``le``)."""

    terms: tuple[tuple[LogicalKey, int], ...]
    op: str


@dataclass(frozen=True, slots=True)
class Interval:
    low: float  # exact minimum, or a value above it when the width was proven by witnesses
    high: float  # exact maximum (inf when unbounded), or a value below it (proven by witnesses)

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass(slots=True)
class AuditReport:
    intervals: dict[tuple[int, LogicalKey], Interval] = field(default_factory=dict)
    monotone: bool = True
    lp_solves: int = 0
    milp_solves: int = 0

    def failing(self, min_width: int = MIN_WIDTH) -> list[tuple[int, LogicalKey]]:
        return [k for k, iv in self.intervals.items() if iv.width < min_width - _EPS]


def build_relations(layout: Iterable[tuple[str, tuple[str, ...]]]) -> list[Relation]:
    """Every additive relation that holds between cells of one month's catalogue.

    ``layout`` is the (table id, coordinates) of every cell; relations only use cells present.
    """
    present: dict[str, set[tuple[str, ...]]] = {}
    for tid, coords in layout:
        present.setdefault(tid, set()).add(coords)
    keys = {logical_key(t, c) for t, cs in present.items() for c in cs}
    schools = sorted({c[0] for c in present.get("T2", set()) if c[0] != ALL})
    seen: set[tuple[frozenset[tuple[LogicalKey, int]], str]] = set()
    out: list[Relation] = []

    def add(terms: dict[LogicalKey, int], op: str = "eq") -> None:
        terms = {k: v for k, v in terms.items() if v != 0}
        if not terms or any(k not in keys for k in terms):
            return
        sig = frozenset(terms.items())
        negated = frozenset((k, -v) for k, v in sig)
        if (sig, op) in seen or (op == "eq" and (negated, op) in seen):
            return
        seen.add((sig, op))
        out.append(Relation(tuple(sorted(terms.items())), op))

    for tid, cells in sorted(present.items()):
        dims = TABLE_DIMENSIONS[tid]
        for di, d in enumerate(dims):
            if not has_margin(tid, d):
                continue
            values = [v for v in dimension_values(tid, d, schools) if v != ALL]
            for coords in sorted(cells):
                if coords[di] != ALL:
                    continue
                terms: dict[LogicalKey, int] = {logical_key(tid, coords): 1}
                for v in values:
                    member = logical_key(tid, (*coords[:di], v, *coords[di + 1 :]))
                    terms[member] = terms.get(member, 0) - 1
                add(terms)
    t5 = {s: logical_key("T5", (s,)) for s in ("due", "done_on_time", "done_late", "open")}
    add({t5["due"]: 1, t5["done_on_time"]: -1, t5["done_late"]: -1, t5["open"]: -1})
    add({logical_key("T0", ("follow_ups_done",)): 1, t5["done_on_time"]: -1, t5["done_late"]: -1})
    for cat in CATEGORIES:
        ineq = {logical_key("T1", (cat, ALL)): -1}
        for t in GROUP_TYPES:
            if TYPE_CATEGORY[t] == cat:
                ineq[logical_key("T6", (t, "contacts"))] = 1
        if len(ineq) > 1:
            add(ineq, "le")
    add({logical_key("T6", (ALL, "contacts")): 1, logical_key("T0", ("contacts",)): -1}, "le")
    add({logical_key("T0", ("students",)): 1, logical_key("T3", (ALL, ALL)): -1}, "le")
    return out


def publication_of(summary: Summary) -> Publication:
    """The published value of every logical key; same-key cells must agree."""
    pub: Publication = {}
    for t in summary.tables:
        for c in t.cells:
            key = logical_key(t.id, c.coords)
            value = None if c.status == STATUS_SUPPRESSED else c.count
            if key in pub and pub[key] != value:
                if value is None or pub[key] is None:
                    # shown in one table, hidden in another: a reader knows it exactly
                    raise AuditFailed("a suppressed cell is shown in another table")
                raise AuditFailed("two cells of the same quantity disagree")
            pub[key] = value
    return pub


def layout_of(summary: Summary) -> list[tuple[str, tuple[str, ...]]]:
    return [(t.id, c.coords) for t in summary.tables for c in t.cells]


Var = tuple[int, LogicalKey]
_Row = tuple[tuple[tuple[Var, int], ...], str, int]  # terms, op, rhs  (sum terms op rhs)


class IntervalSolver:
    """Exact min/max of every unknown, per connected component, with a result cache."""

    def __init__(self) -> None:
        self._cache: dict[tuple[_Row, ...], dict[Var, Interval]] = {}
        self.lp_solves = 0
        self.milp_solves = 0

    def solve(
        self,
        pubs: Sequence[Publication],
        relations: Sequence[Sequence[Relation]],
        *,
        monotone: bool,
    ) -> dict[Var, Interval] | None:
        """Intervals of all unknowns, or None when the constraints are infeasible."""
        rows: list[_Row] = []
        unknowns: set[Var] = set()
        for r, (pub, rels) in enumerate(zip(pubs, relations, strict=True)):
            unknowns.update((r, k) for k, v in pub.items() if v is None)
            for rel in rels:
                row = _substitute(r, pub, rel.terms, rel.op)
                if row is None:
                    return None
                if row[0]:
                    rows.append(row)
        if monotone:
            for r in range(len(pubs) - 1):
                a, b = pubs[r], pubs[r + 1]
                for key in sorted(set(a) & set(b)):
                    terms: dict[Var, int] = {}
                    rhs = 0
                    for rr, sign in ((r, 1), (r + 1, -1)):  # x_r - x_{r+1} <= 0
                        v = pubs[rr][key]
                        if v is None:
                            terms[(rr, key)] = sign
                        else:
                            rhs -= sign * v
                    if not terms:
                        if rhs < 0:
                            return None
                        continue
                    rows.append((tuple(sorted(terms.items())), "le", rhs))
        result: dict[Var, Interval] = {}
        for comp_vars, comp_rows in _components(sorted(unknowns), rows):
            sig = tuple(sorted(comp_rows))
            if not comp_rows:
                for var in comp_vars:
                    result[var] = Interval(0.0, float("inf"))
                continue
            cached = self._cache.get(sig)
            if cached is None:
                cached = self._solve_component(comp_vars, sig)
                if cached is None:
                    return None
                self._cache[sig] = cached
            result.update(cached)
        return result

    def _solve_component(
        self, variables: list[Var], rows: tuple[_Row, ...]
    ) -> dict[Var, Interval] | None:
        index = {v: i for i, v in enumerate(variables)}
        n = len(variables)
        a = np.zeros((len(rows), n))
        lo = np.empty(len(rows))
        hi = np.empty(len(rows))
        for ri, (terms, op, rhs) in enumerate(rows):
            for v, coef in terms:
                a[ri, index[v]] = coef
            lo[ri] = rhs if op == "eq" else -np.inf
            hi[ri] = rhs
        cons = [LinearConstraint(csr_array(a), lo, hi)]  # sparse: half the per-solve overhead
        bounds = Bounds(np.zeros(n), np.full(n, np.inf))
        witnesses: list[np.ndarray] = []
        out: dict[Var, Interval] = {}

        def optimum(i: int, sign: float) -> float | None:
            c = np.zeros(n)
            c[i] = sign
            self.lp_solves += 1
            res = milp(c=c, constraints=cons, bounds=bounds, integrality=np.zeros(n))
            if res.status == 3:
                return float("inf")
            if res.status != 0:
                return None
            x = np.asarray(res.x)
            if np.all(np.abs(x - np.round(x)) < _EPS):
                witnesses.append(np.round(x))
                return float(round(res.fun * sign))
            self.milp_solves += 1
            res = milp(c=c, constraints=cons, bounds=bounds, integrality=np.ones(n))
            if res.status == 3:
                return float("inf")
            if res.status != 0:
                return None
            witnesses.append(np.round(np.asarray(res.x)))
            return float(round(res.fun * sign))

        def integral(x: np.ndarray) -> bool:
            return bool(np.all(np.abs(x - np.round(x)) < _EPS))

        # Witness batching. W0 = an integral point of minimum total; then, repeatedly, one LP
        # pushes every unproven unknown up towards W0 + MIN_WIDTH at once. Every unknown that
        # reaches it has two integral feasible points MIN_WIDTH apart: its width is proven.
        self.lp_solves += 1
        res = milp(c=np.ones(n), constraints=cons, bounds=bounds, integrality=np.zeros(n))
        if res.status != 0:
            if res.status == 2:
                return None
        elif integral(np.asarray(res.x)):
            base = np.round(np.asarray(res.x))
            witnesses.append(base)
            unproven = np.ones(n, dtype=bool)
            while unproven.any():
                caps = np.where(unproven, base + MIN_WIDTH, np.inf)
                self.lp_solves += 1
                res = milp(
                    c=-unproven.astype(float),
                    constraints=cons,
                    bounds=Bounds(np.zeros(n), caps),
                    integrality=np.zeros(n),
                )
                if res.status != 0 or not integral(np.asarray(res.x)):
                    break
                x = np.round(np.asarray(res.x))
                witnesses.append(x)
                reached = unproven & (x >= base + MIN_WIDTH - _EPS)
                if not reached.any():
                    break
                unproven &= ~reached

        for i, v in enumerate(variables):
            if len(witnesses) >= 2:
                seen = [w[i] for w in witnesses]
                if max(seen) - min(seen) >= MIN_WIDTH - _EPS:
                    # two integral feasible points already differ by >= MIN_WIDTH: proven
                    out[v] = Interval(float(min(seen)), float(max(seen)))
                    continue
            high = optimum(i, -1.0)
            if high is None:
                return None
            if high == float("inf"):
                out[v] = Interval(0.0, high)
                continue
            proven = [w[i] for w in witnesses if w[i] <= high - MIN_WIDTH + _EPS]
            if proven:
                out[v] = Interval(float(min(proven)), high)
                continue
            low = optimum(i, 1.0)
            if low is None:
                return None
            out[v] = Interval(low, high)
        return out


def _substitute(
    r: int, pub: Mapping[LogicalKey, int | None], terms: Sequence[tuple[LogicalKey, int]], op: str
) -> _Row | None:
    """Move published values to the right-hand side; None if a fully published row is violated."""
    var_terms: list[tuple[Var, int]] = []
    rhs = 0
    for key, coef in terms:
        v = pub.get(key)
        if v is None:
            var_terms.append(((r, key), coef))
        else:
            rhs -= coef * v
    if not var_terms and ((op == "eq" and rhs != 0) or (op == "le" and rhs < 0)):
        return None
    return (tuple(sorted(var_terms)), op, rhs)


def _components(variables: list[Var], rows: list[_Row]) -> list[tuple[list[Var], list[_Row]]]:
    parent = {v: v for v in variables}

    def find(v: Var) -> Var:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for terms, _, _ in rows:
        first = find(terms[0][0])
        for v, _ in terms[1:]:
            root = find(v)
            if root != first:
                parent[root] = first
    groups: dict[Var, list[Var]] = {}
    for v in variables:
        groups.setdefault(find(v), []).append(v)
    comp_rows: dict[Var, list[_Row]] = {}
    for row in rows:
        comp_rows.setdefault(find(row[0][0][0]), []).append(row)
    return [(vs, comp_rows.get(root, [])) for root, vs in groups.items()]


def monotone_plausible(pubs: Sequence[Publication]) -> bool:
    """False when published numbers already show a decrease between consecutive releases."""
    for a, b in itertools.pairwise(pubs):
        for key in set(a) & set(b):
            va, vb = a[key], b[key]
            if va is not None and vb is not None and vb < va:
                return False
    return True


def compute_intervals(
    summaries: Sequence[Summary], solver: IntervalSolver | None = None
) -> AuditReport:
    """Intervals of every suppressed cell of every given release of one month, jointly."""
    solver = solver or IntervalSolver()
    pubs = [publication_of(s) for s in summaries]
    rels = [build_relations(layout_of(s)) for s in summaries]
    return intervals_for(pubs, rels, solver)


def intervals_for(
    pubs: Sequence[Publication], rels: Sequence[Sequence[Relation]], solver: IntervalSolver
) -> AuditReport:
    monotone = monotone_plausible(pubs)
    result = solver.solve(pubs, rels, monotone=monotone) if monotone else None
    if result is None:
        monotone = False
        result = solver.solve(pubs, rels, monotone=False)
    if result is None:
        raise AuditFailed("the published numbers are inconsistent")
    return AuditReport(result, monotone, solver.lp_solves, solver.milp_solves)


def audit_release(content: bytes, earlier: Sequence[bytes]) -> AuditReport:
    """The gate: audit the rendered JSON of a release jointly with every earlier release.

    Reads everything from the bytes themselves. Raises AuditFailed if any suppressed cell of any
    release has a feasible interval narrower than ``MIN_WIDTH``.
    """
    try:
        current = parse_summary_json(content)
        previous = [parse_summary_json(c) for c in earlier]
    except ReportRejected as exc:
        raise AuditFailed("the summary does not read back") from exc
    previous.sort(key=lambda s: s.release)
    numbers = [s.release for s in previous] + [current.release]
    if numbers != list(range(1, len(numbers) + 1)):
        raise AuditFailed("release numbers are not consecutive")
    if any(s.period != current.period for s in previous):
        raise AuditFailed("releases of different months")
    report = compute_intervals([*previous, current])
    if report.failing():
        raise AuditFailed(f"{len(report.failing())} suppressed cell(s) can be narrowed down")
    return report
