"""Spell checking in notes: underlined, corrected from the context menu, words of one's own
kept in the vault only, switched off in Settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QContextMenuEvent, QTextCursor
from PySide6.QtWidgets import QApplication

from srojournal.domain.settings import PERSONAL_WORDS, SPELL_CHECK
from srojournal.ops import spelling
from srojournal.ui.common.spelling import DICTIONARY
from srojournal.ui.entry import QuickEntryDialog
from srojournal.ui.session import Session
from srojournal.ui.settings.page import SettingsPage

NAME = "Zebulonica"  # a name no dictionary holds


@pytest.fixture(autouse=True)
def _dictionary() -> None:
    DICTIONARY.load_now()  # the app loads it in the background; tests want it at once


@pytest.fixture
def entry(qtbot, open_vault):
    d = QuickEntryDialog(Session(open_vault), restore_draft=False)
    d.show()
    yield d
    d.close_keeping_draft()


def _menu_for(edit, word: str):
    text = edit.toPlainText()
    cursor = QTextCursor(edit.document())
    cursor.setPosition(text.index(word) + 1)
    return edit.spelling_menu(cursor)


def test_misspelled_words_are_underlined_and_corrected(qtbot, entry):
    qtbot.keyClicks(entry.notes, "Held a mediaton with JD in the hallway, IEP team later.")
    assert entry.notes.misspelled_words() == ["mediaton"]  # aliases, trade words, capitals ok
    menu = _menu_for(entry.notes, "mediaton")
    labels = [a.text() for a in menu.actions()]
    assert labels[0] == "mediation"
    assert "Add “mediaton” to the dictionary" in labels
    menu.actions()[0].trigger()
    assert "Held a mediation with JD" in entry.notes.toPlainText()
    assert entry.notes.misspelled_words() == []


def test_the_context_menu_opens_from_the_keyboard(qtbot, entry):
    qtbot.keyClicks(entry.notes, "teh")
    entry.notes.moveCursor(QTextCursor.MoveOperation.Left)
    pos = QPoint(5, 5)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, pos, entry.notes.mapToGlobal(pos))
    QApplication.sendEvent(entry.notes, event)
    menu = next(w for w in QApplication.topLevelWidgets() if w.isVisible() and w.inherits("QMenu"))
    assert menu.actions()[0].text() == "the"
    menu.close()


def test_words_of_ones_own_stay_in_the_vault(qtbot, entry, open_vault, tmp_path):
    qtbot.keyClicks(entry.notes, f"Met {NAME} at the bus stop")
    assert entry.notes.misspelled_words() == [NAME]
    menu = _menu_for(entry.notes, NAME)
    add = next(a for a in menu.actions() if a.text().startswith("Add"))
    add.trigger()
    assert entry.notes.misspelled_words() == []
    assert PERSONAL_WORDS.read(open_vault.journal) == (NAME,)
    # The word is nowhere on disk in the clear: not in the vault folder's files, not in a file
    # of the spelling library, not in the home folder or the settings.
    open_vault.journal.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    import os

    places = [open_vault.folder, Path(os.environ["HOME"]), tmp_path]
    hits = []
    for root in places:
        for p in root.rglob("*"):
            if p.is_file() and NAME.encode() in p.read_bytes():
                hits.append(p)
    assert hits == []


def test_aliases_are_words_and_the_check_can_be_switched_off(qtbot, open_vault, show_settings):
    j = open_vault.journal
    j.add_student("Xandrakeen T", j.school_id_by_name("Lincoln Middle") or 0)
    assert "xandrakeen" in spelling.accepted_words(j)
    page = show_settings(open_vault)
    assert page.spelling.check.isChecked()
    page.spelling.check.click()
    assert SPELL_CHECK.read(j) is False
    d = QuickEntryDialog(Session(open_vault), restore_draft=False)
    d.show()
    qtbot.keyClicks(d.notes, "teh mediaton")
    assert d.notes.misspelled_words() == []
    d.close_keeping_draft()


def test_a_student_added_while_unlocked_is_a_word_for_the_next_entry(qtbot, open_vault):
    """The accepted words are kept between entries, and read again when students change."""
    from srojournal.ops.changes import Change

    session = Session(open_vault)
    j = open_vault.journal
    first = QuickEntryDialog(session, restore_draft=False)
    first.close_keeping_draft()
    j.add_student("Quorvanth P", j.school_id_by_name("Lincoln Middle") or 0)
    session.notify(Change.STUDENTS)  # as every use case that adds a student does
    d = QuickEntryDialog(session, restore_draft=False)
    d.show()
    qtbot.keyClicks(d.notes, "Quorvanth mediaton")
    assert d.notes.misspelled_words() == ["mediaton"]
    d.close_keeping_draft()


def test_removing_words_from_the_dictionary(qtbot, open_vault, show_settings):
    j = open_vault.journal
    for w in ("Zed", "Quill", "zed"):
        spelling.add_word(j, w)
    assert PERSONAL_WORDS.read(j) == ("Quill", "Zed")
    page = show_settings(open_vault)
    assert page.spelling.words.count() == 2
    page.spelling.words.item(1).setSelected(True)
    page.spelling.remove_button.click()
    assert PERSONAL_WORDS.read(j) == ("Quill",)
    assert page.spelling.words.count() == 1


@pytest.fixture
def show_settings(qtbot):
    def show(vault):
        page = SettingsPage(Session(vault))
        qtbot.addWidget(page)
        page.show()
        page.refresh()
        return page

    return show


def test_typing_is_never_slowed_by_loading(qtbot, open_vault):
    """Before the dictionary is there, nothing is underlined and nothing waits for it."""
    from srojournal.ui.common import spelling as sp

    empty = sp.Dictionary()
    assert not empty.ready and empty.known("mediaton", set())
    assert empty.suggestions("teh") == []
