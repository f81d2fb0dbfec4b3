"""Settings: one tab per subject (general, schools, contact types, templates, security).

Every setting lives inside the vault, never in QSettings, and applies at once (no separate
"Apply"). Each tab is a :class:`~srojournal.ui.settings.base.SettingsTab` with ``load()`` and
``clear()``; this page only holds them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QTabWidget, QWidget

from srojournal.ops.changes import Change
from srojournal.ui.common.kit import named, page_layout, title_label
from srojournal.ui.page import Page
from srojournal.ui.session import Session
from srojournal.ui.settings.base import SettingsTab
from srojournal.ui.settings.contact_types import TypesTab
from srojournal.ui.settings.general import GeneralTab
from srojournal.ui.settings.schools import SchoolsTab
from srojournal.ui.settings.security import SecurityTab
from srojournal.ui.settings.spelling import SpellingTab
from srojournal.ui.settings.templates import TemplatesTab


def _scrolling(widget: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll


class SettingsPage(Page):
    title = "Settings"
    object_name = "settingsPage"
    refreshed_by = Change.SCHOOLS | Change.TEMPLATES
    refresh_on_show = True

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        layout = page_layout(self)
        layout.addWidget(title_label("Settings"))
        self.tabs = named(QTabWidget(), "Settings sections")
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self.general = GeneralTab(session)
        self.schools = SchoolsTab(session)
        self.types = TypesTab(session)
        self.templates = TemplatesTab(session)
        self.security = SecurityTab(session)
        self.spelling = SpellingTab(session)
        self.types.types_changed.connect(self.templates.load_types)
        for tab in self.all_tabs():
            tab.status_message.connect(self.status_message)
            self.tabs.addTab(_scrolling(tab), tab.title)

    def all_tabs(self) -> tuple[SettingsTab, ...]:
        return (
            self.general,
            self.schools,
            self.types,
            self.templates,
            self.spelling,
            self.security,
        )

    def refresh(self) -> None:
        if not self._open():
            return
        for tab in self.all_tabs():
            tab.load()

    def clear(self) -> None:
        self.session.runner.finish()
        for tab in self.all_tabs():
            tab.clear()
