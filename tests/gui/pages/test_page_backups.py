"""The backups page on a real vault: back up now, list, restore into a new folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from conftest import PASSPHRASE
from srojournal.ui.backups.page import BackupsPage
from srojournal.vault.store import Vault


def test_back_up_now_lists_verified_backup(qtbot, session, vault, data, show):
    data.contact(vault, data.ana)
    page = show(BackupsPage(session))
    assert page.table.rowCount() == 0
    qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    assert not page.backup_button.isEnabled()  # one backup at a time
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=20000)
    assert page.backup_button.isEnabled()
    assert page.table.item(0, 1).text() == "Manual"
    assert page.table.item(0, 2).text() == "1"
    assert page.table.item(0, 3).text() == "3"
    assert "verified" in page.message.text()
    assert any(e.action == "backup_created" for e in vault.journal.audit_entries())


def test_restore_into_new_folder_and_offer_to_open(qtbot, session, vault, data, tmp_path, show):
    page = show(BackupsPage(session))
    page.back_up_now()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=20000)
    page.table.selectRow(0)
    assert page.restore_button.isEnabled()
    target_parent = tmp_path / "restore-here"
    target_parent.mkdir()
    (target_parent / "something").write_text("x")  # not empty: a new folder goes inside
    dlg = page.ask_backup_passphrase(page.selected_backup(), target_parent)
    qtbot.keyClicks(dlg.passphrase, PASSPHRASE)
    qtbot.keyClick(dlg.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.findChild(QMessageBox, "confirmBox") is not None, timeout=20000)
    box = page.findChild(QMessageBox, "confirmBox")
    with qtbot.waitSignal(page.open_vault_requested) as sig:
        qtbot.mouseClick(box.findChild(QPushButton, "confirmAccept"), Qt.MouseButton.LeftButton)
    restored = sig.args[0]
    assert restored.startswith(str(target_parent))
    vault.close()
    with Vault.open(restored, PASSPHRASE) as v:
        assert v.journal.counts().students == 3
        # The same restore as the command line's: verified, then recorded in the audit log.
        assert [e.action for e in v.journal.audit_entries()][-1] == "restored_from_backup"


def test_restore_with_a_wrong_passphrase_copies_nothing(qtbot, session, vault, tmp_path, show):
    page = show(BackupsPage(session))
    page.back_up_now()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=20000)
    target = tmp_path / "restored"
    page.table.selectRow(0)
    page.restore(page.selected_backup(), target, "not the passphrase at all")
    qtbot.waitUntil(lambda: "passphrase" in page.message.text(), timeout=20000)
    assert not target.exists()


def test_clear_drops_the_list(qtbot, session, vault, show):
    page = show(BackupsPage(session))
    page.back_up_now()
    page.clear()
    assert page.table.rowCount() == 0 and page.folder_label.text() == ""


def test_restore_into_a_folder_that_does_not_exist_yet(qtbot, session, vault, data, tmp_path, show):
    page = show(BackupsPage(session))
    page.back_up_now()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=20000)
    page.table.selectRow(0)
    dlg = page.choose_restore_folder()
    suggested = Path(dlg.folder.text())
    assert not suggested.exists() and suggested.parent == vault.folder.resolve().parent
    target = tmp_path / "new" / "place"  # neither exists
    dlg.folder.setFocus()
    dlg.folder.selectAll()
    qtbot.keyClicks(dlg.folder, str(target))
    dlg.passphrase.setFocus()
    qtbot.keyClicks(dlg.passphrase, PASSPHRASE)
    qtbot.keyClick(dlg.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Restored into" in page.message.text(), timeout=20000)
    vault.close()
    with Vault.open(target, PASSPHRASE) as v:
        assert v.journal.counts().students == 3


def test_a_second_backup_today_keeps_the_first(qtbot, session, vault, data, show):
    page = show(BackupsPage(session))
    page.back_up_now()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=20000)
    page.back_up_now()
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=20000)
