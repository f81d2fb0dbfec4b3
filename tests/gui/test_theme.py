"""What the theme draws: a tick in a ticked box and a focus ring one can see, light and dark."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from srojournal.ui import theme
from srojournal.ui.widgets import primary_button


def _count(image: QImage, colour: str, tolerance: int = 60) -> int:
    want = QColor(colour)
    n = 0
    for x in range(image.width()):
        for y in range(image.height()):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - want.red())
                + abs(c.green() - want.green())
                + abs(c.blue() - want.blue())
                < tolerance
            ):
                n += 1
    return n


@pytest.fixture(params=["light", "dark"])
def scheme(request, qapp):
    theme.apply_theme(qapp, request.param)
    yield theme.colors()
    theme.apply_theme(qapp, "light")


def test_a_ticked_box_shows_a_tick(qtbot, scheme):
    box = QCheckBox("Party")
    qtbot.addWidget(box)
    box.setChecked(True)
    box.show()
    opt = QStyleOptionButton()
    box.initStyleOption(opt)
    rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, opt, box)
    image = box.grab(rect).toImage()
    tick = "#ffffff" if scheme is theme.LIGHT else "#10131a"
    assert _count(image, scheme.accent) > 20  # the filled box
    assert _count(image, tick) >= 8  # and the tick on it


def test_the_focus_ring_of_an_accent_button_is_visible(qtbot, scheme):
    w = QWidget()
    qtbot.addWidget(w)
    lay = QHBoxLayout(w)
    plain, focused = primary_button("Save", "a"), primary_button("Save", "b")
    lay.addWidget(plain)
    lay.addWidget(focused)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    focused.setFocus()
    QApplication.processEvents()
    a, b = plain.grab().toImage(), focused.grab().toImage()
    assert _count(a, scheme.focus, 30) == 0
    assert _count(b, scheme.focus, 30) >= 2 * (b.width() + b.height())  # a ring all round
