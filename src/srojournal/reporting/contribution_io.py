"""Contribution files and their roll-ups: canonical JSON, tidy CSV, and a strict JSON reader.

The layout is documented in docs/contributions.md and checked by the JSON Schemas
``resources/schema/contribution.schema.json`` and ``contribution-rollup.schema.json``.
Canonical means what it means for summaries: fixed key, table and cell order, one cell per line,
UTF-8 and ``\\n`` line ends, so that a frozen contribution re-exports byte for byte.

CSV fields never start with ``=``, ``+``, ``@``, tab or CR. A noisy count may be negative and
then starts with ``-``: such a field is always a bare integer (``-[0-9]+``), which spreadsheets
read as a number and never as a formula; no other field can start with ``-``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from srojournal.domain.periods import is_month
from srojournal.domain.schools import SchoolNameRefused, clean_school_name

from .contribution import (
    MEASUREMENT,
    MECHANISM_NAME,
    PART_SHARES,
    PARTS,
    Bounds,
    Contribution,
    ContributionCell,
    ContributionTable,
    NoisePart,
    catalogue,
    l1_sensitivity,
)
from .errors import ReportRejected
from .render_csv import DIMENSION_COLUMNS
from .tables import ALL, TABLE_DIMENSIONS, TABLE_IDS, TABLE_UNITS

FORMAT: Final = "srojournal-contribution"
ROLLUP_FORMAT: Final = "srojournal-contribution-rollup"
VERSION: Final = 1
MAX_BYTES: Final = 4 * 1024 * 1024
MAX_SCHOOLS: Final = 200
MAX_NAME_LEN: Final = 120
MAX_COUNT: Final = 10**9
EPSILON_MIN: Final = Decimal("0.1")
EPSILON_MAX: Final = Decimal("2.0")
CONFIDENCE: Final = Decimal("0.9")

ROLLUP_TITLE: Final = "SRO Journal contribution roll-up"
ROLLUP_EXPLAINED: Final = (
    "Every figure is an estimate: the sum of the officers' contributions, which are counts with "
    "random noise added for differential privacy. The estimate is unbiased. Under it, the 90 % "
    "interval holds the true total with probability at least 90 %; an estimate may be negative "
    "where the true total is small."
)
ROLLUP_METHOD: Final = (
    "Method. Each student's influence is bounded before counting (at most 4 student contacts and "
    "2 follow-ups a month, 2 referrals, 90 minutes and 10 attendees a contact), then OpenDP's "
    "discrete Laplace mechanism adds the noise; totals of contacts are reconciled by least "
    "squares. The intervals come from the known distribution of the summed noise. They are "
    "about the bounded totals: the bounds leave out a few per cent of contacts."
)
# Words of these files that the leak check must allow (field names and fixed values).
VOCABULARY: Final = (
    ROLLUP_TITLE,
    ROLLUP_EXPLAINED,
    ROLLUP_METHOD,
    "Periods Contributions Estimate ε",
    FORMAT,
    ROLLUP_FORMAT,
    MECHANISM_NAME,
    MEASUREMENT,
    "mechanism name measurement epsilon delta bound parts part scale l1_sensitivity privacy pure",
    "confidence interval exact normal approximation mixed estimate low high noisy_count",
    "sources periods epsilons format period version tables",
    *Bounds().as_dict(),
)


def number(value: Decimal | float) -> str:
    """A decimal number as JSON text: no exponent, at least one decimal (``1.0``, ``0.25``)."""
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text if "." in text else text + ".0"
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


def _s(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _cells_lines(tables: Sequence[Any], fields: Sequence[str]) -> list[str]:
    lines = ['  "tables": [']
    for ti, t in enumerate(tables):
        dims = ", ".join(_s(d) for d in t.dimensions)
        lines.append(
            f'    {{"id": {_s(t.id)}, "unit": {_s(t.unit)}, "dimensions": [{dims}], "cells": ['
        )
        for ci, c in enumerate(t.cells):
            parts = [f"{_s(d)}: {_s(v)}" for d, v in zip(t.dimensions, c.coords, strict=True)]
            parts += [f'"{f}": {int(getattr(c, f))}' for f in fields]
            sep = "," if ci < len(t.cells) - 1 else ""
            lines.append("      {" + ", ".join(parts) + "}" + sep)
        lines.append("    ]}" + ("," if ti < len(tables) - 1 else ""))
    lines.append("  ]")
    return lines


def render_contribution_json(c: Contribution) -> bytes:
    parts = ", ".join(
        f'{{"part": {_s(p.part)}, "epsilon": {number(p.epsilon)}, '
        f'"l1_sensitivity": {p.l1_sensitivity}, "scale": {number(p.scale)}}}'
        for p in c.parts
    )
    bound = ", ".join(f"{_s(k)}: {v}" for k, v in c.bounds.as_dict().items())
    lines = [
        "{",
        f'  "format": {_s(FORMAT)},',
        f'  "version": {VERSION},',
        f'  "period": {_s(c.period)},',
        f'  "mechanism": {{"name": {_s(MECHANISM_NAME)}, "measurement": {_s(MEASUREMENT)}, '
        f'"privacy": "pure", "parts": [{parts}]}},',
        f'  "epsilon": {number(c.epsilon)},',
        f'  "delta": {c.delta},',
        f'  "bound": {{"unit": "student", {bound}}},',
        *_cells_lines(c.tables, ("count",)),
        "}",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_contribution_csv(c: Contribution) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["format", "period", "epsilon", "table", "unit", *DIMENSION_COLUMNS, "noisy_count"])
    for t in c.tables:
        for cell in t.cells:
            coords = dict(zip(t.dimensions, cell.coords, strict=True))
            w.writerow(
                [
                    FORMAT,
                    c.period,
                    number(c.epsilon),
                    t.id,
                    t.unit,
                    *(coords.get(d, "") for d in DIMENSION_COLUMNS),
                    str(cell.count),
                ]
            )
    return buf.getvalue().encode("utf-8")


# -- strict reader ------------------------------------------------------------------------------


def _bad(what: str) -> ReportRejected:
    return ReportRejected(f"not a valid contribution file: {what}")


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
        return json.loads(text, parse_float=Decimal)
    except RecursionError:
        raise _bad("nested too deeply") from None
    except (ValueError, InvalidOperation):
        raise _bad("not JSON") from None


def file_format(content: bytes) -> str | None:
    """The ``format`` field of a JSON file, or None when it is not a JSON object with one."""
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    fmt = data.get("format") if isinstance(data, dict) else None
    return fmt if isinstance(fmt, str) else None


def _decimal(v: object, what: str) -> Decimal:
    if isinstance(v, Decimal) and v.is_finite():
        return v
    if _is_int(v):
        return Decimal(int(v))  # type: ignore[call-overload]
    raise _bad(f"bad {what}")


def _schools(cells: list[Any]) -> tuple[str, ...]:
    schools: list[str] = []
    for c in cells:
        if not isinstance(c, dict):
            raise _bad("cell is not an object")
        name = c.get("school")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LEN:
            raise _bad("bad school name")
        if any(ord(ch) < 32 for ch in name):
            raise _bad("bad school name")
        if name != ALL and _school_shape(name) != name:
            # A file from elsewhere must not smuggle a formula or a sentence into a roll-up.
            raise _bad("a school name does not have the shape of a school name")
        if name != ALL and name not in schools:
            schools.append(name)
    if len(schools) > MAX_SCHOOLS:
        raise _bad("too many schools")
    return tuple(schools)


def _school_shape(name: str) -> str | None:
    try:
        return clean_school_name(name)
    except SchoolNameRefused:
        return None


def _tables(raw: Any) -> tuple[ContributionTable, ...]:
    if not isinstance(raw, list) or len(raw) != len(TABLE_IDS):
        raise _bad("expected the tables T0–T6")
    t2 = raw[2]
    if not isinstance(t2, dict) or not isinstance(t2.get("cells"), list):
        raise _bad("malformed table")
    expected: dict[str, list[tuple[str, ...]]] = {t: [] for t in TABLE_IDS}
    for tid, coords in catalogue(_schools(t2["cells"])):
        expected[tid].append(coords)
    out: list[ContributionTable] = []
    for tid, t in zip(TABLE_IDS, raw, strict=True):
        if not isinstance(t, dict) or set(t) != {"id", "unit", "dimensions", "cells"}:
            raise _bad("malformed table")
        dims = TABLE_DIMENSIONS[tid]
        if t["id"] != tid or t["unit"] != TABLE_UNITS[tid] or t["dimensions"] != list(dims):
            raise _bad("unexpected table id, unit or dimensions")
        cells = t["cells"]
        if not isinstance(cells, list) or len(cells) != len(expected[tid]):
            raise _bad("unexpected number of cells: every cell of the catalogue must be present")
        parsed = []
        keys = frozenset((*dims, "count"))
        for coords, c in zip(expected[tid], cells, strict=True):
            # A roll-up reads thousands of files: plain type and key-view checks keep it fast.
            if type(c) is not dict or c.keys() != keys:
                raise _bad("malformed cell (a contribution cell has its coordinates and a count)")
            if tuple(map(c.__getitem__, dims)) != coords:
                raise _bad("cells out of catalogue order")
            count = c["count"]
            if type(count) is not int or not -MAX_COUNT <= count <= MAX_COUNT:
                raise _bad("a count must be an integer")
            parsed.append(ContributionCell(coords, count))
        out.append(ContributionTable(tid, TABLE_UNITS[tid], dims, tuple(parsed)))
    return tuple(out)


def _bounds(raw: Any) -> Bounds:
    names = set(Bounds().as_dict())
    if not isinstance(raw, dict) or set(raw) != {"unit", *names} or raw["unit"] != "student":
        raise _bad("bad bound")
    if not all(_is_int(raw[n]) and 0 <= raw[n] <= 10_000 for n in names):
        raise _bad("bad bound")
    return Bounds(**{n: int(raw[n]) for n in names})


def _parts(raw: Any, epsilon: Decimal, bounds: Bounds) -> tuple[NoisePart, ...]:
    keys = {"name", "measurement", "privacy", "parts"}
    if not isinstance(raw, dict) or set(raw) != keys:
        raise _bad("bad mechanism")
    if (raw["name"], raw["measurement"], raw["privacy"]) != (MECHANISM_NAME, MEASUREMENT, "pure"):
        raise _bad("unknown mechanism")
    items = raw["parts"]
    if not isinstance(items, list) or len(items) != len(PARTS):
        raise _bad("bad mechanism parts")
    sens = l1_sensitivity(bounds)
    out = []
    for name, p in zip(PARTS, items, strict=True):
        if not isinstance(p, dict) or set(p) != {"part", "epsilon", "l1_sensitivity", "scale"}:
            raise _bad("bad mechanism parts")
        eps = _decimal(p["epsilon"], "part epsilon")
        scale = _decimal(p["scale"], "scale")
        if p["part"] != name or p["l1_sensitivity"] != sens[name]:
            raise _bad("mechanism parts do not match the bound")
        if eps != epsilon * PART_SHARES[name] or not Decimal("0.01") <= scale <= 10**7:
            raise _bad("bad mechanism parts")
        # The scale must be at least what ε and the sensitivity require (a Laplace scale of
        # l1/ε is exactly ε-DP); a smaller one would claim more privacy than the noise gives.
        if scale * eps < sens[name]:
            raise _bad("the noise scale is too small for the stated epsilon")
        out.append(NoisePart(name, eps, sens[name], float(scale)))
    return tuple(out)


def parse_contribution_json(content: bytes) -> Contribution:
    """Read a contribution back, strictly. Raises ReportRejected on anything unexpected."""
    data = _load(content)
    keys = {"format", "version", "period", "mechanism", "epsilon", "delta", "bound", "tables"}
    if not isinstance(data, dict) or set(data) != keys:
        raise _bad("unexpected top-level fields")
    if data["format"] != FORMAT:
        raise _bad("not an SRO Journal contribution")
    if not _is_int(data["version"]) or data["version"] != VERSION:
        raise _bad("unsupported version")
    period = data["period"]
    if not isinstance(period, str) or not is_month(period):
        raise _bad("bad period (a contribution covers one month, YYYY-MM)")
    epsilon = _decimal(data["epsilon"], "epsilon")
    if not EPSILON_MIN <= epsilon <= EPSILON_MAX:
        raise _bad("epsilon out of range")
    if not _is_int(data["delta"]) or data["delta"] != 0:
        raise _bad("delta must be 0 (pure differential privacy)")
    bounds = _bounds(data["bound"])
    parts = _parts(data["mechanism"], epsilon, bounds)
    return Contribution(period, epsilon, parts, bounds, _tables(data["tables"]))


# -- roll-ups -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RollupCell:
    coords: tuple[str, ...]
    estimate: int
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class RollupTable:
    id: str
    unit: str
    dimensions: tuple[str, ...]
    cells: tuple[RollupCell, ...]

    def cell(self, *coords: str) -> RollupCell:
        for c in self.cells:
            if c.coords == coords:
                return c
        raise KeyError(coords)


@dataclass(frozen=True, slots=True)
class Rollup:
    periods: tuple[str, ...]
    sources: int
    epsilons: tuple[Decimal, ...]
    interval: str  # "exact", "normal approximation" or "mixed"
    tables: tuple[RollupTable, ...]

    def table(self, table_id: str) -> RollupTable:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)


def render_rollup_json(r: Rollup) -> bytes:
    periods = ", ".join(_s(p) for p in r.periods)
    epsilons = ", ".join(number(e) for e in r.epsilons)
    lines = [
        "{",
        f'  "format": {_s(ROLLUP_FORMAT)},',
        f'  "version": {VERSION},',
        f'  "periods": [{periods}],',
        f'  "sources": {r.sources},',
        f'  "epsilons": [{epsilons}],',
        f'  "confidence": {number(CONFIDENCE)},',
        f'  "interval": {_s(r.interval)},',
        *_cells_lines(r.tables, ("estimate", "low", "high")),
        "}",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_rollup_csv(r: Rollup) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "format",
            "periods",
            "sources",
            "confidence",
            "table",
            "unit",
            *DIMENSION_COLUMNS,
            "estimate",
            "low",
            "high",
        ]
    )
    for t in r.tables:
        for cell in t.cells:
            coords = dict(zip(t.dimensions, cell.coords, strict=True))
            w.writerow(
                [
                    ROLLUP_FORMAT,
                    ";".join(r.periods),
                    str(r.sources),
                    number(CONFIDENCE),
                    t.id,
                    t.unit,
                    *(coords.get(d, "") for d in DIMENSION_COLUMNS),
                    str(cell.estimate),
                    str(cell.low),
                    str(cell.high),
                ]
            )
    return buf.getvalue().encode("utf-8")
