"""Canonical JSON for summaries and roll-ups, and a strict reader for released summaries.

Canonical means: fixed key order, fixed table and cell order (the catalogue order), one cell per
line, UTF-8, ``\\n`` line ends and a final newline. Rendering the same content twice gives the same
bytes, which is what makes a re-export byte-identical and a release hash meaningful.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from srojournal.domain.periods import parse_period

from .errors import ReportRejected
from .model import STATUS_OK, STATUS_SUPPRESSED, Aggregate, Cell, Summary, Table
from .tables import (
    ALL,
    TABLE_DIMENSIONS,
    TABLE_IDS,
    TABLE_UNITS,
    dimension_values,
)

FORMAT = "srojournal-summary"
AGGREGATE_FORMAT = "srojournal-aggregate"
VERSION = 1
MAX_BYTES = 4 * 1024 * 1024
MAX_SCHOOLS = 200
MAX_NAME_LEN = 120


@functools.lru_cache(maxsize=4096, typed=True)
def _s(value: str | int | None) -> str:
    """One JSON scalar (remembered: a summary repeats the same labels and counts)."""
    return json.dumps(value, ensure_ascii=False)


def _tables_lines(tables: Sequence[Table]) -> list[str]:
    lines = ['  "tables": [']
    for ti, t in enumerate(tables):
        dims = ", ".join(_s(d) for d in t.dimensions)
        lines.append(
            f'    {{"id": {_s(t.id)}, "unit": {_s(t.unit)}, "dimensions": [{dims}], "cells": ['
        )
        for ci, c in enumerate(t.cells):
            parts = [f"{_s(d)}: {_s(v)}" for d, v in zip(t.dimensions, c.coords, strict=True)]
            parts.append(f'"count": {_s(c.count)}')
            parts.append(f'"status": {_s(c.status)}')
            sep = "," if ci < len(t.cells) - 1 else ""
            lines.append("      {" + ", ".join(parts) + "}" + sep)
        lines.append("    ]}" + ("," if ti < len(tables) - 1 else ""))
    lines.append("  ]")
    return lines


def render_summary_json(summary: Summary) -> bytes:
    lines = [
        "{",
        f'  "format": {_s(FORMAT)},',
        f'  "version": {VERSION},',
        f'  "period": {_s(summary.period)},',
        f'  "threshold": {summary.threshold},',
        f'  "release": {summary.release},',
        *_tables_lines(summary.tables),
        "}",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_aggregate_json(agg: Aggregate) -> bytes:
    periods = ", ".join(_s(p) for p in agg.periods)
    thresholds = ", ".join(str(t) for t in agg.input_thresholds)
    lines = [
        "{",
        f'  "format": {_s(AGGREGATE_FORMAT)},',
        f'  "version": {VERSION},',
        f'  "periods": [{periods}],',
        f'  "sources": {agg.sources},',
        f'  "threshold": {agg.threshold},',
        f'  "input_thresholds": [{thresholds}],',
        *_tables_lines(agg.tables),
        "}",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _bad(what: str) -> ReportRejected:
    return ReportRejected(f"not a valid summary file: {what}")


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _load(content: bytes) -> Any:
    if len(content) > MAX_BYTES:
        raise _bad("file too large")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad("not UTF-8 text") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise _bad("nested too deeply") from None
    except ValueError:
        raise _bad("not JSON") from None


def _parse_school_names(cells: list[Any]) -> tuple[str, ...]:
    schools: list[str] = []
    for c in cells:
        if not isinstance(c, dict):
            raise _bad("cell is not an object")
        name = c.get("school")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LEN:
            raise _bad("bad school name")
        if any(ord(ch) < 32 for ch in name):
            raise _bad("bad school name")
        if name != ALL and name not in schools:
            schools.append(name)
    if len(schools) > MAX_SCHOOLS:
        raise _bad("too many schools")
    return tuple(schools)


def parse_tables(raw_tables: Any, *, allow_lower_bound: bool = False) -> tuple[Table, ...]:
    """Validate the ``tables`` array strictly against the fixed catalogue and return it."""
    if not isinstance(raw_tables, list) or len(raw_tables) != len(TABLE_IDS):
        raise _bad("expected the tables T0–T6")
    schools: tuple[str, ...] = ()
    out: list[Table] = []
    for tid, raw in zip(TABLE_IDS, raw_tables, strict=True):
        if not isinstance(raw, dict) or set(raw) != {"id", "unit", "dimensions", "cells"}:
            raise _bad("malformed table")
        if raw["id"] != tid or raw["unit"] != TABLE_UNITS[tid]:
            raise _bad("unexpected table id or unit")
        dims = TABLE_DIMENSIONS[tid]
        if raw["dimensions"] != list(dims):
            raise _bad("unexpected dimensions")
        cells = raw["cells"]
        if not isinstance(cells, list):
            raise _bad("cells is not a list")
        if tid == "T2":
            schools = _parse_school_names(cells)
        expected: list[tuple[str, ...]] = [()]
        for d in dims:
            expected = [(*p, v) for p in expected for v in dimension_values(tid, d, schools)]
        if len(cells) != len(expected):
            raise _bad("unexpected number of cells")
        parsed: list[Cell] = []
        # Checked for every cell of every file a roll-up reads (a state's year is 1.4 million):
        # the keys and the coordinates are compared without building a set or a tuple per cell.
        keys = frozenset((*dims, "count", "status"))
        coords_of = itemgetter(*dims)
        one = len(dims) == 1
        for coords, c in zip(expected, cells, strict=True):
            if not isinstance(c, dict) or c.keys() != keys:
                raise _bad("malformed cell")
            if ((coords_of(c),) if one else coords_of(c)) != coords:
                raise _bad("cells out of catalogue order")
            count, status = c["count"], c["status"]
            if status == STATUS_OK or (allow_lower_bound and status == "lower_bound"):
                if not _is_int(count) or count < 0 or count > 10**12:
                    raise _bad("count must be a non-negative integer")
            elif status == STATUS_SUPPRESSED and not allow_lower_bound:
                if count is not None:
                    raise _bad("a suppressed cell must have a null count")
            else:
                raise _bad("unknown cell status")
            parsed.append(Cell(coords, count, status))
        out.append(Table(tid, TABLE_UNITS[tid], dims, tuple(parsed)))
    return tuple(out)


def parse_summary_json(content: bytes) -> Summary:
    """Read a released summary back, strictly. Raises ReportRejected on anything unexpected."""
    data = _load(content)
    keys = {"format", "version", "period", "threshold", "release", "tables"}
    if not isinstance(data, dict) or set(data) != keys:
        raise _bad("unexpected top-level fields")
    if data["format"] != FORMAT:
        raise _bad("not an SRO Journal summary")
    if not _is_int(data["version"]) or data["version"] != VERSION:
        raise _bad("unsupported version")
    period = data["period"]
    if not isinstance(period, str):
        raise _bad("bad period")
    try:
        parse_period(period)
    except ValueError:
        raise _bad("bad period") from None
    threshold, release = data["threshold"], data["release"]
    if not _is_int(threshold) or not 5 <= threshold <= 1000:
        raise _bad("bad threshold")
    if not _is_int(release) or not 1 <= release <= 10000:
        raise _bad("bad release number")
    return Summary(period, threshold, release, parse_tables(data["tables"]))
