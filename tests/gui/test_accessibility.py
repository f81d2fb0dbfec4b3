"""Every control a person can reach has a name a screen reader can say."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from srojournal.ui.pages import PAGE_SPECS

from .conftest import unlock

CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTextEdit,
    QPlainTextEdit,
)


def _labelled_by_buddy(root: QWidget) -> set[int]:
    return {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy() is not None}


def _unnamed(root: QWidget) -> list[str]:
    buddies = _labelled_by_buddy(root)
    missing = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, CONTROLS) or not w.isVisibleTo(root):
            continue
        if isinstance(w, QHeaderView) or isinstance(w.parent(), (QAbstractSpinBox, QComboBox)):
            continue  # parts of a table, a spin box or an editable combo box
        text = w.text() if isinstance(w, QAbstractButton) else ""
        if w.accessibleName() or text.replace("&", "").strip() or id(w) in buddies:
            continue
        missing.append(f"{type(w).__name__} {w.objectName()!r}")
    return missing


def test_every_screen_names_its_controls(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir, page_specs=PAGE_SPECS)
    assert _unnamed(w.unlock_screen) == []
    unlock(qtbot, w)
    for spec in PAGE_SPECS:
        page = w.show_page(spec.key)
        assert page is not None
        assert _unnamed(page) == [], spec.key
    w.open_quick_entry()
    qtbot.waitUntil(lambda: w.entry is not None)
    assert _unnamed(w.entry) == []


def test_quick_entry_tab_order_puts_the_everyday_fields_first(qtbot, window_factory, vault_dir):
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    w.open_quick_entry()
    qtbot.waitUntil(lambda: w.entry is not None)
    d = w.entry
    chain: list[QWidget] = []
    widget = d.student_search
    for _ in range(200):
        chain.append(widget)
        widget = widget.nextInFocusChain()
        if widget is d.student_search:
            break
    form = [d.student_search, d.type_edit, d.outcome, d.notes, d.when_date, d.when_time,
            d.duration, d.school, d.initiated, d.follow_date, d.follow_what, d.template,
            d.referrals, d.tags, d.save_btn]  # fmt: skip
    positions = [chain.index(x) for x in form]
    assert positions == sorted(positions)
