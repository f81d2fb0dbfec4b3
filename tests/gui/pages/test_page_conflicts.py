"""The conflict cases page on a real vault: create, edit, link a contact, log a contact."""

from __future__ import annotations

import datetime as dt

from conftest import TODAY
from srojournal.ui.conflicts.page import ConflictsPage


def test_create_case_with_parties(qtbot, session, vault, data, show):
    page = show(ConflictsPage(session))
    dlg = page.open_new_dialog()
    qtbot.keyClicks(dlg.title, "Lunch table")
    dlg.accept()
    assert dlg.isVisible() and "two parties" in dlg.error.text()  # typed text kept
    dlg.parties.add_student(data.ana)
    dlg.parties.add_student(data.ben)
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
    page.check_none.setChecked(False)
    page.check_edit.setDate(page.check_edit.date().addDays(3))
    assert page.save_button.isEnabled()
    page.save_case()
    case = vault.journal.conflict_case(cid)
    assert case.status == "held"
    assert case.terms == "No more seat saving"
    assert case.check_date == TODAY + dt.timedelta(days=3)
    assert page.list.item(0, 1).text() == "Agreement held"
    # "No check date" really clears it.
    page.show_case(cid)
    page.check_none.setChecked(True)
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
