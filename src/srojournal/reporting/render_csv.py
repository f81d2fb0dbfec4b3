"""Tidy long CSV: one row per cell, the same content as the JSON.

Columns: the release metadata, ``table``, ``unit``, one column per dimension name used anywhere in
the catalogue (empty where a table does not have that dimension), ``count`` (empty when
suppressed) and ``status``. UTF-8, ``\\n`` line ends, minimal quoting — deterministic bytes.

No field starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP CSV
injection): such a field gets a leading apostrophe, which spreadsheets show as text. Our codes
and numbers never start so; only an officer-typed school name could, and the leak check refuses
a CSV that still holds one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from srojournal.domain.schools import FORMULA_START

from .model import Aggregate, Summary, Table
from .tables import TABLE_DIMENSIONS, TABLE_IDS

DIMENSION_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(d for t in TABLE_IDS for d in TABLE_DIMENSIONS[t])
)


def neutralise(value: str) -> str:
    """A field a spreadsheet would run as a formula, made text."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _render(meta_names: Sequence[str], meta: Sequence[str], tables: Sequence[Table]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*meta_names, "table", "unit", *DIMENSION_COLUMNS, "count", "status"])
    for t in tables:
        for c in t.cells:
            coords = dict(zip(t.dimensions, c.coords, strict=True))
            row = [
                *meta,
                t.id,
                t.unit,
                *(coords.get(d, "") for d in DIMENSION_COLUMNS),
                "" if c.count is None else str(c.count),
                c.status,
            ]
            w.writerow([neutralise(v) for v in row])
    return buf.getvalue().encode("utf-8")


def render_summary_csv(summary: Summary) -> bytes:
    return _render(
        ("period", "release", "threshold"),
        (summary.period, str(summary.release), str(summary.threshold)),
        summary.tables,
    )


def render_aggregate_csv(agg: Aggregate) -> bytes:
    return _render(
        ("periods", "sources", "threshold"),
        (";".join(agg.periods), str(agg.sources), str(agg.threshold)),
        agg.tables,
    )
