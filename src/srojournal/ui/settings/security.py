"""The Security tab: change the passphrase, issue a new recovery code, purge old notes.

A passphrase change and a new recovery code re-encrypt the journal under new keys
(``ops.access``): the work runs on the session's runner while a progress window, fed from the
worker through a queued signal, shows how far it is.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
)

from srojournal.ops import access, retention
from srojournal.ops.changes import Done
from srojournal.ui.common.error_label import ErrorLabel
from srojournal.ui.common.kit import (
    Card,
    confirm,
    hint_label,
    named,
    primary,
    section_label,
)
from srojournal.ui.common.progress import WorkProgress
from srojournal.ui.common.runner import user_message
from srojournal.ui.settings.base import SettingsTab
from srojournal.ui.settings.recovery_code import RecoveryCodeDialog, show_new_recovery_code
from srojournal.ui.widgets import PassphraseEdit, StrengthMeter

_ROLE: Final = Qt.ItemDataRole.UserRole


class SecurityTab(SettingsTab):
    title = "Sec&urity"

    code_dialog: RecoveryCodeDialog | None = None

    def _build(self) -> None:
        lay = self.column()
        card = Card()
        card.body.addWidget(section_label("Change passphrase"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.old_pass = PassphraseEdit("Current passphrase")
        self.new_pass = PassphraseEdit("New passphrase")
        self.confirm_pass = PassphraseEdit("Confirm new passphrase")
        self.meter = StrengthMeter()
        self.new_pass.textChanged.connect(self.meter.update_for)
        self.meter.changed.connect(lambda _s: self._update_pass_button())
        self.confirm_pass.textChanged.connect(lambda _t: self._update_pass_button())
        self.old_pass.textChanged.connect(lambda _t: self._update_pass_button())
        form.addRow("C&urrent", self.old_pass)
        form.addRow("&New", self.new_pass)
        form.addRow("", self.meter)
        form.addRow("Con&firm", self.confirm_pass)
        card.body.addLayout(form)
        self.pass_message = hint_label()
        named(self.pass_message, "Passphrase change result")
        card.body.addWidget(self.pass_message)
        self.pass_error = ErrorLabel()
        card.body.addWidget(self.pass_error)
        prow = QHBoxLayout()
        prow.addStretch(1)
        self.pass_button = primary(named(QPushButton("Change passphrase"), "Change passphrase"))
        self.pass_button.clicked.connect(self.change_passphrase)
        prow.addWidget(self.pass_button)
        card.body.addLayout(prow)
        card.body.addWidget(
            hint_label(
                "The journal is re-encrypted under new keys, so the old passphrase stops opening "
                "it. Your recovery code keeps working. Backups taken before the change still "
                "open with the old passphrase (the one of their time)."
            )
        )
        lay.addWidget(card)

        card = Card()
        card.body.addWidget(section_label("Recovery code"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.code_pass = PassphraseEdit("Passphrase for a new recovery code")
        self.code_pass.textChanged.connect(lambda _t: self._update_code_button())
        form.addRow("Pass&phrase", self.code_pass)
        card.body.addLayout(form)
        self.code_error = ErrorLabel()
        card.body.addWidget(self.code_error)
        crow = QHBoxLayout()
        crow.addStretch(1)
        self.code_button = named(QPushButton("New recovery code…"), "New recovery code")
        self.code_button.clicked.connect(self.new_recovery_code)
        self.code_pass.returnPressed.connect(self.new_recovery_code)
        crow.addWidget(self.code_button)
        card.body.addLayout(crow)
        card.body.addWidget(
            hint_label(
                "Issues a new recovery code and re-encrypts the journal: the current code stops "
                "working, also with older copies of the key file. The new code is shown once."
            )
        )
        lay.addWidget(card)

        card = Card()
        card.body.addWidget(section_label("Retention: purge old notes"))
        form = QFormLayout()
        self.purge_years = named(QSpinBox(), "Purge notes older than years")
        self.purge_years.setMaximumWidth(140)
        self.purge_years.setRange(1, 50)
        self.purge_years.setValue(7)
        self.purge_years.setSuffix(" years")
        self.purge_years.valueChanged.connect(self._update_purge_text)
        form.addRow("&Older than", self.purge_years)
        card.body.addLayout(form)
        self.purge_text = hint_label()
        card.body.addWidget(self.purge_text)
        rrow = QHBoxLayout()
        rrow.addStretch(1)
        self.purge_button = named(QPushButton("Purge notes…"), "Purge old notes")
        self.purge_button.clicked.connect(self.ask_purge)
        rrow.addWidget(self.purge_button)
        card.body.addLayout(rrow)
        lay.addWidget(card)
        lay.addStretch(1)
        self.runner.busy_changed.connect(self._on_busy)
        self._update_pass_button()
        self._update_code_button()

    def _update_pass_button(self) -> None:
        s = self.meter.strength
        ok = (
            bool(self.old_pass.text())
            and s is not None
            and s.acceptable
            and self.confirm_pass.text() == self.new_pass.text()
            and not self.runner.busy
        )
        self.pass_button.setEnabled(ok)
        mismatch = (
            bool(self.confirm_pass.text()) and self.confirm_pass.text() != self.new_pass.text()
        )
        self.pass_message.setText("The confirmation does not match." if mismatch else "")

    def _update_code_button(self) -> None:
        self.code_button.setEnabled(bool(self.code_pass.text()) and not self.runner.busy)

    def _on_busy(self, busy: bool) -> None:
        self.purge_button.setEnabled(not busy)
        self._update_pass_button()
        self._update_code_button()

    def change_passphrase(self) -> None:
        self.meter.flush()
        self._update_pass_button()
        if not self.pass_button.isEnabled():
            return
        old, new = self.old_pass.text(), self.new_pass.text()
        vault = self.session.vault
        self.pass_error.hide()
        self.pass_message.setText("Changing the passphrase…")
        self.pass_button.setEnabled(False)
        progress = WorkProgress(
            self, "Changing the passphrase", "Re-encrypting the journal under new keys…"
        )

        def done(result: Done[str | None]) -> None:
            progress.close()
            for edit in (self.old_pass, self.new_pass, self.confirm_pass):
                edit.wipe()
            self.pass_message.setText(
                "Passphrase changed and the journal re-encrypted: the old passphrase no longer "
                "opens it. Backups taken before the change still open with the old passphrase."
            )
            self.status_message.emit("Passphrase changed")
            code = self.session.applied(result)
            if code is not None:  # a vault from an earlier release: a new recovery code
                self._show_code(code)

        def failed(exc: BaseException) -> None:
            progress.close()
            self.pass_message.setText("")
            self.pass_error.setText(user_message(exc))
            self.pass_error.show()
            self.old_pass.selectAll()
            self.old_pass.setFocus()

        report = progress.report
        self.runner.run(
            lambda: access.change_passphrase(vault, old, new, progress=report), done, failed
        )

    def _show_code(self, code: str) -> None:
        dialog = show_new_recovery_code(self, self.session, code)
        dialog.finished.connect(self._forget_code_dialog)
        self.code_dialog = dialog

    def _forget_code_dialog(self, _result: int) -> None:
        self.code_dialog = None

    def new_recovery_code(self) -> None:
        """Issue a new recovery code (the passphrase is required); the old code stops working."""
        passphrase = self.code_pass.text()
        if not passphrase or self.runner.busy:
            return
        vault = self.session.vault
        self.code_error.hide()
        progress = WorkProgress(
            self, "New recovery code", "Re-encrypting the journal under new keys…"
        )

        def done(result: Done[str]) -> None:
            progress.close()
            self.code_pass.wipe()
            self.status_message.emit("New recovery code issued")
            code = self.session.applied(result)
            self._show_code(code)

        def failed(exc: BaseException) -> None:
            progress.close()
            self.code_error.set_message(user_message(exc))
            self.code_pass.selectAll()
            self.code_pass.setFocus()

        report = progress.report
        self.runner.run(
            lambda: access.new_recovery_code(vault, passphrase, progress=report), done, failed
        )

    def _update_purge_text(self) -> None:
        cutoff = retention.years_before(self.session.today(), self.purge_years.value())
        self.purge_text.setText(
            f"Erases the narrative notes of contacts before {cutoff.isoformat()} and the "
            "descriptions of finished follow-ups due before then. Kept: dates, schools, types, "
            "students, outcomes, referrals and tags, so counts and summaries stay the same."
        )

    def ask_purge(self) -> None:
        cutoff = retention.years_before(self.session.today(), self.purge_years.value())
        journal = self.journal

        def purge() -> None:
            self.purge_button.setEnabled(False)

            def done(result: Done[int]) -> None:
                n = self.session.applied(result)
                self.status_message.emit(f"Notes purged from {n} contacts")
                self.purge_text.setText(f"Notes purged from {n} contacts.")

            def failed(exc: BaseException) -> None:
                self.purge_text.setText(user_message(exc))

            self.runner.run(lambda: retention.purge_notes(journal, cutoff), done, failed)

        confirm(
            self,
            "Purge old notes",
            f"Permanently erase the notes of every contact before {cutoff.isoformat()}?",
            "Purge notes",
            purge,
            informative=(
                "Kept: dates, schools, contact types, students, outcomes, referrals and tags — "
                "everything counted in summaries. The erased text cannot be recovered, except "
                "from backups taken before today."
            ),
            destructive=True,
        )

    def load(self) -> None:
        self._update_purge_text()
        if not self.new_pass.text():
            self.meter.update_for("", immediate=True)

    def clear(self) -> None:
        for edit in (self.old_pass, self.new_pass, self.confirm_pass, self.code_pass):
            edit.wipe()
        self.meter.update_for("", immediate=True)
        self.pass_message.clear()
        self.purge_text.clear()
        self.pass_error.hide()
        self.code_error.hide()
        if self.code_dialog is not None:  # a new code not yet confirmed: the next unlock says so
            self.code_dialog.close()
            self.code_dialog = None
