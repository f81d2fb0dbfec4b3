"""Can the reader narrow a number down? Exact proofs over the reader's program, in parts.

The reader's system (:mod:`.reader`) has one integer unknown per atom, written as its deviation
from the true value, so the truth is the point 0. Before anything is solved, the system is
reduced and split — an exact transformation, nothing is relaxed:

* an atom pinned by a published cell is fixed; a relation with a single unknown left becomes a
  bound of that unknown (rounded inwards: the unknowns are integers), which may pin it too;
* the unknowns left fall into **independent parts**: connected through a relation, a number of
  the candidate release, or a target. Each part is its own small linear program (with an
  integer twin, built when first needed, so that switching between the two never throws away
  the linear program's basis), and a target only ever meets the part it lives in.

A target is proven from **points**: every solution found is a point of the reader's system, and
points are kept. A point found for one pattern of the candidate release stays valid for another
as long as every number it moves is still hidden, so the rounds of the suppression rarely solve
anything twice. Batches of linear programs push all unproven targets of a part away from the
points seen at once (each capped at the distance it needs); what is left gets its own maximum
and minimum.

``exact`` proofs (the gate) accept only integral points: a fractional optimum is replaced by
the integer program's, so two points ``MIN_WIDTH`` apart prove a spread exactly; a target that
no points prove is decided by its exact integer minimum and maximum. Linear proofs (the
suppression's first check) accept the linear program's points and bounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from .errors import AuditFailed
from .lp import INF, FloatArray, Outcome, Program
from .reader import Interval, Model, Target, Terms
from .tables import LogicalKey

_EPS: Final = 1e-6
_ROUNDS: Final = 12
_PUSH_MIN: Final = 8
"""A batch that settles fewer targets than this ends the push in its direction: a batch is a
dual simplex after many bounds moved (about three times a target's own program)."""
_PIN_MAX: Final = 40
"""Candidates with more unknowns than this are left to the Benders cuts (cost, not truth)."""
_KEEP: Final = 512
"""Points kept per part and kind (the most recent)."""

Row = tuple[list[int], list[float], float, float]
Published = Sequence[tuple[int, Mapping[LogicalKey, int | None]]]
Witnesses = list[tuple[tuple[int, ...], FloatArray]]
"""Points of a reader's system: (atoms, points), each row of ``points`` a value per atom."""


@dataclass(slots=True)
class Proof:
    """What was established about each target: an interval (exact, or the proven part of it)."""

    intervals: dict[int, Interval] = field(default_factory=dict)
    failing: list[int] = field(default_factory=list)
    complete: bool = True
    """False when the proof stopped at its limit of failures: ``undecided`` were not decided."""
    undecided: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DualBound:
    """A bound of the reader's optimum that holds for every pattern of the candidate:
    ``const + sum(coefs[c] * hidden[c])`` (the dual of one linear program, with the bounds of
    each candidate number's row written as a function of whether it is hidden)."""

    const: float
    coefs: dict[int, float]


class _Rows:
    """Sparse rows over a part's unknowns (each with at least one term), multiplied without
    BLAS: the expressions are a few terms each, and a dense product of a school year's part
    costs hundreds of times more (and spins BLAS threads on a busy machine)."""

    def __init__(self, rows: Sequence[tuple[Sequence[int], Sequence[float]]], n: int) -> None:
        sizes = [len(idx) for idx, _ in rows]
        if any(size == 0 for size in sizes):
            raise ValueError("a row without terms")
        self.m, self.n = len(rows), n
        self.starts = np.cumsum([0, *sizes])[:-1].astype(np.intp)
        self.index = np.array([i for idx, _ in rows for i in idx], dtype=np.intp)
        self.value = np.array([v for _, val in rows for v in val], dtype=np.float64)

    def dot(self, x: FloatArray) -> FloatArray:
        """Every row at one point (``x``: n values) or at several (``x``: n × k)."""
        if not self.m:
            return np.zeros((0, *x.shape[1:]))
        terms = x[self.index] * (self.value if x.ndim == 1 else self.value[:, None])
        out: FloatArray = np.add.reduceat(terms, self.starts, axis=0)
        return out


class _Seen:
    """The deviations of a batch of targets seen at points so far (the truth is 0).

    ``vecs`` are the targets' expressions, ``rows`` their rows among the part's targets:
    points are taken as the values of every target of the part at them (the part computes
    those once per point)."""

    def __init__(
        self, vecs: Sequence[FloatArray], rows: npt.NDArray[np.intp], targets: Sequence[Target]
    ) -> None:
        self.vecs = vecs
        self.rows = rows
        self.true = np.array([t.true for t in targets], dtype=np.float64)
        self.need = np.array([t.need for t in targets], dtype=np.float64)
        self.up = np.array([t.kind == "up" for t in targets], dtype=bool)
        self.lo = np.zeros(len(targets))
        self.hi = np.zeros(len(targets))

    def vec(self, i: int) -> FloatArray:
        """Target i's expression over the part's unknowns."""
        return self.vecs[i]

    def total(self, todo: Sequence[int]) -> FloatArray:
        """The sum of these targets' expressions."""
        total: FloatArray = np.sum([self.vecs[i] for i in todo], axis=0)
        return total

    def point(self, values: FloatArray) -> bool:
        """Take a point (every target of the part at it); True when it widened anything."""
        mine = values[self.rows]
        return self._take(mine, mine)

    def points(self, values: FloatArray) -> None:
        """Take several points (one column of target values each)."""
        mine = values[self.rows]
        self._take(mine.max(axis=1), mine.min(axis=1))

    def _take(self, high: FloatArray, low: FloatArray) -> bool:
        wider = bool((high > self.hi + _EPS).any() or (low < self.lo - _EPS).any())
        np.maximum(self.hi, high, out=self.hi)
        np.minimum(self.lo, low, out=self.lo)
        return wider

    def done(self) -> npt.NDArray[np.bool_]:
        reached = self.true + self.hi >= self.need - _EPS
        spread = self.hi - self.lo >= self.need - _EPS
        return np.where(self.up, reached, spread)

    def settled(self, i: int) -> bool:
        if self.up[i]:
            return bool(self.true[i] + self.hi[i] >= self.need[i] - _EPS)
        return bool(self.hi[i] - self.lo[i] >= self.need[i] - _EPS)

    def todo(self, direction: float) -> npt.NDArray[np.bool_]:
        """Unproven targets worth pushing in this direction ("up" targets only go up)."""
        return ~self.done() & ((direction > 0) | ~self.up)

    def cap(self, i: int, direction: float) -> tuple[float, float]:
        """Row bounds that stop a push of target i where it has what it needs."""
        if self.up[i]:
            return -INF, float(self.need[i] - self.true[i])
        if direction > 0:
            return -INF, float(self.lo[i] + self.need[i])
        return float(self.hi[i] - self.need[i]), INF


class _Part:
    """One independent part of the reader's program."""

    def __init__(
        self,
        atoms: list[int],
        lower: FloatArray,
        upper: FloatArray,
        rows: Sequence[Row],
        candidates: Sequence[tuple[int, Terms]],
        targets: Sequence[tuple[int, Terms]],
    ) -> None:
        self.atoms = atoms
        local = {a: i for i, a in enumerate(atoms)}
        n = self.n = len(atoms)
        lo = lower[atoms]
        hi = upper[atoms]
        spec: list[Row] = [([local[a] for a in idx], val, rlo, rhi) for idx, val, rlo, rhi in rows]
        # Each candidate number's row: [0, 0] while shown, its natural range while hidden.
        self.cand_rows: dict[int, int] = {}
        self.cand_range: dict[int, tuple[float, float]] = {}
        cand_spec: list[tuple[list[int], list[float]]] = []
        self.cand_ids: list[int] = []
        for c, terms in candidates:
            idx = [local[a] for a, _ in terms]
            val = [float(v) for _, v in terms]
            down = sum(-lo[i] * v if v > 0 else hi[i] * -v for i, v in zip(idx, val, strict=True))
            up = sum(hi[i] * v if v > 0 else -lo[i] * -v for i, v in zip(idx, val, strict=True))
            self.cand_rows[c] = len(spec)
            self.cand_range[c] = (-float(down), float(up))
            self.cand_ids.append(c)
            cand_spec.append((idx, val))
            spec.append((idx, val, -float(down), float(up)))
        self.cand_matrix = _Rows(cand_spec, n)
        self.cand_lo = np.array([self.cand_range[c][0] for c in self.cand_ids])
        self.cand_hi = np.array([self.cand_range[c][1] for c in self.cand_ids])
        self.cand_of_row = {row: c for c, row in self.cand_rows.items()}
        # The dual bounds of the last linear maximum and minimum of each target (see dual_bounds)
        self.duals: dict[tuple[int, int], DualBound | None] = {}
        # A target is capped during a push (see push): a target of one unknown through that
        # unknown's bounds, any other through a row of its own (free the rest of the time).
        # Rows that are free nearly always still cost every solve, and most targets are one
        # hidden cell of one month: one unknown.
        self.target_rows: dict[int, int] = {}
        self.target_col: dict[int, tuple[int, float]] = {}
        self.target_vec: dict[int, FloatArray] = {}
        for t, terms in targets:
            vec = np.zeros(n)
            idx = [local[a] for a, _ in terms]
            val = [float(v) for _, v in terms]
            vec[idx] = val
            self.target_vec[t] = vec
            if len(idx) == 1:
                self.target_col[t] = (idx[0], val[0])
                continue
            self.target_rows[t] = len(spec)
            spec.append((idx, val, -INF, INF))
        self.lp = Program(list(lo), list(hi), spec)
        self.col_lo, self.col_hi = lo.copy(), hi.copy()
        # Every target's expression, one row each, and its value at every point kept.
        self.target_pos = {t: i for i, (t, _terms) in enumerate(targets)}
        self.target_matrix = _Rows(
            [([local[a] for a, _ in terms], [float(v) for _, v in terms]) for _t, terms in targets],
            n,
        )
        self._values = np.zeros((len(targets), _KEEP))
        self._last = 0  # the slot of the point found last
        self.mip: Program | None = None
        self.last: Outcome = Outcome("infeasible")
        # Points of the system found so far (a ring of the most recent), and which of them are
        # points for the current pattern.
        self._buf = np.zeros((_KEEP, n))
        self._integral = np.zeros(_KEEP, dtype=bool)
        self._valid = np.zeros(_KEEP, dtype=bool)
        self._count = 0
        self._next = 0

    # -- the program ----------------------------------------------------------------------------
    def set_row(self, row: int, lower: float, upper: float) -> None:
        self.lp.set_row_bounds(row, lower, upper)
        if self.mip is not None:
            self.mip.set_row_bounds(row, lower, upper)

    def _cap(self, caps: Mapping[int, tuple[float, float]]) -> list[int]:
        """Cap targets (target -> bounds of its expression) for one push; returns the columns
        whose bounds were changed (see :meth:`_uncap`)."""
        cols: dict[int, tuple[float, float]] = {}
        for t, (low, high) in caps.items():
            row = self.target_rows.get(t)
            if row is not None:
                self.set_row(row, low, high)
                continue
            j, coef = self.target_col[t]
            lo, hi = (low / coef, high / coef) if coef > 0 else (high / coef, low / coef)
            was = cols.get(j, (float(self.lp.col_lower[j]), float(self.lp.col_upper[j])))
            cols[j] = (max(was[0], lo), min(was[1], hi))
        changed = list(cols)
        if changed:
            lows = np.array([cols[j][0] for j in changed])
            highs = np.array([cols[j][1] for j in changed])
            self.lp.set_cols_bounds(changed, lows, highs)
            if self.mip is not None:
                self.mip.set_cols_bounds(changed, lows, highs)
        return changed

    def _uncap(self, targets: Iterable[int], cols: list[int]) -> None:
        for t in targets:
            row = self.target_rows.get(t)
            if row is not None:
                self.set_row(row, -INF, INF)
        if cols:
            self.lp.set_cols_bounds(cols, self.col_lo[cols], self.col_hi[cols])
            if self.mip is not None:
                self.mip.set_cols_bounds(cols, self.col_lo[cols], self.col_hi[cols])

    def set_pattern(self, hidden: FloatArray) -> None:
        """How hidden each candidate number is: 1 hidden, 0 shown (a fraction scales its row's
        range, for the linear relaxation of the choice)."""
        changed = False
        for j, c in enumerate(self.cand_ids):
            h = float(hidden[c])
            low, high = self.cand_range[c]
            lo, hi = (0.0, 0.0) if h <= _EPS else (low * h, high * h)
            if lo != self.cand_lo[j] or hi != self.cand_hi[j]:
                changed = True
                self.cand_lo[j], self.cand_hi[j] = lo, hi
                self.set_row(self.cand_rows[c], lo, hi)
        if changed and self._count:
            # Which kept points are still points of the system (every number they move is
            # hidden enough)?
            v = self.cand_matrix.dot(self._buf[: self._count].T)
            ok = (v >= self.cand_lo[:, None] - _EPS) & (v <= self.cand_hi[:, None] + _EPS)
            self._valid[: self._count] = ok.all(axis=0)

    def solve(self, cost: FloatArray, exact: bool) -> tuple[str, FloatArray | None]:
        """Minimise; in exact mode the answer is an integral point (or none)."""
        out = self.last = self.lp.minimize(cost)
        if out.status != "optimal" or out.x is None:
            return out.status, None
        if out.integral():
            x = np.round(out.x)
            self._keep(x, True)
            return "optimal", x
        self._keep(out.x, False)
        if not exact:
            return "optimal", out.x
        if self.mip is None:
            self.mip = self.lp.clone(integer=True)
        out = self.mip.minimize(cost)
        if out.status != "optimal" or out.x is None:
            return out.status, None
        x = np.round(out.x)
        self._keep(x, True)
        return "optimal", x

    def _keep(self, x: FloatArray, integral: bool) -> None:
        """Keep a point (found for the current pattern, so valid for it) in the ring."""
        slot = self._last = self._next
        self._buf[slot] = x
        self._values[:, slot] = self.target_matrix.dot(x)
        self._integral[slot] = integral
        self._valid[slot] = True
        self._next = (slot + 1) % _KEEP
        self._count = min(self._count + 1, _KEEP)

    def witnesses(self) -> FloatArray | None:
        """The integral points kept that are points of the system for the current pattern."""
        return self.valid_points(True)

    def seed(self, atoms: Mapping[int, int], points: FloatArray) -> int:
        """Keep the given points (rows, over the atoms of ``atoms``: atom -> column) that are
        integral points of this part's program, checked row by row; returns how many.

        Nothing is taken on trust: a point is kept only if it is integral and, rounded, within
        every bound and satisfying every row, which makes it a witness of what the reader cannot
        exclude.
        """
        cols = [atoms.get(a, -1) for a in self.atoms]
        if not len(points) or min(cols) < 0:
            return 0
        raw = points[:, cols]
        pts = np.round(raw)
        lp = self.lp
        ok = np.all(np.abs(raw - pts) <= _EPS, axis=1)
        ok &= np.all((pts >= lp.col_lower - _EPS) & (pts <= lp.col_upper + _EPS), axis=1)
        if lp.m and ok.any():
            act = lp.row_activity(pts)
            within = (act >= lp.row_lower[:, None] - _EPS) & (act <= lp.row_upper[:, None] + _EPS)
            ok &= within.all(axis=0)
        kept = pts[ok]
        for x in kept[-_KEEP:]:
            self._keep(x, True)
        return len(kept)

    def _valid_slots(self, exact: bool) -> npt.NDArray[np.intp]:
        n = self._count
        mask = self._valid[:n] & self._integral[:n] if exact else self._valid[:n]
        return np.flatnonzero(mask)

    def valid_points(self, exact: bool) -> FloatArray | None:
        """The points kept that are points of the system for the current pattern."""
        slots = self._valid_slots(exact)
        return self._buf[slots] if len(slots) else None

    # -- proofs ---------------------------------------------------------------------------------
    def push(self, ids: Sequence[int], targets: Sequence[Target], exact: bool) -> _Seen:
        """What the kept points and a few batches of linear programs show about these targets:
        every unproven one pushed away from what was seen, capped at the distance it needs."""
        rows = np.array([self.target_pos[t] for t in ids], dtype=np.intp)
        seen = _Seen([self.target_vec[t] for t in ids], rows, [targets[t] for t in ids])
        slots = self._valid_slots(exact)
        if len(slots):
            seen.points(self._values[:, slots])
        for direction in (1.0, -1.0):
            for _round in range(_ROUNDS):
                todo = [int(i) for i in np.flatnonzero(seen.todo(direction))]
                if not todo:
                    break
                cols = self._cap({ids[i]: seen.cap(i, direction) for i in todo})
                _status, x = self.solve(-direction * seen.total(todo), exact)
                self._uncap((ids[i] for i in todo), cols)
                if x is None or not seen.point(self._values[:, self._last]):
                    break
                if len(todo) - int(np.count_nonzero(seen.todo(direction))) < _PUSH_MIN:
                    break  # the rest are few or stuck: their own programs are cheaper
        return seen

    def decide(
        self, seen: _Seen, i: int, t: int, target: Target, exact: bool, proof: Proof
    ) -> None:
        """Target ``t`` (row ``i`` of ``seen``), unsettled by the points: its own maximum (and
        minimum)."""
        vec = seen.vec(i)
        high = self._extreme(vec, exact, seen)
        if not exact:
            self.duals[(t, 1)] = self._dual_of(self.last)
        if target.kind == "up":
            if target.true + high < target.need - _EPS:
                proof.failing.append(t)
            proof.intervals[t] = Interval(target.true + seen.lo[i], target.true + high)
            return
        if high - seen.lo[i] >= target.need - _EPS:
            return
        low = -self._extreme(-vec, exact, seen)
        if not exact:
            self.duals[(t, -1)] = self._dual_of(self.last)
        proof.intervals[t] = Interval(target.true + low, target.true + high)
        if high - low < target.need - _EPS:
            proof.failing.append(t)

    def _extreme(self, vec: FloatArray, exact: bool, seen: _Seen) -> float:
        """The largest deviation of ``vec · x`` (exact: over integral points); inf if unbounded."""
        status, x = self.solve(-vec, exact)
        if status == "unbounded":
            return INF
        if x is None:
            raise AuditFailed("the published numbers are inconsistent")
        seen.point(self._values[:, self._last])
        return float(vec @ x)

    def dual_bound(self, cost: FloatArray) -> DualBound | None:
        """Solve min cost·x and write its dual bound as a function of the hidden numbers."""
        return self._dual_of(self.lp.minimize(cost))

    def _dual_of(self, out: Outcome) -> DualBound | None:
        if out.status != "optimal" or out.row_dual is None or out.col_dual is None:
            return None
        prog = self.lp
        cd = out.col_dual
        rd = out.row_dual
        const = 0.0
        use = np.abs(cd) > 1e-9
        if use.any():
            bound = np.where(cd > 0, prog.col_lower, prog.col_upper)[use]
            if not np.all(np.isfinite(bound)):
                return None
            const += float(cd[use] @ bound)
        coefs: dict[int, float] = {}
        for row in np.flatnonzero(np.abs(rd) > 1e-9):
            d = float(rd[row])
            c = self.cand_of_row.get(int(row))
            if c is not None:
                low, high = self.cand_range[c]
                coefs[c] = coefs.get(c, 0.0) + d * (low if d > 0 else high)
                continue
            b = prog.row_lower[row] if d > 0 else prog.row_upper[row]
            if not np.isfinite(b):
                return None
            const += d * float(b)
        return DualBound(const, coefs)


class System:
    """The reader's program over a model's atoms, reduced, split into parts, ready to prove.

    ``published`` fixes what earlier releases (and, for the gate, the new one) show.
    ``candidates`` are the numbers of a release whose hidden cells are still being chosen: each
    gets a row that :meth:`set_pattern` pins (shown) or frees (hidden). ``cap`` bounds every
    unknown's upward deviation (``INF`` for the gate; a finite cap makes the reader weaker).
    """

    def __init__(
        self,
        model: Model,
        published: Published,
        cap: float = INF,
        candidates: Sequence[Terms] = (),
    ) -> None:
        self.targets = model.targets
        n = len(model.true)
        lower = model.lower_deviation()
        upper = np.full(n, cap)
        rows: list[Row] = model.row_specs()
        for r, pub in published:
            fixed, extra = model.published_rows(r, pub)
            for atom, dev in fixed.items():
                if dev != 0:
                    raise AuditFailed("a published number does not match the facts behind it")
                lower[atom] = upper[atom] = 0.0
            for spec in extra:
                if spec[2] != 0:
                    raise AuditFailed("a published number does not match the facts behind it")
                rows.append(spec)
        rows = _reduce(rows, lower, upper)
        free = lower < upper
        self.lower, self.upper, self.free = lower, upper, free
        self._equalities = [(idx, val) for idx, val, lo, hi in rows if lo == hi]

        # Parts: unknowns connected by a row, a candidate's number or a target.
        parent = list(range(n))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def join(atoms: Iterable[int]) -> None:
            first = -1
            for x in atoms:
                if not free[x]:
                    continue
                if first < 0:
                    first = find(x)
                    continue
                rx = find(x)
                if rx != first:
                    parent[rx] = first

        for idx, _val, _lo, _hi in rows:
            join(idx)
        cand_terms = [tuple((a, c) for a, c in terms if free[a]) for terms in candidates]
        self.cand_terms = cand_terms
        for terms in cand_terms:
            join(a for a, _ in terms)
        target_terms = [tuple((a, c) for a, c in t.terms if free[a]) for t in self.targets]
        self.target_terms = target_terms
        for terms in target_terms:
            join(a for a, _ in terms)

        groups: dict[int, list[int]] = {}
        for x in range(n):
            if free[x]:
                groups.setdefault(find(x), []).append(x)
        roots = list(groups)  # in order of their first unknown
        part_of_root = {root: i for i, root in enumerate(roots)}
        rows_of: list[list[Row]] = [[] for _ in part_of_root]
        for spec in rows:
            if spec[0]:
                rows_of[part_of_root[find(spec[0][0])]].append(spec)
        cands_of: list[list[tuple[int, Terms]]] = [[] for _ in part_of_root]
        for c, terms in enumerate(cand_terms):
            if terms:
                cands_of[part_of_root[find(terms[0][0])]].append((c, terms))
        targets_of: list[list[tuple[int, Terms]]] = [[] for _ in part_of_root]
        self.part_of_target: dict[int, int] = {}
        for t, terms in enumerate(target_terms):
            if terms:
                p = part_of_root[find(terms[0][0])]
                targets_of[p].append((t, terms))
                self.part_of_target[t] = p
        self.parts = [
            _Part(groups[root], lower, upper, rows_of[i], cands_of[i], targets_of[i])
            for i, root in enumerate(roots)
        ]
        self._pins: tuple[list[tuple[int, int]], list[int]] | None = None

    @property
    def solves(self) -> int:
        return sum(p.lp.solves + (p.mip.solves if p.mip else 0) for p in self.parts)

    def set_pattern(self, hidden: FloatArray) -> None:
        """How hidden each candidate number is (by index into ``candidates``): 1 or 0, or a
        fraction for the linear relaxation of the choice."""
        for part in self.parts:
            part.set_pattern(hidden)

    def prove(
        self, active: Iterable[int], *, exact: bool, limit: int | None = None, seed: int = 0
    ) -> Proof:
        """Prove every active target, or show which fail.

        With a ``limit``, stop once that many targets are shown to fail (``complete`` is then
        False): the targets left to their own programs are taken in an order drawn from
        ``seed``, so that the failures found are a sample of all of them.
        """
        proof = Proof()
        by_part: dict[int, list[int]] = {}
        for t in active:
            p = self.part_of_target.get(t)
            if p is None:  # nothing about it is unknown: the reader knows it
                target = self.targets[t]
                true = float(target.true)
                proof.intervals[t] = Interval(true, true)
                if target.kind == "width" or true < target.need - _EPS:
                    proof.failing.append(t)
                continue
            by_part.setdefault(p, []).append(t)
        pushed: list[tuple[_Part, list[int], _Seen]] = []
        left: list[tuple[int, int]] = []
        for p, ids in sorted(by_part.items()):
            part = self.parts[p]
            seen = part.push(ids, self.targets, exact)
            pushed.append((part, ids, seen))
            left.extend((len(pushed) - 1, i) for i in range(len(ids)) if not seen.settled(i))
        if limit is not None and len(left) > limit:
            left = [left[j] for j in np.random.default_rng(seed).permutation(len(left))]
        for n, (k, i) in enumerate(left):
            if limit is not None and len(proof.failing) >= limit:
                proof.complete = False
                for k2, i2 in left[n:]:
                    part, ids, seen = pushed[k2]
                    proof.undecided.append(ids[i2])
                break
            part, ids, seen = pushed[k]
            if seen.settled(i):  # a point found since settled it
                continue
            part.decide(seen, i, ids[i], self.targets[ids[i]], exact, proof)
        for _part, ids, seen in pushed:
            for i, t in enumerate(ids):
                true = self.targets[t].true
                proof.intervals.setdefault(t, Interval(true + seen.lo[i], true + seen.hi[i]))
        proof.failing.sort()
        return proof

    def dual_bounds(self, t: int) -> list[DualBound] | None:
        """Bounds of target ``t``'s maximum (and minimum) valid for every candidate pattern."""
        p = self.part_of_target.get(t)
        if p is None:
            return None
        part = self.parts[p]
        vec = part.target_vec[t]
        # min −expr: max expr <= −bound; min expr >= bound. The last linear proof solved both
        # for this pattern; a dual bound holds for every pattern, so it is reused.
        out = [part.duals.pop((t, 1), None) or part.dual_bound(-vec)]
        if self.targets[t].kind == "width":
            out.append(part.duals.pop((t, -1), None) or part.dual_bound(vec))
        if any(b is None for b in out):
            return None
        return [b for b in out if b is not None]

    def known(self) -> list[int]:
        """The candidate numbers the reader knows already: all their unknowns are fixed, or
        relations among their own unknowns give their value (hiding them protects nothing)."""
        return self._analysis()[1]

    def pinning(self) -> list[tuple[int, int]]:
        """(target, candidate) pairs where showing the candidate's number tells the target.

        Within the candidate's own unknowns: the target is a combination of the candidate's
        number and of relations that only involve those unknowns (e.g. a school year's cell and
        the published quarters of the same cell), and not of those relations alone. Publishing
        the candidate then publishes the target, whatever else is hidden. Found by linear
        algebra on a few unknowns at a time, without solving anything.
        """
        return self._analysis()[0]

    def _analysis(self) -> tuple[list[tuple[int, int]], list[int]]:
        if self._pins is None:
            self._pins = self._analyse()
        return self._pins

    def _analyse(self) -> tuple[list[tuple[int, int]], list[int]]:
        rows_at: dict[int, list[int]] = {}
        for r, (idx, _val) in enumerate(self._equalities):
            for a in idx:
                rows_at.setdefault(a, []).append(r)
        targets_at: dict[int, list[int]] = {}
        for t, terms in enumerate(self.target_terms):
            if terms and self.targets[t].kind == "width":
                for a, _c in terms:
                    targets_at.setdefault(a, []).append(t)
        out: list[tuple[int, int]] = []
        known_numbers: list[int] = []
        for c, terms in enumerate(self.cand_terms):
            support = {a for a, _ in terms}
            if not support:
                known_numbers.append(c)
                continue
            if len(support) > _PIN_MAX:
                continue
            col = {a: i for i, a in enumerate(sorted(support))}
            rows = sorted(
                {r for a in support for r in rows_at.get(a, ())
                 if set(self._equalities[r][0]) <= support}
            )  # fmt: skip
            known = np.zeros((len(rows), len(col)))
            for i, r in enumerate(rows):
                idx, val = self._equalities[r]
                known[i, [col[a] for a in idx]] = val
            number = np.zeros(len(col))
            number[[col[a] for a, _ in terms]] = [v for _, v in terms]
            # What the relations among these unknowns tell: the span of their rows. A vector
            # is told by them when nothing of it is left outside that span.
            span = _row_basis(known)
            beyond = _outside(number, span)
            if beyond is None:
                known_numbers.append(c)  # publishing it tells nothing
                continue
            new = beyond / np.linalg.norm(beyond)  # what publishing the number adds
            for t in sorted({t for a in support for t in targets_at.get(a, ())}):
                t_terms = self.target_terms[t]
                if not {a for a, _ in t_terms} <= support:
                    continue
                vec = np.zeros(len(col))
                vec[[col[a] for a, _ in t_terms]] = [v for _, v in t_terms]
                rest = _outside(vec, span)
                if rest is None:
                    continue  # the relations alone tell this target: not the number's doing
                if _outside(rest, new[None, :]) is None:
                    out.append((t, c))  # the relations and the number tell it
        return out, known_numbers

    def witnesses(self) -> Witnesses:
        """Integral points of the reader's system for the current pattern, part by part."""
        out: Witnesses = []
        for part in self.parts:
            pts = part.witnesses()
            if pts is not None:
                out.append((tuple(part.atoms), pts))
        return out

    def seed(self, witnesses: Witnesses) -> int:
        """Check points found elsewhere (e.g. by the suppression) against this system, and
        keep those that are integral points of it; returns how many were kept."""
        where: dict[int, tuple[dict[int, int], FloatArray]] = {}
        for atoms, pts in witnesses:
            block = ({a: i for i, a in enumerate(atoms)}, pts)
            for a in atoms:
                where[a] = block
        kept = 0
        for part in self.parts:
            found = where.get(part.atoms[0])
            if found is not None:
                kept += part.seed(*found)
        return kept

    def candidates_of(self, t: int) -> list[int]:
        """The candidate numbers in the part of target ``t``."""
        p = self.part_of_target.get(t)
        return [] if p is None else list(self.parts[p].cand_ids)


def _row_basis(m: FloatArray) -> FloatArray:
    """An orthonormal basis of the span of ``m``'s rows (one row each; none for no rows)."""
    if not m.size:
        return np.zeros((0, m.shape[1]))
    _u, sv, vh = np.linalg.svd(m, full_matrices=False)
    tol = sv.max(initial=0.0) * max(m.shape) * np.finfo(np.float64).eps
    basis: FloatArray = vh[sv > tol]
    return basis


def _outside(vec: FloatArray, basis: FloatArray) -> FloatArray | None:
    """The part of ``vec`` outside the span of ``basis`` (orthonormal rows); None when there
    is none (the entries are small integers: anything below 1e-9 of its size is rounding)."""
    rest: FloatArray = vec - (basis @ vec) @ basis if len(basis) else vec
    if np.linalg.norm(rest) <= 1e-9 * max(1.0, float(np.linalg.norm(vec))):
        return None
    return rest


def _reduce(rows: list[Row], lower: FloatArray, upper: FloatArray) -> list[Row]:
    """Fold fixed unknowns into rows, and rows with one unknown left into its bounds.

    The unknowns are integers, so a bound derived from a row is rounded inwards. A row that no
    unknown is left in must hold for the truth; otherwise the published numbers contradict the
    facts (a bug, or a tampered release). Repeats while a pass fixes another unknown.
    """
    pending = list(rows)
    while True:
        newly_fixed = False
        kept: list[Row] = []
        for idx, val, lo, hi in pending:
            const = 0.0
            fi: list[int] = []
            fv: list[float] = []
            for a, v in zip(idx, val, strict=True):
                if lower[a] == upper[a]:
                    const += v * lower[a]
                else:
                    fi.append(a)
                    fv.append(v)
            lo2, hi2 = lo - const, hi - const
            if not fi:
                if lo2 > _EPS or hi2 < -_EPS:
                    raise AuditFailed("the published numbers are inconsistent")
                continue
            if len(fi) == 1:
                a, v = fi[0], fv[0]
                b1, b2 = (lo2 / v, hi2 / v) if v > 0 else (hi2 / v, lo2 / v)
                new_lo = max(lower[a], float(np.ceil(b1 - _EPS)))
                new_hi = min(upper[a], float(np.floor(b2 + _EPS)))
                if new_lo > new_hi:
                    raise AuditFailed("the published numbers are inconsistent")
                lower[a], upper[a] = new_lo, new_hi
                newly_fixed = newly_fixed or new_lo == new_hi
                continue
            kept.append((fi, fv, lo2, hi2))
        pending = kept
        if not newly_fixed:
            return pending


__all__ = ["DualBound", "Proof", "System", "Witnesses"]
