"""Showing a recovery code issued while the journal is open (Settings → Security, or the first
passphrase change of a vault from an earlier release): the code, Save/Print, and the same
"I have stored it" step as at creation. Only that step marks the code as stored in the vault
(``ops.access.confirm_recovery_code``, through the session's writer); closing the window without
it leaves the vault flagged, and the next unlock says so.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6 import QtCore
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from srojournal.ops import access
from srojournal.ops.changes import Done
from srojournal.ui.common.runner import user_message
from srojournal.ui.session import Session

log = logging.getLogger("srojournal.ui.settings.recovery_code")


class RecoveryCodeDialog(QDialog):
    def __init__(self, parent: QWidget | None, session: Session, code: str) -> None:
        super().__init__(parent)
        self.setObjectName("RecoveryCodeDialog")
        self.setWindowTitle("Your new recovery code")
        self.setModal(True)
        self._session = session
        self._code = code
        lay = QVBoxLayout(self)
        hint = QLabel(
            "The previous recovery code no longer works. This new code opens the vault if you "
            "forget your passphrase. It is shown only now: write it down, print it or save it "
            "somewhere safe, away from this laptop."
        )
        hint.setWordWrap(True)
        lay.addWidget(hint)
        groups = code.split("-")
        half = len(groups) // 2
        self.code_label = QLabel("-".join(groups[:half]) + "\n" + "-".join(groups[half:]))
        self.code_label.setObjectName("recoveryCode")
        self.code_label.setAccessibleName("Recovery code")
        self.code_label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        font = self.code_label.font()
        font.setFamily("DejaVu Sans Mono")
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.code_label.setFont(font)
        lay.addWidget(self.code_label)
        row = QHBoxLayout()
        save = QPushButton("Save to file…")
        save.setAccessibleName("Save recovery code to a file")
        save.clicked.connect(self._save)
        row.addWidget(save)
        row.addStretch(1)
        lay.addLayout(row)
        self.status = QLabel("")
        self.status.setAccessibleName("Recovery code status")
        lay.addWidget(self.status)
        self.stored_check = QCheckBox("I have stored the recovery code somewhere safe")
        self.stored_check.setAccessibleName("I have stored the recovery code")
        lay.addWidget(self.stored_check)
        self.done_button = QPushButton("Done")
        self.done_button.setEnabled(False)
        self.done_button.setDefault(True)
        self.stored_check.toggled.connect(self.done_button.setEnabled)
        self.done_button.clicked.connect(self._confirm)
        lay.addWidget(self.done_button, 0, QtCore.Qt.AlignmentFlag.AlignRight)
        self.finished.connect(self._forget)

    def _confirm(self) -> None:
        if not self.stored_check.isChecked():
            return
        session = self._session
        vault = session.vault

        def done(result: Done[None]) -> None:
            session.applied(result)
            self.accept()

        session.runner.write(
            lambda: access.confirm_recovery_code(vault),
            done,
            lambda exc: self.status.setText(user_message(exc)),
        )

    def _forget(self, _result: int) -> None:
        self._code = ""
        self.code_label.clear()

    def _save(self) -> None:
        dialog = QFileDialog(self, "Save the recovery code")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile("srojournal-recovery-code.txt")
        dialog.fileSelected.connect(lambda p: self.save_to(Path(p)))
        self._file_dialog = dialog
        dialog.open()

    def save_to(self, path: Path) -> None:
        text = (
            "SRO Journal — vault recovery code\n\n"
            f"{self._code}\n\n"
            "Keep this code away from the laptop. It opens the vault if the passphrase is lost.\n"
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError:
            self.status.setText("Could not save the file there. Choose another place.")
            return
        self.status.setText(f"Saved to {path.name}. Move it somewhere safe, away from this laptop.")


def show_new_recovery_code(
    parent: QWidget | None, session: Session, code: str
) -> RecoveryCodeDialog:
    """Open the dialog (window-modal, without blocking the event loop) and return it."""
    dialog = RecoveryCodeDialog(parent, session, code)
    dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.open()
    return dialog
