"""Every screen at 1366×768 (and 1024×700): nothing overlaps, nothing is clipped, no screen
scrolls sideways on a laptop's width, every summary table shows all its columns, and Tab
reaches every control and leaves each one.

The window is filled with a small synthetic journal so the lists, the details and the dialogs
show real rows. The checks look at geometry only, never at pixels.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSplitterHandle,
    QStackedWidget,
    QTableView,
    QWidget,
)

from srojournal.demo import populate
from srojournal.ui.pages import PAGE_SPECS
from srojournal.vault.store import Vault

from .conftest import CHEAP_KDF, PASSPHRASE, unlock

SIZES = [(1366, 768), (1200, 780), (1024, 700)]
KEYS = [s.key for s in PAGE_SPECS]


@pytest.fixture(scope="module")
def filled_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("layout") / "vault"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    populate(vault.journal, contacts=80, students=14, schools=2, years=0.3)
    vault.close()
    return folder


@pytest.fixture
def window(qtbot, window_factory, filled_vault, tmp_path):
    import shutil

    copy = tmp_path / "v"
    shutil.copytree(filled_vault, copy)
    w = window_factory(vault_path=copy, page_specs=PAGE_SPECS)
    unlock(qtbot, w)
    return w


def _inside_a_control(w: QWidget) -> bool:
    """Parts Qt builds inside a control (a spin box's editor, a table's viewport)."""
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, (QAbstractSpinBox, QComboBox, QAbstractScrollArea, QLineEdit)) and not (
            isinstance(p, QScrollArea)
        ):
            return True
        p = p.parentWidget()
    return False


def _shown(w: QWidget, root: QWidget) -> bool:
    return w.isVisibleTo(root) and not w.isWindow() and w.width() > 0 and w.height() > 0


def _problems(root: QWidget) -> list[str]:
    found: list[str] = []
    widgets = [
        w for w in root.findChildren(QWidget) if _shown(w, root) and not _inside_a_control(w)
    ]
    by_parent: dict[int, list[QWidget]] = {}
    for w in widgets:
        by_parent.setdefault(id(w.parentWidget()), []).append(w)
    for siblings in by_parent.values():
        parent = siblings[0].parentWidget()
        if isinstance(parent, QStackedWidget):
            continue
        for a, b in itertools.combinations(siblings, 2):
            if isinstance(a, QSplitterHandle) or isinstance(b, QSplitterHandle):
                continue
            inter = a.geometry().intersected(b.geometry())
            if inter.width() > 1 and inter.height() > 1:
                found.append(f"overlap: {_name(a)} and {_name(b)} ({inter})")
    for view in root.findChildren(QTableView):
        if _shown(view, root) and view.model() is not None and view.model().columnCount():
            header = view.horizontalHeader()
            if header.length() > view.viewport().width() + 2:
                found.append(f"columns cut off: {_name(view)} {header.length()} in "
                             f"{view.viewport().width()}")  # fmt: skip
    for w in widgets:
        parent = w.parentWidget()
        if parent is None or isinstance(parent, QStackedWidget) or isinstance(w, QSplitterHandle):
            continue
        inside = QRect(0, 0, parent.width(), parent.height())
        g = w.geometry()
        if not inside.contains(g) and not isinstance(parent.parentWidget(), QScrollArea):
            cut = g.intersected(inside)
            if cut.width() < g.width() - 1 or cut.height() < g.height() - 1:
                found.append(f"clipped by its parent: {_name(w)} {g} in {inside}")
        if isinstance(w, (QLabel, QAbstractButton)):
            need = w.minimumSizeHint()
            if isinstance(w, QLabel) and w.wordWrap() and w.hasHeightForWidth():
                if w.height() + 1 < w.heightForWidth(w.width()):
                    found.append(f"wrapped text cut: {_name(w)} {w.size()}")
            elif w.width() + 1 < need.width() or w.height() + 1 < need.height():
                found.append(f"squeezed: {_name(w)} {w.size()} < {need}")
    return found


def _name(w: QWidget) -> str:
    text = w.text() if isinstance(w, (QLabel, QAbstractButton)) else ""
    return f"{type(w).__name__}({w.accessibleName() or w.objectName() or text[:30]!r})"


def _settle(qtbot) -> None:
    QApplication.processEvents()
    qtbot.wait(20)
    QApplication.processEvents()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screen_fits_without_overlap_or_clipping(qtbot, window, size):
    w = window
    w.resize(*size)
    problems: dict[str, list[str]] = {}
    for key in KEYS:
        page = w.show_page(key)
        assert page is not None
        _select_first_record(page)
        qtbot.waitUntil(lambda: not w.session.runner.busy, timeout=60_000)
        _settle(qtbot)
        assert w.width() <= size[0] and w.height() <= size[1], (key, w.size())
        found = _problems(page)
        tables = getattr(page, "table_list", None)  # the Reports screen: every table fits
        for i in range(tables.count() if tables is not None else 0):
            tables.setCurrentIndex(i)
            _settle(qtbot)
            found += [f"{tables.currentData()}: {p}" for p in _problems(page)]
        area = _scroll_area_of(page)
        if size[0] >= 1024 and area is not None and area.horizontalScrollBar().maximum() > 0:
            # A laptop's width shows a whole screen; only a small screen scrolls sideways.
            found.append(f"scrolls sideways: {page.minimumSizeHint().width()} wide")
        if found:
            problems[key] = found
    w.open_quick_entry()
    qtbot.waitUntil(lambda: w.entry is not None)
    d = w.entry
    d.type_edit.set_value("mediation")  # the tallest form: a conflict's agreement shows
    for alias in ("Ava", "Ben", "Cy"):
        d.add_new_student(alias, focus=False)
    _settle(qtbot)
    assert d.height() <= 700
    if found := _problems(d):
        problems["quick entry"] = found
    assert problems == {}


def _scroll_area_of(page: QWidget) -> QScrollArea | None:
    parent = page.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent


def _select_first_record(page: QWidget) -> None:
    table = getattr(page, "list", None)
    if table is not None and hasattr(table, "selectRow") and table.model().rowCount() > 0:
        table.selectRow(0)


def _tab_cycle(qtbot, w: QWidget, start: QWidget, limit: int = 160) -> list[QWidget]:
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    seen = [start]
    for _ in range(limit):
        before = QApplication.focusWidget()
        QTest.keyClick(before, Qt.Key.Key_Tab)
        QApplication.processEvents()
        now = QApplication.focusWidget()
        assert now is not None and now is not before, f"Tab stays in {_name(before)}"
        if now is start:
            return seen
        seen.append(now)
    raise AssertionError(f"Tab never came back to {_name(start)}: {[_name(x) for x in seen]}")


def _tab_stops(root: QWidget) -> list[QWidget]:
    out = []
    for x in root.findChildren(QWidget):
        if (
            x.isVisibleTo(root)
            and x.isEnabled()
            and x.focusPolicy() & Qt.FocusPolicy.TabFocus
            and x.focusProxy() is None
            and not _inside_a_control(x)
            and x.window() is root.window()
        ):
            out.append(x)
    return out


@pytest.mark.parametrize("key", KEYS)
def test_tab_reaches_every_control_of_every_screen_and_leaves_each(qtbot, window, key):
    w = window
    w.resize(1366, 768)
    page = w.show_page(key)
    _select_first_record(page)
    # A screen that works in the background (the reports' summary) enables its buttons after.
    qtbot.waitUntil(lambda: not w.session.runner.busy, timeout=60_000)
    _settle(qtbot)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    visited = _tab_cycle(qtbot, w, w.workspace.sidebar)
    missing = [_name(x) for x in _tab_stops(page) if x not in visited]
    assert missing == []


def test_tab_reaches_every_control_of_quick_entry(qtbot, window):
    w = window
    w.open_quick_entry()
    qtbot.waitUntil(lambda: w.entry is not None)
    d = w.entry
    d.type_edit.set_value("mediation")
    d.add_new_student("Ava", focus=False)
    _settle(qtbot)
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)
    visited = _tab_cycle(qtbot, d, d.student_search)
    missing = [_name(x) for x in _tab_stops(d) if x not in visited]
    assert missing == []


def test_record_tables_keep_outcome_and_notes_at_1366(qtbot, window):
    """The timeline and a case's contacts show Outcome and Notes (other columns give way)."""
    from srojournal.ui.common.contact_table import NOTES, OUTCOME

    w = window
    w.resize(1366, 768)
    for key, table in (("students", "timeline"), ("conflicts", "contacts")):
        page = w.show_page(key)
        _select_first_record(page)
        _settle(qtbot)
        view = getattr(page, table)
        assert view.rowCount() > 0, key
        header = view.horizontalHeader()
        for col in (OUTCOME, NOTES):
            assert not header.isSectionHidden(col), (key, col)
            assert header.sectionSize(col) >= 80, (key, col, header.sectionSize(col))
        assert header.length() <= view.viewport().width() + 2


