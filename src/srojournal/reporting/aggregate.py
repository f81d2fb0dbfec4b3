"""Roll-ups made only from released summary files (docs/summary-format.md).

A roll-up cell is the sum of the published cells of every input. When at least one input has the
cell suppressed, the sum of the others is only a *lower bound* of the true total: the cell is
marked ``"status": "lower_bound"`` and carries that known minimum as its ``count``. Inputs are
validated strictly (format, version, catalogue, integer non-negative counts, bounded size);
different thresholds are allowed and the roll-up states the highest one and lists them all.
Schools are the union of the inputs' schools, sorted; an input without a school counts 0 there.

Inputs may be months, quarters or school years, but all of one kind: a quarter already holds its
months and a school year its quarters, so mixing kinds would count the same contacts twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from srojournal.domain.periods import parse_period
from srojournal.domain.schools import SchoolNameRefused, clean_school_name

from .errors import ReportRejected
from .model import STATUS_LOWER_BOUND, STATUS_OK, STATUS_SUPPRESSED, Aggregate, Cell, Summary, Table
from .render_json import parse_summary_json
from .tables import TABLE_DIMENSIONS, TABLE_IDS, TABLE_UNITS, dimension_values

# A state program: 300 officers × 12 months is 3,600 files; a roll-up of 5,000 stays well under
# 300 MB of memory (each input is parsed whole before the sums are made).
MAX_INPUTS = 5000


def aggregate_summaries(summaries: Sequence[Summary]) -> Aggregate:
    if not summaries:
        raise ReportRejected("nothing to aggregate: give at least one summary file")
    if len(summaries) > MAX_INPUTS:
        raise ReportRejected(f"too many summary files (at most {MAX_INPUTS})")
    kinds = {parse_period(x.period).kind for x in summaries}
    if len(kinds) > 1:
        raise ReportRejected(
            "cannot roll up months, quarters and school years together: a longer period already "
            "holds the shorter ones, so contacts would be counted twice"
        )
    schools = sorted({s for x in summaries for s in x.schools}, key=lambda n: (n.casefold(), n))
    for name in schools:
        _check_school(name)
    # One pass over the inputs' own cells (not a look-up of every roll-up cell in every input):
    # a cell missing from an input (a school it does not have) adds nothing.
    totals: dict[tuple[str, tuple[str, ...]], int] = {}
    bounded: set[tuple[str, tuple[str, ...]]] = set()
    for x in summaries:
        for t in x.tables:
            for c in t.cells:
                key = (t.id, c.coords)
                if c.status == STATUS_SUPPRESSED or c.count is None:
                    bounded.add(key)
                else:
                    totals[key] = totals.get(key, 0) + c.count
    tables: list[Table] = []
    for tid in TABLE_IDS:
        dims = TABLE_DIMENSIONS[tid]
        coords_list: list[tuple[str, ...]] = [()]
        for d in dims:
            coords_list = [(*p, v) for p in coords_list for v in dimension_values(tid, d, schools)]
        out: list[Cell] = []
        for coords in coords_list:
            key = (tid, coords)
            status = STATUS_LOWER_BOUND if key in bounded else STATUS_OK
            out.append(Cell(coords, totals.get(key, 0), status))
        tables.append(Table(tid, TABLE_UNITS[tid], dims, tuple(out)))
    thresholds = tuple(sorted({x.threshold for x in summaries}))
    periods = tuple(sorted({x.period for x in summaries}))
    return Aggregate(periods, len(summaries), max(thresholds), thresholds, tuple(tables))


def _check_school(name: str) -> None:
    """A school label read from an input file must look like a school name: a hostile file
    must not carry a formula or a sentence into the coordinator's roll-up."""
    try:
        ok = clean_school_name(name) == name
    except SchoolNameRefused:
        ok = False
    if not ok:
        raise ReportRejected("an input has a school label that is not a school name")


def aggregate_contents(contents: Sequence[bytes]) -> Aggregate:
    """Parse and roll up released summary files; any bad input raises ReportRejected."""
    if len(contents) != len(set(contents)):
        raise ReportRejected("the same summary file was given twice")
    summaries: list[Summary] = []
    for i, content in enumerate(contents, start=1):
        try:
            summaries.append(parse_summary_json(content))
        except ReportRejected as exc:
            raise ReportRejected(f"input {i}: {exc}") from None
    return aggregate_summaries(summaries)
