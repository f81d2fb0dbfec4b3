"""The unlocked vault as the UI sees it: one object handed to every page.

Pages read through ``session.journal`` (the repository) and call ``session.notify(what)`` after a
change so other pages refresh. On lock, the main window calls ``clear()`` on every page and drops
the session; nothing from the vault may stay in a widget, a model or a cache.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from srojournal.vault.repo import Journal
    from srojournal.vault.store import Vault

# What changed, as passed to ``data_changed``.
CONTACTS = "contacts"
STUDENTS = "students"
FOLLOW_UPS = "follow_ups"
CASES = "cases"
SETTINGS = "settings"
TEMPLATES = "templates"
SCHOOLS = "schools"
BACKUPS = "backups"
RELEASES = "releases"


class Session(QObject):
    data_changed = Signal(str)

    def __init__(self, vault: Vault, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self.journal: Journal = vault.journal

    def notify(self, what: str) -> None:
        self.data_changed.emit(what)

    def today(self) -> dt.date:
        """Today's date; tests that are about time replace this."""
        return dt.date.today()
