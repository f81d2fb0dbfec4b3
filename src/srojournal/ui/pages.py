"""The registry of sidebar pages: the one place that imports them.

Pages are built by different people at different times. A page whose module does not exist (yet)
is left out of the sidebar; any other error while importing a page is a bug and propagates.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from srojournal.ui.page import Page

log = logging.getLogger("srojournal.ui.pages")


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


def _is_missing(module: str, exc: ModuleNotFoundError) -> bool:
    """True when the page module itself (or its own package) is what does not exist."""
    name = exc.name or ""
    return name == module or (module.startswith(name + ".") and name.startswith("srojournal.ui."))


def load_page_class(spec: PageSpec) -> type[Page] | None:
    try:
        module = importlib.import_module(spec.module)
    except ModuleNotFoundError as exc:
        if _is_missing(spec.module, exc):
            log.info("page %s is not available in this build", spec.key)
            return None
        raise
    from srojournal.ui.page import Page

    cls = getattr(module, spec.cls)
    if not (isinstance(cls, type) and issubclass(cls, Page)):
        raise TypeError(f"{spec.module}.{spec.cls} is not a Page")
    return cls


def available_pages(
    specs: Sequence[PageSpec] = PAGE_SPECS,
) -> list[tuple[PageSpec, type[Page]]]:
    found: list[tuple[PageSpec, type[Page]]] = []
    for spec in specs:
        cls = load_page_class(spec)
        if cls is not None:
            found.append((spec, cls))
    return found
