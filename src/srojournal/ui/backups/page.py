"""Backups: back up now, the verified backups on disk, restore one into a new folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from srojournal.ops import backups as backup_ops
from srojournal.ops.changes import Change, Done
from srojournal.ui.common.error_label import ErrorLabel
from srojournal.ui.common.kit import (
    confirm,
    header_row,
    hint_label,
    named,
    page_layout,
    primary,
    record_table,
)
from srojournal.ui.common.runner import user_message
from srojournal.ui.page import Page
from srojournal.ui.session import Session
from srojournal.ui.widgets import PassphraseEdit
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
    refreshed_by = Change.BACKUPS | Change.SETTINGS
    refresh_on_show = True

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.runner = session.runner
        self.runner.busy_changed.connect(self._on_busy)
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
        self.runner.finish()
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
        self.backup_button.setEnabled(not self.runner.busy)
        self.restore_button.setEnabled(not self.runner.busy and self.selected_backup() is not None)

    def _on_busy(self, _busy: bool) -> None:
        self._update_buttons()

    def back_up_now(self) -> None:
        if self.runner.busy or not self._open():
            return
        vault = self.session.vault
        self.message.setText("Writing and verifying the backup…")

        def done(result: Done[BackupInfo]) -> None:
            info = self.session.applied(result)
            if not self._open():
                return
            self.message.setText(
                f"Backup verified: {info.contacts} contacts, {info.students} students."
            )
            self.status_message.emit("Backup written and verified")
            self.refresh()
            for i in range(self.table.rowCount()):
                item = self.table.item(i, 0)
                if item is not None and item.data(_ROLE) == str(info.path):
                    self.table.selectRow(i)

        def failed(exc: BaseException) -> None:
            self.message.setText(user_message(exc))
            self.status_message.emit("Backup failed")

        self.runner.run(lambda: backup_ops.back_up_now(vault), done, failed)

    def choose_restore_folder(self) -> RestoreDialog | None:
        """Restore the selected backup: into which folder (a new one is suggested; it need not
        exist yet), with the passphrase the backup was taken under."""
        b = self.selected_backup()
        if b is None:
            return None
        dlg = RestoreDialog(b, suggested_restore_folder(self.session.vault.folder, b), self)
        dlg.accepted.connect(lambda: self.restore(b, *dlg.value()))
        dlg.open()
        return dlg

    def ask_backup_passphrase(self, b: BackupInfo, chosen: Path) -> RestoreDialog:
        """The restore dialog with the folder already chosen."""
        dlg = RestoreDialog(b, chosen, self)
        dlg.accepted.connect(lambda: self.restore(b, *dlg.value()))
        dlg.open()
        dlg.passphrase.setFocus()
        return dlg

    def restore(self, b: BackupInfo, chosen: Path, passphrase: str) -> None:
        """Verify backup ``b``, copy it into ``chosen`` (or a new folder inside it), check the
        copy and record the restore in its audit log; then offer to open it."""
        target = restore_target(chosen, b.path)
        self.message.setText("Verifying and restoring…")

        def done(_result: object) -> None:
            self.message.setText(f"Restored into {target}.")
            self.status_message.emit("Backup restored")
            confirm(
                self,
                "Backup restored",
                f"The backup was verified and restored into {target}.",
                "Open it now",
                lambda: self.open_vault_requested.emit(str(target)),
                informative=(
                    "Opening it locks this vault. Unlock the restored one with the passphrase "
                    "that was valid when the backup was taken."
                ),
            )

        def failed(exc: BaseException) -> None:
            self.message.setText(user_message(exc))

        self.runner.run(lambda: backup_ops.restore(b.path, target, passphrase), done, failed)


def suggested_restore_folder(vault_folder: Path, b: BackupInfo) -> Path:
    """A new folder beside the vault, named after the backup's time (never an existing one)."""
    vault_folder = Path(vault_folder).resolve()
    base = vault_folder.with_name(f"{vault_folder.name}-restored-{b.created_at:%Y%m%d-%H%M}")
    target, n = base, 1
    while target.exists():
        n += 1
        target = base.with_name(f"{base.name}-{n}")
    return target


class RestoreDialog(QDialog):
    """Where to restore a backup (a folder that may not exist yet) and the passphrase that was
    valid when the backup was taken (the backup is checked with it before anything is copied)."""

    def __init__(self, b: BackupInfo, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupPassphraseDialog")
        self.setWindowTitle("Restore backup")
        self.setModal(True)
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        lay.addWidget(
            hint_label(
                f"The backup of {b.created_at:%Y-%m-%d %H:%M} is restored into a new folder; "
                "the vault you have open stays as it is."
            )
        )
        form = QFormLayout()
        row = QHBoxLayout()
        self.folder = named(QLineEdit(str(folder)), "Restore into folder")
        self.folder.setToolTip("A new folder (it is created), or an empty one")
        browse = named(QPushButton("Browse…"), "Choose where the new folder goes")
        browse.clicked.connect(self._browse)
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        folder_label = QLabel("Restore &into")
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, row)
        self.passphrase = PassphraseEdit("Passphrase of the backup")
        pass_label = QLabel("&Passphrase")
        pass_label.setBuddy(self.passphrase)
        form.addRow(pass_label, self.passphrase)
        lay.addLayout(form)
        lay.addWidget(
            hint_label(
                f"Enter the passphrase that was valid on {b.created_at:%Y-%m-%d}, when this "
                "backup was taken."
            )
        )
        self.error = ErrorLabel("Restore problem")
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Verify and restore")
        named(ok, "Verify and restore")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.finished.connect(self.deleteLater)
        self._value: tuple[Path, str] = (folder, "")
        self._backup = b
        self.passphrase.setFocus()

    def _browse(self) -> None:
        start = Path(self.folder.text().strip() or ".").parent
        dlg = QFileDialog(self, "Where the restored vault goes", str(start))
        dlg.setFileMode(QFileDialog.FileMode.Directory)
        dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dlg.fileSelected.connect(lambda path: self.folder.setText(str(self._inside(Path(path)))))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()

    def _inside(self, chosen: Path) -> Path:
        return restore_target(chosen, self._backup.path)

    def accept(self) -> None:
        text = self.folder.text().strip()
        if not text:
            self.error.set_message("Type the folder to restore into.")
            self.folder.setFocus()
            return
        self._value = (Path(text).expanduser(), self.passphrase.text())
        self.passphrase.wipe()
        super().accept()

    def reject(self) -> None:
        self.passphrase.wipe()
        super().reject()

    def value(self) -> tuple[Path, str]:
        """The folder and the passphrase typed (read it in an ``accepted`` handler)."""
        return self._value
