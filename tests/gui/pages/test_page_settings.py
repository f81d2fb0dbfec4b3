"""The settings page on a real vault: values persist inside the vault across close and reopen."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from conftest import PASSPHRASE
from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.ui.session import Session
from srojournal.ui.settings.page import SettingsPage
from srojournal.vault.store import Vault


def test_settings_persist_across_close_and_reopen(qtbot, session, vault, vault_dir, show):
    page = show(SettingsPage(session))
    assert page.general.autolock.value() == 5 and page.general.threshold.value() == 10  # defaults
    with qtbot.waitSignal(session.data_changed):
        page.general.autolock.setValue(12)
    page.general.threshold.setValue(15)
    page.general.threshold.setValue(3)  # below the floor: the spin box stops at 5
    page.general.set_backup_dir(str(vault_dir.parent / "elsewhere"))
    page.clear()
    vault.close()

    reopened = Vault.open(vault_dir, PASSPHRASE)
    try:
        assert reopened.journal.get_setting("autolock_minutes") == "12"
        page2 = show(SettingsPage(Session(reopened)))
        assert page2.general.autolock.value() == 12
        assert page2.general.threshold.value() == 5
        assert page2.general.backup_path.text() == str(vault_dir.parent / "elsewhere")
        assert str(vault_dir) in page2.general.vault_path.text()
        page2.clear()
    finally:
        reopened.close()


def test_custom_type_added_and_retired(qtbot, session, vault, show):
    page = show(SettingsPage(session))
    page.tabs.setCurrentIndex(2)
    qtbot.keyClicks(page.types.type_label, "Lunch duty")
    assert page.types.type_code.text() == "lunch_duty"  # suggested from the label
    page.types.type_category.setCurrentIndex(page.types.type_category.findData("relationship"))
    page.types.add_type()
    t = vault.journal.contact_type("lunch_duty")
    assert t.label == "Lunch duty" and t.category == "relationship" and not t.builtin
    assert page.types._selected_type() == "lunch_duty"
    assert page.types.retire_button.isEnabled()
    qtbot.mouseClick(page.types.retire_button, Qt.MouseButton.LeftButton)
    assert vault.journal.contact_type("lunch_duty").retired
    assert page.templates.t_type.findData("lunch_duty") < 0  # not offered to new templates
    assert page.types.retire_button.text() == "Unretire"
    qtbot.mouseClick(page.types.retire_button, Qt.MouseButton.LeftButton)
    assert not vault.journal.contact_type("lunch_duty").retired
    # Built-ins cannot be changed.
    page.types.select_type("mentoring")
    assert not page.types.retire_button.isEnabled()
    # A bad code is reported next to the form.
    qtbot.keyClicks(page.types.type_label, "X")
    page.types.type_code.setText("9bad")
    page.types.add_type()
    assert page.types.type_error.isVisibleTo(page) and "code" in page.types.type_error.text()


def test_schools_add_rename_retire(qtbot, session, vault, show):
    page = show(SettingsPage(session))
    page.schools.school_name.setText("Lincoln")
    page.schools.add_school()
    [school] = vault.journal.schools()
    page.schools.school_name.setText("Lincoln Middle")
    page.schools.rename_school()
    assert vault.journal.schools()[0].name == "Lincoln Middle"
    page.schools.toggle_school_active()
    assert vault.journal.schools() == []
    assert page.schools.schools.item(0).text() == "Lincoln Middle (retired)"
    assert page.schools.school_active_button.text() == "Reactivate"
    page.schools.toggle_school_active()
    assert vault.journal.schools()[0].id == school.id
    assert page.schools.school_active_button.text() == "Retire"


def test_two_names_of_one_school_merged_from_the_keyboard(qtbot, session, vault, show):
    """Settings → Schools → Merge into…: contacts and students move, the old name points there."""
    j = vault.journal
    old = j.add_school("Lincoln HS")
    new = j.add_school("Lincoln High School")
    other = j.add_school("Roosevelt Middle")
    sam = j.add_student("Sam R", old, "10")
    j.add_student("Sam R", new, "10")  # the same student, entered under both names
    jo = j.add_student("Jo", old, "9")
    for sid in (sam, jo):
        j.add_contact(
            ContactInput(
                occurred_at=dt.datetime(2026, 3, 2, 10, 0),
                school_id=old,
                type_code="mentoring",
                students=(ContactStudent(sid),),
                duration_min=20,
                outcome="resolved",
            )
        )
    page = show(SettingsPage(session))
    page.tabs.setCurrentWidget(page.schools)
    tab = page.schools
    tab.schools.setFocus()
    row = next(i for i in range(tab.schools.count()) if tab.schools.item(i).text() == "Lincoln HS")
    tab.schools.setCurrentRow(row)
    assert tab.merge_button.isEnabled()
    with qtbot.waitSignal(session.data_changed):
        dlg = tab.ask_merge()
        assert dlg is not None
        qtbot.waitExposed(dlg)
        # The other schools are offered; typing picks one, Enter merges.
        assert [dlg.target.itemText(i) for i in range(dlg.target.count())] == [
            "Lincoln High School",
            "Roosevelt Middle",
        ]
        qtbot.keyClicks(dlg.target, "Lincoln H")
        qtbot.keyClick(dlg.target, Qt.Key.Key_Return)
    assert {j.contact(c.id).school_id for c in j.list_contacts()} == {new}
    assert [s.alias for s in j.students(school_id=new)] == ["Jo", "Sam R"]  # one Sam R
    assert j.students(school_id=old) == []
    texts = [tab.schools.item(i).text() for i in range(tab.schools.count())]
    assert "Lincoln HS (merged into Lincoln High School)" in texts
    tab.schools.setCurrentRow(texts.index("Lincoln HS (merged into Lincoln High School)"))
    assert not tab.merge_button.isEnabled() and not tab.school_active_button.isEnabled()
    assert [e.action for e in j.audit_entries()][-1] == "school_merged"
    assert other in {s.id for s in j.schools()}


def test_template_saved_and_renamed(qtbot, session, vault, show):
    page = show(SettingsPage(session))
    page.templates.t_name.setText("Hallway")
    page.templates.t_type.setCurrentIndex(page.templates.t_type.findData("relationship"))
    page.templates.t_duration.setValue(5)
    page.templates.t_outcome.setCurrentIndex(page.templates.t_outcome.findData("no_action"))
    page.templates.t_tags.setText("hallway, quick")
    page.templates.save_template()
    [t] = vault.journal.templates()
    assert (t.name, t.type_code, t.duration_min, t.outcome, t.tags) == (
        "Hallway",
        "relationship",
        5,
        "no_action",
        ("hallway", "quick"),
    )
    page.templates.t_name.setText("Hallway check-in")
    page.templates.save_template()
    assert [x.name for x in vault.journal.templates()] == ["Hallway check-in"]


def test_change_passphrase_in_worker(qtbot, session, vault, vault_dir, show):
    page = show(SettingsPage(session))
    new = "violet lantern harbor quietly 42"
    qtbot.keyClicks(page.security.old_pass, PASSPHRASE)
    qtbot.keyClicks(page.security.new_pass, new)
    qtbot.keyClicks(page.security.confirm_pass, new)
    page.security.meter.flush()
    assert page.security.pass_button.isEnabled()
    qtbot.mouseClick(page.security.pass_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "changed" in page.security.pass_message.text(), timeout=20000)
    assert page.security.old_pass.text() == "" and page.security.new_pass.text() == ""
    vault.close()
    Vault.open(vault_dir, new).close()


def test_change_passphrase_wrong_old_is_a_message(qtbot, session, show):
    page = show(SettingsPage(session))
    new = "violet lantern harbor quietly 42"
    page.security.old_pass.setText("not the passphrase at all")
    page.security.new_pass.setText(new)
    page.security.confirm_pass.setText(new)
    page.security.change_passphrase()
    qtbot.waitUntil(lambda: not page.security.pass_error.isHidden(), timeout=20000)
    assert "Wrong passphrase" in page.security.pass_error.text()


def test_purge_confirmation_states_what_is_kept(qtbot, session, vault, data, show):
    old = vault.journal.add_contact(
        ContactInput(dt.datetime(2015, 5, 1, 9, 0), data.school, "mentoring", notes="old words")
    )
    page = show(SettingsPage(session))
    page.security.purge_years.setValue(5)
    page.security.ask_purge()
    box = page.findChild(QMessageBox, "confirmBox")
    assert "Kept:" in box.informativeText()
    with qtbot.waitSignal(session.data_changed, timeout=20000):
        qtbot.mouseClick(box.findChild(QPushButton, "confirmAccept"), Qt.MouseButton.LeftButton)
    c = vault.journal.contact(old)
    assert c.notes == "" and c.redacted and c.type_code == "mentoring"
