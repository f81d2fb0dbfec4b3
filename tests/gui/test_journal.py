"""Journal page and model: lazy fetching, search, filters, delete with undo."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QColor, QPalette

from srojournal.domain.models import ContactFilter, ContactInput
from srojournal.ui.journal.model import NOTES, JournalModel
from srojournal.ui.journal.page import JournalPage
from srojournal.ui.session import Session

from .conftest import add_contact, unlock


def test_model_passes_qtmodeltester(qtmodeltester, open_vault):
    for i in range(450):
        add_contact(
            open_vault, f"note {i}", occurred_at=dt.datetime(2026, 1, 1) + dt.timedelta(hours=i)
        )
    model = JournalModel(open_vault.journal, page_size=100)
    model.reload()
    qtmodeltester.check(model, force_py=True)
    model.set_filter(ContactFilter(text="note 7"))
    qtmodeltester.check(model, force_py=True)


def test_100k_contacts_are_not_all_fetched(qtbot, window_factory, vault_dir):
    from srojournal.vault.store import Vault

    from .conftest import PASSPHRASE

    v = Vault.open(vault_dir, PASSPHRASE)
    j = v.journal
    school = j.school_id_by_name("Lincoln Middle")
    assert school is not None
    base = dt.datetime(2021, 1, 1, 8, 0)
    with j.batch(), j.deferred_notes_index():
        for i in range(100_000):
            j.add_contact(
                ContactInput(
                    occurred_at=base + dt.timedelta(minutes=29 * i),
                    school_id=school,
                    type_code="relationship",
                    notes=f"hallway check-in number {i}",
                )
            )
    v.close()

    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    page = w.page("journal")
    assert isinstance(page, JournalPage)
    qtbot.waitUntil(lambda: page.model.fetched > 0)
    qtbot.wait(50)  # let the view lay out and ask for what it needs
    assert page.model.total == 100_000
    assert page.model.fetched <= 2 * page.model.page_size
    assert page.count_label.text() == "100,000 contacts"
    # Scrolling to the end asks for more, a page at a time.
    before = page.model.fetched
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.fetched > before)
    assert page.model.fetched <= 4 * page.model.page_size


def _page(qtbot, open_vault) -> JournalPage:
    session = Session(open_vault)
    page = JournalPage(session)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.has_journal)
    return page


def test_search_finds_and_filters_narrow(qtbot, open_vault):
    j = open_vault.journal
    jd = j.students("JD")[0].id
    add_contact(
        open_vault, "Talked about the basketball tryouts", students=[jd], outcome="resolved"
    )
    add_contact(open_vault, "Lunch duty, nothing special", type_code="event_duty")
    add_contact(
        open_vault,
        "Basketball again, with a parent call",
        occurred_at=dt.datetime(2026, 2, 10, 9, 0),
        outcome="parent_notified",
    )
    page = _page(qtbot, open_vault)
    assert page.model.total == 3

    page.search.setText("basketb")
    qtbot.waitUntil(lambda: page.model.total == 2, timeout=2000)  # debounced
    notes = {page.model.row_at(r).first_line for r in range(page.model.rowCount())}
    assert notes == {"Talked about the basketball tryouts", "Basketball again, with a parent call"}

    page.outcome_combo.setCurrentIndex(page.outcome_combo.findData("resolved"))
    assert page.model.total == 1
    page.clear_filters()
    assert page.model.total == 3

    page.type_combo.setCurrentIndex(page.type_combo.findData("category:safety"))
    assert page.model.total == 1
    page.type_combo.setCurrentIndex(0)
    page.date_from.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClicks(page.date_from, "3/1/2026")
    qtbot.keyClick(page.date_from, Qt.Key.Key_Tab)
    assert page.date_from.text() == "2026-03-01"
    assert page.model.total == 2
    page.date_from.set_value(None)
    page.show_student(jd)
    assert page.model.total == 1
    assert page.model.row_at(0).students == "JD"


def test_a_one_letter_word_is_searched_on_enter_not_while_typing(qtbot, open_vault):
    """As a prefix, one letter matches nearly every note: typing waits for the next letter."""
    add_contact(open_vault, "Cafeteria chat about the basketball tryouts")
    add_contact(open_vault, "Bus loop reminder")
    add_contact(open_vault, "Basketball again, in the cafeteria")
    page = _page(qtbot, open_vault)
    page.search.setFocus()

    def settled() -> None:
        qtbot.waitUntil(lambda: not page._search_timer.isActive(), timeout=2000)

    qtbot.keyClicks(page.search, "c")
    settled()
    assert page.model.total == 3 and page.hits.query is None
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # Enter searches the letter
    assert page.model.total == 2 and page.hits.query == "c"
    qtbot.keyClicks(page.search, "a")
    settled()
    assert page.model.total == 2 and page.hits.query == "ca"
    qtbot.keyClicks(page.search, "feteria c")  # "cafeteria c": the "c" waits
    settled()
    assert page.model.total == 2 and page.hits.query == "cafeteria"
    qtbot.keyClicks(page.search, "h")
    settled()
    assert page.model.total == 1 and page.hits.query == "cafeteria ch"


def test_detail_pane_and_delete_with_undo(qtbot, open_vault):
    cid = add_contact(open_vault, "First line\nSecond line with <b>markup</b>", outcome="resolved")
    page = _page(qtbot, open_vault)
    assert page.select_contact(cid)
    text = page.detail.toPlainText()
    assert "Second line with <b>markup</b>" in text  # shown whole, escaped
    assert "Resolved" in text
    page.delete_selected()
    assert page.model.total == 0
    assert page.undo_stack.canUndo()
    page.undo_stack.undo()
    assert page.model.total == 1
    restored = open_vault.journal.contact(cid)
    assert restored.notes.startswith("First line")
    assert page.current_contact_id() == cid
    page.undo_stack.redo()
    assert page.model.total == 0


def test_undo_after_a_new_entry_took_the_deleted_id_loses_nothing(qtbot, open_vault):
    """Delete the newest entry, save a new one (it takes the freed id), undo, redo: the undo
    puts the deleted entry back beside the new one, and the redo deletes it, not the new one."""
    add_contact(open_vault, "Older entry", occurred_at=dt.datetime(2026, 3, 1, 9, 0))
    newest = add_contact(open_vault, "Deleted, then put back")
    page = _page(qtbot, open_vault)
    assert page.select_contact(newest)
    page.delete_selected()
    qtbot.waitUntil(lambda: page.model.total == 1, timeout=2000)
    saved = add_contact(open_vault, "Saved after the delete")
    assert saved == newest  # the freed id, as SQLite hands it out
    page.refresh()
    page.undo_stack.undo()
    qtbot.waitUntil(lambda: page.model.total == 3, timeout=2000)
    journal = open_vault.journal
    assert journal.contact(saved).notes == "Saved after the delete"
    put_back = page.current_contact_id()
    assert put_back is not None and put_back != saved
    assert journal.contact(put_back).notes == "Deleted, then put back"
    page.undo_stack.redo()
    qtbot.waitUntil(lambda: page.model.total == 2, timeout=2000)
    assert journal.contact(saved).notes == "Saved after the delete"


def test_clear_drops_everything(qtbot, open_vault):
    add_contact(open_vault, "something private")
    page = _page(qtbot, open_vault)
    page.select_contact(page.model.row_at(0).id)
    page.clear()
    assert page.model.rowCount(QModelIndex()) == 0
    assert page.detail.toPlainText() == ""
    assert page.school_combo.count() == 0


def test_no_matches_says_so_and_clears_the_filters(qtbot, open_vault):
    add_contact(open_vault, "Talked about the basketball tryouts")
    page = _page(qtbot, open_vault)
    page.search.setText("zebra")
    qtbot.waitUntil(lambda: page.model.total == 0, timeout=2000)
    assert page.list_stack.currentIndex() == 1
    assert page.empty_label.text() == "No entries match these filters."
    assert page.empty_clear_btn.isVisible()
    page.empty_clear_btn.setFocus()
    qtbot.keyClick(page.empty_clear_btn, Qt.Key.Key_Return)
    assert page.model.total == 1 and page.list_stack.currentIndex() == 0
    assert page.search.text() == ""


def _mark_runs(page: JournalPage, row: int) -> list[tuple[int, int]]:
    """The runs of marked pixels across the middle of a row's notes cell, as painted."""
    from srojournal.ui import theme

    rect = page.table.visualRect(page.model.index(row, NOTES))
    image = page.table.viewport().grab().toImage()
    mark = QColor(theme.colors().mark).rgb()
    y = rect.top() + 4  # inside a mark, above the letters
    runs: list[tuple[int, int]] = []
    for x in range(rect.left(), rect.right() + 1):
        if image.pixel(x, y) == mark:
            if runs and runs[-1][1] == x - 1:
                runs[-1] = (runs[-1][0], x)
            else:
                runs.append((x, x))
    return runs


