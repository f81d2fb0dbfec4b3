"""What a reader of released summaries can derive from them, as integer programs.

The reader has only what leaves the laptop (the released files) and what the summary format
tells everyone: the catalogue, the units, the margins, which cells are the same number in
several tables, and the rules. They also know which hidden cells are non-empty (a colleague
saw the student), and they hold every earlier release of every overlapping period.

Every hidden cell of every release becomes an integer unknown; every relation a reader can
justify becomes a linear constraint; HiGHS then gives the exact integer minimum and maximum of
any linear expression over the unknowns (a hidden cell, the difference of a cell between two
releases, the non-sensitive remainder of a row). Nothing here imports the product's reporting
code: this is the outside view.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import highspy
import numpy as np

# -- the published catalogue (docs/summary-format.md) ------------------------------------------
CATEGORIES = ("relationship", "mentoring", "conflict", "education", "safety")
OUTCOME_GROUPS = (
    "resolved", "follow_up", "referred", "notified", "agreement", "no_agreement", "enforcement",
    "none",
)  # fmt: skip
SENSITIVE_GROUPS = ("enforcement", "referred")
SENSITIVE_REFERRALS = (
    "child_protection", "crisis_mental_health", "chemical_health", "diversion_program",
    "juvenile_court",
)  # fmt: skip
# Group activities (T6) by the category their type rolls up to; "other" is an officer's own
# group-activity type, whose category the reader does not know.
GROUP_TYPE_CATEGORY = {
    "classroom": "education", "small_group": "education", "staff_training": "education",
    "community_event": "education", "safety_check": "safety", "event_duty": "safety",
}  # fmt: skip
ALL = "_all"

CellKey = tuple[str, tuple[str, ...]]  # ("T1", ("safety", "enforcement"))


@dataclass(frozen=True)
class Release:
    """One released summary, parsed from its bytes."""

    period: str
    number: int
    threshold: int
    units: Mapping[str, str]
    dimensions: Mapping[str, tuple[str, ...]]
    cells: Mapping[CellKey, int | None]  # None: suppressed

    @classmethod
    def parse(cls, data: bytes) -> Release:
        doc = json.loads(data)
        assert doc["format"] == "srojournal-summary", doc.get("format")
        cells: dict[CellKey, int | None] = {}
        units: dict[str, str] = {}
        dims: dict[str, tuple[str, ...]] = {}
        for table in doc["tables"]:
            tid = table["id"]
            units[tid] = table["unit"]
            dims[tid] = tuple(table["dimensions"])
            for cell in table["cells"]:
                key = (tid, tuple(str(cell[d]) for d in dims[tid]))
                assert key not in cells, f"cell listed twice: {key}"
                hidden = cell["status"] == "S"
                assert hidden == (cell["count"] is None), f"status and count disagree: {key}"
                cells[key] = None if hidden else int(cell["count"])
        return cls(doc["period"], int(doc["release"]), int(doc["threshold"]), units, dims, cells)

    def hidden(self) -> list[CellKey]:
        return [k for k, v in self.cells.items() if v is None]

    def label(self) -> str:
        return f"{self.period}#{self.number}"


def additive(key: CellKey) -> bool:
    """Cells that add up across the months of a quarter (when the journal did not change)."""
    return key not in (("T0", ("students",)), ("T0", ("hours",)))


@dataclass
class _Row:
    coefs: dict[int, int]
    lo: float
    hi: float
    why: str


@dataclass
class _Component:
    cols: list[int]
    rows: list[tuple[dict[int, int], float, float]]  # free columns only; constants folded in
    lp: highspy.Highs | None = None
    mip: highspy.Highs | None = None
    cost: list[int] = field(default_factory=list)  # local columns with a non-zero cost now
    # Integral solutions found so far: points the reader has shown to be possible. Two of
    # them far enough apart prove an expression's spread without solving anything.
    points: list[np.ndarray] = field(default_factory=list)


INF = math.inf


class Infeasible(AssertionError):
    """The published files contradict the reader's relations (a relation is wrong, or a file)."""


