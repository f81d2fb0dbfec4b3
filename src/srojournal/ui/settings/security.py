"""The Security tab: change the passphrase, purge old notes."""

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
from srojournal.ui.common.runner import user_message
from srojournal.ui.settings.base import SettingsTab
from srojournal.ui.widgets import PassphraseEdit, StrengthMeter

_ROLE: Final = Qt.ItemDataRole.UserRole


class SecurityTab(SettingsTab):
    title = "Sec&urity"

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
                "The data is not re-encrypted: the key is re-wrapped under the new passphrase, "
                "instantly and atomically. Your recovery code keeps working. Backups taken "
                "before the change open with the old passphrase."
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

    def _on_busy(self, busy: bool) -> None:
        self.purge_button.setEnabled(not busy)
        self._update_pass_button()

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

        def done(result: Done[None]) -> None:
            for edit in (self.old_pass, self.new_pass, self.confirm_pass):
                edit.wipe()
            self.pass_message.setText("Passphrase changed. Use the new one from now on.")
            self.status_message.emit("Passphrase changed")
            self.session.applied(result)

        def failed(exc: BaseException) -> None:
            self.pass_message.setText("")
            self.pass_error.setText(user_message(exc))
            self.pass_error.show()
            self.old_pass.selectAll()
            self.old_pass.setFocus()

        self.runner.run(lambda: access.change_passphrase(vault, old, new), done, failed)

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
        for edit in (self.old_pass, self.new_pass, self.confirm_pass):
            edit.wipe()
        self.meter.update_for("", immediate=True)
        self.pass_message.clear()
        self.purge_text.clear()
        self.pass_error.hide()