DIALOGS = {
    "new case": lambda w: w.show_page("conflicts").open_new_dialog(),
    "add follow-up": lambda w: w.show_page("followups").open_add_dialog(),
    "restore": lambda w: _restore_dialog(w),
}


def _restore_dialog(w):
    from srojournal.ui.backups.page import RestoreDialog

    page = w.show_page("backups")
    b = page._backups[0] if page._backups else None
    if b is None:
        import datetime as dt

        from srojournal.vault.backup import BackupInfo

        b = BackupInfo(w.session.vault.folder, dt.datetime(2026, 3, 1), 1, 1, "manual")
    dlg = RestoreDialog(b, w.session.vault.folder.parent / "restored", page)
    dlg.open()
    return dlg


@pytest.mark.parametrize("which", sorted(DIALOGS))
def test_tab_reaches_every_control_of_a_dialog(qtbot, window, which):
    dlg = DIALOGS[which](window)
    qtbot.waitUntil(dlg.isVisible)
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow)
    stops = _tab_stops(dlg)
    visited = _tab_cycle(qtbot, dlg, stops[0])
    assert [_name(x) for x in stops if x not in visited] == []
    dlg.reject()


def test_tab_reaches_every_control_of_the_lock_screen(qtbot, window_factory, filled_vault):
    w = window_factory(vault_path=filled_vault)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    screen = w.unlock_screen
    visited = _tab_cycle(qtbot, w, screen.passphrase)
    assert [_name(x) for x in _tab_stops(screen) if x not in visited] == []
