"""The students page on a real vault: list, search, profile, timeline, archive, add."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from srojournal.ui.students.page import StudentsPage


def _select(page: StudentsPage, student_id: int) -> None:
    row = page.model.row_of(student_id)
    assert row >= 0
    page.list.setCurrentIndex(page.model.index(row, 0))


def test_list_search_and_profile_timeline(qtbot, session, vault, data, show):
    contact = data.contact(vault, data.ana, data.ben)
    page = show(StudentsPage(session))
    assert page.model.rowCount() == 3
    qtbot.keyClicks(page.search, "a")
    assert page.model.rowCount() == 1
    page.search.clear()
    _select(page, data.ana)
    assert page.body.isVisible()
    assert page.name_label.text() == "AB"
    assert page.timeline.rowCount() == 1
    assert page.timeline.contact_id_at(0) == contact
    assert "1 contact" in page.counts_label.text()
    with qtbot.waitSignal(page.edit_contact_requested) as sig:
        page.timeline.open_contact.emit(page.timeline.contact_id_at(0))
    assert sig.args == [contact]


def test_timeline_double_click_opens_contact(qtbot, session, vault, data, show):
    contact = data.contact(vault, data.ana)
    page = show(StudentsPage(session))
    _select(page, data.ana)
    rect = page.timeline.visualRect(page.timeline.model().index(0, 1))
    qtbot.mouseClick(page.timeline.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.edit_contact_requested) as sig:
        qtbot.mouseDClick(page.timeline.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == [contact]


def test_archive_and_unarchive(qtbot, session, vault, data, show):
    page = show(StudentsPage(session))
    _select(page, data.ben)
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    assert vault.journal.student(data.ben).archived
    assert page.model.row_of(data.ben) == -1  # hidden from the default list
    assert page.archive_button.text() == "Unarchive"  # profile stays open
    page.include_archived.setChecked(True)
    assert page.model.row_of(data.ben) >= 0
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    assert not vault.journal.student(data.ben).archived
    page.include_archived.setChecked(False)
    assert page.model.row_of(data.ben) >= 0


def test_edit_notes_saves_and_lock_keeps_typed_text(qtbot, session, vault, data, show):
    page = show(StudentsPage(session))
    _select(page, data.ana)
    page.notes_edit.setFocus()
    page.notes_edit.selectAll()
    qtbot.keyClicks(page.notes_edit, "prefers mornings")
    assert page.save_button.isEnabled()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert vault.journal.student(data.ana).notes == "prefers mornings"
    # Typing then locking (clear) keeps the text in the vault and drops it from the widgets.
    qtbot.keyClicks(page.notes_edit, " and tea")
    page.clear()
    assert vault.journal.student(data.ana).notes == "prefers mornings and tea"
    assert page.notes_edit.toPlainText() == ""
    assert page.model.rowCount() == 0
    assert page.timeline.rowCount() == 0


def test_log_contact_prefills_student(qtbot, session, data, show):
    page = show(StudentsPage(session))
    _select(page, data.cy)
    with qtbot.waitSignal(page.new_contact_requested) as sig:
        qtbot.mouseClick(page.log_button, Qt.MouseButton.LeftButton)
    prefill = sig.args[0]
    assert [s.student_id for s in prefill.students] == [data.cy]
    assert prefill.school_id == data.other_school


def test_add_student_dialog(qtbot, session, vault, data, show):
    page = show(StudentsPage(session))
    dlg = page.open_add_dialog()
    assert dlg is not None
    qtbot.keyClicks(dlg.alias, "GH")
    dlg.grade.setCurrentIndex(dlg.grade.findData("6"))
    dlg.accept()
    QApplication.processEvents()
    found = vault.journal.students("GH")
    assert len(found) == 1 and found[0].grade == "6"
    assert page.name_label.text() == "GH"


def test_add_student_rejects_empty_alias_and_keeps_dialog(qtbot, session, data, show):
    page = show(StudentsPage(session))
    dlg = page.open_add_dialog()
    qtbot.keyClicks(dlg.notes, "typed text")
    dlg.accept()
    assert dlg.isVisible()
    assert "Alias" in dlg.error.text()
    assert dlg.notes.toPlainText() == "typed text"
    dlg.reject()


def test_the_search_picks_its_one_result_with_the_keyboard(qtbot, session, vault, data, show):
    page = show(StudentsPage(session))
    page.search.setFocus()
    qtbot.keyClicks(page.search, "EF")
    assert page.model.rowCount() == 1
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.name_label.text() == "EF"
    assert QApplication.focusWidget() is page.list
    page.search.setFocus()
    page.search.clear()  # every student: Down goes into the list
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is page.list
    assert page.name_label.text() == "EF"  # the student chosen before stays chosen
