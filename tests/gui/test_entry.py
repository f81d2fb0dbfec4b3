"""Quick entry: defaults, type-ahead and inline create, save, edit, validation, drafts."""

from __future__ import annotations

import datetime as dt
import json

from PySide6.QtCore import Qt

from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.ui.entry import QuickEntryDialog, round_to_5
from srojournal.ui.entry.dialog import DRAFT_NEW
from srojournal.ui.journal.page import JournalPage

from .conftest import add_contact, unlock


def test_round_to_5():
    assert round_to_5(dt.datetime(2026, 3, 2, 12, 2, 59)) == dt.datetime(2026, 3, 2, 12, 0)
    assert round_to_5(dt.datetime(2026, 3, 2, 12, 3)) == dt.datetime(2026, 3, 2, 12, 5)
    assert round_to_5(dt.datetime(2026, 3, 2, 23, 58)) == dt.datetime(2026, 3, 3, 0, 0)


def test_add_edit_delete_from_quick_entry(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    page = w.page("journal")
    assert isinstance(page, JournalPage)

    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.entry is not None)
    d = w.entry
    assert isinstance(d, QuickEntryDialog)
    assert d.school.currentText() == "Lincoln Middle"  # only school
    assert d.when.dateTime().time().minute() % 5 == 0
    # Type-ahead adds an existing student; an unknown alias offers inline creation.
    qtbot.keyClicks(d.student_search, "JD")
    qtbot.keyClick(d.student_search, Qt.Key.Key_Return)
    assert [sid for sid, _ in d.student_entries()] == [d.journal.students("JD")[0].id]
    d.student_search.setText("Newkid")
    qtbot.keyClick(d.student_search, Qt.Key.Key_Return)
    assert d.create_panel.isVisibleTo(d)
    d.new_grade.setCurrentIndex(d.new_grade.findData("6"))
    d.create_student_btn.click()
    assert len(d.student_entries()) == 2
    new_kid = d.journal.students("Newkid")[0]
    assert new_kid.grade == "6"
    d._chips[1].role.setCurrentIndex(d._chips[1].role.findData("party"))
    d.type_combo.setCurrentIndex(d.type_combo.findData("mediation"))
    d.outcome.setCurrentIndex(d.outcome.findData("agreement_reached"))
    d.referrals.item(0).setCheckState(Qt.CheckState.Checked)
    d.tags.setText("lunch, conflict")
    d.follow_check.setChecked(True)
    qtbot.keyClicks(d.notes, "Mediated a dispute over a seat at lunch")
    with qtbot.waitSignal(d.saved) as sig:
        qtbot.keyClick(d.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    cid = sig.args[0]
    qtbot.waitUntil(lambda: w.entry is None)
    c = d.journal.contact(cid) if False else w.session.journal.contact(cid)
    assert c.type_code == "mediation"
    assert [s.role for s in c.students] == ["participant", "party"]
    assert c.referrals == ("counselor",)
    assert set(c.tags) == {"lunch", "conflict"}
    fus = w.session.journal.follow_ups(status="open")
    assert len(fus) == 1 and fus[0].source_contact_id == cid
    assert page.model.total == 1
    assert w.session.journal.load_draft(DRAFT_NEW) is None

    # Edit: opens with the saved values; the change lands in the same contact.
    page.select_contact(cid)
    page.edit_selected()
    qtbot.waitUntil(lambda: w.entry is not None)
    e = w.entry
    assert e.contact_id == cid
    assert e.notes.toPlainText() == "Mediated a dispute over a seat at lunch"
    e.notes.setPlainText("Mediated a dispute over a seat at lunch; both apologised")
    e.save()
    assert w.session.journal.contact(cid).notes.endswith("both apologised")
    assert page.model.total == 1

    # Delete with undo, through the window's actions.
    page.select_contact(cid)
    page.delete_selected()
    assert page.model.total == 0
    assert w.undo_button.isVisible()
    w.act_undo.trigger()
    assert page.model.total == 1
    assert w.session.journal.contact(cid).notes.endswith("both apologised")


def test_validation_messages_sit_next_to_the_field(qtbot, open_vault):
    from srojournal.ui.session import Session

    session = Session(open_vault)
    d = QuickEntryDialog(session)
    qtbot.addWidget(d)
    d.show()
    d.school.setCurrentIndex(-1)
    d.school.setEditText("")
    assert d.save() is None
    assert d.school_error.isVisible()
    assert "school" in d.school_error.text().lower()
    d.school.setEditText("Roosevelt High")  # a new school is created on save
    d.follow_check.setChecked(True)
    d.follow_date.setDate(d.when.date().addDays(-3))
    assert d.save() is None
    assert d.follow_error.isVisible()
    d.follow_check.setChecked(False)
    cid = d.save()
    assert cid is not None
    assert open_vault.journal.school_id_by_name("Roosevelt High") is not None


def test_prefill_and_template(qtbot, open_vault):
    from srojournal.domain.models import Template
    from srojournal.ui.session import Session

    j = open_vault.journal
    jd = j.students("JD")[0].id
    j.add_template(
        Template(0, "Lunch check-in", "relationship", 10, "sro", "resolved", "", ("lunch",))
    )
    session = Session(open_vault)
    prefill = ContactInput(
        occurred_at=dt.datetime(2026, 3, 5, 14, 0),
        school_id=j.school_id_by_name("Lincoln Middle") or 0,
        type_code="mentoring_followup",
        students=(ContactStudent(jd),),
        notes="Follow-up on grades",
    )
    d = QuickEntryDialog(session, prefill=prefill)
    qtbot.addWidget(d)
    d.show()
    assert d.type_combo.currentData() == "mentoring_followup"
    assert d.student_entries() == [(jd, "participant")]
    d.template_combo.setCurrentIndex(1)
    d.template_combo.activated.emit(1)
    assert d.type_combo.currentData() == "relationship"
    assert d.duration.value() == 10
    assert d.tags.text() == "lunch"
    assert d.notes.toPlainText() == "Follow-up on grades"  # typed notes are never replaced


def test_closing_keeps_a_draft_and_reopening_restores_it(qtbot, open_vault):
    from srojournal.ui.session import Session

    session = Session(open_vault)
    d = QuickEntryDialog(session)
    qtbot.addWidget(d)
    d.show()
    d.notes.setPlainText("half a thought")
    d.reject()  # Esc: no question, the text is kept
    payload = open_vault.journal.load_draft(DRAFT_NEW)
    assert payload is not None and json.loads(payload)["notes"] == "half a thought"
    d2 = QuickEntryDialog(session)
    qtbot.addWidget(d2)
    assert d2.restored_draft
    assert d2.notes.toPlainText() == "half a thought"
    d2.clear_form()
    assert open_vault.journal.load_draft(DRAFT_NEW) is None
    add_contact(open_vault, "x")
