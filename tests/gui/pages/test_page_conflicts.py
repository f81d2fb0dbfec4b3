"""The conflict cases page on a real vault: create, edit, link a contact, log a contact."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from conftest import TODAY
from srojournal.ui.conflicts.page import ConflictsPage


def test_create_case_with_parties(qtbot, session, vault, data, show):
    page = show(ConflictsPage(session))
    dlg = page.open_new_dialog()
    qtbot.waitUntil(dlg.isActiveWindow)
    qtbot.keyClicks(dlg.title, "Lunch table")
    dlg.accept()
    assert dlg.isVisible() and "two parties" in dlg.error.text()  # typed text kept
    # Alt+P reaches the parties; each alias and Enter adds one; the message goes when fixed.
    qtbot.keyClick(dlg.title, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is dlg.parties.search
    for alias in ("AB", "CD"):
        qtbot.keyClicks(dlg.parties.search, alias)
        qtbot.keyClick(dlg.parties.search, Qt.Key.Key_Return)
    assert dlg.parties.student_ids() == [data.ana, data.ben]
    assert not dlg.error.isVisible()
    qtbot.keyClicks(dlg.terms, "Sit apart")
    dlg.accept()
    [case] = vault.journal.conflict_cases()
    assert case.title == "Lunch table" and case.party_ids == (data.ana, data.ben)
    assert case.check_date == TODAY + dt.timedelta(days=7)
    assert page.case_title.text() == "Lunch table"
    assert "AB, CD" in page.parties_label.text()


def test_edit_status_terms_and_check_date(qtbot, session, vault, data, show):
    cid = vault.journal.add_conflict_case("Bus", [data.ana, data.ben], opened_on=TODAY)
    page = show(ConflictsPage(session))
    page.show_case(cid)
    page.status_combo.setCurrentIndex(page.status_combo.findData("held"))
    page.status_combo.activated.emit(page.status_combo.currentIndex())
    page.terms_edit.setPlainText("No more seat saving")
    page.check_edit.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClicks(page.check_edit, "+3")
    page.title_edit.setFocus()
    assert page.save_button.isEnabled()
    page.save_case()
    case = vault.journal.conflict_case(cid)
    assert case.status == "held"
    assert case.terms == "No more seat saving"
    assert case.check_date == TODAY + dt.timedelta(days=3)
    assert page.list.item(0, 1).text() == "Agreement held"
    # An emptied check date really clears it.
    page.show_case(cid)
    page.check_edit.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(page.check_edit, Qt.Key.Key_Delete)
    page.title_edit.setFocus()
    page.save_case()
    assert vault.journal.conflict_case(cid).check_date is None


def test_link_contact_and_open_it(qtbot, session, vault, data, show):
    contact = data.contact(vault, data.ana, data.ben, type_code="mediation")
    data.contact(vault, data.cy)  # not a party: not offered
    cid = vault.journal.add_conflict_case("Bus", [data.ana, data.ben], opened_on=TODAY)
    page = show(ConflictsPage(session))
    page.show_case(cid)
    dlg = page.open_link_dialog()
    assert dlg.table.rowCount() == 1
    dlg.accept()
    assert vault.journal.conflict_case(cid).contact_ids == (contact,)
    assert page.contacts.rowCount() == 1
    with qtbot.waitSignal(page.edit_contact_requested) as sig:
        page.contacts.open_contact.emit(page.contacts.contact_id_at(0))
    assert sig.args == [contact]
    with qtbot.waitSignal(page.new_contact_requested) as sig:
        page.log_button.click()
    draft = sig.args[0]
    assert draft.case_ids == (cid,)  # saved with its link to the case
    prefill = draft.contact
    assert prefill.type_code == "mediation"
    assert prefill.duration_min == 30  # what a mediation takes, not 0
    assert [(s.student_id, s.role) for s in prefill.students] == [
        (data.ana, "party"),
        (data.ben, "party"),
    ]


def test_clear_drops_case_data(qtbot, session, vault, data, show):
    cid = vault.journal.add_conflict_case("Bus", [data.ana, data.ben], opened_on=TODAY)
    page = show(ConflictsPage(session))
    page.show_case(cid)
    page.clear()
    assert page.list.rowCount() == 0 and page.title_edit.text() == ""


def test_record_check_held_then_broken(qtbot, session, vault, data, show):
    now = dt.datetime(2026, 3, 18, 15, 7)
    session.now = lambda: now
    mediation = data.contact(vault, data.ana, data.ben, type_code="restorative")
    cid = vault.journal.add_conflict_case(
        "Bus", [data.ana, data.ben], opened_on=TODAY, check_date=TODAY, contact_ids=[mediation]
    )
    page = show(ConflictsPage(session))
    page.show_case(cid)
    dlg = page.open_check_dialog(held=True)
    qtbot.keyClicks(dlg.notes, "Both say it is fine")
    assert dlg.next_check.value() == TODAY + dt.timedelta(days=30)
    dlg.accept()
    case = vault.journal.conflict_case(cid)
    assert (case.status, case.check_date) == ("held", TODAY + dt.timedelta(days=30))
    logged = vault.journal.contact(max(case.contact_ids))
    assert (logged.type_code, logged.outcome, logged.notes, logged.duration_min) == (
        "restorative",
        "agreement_held",
        "Both say it is fine",
        10,
    )
    assert logged.occurred_at == dt.datetime(2026, 3, 18, 15, 7)
    assert [(s.student_id, s.role) for s in logged.students] == [
        (data.ana, "party"),
        (data.ben, "party"),
    ]
    assert page.contacts.rowCount() == 2

    dlg = page.open_check_dialog(held=False)
    assert dlg.next_check.value() is None
    dlg.accept()
    case = vault.journal.conflict_case(cid)
    assert (case.status, case.check_date) == ("broken", None)
    assert vault.journal.contact(max(case.contact_ids)).outcome == "agreement_broken"
