"""The main window: the unlock screen while locked; sidebar, pages, menus and status bar after.

The app shows this window on its unlock screen first and adds the menus, their actions and the
auto-lock right after the first paint (``finish_window``): importing and building them would
delay the window the officer is waiting for. Everything after unlock is as if built at once.

Locking (Ctrl+L, idle, sleep, screen lock, closing the window) always runs ``lock()``: the entry
being typed is stored as an encrypted draft, every page drops its data (``Page.clear``), the pages
and the session are destroyed, the vault closes (key zeroed), and only the unlock screen remains.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QPushButton, QStackedWidget

from srojournal.domain.errors import UserError
from srojournal.ui.qsettings import AppSettings
from srojournal.ui.unlock import UnlockScreen

if TYPE_CHECKING:
    from PySide6.QtGui import QAction, QCloseEvent, QUndoStack
    from PySide6.QtWidgets import QDialog

    from srojournal.domain.models import ContactInput
    from srojournal.ops.changes import Change
    from srojournal.ops.entries import EntryDraft
    from srojournal.ui.clipboard import ClipboardGuard
    from srojournal.ui.entry import QuickEntryDialog
    from srojournal.ui.page import Page
    from srojournal.ui.pages import PageSpec
    from srojournal.ui.session import Session
    from srojournal.ui.workspace import Workspace
    from srojournal.vault.keys import KdfParams
    from srojournal.vault.store import Vault

log = logging.getLogger("srojournal.ui.main_window")

APP_TITLE = "SRO Journal"
LOCKED_TITLE = "Locked"  # the platform adds " — SRO Journal" (the application's display name)
REOPEN_DRAFT = "entry:reopen"


class MainWindow(QMainWindow):
    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        settings: AppSettings | None = None,
        *,
        vault_path: Path | None = None,
        kdf: KdfParams | None = None,
        allow_weak_kdf: bool = False,
        autolock_seconds: float | None = None,
        connect_system_signals: bool = True,
        page_specs: Sequence[PageSpec] | None = None,
        finish_later: bool = False,
    ) -> None:
        """``page_specs``: the sidebar's pages (all of ``ui/pages.py`` by default).
        ``finish_later``: the caller runs ``finish_window`` once the window is on screen."""
        super().__init__()
        self.page_specs: tuple[PageSpec, ...] = () if page_specs is None else tuple(page_specs)
        self._all_pages = page_specs is None
        self.setObjectName("MainWindow")
        self.settings = settings or AppSettings()
        self.session: Session | None = None
        self.workspace: Workspace | None = None
        self.entry: QuickEntryDialog | None = None
        self.data_dialog: QDialog | None = None  # the import or export window, while open
        self.setWindowTitle(APP_TITLE)
        self.setMinimumSize(QSize(960, 640))

        self.root = QStackedWidget()
        self.unlock_screen = UnlockScreen(self.settings, kdf=kdf, allow_weak_kdf=allow_weak_kdf)
        self.unlock_screen.unlocked.connect(self.on_unlocked)
        self.root.addWidget(self.unlock_screen)
        self.setCentralWidget(self.root)

        self._autolock_seconds = autolock_seconds
        # Sleep and screen-lock signals matter once there is something to lock: subscribed on the
        # first unlock, which keeps the D-Bus round trips out of start-up.
        self._subscribe_system_signals = connect_system_signals

        # The first frame has the menu bar with its menus' titles and the status bar that says
        # "Locked"; the menus' actions follow (``finish_window``).
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.edit_menu = bar.addMenu("&Edit")
        self.go_menu = bar.addMenu("&Go")
        self.go_menu.setEnabled(False)
        self.help_menu = bar.addMenu("&Help")
        self._build_status()
        self.lock_label.setText("Locked")
        self.setWindowTitle(LOCKED_TITLE)
        self._finished = False
        # Text copied from the unlocked journal: marked secret, cleared after a timeout and on
        # lock (ui/clipboard.py); the guard is made on the first unlock.
        self.clipboard_guard: ClipboardGuard | None = None

        geometry = self.settings.window_geometry
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 780)
        self._fit_screen()

        path = vault_path or self.settings.last_vault_path
        if vault_path is not None:
            self.unlock_screen.open_path(vault_path)
        elif path is not None and path.exists():
            self.unlock_screen.open_path(path)
        else:
            self.unlock_screen.show_home()
        if not finish_later:
            self.finish_window()

    def finish_window(self) -> None:
        """The menus and their shortcuts, and the auto-lock (once; before the first unlock)."""
        if self._finished:
            return
        self._finished = True
        from srojournal.ui.autolock import AutoLock

        if self._all_pages:
            from srojournal.ui.pages import PAGE_SPECS

            self.page_specs = PAGE_SPECS
        self.autolock = AutoLock(self, idle_seconds=self._autolock_seconds)
        self.autolock.lock_requested.connect(self.lock)
        self._build_actions()
        self._build_menus()
        self._set_unlocked_ui(False)

    def _fit_screen(self) -> None:
        """Never larger than the screen's free area (a 1366×768 laptop has 740 px or less)."""
        screen = self.screen()
        if screen is None:
            return
        room = screen.availableGeometry()
        frame = 32  # the window manager's title bar
        if self.width() > room.width() or self.height() + frame > room.height():
            self.resize(min(self.width(), room.width()), min(self.height(), room.height() - frame))

    # -- actions and menus ---------------------------------------------------------------------
    def _action(
        self,
        text: str,
        shortcut: str | None,
        slot: Callable[[], object],
        *,
        app_wide: bool = False,
        tip: str = "",
    ) -> QAction:  # fmt: skip
        from PySide6.QtGui import QAction, QKeySequence

        a = QAction(text, self)
        if shortcut is not None:
            # setShortcuts, not setShortcut: resolving the latter's overloads makes PySide build
            # the Qt namespace, which the unlock window does without (see ui/theme.py).
            a.setShortcuts([QKeySequence(shortcut)])
        if app_wide:
            self._app_wide.append(a)
        if tip:
            a.setStatusTip(tip)
        a.triggered.connect(lambda _checked=False: slot())
        self.addAction(a)
        return a

    def _build_actions(self) -> None:
        from srojournal.ui.pages import PAGE_SPECS

        # Shortcuts that also work from the quick-entry window; that window exists only while
        # unlocked, so they are made application-wide on unlock.
        self._app_wide: list[QAction] = []
        self.act_new = self._action(
            "&New entry…", "Ctrl+N", self.open_quick_entry, app_wide=True, tip="Quick entry"
        )
        self.act_lock = self._action(
            "&Lock", "Ctrl+L", lambda: self.lock("manual"), app_wide=True, tip="Lock the vault"
        )
        self.act_quit = self._action("&Quit", "Ctrl+Q", self.close, app_wide=True)
        self.act_undo = self._action("&Undo delete", "Ctrl+Z", self.undo)
        self.act_redo = self._action("&Redo delete", "Ctrl+Shift+Z", self.redo)
        self.act_find = self._action("&Find in journal…", "Ctrl+F", self.focus_search)
        self.act_new_vault = self._action(
            "New &vault…", None, self.new_vault, tip="Create a new vault (locks this one)"
        )
        self.act_open_vault = self._action(
            "&Open vault…", "Ctrl+O", self.open_vault, tip="Open another vault (locks this one)"
        )
        self.act_import = self._action(
            "&Import…", None, self.open_import, tip="Import contacts from a spreadsheet"
        )
        self.act_export = self._action(
            "E&xport journal…", None, self.open_export, tip="Your journal as an unencrypted CSV"
        )
        self.act_shortcuts = self._action("&Keyboard shortcuts", "F1", self.show_shortcuts)
        self.act_about = self._action("&About SRO Journal", None, self.show_about)
        self.go_actions: dict[str, QAction] = {}
        for spec in PAGE_SPECS:
            title = spec.key.replace("followups", "follow-ups").capitalize()
            self.go_actions[spec.key] = self._action(
                title, spec.shortcut, functools.partial(self.show_page, spec.key)
            )

    def _build_menus(self) -> None:
        m = self.file_menu
        m.addAction(self.act_new)
        m.addSeparator()
        m.addAction(self.act_new_vault)
        m.addAction(self.act_open_vault)
        m.addSeparator()
        m.addAction(self.act_import)
        m.addAction(self.act_export)
        m.addSeparator()
        m.addAction(self.act_lock)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = self.edit_menu
        m.addAction(self.act_undo)
        m.addAction(self.act_redo)
        m.addSeparator()
        m.addAction(self.act_find)
        m = self.help_menu
        m.addAction(self.act_shortcuts)
        m.addAction(self.act_about)

    def _build_status(self) -> None:
        sb = self.statusBar()
        self.lock_label = QLabel()
        self.lock_label.setAccessibleName("Lock state")
        self.backup_label = QLabel()
        self.backup_label.setAccessibleName("Last backup")
        self.undo_button = QPushButton("Undo")
        self.undo_button.setAccessibleName("Undo delete")
        self.undo_button.setProperty("flat", True)
        self.undo_button.setVisible(False)
        self.undo_button.clicked.connect(self.undo)
        sb.addPermanentWidget(self.undo_button)
        sb.addPermanentWidget(self.backup_label)
        sb.addPermanentWidget(self.lock_label)

    def _set_unlocked_ui(self, on: bool) -> None:
        for a in (
            *(self.act_new, self.act_lock, self.act_find, self.act_import, self.act_export),
            *self.go_actions.values(),
        ):
            a.setEnabled(on)
        self._update_undo()
        self.go_menu.clear()
        if on and self.workspace is not None:
            for key, page in self.workspace.pages.items():
                self.go_actions[key].setText(page.title)  # one name per screen: the sidebar's
                self.go_menu.addAction(self.go_actions[key])
        self.go_menu.setEnabled(on)
        if on:
            minutes = self.autolock.interval_ms / 60_000
            shown = f"{minutes:g} min" if minutes >= 1 else f"{self.autolock.interval_ms // 1000} s"
            self.lock_label.setText(f"Unlocked · locks after {shown} idle")
            self.setWindowTitle(APP_TITLE)
        else:
            self.lock_label.setText("Locked")
            self.backup_label.setText("")
            self.setWindowTitle(LOCKED_TITLE)

    # -- state ---------------------------------------------------------------------------------
    @property
    def is_locked(self) -> bool:
        return self.session is None

    @property
    def vault(self) -> Vault | None:
        return None if self.session is None else self.session.vault

    @property
    def pages(self) -> dict[str, Page]:
        return {} if self.workspace is None else self.workspace.pages

    def page(self, key: str) -> Page | None:
        return self.pages.get(key)

    # -- unlock --------------------------------------------------------------------------------
    def on_unlocked(self, vault: Vault) -> None:
        # The unlocked UI is imported on the first unlock, not at start-up (the unlock window
        # comes first and fast).
        from srojournal.domain.settings import AUTOLOCK_MINUTES, CLIPBOARD_TIMEOUT_SECONDS
        from srojournal.ui.session import Session
        from srojournal.ui.workspace import Workspace

        self.finish_window()
        session = Session(vault, self)
        self.session = session
        session.data_changed.connect(self._on_data_changed)
        self.workspace = Workspace(session, self.page_specs)
        for page in self.workspace.pages.values():
            page.new_contact_requested.connect(lambda data: self.open_quick_entry(prefill=data))
            page.edit_contact_requested.connect(lambda cid: self.open_quick_entry(contact_id=cid))
            page.show_student_requested.connect(self.show_student)
            page.status_message.connect(self.show_message)
            page.open_vault_requested.connect(self.open_other_vault)
        stack = self._undo_stack()
        if stack is not None:
            stack.canUndoChanged.connect(lambda _b: self._update_undo())
            stack.canRedoChanged.connect(lambda _b: self._update_undo())
        self.root.addWidget(self.workspace)
        self.root.setCurrentWidget(self.workspace)
        self.autolock.set_minutes(AUTOLOCK_MINUTES.read(session.journal))
        self.autolock.start()
        self._guard_clipboard().start(CLIPBOARD_TIMEOUT_SECONDS.read(session.journal))
        for action in self._app_wide:
            action.setShortcutContext(QtCore.Qt.ShortcutContext.ApplicationShortcut)
        if self._subscribe_system_signals:
            self._subscribe_system_signals = False
            self.autolock.connect_system_signals()
        self._set_unlocked_ui(True)
        self._refresh_status()
        self.workspace.sidebar.setCurrentRow(0)
        self.workspace.sidebar.setFocus()
        if vault.unclean_previous_shutdown:
            self.show_message("The last session ended abruptly; the vault was checked and is fine.")
        if vault.recovery_code_unconfirmed:
            self.show_message(
                "A new recovery code was issued but never confirmed as stored. Issue a new one: "
                "Settings → Security → New recovery code."
            )
        self._drop_unconfirmed_demo_hint(session)
        self.unlocked.emit()
        self._reopen_draft()

    def _guard_clipboard(self) -> ClipboardGuard:
        """Ours = copied while the vault is open and one of our windows is the active one."""
        if self.clipboard_guard is None:
            from srojournal.ui.clipboard import ClipboardGuard

            self.clipboard_guard = ClipboardGuard(
                self, lambda: self.session is not None and QApplication.activeWindow() is not None
            )
        return self.clipboard_guard

    def _drop_unconfirmed_demo_hint(self, session: Session) -> None:
        """A demo hint next to a vault that does not say it is a demo was not made by
        ``srojournal demo``: remove it, so its lock screen never offers the demo passphrase."""
        from srojournal.domain.settings import DEMO_VAULT
        from srojournal.vault.layout import DEMO_MARKER

        marker = session.vault.folder / DEMO_MARKER
        if marker.is_file() and not DEMO_VAULT.read(session.journal):
            log.warning("removed a demo hint that the vault does not confirm")
            marker.unlink(missing_ok=True)

    def _reopen_draft(self) -> None:
        assert self.session is not None
        j = self.session.journal
        try:
            import json

            marker = j.load_draft(REOPEN_DRAFT)
            if marker is None:
                return
            self.session.runner.write(lambda: j.delete_draft(REOPEN_DRAFT), lambda _r: None)
            contact_id = json.loads(marker).get("contact_id")
        except (UserError, ValueError, AttributeError):
            return
        self.open_quick_entry(contact_id=contact_id)

    def _undo_stack(self) -> QUndoStack | None:
        """The undo history of deletions (the journal page keeps it)."""
        page = self.pages.get("journal") if self.session is not None else None
        return None if page is None else page.undo_stack

    def new_vault(self) -> None:
        """File → New vault…: lock this one (keeping any typed entry) and offer a new one in
        the suggested folder."""
        self.lock("new vault")
        self.unlock_screen.show_create()

    def open_vault(self) -> None:
        """File → Open vault…: lock this one and choose a vault folder."""
        self.lock("open another vault")
        self.unlock_screen.choose_vault_folder()

    def open_other_vault(self, path: str) -> None:
        """Lock this vault (keeping any typed entry as a draft) and offer to unlock another."""
        self.lock("open another vault")
        self.unlock_screen.open_path(Path(path))

    # -- lock ----------------------------------------------------------------------------------
    def lock(self, reason: str = "manual") -> None:
        """Draft, clear, close, zero. Never asks anything."""
        if self.session is None:
            return
        log.info("locking (%s)", reason)
        self.autolock.stop()
        session = self.session
        # An import in progress is told to stop first (it rolls back at its next step); then
        # everything asked for is done before the vault closes (a backup running, a save
        # waiting behind it); nothing that finishes later may reach the cleared screens.
        self._close_data_dialog()
        session.runner.finish()
        session.runner.cancel_results()
        self._stash_entry(session)
        if self.clipboard_guard is not None:
            self.clipboard_guard.stop()
        if self.workspace is not None:
            self.workspace.clear_pages()
            self.root.removeWidget(self.workspace)
            self.workspace.setParent(None)
            self.workspace.deleteLater()
            self.workspace = None
        self.session = None
        session.data_changed.disconnect(self._on_data_changed)
        try:
            session.vault.close()
        except UserError as exc:
            log.error("closing the vault reported: %s", type(exc).__name__)
        session.deleteLater()
        self.undo_button.setVisible(False)
        self.statusBar().clearMessage()
        self.root.setCurrentWidget(self.unlock_screen)
        self.unlock_screen.reset()
        self.unlock_screen.show_unlock(session.vault.folder)
        self._set_unlocked_ui(False)
        self.locked.emit()

    def _stash_entry(self, session: Session) -> None:
        entry = self.entry
        self.entry = None
        if entry is None:
            return
        try:
            kept = entry.close_keeping_draft()
            if kept:
                import json

                marker = json.dumps({"contact_id": entry.contact_id})
                session.runner.write(
                    lambda: session.journal.save_draft(REOPEN_DRAFT, marker), lambda _r: None
                )
                session.runner.finish()
        except (UserError, RuntimeError) as exc:
            log.error("could not keep the open entry as a draft: %s", type(exc).__name__)

    # -- quick entry ---------------------------------------------------------------------------
    def open_quick_entry(
        self,
        prefill: ContactInput | EntryDraft | None = None,
        contact_id: int | None = None,
    ) -> None:
        """Open quick entry, blank, prefilled (an ``EntryDraft`` also brings case links), or on
        an existing contact."""
        if self.session is None:
            return
        if self.entry is not None:
            if self.entry.is_dirty() or (prefill is None and contact_id is None):
                self.entry.show()
                self.entry.raise_()
                self.entry.activateWindow()
                if prefill is not None or contact_id is not None:
                    self.show_message("Finish or close the open entry first (its text is kept).")
                return
            self.entry.close_keeping_draft()
            self.entry = None
        try:
            from srojournal.ops.entries import EntryDraft
            from srojournal.ui.entry import QuickEntryDialog

            contact = prefill.contact if isinstance(prefill, EntryDraft) else prefill
            case_ids = prefill.case_ids if isinstance(prefill, EntryDraft) else ()
            dialog = QuickEntryDialog(
                self.session, self, contact_id=contact_id, prefill=contact, case_ids=case_ids
            )
        except UserError as exc:
            self.show_message(exc.message)
            return
        dialog.saved.connect(self._on_entry_saved)
        dialog.finished.connect(lambda _r, d=dialog: self._on_entry_closed(d))
        self.entry = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.student_search.setFocus() if contact_id is None else dialog.notes.setFocus()

    def _on_entry_closed(self, dialog: QuickEntryDialog) -> None:
        if self.entry is dialog:
            self.entry = None

    def _on_entry_saved(self, contact_id: int) -> None:
        self.show_message("Entry saved.")
        page = self.pages.get("journal")
        if page is not None and page.isVisible():
            page.select_contact(contact_id)

    # -- import and export ---------------------------------------------------------------------
    def open_import(self) -> None:
        from srojournal.ui.importer.wizard import ImportWizard

        self._open_data_dialog(lambda s: ImportWizard(s, self))

    def open_export(self) -> None:
        from srojournal.ui.importer.export_dialog import ExportDialog

        self._open_data_dialog(lambda s: ExportDialog(s, self))

    def _open_data_dialog(self, make: Callable[[Session], QDialog]) -> None:
        if self.session is None:
            return
        if self.data_dialog is not None:
            self.data_dialog.raise_()
            self.data_dialog.activateWindow()
            return
        dialog = make(self.session)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.finished.connect(lambda _r, d=dialog: self._on_data_dialog_closed(d))
        self.data_dialog = dialog
        dialog.open()

    def _on_data_dialog_closed(self, dialog: QDialog) -> None:
        if self.data_dialog is dialog:
            self.data_dialog = None

    def _close_data_dialog(self) -> None:
        """Locking: an import in progress is rolled back, then the window closes."""
        dialog, self.data_dialog = self.data_dialog, None
        if dialog is not None:
            abort = getattr(dialog, "abort", None)
            if abort is not None:
                abort()
            else:
                dialog.reject()

    # -- navigation ----------------------------------------------------------------------------
    def show_page(self, key: str) -> Page | None:
        if self.workspace is None:
            return None
        return self.workspace.show_page(key)

    def show_student(self, student_id: int) -> None:
        page = self.show_page("journal")
        if page is not None:
            page.show_student(student_id)

    def focus_search(self) -> None:
        page = self.show_page("journal")
        if page is not None:
            page.focus_search()

    def undo(self) -> None:
        stack = self._undo_stack()
        if stack is not None and stack.canUndo():
            stack.undo()

    def redo(self) -> None:
        stack = self._undo_stack()
        if stack is not None and stack.canRedo():
            stack.redo()

    def _update_undo(self) -> None:
        stack = self._undo_stack()
        can_undo = stack is not None and stack.canUndo()
        can_redo = stack is not None and stack.canRedo()
        self.act_undo.setEnabled(can_undo)
        self.act_redo.setEnabled(can_redo)
        self.undo_button.setVisible(can_undo)

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    # -- status --------------------------------------------------------------------------------
    def _on_data_changed(self, changes: Change) -> None:
        from srojournal.domain.settings import AUTOLOCK_MINUTES, CLIPBOARD_TIMEOUT_SECONDS
        from srojournal.ops.changes import Change  # the unlocked side (not needed at start-up)

        if changes & Change.SETTINGS and self.session is not None:
            self.autolock.set_minutes(AUTOLOCK_MINUTES.read(self.session.journal))
            self._guard_clipboard().set_seconds(
                CLIPBOARD_TIMEOUT_SECONDS.read(self.session.journal)
            )
            self._set_unlocked_ui(True)
        self._refresh_status()

    def _refresh_status(self) -> None:
        if self.session is None or self.workspace is None:
            return
        from srojournal.ops.followups import overdue_count
        from srojournal.ui.workspace import last_backup_text

        j = self.session.journal
        try:
            self.workspace.set_badge("followups", overdue_count(j, self.session.today()))
            self.backup_label.setText(last_backup_text(self.session))
        except UserError:
            return

    # -- help ----------------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        text = (
            "<table>"
            "<tr><td><b>Ctrl+N</b></td><td>New entry (from anywhere)</td></tr>"
            "<tr><td><b>Ctrl+Enter</b></td><td>Save the entry</td></tr>"
            "<tr><td><b>Esc</b></td><td>Close the entry (what you typed is kept)</td></tr>"
            "<tr><td><b>Ctrl+F</b></td><td>Search the journal</td></tr>"
            "<tr><td><b>Ctrl+L</b></td><td>Lock now</td></tr>"
            "<tr><td><b>Ctrl+Z</b></td><td>Undo delete</td></tr>"
            "<tr><td><b>Ctrl+1…7</b></td><td>Go to a section</td></tr>"
            "<tr><td><b>Ctrl+Q</b></td><td>Quit</td></tr></table>"
        )
        self._info("Keyboard shortcuts", text)

    def show_about(self) -> None:
        self._info("About SRO Journal", about_text())

    def _info(self, title: str, text: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=self)
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.open()

    # -- closing -------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Closing keeps any typed text as a draft and locks; it never asks."""
        self.settings.window_geometry = self.saveGeometry()
        self.lock("close")
        pending = self.unlock_screen.pending_vault
        if pending is not None:  # created, its recovery code still on screen
            pending.close()
        if self._finished:
            self.autolock.shutdown()
        super().closeEvent(event)


def about_text() -> str:
    """Version of the app, SQLCipher and Qt (the first things a bug report needs)."""
    import PySide6
    from PySide6.QtCore import qVersion

    from srojournal import __version__
    from srojournal.selftest import run_self_test

    cipher = run_self_test().cipher_version or "missing"
    return (
        f"<b>SRO Journal {__version__}</b><br>An encrypted journal for school resource officers."
        f"<br><br>SQLCipher {cipher}<br>Qt {qVersion()} (PySide6 {PySide6.__version__})"
    )
