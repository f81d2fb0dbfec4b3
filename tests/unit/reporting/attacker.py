"""An outside reader of released summaries, written from the published format only.

It knows what ``docs/summary-format.md`` says a reader may assume, and nothing of the suppression
code: it reads the released JSON files, is told which cells are non-empty (colleagues know a
student was seen), and asks an integer-program solver (HiGHS, exact, no shortcuts it cannot
justify) how far every hidden cell can be narrowed.

Relations it derives on its own:

* every ``_all`` margin is the sum of its row or column;
* the same number in two tables: T1 ``(c, _all)`` = T2 ``(_all, c)``; T0 ``contacts`` =
  T1 ``(_all, _all)`` = T2 ``(_all, _all)``; T0 ``follow_ups_due`` = T5 ``due``;
  T0 ``follow_ups_done`` = T5 on time + late; T5 due = on time + late + open;
* T6 contacts of a category's group-activity types ≤ that category's contacts in T1; all T6
  contacts ≤ T0 contacts; T0 students ≤ T3's grand total; a referral target ≤ T0 contacts;
* releases of one period: every cell only grows when the reader knows only late entries were
  added (``monotone``);
* a quarter or school year against its months: every additive cell of the longer period is at
  least the sum of the released months (exactly the sum when every month is released and
  nothing changed since), distinct students at least each month's.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from srojournal.domain.periods import parse_period
from srojournal.domain.taxonomy import BUILTIN_CONTACT_TYPES

ALL = "_all"
CellId = tuple[int, str, tuple[str, ...]]  # (release index, table id, coordinates)
Nonempty = Callable[[int, str, tuple[str, ...]], bool]

GROUP_TYPE_CATEGORY = {t.code: t.category for t in BUILTIN_CONTACT_TYPES if t.group_activity}
SENSITIVE_GROUPS = ("enforcement", "referred")
SENSITIVE_TARGETS = (
    "child_protection",
    "crisis_mental_health",
    "chemical_health",
    "diversion_program",
    "juvenile_court",
)
NOT_ADDITIVE = {("T0", ("students",)), ("T0", ("hours",))}


@dataclass(frozen=True)
class Finding:
    kind: str  # "interval" | "group_attribute" | "few_contacts" | "delta"
    release: int
    table: str
    coords: tuple[str, ...]
    low: float
    high: float


class Reader:
    def __init__(
        self,
        releases: Sequence[bytes],
        nonempty: Nonempty,
        *,
        monotone: bool = True,
        unchanged_since_months: bool = True,
        linked: Callable[[int, str], bool] | None = None,
        linked_items: Callable[[int, str, tuple[str, ...]], int] | None = None,
    ) -> None:
        self.docs = [json.loads(r) for r in releases]
        self.nonempty = nonempty
        # Whether a category (or "_all") has contacts with students at all: a row of contacts
        # without students says nothing about any student, whatever its outcomes.
        self.linked = linked or (lambda _i, _scope: True)
        # How many of a cell's contacts have students (what colleagues know of who was there);
        # without it, every contact is assumed to have students.
        self.linked_items = linked_items
        self.cells: dict[CellId, int | None] = {}
        for i, d in enumerate(self.docs):
            for t in d["tables"]:
                for c in t["cells"]:
                    coords = tuple(c[dim] for dim in t["dimensions"])
                    self.cells[(i, t["id"], coords)] = c["count"]
        self.hidden = [k for k, v in self.cells.items() if v is None]
        self.index = {k: n for n, k in enumerate(self.hidden)}
        self.rows: list[tuple[dict[int, float], float, float]] = []  # terms, low, high
        self._relations(monotone, unchanged_since_months)

    # -- building the system -----------------------------------------------------------------
    def _add(self, terms: dict[CellId, float], low: float, high: float) -> None:
        """low <= sum(coef * cell) <= high, published cells moved to the bounds."""
        var: dict[int, float] = {}
        for cell, coef in terms.items():
            if cell not in self.cells:
                return  # a school not in this release: no relation
            value = self.cells[cell]
            if value is None:
                var[self.index[cell]] = var.get(self.index[cell], 0.0) + coef
            else:
                low -= coef * value
                high -= coef * value
        var = {k: v for k, v in var.items() if v != 0}
        if var:
            self.rows.append((var, low, high))

    def _eq(self, terms: dict[CellId, float]) -> None:
        self._add(terms, 0.0, 0.0)

    def _le(self, terms: dict[CellId, float]) -> None:
        self._add(terms, -np.inf, 0.0)

    def _relations(self, monotone: bool, unchanged: bool) -> None:
        for i, d in enumerate(self.docs):
            for t in d["tables"]:
                dims = t["dimensions"]
                coords_all = [tuple(c[dim] for dim in dims) for c in t["cells"]]
                for coords in coords_all:
                    for di in range(len(dims)):
                        if coords[di] != ALL:
                            continue
                        members = [
                            c
                            for c in coords_all
                            if c[di] != ALL
                            and all(c[j] == coords[j] for j in range(len(dims)) if j != di)
                        ]
                        terms: dict[CellId, float] = {(i, t["id"], coords): 1.0}
                        for m in members:
                            terms[(i, t["id"], m)] = -1.0
                        self._eq(terms)
            categories = [c for (r, tid, c) in self.cells if r == i and tid == "T1" and c[1] == ALL]
            for cat, _ in categories:
                self._eq({(i, "T1", (cat, ALL)): 1, (i, "T2", (ALL, cat)): -1})
                types = [t for t, tc in GROUP_TYPE_CATEGORY.items() if tc == cat]
                if types:
                    terms = {(i, "T6", (t, "contacts")): 1.0 for t in types}
                    terms[(i, "T1", (cat, ALL))] = -1.0
                    self._le(terms)
            self._eq({(i, "T0", ("contacts",)): 1, (i, "T1", (ALL, ALL)): -1})
            self._eq({(i, "T0", ("follow_ups_due",)): 1, (i, "T5", ("due",)): -1})
            self._eq(
                {
                    (i, "T0", ("follow_ups_done",)): 1,
                    (i, "T5", ("done_on_time",)): -1,
                    (i, "T5", ("done_late",)): -1,
                }
            )
            self._eq(
                {
                    (i, "T5", ("due",)): 1,
                    (i, "T5", ("done_on_time",)): -1,
                    (i, "T5", ("done_late",)): -1,
                    (i, "T5", ("open",)): -1,
                }
            )
            self._le({(i, "T6", (ALL, "contacts")): 1, (i, "T0", ("contacts",)): -1})
            self._le({(i, "T0", ("students",)): 1, (i, "T3", (ALL, ALL)): -1})
            for r, tid, c in list(self.cells):
                if r == i and tid == "T4" and c[0] != ALL:
                    self._le({(i, "T4", c): 1, (i, "T0", ("contacts",)): -1})
        # releases of the same period
        by_period: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            by_period.setdefault(d["period"], []).append(i)
        for idxs in by_period.values():
            idxs.sort(key=lambda i: self.docs[i]["release"])
            if monotone:
                for a, b in itertools.pairwise(idxs):
                    for r, tid, c in list(self.cells):
                        if r == a and (b, tid, c) in self.cells:
                            self._le({(a, tid, c): 1, (b, tid, c): -1})
        # longer periods against their months (latest release of each month)
        latest = {p: idxs[-1] for p, idxs in by_period.items()}
        for p, big in latest.items():
            period = parse_period(p)
            if period.kind == "month":
                continue
            months = [latest[m] for m in period.months() if m in latest]
            if not months:
                continue
            every = len(months) == len(period.months()) and unchanged
            for r, tid, c in list(self.cells):
                if r != big:
                    continue
                if (tid, c) in NOT_ADDITIVE:
                    if c == ("students",):
                        for m in months:
                            self._le({(m, "T0", c): 1, (big, "T0", c): -1})
                    continue
                terms: dict[CellId, float] = {(big, tid, c): 1.0}
                for m in months:
                    terms[(m, tid, c)] = -1.0
                if every:
                    self._eq(terms)
                else:
                    self._add({k: -v for k, v in terms.items()}, -np.inf, 0.0)

    # -- solving -----------------------------------------------------------------------------
    def _solver(self) -> highspy.Highs:
        n = len(self.hidden)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        lower = np.array([1.0 if self.nonempty(*k) else 0.0 for k in self.hidden])
        h.addVars(n, lower, np.full(n, highspy.kHighsInf))
        for terms, low, high in self.rows:
            idx = np.array(list(terms), dtype=np.int32)
            val = np.array(list(terms.values()), dtype=np.float64)
            h.addRow(
                -highspy.kHighsInf if low == -np.inf else low,
                highspy.kHighsInf if high == np.inf else high,
                len(idx),
                idx,
                val,
            )
        h.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
        )
        return h

    def _optimum(self, h: highspy.Highs, costs: dict[int, float]) -> float:
        """min of sum(costs * x); inf when unbounded below is impossible here (x >= 0)."""
        n = len(self.hidden)
        cost = np.zeros(n)
        for k, v in costs.items():
            cost[k] = v
        h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return float(h.getInfo().objective_function_value)
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return -np.inf
        raise AssertionError(f"the released numbers are inconsistent ({status})")

    def interval(self, h: highspy.Highs, costs: dict[int, float]) -> tuple[float, float]:
        low = self._optimum(h, costs)
        high = -self._optimum(h, {k: -v for k, v in costs.items()})
        return low, high

    def attack(self, min_width: int = 3) -> list[Finding]:
        """Every way this reader narrows a hidden non-empty cell, or reads a group attribute."""
        found: list[Finding] = []
        h = self._solver() if self.hidden else None
        for cell in self.hidden:
            if not self.nonempty(*cell):
                continue
            assert h is not None
            low, high = self.interval(h, {self.index[cell]: 1.0})
            if high - low < min_width:
                found.append(Finding("interval", *cell, low, high))
        found += self._group_attributes(h)
        found += self._few_contacts()
        return found

    def _value(self, cell: CellId) -> tuple[dict[int, float], float]:
        v = self.cells[cell]
        if v is None:
            return {self.index[cell]: 1.0}, 0.0
        return {}, float(v)

    def _most(self, h: highspy.Highs | None, terms: dict[CellId, float]) -> float:
        """The largest value the reader cannot exclude for sum(coef * cell)."""
        costs: dict[int, float] = {}
        const = 0.0
        for cell, coef in terms.items():
            if cell not in self.cells:
                continue
            var, value = self._value(cell)
            const += coef * value
            for k, v in var.items():
                costs[k] = costs.get(k, 0.0) + coef * v
        if not costs:
            return const
        assert h is not None
        return const - self._optimum(h, {k: -v for k, v in costs.items()})

    def _group_attributes(self, h: highspy.Highs | None) -> list[Finding]:
        """Can the reader prove that every student-linked contact of a row is sensitive?

        Student-linked contacts of category c ≈ T1 (c, _all) − its group activities in T6; if
        that minus T1 (c, g) is at most 0 for every feasible value, all of them had outcome g.
        The same over the whole period for an outcome group and for a referral target.
        """
        out: list[Finding] = []
        for i, _d in enumerate(self.docs):
            cats = [c[0] for (r, tid, c) in self.cells if r == i and tid == "T1" and c[1] == ALL]
            for cat in cats:
                if not self.linked(i, cat):
                    continue
                types = (
                    list(GROUP_TYPE_CATEGORY)
                    if cat == ALL
                    else [t for t, tc in GROUP_TYPE_CATEGORY.items() if tc == cat]
                )
                if cat == ALL:
                    types.append("other")
                for g in SENSITIVE_GROUPS:
                    cell = (i, "T1", (cat, g))
                    if not self._positive(cell):
                        continue
                    terms: dict[CellId, float] = {(i, "T1", (cat, ALL)): 1.0, cell: -1.0}
                    for t in types:
                        terms[(i, "T6", (t, "contacts"))] = -1.0
                    if self._most(h, terms) <= 0:
                        out.append(Finding("group_attribute", *cell, 0, 0))
            for target in SENSITIVE_TARGETS:
                if not self.linked(i, ALL):
                    continue
                cell = (i, "T4", (target,))
                if cell not in self.cells or not self._positive(cell):
                    continue
                terms = {(i, "T1", (ALL, ALL)): 1.0, cell: -1.0, (i, "T6", (ALL, "contacts")): -1.0}
                if self._most(h, terms) <= 0:
                    out.append(Finding("group_attribute", *cell, 0, 0))
        return out

    def _positive(self, cell: CellId) -> bool:
        v = self.cells.get(cell)
        return (v is not None and v > 0) or (v is None and self.nonempty(*cell))

    def _few_contacts(self) -> list[Finding]:
        """A published sensitive count whose students sit in 1 or 2 contacts: they all share
        it. Contacts without students tell nothing about a student, either way."""
        out = []
        for (i, tid, c), v in self.cells.items():
            if v is None:
                continue
            behind = v if self.linked_items is None else self.linked_items(i, tid, c)
            if not 0 < behind < 3:
                continue
            if (tid == "T1" and c[1] in SENSITIVE_GROUPS) or (
                tid == "T4" and c[0] in SENSITIVE_TARGETS
            ):
                out.append(Finding("few_contacts", i, tid, c, v, v))
        return out

    def delta_interval(self, a: int, b: int, table: str, coords: tuple[str, ...]) -> float:
        """Width of what the reader knows about release b minus release a for one cell."""
        terms = {(b, table, coords): 1.0, (a, table, coords): -1.0}
        h = self._solver() if self.hidden else None
        high = self._most(h, terms)
        low = -self._most(h, {k: -v for k, v in terms.items()})
        return high - low


@dataclass(frozen=True)
class Oracles:
    """What colleagues know about each release's facts."""

    nonempty: Nonempty
    linked: Callable[[int, str], bool]
    linked_items: Callable[[int, str, tuple[str, ...]], int]

    def reader(self, releases: Sequence[bytes], **kw: bool) -> Reader:
        return Reader(
            releases, self.nonempty, linked=self.linked, linked_items=self.linked_items, **kw
        )


def oracles(*facts: object) -> Oracles:
    """Which cells are non-empty, which categories had contacts with students, and how many
    contacts with students each cell holds (built from the facts with the table code)."""
    from srojournal.reporting.tables import build_tables

    built = [build_tables(f) for f in facts]  # type: ignore[arg-type]
    counts = [{(c.table_id, c.coords): c.count for c in b.cells()} for b in built]
    items = [{(c.table_id, c.coords): c.linked_items for c in b.cells()} for b in built]

    def nonempty(i: int, table: str, coords: tuple[str, ...]) -> bool:
        return counts[i].get((table, coords), 0) > 0

    def linked(i: int, scope: str) -> bool:
        entry = built[i].linked.get(scope)
        return entry is not None and entry.total > 0

    def linked_items(i: int, table: str, coords: tuple[str, ...]) -> int:
        return items[i].get((table, coords), 0)

    return Oracles(nonempty, linked, linked_items)
