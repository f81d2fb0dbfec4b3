"""The published content of a summary: what renderers draw and what the audit reads back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

STATUS_OK = "ok"
STATUS_SUPPRESSED = "S"
STATUS_LOWER_BOUND = "lower_bound"


@dataclass(frozen=True, slots=True)
class Cell:
    coords: tuple[str, ...]
    count: int | None  # None exactly when status is "S"
    status: str  # "ok" | "S" (monthly summary); "ok" | "lower_bound" (roll-up)


@dataclass(frozen=True, slots=True)
class Table:
    id: str
    unit: str
    dimensions: tuple[str, ...]
    cells: tuple[Cell, ...]

    def cell(self, *coords: str) -> Cell:
        for c in self.cells:
            if c.coords == coords:
                return c
        raise KeyError(coords)


@dataclass(frozen=True, slots=True)
class Summary:
    """One release of one month, exactly as published (plus officer-only notes for the preview)."""

    period: str
    threshold: int
    release: int
    tables: tuple[Table, ...]
    # Plain-language lines for the officer's preview; never rendered into an export.
    notes: tuple[str, ...] = field(default=(), compare=False)
    # Why each hidden cell is hidden, for the officer's preview (table id, coordinates) ->
    # reason code (see ``suppression.Reasons.why``); never rendered into an export.
    reasons: Mapping[tuple[str, tuple[str, ...]], str] = field(default_factory=dict, compare=False)

    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)

    @property
    def schools(self) -> tuple[str, ...]:
        t2 = self.table("T2")
        seen: list[str] = []
        for c in t2.cells:
            if c.coords[0] != "_all" and c.coords[0] not in seen:
                seen.append(c.coords[0])
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A roll-up of released summaries (several months and/or several officers)."""

    periods: tuple[str, ...]
    sources: int
    threshold: int
    input_thresholds: tuple[int, ...]
    tables: tuple[Table, ...]

    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)
