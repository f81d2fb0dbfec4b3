"""Start screen: create a vault, unlock right and wrong, recovery code."""

from __future__ import annotations

from pathlib import Path

from srojournal.ui.unlock.screen import failure_delay
from srojournal.vault.store import Vault, is_vault_folder

from .conftest import CHEAP_KDF, PASSPHRASE, unlock


def test_create_vault_shows_recovery_code_once_then_opens(qtbot, window_factory, tmp_path):
    w = window_factory()
    screen = w.unlock_screen
    assert screen.current_view() == "home"
    screen.new_btn.click()
    assert screen.current_view() == "create"
    folder = tmp_path / "new-vault"
    screen.create_folder.setText(str(folder))
    screen.create_pass.setText("password123")
    screen.create_confirm.setText("password123")
    screen.create_btn.click()
    assert screen.create_error.isVisible()  # too weak: refused before any work
    assert not folder.exists()
    new = "lantern orchard quietly seventeen"
    screen.create_pass.setText(new)
    screen.create_confirm.setText(new + "x")
    screen.create_btn.click()
    assert "not the same" in screen.create_error.text()
    screen.create_confirm.setText(new)
    screen.create_btn.click()
    assert screen.busy.isVisible()
    qtbot.waitUntil(lambda: screen.current_view() == "code", timeout=10_000)
    code = screen.code_label.text()
    assert len(code.replace("-", "").replace("\n", "")) == 32
    assert code.count("\n") == 1  # two lines of four groups
    assert not screen.code_continue.isEnabled()
    screen.stored_check.setChecked(True)
    with qtbot.waitSignal(w.unlocked):
        screen.code_continue.click()
    assert not w.is_locked
    assert screen.code_label.text() == ""  # shown once
    assert is_vault_folder(folder)
    assert w.settings.last_vault_path == folder.resolve()
    w.lock()
    # The code really opens the vault.
    Vault.open_with_recovery(folder, code).close()