def _ink(page: JournalPage, row: int) -> int:
    """How many pixels of a row's notes cell are the text colour (the text is drawn)."""
    rect = page.table.visualRect(page.model.index(row, NOTES))
    image = page.table.viewport().grab().toImage()
    text = page.table.palette().color(QPalette.ColorRole.Text)
    return sum(
        1
        for x in range(rect.left(), rect.right() + 1)
        for y in range(rect.top(), rect.bottom() + 1)
        if QColor(image.pixel(x, y)).lightness() <= text.lightness() + 40
    )


def test_search_hits_are_marked_in_the_list_and_the_detail(qtbot, open_vault):
    cid = add_contact(open_vault, "Talked about the basketball tryouts\nBasketball again later")
    add_contact(
        open_vault,
        "Basketball hoop fixed; tryouts next week",
        occurred_at=dt.datetime(2026, 3, 1, 10, 0),
    )
    page = _page(qtbot, open_vault)
    page.resize(1200, 600)
    qtbot.keyClicks(page.search, "basketb")
    qtbot.waitUntil(lambda: page.hits.query == "basketb", timeout=2000)
    assert page.table.itemDelegateForColumn(NOTES) is page.hits
    # In the list: each row's word is marked where it is, once (not the other words).
    first, second = (page.model.row_of(cid), 1 - page.model.row_of(cid))
    (a,) = _mark_runs(page, first)
    (b,) = _mark_runs(page, second)
    left = page.table.visualRect(page.model.index(first, NOTES)).left()
    assert a[0] - left > 40 and b[0] - left < 20  # "…the basketball" vs "Basketball hoop"
    assert _ink(page, first) > 20 and _ink(page, second) > 20
    page.select_contact(cid)
    html = page.detail.toHtml()
    assert html.count("background-color:#ffe58a") == 2  # both words, no other
    # A new search marks its own words; no search marks nothing, and the text stays.
    page.search.selectAll()
    qtbot.keyClicks(page.search, "talked tr")
    qtbot.waitUntil(lambda: page.hits.query == "talked tr", timeout=2000)
    assert page.model.total == 1 and len(_mark_runs(page, 0)) == 2
    page.search.clear()
    qtbot.waitUntil(lambda: page.hits.query is None, timeout=2000)
    assert all(_mark_runs(page, r) == [] for r in range(2))
    assert all(_ink(page, r) > 20 for r in range(2))


