"""How much a summary hides: the information-loss figures of one release, per table.

For each table: how many cells it has, how many are hidden (``S``), and the share of the
table's contacts (its unit: contacts, student contacts, referrals or follow-ups) that sit in
hidden interior cells. The share needs the true counts, so it is computed on the officer's side
from the release and the tables it was made from; it never goes into an export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import STATUS_SUPPRESSED, Summary
from .tables import ALL, MonthTables


@dataclass(frozen=True, slots=True)
class TableLoss:
    table: str
    cells: int
    hidden: int
    units_total: int  # the sum of the table's interior cells (its unit)
    units_hidden: int  # the part of it in hidden interior cells

    @property
    def hidden_share(self) -> float:
        return self.hidden / self.cells if self.cells else 0.0

    @property
    def units_hidden_share(self) -> float:
        return self.units_hidden / self.units_total if self.units_total else 0.0


def information_loss(summary: Summary, tables: MonthTables) -> list[TableLoss]:
    """Per table: cells, hidden cells, and the units (e.g. contacts) behind hidden cells."""
    truth = {(t.id, c.coords): c.count for t in tables.tables for c in t.cells}
    out: list[TableLoss] = []
    for t in summary.tables:
        hidden = 0
        total = 0
        in_hidden = 0
        for c in t.cells:
            is_hidden = c.status == STATUS_SUPPRESSED
            hidden += is_hidden
            interior = ALL not in c.coords and not (t.id == "T6" and c.coords[1] != "contacts")
            if t.id in ("T0", "T5"):
                interior = c.coords[0] in ("contacts", "done_on_time", "done_late", "open")
            if interior:
                value = truth.get((t.id, c.coords), 0)
                total += value
                if is_hidden:
                    in_hidden += value
        out.append(TableLoss(t.id, len(t.cells), hidden, total, in_hidden))
    return out


def overall(losses: Sequence[TableLoss]) -> TableLoss:
    """All tables together (units summed across tables: a rough single figure)."""
    return TableLoss(
        "all",
        sum(x.cells for x in losses),
        sum(x.hidden for x in losses),
        sum(x.units_total for x in losses),
        sum(x.units_hidden for x in losses),
    )


def loss_line(period: str, losses: Sequence[TableLoss]) -> str:
    """One line for a benchmark log: hidden cells and hidden units per table."""
    parts = [
        f"{x.table} {x.hidden}/{x.cells} cells, {100 * x.units_hidden_share:.0f}% units"
        for x in losses
    ]
    total = overall(losses)
    return f"{period}: {100 * total.hidden_share:.0f}% of cells hidden; " + "; ".join(parts)
