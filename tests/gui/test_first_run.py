"""The first evening with the app: a vault of one's own from the File menu, a window title that
names the app once, one name per screen, empty screens that say what to do."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QComboBox

from srojournal.ui.pages import PAGE_SPECS
from srojournal.vault.layout import APP_FOLDER_NAME

from .conftest import unlock


def shown_title(title: str) -> str:
    """The title a window manager shows: Qt adds " — <app>" unless the title ends with it."""
    app = QApplication.applicationDisplayName()
    if title.endswith(app):
        return title
    return f"{title} — {app}" if title else app


def test_the_window_title_names_the_app_once(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    assert shown_title(w.windowTitle()).count("SRO Journal") == 1
    assert "Locked" in shown_title(w.windowTitle())
    unlock(qtbot, w)
    assert shown_title(w.windowTitle()) == "SRO Journal"


def test_menus_and_sidebar_give_each_screen_one_name(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir, page_specs=PAGE_SPECS)
    unlock(qtbot, w)
    sidebar = [w.workspace.sidebar.item(i).text() for i in range(w.workspace.sidebar.count())]
    go = [a.text() for a in w.go_menu.actions()]
    assert go == sidebar
    assert "Conflict cases" in go


def test_new_vault_from_the_file_menu_suggests_a_folder(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    w.open_quick_entry()
    qtbot.waitUntil(lambda: w.entry is not None)
    qtbot.keyClicks(w.entry.notes, "half typed")
    w.act_new_vault.trigger()
    assert w.is_locked  # the open vault locked first, its entry kept as a draft
    screen = w.unlock_screen
    assert screen.current_view() == "create"
    folder = Path(screen.create_folder.text())
    assert folder.name == APP_FOLDER_NAME and not folder.exists()
    assert QApplication.focusWidget() in (screen.create_pass, None)
    # A folder that is taken is never suggested.
    folder.mkdir(parents=True)
    (folder / "x").write_text("x")
    screen.create_folder.clear()
    screen.show_create()
    assert Path(screen.create_folder.text()).name == f"{APP_FOLDER_NAME} 2"


def test_open_vault_from_the_file_menu_works_while_locked(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    assert w.act_open_vault.isEnabled() and w.act_new_vault.isEnabled()
    w.act_open_vault.trigger()
    assert w.unlock_screen.current_view() == "home"
    dialog = w.unlock_screen._dialog
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def test_an_empty_journal_says_how_to_begin(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    page = w.page("journal")
    assert page.list_stack.currentIndex() == 1
    assert "Ctrl+N" in page.empty_label.text()
    assert not page.empty_clear_btn.isVisible()


def test_drop_downs_say_what_they_are_not_what_they_hold(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir, page_specs=PAGE_SPECS)
    unlock(qtbot, w)
    for spec in PAGE_SPECS:
        page = w.show_page(spec.key)
        for combo in page.findChildren(QComboBox):
            if not combo.isVisibleTo(page) or combo.count() == 0 or not combo.accessibleName():
                continue
            name = QAccessible.queryAccessibleInterface(combo).text(QAccessible.Text.Name)
            assert name == combo.accessibleName(), (spec.key, name)
    w.open_quick_entry()
    qtbot.waitUntil(lambda: w.entry is not None)
    school = QAccessible.queryAccessibleInterface(w.entry.school)
    assert school.text(QAccessible.Text.Name) == "School"
    assert w.entry.school.text() == "Lincoln Middle"  # the value, not the name


def test_enter_presses_the_focused_button(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    page = w.page("journal")
    page.new_btn.setFocus()
    qtbot.keyClick(page.new_btn, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.entry is not None)


def test_empty_students_and_cases_say_how_they_come(qtbot, window_factory, tmp_path):
    from srojournal.vault.store import Vault

    from .conftest import CHEAP_KDF, PASSPHRASE

    folder = tmp_path / "empty"
    Vault.create(folder, PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)[0].close()
    w = window_factory(vault_path=folder, page_specs=PAGE_SPECS)
    unlock(qtbot, w)
    assert "Ctrl+N" in w.show_page("students").list_hint.text()
    assert "Ctrl+N" in w.show_page("conflicts").empty_hint.text()