def test_list_marks_follow_the_search_and_are_forgotten_on_lock(qtbot, open_vault):
    add_contact(open_vault, "Talked about the basketball tryouts")
    page = _page(qtbot, open_vault)
    page.resize(1200, 600)  # the whole line is shown: marks are found in the shown part only
    line = "Talked about the basketball tryouts"

    def marks() -> list[list[tuple[int, int]]]:
        return [m for (text, _width), (_shown, m) in page.hits._shown.items() if text == line]

    qtbot.keyClicks(page.search, "basketb")
    qtbot.waitUntil(lambda: page.hits.query == "basketb", timeout=2000)
    page.table.grab()  # paints the row: its hits are found and kept for this search
    assert [len(m) for m in marks()] == [1]
    page.search.selectAll()
    qtbot.keyClicks(page.search, "talked tr")
    qtbot.waitUntil(lambda: page.hits.query == "talked tr", timeout=2000)
    page.table.grab()
    assert [len(m) for m in marks()] == [2]  # not the last search's marks
    page.clear()  # on lock
    assert page.hits.query is None
    assert not page.hits._shown  # no note text kept in memory after the lock


def test_date_filters_take_typing_and_open_a_calendar(qtbot, open_vault):
    add_contact(open_vault, "early", occurred_at=dt.datetime(2026, 2, 1, 9, 0))
    add_contact(open_vault, "late", occurred_at=dt.datetime(2026, 3, 20, 9, 0))
    page = _page(qtbot, open_vault)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.date_to.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(page.date_to, Qt.Key.Key_F4)
    cal = page.date_to.calendar
    assert cal is not None and cal.isVisible()
    cal.grid.setSelectedDate(QDate(2026, 2, 28))
    inner = cal.grid.focusProxy() or cal.grid  # the calendar's day grid has the keyboard
    qtbot.keyClick(inner, Qt.Key.Key_Return)
    assert not cal.isVisible()
    assert page.date_to.text() == "2026-02-28"
    assert page.model.total == 1
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.date_to.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(page.date_to.hasFocus)
    page.date_to.selectAll()
    qtbot.keyClicks(page.date_to, "not a date")
    qtbot.keyClick(page.date_to, Qt.Key.Key_Tab)
    assert page.date_to.text() == "not a date"
    assert page.date_to.property("invalid") is True  # kept, marked, and not filtering
    assert page.model.total == 2


