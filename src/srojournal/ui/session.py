"""The unlocked vault as the UI sees it: one object handed to every page.

Pages read through ``session.journal``. Every write goes through ``session.runner`` (the one
writer, see ``ui/common/runner.py``) and usually calls a use case in ``ops/``; what it changed
(:class:`~srojournal.ops.changes.Change`) goes to ``session.notify`` so other pages refresh.
On lock, the main window finishes the runner's work, calls ``clear()`` on every page and drops
the session; nothing from the vault may stay in a widget, a model or a cache.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal

from srojournal.ops.changes import Change, Done
from srojournal.ui.common.runner import Runner

if TYPE_CHECKING:
    from srojournal.vault.repo import Journal
    from srojournal.vault.store import Vault

T = TypeVar("T")


class Session(QObject):
    data_changed = Signal(object)  # a Change

    def __init__(self, vault: Vault, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self.journal: Journal = vault.journal
        self.runner = Runner(self)
        self._spelling_words: frozenset[str] | None = None

    def notify(self, changes: Change) -> None:
        if changes & (Change.STUDENTS | Change.SETTINGS):
            self._spelling_words = None
        if changes:
            self.data_changed.emit(changes)

    def spelling_words(self) -> frozenset[str]:
        """The words the spell check accepts besides the dictionary's (ops/spelling.py), read
        once and kept until students or settings change: every quick entry needs them."""
        if self._spelling_words is None:
            from srojournal.ops.spelling import accepted_words

            self._spelling_words = frozenset(accepted_words(self.journal))
        return self._spelling_words

    def applied(self, done: Done[T]) -> T:
        """Tell the pages what a use case changed; its result."""
        self.notify(done.changes)
        return done.value

    def today(self) -> dt.date:
        """Today's date; tests that are about time replace this."""
        return dt.date.today()

    def now(self) -> dt.datetime:
        """The time now; tests that are about time replace this."""
        return dt.datetime.now()
