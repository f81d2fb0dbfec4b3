"""A small horizontal bar chart drawn with QPainter; suppressed values show as "S", no bar."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

ROW = 24
LABEL_WIDTH = 170


class BarChart(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.bars: list[tuple[str, int | None]] = []
        self.setAccessibleName(title)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: Sequence[tuple[str, int | None]]) -> None:
        self.bars = list(bars)
        text = "; ".join(f"{k}: {'S' if v is None else v}" for k, v in self.bars)
        self.setAccessibleDescription(text)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(360, ROW * (len(self.bars) + 1) + 8)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(220, self.sizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        font = p.font()
        font.setBold(True)
        p.setFont(font)
        p.setPen(pal.color(QPalette.ColorRole.WindowText))
        p.drawText(QRectF(0, 0, self.width(), ROW), Qt.AlignmentFlag.AlignVCenter, self.title)
        font.setBold(False)
        p.setFont(font)
        top = max((v for _, v in self.bars if v is not None), default=0) or 1
        label_w = min(LABEL_WIDTH, int(self.width() * 0.54))
        value_w = 48
        bar_w = max(self.width() - label_w - value_w - 16, 10)
        accent = pal.color(QPalette.ColorRole.Highlight)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        for i, (label, value) in enumerate(self.bars):
            y = ROW * (i + 1)
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            elided = p.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, label_w - 8)
            p.drawText(QRectF(0, y, label_w - 8, ROW), Qt.AlignmentFlag.AlignVCenter, elided)
            x = label_w
            if value is None:
                p.setPen(muted)
                p.drawText(QRectF(x, y, value_w, ROW), Qt.AlignmentFlag.AlignVCenter, "S")
                continue
            w = bar_w * value / top
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(accent)
            p.drawRoundedRect(QRectF(x, y + 5, max(w, 2), ROW - 10), 3, 3)
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            p.drawText(
                QRectF(x + w + 6, y, value_w, ROW), Qt.AlignmentFlag.AlignVCenter, str(value)
            )
        p.end()