def test_marks_are_measured_again_when_the_text_size_changes(qtbot, open_vault):
    """The notes column keeps each row's measured text for the search; a new font (a larger
    text size) measures it again, so the marks stay on the words."""
    add_contact(open_vault, "About basketball")
    page = _page(qtbot, open_vault)
    page.resize(1200, 600)
    qtbot.keyClicks(page.search, "basketb")
    qtbot.waitUntil(lambda: page.hits.query == "basketb", timeout=2000)
    (small,) = _mark_runs(page, 0)
    font = page.table.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    page.table.setFont(font)
    (large,) = _mark_runs(page, 0)
    assert large[1] - large[0] > small[1] - small[0]  # as wide as the larger word
    assert large[0] > small[0]


def test_count_and_rows_follow_each_keystroke_without_moving_the_page(qtbot, open_vault):
    """Typing a search changes the count and the rows on every keystroke: the count label is
    of fixed size (it never lays the page out again) yet shows its whole text, and each row
    shows the texts of the search's own rows, not those of the last one."""
    add_contact(open_vault, "Talked about the basketball tryouts")
    for day in range(1, 12):
        add_contact(open_vault, f"Hallway check {day}", occurred_at=dt.datetime(2026, 2, day, 9))
    page = _page(qtbot, open_vault)
    label = page.count_label
    fm = label.fontMetrics()
    qtbot.keyClicks(page.search, "hallw")
    qtbot.waitUntil(lambda: page.model.filter.text == "hallw", timeout=2000)
    assert label.text() == "11 contacts"
    assert page.model.index(0, NOTES).data() == "Hallway check 11"
    assert page.model.index(0, 0).data() == "2026-02-11 09:00"
    geometry = label.geometry()
    assert label.width() >= fm.horizontalAdvance("999,999 contacts")
    assert label.alignment() & Qt.AlignmentFlag.AlignRight
    page.search.selectAll()
    qtbot.keyClicks(page.search, "basketb")
    qtbot.waitUntil(lambda: page.model.filter.text == "basketb", timeout=2000)
    assert label.text() == "1 contact" and label.geometry() == geometry
    assert page.model.index(0, NOTES).data() == "Talked about the basketball tryouts"
    assert page.model.index(0, 0).data() == "2026-03-02 10:00"
    assert page.model.index(1, NOTES).data() is None
    # A count with more digits than there was room for makes the label wider, not clipped.
    page.model.total = 12_345_678
    page._update_count()
    assert label.width() >= fm.horizontalAdvance("12,345,678 contacts")
