"""The follow-ups page on a real vault: buckets, mark done (logging the contact), reschedule."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from conftest import TODAY
from srojournal.domain.models import ContactFilter
from srojournal.ui.common.forms import FormDialog
from srojournal.ui.followups.page import FollowUpsPage


def _groups(page: FollowUpsPage) -> list[str]:
    return [page.tree.topLevelItem(i).text(0) for i in range(page.tree.topLevelItemCount())]


def _add(vault, data, days: int, what: str = "Check in") -> int:
    return vault.journal.add_follow_up(TODAY + dt.timedelta(days=days), what, [data.ana, data.ben])


def test_buckets_and_overdue_badge(qtbot, session, vault, data, show):
    _add(vault, data, -2)
    _add(vault, data, 0)
    _add(vault, data, 3)
    _add(vault, data, 30)
    page = show(FollowUpsPage(session))
    assert _groups(page) == ["Overdue (1)", "Due today (1)", "This week (1)", "Later (1)"]
    assert page.overdue_count() == 1
    assert page.tree.topLevelItem(0).child(0).text(2) == "AB, CD"


def test_mark_done_logs_the_follow_up_contact(qtbot, session, vault, data, show):
    fid = _add(vault, data, -1, "Talk about grades")
    page = show(FollowUpsPage(session))
    page.select(fid)
    assert page.done_button.isEnabled()
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dlg = page.findChild(FormDialog, "doneFollowUpDialog")
    assert dlg is not None and dlg.log_box.isChecked()
    dlg.notes.setPlainText("Grades are up")
    with qtbot.waitSignal(session.data_changed):
        qtbot.keyClick(dlg, Qt.Key.Key_Return)  # the fastest path: Ctrl+D, Enter
    f = vault.journal.follow_up(fid)
    assert f.status == "done" and f.completed_on == TODAY
    contact = vault.journal.contact(f.done_contact_id)
    assert contact.type_code == "mentoring_followup"
    assert [s.student_id for s in contact.students] == [data.ana, data.ben]
    assert contact.occurred_at.date() == TODAY
    assert contact.school_id == data.school
    assert contact.notes == "Grades are up"
    assert vault.journal.count_contacts(ContactFilter(student_id=data.ben)) == 1
    assert page.overdue_count() == 0
    assert _groups(page) == []


def test_mark_done_without_logging(qtbot, session, vault, data, show):
    fid = _add(vault, data, 0)
    page = show(FollowUpsPage(session))
    page.select(fid)
    dlg = page.open_done_dialog()
    dlg.log_box.setChecked(False)
    dlg.accept()
    assert vault.journal.follow_up(fid).status == "done"
    assert vault.journal.follow_up(fid).done_contact_id is None
    assert vault.journal.count_contacts() == 0


def test_reschedule_and_cancel(qtbot, session, vault, data, show):
    fid = _add(vault, data, -3)
    page = show(FollowUpsPage(session))
    page.select(fid)
    dlg = page.open_reschedule_dialog()
    tomorrow = next(b for b in dlg.findChildren(QPushButton) if b.text() == "Tomorrow")
    qtbot.mouseClick(tomorrow, Qt.MouseButton.LeftButton)
    dlg.accept()
    assert vault.journal.follow_up(fid).due == TODAY + dt.timedelta(days=1)
    assert _groups(page) == ["This week (1)"]
    page.select(fid)
    page.ask_cancel()
    box = page.findChild(QMessageBox, "confirmBox")
    qtbot.mouseClick(box.findChild(QPushButton, "confirmAccept"), Qt.MouseButton.LeftButton)
    assert vault.journal.follow_up(fid).status == "cancelled"
    assert _groups(page) == []


def test_add_follow_up_with_students(qtbot, session, vault, data, show):
    page = show(FollowUpsPage(session))
    dlg = page.open_add_dialog()
    qtbot.keyClicks(dlg.what, "Return the book")
    qtbot.keyClicks(dlg.picker.search, "EF")
    qtbot.keyClick(dlg.picker.search, Qt.Key.Key_Return)  # adds the student, keeps the dialog
    assert dlg.isVisible()
    assert dlg.picker.student_ids() == [data.cy]
    dlg.accept()
    [f] = vault.journal.follow_ups()
    assert f.what == "Return the book" and f.student_ids == (data.cy,)
    assert f.due == TODAY + dt.timedelta(days=7)
    assert page.selected_id() == f.id


def test_clear_drops_everything(qtbot, session, vault, data, show):
    _add(vault, data, 1)
    page = show(FollowUpsPage(session))
    page.clear()
    assert page.tree.topLevelItemCount() == 0
    assert page.summary.text() == ""


def test_mark_done_logs_the_contact_when_it_is_pressed(qtbot, session, vault, data, show):
    """The contact is logged at the minute Mark done is pressed, not when the dialog opened
    (nor rounded down to five minutes)."""
    clock = [dt.datetime.combine(TODAY, dt.time(20, 10))]
    session.now = lambda: clock[0]
    fid = _add(vault, data, 0)
    page = show(FollowUpsPage(session))
    page.select(fid)
    dlg = page.open_done_dialog()
    clock[0] = dt.datetime.combine(TODAY, dt.time(20, 14, 31))
    dlg.accept()
    contact = vault.journal.contact(vault.journal.follow_up(fid).done_contact_id)
    assert contact.occurred_at == dt.datetime.combine(TODAY, dt.time(20, 14))


def test_agreement_checks_are_listed_and_recorded_with_the_follow_ups(
    qtbot, session, vault, data, show
):
    session.now = lambda: dt.datetime.combine(TODAY, dt.time(16, 0))
    late = vault.journal.add_conflict_case(
        "Bus stop", [data.ana, data.ben], opened_on=TODAY, check_date=TODAY - dt.timedelta(2)
    )
    vault.journal.add_conflict_case(
        "Closed one", [data.ana, data.ben], opened_on=TODAY, check_date=TODAY
    )
    vault.journal.update_conflict_case(2, status="closed")
    _add(vault, data, 3)
    page = show(FollowUpsPage(session))
    assert _groups(page) == ["Overdue (1)", "This week (1)"]
    row = page.tree.topLevelItem(0).child(0)
    assert row.text(1) == "Agreement check: Bus stop" and row.text(2) == "AB, CD"
    assert page.overdue_count() == 1
    page.select_check(late)
    assert page.done_button.isEnabled()
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dlg = page.findChild(FormDialog, "checkDialog")
    assert dlg is not None and dlg.held
    dlg.broken_choice.click()
    assert not dlg.held and dlg.next_check.value() is None
    with qtbot.waitSignal(session.data_changed):
        qtbot.keyClick(dlg, Qt.Key.Key_Return)
    case = vault.journal.conflict_case(late)
    assert (case.status, case.check_date) == ("broken", None)
    assert vault.journal.contact(case.contact_ids[0]).outcome == "agreement_broken"
    assert _groups(page) == ["This week (1)"]


def test_an_agreement_check_can_be_moved_and_dropped(qtbot, session, vault, data, show):
    case = vault.journal.add_conflict_case(
        "Bus", [data.ana, data.ben], opened_on=TODAY, check_date=TODAY
    )
    page = show(FollowUpsPage(session))
    page.select_check(case)
    dlg = page.open_reschedule_dialog()
    dlg.due.set_value(TODAY + dt.timedelta(days=5))
    dlg.accept()
    assert vault.journal.conflict_case(case).check_date == TODAY + dt.timedelta(days=5)
    page.select_check(case)
    page.ask_cancel()
    box = page.findChild(QMessageBox, "confirmBox")
    qtbot.mouseClick(box.findChild(QPushButton, "confirmAccept"), Qt.MouseButton.LeftButton)
    assert vault.journal.conflict_case(case).check_date is None
    assert vault.journal.conflict_case(case).status == "open"
    assert _groups(page) == []
