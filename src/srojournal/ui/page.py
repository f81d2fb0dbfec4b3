"""The contract between the main window and each screen in its sidebar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from srojournal.ops.changes import Change
from srojournal.ui.session import Session

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoStack

    from srojournal.vault.repo import Journal


class Page(QWidget):
    """A screen of the main window.

    Subclasses set ``title`` (sidebar text) and ``object_name`` (stable, for tests and styles),
    build their widgets in ``__init__``, load data in ``refresh()`` and drop every piece of vault
    data in ``clear()`` (called on lock, before the session goes away).
    """

    title = ""
    object_name = ""
    # Which changes make a visible page reload (None: every change).
    refreshed_by: Change | None = None
    # Reload whenever the page is shown (cheap pages; the journal keeps its own policy).
    refresh_on_show = False

    # Ask the main window to open quick entry: a ContactInput prefill, an EntryDraft (a prefill
    # saved with its case links), or None for a blank form.
    new_contact_requested = Signal(object)
    # Ask the main window to open an existing contact for editing.
    edit_contact_requested = Signal(int)
    # Ask the main window to show the journal filtered to one student (student id).
    show_student_requested = Signal(int)
    # A short message for the status bar (never sensitive content).
    status_message = Signal(str)
    # Ask the main window to lock this vault and offer to unlock another (a restored backup).
    open_vault_requested = Signal(str)

    # -- optional capabilities: the main window asks every page, a page that lacks one
    # keeps the default (no undo history, nothing to select or search) -----------------------
    # The undo history of what the page deleted.
    undo_stack: QUndoStack | None = None

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        if self.object_name:
            self.setObjectName(self.object_name)
        session.data_changed.connect(self.on_data_changed)

    @property
    def journal(self) -> Journal:
        return self.session.journal

    def _open(self) -> bool:
        """Whether the vault is still unlocked (a page may outlive it briefly while locking)."""
        return self.session.vault.conn is not None

    def select_contact(self, contact_id: int) -> bool:
        """Show and select one contact; False when the page does not list it."""
        return False

    def show_student(self, student_id: int) -> None:
        """Show the records of one student (where the page has a notion of it)."""

    def focus_search(self) -> None:
        """Put the cursor in the page's search field (where it has one)."""

    def refresh(self) -> None:
        """(Re)load what the page shows from the vault."""

    def clear(self) -> None:
        """Drop every piece of vault data held by this page (models, caches, text fields)."""

    def on_data_changed(self, changes: Change) -> None:
        """Another page changed data; refresh if it concerns this page and it is visible."""
        if self.isVisible() and (self.refreshed_by is None or changes & self.refreshed_by):
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.refresh_on_show:
            self.refresh()
