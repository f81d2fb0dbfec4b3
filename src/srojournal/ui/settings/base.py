"""The settings tabs' base: each tab builds its fields, ``load()`` fills them from the vault and
``clear()`` drops what they show (on lock). A change is saved when it is made (no "Apply"),
through the session's one writer, and announced on ``status_message``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from srojournal.ui.common.kit import SPACING
from srojournal.ui.common.runner import user_message
from srojournal.ui.session import Session
from srojournal.vault.repo import Journal


class SettingsTab(QWidget):
    title = ""  # the tab's label, with its mnemonic
    status_message = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = session.runner
        self._loading = False
        self._build()

    def _build(self) -> None:
        """Create the tab's fields."""
        raise NotImplementedError

    def column(self) -> QVBoxLayout:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, SPACING, 0, 0)
        lay.setSpacing(SPACING)
        return lay

    @property
    def journal(self) -> Journal:
        return self.session.journal

    def _open(self) -> bool:
        return self.session.vault.conn is not None

    def load(self) -> None:
        """Fill the fields from the vault."""

    def clear(self) -> None:
        """Drop everything the fields show from the vault (the app is locking)."""

    def write(
        self,
        fn: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Save through the writer; a failure says so in the status bar unless handled."""
        self.runner.write(
            fn, done, failed or (lambda exc: self.status_message.emit(user_message(exc)))
        )
