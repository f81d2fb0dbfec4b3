"""Quick entry: the officer's evening from the keyboard, type-ahead that never swallows a key,
new students with a typed grade, dates as text, the questions before saving, drafts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from srojournal.domain.models import ContactInput, ContactStudent, Template
from srojournal.ops.changes import Change
from srojournal.ui.entry import QuickEntryDialog, round_to_5
from srojournal.ui.entry.dialog import DRAFT_NEW
from srojournal.ui.journal.page import JournalPage
from srojournal.ui.session import Session

from .conftest import add_contact, unlock
from .keyboard import Keyboard

BUDGET = 15  # keystrokes for a typical contact, besides the alias and the notes
NOW = dt.datetime(2026, 3, 18, 19, 42)  # an evening; entries start at 19:40


def test_round_to_5():
    assert round_to_5(dt.datetime(2026, 3, 2, 12, 2, 59)) == dt.datetime(2026, 3, 2, 12, 0)
    assert round_to_5(dt.datetime(2026, 3, 2, 12, 3)) == dt.datetime(2026, 3, 2, 12, 5)
    assert round_to_5(dt.datetime(2026, 3, 2, 23, 58)) == dt.datetime(2026, 3, 3, 0, 0)


def _open(qtbot, w, kb: Keyboard) -> QuickEntryDialog:
    w.activateWindow()  # what the window manager does when the entry window closes
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    kb.ctrl(Qt.Key.Key_N)
    qtbot.waitUntil(lambda: w.entry is not None)
    d = w.entry
    assert isinstance(d, QuickEntryDialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is d.student_search)
    return d


def _save(qtbot, w, kb: Keyboard, d: QuickEntryDialog, *, answer: bool = False) -> int:
    with qtbot.waitSignal(d.saved) as sig:
        kb.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier, what="Ctrl+Enter")
        if answer:
            assert d.ask_bar.isVisible()
            kb.enter()
    qtbot.waitUntil(lambda: w.entry is None)
    return int(sig.args[0])


def test_an_evening_of_three_contacts_within_the_keystroke_budget(qtbot, window_factory, vault_dir):
    """A hallway chat with two new students, a mentoring check-in with a follow-up, and a
    three-student mediation that opens a case: keyboard only, counted, checked in the vault."""
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    w.session.now = lambda: NOW  # type: ignore[method-assign]
    w.session.today = lambda: NOW.date()  # type: ignore[method-assign]
    j = w.session.journal
    school = j.school_id_by_name("Lincoln Middle")
    jd, mk = j.students("JD")[0].id, j.students("MK")[0].id
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    kb = Keyboard(qtbot)
    spent: list[int] = []

    # 1. A hallway chat with two new students (the type is already the right one).
    d = _open(qtbot, w, kb)
    kb.words("Ava R")
    kb.enter()
    kb.keys("7")
    kb.enter()
    kb.words("Ben T")
    kb.enter()
    kb.keys("8")
    kb.enter()
    kb.tab()  # type: Relationship-building (the default)
    kb.tab()  # outcome
    kb.keys("res")
    kb.tab()  # notes
    kb.words("Said hi at lunch; both new this week, settling in fine.")
    hallway = _save(qtbot, w, kb, d)
    spent.append(kb.reset())

    # 2. A mentoring check-in with a follow-up a week out (the outcome schedules it).
    d = _open(qtbot, w, kb)
    kb.words("JD")
    kb.enter()
    kb.tab()
    kb.keys("me")  # Mentoring session
    kb.tab()
    kb.keys("fo")  # Follow-up scheduled
    kb.tab()
    kb.words("Grades are up in math. Check in after the science test.")
    mentoring = _save(qtbot, w, kb, d)
    spent.append(kb.reset())

    # 3. A mediation between three students, opening a case with their agreement.
    d = _open(qtbot, w, kb)
    for alias in ("JD", "MK", "Ava R"):
        kb.words(alias)
        kb.enter()
    kb.tab()
    kb.keys("med")  # Conflict mediation
    kb.tab()
    kb.keys("ag")  # Agreement reached
    kb.tab()
    kb.words("Dispute over a seat at lunch; talked it through.")
    kb.tab()  # the agreement
    kb.words("Sit at separate tables for two weeks")
    mediation = _save(qtbot, w, kb, d, answer=True)
    spent.append(kb.reset())

    print("keystrokes per contact:", spent)
    assert all(n <= BUDGET for n in spent), spent

    # Every field, as stored.
    ava, ben = j.students("Ava R")[0], j.students("Ben T")[0]
    assert (ava.grade, ben.grade, ava.school_id, ben.school_id) == ("7", "8", school, school)
    evening = dt.datetime(2026, 3, 18, 19, 40)
    c = j.contact(hallway)
    assert (c.occurred_at, c.school_id, c.type_code, c.duration_min) == (
        evening,
        school,
        "relationship",
        5,
    )
    assert c.students == (
        ContactStudent(ava.id, "participant", "7"),
        ContactStudent(ben.id, "participant", "8"),
    )
    assert (c.outcome, c.initiated_by, c.referrals, c.tags) == ("resolved", None, (), ())
    assert c.notes == "Said hi at lunch; both new this week, settling in fine."

    c = j.contact(mentoring)
    assert (c.occurred_at, c.type_code, c.duration_min, c.outcome) == (
        evening,
        "mentoring",
        30,
        "follow_up_scheduled",
    )
    assert c.students == (ContactStudent(jd, "participant", "7"),)
    assert c.notes == "Grades are up in math. Check in after the science test."
    [fu] = j.follow_ups(status="open")
    assert (fu.due, fu.student_ids, fu.source_contact_id) == (
        dt.date(2026, 3, 25),
        (jd,),
        mentoring,
    )
    assert fu.what == "Follow up: Mentoring session"

    c = j.contact(mediation)
    assert (c.type_code, c.duration_min, c.outcome) == ("mediation", 30, "agreement_reached")
    assert [(s.student_id, s.role) for s in c.students] == [
        (jd, "party"),
        (mk, "party"),
        (ava.id, "party"),
    ]
    assert c.notes == "Dispute over a seat at lunch; talked it through."
    [case] = j.conflict_cases()
    assert case.party_ids == (jd, mk, ava.id)
    assert case.terms == "Sit at separate tables for two weeks"
    assert case.contact_ids == (mediation,)
    assert (case.opened_on, case.check_date, case.status) == (
        dt.date(2026, 3, 18),
        dt.date(2026, 3, 25),
        "open",
    )
    assert case.title == "JD, MK and Ava R"
    assert j.count_contacts() == 3


@pytest.fixture
def entry(qtbot, open_vault):
    session = Session(open_vault)
    session.now = lambda: NOW  # type: ignore[method-assign]
    d = QuickEntryDialog(session, restore_draft=False)
    d.show()
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)
    d.student_search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is d.student_search)
    yield d
    if shiboken6.isValid(d):  # a saved entry closes (and deletes) itself
        d.close()


def test_outcome_type_ahead_never_swallows_a_key(qtbot, entry):
    d, kb = entry, Keyboard(qtbot)
    kb.tab()  # type
    kb.tab()  # outcome
    assert QApplication.focusWidget() is d.outcome
    kb.words("Agreement h")  # the space once opened a drop-down list that ate the rest
    assert d.outcome.text() == "Agreement h"
    assert d.outcome.value() == "agreement_held"
    kb.tab()
    assert d.outcome.text() == "Agreement held"
    assert QApplication.focusWidget() is d.notes
    kb.words("Checked in")
    assert d.notes.toPlainText() == "Checked in"


def test_type_ahead_matches_any_word_and_arrows_pick_another(qtbot, entry):
    d, kb = entry, Keyboard(qtbot)
    kb.tab()
    kb.keys("med")
    assert d.type_edit.value() == "mediation"  # "Conflict mediation", not "Medical…"
    assert d.type_edit.popup.isVisible()
    kb.press(Qt.Key.Key_Down)
    kb.press(Qt.Key.Key_Down)
    picked = d.type_edit.value()
    kb.enter()  # takes the highlighted one and moves on
    assert d.type_edit.value() == picked != "mediation"
    assert QApplication.focusWidget() is d.outcome
    kb.keys("zzz")
    kb.tab()
    assert d.outcome.value() is None and d.outcome.text() == "zzz"  # kept, marked, not saved
    assert d.save() is None
    assert "zzz" in d.type_error.text()


def test_a_new_alias_takes_its_grade_as_text_and_the_next_alias_is_not_misrouted(
    qtbot, entry, open_vault
):
    d, kb = entry, Keyboard(qtbot)
    kb.words("Newkid")
    kb.enter()
    chip = d._chips[0]
    assert chip.student_id is None and QApplication.focusWidget() is chip.grade_edit
    kb.words("MK")  # the next alias, typed at once: it goes where it belongs
    assert chip.grade_edit.text() == ""
    assert QApplication.focusWidget() is d.student_search
    assert d.student_search.text() == "MK"
    kb.enter()
    assert [c.alias for c in d._chips] == ["Newkid", "MK"]
    kb.words("Kyle")
    kb.enter()
    kb.words("Kim")  # "K" is a grade, "Ki" is not: the alias moves on, whole
    assert d._chips[2].grade_edit.text() == ""
    assert d.student_search.text() == "Kim"
    d.student_search.clear()
    d._chips[2].grade_edit.setFocus()
    kb.keys("K")
    kb.enter()
    assert QApplication.focusWidget() is d.student_search
    d._chips[0].grade_edit.setFocus()
    kb.keys("12")
    d.notes.setFocus()
    kb.words("Met the new students")
    cid = d.save()
    assert cid is not None
    j = open_vault.journal
    assert j.students("Newkid")[0].grade == "12"
    assert j.students("Kyle")[0].grade == "K"
    assert [s.student_id for s in j.contact(cid).students] == [
        j.students("Newkid")[0].id,
        j.students("MK")[0].id,
        j.students("Kyle")[0].id,
    ]


def test_date_and_time_are_typed_as_text_one_tab_each(qtbot, entry):
    d, kb = entry, Keyboard(qtbot)
    d.when_date.setFocus(Qt.FocusReason.TabFocusReason)  # as Tab enters it: all selected
    kb.words("3/2")
    kb.tab()
    assert d.when_date.text() == "2026-03-02"
    assert QApplication.focusWidget() is d.when_time
    kb.words("930a")
    kb.tab()
    assert d.when_time.text() == "09:30"
    assert QApplication.focusWidget() is d.duration
    # A follow-up typed right after the date lands in the follow-up, never in the date.
    d.follow_date.setFocus(Qt.FocusReason.TabFocusReason)
    kb.words("fri")
    kb.tab()
    assert d.follow_date.value() == dt.date(2026, 3, 20)  # the coming Friday
    kb.words("Call the parent")
    assert d.follow_what.text() == "Call the parent"
    assert d.when_date.text() == "2026-03-02"


def test_a_date_that_is_no_date_is_kept_and_named(qtbot, entry):
    d, kb = entry, Keyboard(qtbot)
    d.when_date.setFocus(Qt.FocusReason.TabFocusReason)
    kb.words("late0261128")
    kb.tab()
    assert d.when_date.text() == "late0261128"  # never thrown away
    d.notes.setPlainText("x")
    assert d.save() is None
    assert "not a date" in d.when_error.text()


def test_the_form_fits_700_pixels_and_scrolls_when_the_screen_is_smaller(qtbot, entry):
    assert entry.height() <= 700
    entry.resize(entry.width(), 420)
    qtbot.waitUntil(lambda: entry.scroller.verticalScrollBar().maximum() > 0)


def test_mnemonics_are_unique_in_quick_entry(entry):
    seen: dict[str, str] = {}
    for lbl in entry.findChildren(QLabel):
        text = lbl.text()
        if "&" not in text.replace("&&", "") or not lbl.isVisibleTo(entry):
            continue
        key = text[text.index("&") + 1].lower()
        assert key not in seen, f"Alt+{key}: {seen[key]!r} and {text!r}"
        seen[key] = text
    from PySide6.QtWidgets import QAbstractButton

    for b in entry.findChildren(QAbstractButton):
        text = b.text().replace("&&", "")
        if "&" in text and b.isVisibleTo(entry):
            key = text[text.index("&") + 1].lower()
            assert key not in seen, f"Alt+{key}: {seen[key]!r} and {b.text()!r}"
            seen[key] = text


def test_missing_notes_or_minutes_are_asked_about_once(qtbot, entry, open_vault):
    d, kb = entry, Keyboard(qtbot)
    kb.words("JD")
    kb.enter()
    kb.tab()
    kb.keys("me")
    d.duration.setValue(0)
    kb.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert d.ask_bar.isVisible()
    assert "no notes" in d.ask_text.text() and "0 minutes" in d.ask_text.text()
    assert open_vault.journal.count_contacts() == 0
    kb.press(Qt.Key.Key_Escape)  # back to the entry, not closed
    assert not d.ask_bar.isVisible() and d.isVisible()
    assert QApplication.focusWidget() is d.notes
    kb.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(d.saved):
        kb.enter()  # "Save anyway"
    assert open_vault.journal.count_contacts() == 1


def test_a_lesson_needs_no_notes(qtbot, entry, open_vault):
    d, kb = entry, Keyboard(qtbot)
    kb.tab()
    kb.keys("class")
    assert d.type_edit.value() == "classroom"
    assert d.attendees.isVisible()
    with qtbot.waitSignal(d.saved):
        kb.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert open_vault.journal.contact(d.saved_id).duration_min == 50


def test_a_conflict_makes_its_students_parties_and_a_case_can_be_declined(qtbot, entry, open_vault):
    d, kb = entry, Keyboard(qtbot)
    for alias in ("JD", "MK"):
        kb.words(alias)
        kb.enter()
    assert [c.role_code for c in d._chips] == ["participant", "participant"]
    kb.tab()
    kb.keys("de-es")
    assert d.type_edit.value() == "deescalation"
    assert [c.role_code for c in d._chips] == ["party", "party"]
    assert d.agreement.isVisible()
    d._chips[1].party.click()  # the officer's choice survives a type change
    kb.tab()
    kb.tab()
    kb.words("Calmed a shouting match")
    kb.tab()
    kb.words("Keep apart")
    assert not d._offers_case()  # one party only
    d._chips[1].party.click()
    kb.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert d.ask_case_btn.isVisible() and QApplication.focusWidget() is d.ask_case_btn
    kb.tab()
    assert QApplication.focusWidget() is d.ask_save_btn
    with qtbot.waitSignal(d.saved):
        kb.enter()  # save without a case: the terms stay with the entry
    j = open_vault.journal
    assert j.conflict_cases() == []
    assert j.contact(d.saved_id).notes == "Calmed a shouting match\n\nAgreement: Keep apart"


def test_validation_messages_sit_next_to_the_field(qtbot, entry, open_vault):
    d = entry
    d.school.clear()
    d.notes.setPlainText("x")
    assert d.save() is None
    assert d.when_error.isVisible() and "school" in d.when_error.text().lower()
    assert QApplication.focusWidget() is d.school
    d.school.setText("Roosevelt High")  # a new school is created on save
    d.follow_date.set_value(dt.date(2026, 3, 1))
    assert d.save() is None
    assert d.follow_error.isVisible()
    d.follow_date.set_value(None)
    cid = d.save(confirmed=True)
    assert cid is not None
    assert open_vault.journal.school_id_by_name("Roosevelt High") is not None


def test_prefill_and_template(qtbot, open_vault):
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
    assert d.type_edit.value() == "mentoring_followup"
    assert d.duration.value() == 15  # from the type: the prefill named none
    assert d.student_entries() == [(jd, "participant")]
    d.template.setFocus()
    qtbot.keyClicks(d.template, "lun")
    qtbot.keyClick(d.template, Qt.Key.Key_Return)
    assert d.type_edit.value() == "relationship"
    assert d.duration.value() == 10
    assert d.initiated.value() == "sro" and d.outcome.value() == "resolved"
    assert d.tags.text() == "lunch"
    assert d.notes.toPlainText() == "Follow-up on grades"  # typed notes are never replaced


def test_closing_keeps_a_draft_and_reopening_restores_it(qtbot, open_vault):
    session = Session(open_vault)
    d = QuickEntryDialog(session)
    d.show()
    d.add_new_student("Zed", grade="5", focus=False)
    d.outcome.setText("Agreem")  # half-typed: kept as typed
    d.notes.setPlainText("half a thought")
    d.reject()  # Esc: no question, the text is kept
    payload = open_vault.journal.load_draft(DRAFT_NEW)
    assert payload is not None and json.loads(payload)["notes"] == "half a thought"
    d2 = QuickEntryDialog(session)
    assert d2.restored_draft
    assert d2.notes.toPlainText() == "half a thought"
    assert d2.outcome.text() == "Agreem"
    assert [(c.alias, c.grade_edit.text()) for c in d2._chips] == [("Zed", "5")]
    d2.clear_form()
    assert open_vault.journal.load_draft(DRAFT_NEW) is None
    d2.close_keeping_draft()


def test_a_draft_kept_by_the_first_quick_entry_still_opens(qtbot, open_vault):
    j = open_vault.journal
    jd = j.students("JD")[0].id
    old = {
        "version": 1,
        "contact_id": None,
        "when": "2026-03-02T10:15",
        "duration": 20,
        "school": "Lincoln Middle",
        "type": "mentoring",
        "students": [[jd, "participant"]],
        "initiated_by": "student",
        "outcome": "resolved",
        "attendees": 0,
        "follow_up": True,
        "follow_date": "2026-03-09",
        "follow_what": "check grades",
        "referrals": ["counselor"],
        "tags": "grades",
        "notes": "typed last week",
    }
    j.save_draft(DRAFT_NEW, json.dumps(old))
    d = QuickEntryDialog(Session(open_vault))
    assert d.restored_draft
    assert (d.when_date.text(), d.when_time.text()) == ("2026-03-02", "10:15")
    assert (d.type_edit.value(), d.initiated.value(), d.outcome.value()) == (
        "mentoring",
        "student",
        "resolved",
    )
    assert d.student_entries() == [(jd, "participant")]
    assert d.follow_date.value() == dt.date(2026, 3, 9)
    assert d.checked_referrals() == ["counselor"]
    assert d.notes.toPlainText() == "typed last week"
    d.close_keeping_draft()


def test_edit_and_delete_with_undo(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    page = w.page("journal")
    assert isinstance(page, JournalPage)
    cid = add_contact(w.session.vault, "Mediated a dispute", duration_min=20)
    w.session.notify(Change.CONTACTS)
    page.select_contact(cid)
    page.edit_selected()
    qtbot.waitUntil(lambda: w.entry is not None)
    e = w.entry
    assert e.contact_id == cid
    assert e.notes.toPlainText() == "Mediated a dispute"
    e.notes.setPlainText("Mediated a dispute; both apologised")
    e.save()
    assert w.session.journal.contact(cid).notes.endswith("both apologised")
    page.select_contact(cid)
    page.delete_selected()
    assert page.model.total == 0
    assert w.undo_button.isVisible()
    w.act_undo.trigger()
    assert page.model.total == 1
    assert w.session.journal.contact(cid).notes.endswith("both apologised")


def test_ctrl_z_puts_back_the_entry_with_its_case_follow_up_and_tags(
    qtbot, window_factory, vault_dir
):
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    j = w.session.journal
    jd, mk = j.students("JD")[0].id, j.students("MK")[0].id
    cid = add_contact(
        w.session.vault,
        "Seat dispute",
        type_code="mediation",
        students=[jd, mk],
        tags=("lunch",),
        referrals=("counselor",),
    )
    case = j.add_conflict_case("Seat", [jd, mk], opened_on=dt.date(2026, 3, 2), contact_ids=[cid])
    fu = j.add_follow_up(dt.date(2026, 3, 9), "check", [jd], source_contact_id=cid)
    before = (j.contact(cid), j.conflict_case(case), j.follow_up(fu))
    w.session.notify(Change.CONTACTS)
    page = w.page("journal")
    page.select_contact(cid)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.model.total == 0 and j.conflict_case(case).contact_ids == ()
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (j.contact(cid), j.conflict_case(case), j.follow_up(fu)) == before
    qtbot.keyClick(
        page.table,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert page.model.total == 0
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (j.contact(cid), j.conflict_case(case), j.follow_up(fu)) == before
    assert page.model.total == 1
