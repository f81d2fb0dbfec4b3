"""The window as the app opens it (``finish_later``): the unlock screen in the first frame, the
menus' actions and the auto-lock after the first paint or the first unlock (ui/main_window.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from srojournal.vault.store import Vault

from .conftest import PASSPHRASE
from .keyboard import Keyboard


def _frame(window) -> QImage:
    QApplication.processEvents()
    return window.grab().toImage()


def test_the_first_frame_is_the_finished_locked_window(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir, finish_later=True)
    w.resize(1200, 780)
    screen = w.unlock_screen
    assert screen.current_view() == "unlock"
    # The menus' titles and the status bar are in the first frame; their actions come later.
    assert [a.text() for a in w.menuBar().actions()] == ["&File", "&Edit", "&Go", "&Help"]
    assert w.file_menu.actions() == [] and not w.go_menu.isEnabled()
    assert w.lock_label.text() == "Locked"
    first = _frame(w)
    w.finish_window()
    assert w.act_new in w.file_menu.actions() and not w.act_new.isEnabled()
    assert w.act_quit.shortcuts()[0].toString() == "Ctrl+Q"
    # Nothing on screen moved or changed when the menus got their actions.
    assert _frame(w) == first


def test_the_start_window_unlocks_from_the_keyboard_and_locks_back(
    qtbot, window_factory, vault_dir
):
    w = window_factory(vault_path=vault_dir, finish_later=True)
    screen = w.unlock_screen
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.passphrase)
    kb = Keyboard(qtbot)
    kb.words("not the passphrase")
    kb.enter()
    qtbot.waitUntil(screen.unlock_error.isVisible, timeout=10_000)
    assert "not right" in screen.unlock_error.text()
    assert w.is_locked and QApplication.focusWidget() is screen.passphrase
    # The failed text is selected: typing replaces it (one failure: no delay yet).
    with qtbot.waitSignal(w.unlocked, timeout=10_000):
        kb.words(PASSPHRASE)
        kb.enter()
    # Unlocking finished the window (no first paint needed): menus, shortcuts, auto-lock.
    assert w.act_lock.isEnabled() and w.act_lock in w.file_menu.actions()
    assert w.go_menu.isEnabled() and w.go_menu.actions()
    assert w.autolock.active
    assert w.act_lock.shortcutContext() == Qt.ShortcutContext.ApplicationShortcut
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    QTest.keyClick(
        QApplication.focusWidget() or w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(lambda: w.is_locked)
    assert screen.current_view() == "unlock" and screen.passphrase.text() == ""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.passphrase)
    # Locked again: the window is as the app opens it, and unlocks again from the keyboard.
    assert w.lock_label.text() == "Locked" and not w.act_new.isEnabled()
    with qtbot.waitSignal(w.unlocked, timeout=10_000):
        kb.words(PASSPHRASE)
        kb.enter()


def test_the_start_window_refuses_a_vault_open_elsewhere_with_a_clear_message(
    qtbot, window_factory, vault_dir
):
    elsewhere = Vault.open(vault_dir, PASSPHRASE)  # another window or process holds it
    try:
        w = window_factory(vault_path=vault_dir, finish_later=True)
        screen = w.unlock_screen
        w.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.passphrase)
        kb = Keyboard(qtbot)
        kb.words(PASSPHRASE)
        kb.enter()
        qtbot.waitUntil(screen.unlock_error.isVisible, timeout=10_000)
        assert "already open in another SRO Journal window" in screen.unlock_error.text()
        assert w.is_locked and screen.failures == 0  # not counted as a wrong passphrase
    finally:
        elsewhere.close()
    with qtbot.waitSignal(w.unlocked, timeout=10_000):
        screen.passphrase.setFocus()
        kb.enter()  # the passphrase is still typed: Enter again, now that the vault is free
