"""One writer: an entry saved while a background purge runs is never part of the purge.

The purge runs on the worker thread inside its own transaction. A save asked for meanwhile waits
its turn; when the purge then fails and rolls back, the saved entry stays (it used to join the
purge's transaction, be acknowledged as saved, and vanish with the rollback).
"""

from __future__ import annotations

import datetime as dt
import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from srojournal.domain.models import ContactFilter, ContactInput
from srojournal.ui.entry import QuickEntryDialog
from srojournal.ui.settings.page import SettingsPage
from srojournal.vault.errors import StorageError
from srojournal.vault.repo import Journal


def test_entry_saved_during_a_failing_purge_is_kept(qtbot, session, vault, data, show, monkeypatch):
    j = vault.journal
    old = j.add_contact(
        ContactInput(dt.datetime(2015, 5, 1, 9, 0), data.school, "mentoring", notes="old words")
    )
    # The purge's last step inside its transaction is slow, then the disk refuses it.
    inside, release = threading.Event(), threading.Event()
    audit = Journal.audit

    def slow_failing_audit(self, action, detail):  # type: ignore[no-untyped-def]
        if action == "notes_purged":
            inside.set()
            assert release.wait(20)
            raise StorageError("The disk is full: could not purge the notes.")
        return audit(self, action, detail)

    monkeypatch.setattr(Journal, "audit", slow_failing_audit)

    page = show(SettingsPage(session))
    page.security.purge_years.setValue(5)
    page.security.ask_purge()
    box = page.findChild(QMessageBox, "confirmBox")
    qtbot.mouseClick(box.findChild(QPushButton, "confirmAccept"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(inside.is_set, timeout=20000)

    entry = QuickEntryDialog(session, restore_draft=False)  # a saved entry deletes itself
    entry.show()
    entry.type_edit.set_value("relationship")
    qtbot.keyClicks(entry.notes, "Talked at lunch during the purge")
    with qtbot.waitSignal(entry.saved, timeout=20000) as saved:
        qtbot.keyClick(entry.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        release.set()
    qtbot.waitUntil(lambda: "disk is full" in page.security.purge_text.text(), timeout=20000)

    kept = j.contact(saved.args[0])
    assert kept.notes == "Talked at lunch during the purge"
    assert j.count_contacts(ContactFilter()) == 2
    assert j.contact(old).notes == "old words"  # the failed purge changed nothing
