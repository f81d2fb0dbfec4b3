"""A file to import becomes a ``Table``: its header and its rows of cells, whatever its format.

CSV cells are text; Excel cells keep their type (dates, times, numbers). Every row carries the
line (CSV: where the record starts) or row number (Excel) the officer will look for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from srojournal.importing.fields import header_score

Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None
Row = tuple[Cell, ...]

MAX_ROWS: Final = 1_000_000
MAX_COLUMNS: Final = 64
MAX_FIELD_CHARS: Final = 1024 * 1024
HEADER_SEARCH_ROWS: Final = 10  # a title row or two may sit above the header

# Reports progress as a fraction (0..1) and is asked whether to stop.
Progress = Callable[[float], None]
Cancelled = Callable[[], bool]


class SourceError(ValueError):
    """The file cannot be read as a table; the message says why and what to do."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class ReadCancelled(Exception):
    """The officer cancelled while the file was being read."""


@dataclass(slots=True)
class Table:
    name: str  # the file's name (never its folder)
    kind: str  # "csv" or "xlsx"
    header: tuple[str, ...]
    header_line: int
    rows: list[tuple[int, Row]]  # (line or row number, cells), empty rows left out
    notes: list[str] = field(default_factory=list)  # said in the preview (encoding, formulas…)
    sheets: tuple[str, ...] = ()  # an Excel file's worksheets
    sheet: str | None = None
    # (line, column index) of formula cells whose saved result is missing.
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)
    unnamed_columns_with_data: list[int] = field(default_factory=list)

    def column_values(self, index: int) -> list[Cell]:
        return [cells[index] if index < len(cells) else None for _, cells in self.rows]


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (how spreadsheets name columns)."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def is_blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def split_header(records: Sequence[tuple[int, Row]], name: str) -> tuple[tuple[str, ...], int, int]:
    """(header, its line, index of the first data record) among the first records.

    The header is the first row of the first few that names the most of our fields; without any
    such row, the first non-empty row.
    """
    best: tuple[int, int] | None = None  # (score, index)
    first: int | None = None
    for i, (_, cells) in enumerate(records[:HEADER_SEARCH_ROWS]):
        if all(is_blank(c) for c in cells):
            continue
        if first is None:
            first = i
        score = header_score(cells)
        if score and (best is None or score > best[0]):
            best = (score, i)
    index = best[1] if best is not None else first
    if index is None:
        raise SourceError(f"{name} has no rows: the sheet is empty.")
    line, cells = records[index]
    header = [_header_text(c) for c in cells]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise SourceError(
            f"The header of {name} has {len(header)} columns; at most {MAX_COLUMNS} can be "
            "imported. Remove the columns you do not need."
        )
    return tuple(header), line, index + 1


def _header_text(cell: Cell) -> str:
    if cell is None:
        return ""
    text = cell.isoformat() if isinstance(cell, dt.date | dt.time) else str(cell)
    return " ".join(text.split())


def table_from_records(
    records: list[tuple[int, Row]],
    *,
    name: str,
    kind: str,
    notes: list[str],
    cancelled: Cancelled | None = None,
) -> Table:
    header, header_line, start = split_header(records, name)
    rows: list[tuple[int, Row]] = []
    unnamed: set[int] = set()
    named = {i for i, h in enumerate(header) if h}
    for n, (line, cells) in enumerate(records[start:]):
        if cancelled is not None and n % 4096 == 0 and cancelled():
            raise ReadCancelled
        if all(is_blank(c) for c in cells):
            continue
        for i, c in enumerate(cells):
            if i not in named and not is_blank(c):
                unnamed.add(i)
        rows.append((line, cells))
    if start > 1:
        notes.append(f"The header is on line {header_line}; the lines above it are not imported.")
    table = Table(
        name=name, kind=kind, header=header, header_line=header_line, rows=rows, notes=notes
    )
    table.unnamed_columns_with_data = sorted(unnamed)
    return table
