"""Text copied out of the unlocked journal: marked secret, cleared after a timeout and on lock.

While the vault is unlocked, a copy made in one of the app's windows (Ctrl+C in a note, a name, a
field) is *ours*. Ours is:

* marked as secret for clipboard managers and clipboard history: ``x-kde-passwordManagerHint:
  secret`` (KDE Klipper and the managers that follow it), the Windows formats
  ``ExcludeClipboardContentFromMonitorProcessing``, ``CanIncludeInClipboardHistory`` = 0 and
  ``CanUploadToCloudClipboard`` = 0 (Windows clipboard history and cloud clipboard), and on macOS
  ``org.nspasteboard.ConcealedType`` (nspasteboard.org) through a converter Qt lets us register;
* cleared after a timeout (``CLIPBOARD_TIMEOUT_SECONDS`` in domain/settings.py: default 30 s,
  Settings → General) and when the vault locks, together
  with the X11 primary selection (text selected in a field), which no clipboard manager hint
  covers.

A copy made in another application is never touched. The marking replaces the clipboard's content
with the same formats plus the hints right after the copy; a manager that reads faster than that
can still record it, which is why the content is also cleared.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QMimeData, QObject, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication

from srojournal.domain.settings import CLIPBOARD_TIMEOUT_SECONDS

log = logging.getLogger("srojournal.ui.clipboard")

KDE_HINT: Final = "x-kde-passwordManagerHint"
MAC_CONCEALED: Final = "application/x-nspasteboard-concealed-type"
_WIN: Final = 'application/x-qt-windows-mime;value="{}"'
SECRET_FORMATS: Final = {
    KDE_HINT: b"secret",
    MAC_CONCEALED: b"secret",
    _WIN.format("ExcludeClipboardContentFromMonitorProcessing"): b"\x00\x00\x00\x00",
    _WIN.format("CanIncludeInClipboardHistory"): b"\x00\x00\x00\x00",  # DWORD 0
    _WIN.format("CanUploadToCloudClipboard"): b"\x00\x00\x00\x00",  # DWORD 0
}


def secret_copy(data: QMimeData) -> QMimeData:
    """The same content in every format, plus the clipboard managers' secret hints."""
    copy = QMimeData()
    for fmt in data.formats():
        copy.setData(fmt, data.data(fmt))
    for fmt, value in SECRET_FORMATS.items():
        copy.setData(fmt, value)
    return copy


class ClipboardGuard(QObject):
    """Watches the clipboard and the selection while ``active``; see the module doc."""

    def __init__(self, parent: QObject | None, is_ours: Callable[[], bool]) -> None:
        super().__init__(parent)
        self._is_ours = is_ours
        self._clipboard = QGuiApplication.clipboard()
        self._modes = [QClipboard.Mode.Clipboard]
        if self._clipboard.supportsSelection():
            self._modes.append(QClipboard.Mode.Selection)
        self._ours = dict.fromkeys(self._modes, False)
        self._marking = False
        self.active = False
        self.timeout_ms = CLIPBOARD_TIMEOUT_SECONDS.default * 1000
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear_now)
        self._clipboard.changed.connect(self._on_changed)
        _register_mac_converter()

    def start(self, seconds: int) -> None:
        """The vault is unlocked: copies from now on are ours."""
        self.set_seconds(seconds)
        self.active = True

    def set_seconds(self, seconds: int) -> None:
        self.timeout_ms = CLIPBOARD_TIMEOUT_SECONDS.clamp(seconds) * 1000
        if self._timer.isActive():
            self._timer.start(self.timeout_ms)

    def stop(self) -> None:
        """The vault locks: clear what is ours, watch no more."""
        self.clear_now()
        self.active = False

    def owns(self, mode: QClipboard.Mode) -> bool:
        return self._ours.get(mode, False)

    def _on_changed(self, mode: QClipboard.Mode) -> None:
        if self._marking or mode not in self._ours:
            return
        ours = self.active and self._is_ours()
        self._ours[mode] = ours
        if not ours:
            return
        if mode == QClipboard.Mode.Clipboard:
            self._mark_secret()
        self._timer.start(self.timeout_ms)

    def _mark_secret(self) -> None:
        data = self._clipboard.mimeData(QClipboard.Mode.Clipboard)
        if data is None or data.hasFormat(KDE_HINT) or not data.formats():
            return
        self._marking = True
        try:
            self._clipboard.setMimeData(secret_copy(data), QClipboard.Mode.Clipboard)
        finally:
            self._marking = False

    def clear_now(self) -> None:
        """Clear the clipboard and the selection if what they hold is still ours."""
        self._timer.stop()
        for mode in self._modes:
            owned_here = (
                self._clipboard.ownsClipboard()
                if mode == QClipboard.Mode.Clipboard
                else self._clipboard.ownsSelection()
            )
            if self._ours[mode] or owned_here:
                self._clipboard.clear(mode)
            self._ours[mode] = False


_mac_converter: object | None = None


def _register_mac_converter() -> None:  # pragma: no cover - macOS only
    """On macOS, map our concealed-type MIME name to the pasteboard type managers look for."""
    global _mac_converter
    if sys.platform != "darwin" or _mac_converter is not None:
        return
    try:
        from PySide6.QtGui import QUtiMimeConverter  # type: ignore[attr-defined]
    except ImportError:
        log.info("no QUtiMimeConverter: copies are cleared but not marked concealed on macOS")
        return

    class _Concealed(QUtiMimeConverter):  # type: ignore[misc]
        def utiForMime(self, mime: str) -> str:  # noqa: N802
            return "org.nspasteboard.ConcealedType" if mime == MAC_CONCEALED else ""

        def mimeForUti(self, uti: str) -> str:  # noqa: N802
            return MAC_CONCEALED if uti == "org.nspasteboard.ConcealedType" else ""

        def convertToMime(self, mime: str, data: list[bytes], uti: str) -> object:  # noqa: N802
            return data[0] if data else b""

        def convertFromMime(self, mime: str, data: object, uti: str) -> list[object]:  # noqa: N802
            return [data]

    _mac_converter = _Concealed()
