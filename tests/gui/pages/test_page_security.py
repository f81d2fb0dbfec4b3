"""Settings → Security: the passphrase change shows its re-encryption; a new recovery code is
issued with the passphrase, shown once with "I have stored it", and the old code dies."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressBar, QProgressDialog

from conftest import CHEAP_KDF, PASSPHRASE
from srojournal.ui.session import Session
from srojournal.ui.settings.page import SettingsPage
from srojournal.ui.settings.recovery_code import RecoveryCodeDialog
from srojournal.ui.settings.security import SecurityTab
from srojournal.vault.errors import WrongRecoveryCode
from srojournal.vault.store import Vault


@pytest.fixture
def coded(tmp_path: Path):
    vault, code = Vault.create(tmp_path / "coded", PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    yield vault, code
    if vault.is_open:
        vault.close()


def _security(page: SettingsPage) -> SecurityTab:
    page.tabs.setCurrentIndex(page.tabs.count() - 1)
    return page.security


def test_passphrase_change_shows_its_progress(qtbot, session, vault, vault_dir, show):
    settings_page = show(SettingsPage(session))
    page = _security(settings_page)
    new = "violet lantern harbor quietly 42"
    qtbot.keyClicks(page.old_pass, PASSPHRASE)
    qtbot.keyClicks(page.new_pass, new)
    qtbot.keyClicks(page.confirm_pass, new)
    page.meter.flush()
    seen: list[int] = []
    qtbot.mouseClick(page.pass_button, Qt.MouseButton.LeftButton)
    dialog = page.findChild(QProgressDialog, "workProgress")
    assert dialog is not None and dialog.isVisible()
    dialog.findChild(QProgressBar).valueChanged.connect(seen.append)
    qtbot.waitUntil(lambda: "re-encrypted" in page.pass_message.text(), timeout=20_000)
    assert seen and seen[-1] == 100
    assert "Backups taken before the change still open with the old passphrase" in (
        page.pass_message.text()
    )
    vault.close()
    Vault.open(vault_dir, new).close()


def test_new_recovery_code_needs_the_passphrase_and_kills_the_old_code(
    qtbot, coded, show, tmp_path: Path
):
    vault, code = coded
    settings_page = show(SettingsPage(Session(vault)))
    page = _security(settings_page)
    assert not page.code_button.isEnabled()
    qtbot.keyClicks(page.code_pass, "not the passphrase at all")
    qtbot.mouseClick(page.code_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.code_error.isHidden(), timeout=20_000)
    assert "passphrase" in page.code_error.text().lower()
    page.code_pass.wipe()
    qtbot.keyClicks(page.code_pass, PASSPHRASE)
    qtbot.keyClick(page.code_pass, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.findChild(RecoveryCodeDialog) is not None, timeout=20_000)
    dialog = page.findChild(RecoveryCodeDialog)
    new_code = dialog.code_label.text().replace("\n", "-")
    assert new_code != code and page.code_pass.text() == ""
    assert vault.recovery_code_unconfirmed
    assert dialog.grab().save(str(tmp_path / "new-recovery-code.png"))  # renders
    assert not dialog.done_button.isEnabled()
    qtbot.mouseClick(dialog.stored_check, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.done_button, Qt.MouseButton.LeftButton)
    assert not vault.recovery_code_unconfirmed
    folder = vault.folder
    vault.close()
    with pytest.raises(WrongRecoveryCode):
        Vault.open_with_recovery(folder, code)
    Vault.open_with_recovery(folder, new_code).close()
