"""Backups: back up now, the verified backups on disk, restore one into a new folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from srojournal.ui import session as what
from srojournal.ui.page import Page
from srojournal.ui.session import Session
from srojournal.ui.students.kit import (
    TaskRunner,
    confirm,
    header_row,
    hint_label,
    named,
    page_layout,
    primary,
    record_table,
)
from srojournal.vault import backup
from srojournal.vault.backup import BackupInfo

REASONS = {"manual": "Manual", "daily": "Daily", "migration": "Before upgrade"}
_ROLE = Qt.ItemDataRole.UserRole


def restore_target(chosen: Path, backup_path: Path) -> Path:
    """Restore into the chosen folder when it is empty, else into a new folder inside it."""
    if not chosen.exists() or (chosen.is_dir() and not any(chosen.iterdir())):
        return chosen
    base = chosen / f"restored-{backup_path.name.removeprefix(backup.PREFIX)}"
    target, n = base, 1
    while target.exists():
        n += 1
        target = base.with_name(f"{base.name}-{n}")
    return target


class BackupsPage(Page):
    title = "Backups"
    object_name = "backupsPage"
    refreshed_by = frozenset({what.BACKUPS, what.SETTINGS})
    refresh_on_show = True

    # A restored vault the officer wants to open now (the main window locks this one first).
    open_vault_requested = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.tasks = TaskRunner(self)
        self.tasks.busy_changed.connect(self._on_busy)
        self._backups: list[BackupInfo] = []
        layout = page_layout(self)
        self.backup_button = primary(
            named(QPushButton("Back up now"), "Back up now", "Write and verify a backup")
        )
        self.backup_button.clicked.connect(self.back_up_now)
        head, _ = header_row("Backups", self.backup_button)
        layout.addLayout(head)
        self.folder_label = hint_label()
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        named(self.folder_label, "Backup folder")
        layout.addWidget(self.folder_label)
        self.table = named(QTableWidget(0, 4), "Verified backups")
        self.table.setHorizontalHeaderLabels(["Taken", "Kind", "Contacts", "Students"])
        record_table(self.table)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.restore_button = named(
            QPushButton("Restore…"), "Restore selected backup", "Into a new folder"
        )
        self.restore_button.clicked.connect(self.choose_restore_folder)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = hint_label()
        named(self.message, "Backup status")
        layout.addWidget(self.message)
        layout.addWidget(
            hint_label(
                "Each backup is an encrypted copy with its own key file, checked by reopening it "
                "before it is listed. A backup opens with the passphrase that was valid when it "
                "was taken. Kept: one per day for 7 days and one per week for 4 weeks."
            )
        )
        self._update_buttons()

    # -- Page contract ----------------------------------------------------------------------

    def refresh(self) -> None:
        if not self._open():
            return
        folder = backup.backup_dir(self.session.vault)
        self.folder_label.setText(f"Folder: {folder}")
        keep = self.selected_backup()
        self._backups = backup.list_backups(folder)
        self.table.setRowCount(0)
        self.table.setRowCount(len(self._backups))
        for i, b in enumerate(self._backups):
            cells = (
                b.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                REASONS.get(b.reason, b.reason),
                str(b.contacts),
                str(b.students),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(_ROLE, str(b.path))
                if col >= 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(i, col, item)
            if keep is not None and b.path == keep.path:
                self.table.selectRow(i)
        if not self._backups:
            self.message.setText("No backup in this folder yet.")
        self._update_buttons()

    def clear(self) -> None:
        self.tasks.wait()
        self.tasks.cancel_results()
        self._backups = []
        self.table.setRowCount(0)
        self.folder_label.clear()
        self.message.clear()

    # -- actions ----------------------------------------------------------------------------
    def selected_backup(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        path = None if item is None else item.data(_ROLE)
        return next((b for b in self._backups if str(b.path) == path), None)

    def _update_buttons(self) -> None:
        self.backup_button.setEnabled(not self.tasks.busy)
        self.restore_button.setEnabled(not self.tasks.busy and self.selected_backup() is not None)

    def _on_busy(self, _busy: bool) -> None:
        self._update_buttons()

    def back_up_now(self) -> None:
        if self.tasks.busy or not self._open():
            return
        vault = self.session.vault
        self.message.setText("Writing and verifying the backup…")

        def work() -> BackupInfo:
            info = backup.create_backup(vault, reason="manual")
            backup.rotate_backups(info.path.parent, dt.date.today())
            return info

        def done(info: BackupInfo) -> None:
            if not self._open():
                return
            self.message.setText(
                f"Backup verified: {info.contacts} contacts, {info.students} students."
            )
            self.status_message.emit("Backup written and verified")
            self.session.notify(what.BACKUPS)
            self.refresh()
            for i in range(self.table.rowCount()):
                item = self.table.item(i, 0)
                if item is not None and item.data(_ROLE) == str(info.path):
                    self.table.selectRow(i)

        def failed(message: str) -> None:
            self.message.setText(message)
            self.status_message.emit("Backup failed")

        self.tasks.run(work, done, failed)

    def choose_restore_folder(self) -> QFileDialog | None:
        b = self.selected_backup()
        if b is None:
            return None
        dlg = QFileDialog(self, "Restore into a new folder", str(self.session.vault.folder.parent))
        dlg.setFileMode(QFileDialog.FileMode.Directory)
        dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dlg.setLabelText(QFileDialog.DialogLabel.Accept, "Restore here")
        dlg.fileSelected.connect(lambda path: self.restore(b, Path(path)))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        return dlg

    def restore(self, b: BackupInfo, chosen: Path) -> None:
        """Copy backup ``b`` into ``chosen`` (or a new folder inside it), then offer to open it."""
        target = restore_target(chosen, b.path)
        self.message.setText("Restoring…")

        def done(_result: object) -> None:
            self.message.setText(f"Restored into {target}.")
            self.status_message.emit("Backup restored")
            confirm(
                self,
                "Backup restored",
                f"The backup was restored into {target}.",
                "Open it now",
                lambda: self.open_vault_requested.emit(str(target)),
                informative=(
                    "Opening it locks this vault. Unlock the restored one with the passphrase "
                    "that was valid when the backup was taken."
                ),
            )

        def failed(message: str) -> None:
            self.message.setText(message)

        self.tasks.run(lambda: backup.restore_backup(b.path, target), done, failed)
