"""Text copied from the unlocked journal: marked secret, cleared after a timeout and on lock."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QClipboard
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from srojournal.domain.settings import CLIPBOARD_TIMEOUT_SECONDS
from srojournal.ui import clipboard
from srojournal.vault.store import Vault

from .conftest import PASSPHRASE, unlock


def _copy_from_the_search_field(qtbot, w, text: str) -> None:
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    field = w.page("journal").search
    field.setFocus()
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(field, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)


def test_a_copy_is_marked_secret_then_cleared_after_the_timeout(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    w.clipboard_guard.timeout_ms = 300  # the setting's floor is 10 s; not worth waiting here
    _copy_from_the_search_field(qtbot, w, "bus incident plan")
    cb = QApplication.clipboard()
    qtbot.waitUntil(lambda: cb.mimeData().hasFormat(clipboard.KDE_HINT))
    data = cb.mimeData()
    assert cb.text() == "bus incident plan"
    for fmt, value in clipboard.SECRET_FORMATS.items():
        assert bytes(data.data(fmt)) == value, fmt
    qtbot.waitUntil(lambda: cb.text() == "", timeout=5_000)
    assert not w.is_locked  # cleared by the timeout, not by a lock


def test_lock_clears_the_copy_and_the_selection(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    _copy_from_the_search_field(qtbot, w, "Zebediah called home")
    cb = QApplication.clipboard()
    qtbot.waitUntil(lambda: cb.text() == "Zebediah called home")
    if cb.supportsSelection():  # X11: text selected in a field is the primary selection
        assert cb.text(QClipboard.Mode.Selection) == "Zebediah called home"
    w.lock("idle")
    assert cb.text() == ""
    if cb.supportsSelection():
        assert cb.text(QClipboard.Mode.Selection) == ""


def test_a_copy_made_while_locked_is_left_alone(qtbot, window_factory, vault_dir):
    cb = QApplication.clipboard()
    w = window_factory(vault_path=vault_dir)
    cb.setText("copied in another program")
    unlock(qtbot, w)
    assert not cb.mimeData().hasFormat(clipboard.KDE_HINT)
    w.lock("manual")
    assert cb.text() == "copied in another program"
    cb.clear()


def test_the_timeout_is_a_vault_setting(qtbot, window_factory, vault_dir):
    clip = CLIPBOARD_TIMEOUT_SECONDS
    with Vault.open(vault_dir, PASSPHRASE) as v:
        for stored, read in (("1", 10), ("junk", 30)):
            v.journal.set_setting(clip.key, stored)
            assert clip.read(v.journal) == read
        v.journal.set_setting(clip.key, "45")
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    assert w.clipboard_guard.timeout_ms == 45_000
