"""Auto-lock: idle time with a half-typed entry, draft restored after unlock, key zeroed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from srojournal.ui.autolock import AutoLock
from srojournal.ui.entry import QuickEntryDialog
from srojournal.ui.journal.page import JournalPage

from .conftest import add_contact, unlock


def test_idle_autolock_keeps_the_half_typed_entry(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir, autolock_seconds=0.6)
    unlock(qtbot, w)
    vault = w.vault
    assert vault is not None
    page = w.page("journal")
    assert isinstance(page, JournalPage)
    w.open_quick_entry()
    d = w.entry
    assert isinstance(d, QuickEntryDialog)
    qtbot.keyClicks(d.notes, "Student came by to talk about")
    d.duration.setValue(25)
    with qtbot.waitSignal(w.locked, timeout=5000):
        pass  # no input: the idle timer fires
    assert w.is_locked
    assert vault.key_is_zeroed
    assert not vault.is_open
    assert w.entry is None
    assert w.root.currentWidget() is w.unlock_screen
    assert w.workspace is None
    assert w.unlock_screen.current_view() == "unlock"
    assert "Locked" in w.windowTitle()
    assert page.model.rowCount() == 0  # cleared before the pages went away

    unlock(qtbot, w)
    qtbot.waitUntil(lambda: w.entry is not None)
    restored = w.entry
    assert restored.notes.toPlainText() == "Student came by to talk about"
    assert restored.duration.value() == 25
    assert restored.restored_draft


def test_activity_postpones_the_lock(qtbot, window_factory, vault_dir):
    """Input as the window system delivers it: to the window, then to the focused widget."""
    w = window_factory(vault_path=vault_dir, autolock_seconds=3)
    unlock(qtbot, w)
    page = w.page("journal")
    page.focus_search()

    def key_in_the_window() -> None:
        QTest.keyClick(w.windowHandle(), Qt.Key.Key_A)

    def mouse_over_the_window() -> None:
        QTest.mouseMove(w.windowHandle(), QPoint(300, 200))
        QTest.mouseMove(w.windowHandle(), QPoint(310, 220))

    def mouse_over_the_quick_entry() -> None:  # a window opened after the unlock
        w.open_quick_entry()
        assert w.entry is not None
        qtbot.waitUntil(lambda: QApplication.focusWindow() is w.entry.windowHandle())
        QTest.mouseMove(w.entry.windowHandle(), QPoint(200, 300))
        QTest.mouseMove(w.entry.windowHandle(), QPoint(220, 310))

    def text_from_an_input_method() -> None:
        event = QInputMethodEvent()
        event.setCommitString("é")
        QApplication.sendEvent(QApplication.focusWidget(), event)

    for give_input in (
        key_in_the_window,
        mouse_over_the_window,
        mouse_over_the_quick_entry,
        text_from_an_input_method,
    ):  # together longer than the idle time, each with a second to spare
        qtbot.waitUntil(lambda: 0 <= w.autolock.remaining_ms() < 2000, timeout=5000)
        give_input()
        assert not w.is_locked
        assert w.autolock.remaining_ms() > 2000, give_input.__name__  # the idle time starts over
    assert w.entry is not None and w.entry.notes.toPlainText() == ""
    assert "é" in w.entry.student_search.text()  # the text went where the focus was
    qtbot.waitUntil(lambda: w.is_locked, timeout=10_000)


def test_ctrl_l_locks_and_zeroes_the_key(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    vault = w.vault
    add_contact(vault, "private text")
    w.act_lock.trigger()
    assert w.is_locked
    assert vault.key_is_zeroed
    assert w.unlock_screen.passphrase.text() == ""


def test_system_sleep_and_screen_lock_signals(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    w.autolock.on_prepare_for_sleep(False)
    assert not w.is_locked
    w.autolock.on_prepare_for_sleep(True)
    assert w.is_locked
    unlock(qtbot, w)
    w.autolock.on_screensaver_active(True)
    assert w.is_locked


def test_setting_minutes_is_read_from_the_vault(qtbot, window_factory, vault_dir):
    from srojournal.vault.store import Vault

    from .conftest import PASSPHRASE

    v = Vault.open(vault_dir, PASSPHRASE)
    v.journal.set_setting("autolock_minutes", "12")
    v.close()
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    assert w.autolock.interval_ms == 12 * 60_000
    a = AutoLock()
    assert a.interval_ms == 5 * 60_000


def test_closing_the_window_keeps_the_draft(qtbot, window_factory, vault_dir, settings):
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    vault = w.vault
    w.open_quick_entry()
    w.entry.notes.setPlainText("typed before closing")
    w.close()
    assert vault.key_is_zeroed
    w2 = window_factory(vault_path=vault_dir)
    unlock(qtbot, w2)
    qtbot.waitUntil(lambda: w2.entry is not None)
    assert w2.entry.notes.toPlainText() == "typed before closing"


def test_qsettings_hold_no_sensitive_text(qtbot, window_factory, vault_dir, settings):
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    add_contact(w.vault, "a secret note about JD")
    w.close()
    text = Path(settings.file_name()).read_bytes()
    assert b"secret" not in text and b"JD" not in text and b"passphrase" not in text.lower()
    assert b"vault" in text


def test_lock_and_new_entry_shortcuts_work_from_the_quick_entry_window(
    qtbot, window_factory, vault_dir
):
    w = window_factory(vault_path=vault_dir)
    assert w.act_lock.shortcuts()[0].toString() == "Ctrl+L"
    unlock(qtbot, w)
    for action in (w.act_new, w.act_lock, w.act_quit):
        assert action.shortcutContext() == Qt.ShortcutContext.ApplicationShortcut
    w.open_quick_entry()
    entry = w.entry
    assert entry is not None
    entry.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is entry)
    QTest.keyClick(entry.notes, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.is_locked)
