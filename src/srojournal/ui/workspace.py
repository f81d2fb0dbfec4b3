"""The unlocked workspace: the sidebar and the pages of one session, built after unlock.

Kept apart from the main window so the locked window (what starts first) does not import the
pages' machinery; ``MainWindow.on_unlocked`` imports this module.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from srojournal.domain.settings import SPELL_CHECK
from srojournal.ui import theme
from srojournal.ui.common.spelling import preload as preload_spelling
from srojournal.ui.page import Page
from srojournal.ui.pages import PAGE_SPECS, PageSpec, available_pages
from srojournal.ui.session import Session

log = logging.getLogger("srojournal.ui.workspace")

SPELLING_PRELOAD_MS = 1000
BadgeRole = Qt.ItemDataRole.UserRole + 10
KeyRole = Qt.ItemDataRole.UserRole + 11


class SidebarDelegate(QStyledItemDelegate):
    """Draws a small count badge (overdue follow-ups) at the right of a sidebar item."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        count = index.data(BadgeRole)
        if not count:
            return
        text = str(count) if count < 100 else "99+"
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(option.font)
        font.setBold(True)
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        fm = painter.fontMetrics()
        h = fm.height() + 2
        w = max(h, fm.horizontalAdvance(text) + 12)
        r = option.rect
        rect = QRect(r.right() - w - 10, r.center().y() - h // 2, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.colors().badge))
        painter.drawRoundedRect(rect, h / 2, h / 2)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def sizeHint(  # noqa: N802
        self,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QSize:
        s = super().sizeHint(option, index)
        return QSize(s.width() + 36, max(s.height(), 36))


def _scrolling(page: Page) -> QScrollArea:
    """A page in a scroll area that shows only when the window is narrower or lower than the
    page can be (a small screen): the page then scrolls instead of squeezing its controls."""
    area = QScrollArea()
    area.setObjectName(f"{page.objectName()}Scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setWidget(page)
    return area


class Workspace(QWidget):
    """Sidebar + pages for one unlocked session. Destroyed on lock."""

    def __init__(
        self,
        session: Session,
        specs: Sequence[PageSpec] = PAGE_SPECS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self.session = session
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("Sidebar")
        self.sidebar.setAccessibleName("Sections")
        self.sidebar.setItemDelegate(SidebarDelegate(self.sidebar))
        self.sidebar.setFixedWidth(200)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.stack.setObjectName("Pages")
        lay.addWidget(self.sidebar)
        lay.addWidget(self.stack, 1)
        self.pages: dict[str, Page] = {}
        for spec, cls in available_pages(specs):
            page = cls(session, self.stack)
            self.pages[spec.key] = page
            self.stack.addWidget(_scrolling(page))
            item = QListWidgetItem(page.title or spec.key.title())
            item.setData(KeyRole, spec.key)
            item.setToolTip(f"{page.title} ({spec.shortcut})")
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self._on_row)
        # The spell check's word list loads in the background once the journal is on screen.
        if SPELL_CHECK.read(session.journal):
            QTimer.singleShot(SPELLING_PRELOAD_MS, preload_spelling)

    def _on_row(self, row: int) -> None:
        if 0 <= row < self.stack.count():
            self.stack.setCurrentIndex(row)

    def show_page(self, key: str) -> Page | None:
        for row in range(self.sidebar.count()):
            if self.sidebar.item(row).data(KeyRole) == key:
                self.sidebar.setCurrentRow(row)
                return self.pages[key]
        return None

    def current_key(self) -> str | None:
        item = self.sidebar.currentItem()
        return None if item is None else str(item.data(KeyRole))

    def set_badge(self, key: str, count: int) -> None:
        for row in range(self.sidebar.count()):
            item = self.sidebar.item(row)
            if item.data(KeyRole) == key:
                item.setData(BadgeRole, count)
                title = self.pages[key].title
                item.setData(
                    Qt.ItemDataRole.AccessibleTextRole,
                    f"{title}, {count} overdue" if count else title,
                )

    def clear_pages(self) -> None:
        for page in self.pages.values():
            try:
                page.clear()
            except Exception:  # one page's bug must not stop the lock
                log.exception("a page failed to clear on lock")


def last_backup_text(session: Session) -> str:
    """When the last verified backup was taken, from the audit log (no content, only a time)."""
    at = session.journal.last_backup_at()
    return "No backup yet" if at is None else "Last backup: " + at.strftime("%Y-%m-%d %H:%M")
