"""The General tab: auto-lock, clearing copied text, the summaries' threshold k, where the vault
and its backups are."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
)

from srojournal.domain.settings import (
    AUTOLOCK_MINUTES,
    BACKUP_DIR,
    CLIPBOARD_TIMEOUT_SECONDS,
    REPORT_THRESHOLD,
    IntSetting,
)
from srojournal.ops.changes import Change
from srojournal.ui.common.kit import (
    Card,
    hint_label,
    named,
    section_label,
)
from srojournal.ui.common.runner import user_message
from srojournal.ui.settings.base import SettingsTab
from srojournal.vault.backup import backup_dir, default_backup_dir

_ROLE: Final = Qt.ItemDataRole.UserRole


class GeneralTab(SettingsTab):
    title = "&General"

    def _build(self) -> None:
        lay = self.column()
        card = Card()
        card.body.addWidget(section_label("Safety"))
        form = QFormLayout()
        self.autolock = named(QSpinBox(), "Auto-lock after minutes idle")
        self.autolock.setMaximumWidth(140)
        self.autolock.setRange(AUTOLOCK_MINUTES.low, AUTOLOCK_MINUTES.high)
        self.autolock.setSuffix(" min")
        self.autolock.valueChanged.connect(
            lambda v: self._save_setting(AUTOLOCK_MINUTES, v, "Auto-lock time saved")
        )
        form.addRow("&Lock after idle", self.autolock)
        clip = CLIPBOARD_TIMEOUT_SECONDS
        self.clipboard_seconds = named(QSpinBox(), "Clear copied text after seconds")
        self.clipboard_seconds.setMaximumWidth(140)
        self.clipboard_seconds.setRange(clip.low, clip.high)
        self.clipboard_seconds.setSuffix(" s")
        self.clipboard_seconds.valueChanged.connect(
            lambda v: self._save_setting(clip, v, "Clipboard time saved")
        )
        form.addRow("Clear copied &text after", self.clipboard_seconds)
        card.body.addLayout(form)
        card.body.addWidget(
            hint_label(
                "Lock: 1 to 30 minutes (30 is the CJIS maximum); Ctrl+L locks at once. Text "
                "copied from the journal is cleared after the time above and when the vault "
                "locks, and clipboard managers are told it is secret."
            )
        )
        lay.addWidget(card)

        card = Card()
        card.body.addWidget(section_label("Monthly summary"))
        form = QFormLayout()
        self.threshold = named(QSpinBox(), "Report threshold k")
        self.threshold.setMaximumWidth(140)
        self.threshold.setRange(REPORT_THRESHOLD.low, REPORT_THRESHOLD.high)
        self.threshold.valueChanged.connect(
            lambda v: self._save_setting(REPORT_THRESHOLD, v, "Report threshold saved")
        )
        form.addRow("&Threshold k", self.threshold)
        card.body.addLayout(form)
        card.body.addWidget(
            hint_label(
                "A cell with fewer than k distinct students is suppressed (shown as S). "
                "Never below 5; 10 is the default."
            )
        )
        lay.addWidget(card)

        card = Card()
        card.body.addWidget(section_label("Storage"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.vault_path = named(QLineEdit(), "Vault location")
        self.vault_path.setReadOnly(True)
        open_folder = named(QPushButton("Open folder"), "Open the vault folder")
        open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.session.vault.folder)))
        )
        row = QHBoxLayout()
        row.addWidget(self.vault_path, 1)
        row.addWidget(open_folder)
        form.addRow("Vault", row)
        self.backup_path = named(QLineEdit(), "Backup folder")
        self.backup_path.setReadOnly(True)
        choose = named(QPushButton("Choose…"), "Choose backup folder")
        choose.clicked.connect(self.choose_backup_dir)
        reset = named(QPushButton("Default"), "Use the default backup folder")
        reset.clicked.connect(lambda: self.set_backup_dir(None))
        row = QHBoxLayout()
        row.addWidget(self.backup_path, 1)
        row.addWidget(choose)
        row.addWidget(reset)
        form.addRow("Backups", row)
        card.body.addLayout(form)
        card.body.addWidget(
            hint_label(
                "Backups are encrypted with the vault's key. Keep them on another disk when you "
                "can; the default is a folder next to the vault."
            )
        )
        lay.addWidget(card)
        lay.addStretch(1)

    def _save_setting(self, setting: IntSetting, value: int, message: str) -> None:
        if self._loading or not self._open():
            return
        self.runner.write(
            lambda: setting.write(self.journal, value),
            lambda _r: self._setting_saved(message),
            lambda exc: self.status_message.emit(user_message(exc)),
        )

    def _setting_saved(self, message: str) -> None:
        self.session.notify(Change.SETTINGS)
        self.status_message.emit(message)

    def choose_backup_dir(self) -> QFileDialog:
        dlg = QFileDialog(self, "Backup folder", str(backup_dir(self.session.vault)))
        dlg.setFileMode(QFileDialog.FileMode.Directory)
        dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dlg.fileSelected.connect(lambda path: self.set_backup_dir(path))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        return dlg

    def set_backup_dir(self, path: str | None) -> None:
        self.runner.write(
            lambda: BACKUP_DIR.write(self.journal, Path(path) if path else None),
            lambda _r: self._backup_dir_saved(),
            lambda exc: self.status_message.emit(user_message(exc)),
        )

    def _backup_dir_saved(self) -> None:
        self.backup_path.setText(str(backup_dir(self.session.vault)))
        self.session.notify(Change.SETTINGS)
        self.session.notify(Change.BACKUPS)
        self.status_message.emit("Backup folder saved")

    def load(self) -> None:
        j = self.journal
        self._loading = True
        self.autolock.setValue(AUTOLOCK_MINUTES.read(j))
        self.clipboard_seconds.setValue(CLIPBOARD_TIMEOUT_SECONDS.read(j))
        self.threshold.setValue(REPORT_THRESHOLD.read(j))
        self.vault_path.setText(str(self.session.vault.folder))
        self.backup_path.setText(str(backup_dir(self.session.vault)))
        self.backup_path.setToolTip(f"Default: {default_backup_dir(self.session.vault.folder)}")
        self._loading = False

    def clear(self) -> None:
        self.vault_path.clear()
        self.backup_path.clear()
