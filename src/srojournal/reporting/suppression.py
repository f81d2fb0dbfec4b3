"""Primary and secondary suppression for one month (docs/summary-format.md), sticky across releases.

Primary suppression
    * a cell with at least one student-linked contact (or follow-up) and fewer than k distinct
      students;
    * the group-attribute rule: a row or column whose contacts all carry the same sensitive
      outcome group is hidden in that breakdown, zeros and margin included (otherwise the zeros
      beside it would say "all of them"). Outcome groups are visible only in T1, so the rule
      applies to the category rows of T1, the ``_all`` row included; the outcome-group columns
      are exempt (a column "enforcement" trivially holds only enforcement). The hidden margin is
      hidden wherever the same number appears (T2, T0);
    * a month with at least one and fewer than k distinct students publishes no breakdown: every
      cell of T1–T6 is hidden, and T0 follows the cell rule;
    * stickiness: a cell hidden in an earlier release of the month stays hidden.

Secondary suppression is a deterministic greedy over all tables of the month jointly (cells with
the same logical key are one decision, so a shared margin is hidden everywhere or nowhere):

    A. cheap pass over every additive relation: a relation with hidden cells needs at least two
       of them and at least ``MIN_WIDTH`` in their (true) sum; otherwise add the published cell
       of that relation that restores this at the lowest cost (the smallest sufficient count,
       else the largest);
    B. exact pass: compute every hidden cell's interval (jointly with earlier releases, with the
       same solver as the audit); for each cell still too narrow add a complement in one of its
       relations, then go back to A.

If no complement can be found, the greedy hides every non-zero cell of the tables involved, and
finally every cell of the month; with everything hidden every unknown is unbounded above, so the
loop always terminates. The result is then audited again from the rendered bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

from srojournal.domain.taxonomy import SENSITIVE_OUTCOME_GROUPS

from .audit import (
    MIN_WIDTH,
    IntervalSolver,
    Publication,
    Relation,
    build_relations,
    intervals_for,
    publication_of,
)
from .errors import AuditFailed
from .model import STATUS_OK, STATUS_SUPPRESSED, Cell, Summary, Table
from .tables import ALL, CellData, LogicalKey, MonthTables, TableData

DEFAULT_THRESHOLD = 10
MIN_THRESHOLD = 5
_MAX_ROUNDS = 500

# Dimensions on which the group-attribute rule is applied, per table, and groups excluded there.
# Only T1 shows outcome groups; elsewhere a row says nothing about outcomes.
_GROUP_RULE_DIMS: dict[str, tuple[int, ...]] = {"T1": (0,)}
_GROUP_RULE_EXEMPT: dict[str, frozenset[str]] = {}


def effective_threshold(k: int) -> int:
    return max(MIN_THRESHOLD, k)


def _group_rule_cells(table: TableData) -> list[CellData]:
    dims = _GROUP_RULE_DIMS.get(table.id, ())
    exempt = _GROUP_RULE_EXEMPT.get(table.id, frozenset())
    hidden: list[CellData] = []
    for di in dims:
        rows: dict[str, list[CellData]] = {}
        for c in table.cells:
            rows.setdefault(c.coords[di], []).append(c)
        for cells in rows.values():
            groups: set[str] = set()
            for c in cells:
                groups |= c.groups
            if len(groups) == 1:
                (g,) = groups
                if g in SENSITIVE_OUTCOME_GROUPS and g not in exempt:
                    hidden.extend(cells)
    return hidden


class _Reasons:
    def __init__(self) -> None:
        self.small = 0
        self.group = 0
        self.no_breakdown = False
        self.sticky = 0
        self.secondary = 0


def primary_suppression(
    month: MonthTables, k: int, earlier: Sequence[Summary] = ()
) -> tuple[set[LogicalKey], _Reasons]:
    k = effective_threshold(k)
    reasons = _Reasons()
    hidden: set[LogicalKey] = set()
    for cell in month.cells():
        if cell.student_linked and len(cell.students) < k and cell.key not in hidden:
            hidden.add(cell.key)
            reasons.small += 1
    for table in month.tables:
        for cell in _group_rule_cells(table):
            if cell.key not in hidden:
                hidden.add(cell.key)
                reasons.group += 1
    if 0 < len(month.all_students) < k:
        reasons.no_breakdown = True
        for table in month.tables:
            if table.id != "T0":
                hidden.update(c.key for c in table.cells)
    present = {c.key for c in month.cells()}
    for s in earlier:
        for key, value in publication_of(s).items():
            if value is None and key in present and key not in hidden:
                hidden.add(key)
                reasons.sticky += 1
    return hidden, reasons


class _Greedy:
    def __init__(
        self,
        month: MonthTables,
        hidden: set[LogicalKey],
        earlier: Sequence[Summary],
        solver: IntervalSolver,
    ) -> None:
        self.month = month
        self.hidden = hidden
        self.values: dict[LogicalKey, int] = {}
        self.order: dict[LogicalKey, int] = {}
        for cell in month.cells():
            self.values.setdefault(cell.key, cell.count)
            self.order.setdefault(cell.key, len(self.order))
        layout = [(c.table_id, c.coords) for c in month.cells()]
        self.relations = build_relations(layout)
        self.eq = [r for r in self.relations if r.op == "eq"]
        self.by_key: dict[LogicalKey, list[Relation]] = {}
        for rel in self.eq:
            for key, _ in rel.terms:
                self.by_key.setdefault(key, []).append(rel)
        self.earlier_pubs = [publication_of(s) for s in earlier]
        self.earlier_rels = [build_relations(_layout(s)) for s in earlier]
        self.solver = solver
        self.added = 0

    def publication(self) -> Publication:
        return {k: (None if k in self.hidden else v) for k, v in self.values.items()}

    def _complement(self, rel: Relation) -> LogicalKey | None:
        unknown = [k for k, _ in rel.terms if k in self.hidden]
        slack = sum(self.values[k] for k in unknown)
        published = [k for k, _ in rel.terms if k not in self.hidden]
        nonzero = sorted(
            (k for k in published if self.values[k] > 0),
            key=lambda k: (self.values[k], self.order[k]),
        )
        for k in nonzero:
            if slack + self.values[k] >= MIN_WIDTH:
                return k
        if nonzero:
            return nonzero[-1]
        # Only zeros left: hide the relation's total, which opens it; the total's other
        # relations then get their own complements.
        total = [k for k, coef in rel.terms if coef == 1 and k not in self.hidden]
        if len(total) == 1 and len(rel.terms) > 2:
            return total[0]
        if len(unknown) == 1 and slack >= MIN_WIDTH and published:
            return min(published, key=lambda k: self.order[k])
        return None

    def _needs_help(self, rel: Relation) -> bool:
        unknown = [k for k, _ in rel.terms if k in self.hidden]
        if not unknown:
            return False
        return len(unknown) == 1 or sum(self.values[k] for k in unknown) < MIN_WIDTH

    def cheap_pass(self) -> None:
        changed = True
        while changed:
            changed = False
            for rel in self.eq:
                if self._needs_help(rel):
                    key = self._complement(rel)
                    if key is not None:
                        self.hidden.add(key)
                        self.added += 1
                        changed = True

    def failing(self) -> list[LogicalKey]:
        pubs = [*self.earlier_pubs, self.publication()]
        rels = [*self.earlier_rels, self.relations]
        report = intervals_for(pubs, rels, self.solver)
        keys = {key for _, key in report.failing()}
        return sorted(keys, key=lambda k: self.order.get(k, -1))

    def exact_pass(self, failing: list[LogicalKey]) -> bool:
        added = False
        touched: set[int] = set()
        for key in failing:
            rels = sorted(
                self.by_key.get(key, []),
                key=lambda r: sum(1 for k, _ in r.terms if k in self.hidden),
            )
            for rel in rels:
                if id(rel) in touched:
                    break
                comp = self._complement(rel)
                if comp is not None:
                    self.hidden.add(comp)
                    self.added += 1
                    touched.add(id(rel))
                    added = True
                    break
        return added

    def hide_tables_of(self, failing: list[LogicalKey]) -> bool:
        before = len(self.hidden)
        for table in self.month.tables:
            if any(c.key in failing for c in table.cells):
                self.hidden.update(c.key for c in table.cells if c.count > 0)
        return len(self.hidden) > before

    def run(self) -> None:
        for _ in range(_MAX_ROUNDS):
            self.cheap_pass()
            failing = self.failing()
            if not failing:
                return
            if self.exact_pass(failing) or self.hide_tables_of(failing):
                continue
            before = len(self.hidden)
            self.hidden.update(self.values)
            if len(self.hidden) == before:
                break
        if self.failing():
            raise AuditFailed("suppression could not protect every cell")


def _layout(summary: Summary) -> list[tuple[str, tuple[str, ...]]]:
    return [(t.id, c.coords) for t in summary.tables for c in t.cells]


def suppress(
    month: MonthTables,
    k: int,
    release: int,
    earlier: Sequence[Summary] = (),
    solver: IntervalSolver | None = None,
) -> Summary:
    """Apply primary and secondary suppression and return the summary as it will be published."""
    k = effective_threshold(k)
    hidden, reasons = primary_suppression(month, k, earlier)
    primary = len(hidden)
    greedy = _Greedy(month, hidden, earlier, solver or IntervalSolver())
    greedy.run()
    reasons.secondary = len(hidden) - primary
    tables = tuple(
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
        for t in month.tables
    )
    return Summary(month.period, k, release, tables, _notes(tables, reasons, k))


def _notes(tables: Sequence[Table], reasons: _Reasons, k: int) -> tuple[str, ...]:
    shown = sum(1 for t in tables for c in t.cells if c.status == STATUS_SUPPRESSED)
    if shown == 0:
        return ("Nothing was suppressed: every cell covers at least the threshold of students.",)
    lines = [f"{shown} table cells are shown as S (suppressed)."]
    if reasons.no_breakdown:
        lines.append(f"Fewer than {k} different students this month: no breakdown is published.")
    if reasons.small:
        lines.append(f"Some cells count fewer than {k} different students.")
    if reasons.group:
        lines.append(
            "Some rows are hidden because all their contacts had the same sensitive outcome "
            "(enforcement or referral)."
        )
    if reasons.sticky:
        lines.append("Cells hidden in an earlier release of this month stay hidden.")
    if reasons.secondary:
        lines.append(
            "Further cells are hidden so that hidden numbers cannot be worked out from totals, "
            "other tables or earlier releases."
        )
    return tuple(lines)


__all__ = ["ALL", "DEFAULT_THRESHOLD", "MIN_THRESHOLD", "effective_threshold", "suppress"]