class Model:
    """Every release the reader holds, as one system of integer unknowns and constraints."""

    def __init__(self) -> None:
        self.releases: list[Release] = []
        self.var: list[dict[CellKey, int]] = []  # per release: cell -> column
        self.fixed: list[int | None] = []
        self.lower: list[int] = []
        self.names: list[str] = []
        self.rows: list[_Row] = []
        self._components: dict[int, _Component] | None = None

    # -- building ------------------------------------------------------------------------------
    def add_release(self, release: Release, nonempty: Iterable[CellKey] = ()) -> int:
        """Add a release; ``nonempty`` are cells the reader knows hold at least one record."""
        idx = len(self.releases)
        self.releases.append(release)
        known = set(nonempty)
        cols: dict[CellKey, int] = {}
        for key, value in release.cells.items():
            cols[key] = len(self.fixed)
            self.fixed.append(value)
            self.lower.append(1 if value is None and key in known else 0)
            self.names.append(f"{release.label()} {key[0]}{list(key[1])}")
        self.var.append(cols)
        self._table_relations(idx)
        self._components = None
        return idx

    def col(self, release: int, table: str, *coords: str) -> int | None:
        return self.var[release].get((table, coords))

    def add(self, coefs: Mapping[int | None, int], lo: float, hi: float, why: str) -> None:
        if None in coefs:
            return  # a cell this release does not have (e.g. a school it does not list)
        terms: dict[int, int] = defaultdict(int)
        for c, a in coefs.items():
            assert c is not None
            terms[c] += a
        self.rows.append(_Row({c: a for c, a in terms.items() if a}, lo, hi, why))
        self._components = None

    def equal(self, lhs: int | None, rhs: Iterable[int | None], why: str) -> None:
        rhs = list(rhs)
        if lhs is None or None in rhs:
            return
        coefs: dict[int | None, int] = defaultdict(int)
        coefs[lhs] += 1
        for c in rhs:
            coefs[c] -= 1
        self.add(coefs, 0, 0, why)

    def at_most(self, small: Iterable[int | None], big: int | None, why: str) -> None:
        small = list(small)
        if big is None or None in small:
            return
        coefs: dict[int | None, int] = defaultdict(int)
        for c in small:
            coefs[c] += 1
        coefs[big] -= 1
        self.add(coefs, -INF, 0, why)

    def _table_relations(self, r: int) -> None:
        rel = self.releases[r]
        by_table: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for table, coords in rel.cells:
            by_table[table].append(coords)
        # Margins: `_all` in a dimension is the sum over that dimension's other values.
        for table, coords_list in by_table.items():
            n = len(rel.dimensions[table])
            present = set(coords_list)
            for d in range(n):
                groups: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
                for coords in coords_list:
                    if coords[d] != ALL:
                        rest = (*coords[:d], ALL, *coords[d + 1 :])
                        groups[rest].append(coords)
                for total, parts in groups.items():
                    if total in present:
                        self.equal(
                            self.var[r][(table, total)],
                            (self.var[r][(table, p)] for p in parts),
                            f"{rel.label()} {table} margin {list(total)}",
                        )

        def c(table: str, *coords: str) -> int | None:
            return self.col(r, table, *coords)

        # T5: due = on time + late + open; T0 repeats T5.
        self.equal(c("T5", "due"), [c("T5", s) for s in ("done_on_time", "done_late", "open")],
                   f"{rel.label()} T5 due")  # fmt: skip
        self.equal(c("T0", "follow_ups_due"), [c("T5", "due")], f"{rel.label()} T0=T5 due")
        self.equal(c("T0", "follow_ups_done"), [c("T5", "done_on_time"), c("T5", "done_late")],
                   f"{rel.label()} T0 done")  # fmt: skip
        # Same unit, same coordinates: one number.
        self.equal(c("T0", "contacts"), [c("T1", ALL, ALL)], f"{rel.label()} T0=T1 contacts")
        for cat in (*CATEGORIES, ALL):
            self.equal(c("T1", cat, ALL), [c("T2", ALL, cat)], f"{rel.label()} T1=T2 {cat}")
        # Group activities are contacts of their category; distinct students <= student-contacts.
        for cat in ("education", "safety"):
            types = [t for t, tc in GROUP_TYPE_CATEGORY.items() if tc == cat]
            self.at_most([c("T6", t, "contacts") for t in types], c("T1", cat, ALL),
                         f"{rel.label()} T6<=T1 {cat}")  # fmt: skip
        self.at_most([c("T6", ALL, "contacts")], c("T0", "contacts"), f"{rel.label()} T6<=T0")
        self.at_most([c("T0", "students")], c("T3", ALL, ALL), f"{rel.label()} students<=T3")
        for (table, _coords), col in self.var[r].items():
            if table == "T4":
                self.at_most([col], c("T0", "contacts"), f"{rel.label()} T4<=contacts")

    def _sources(self, r: int, key: CellKey, merged: Mapping[str, str]) -> list[int]:
        """The cells of release r that make up ``key`` of a later release: a school's row and
        the rows of the schools merged into it since (the school list says where they went)."""
        if key[0] != "T2" or key[1][0] == ALL:
            return [c for c in [self.var[r].get(key)] if c is not None]
        school, rest = key[1][0], key[1][1:]
        names = [school, *(old for old, new in merged.items() if new == school)]
        return [c for n in names if (c := self.var[r].get(("T2", (n, *rest)))) is not None]

    def add_rollup(
        self, whole: int, parts: list[int], merged: Mapping[str, str] | None = None
    ) -> None:
        """``whole`` covers exactly the periods of ``parts``, from the same journal state but
        for schools ``merged`` since (old name -> the school it became)."""
        w = self.releases[whole]
        label = f"{w.label()} = sum of {[self.releases[p].label() for p in parts]}"
        for key, col in self.var[whole].items():
            present = [pc for p in parts for pc in self._sources(p, key, merged or {})]
            if key == ("T0", ("students",)):
                for pc in present:
                    self.at_most([pc], col, f"{label}: students >= a part's")
                coefs: dict[int | None, int] = {col: 1}
                for pc in present:
                    coefs[pc] = coefs.get(pc, 0) - 1
                self.add(coefs, -INF, 0, f"{label}: students <= sum")
            elif key == ("T0", ("hours",)):
                slack = (len(parts) + 1) // 2  # each release rounds its hours once
                coefs = {col: 1}
                for pc in present:
                    coefs[pc] = coefs.get(pc, 0) - 1
                self.add(coefs, -slack, slack, f"{label}: hours")
            else:
                self.equal(col, present, f"{label}: {key}")

    def add_growth(self, old: int, new: int, merged: Mapping[str, str] | None = None) -> None:
        """Between two releases of a period the journal only grew (late entries only), but for
        schools ``merged`` since, whose rows went to the schools they became."""
        for key, col in self.var[new].items():
            before = self._sources(old, key, merged or {})
            if before and key[0] != "T5" and "follow_ups" not in key[1][0]:
                self.at_most(before, col, f"growth {key}")

    # -- solving -------------------------------------------------------------------------------
    def _build(self) -> dict[int, _Component]:
        if self._components is not None:
            return self._components
        parent = list(range(len(self.fixed)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        folded: list[tuple[dict[int, int], float, float, str]] = []
        for row in self.rows:
            free = {c: a for c, a in row.coefs.items() if self.fixed[c] is None}
            const = sum(a * (self.fixed[c] or 0) for c, a in row.coefs.items() if c not in free)
            lo, hi = row.lo - const, row.hi - const
            if not free:
                if not lo - 1e-9 <= 0 <= hi + 1e-9:
                    raise Infeasible(f"published cells contradict: {row.why}")
                continue
            cols = list(free)
            for other in cols[1:]:
                parent[find(other)] = find(cols[0])
            folded.append((free, lo, hi, row.why))
        members: dict[int, list[int]] = defaultdict(list)
        for c, v in enumerate(self.fixed):
            if v is None:
                members[find(c)].append(c)
        comps = {root: _Component(cols, []) for root, cols in members.items()}
        for free, lo, hi, _why in folded:
            comps[find(next(iter(free)))].rows.append((free, lo, hi))
        self._components = {c: comps[find(c)] for cols in members.values() for c in cols}
        return self._components

    def _solver(self, comp: _Component, integer: bool) -> highspy.Highs:
        h = comp.mip if integer else comp.lp
        if h is not None:
            return h
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        if not integer:
            # Only the objective changes between solves: the primal simplex goes on from the
            # last basis, which stays feasible (the dual simplex starts over, several times
            # slower on these programs).
            h.setOptionValue("simplex_strategy", 4)
        local = {c: i for i, c in enumerate(comp.cols)}
        n = len(comp.cols)
        lower = np.array([float(self.lower[c]) for c in comp.cols])
        h.addVars(n, lower, np.full(n, highspy.kHighsInf))
        for coefs, lo, hi in comp.rows:
            idx = np.array([local[c] for c in coefs], dtype=np.int32)
            val = np.array(list(coefs.values()), dtype=np.float64)
            h.addRow(_inf(lo), _inf(hi), len(idx), idx, val)
        if integer:
            h.changeColsIntegrality(
                n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n)
            )
            comp.mip = h
        else:
            comp.lp = h
        return h

    def _optimum(self, comp: _Component, expr: Mapping[int, int], maximize: bool) -> float:
        local = {c: i for i, c in enumerate(comp.cols)}
        value = self._run(comp, self._solver(comp, False), local, expr, maximize)
        if value is None:  # LP vertex not integral: the integer program decides
            value = self._run(comp, self._solver(comp, True), local, expr, maximize)
            assert value is not None
        return value

    def _run(
        self,
        comp: _Component,
        h: highspy.Highs,
        local: dict[int, int],
        expr: Mapping[int, int],
        maximize: bool,
    ) -> float | None:
        n = len(comp.cols)
        cost = np.zeros(n)
        for c, a in expr.items():
            cost[local[c]] = a
        h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        h.changeObjectiveSense(
            highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        )
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kUnknown:  # a warm start that went astray
            h.clearSolver()
            h.run()
            status = h.getModelStatus()
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return INF if maximize else -INF
        if status == highspy.HighsModelStatus.kInfeasible:
            raise Infeasible("the reader's relations have no solution")
        assert status == highspy.HighsModelStatus.kOptimal, h.modelStatusToString(status)
        x = np.array(h.getSolution().col_value)
        if np.any(np.abs(x - np.round(x)) > 1e-6):
            return None
        comp.points.append(np.round(x))
        return float(round(sum(a * x[local[c]] for c, a in expr.items())))

    def bounds(self, expr: Mapping[int, int]) -> tuple[float, float]:
        """Exact integer minimum and maximum of ``sum(a * cell)`` over all the reader allows."""
        comps = self._build()
        lo = hi = 0.0
        per: dict[int, dict[int, int]] = defaultdict(dict)
        for c, a in expr.items():
            if self.fixed[c] is not None:
                lo += a * self.fixed[c]  # type: ignore[operator]
                hi += a * self.fixed[c]  # type: ignore[operator]
            else:
                per[id(comps[c])][c] = a
        by_id = {id(comp): comp for comp in comps.values()}
        for cid, sub in per.items():
            lo += self._optimum(by_id[cid], sub, maximize=False)
            hi += self._optimum(by_id[cid], sub, maximize=True)
        return lo, hi

    def _extreme(self, expr: Mapping[int, int], *, maximize: bool) -> float:
        """The exact integer maximum (or minimum) of the expression."""
        comps = self._build()
        total = 0.0
        per: dict[int, dict[int, int]] = defaultdict(dict)
        for c, a in expr.items():
            if self.fixed[c] is not None:
                total += a * self.fixed[c]  # type: ignore[operator]
            else:
                per[id(comps[c])][c] = a
        by_id = {id(comp): comp for comp in comps.values()}
        for cid, sub in per.items():
            total += self._optimum(by_id[cid], sub, maximize=maximize)
        return total

    def interval(self, col: int) -> tuple[float, float]:
        return self.bounds({col: 1})

    def _seen(self, expr: Mapping[int, int]) -> tuple[float, float, float]:
        """(constant, largest, smallest): the expression over the integral points found.

        Per component, the largest and the smallest value over the points found so far are
        both possible, and independent components combine freely.
        """
        comps = self._build()
        const = 0.0
        per: dict[int, dict[int, int]] = defaultdict(dict)
        for c, a in expr.items():
            if self.fixed[c] is None:
                per[id(comps[c])][c] = a
            else:
                const += a * self.fixed[c]  # type: ignore[operator]
        by_id = {id(comp): comp for comp in comps.values()}
        high = low = 0.0
        for cid, sub in per.items():
            comp = by_id[cid]
            if not comp.points:
                return const, -INF, INF  # nothing seen in this component yet
            local = {c: i for i, c in enumerate(comp.cols)}
            vec = np.zeros(len(comp.cols))
            for c, a in sub.items():
                vec[local[c]] = a
            values = np.array(comp.points) @ vec
            high += float(values.max())
            low += float(values.min())
        return const, high, low

    def spread_at_least(self, expr: Mapping[int, int], width: float) -> bool:
        """Whether the expression can take two values ``width`` apart (exact): the points
        found so far often show it; otherwise the exact bounds decide."""
        _const, high, low = self._seen(expr)
        if high - low >= width - 1e-9:
            return True
        hi = self._extreme(expr, maximize=True)
        _const, high, low = self._seen(expr)  # the maximum's solution is a point too
        if hi - low >= width - 1e-9:
            return True
        return hi - self._extreme(expr, maximize=False) >= width - 1e-9

    def can_reach(self, expr: Mapping[int, int], value: float) -> bool:
        """Whether the expression can be at least ``value`` (exact)."""
        const, high, _low = self._seen(expr)
        if const + high >= value - 1e-9:
            return True
        return self._extreme(expr, maximize=True) >= value - 1e-9

    def violated_by(self, values: Mapping[int, int]) -> list[str]:
        """The relations (and lower bounds) a full assignment breaks: proof a relation is wrong."""
        bad = [
            f"{self.names[c]} = {values[c]} < known lower bound {self.lower[c]}"
            for c in values
            if values[c] < self.lower[c]
        ]
        for row in self.rows:
            s = sum(a * values[c] for c, a in row.coefs.items())
            if not row.lo - 1e-9 <= s <= row.hi + 1e-9:
                bad.append(f"{row.why}: {s} outside [{row.lo}, {row.hi}]")
        return bad


def _inf(v: float) -> float:
    return highspy.kHighsInf if v == INF else (-highspy.kHighsInf if v == -INF else v)
