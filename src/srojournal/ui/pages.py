"""The registry of sidebar pages: the one place that imports them.

Every page listed here ships; an error while importing one is a bug and propagates.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from srojournal.ui.page import Page


class PageSpec(NamedTuple):
    key: str  # stable id used by the main window (navigation shortcuts, badges)
    module: str
    cls: str
    shortcut: str


# Sidebar order.
PAGE_SPECS: tuple[PageSpec, ...] = (
    PageSpec("journal", "srojournal.ui.journal.page", "JournalPage", "Ctrl+1"),
    PageSpec("students", "srojournal.ui.students.page", "StudentsPage", "Ctrl+2"),
    PageSpec("followups", "srojournal.ui.followups.page", "FollowUpsPage", "Ctrl+3"),
    PageSpec("conflicts", "srojournal.ui.conflicts.page", "ConflictsPage", "Ctrl+4"),
    PageSpec("reports", "srojournal.ui.reports.page", "ReportsPage", "Ctrl+5"),
    PageSpec("settings", "srojournal.ui.settings.page", "SettingsPage", "Ctrl+6"),
    PageSpec("backups", "srojournal.ui.backups.page", "BackupsPage", "Ctrl+7"),
)


def load_page_class(spec: PageSpec) -> type[Page]:
    module = importlib.import_module(spec.module)
    from srojournal.ui.page import Page

    cls = getattr(module, spec.cls)
    if not (isinstance(cls, type) and issubclass(cls, Page)):
        raise TypeError(f"{spec.module}.{spec.cls} is not a Page")
    return cls


def available_pages(
    specs: Sequence[PageSpec] = PAGE_SPECS,
) -> list[tuple[PageSpec, type[Page]]]:
    return [(spec, load_page_class(spec)) for spec in specs]
