"""Layout helpers and non-blocking confirmations for the record pages.

Shared by the students, follow-ups, conflicts, settings, backups and reports pages (the shell's
own small widgets live in ``srojournal.ui.widgets``).

Every page uses the same margins, title style and section style so the screens feel like one app.
Confirmations never block (``open()`` + signals); tests drive the real message box or replace
``confirm``/``inform`` on this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final, TypeVar, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from srojournal.ops.changes import Change
from srojournal.ui.widgets import enter_clicks

log = logging.getLogger("srojournal.ui.pages")

MARGIN: Final = 16
SPACING: Final = 12


W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, tip: str | None = None) -> W:
    """Give a control its accessible name (and an optional tooltip); returns it for chaining.
    A button also takes Enter when it has the focus."""
    widget.setAccessibleName(name)
    if isinstance(widget, QPushButton):
        enter_clicks(widget)
    if tip:
        widget.setToolTip(tip)
        widget.setAccessibleDescription(tip)
    return widget


def page_layout(page: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout(page)
    layout.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
    layout.setSpacing(SPACING)
    return layout


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "title")  # the app theme styles roles; the font is the fallback
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


def section_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "section")
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.1)
    font.setBold(True)
    label.setFont(font)
    return label


def hint_label(text: str = "") -> QLabel:
    """Secondary text in the palette's placeholder colour, wrapped, never clipped."""
    label = QLabel(text)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def primary(button: W) -> W:
    """Mark the main action of a screen (the theme draws it in the accent colour)."""
    button.setProperty("primary", True)
    return button


def roomy(view: QWidget) -> None:
    """Give item views rows with some air (lists of records read better)."""
    view.setStyleSheet("QTreeView::item, QListView::item, QTableView::item { padding: 4px 4px; }")


def header_row(title: str, *actions: QWidget) -> tuple[QHBoxLayout, QLabel]:
    row = QHBoxLayout()
    row.setSpacing(SPACING)
    label = title_label(title)
    row.addWidget(label)
    row.addStretch(1)
    for a in actions:
        row.addWidget(a)
    return row, label


def list_and_detail(page: QWidget, title: str, action: QWidget) -> tuple[QSplitter, QVBoxLayout]:
    """The record pages' frame: a splitter whose left column starts with the title and the
    page's main action. The caller fills the column and adds the detail side to the splitter."""
    outer = QHBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setChildrenCollapsible(False)
    outer.addWidget(splitter)
    left = QWidget()
    column = QVBoxLayout(left)
    column.setContentsMargins(MARGIN, MARGIN, SPACING // 2, MARGIN)
    column.setSpacing(SPACING)
    head, _label = header_row(title, action)
    column.addLayout(head)
    splitter.addWidget(left)
    return splitter, column


def record_table(view: QTableView, *, stretch: int = 0, grid: bool = True) -> None:
    """A read-only list of records: whole rows, one at a time, Tab leaves the table; column
    ``stretch`` takes the spare width and the others fit their contents."""
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().setVisible(False)
    view.setTabKeyNavigation(False)
    view.setShowGrid(grid)
    header = view.horizontalHeader()
    columns = view.model().columnCount() if view.model() is not None else 0
    for i in range(columns):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if i == stretch
            else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(i, mode)


class Card(QFrame):
    """A framed panel for grouping a section of a page (palette colours, light and dark)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        self.body.setSpacing(SPACING // 2 + 2)


def clear_layout_widgets(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.deleteLater()


# -- confirmations (non-blocking) ---------------------------------------------------------------
def confirm(
    parent: QWidget,
    title: str,
    text: str,
    accept_label: str,
    on_accept: Callable[[], None],
    *,
    informative: str = "",
    destructive: bool = False,
) -> QMessageBox:
    """Ask a yes/no question without blocking; ``on_accept`` runs only when confirmed."""
    box = QMessageBox(parent)
    box.setObjectName("confirmBox")
    box.setIcon(QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    ok = box.addButton(accept_label, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel if destructive else ok)
    box.setEscapeButton(cancel)
    ok.setObjectName("confirmAccept")
    ok.setAccessibleName(accept_label)

    def done(button: QAbstractButton) -> None:
        if button is ok:
            on_accept()

    box.buttonClicked.connect(done)
    box.finished.connect(box.deleteLater)
    box.open()
    return box


def inform(parent: QWidget, title: str, text: str, *, error: bool = False) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("informBox")
    box.setIcon(QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setText(text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.finished.connect(box.deleteLater)
    box.open()
    return box


class RecordEditor:
    """Mixed into a page that edits one record beside its list (a student, a conflict case).

    Edits mark the record dirty, except while the page itself is filling the form
    (``_loading``); Save and Revert follow that state; the detail side replaces the empty hint
    once a record is shown. The page provides the widgets named below, ``status_message`` and
    ``session``.
    """

    _loading: bool
    _dirty: bool
    _current: object | None
    save_button: QAbstractButton
    status_message: Any  # the page's Signal(str)
    session: Any  # the page's Session (ui/session.py imports this package)
    revert_button: QAbstractButton
    empty_hint: QWidget
    body: QWidget

    def _mark_dirty(self, *_: object) -> None:
        if not self._loading and self._current is not None:
            self._dirty = True
            self._update_buttons()

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(self._dirty)
        self.revert_button.setEnabled(self._dirty)

    def _record_shown(self) -> None:
        """The form now holds the stored record: nothing to save, the detail side visible."""
        self._loading = False
        self._dirty = False
        self._update_buttons()
        self.empty_hint.hide()
        self.body.show()

    def _record_saved(
        self, notify: bool, message: str, changed: Change, reload: Callable[[], object]
    ) -> None:
        """After a save: clean again; tell the officer and the other pages (``changed``), and
        ``reload`` this page's list when it is hidden (a visible page reloads on the notice)."""
        self._dirty = False
        self._update_buttons()
        if notify:
            self.status_message.emit(message)
            self.session.notify(changed)
            if not cast(QWidget, self).isVisible():
                reload()
