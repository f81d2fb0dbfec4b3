"""File > Export journal…: the officer's own, unencrypted copy of the journal (or of one student's
records), in the import format.

The dialog says plainly that the file is not encrypted and that the checks that guard summaries
do not apply; the passphrase is typed again (checked off the GUI thread: Argon2id takes about a
second) before a byte is written. ``journal_export`` writes the file (0600) and audits it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from srojournal.ops.journal_export import (
    NOT_CHECKED,
    NOT_ENCRYPTED,
    confirm_passphrase,
    export_to_file,
)
from srojournal.ui.common.students import StudentSearchEdit
from srojournal.ui.widgets import PassphraseEdit, label, primary_button
from srojournal.vault.errors import VaultError, WrongPassphrase

if TYPE_CHECKING:
    from srojournal.ui.session import Session

log = logging.getLogger("srojournal.ui.export")


class ExportDialog(QDialog):
    """Emits ``exported(path)`` after the file was written."""

    exported = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.journal = session.journal
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export journal")
        self.setModal(True)
        self.student_id: int | None = None
        self._checking = False  # the passphrase is being checked in the background

        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(10)
        lay.addWidget(label("Export journal", "title"))
        warning = label(NOT_ENCRYPTED + "\n\n" + NOT_CHECKED, "warning")
        warning.setAccessibleName("Warning: the export is not encrypted")
        warning.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        lay.addWidget(warning)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        scope = QVBoxLayout()
        self.all_radio = QRadioButton("The &whole journal")
        self.all_radio.setAccessibleName("Export the whole journal")
        self.one_radio = QRadioButton("&One student's records (for a records request)")
        self.one_radio.setAccessibleName("Export one student's records")
        self.all_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.all_radio)
        group.addButton(self.one_radio)
        scope.addWidget(self.all_radio)
        scope.addWidget(self.one_radio)
        # A records request often comes after the student left: archived students count too.
        self.student_edit = StudentSearchEdit(
            "Student whose records to export", include_archived=True
        )
        self.student_edit.set_journal(self.journal)
        self.student_edit.setPlaceholderText("Type the student's alias")
        self.student_edit.setEnabled(False)
        self.student_edit.student_chosen.connect(self._on_student)
        self.student_edit.textEdited.connect(lambda _t: self._on_student(None))
        self.one_radio.toggled.connect(self.student_edit.setEnabled)
        scope.addWidget(self.student_edit)
        form.addRow(label("Export"), scope)

        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName("File to write")
        self.path_edit.setPlaceholderText("Where to save the .csv file")
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Choose where to save")
        browse.clicked.connect(self.browse)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow(label("&Save as", buddy=self.path_edit), row)

        self.passphrase = PassphraseEdit("Passphrase, typed again")
        form.addRow(label("&Passphrase", buddy=self.passphrase), self.passphrase)
        lay.addLayout(form)
        lay.addWidget(
            label("Type your passphrase again to confirm that you are exporting.", "hint")
        )
        self.error = label("", "error")
        self.error.setAccessibleName("Export problem")
        self.error.hide()
        lay.addWidget(self.error)
        self.status = label("", "hint")
        self.status.setAccessibleName("Export status")
        lay.addWidget(self.status)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.export_button = primary_button("&Export", "Export")
        self.export_button.setDefault(True)
        self.close_button = QPushButton("Cancel")
        self.close_button.setAccessibleName("Cancel")
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        lay.addLayout(buttons)
        self.export_button.clicked.connect(self.export)
        self.close_button.clicked.connect(self.reject)
        self.passphrase.returnPressed.connect(self.export)
        self.finished.connect(lambda _r: self.passphrase.wipe())
        self.setMinimumWidth(640)
        self.resize(660, self.sizeHint().height())
        self.all_radio.setFocus()

    def _on_student(self, student_id: int | None) -> None:
        self.student_id = student_id
        if student_id is not None:  # show whom the export is about: alias, school, grade
            self.student_edit.setText(self.student_edit.label_for(self.journal.student(student_id)))

    def browse(self) -> None:
        dlg = QFileDialog(self, "Save the export as", "journal-export.csv", "CSV (*.csv)")
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setDefaultSuffix("csv")
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dlg.fileSelected.connect(self.path_edit.setText)
        dlg.open()

    def _fail(self, text: str, focus: QWidget | None = None) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.export_button.setEnabled(True)
        if focus is not None:
            focus.setFocus()

    def export(self) -> None:
        if self._checking:
            return
        self._fail("")
        student_id = None
        if self.one_radio.isChecked():
            student_id = self.student_id or self.student_edit.match(self.student_edit.text())
            if student_id is None:
                self._fail("Choose the student whose records to export.", self.student_edit)
                return
        text = self.path_edit.text().strip()
        if not text:
            self._fail("Choose where to save the file.", self.path_edit)
            return
        out = Path(text).expanduser()
        if out.suffix.lower() != ".csv":
            out = out.with_name(out.name + ".csv")
        if not out.parent.is_dir():
            self._fail("That folder does not exist.", self.path_edit)
            return
        secret = self.passphrase.text()
        if not secret:
            self._fail("Type your passphrase again.", self.passphrase)
            return
        self.export_button.setEnabled(False)
        self.status.setText("Checking the passphrase…")
        vault = self.session.vault
        self._checking = True

        def checked(_result: object) -> None:
            self._checking = False
            self._write(out, student_id)

        self.session.runner.run(
            lambda: confirm_passphrase(vault, secret), checked, self._on_check_failed
        )

    def _on_check_failed(self, exc: BaseException) -> None:
        self._checking = False
        self.status.setText("")
        self.passphrase.wipe()
        if isinstance(exc, WrongPassphrase):
            self._fail("That is not the passphrase. Nothing was written.", self.passphrase)
        elif isinstance(exc, VaultError):
            self._fail(exc.message, self.passphrase)
        else:
            log.error("checking the passphrase failed: %s", type(exc).__name__)
            self._fail("The passphrase could not be checked. Nothing was written.")

    def _write(self, out: Path, student_id: int | None) -> None:
        self.passphrase.wipe()
        self.status.setText("Writing…")
        try:
            counts = export_to_file(self.journal, out, student_id=student_id)
        except VaultError as exc:
            self.status.setText("")
            self._fail(exc.message + " Nothing was written.")
            return
        self.status.setText(
            f"Wrote {counts.contacts:,} contacts, {counts.follow_ups:,} follow-ups and "
            f"{counts.cases:,} conflict cases to {out.name} (not encrypted; only your account "
            "can read it)."
        )
        self.close_button.setText("Close")
        self.close_button.setAccessibleName("Close")
        self.close_button.setFocus()
        self.exported.emit(str(out))
