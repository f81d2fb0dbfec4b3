"""A one- or two-page PDF report drawn with QPainter on a QPdfWriter (QtGui only, no widgets).

* Fonts come only from the bundled DejaVu files, so output never depends on system fonts.
* Everything the page will show is laid out first as a list of drawing operations; the caller's
  check runs on that text *before* anything is painted, and again on the final bytes.
* No identifying metadata: empty title, author and creator, a fixed XMP packet without dates,
  a document id derived from the content, and the Info dates rewritten to the month of the
  period (``D:YYYYMM``, padded with spaces to the same length so the xref offsets stay valid).
  Rendering the same summary twice gives the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, Qt, QUuid
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from .model import Aggregate, Cell, Summary, Table
from .report_text import (
    AGGREGATE_TITLE,
    LOWER_BOUND_EXPLAINED,
    MEASURE_LABELS,
    METHOD_TITLE,
    ROLLUP_EXPLAINED,
    S_EXPLAINED,
    SUMMARY_TITLE,
    cell_text,
    label,
    methodology,
)
from .tables import ALL, TABLE_TITLES

FONT_FAMILY = "DejaVu Sans"
_PAGE_W, _PAGE_H, _MARGIN = 595.0, 842.0, 36.0

# --- layout ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Op:
    kind: str  # "text" | "rect" | "line" | "page"
    rect: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    text: str = ""
    size: float = 8.0
    bold: bool = False
    align: str = "left"
    color: str = "#000000"
    wrap: bool = False


class _Layout:
    def __init__(self) -> None:
        self.ops: list[_Op] = []
        self.y = _MARGIN

    def text(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        text: str,
        *,
        size: float = 8.0,
        bold: bool = False,
        align: str = "left",
        color: str = "#000000",
        wrap: bool = False,
    ) -> None:
        self.ops.append(_Op("text", (x, y, w, h), text, size, bold, align, color, wrap))

    def rect(self, x: float, y: float, w: float, h: float, color: str) -> None:
        self.ops.append(_Op("rect", (x, y, w, h), color=color))

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.ops.append(_Op("line", (x1, y1, x2, y2), color="#999999"))

    def ensure(self, height: float) -> None:
        if self.y + height > _PAGE_H - _MARGIN:
            self.ops.append(_Op("page"))
            self.y = _MARGIN

    def paragraph(self, text: str, size: float = 7.0, bold: bool = False) -> None:
        """Wrap ``text`` to the page width, measured with the bundled font."""
        _ensure_app()
        metrics = QFontMetricsF(_font(size, bold), _measuring_device())
        width = _PAGE_W - 2 * _MARGIN
        line = ""
        for word in text.split():
            candidate = f"{line} {word}".strip()
            if line and metrics.horizontalAdvance(candidate) > width:
                self.ensure(size + 3)
                self.text(_MARGIN, self.y, width, size + 3, line, size=size, bold=bold)
                self.y += size + 3
                line = word
            else:
                line = candidate
        if line:
            self.ensure(size + 3)
            self.text(_MARGIN, self.y, _PAGE_W - 2 * _MARGIN, size + 3, line, size=size)
            self.y += size + 3

    def headline(self, t0: Table) -> None:
        w = (_PAGE_W - 2 * _MARGIN) / len(t0.cells)
        for i, c in enumerate(t0.cells):
            x = _MARGIN + i * w
            self.rect(x + 2, self.y, w - 4, 44, "#eef2f7")
            self.text(
                x + 2, self.y + 4, w - 4, 22, cell_text(c), size=16, bold=True, align="center"
            )
            caption = MEASURE_LABELS.get(c.coords[0], c.coords[0])
            self.text(x + 2, self.y + 28, w - 4, 12, caption, size=7, align="center")
        self.y += 54

    def bar_chart(
        self, x: float, y: float, w: float, title: str, bars: Sequence[tuple[str, Cell]]
    ) -> float:
        self.text(x, y, w, 12, title, size=8, bold=True)
        y += 14
        values = [c.count for _, c in bars if c.count is not None]
        top = max(values) if values and max(values) > 0 else 1
        label_w, bar_h = 112.0, 11.0
        for name, c in bars:
            self.text(x, y, label_w - 4, bar_h, name, size=6.5, align="right")
            if c.count is not None and c.count > 0:
                length = (w - label_w - 30) * c.count / top
                self.rect(x + label_w, y + 1.5, length, bar_h - 3, "#4a78b5")
            end = x + label_w + ((w - label_w - 30) * c.count / top if c.count else 0)
            self.text(end + 3, y, 28, bar_h, cell_text(c), size=6.5)
            y += bar_h + 1
        return y

    def table(self, t: Table) -> None:
        title = f"{t.id}  {TABLE_TITLES.get(t.id, t.id)}"
        if len(t.dimensions) == 1:
            rows = [c.coords[0] for c in t.cells]
            cols: list[str] = []
        else:
            rows = list(dict.fromkeys(c.coords[0] for c in t.cells))
            cols = list(dict.fromkeys(c.coords[1] for c in t.cells))
        row_h = 9.5
        head_h = 16.0 if cols else row_h
        height = 14 + head_h + row_h * len(rows) + 6
        self.ensure(height)
        self.text(_MARGIN, self.y, _PAGE_W - 2 * _MARGIN, 12, title, size=8, bold=True)
        self.y += 14
        ncols = max(1, len(cols))
        label_w = 104.0 if ncols >= 8 else 160.0
        col_w = min(60.0, (_PAGE_W - 2 * _MARGIN - label_w) / ncols)
        x0 = _MARGIN + label_w
        headers = [label(t.dimensions[1], c) for c in cols] if cols else ["Count"]
        for i, h in enumerate(headers):
            self.text(
                x0 + i * col_w,
                self.y,
                col_w - 2,
                head_h,
                h,
                size=5.4,
                color="#333333",
                align="right",
                wrap=True,
            )
        self.y += head_h
        self.line(_MARGIN, self.y, x0 + ncols * col_w, self.y)
        index = {c.coords: c for c in t.cells}
        for r in rows:
            self.text(
                _MARGIN,
                self.y,
                label_w - 4,
                row_h,
                label(t.dimensions[0], r),
                size=6.5,
                bold=(r == ALL),
            )
            keys = [(r, c) for c in cols] if cols else [(r,)]
            for i, key in enumerate(keys):
                self.text(
                    x0 + i * col_w,
                    self.y,
                    col_w - 2,
                    row_h,
                    cell_text(index[key]),
                    size=6.5,
                    align="right",
                    bold=(ALL in key),
                )
            self.y += row_h
        self.y += 6


def _layout(
    header: Sequence[str],
    tables: Sequence[Table],
    notes: Sequence[str],
    title: str,
) -> _Layout:
    lay = _Layout()
    lay.text(_MARGIN, lay.y, _PAGE_W - 2 * _MARGIN, 20, title, size=15, bold=True)
    lay.y += 22
    for line in header:
        lay.paragraph(line, size=8.5)
    lay.y += 6
    by_id = {t.id: t for t in tables}
    lay.headline(by_id["T0"])
    t1 = by_id["T1"]
    cats = [
        (label("category", c.coords[0]), c)
        for c in t1.cells
        if c.coords[1] == ALL and c.coords[0] != ALL
    ]
    groups = [
        (label("outcome_group", c.coords[1]), c)
        for c in t1.cells
        if c.coords[0] == ALL and c.coords[1] != ALL
    ]
    half = (_PAGE_W - 2 * _MARGIN - 20) / 2
    y1 = lay.bar_chart(_MARGIN, lay.y, half, "Contacts by category", cats)
    y2 = lay.bar_chart(_MARGIN + half + 20, lay.y, half, "Contacts by outcome group", groups)
    lay.y = max(y1, y2) + 8
    for note in notes:
        lay.paragraph(note, size=7)
    lay.y += 4
    for t in tables:
        if t.id != "T0":
            lay.table(t)
    return lay


# --- painting ----------------------------------------------------------------------------------

# A fixed XMP packet: Qt's default one carries creation dates and a random instance id.
_XMP = (
    b"<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>"
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about=""/></rdf:RDF></x:xmpmeta>'
    b"<?xpacket end='r'?>"
)

_app: QGuiApplication | None = None
_fonts_loaded = False


def _ensure_app() -> None:
    global _app, _fonts_loaded
    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QGuiApplication([])
    if not _fonts_loaded:
        folder = resources.files("srojournal") / "resources" / "fonts"
        for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
            data = (folder / name).read_bytes()
            if QFontDatabase.addApplicationFontFromData(QByteArray(data)) < 0:
                raise RuntimeError("the bundled report font could not be loaded")
        _fonts_loaded = True


_measure: QImage | None = None


def _measuring_device() -> QImage:
    """A 72-dpi device: one unit is one point, as on the page, on every machine.

    Measuring against the screen instead would make the wrapping depend on the machine's DPI.
    """
    global _measure
    if _measure is None:
        _measure = QImage(1, 1, QImage.Format.Format_ARGB32)
        dots_per_meter = round(72 / 0.0254)
        _measure.setDotsPerMeterX(dots_per_meter)
        _measure.setDotsPerMeterY(dots_per_meter)
    return _measure


def _font(size: float, bold: bool) -> QFont:
    f = QFont(FONT_FAMILY)
    f.setPointSizeF(size)
    f.setBold(bold)
    f.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    # No ligatures: the text extracted from the PDF then reads exactly as drawn.
    f.setFeature(QFont.Tag("liga"), 0)
    return f


def _paint(lay: _Layout, doc_seed: str) -> bytes:
    _ensure_app()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buf)
    writer.setTitle("")
    writer.setAuthor("")
    writer.setCreator("")
    writer.setDocumentXmpMetadata(QByteArray(_XMP))
    doc_id = uuid.uuid5(uuid.NAMESPACE_OID, doc_seed)
    writer.setDocumentId(QUuid.fromString(str(doc_id)))
    # 72 dpi: one device unit is one point, so font point sizes and the layout's coordinates
    # agree (coordinates stay floating point; the PDF is vector text either way).
    writer.setResolution(72)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    painter = QPainter(writer)
    aligns = {
        "left": Qt.AlignmentFlag.AlignLeft,
        "right": Qt.AlignmentFlag.AlignRight,
        "center": Qt.AlignmentFlag.AlignHCenter,
    }
    for op in lay.ops:
        if op.kind == "page":
            writer.newPage()
        elif op.kind == "rect":
            painter.fillRect(QRectF(*op.rect), QBrush(QColor(op.color)))
        elif op.kind == "line":
            painter.setPen(QPen(QColor(op.color), 0.5))
            x1, y1, x2, y2 = op.rect
            painter.drawLine(QRectF(x1, y1, x2 - x1, 0).topLeft(), QRectF(x2, y2, 0, 0).topLeft())
        else:
            painter.setPen(QColor(op.color))
            painter.setFont(_font(op.size, op.bold))
            vertical = Qt.AlignmentFlag.AlignBottom if op.wrap else Qt.AlignmentFlag.AlignVCenter
            flags = int(aligns[op.align].value) | int(vertical.value)
            if op.wrap:
                flags |= int(Qt.TextFlag.TextWordWrap.value)
            painter.drawText(QRectF(*op.rect), flags, op.text)
    painter.end()
    buf.close()
    return bytes(data.data())


_DATE_FIELD = re.compile(rb"/(CreationDate|ModDate) \((D:[0-9Z+\-']*)\)")


def _scrub(pdf: bytes, month: str) -> bytes:
    """Rewrite the Info dates to the month (same length) and check the XMP packet has no dates."""

    def repl(m: re.Match[bytes]) -> bytes:
        old = m.group(2)
        new = b"D:" + month.encode("ascii")
        if len(new) > len(old):
            new = new[: len(old)]
        return b"/" + m.group(1) + b" (" + new + b")" + b" " * (len(old) - len(new))

    return _DATE_FIELD.sub(repl, pdf)


TextCheck = Callable[[str], None]


def _render(lay: _Layout, month: str, check_text: TextCheck | None) -> bytes:
    if check_text is not None:
        check_text("\n".join(op.text for op in lay.ops if op.kind == "text"))
    seed = hashlib.sha256(
        "\x1f".join(f"{op.kind}{op.rect}{op.text}" for op in lay.ops).encode("utf-8")
    ).hexdigest()
    return _scrub(_paint(lay, seed), month)


def render_summary_pdf(summary: Summary, check_text: TextCheck | None = None) -> bytes:
    """Render one release. ``check_text`` runs on all text before anything is painted."""
    header = [
        f"Period {summary.period} · Release {summary.release} · Threshold k = {summary.threshold}",
        S_EXPLAINED,
    ]
    notes = [METHOD_TITLE + ". " + " ".join(methodology(summary.threshold))]
    lay = _layout(header, summary.tables, notes, SUMMARY_TITLE)
    return _render(lay, summary.period.replace("-", ""), check_text)


def render_aggregate_pdf(agg: Aggregate, check_text: TextCheck | None = None) -> bytes:
    header = [
        f"Periods {', '.join(agg.periods)}",
        f"Summaries {agg.sources} · Threshold k = {agg.threshold}"
        + (
            ""
            if len(agg.input_thresholds) <= 1
            else " (inputs used "
            + ", ".join(str(k) for k in agg.input_thresholds)
            + "; the highest)"
        ),
        S_EXPLAINED,
        LOWER_BOUND_EXPLAINED,
        ROLLUP_EXPLAINED,
    ]
    notes = [METHOD_TITLE + ". " + " ".join(methodology(agg.threshold))]
    lay = _layout(header, agg.tables, notes, AGGREGATE_TITLE)
    return _render(lay, min(agg.periods).replace("-", "") if agg.periods else "", check_text)
