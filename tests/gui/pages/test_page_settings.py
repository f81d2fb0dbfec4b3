"""The settings page on a real vault: values persist inside the vault across close and reopen."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from conftest import PASSPHRASE
from srojournal.domain.models import ContactInput
from srojournal.ui.session import Session
from srojournal.ui.settings.page import SettingsPage
from srojournal.vault.store import Vault


def test_settings_persist_across_close_and_reopen(qtbot, session, vault, vault_dir, show):
    page = show(SettingsPage(session))
    assert page.autolock.value() == 5 and page.threshold.value() == 10  # defaults
    with qtbot.waitSignal(session.data_changed):
        page.autolock.setValue(12)
    page.threshold.setValue(15)
    page.threshold.setValue(3)  # below the floor: the spin box stops at 5
    page.set_backup_dir(str(vault_dir.parent / "elsewhere"))
    page.clear()
    vault.close()

    reopened = Vault.open(vault_dir, PASSPHRASE)
    try:
        assert reopened.journal.get_setting("autolock_minutes") == "12"
        page2 = show(SettingsPage(Session(reopened)))
        assert page2.autolock.value() == 12
        assert page2.threshold.value() == 5
        assert page2.backup_path.text() == str(vault_dir.parent / "elsewhere")
        assert str(vault_dir) in page2.vault_path.text()
        page2.clear()
    finally:
        reopened.close()


def test_custom_type_added_and_retired(qtbot, session, vault, show):
    page = show(SettingsPage(session))
    page.tabs.setCurrentIndex(2)
    qtbot.keyClicks(page.type_label, "Lunch duty")
    assert page.type_code.text() == "lunch_duty"  # suggested from the label
    page.type_category.setCurrentIndex(page.type_category.findData("relationship"))
    page.add_type()
    t = vault.journal.contact_type("lunch_duty")
    assert t.label == "Lunch duty" and t.category == "relationship" and not t.builtin
    assert page._selected_type() == "lunch_duty"
    assert page.retire_button.isEnabled()
    qtbot.mouseClick(page.retire_button, Qt.MouseButton.LeftButton)
    assert vault.journal.contact_type("lunch_duty").retired
    assert page.t_type.findData("lunch_duty") < 0  # not offered to new templates
    assert page.retire_button.text() == "Unretire"
    qtbot.mouseClick(page.retire_button, Qt.MouseButton.LeftButton)
    assert not vault.journal.contact_type("lunch_duty").retired
    # Built-ins cannot be changed.
    page.select_type("mentoring")
    assert not page.retire_button.isEnabled()
    # A bad code is reported next to the form.
    qtbot.keyClicks(page.type_label, "X")
    page.type_code.setText("9bad")
    page.add_type()
    assert page.type_error.isVisibleTo(page) and "code" in page.type_error.text()


def test_schools_add_rename_deactivate(qtbot, session, vault, show):
    page = show(SettingsPage(session))
    page.school_name.setText("Lincoln")
    page.add_school()
    [school] = vault.journal.schools()
    page.school_name.setText("Lincoln Middle")
    page.rename_school()
    assert vault.journal.schools()[0].name == "Lincoln Middle"
    page.toggle_school_active()
    assert vault.journal.schools() == []
    assert page.schools.item(0).text() == "Lincoln Middle (inactive)"
    assert page.school_active_button.text() == "Reactivate"
    page.toggle_school_active()
    assert vault.journal.schools()[0].id == school.id


def test_template_saved_and_renamed(qtbot, session, vault, show):
    page = show(SettingsPage(session))
    page.t_name.setText("Hallway")
    page.t_type.setCurrentIndex(page.t_type.findData("relationship"))
    page.t_duration.setValue(5)
    page.t_outcome.setCurrentIndex(page.t_outcome.findData("no_action"))
    page.t_tags.setText("hallway, quick")
    page.save_template()
    [t] = vault.journal.templates()
    assert (t.name, t.type_code, t.duration_min, t.outcome, t.tags) == (
        "Hallway",
        "relationship",
        5,
        "no_action",
        ("hallway", "quick"),
    )
    page.t_name.setText("Hallway check-in")
    page.save_template()
    assert [x.name for x in vault.journal.templates()] == ["Hallway check-in"]


def test_change_passphrase_in_worker(qtbot, session, vault, vault_dir, show):
    page = show(SettingsPage(session))
    new = "violet lantern harbor quietly 42"
    qtbot.keyClicks(page.old_pass, PASSPHRASE)
    qtbot.keyClicks(page.new_pass, new)
    qtbot.keyClicks(page.confirm_pass, new)
    page.meter.flush()
    assert page.pass_button.isEnabled()
    qtbot.mouseClick(page.pass_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "changed" in page.pass_message.text(), timeout=20000)
    assert page.old_pass.text() == "" and page.new_pass.text() == ""
    vault.close()
    Vault.open(vault_dir, new).close()


def test_change_passphrase_wrong_old_is_a_message(qtbot, session, show):
    page = show(SettingsPage(session))
    new = "violet lantern harbor quietly 42"
    page.old_pass.setText("not the passphrase at all")
    page.new_pass.setText(new)
    page.confirm_pass.setText(new)
    page.change_passphrase()
    qtbot.waitUntil(lambda: not page.pass_error.isHidden(), timeout=20000)
    assert "Wrong passphrase" in page.pass_error.text()


def test_purge_confirmation_states_what_is_kept(qtbot, session, vault, data, show):
    old = vault.journal.add_contact(
        ContactInput(dt.datetime(2015, 5, 1, 9, 0), data.school, "mentoring", notes="old words")
    )
    page = show(SettingsPage(session))
    page.purge_years.setValue(5)
    page.ask_purge()
    box = page.findChild(QMessageBox, "confirmBox")
    assert "Kept:" in box.informativeText()
    with qtbot.waitSignal(session.data_changed, timeout=20000):
        qtbot.mouseClick(box.findChild(QPushButton, "confirmAccept"), Qt.MouseButton.LeftButton)
    c = vault.journal.contact(old)
    assert c.notes == "" and c.redacted and c.type_code == "mentoring"
