"""Recovery in the app: the used code dies, the new one is shown with "I have stored it"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from srojournal.vault.errors import WrongRecoveryCode
from srojournal.vault.store import Vault

from .conftest import CHEAP_KDF, PASSPHRASE

NEW = "lantern orchard quietly seventeen"


def test_recovery_shows_the_new_code_before_the_journal(qtbot, window_factory, tmp_path):
    folder = tmp_path / "vault"
    vault, code = Vault.create(folder, PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    vault.close()
    w = window_factory(vault_path=folder)
    screen = w.unlock_screen
    screen.recover_btn.click()
    assert screen.current_view() == "recover"
    QTest.keyClicks(screen.recovery_code, code)
    QTest.keyClicks(screen.recover_new, NEW)
    QTest.keyClicks(screen.recover_confirm, NEW)
    QTest.keyClick(screen.recover_confirm, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.current_view() == "code", timeout=20_000)
    new_code = screen.code_label.text().replace("\n", "-")
    assert new_code != code and len(new_code.replace("-", "")) == 32
    assert "no longer works" in screen.code_subtitle.text()
    assert w.is_locked and not screen.code_continue.isEnabled()
    screen.stored_check.setChecked(True)
    with qtbot.waitSignal(w.unlocked):
        screen.code_continue.click()
    assert not w.vault.recovery_code_unconfirmed
    w.lock()
    try:
        Vault.open_with_recovery(folder, code)
        raise AssertionError("the used code still opens the vault")
    except WrongRecoveryCode:
        pass
    Vault.open_with_recovery(folder, new_code).close()
    Vault.open(folder, NEW).close()
