"""Render the app icon's PNG sizes from the SVG (run when the SVG changes; PNGs are committed)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

APP_ID = "org.srojournal.SROJournal"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    root = Path(__file__).resolve().parent.parent / "resources" / "icons"
    app = QGuiApplication(sys.argv)
    renderer = QSvgRenderer(str(root / f"{APP_ID}.svg"))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = root / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        image.save(str(out))
        if size == 256:  # Windows wants an .ico for the executable and the installer
            image.save(str(root / f"{APP_ID}.ico"), "ICO")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
