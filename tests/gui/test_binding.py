"""Guard against a Qt binding that leaks references to None (PySide6 6.12.0 on Python 3.11).

Every call there that returns nothing dropped one reference to None; after a few thousand calls
the interpreter aborts ("deallocating None"). pyproject.toml pins a version without the defect.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWidget


def test_void_calls_keep_none_alive(qapp) -> None:
    w = QWidget()
    before = sys.getrefcount(None)
    for _ in range(500):
        w.setEnabled(True)
        w.setToolTip("")
    assert abs(sys.getrefcount(None) - before) < 50
