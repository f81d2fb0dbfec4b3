"""A settings change made in the app survives lock and unlock and takes effect at once."""

from __future__ import annotations

from PySide6.QtCore import Qt

from srojournal.ui.pages import PAGE_SPECS

from .conftest import unlock


def test_setting_persists_across_lock_and_unlock(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir, page_specs=PAGE_SPECS)
    unlock(qtbot, w)
    page = w.show_page("settings")
    assert page is not None
    page.general.autolock.setValue(12)
    qtbot.waitUntil(lambda: w.autolock.interval_ms == 12 * 60_000)
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert w.is_locked and w.session is None
    unlock(qtbot, w)
    assert w.session.journal.get_setting("autolock_minutes") == "12"
    assert w.autolock.interval_ms == 12 * 60_000
    page = w.show_page("settings")
    assert page.general.autolock.value() == 12


def test_passphrase_reveal_has_an_icon_and_toggles(qtbot):
    from PySide6.QtWidgets import QLineEdit

    from srojournal.ui.widgets import PassphraseEdit

    field = PassphraseEdit("Passphrase")
    qtbot.addWidget(field)
    [reveal] = field.actions()
    assert not reveal.icon().isNull()
    assert field.echoMode() == QLineEdit.EchoMode.Password
    reveal.trigger()
    assert field.echoMode() == QLineEdit.EchoMode.Normal
    reveal.trigger()
    assert field.echoMode() == QLineEdit.EchoMode.Password


def test_uncaught_exception_is_logged_without_its_message(caplog, capsys):
    from srojournal.app import handle_uncaught

    secret = "Zebediah Quill told me about the bus"
    try:
        raise KeyError(secret)
    except KeyError as exc:
        handle_uncaught(KeyError, exc, exc.__traceback__)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "KeyError" in logged and "test_settings_lock.py" in logged
    out = capsys.readouterr()
    assert secret not in logged and secret not in out.err and secret not in out.out


def test_text_copied_from_the_journal_is_cleared_on_lock(qtbot, window_factory, vault_dir):
    from PySide6.QtWidgets import QApplication

    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    QApplication.clipboard().setText("a sentence copied from a note")
    w.lock("test")
    assert QApplication.clipboard().text() == ""


def test_contact_logged_from_a_case_is_linked_to_it(qtbot, window_factory, vault_dir):
    import datetime as dt

    from srojournal.vault.store import Vault

    from .conftest import PASSPHRASE

    with Vault.open(vault_dir, PASSPHRASE) as v:
        parties = [s.id for s in v.journal.students()]
        case = v.journal.add_conflict_case("Seat dispute", parties, opened_on=dt.date(2026, 3, 1))
    w = window_factory(vault_path=vault_dir, page_specs=PAGE_SPECS)
    unlock(qtbot, w)
    page = w.show_page("conflicts")
    page.show_case(case)
    page.log_button.click()
    qtbot.waitUntil(lambda: w.entry is not None)
    assert [sid for sid, _ in w.entry.student_entries()] == parties
    w.entry.notes.setPlainText("Both agreed to sit apart for a week")
    with qtbot.waitSignal(w.entry.saved) as saved:
        w.entry.save()
    cid = saved.args[0]
    assert w.session.journal.conflict_case(case).contact_ids == (cid,)
    # A contact entered afterwards, not from the case, is not linked.
    w.open_quick_entry()
    qtbot.waitUntil(lambda: w.entry is not None)
    w.entry.notes.setPlainText("Unrelated hallway chat")
    with qtbot.waitSignal(w.entry.saved):
        w.entry.save()
    assert w.session.journal.conflict_case(case).contact_ids == (cid,)