def test_unlock_wrong_then_right(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    screen = w.unlock_screen
    assert screen.current_view() == "unlock"
    screen.passphrase.setText("not the passphrase at all")
    screen.unlock_btn.click()
    qtbot.waitUntil(lambda: screen.unlock_error.isVisible(), timeout=10_000)
    assert "not right" in screen.unlock_error.text()
    assert w.is_locked
    assert screen.failures == 1
    assert screen.seconds_until_retry() == 0  # no delay after one mistake
    unlock(qtbot, w)
    assert not w.is_locked
    assert w.windowTitle() == "SRO Journal"


def test_repeated_failures_grow_the_delay(qtbot, window_factory, vault_dir):
    assert [failure_delay(n) for n in range(1, 8)] == [0, 1, 2, 4, 8, 16, 30]
    w = window_factory(vault_path=vault_dir)
    screen = w.unlock_screen
    for n in (1, 2):
        screen.passphrase.setText(f"wrong guess number {n}")
        screen.unlock_btn.click()
        qtbot.waitUntil(lambda n=n: screen.failures == n and not screen.is_busy, timeout=10_000)
    assert screen.seconds_until_retry() >= 1
    assert not screen.unlock_btn.isEnabled()
    assert "Try again" in screen.unlock_btn.text()
    screen.passphrase.setText(PASSPHRASE)
    screen.unlock()  # ignored while the delay runs
    assert w.is_locked
    qtbot.waitUntil(lambda: screen.unlock_btn.isEnabled(), timeout=5_000)
    unlock(qtbot, w)
    assert not (vault_dir / "unlock-failures").exists()  # a right passphrase clears the count


def test_failed_attempts_survive_a_restart(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    screen = w.unlock_screen
    for n in (1, 2, 3):
        screen.retry_at = 0.0  # skip the wait between guesses
        screen.passphrase.setText(f"wrong guess number {n}")
        screen.unlock()
        qtbot.waitUntil(lambda n=n: screen.failures == n and not screen.is_busy, timeout=10_000)
    text = (vault_dir / "unlock-failures").read_text()
    assert "guess" not in text and "count" in text  # a count and a time, nothing typed
    # A new window (the app restarted) still makes the next guess wait.
    w2 = window_factory(vault_path=vault_dir)
    assert w2.unlock_screen.failures == 3
    assert w2.unlock_screen.seconds_until_retry() >= 1
    assert not w2.unlock_screen.unlock_btn.isEnabled()


def test_caps_lock_warning(qtbot, window_factory, vault_dir):
    from PySide6.QtCore import Qt

    w = window_factory(vault_path=vault_dir)
    screen = w.unlock_screen
    qtbot.keyClicks(screen.passphrase, "A")  # a capital without Shift: Caps Lock is on
    assert screen.caps_warning.isVisibleTo(screen)
    qtbot.keyClick(screen.passphrase, "b")
    assert not screen.caps_warning.isVisibleTo(screen)
    qtbot.keyClick(screen.passphrase, "C", Qt.KeyboardModifier.ShiftModifier)
    assert not screen.caps_warning.isVisibleTo(screen)


def test_recovery_code_sets_a_new_passphrase(qtbot, window_factory, tmp_path):
    folder = tmp_path / "v"

    vault, code = Vault.create(folder, PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    vault.close()
    w = window_factory(vault_path=folder)
    screen = w.unlock_screen
    screen.recover_btn.click()
    assert screen.current_view() == "recover"
    new = "meadow copper violin harbor"
    screen.recovery_code.setText("AAAA-" + code[5:])
    screen.recover_new.setText(new)
    screen.recover_confirm.setText(new)
    screen.recover_go.click()
    qtbot.waitUntil(lambda: screen.recover_error.isVisible(), timeout=10_000)
    screen.recovery_code.setText(code.lower())
    screen.recover_go.click()
    # Using the code replaces it: the new one is shown before the journal opens.
    qtbot.waitUntil(lambda: screen.current_view() == "code", timeout=10_000)
    screen.stored_check.setChecked(True)
    with qtbot.waitSignal(w.unlocked, timeout=10_000):
        screen.code_continue.click()
    w.lock()
    Vault.open(folder, new).close()


def test_a_demo_vault_shows_the_demo_passphrase_and_no_other_does(
    qtbot, window_factory, vault_dir, tmp_path: Path
):
    from srojournal.domain.settings import DEMO_VAULT
    from srojournal.vault.layout import DEMO_MARKER, DEMO_MARKER_TEXT

    demo = tmp_path / "demo"
    v, _ = Vault.create(demo, "demo passphrase for testing only", kdf=CHEAP_KDF,
                        allow_weak_kdf=True)  # fmt: skip
    DEMO_VAULT.write(v.journal, True)  # as `srojournal demo` records it
    v.close()
    (demo / DEMO_MARKER).write_text(DEMO_MARKER_TEXT)
    w = window_factory(vault_path=demo)
    screen = w.unlock_screen
    assert screen.demo_notice.isVisible()
    screen.demo_fill_btn.click()
    assert screen.passphrase.text() == "demo passphrase for testing only"
    # The officer's own vault, opened next in the same window: no demo notice.
    screen.open_path(vault_dir)
    assert not screen.demo_notice.isVisible() and not screen.demo_fill_btn.isVisible()


def test_a_planted_demo_hint_is_removed_once_the_vault_denies_it(qtbot, window_factory, vault_dir):
    from srojournal.vault.layout import DEMO_MARKER

    (vault_dir / DEMO_MARKER).write_text("not true")
    w = window_factory(vault_path=vault_dir)
    assert w.unlock_screen.demo_notice.isVisible()  # a hint only, until the vault is open
    unlock(qtbot, w)
    assert not (vault_dir / DEMO_MARKER).exists()
    w.lock()
    assert not w.unlock_screen.demo_notice.isVisible()


def test_not_a_vault_is_a_clear_message(window_factory, tmp_path: Path):
    other = tmp_path / "photos"
    other.mkdir()
    (other / "a.jpg").write_bytes(b"x")
    w = window_factory()
    w.unlock_screen.open_path(other)
    assert w.unlock_screen.current_view() == "home"
    assert "not an SRO Journal vault" in w.unlock_screen.home_error.text()


def test_each_view_gets_the_room_it_needs_and_no_more(qtbot, window_factory, vault_dir):
    """The card takes the shown view's size: short views are not stretched, none is clipped."""
    w = window_factory(vault_path=vault_dir)
    w.resize(1100, 760)
    screen = w.unlock_screen
    heights = {}
    for show, name in (
        (screen.show_recover, "recover"),
        (lambda: screen.show_create(), "create"),
        (screen.show_home, "home"),
        (lambda: screen.show_unlock(vault_dir), "unlock"),
    ):
        show()
        view = screen._views[name]
        qtbot.waitUntil(lambda v=view: screen.stack.height() == v.heightForWidth(v.width()))
        assert view.isVisible() and view.geometry() == screen.stack.rect()
        heights[name] = view.height()
    # The start view is far shorter than the forms built before it.
    assert heights["home"] < heights["recover"] - 100
    # A field that grows (the strength meter's advice) gets its room.
    screen.show_recover()
    meter = screen.recover_meter
    meter.update_for("x", immediate=True)
    view = screen._views["recover"]
    qtbot.waitUntil(
        lambda: screen.stack.height() == view.heightForWidth(view.width()) > heights["recover"]
    )
    assert meter.height() >= meter.heightForWidth(meter.width()) > 0
    assert screen.recover_go.geometry().bottom() < view.height()


def test_link_buttons_show_the_pointing_hand_when_hovered(qtbot, window_factory, vault_dir):
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QEnterEvent
    from PySide6.QtWidgets import QApplication

    w = window_factory(vault_path=vault_dir)
    link = w.unlock_screen.recover_btn
    assert link.property("flat") is True
    at = QPointF(2, 2)
    QApplication.sendEvent(link, QEnterEvent(at, at, link.mapToGlobal(at)))
    assert link.cursor().shape() == Qt.CursorShape.PointingHandCursor
