"""A modal progress window fed from a worker thread (a re-encryption of the journal).

``report(fraction)`` may be called from any thread: it emits a signal of an object living in the
GUI thread, so Qt queues the update to the window.
"""

from __future__ import annotations

from PySide6 import QtCore
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget


class _Relay(QObject):
    progressed = Signal(float)


class WorkProgress:
    def __init__(self, parent: QWidget, title: str, label: str) -> None:
        self.dialog = QProgressDialog(label, "", 0, 100, parent)
        self.dialog.setObjectName("workProgress")
        self.dialog.setWindowTitle(title)
        self.dialog.setAccessibleName(title)
        self.dialog.setCancelButton(None)  # a re-encryption is not interrupted half-way
        self.dialog.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setValue(0)
        self._relay = _Relay()
        self._relay.progressed.connect(self._show)
        self.dialog.show()

    def report(self, fraction: float) -> None:
        self._relay.progressed.emit(fraction)

    def _show(self, fraction: float) -> None:
        self.dialog.setValue(round(max(0.0, min(1.0, fraction)) * 100))

    def close(self) -> None:
        self._relay.progressed.disconnect(self._show)
        self.dialog.close()
        self.dialog.deleteLater()
