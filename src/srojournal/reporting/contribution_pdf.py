"""A readable PDF of a contribution roll-up: every estimate with its 90 % interval under it.

It is drawn with the summary report's machinery (render_pdf: bundled fonts, layout checked before
painting, no identifying metadata, deterministic bytes), with its own title, explanation and table
cells. Each cell shows the estimate and, in smaller type, the interval ``low–high``.
"""

from __future__ import annotations

from .contribution_io import (
    ROLLUP_EXPLAINED,
    ROLLUP_METHOD,
    ROLLUP_TITLE,
    Rollup,
    RollupTable,
    number,
)
from .render_pdf import _MARGIN, _PAGE_H, _PAGE_W, TextCheck, _Layout, _render
from .report_text import label
from .tables import ALL, TABLE_TITLES


def _table(lay: _Layout, t: RollupTable) -> None:
    title = f"{t.id}  {TABLE_TITLES.get(t.id, t.id)}"
    if len(t.dimensions) == 1:
        rows = [c.coords[0] for c in t.cells]
        cols: list[str] = []
    else:
        rows = list(dict.fromkeys(c.coords[0] for c in t.cells))
        cols = list(dict.fromkeys(c.coords[1] for c in t.cells))
    row_h, head_h = 16.0, 16.0
    lay.ensure(14 + head_h + row_h * min(len(rows), 3))
    lay.text(_MARGIN, lay.y, _PAGE_W - 2 * _MARGIN, 12, title, size=8, bold=True)
    lay.y += 14
    ncols = max(1, len(cols))
    label_w = 96.0 if ncols >= 8 else 150.0
    col_w = min(70.0, (_PAGE_W - 2 * _MARGIN - label_w) / ncols)
    x0 = _MARGIN + label_w

    def header() -> None:
        names = [label(t.dimensions[1], c) for c in cols] if cols else ["Estimate"]
        for i, h in enumerate(names):
            lay.text(
                x0 + i * col_w, lay.y, col_w - 2, head_h, h,
                size=5.4, color="#333333", align="right", wrap=True,
            )  # fmt: skip
        lay.y += head_h
        lay.line(_MARGIN, lay.y, x0 + ncols * col_w, lay.y)

    header()
    index = {c.coords: c for c in t.cells}
    for r in rows:
        if lay.y + row_h > _PAGE_H - _MARGIN:
            lay.ensure(row_h + head_h)
            header()
        lay.text(_MARGIN, lay.y, label_w - 4, 9, label(t.dimensions[0], r), size=6.5, bold=r == ALL)
        keys = [(r, c) for c in cols] if cols else [(r,)]
        for i, key in enumerate(keys):
            cell = index[key]
            x = x0 + i * col_w
            lay.text(
                x, lay.y, col_w - 2, 9, str(cell.estimate),
                size=6.5, align="right", bold=ALL in key,
            )  # fmt: skip
            lay.text(
                x, lay.y + 8, col_w - 2, 7, f"{cell.low}–{cell.high}",
                size=4.8, align="right", color="#555555",
            )  # fmt: skip
        lay.y += row_h
    lay.y += 6


def render_rollup_pdf(r: Rollup, check_text: TextCheck | None = None) -> bytes:
    """Render a roll-up. ``check_text`` runs on all text before anything is painted."""
    lay = _Layout()
    lay.text(_MARGIN, lay.y, _PAGE_W - 2 * _MARGIN, 20, ROLLUP_TITLE, size=15, bold=True)
    lay.y += 22
    epsilons = ", ".join(number(e) for e in r.epsilons)
    lay.paragraph(
        f"Periods {', '.join(r.periods)} · Contributions {r.sources} · ε {epsilons}", size=8.5
    )
    lay.paragraph(ROLLUP_EXPLAINED, size=8)
    lay.y += 4
    for t in r.tables:
        _table(lay, t)
    lay.paragraph(ROLLUP_METHOD, size=7)
    return _render(lay, min(r.periods).replace("-", "") if r.periods else "", check_text)
