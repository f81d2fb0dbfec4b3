"""The Reports screen's program-contribution card: export, ε per month, and the budget ledger.

A contribution is the machine-facing twin of the summary (docs/contributions.md): this card says
which file is which, what exporting the selected month would cost, and how much of each school
year's privacy budget is spent. Changing ε or the yearly cap asks for a confirmation first.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from srojournal.domain.errors import UserError
from srojournal.ops.changes import Done
from srojournal.ops.summaries import Format, release_contribution, set_privacy_budget
from srojournal.reporting.contribution_service import contribution_status
from srojournal.ui.common.kit import Card, confirm, hint_label, named, section_label
from srojournal.ui.common.runner import user_message
from srojournal.ui.session import Session
from srojournal.vault.budget import CAP_BOUNDS, EPSILON_BOUNDS, BudgetLedger

EXPLAIN = (
    "For the program's roll-up across officers: every count with random noise added "
    "(differential privacy), nothing hidden, so many officers' files add up. One file on its own "
    "says almost nothing; the summary is the report for people."
)


class ContributionCard(Card):
    """Export the selected month's contribution; show and change ε; show the ledger."""

    def __init__(
        self, session: Session, period: Callable[[], str | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("contributionCard")
        self.session = session
        self._period = period
        self._busy = False  # an export runs on the session's runner
        title = section_label("Program contribution (noisy counts, for the program)")
        title.setToolTip(EXPLAIN)
        title.setWordWrap(True)
        self.body.addWidget(title)
        self.state = named(hint_label(), "Contribution status", EXPLAIN)
        self.body.addWidget(self.state)
        row = QHBoxLayout()
        self.export_buttons: dict[str, QPushButton] = {}
        for fmt in ("json", "csv"):
            b = named(QPushButton(f"{fmt.upper()}…"), f"Export contribution {fmt}", EXPLAIN)
            b.clicked.connect(lambda _=False, f=fmt: self.choose_export_file(f))
            row.addWidget(b)
            self.export_buttons[fmt] = b
        row.addStretch(1)
        self.body.addLayout(row)
        row = QHBoxLayout()
        eps_label = QLabel("&ε per month")
        self.epsilon = named(QDoubleSpinBox(), "Epsilon per month")
        self.epsilon.setRange(float(EPSILON_BOUNDS[0]), float(EPSILON_BOUNDS[1]))
        self.epsilon.setDecimals(2)
        self.epsilon.setSingleStep(0.05)
        eps_label.setBuddy(self.epsilon)
        row.addWidget(eps_label)
        row.addWidget(self.epsilon)
        cap_label = QLabel("&yearly cap")
        self.cap = named(QSpinBox(), "Yearly privacy budget cap")
        self.cap.setRange(int(CAP_BOUNDS[0]), int(CAP_BOUNDS[1]))
        self.cap.setMaximumWidth(64)
        self.epsilon.setMaximumWidth(76)
        cap_label.setBuddy(self.cap)
        row.addWidget(cap_label)
        row.addWidget(self.cap)
        self.apply_epsilon = named(QPushButton("Change…"), "Change epsilon and cap")
        self.apply_epsilon.clicked.connect(self.ask_epsilon)
        row.addWidget(self.apply_epsilon)
        row.addStretch(1)
        self.body.addLayout(row)
        self.ledger = named(hint_label(), "Privacy budget ledger")
        self.body.addWidget(self.ledger)
        self.message = named(hint_label(), "Contribution export result")
        self.body.addWidget(self.message)
        self._update_buttons()

    def _open(self) -> bool:
        return self.session.vault.conn is not None

    def _ledger(self) -> BudgetLedger:
        return BudgetLedger(self.session.journal)

    # -- what the card shows -----------------------------------------------------------------
    def refresh(self) -> None:
        if not self._open():
            return
        ledger = self._ledger()
        try:
            eps = ledger.epsilon()
            cap = ledger.yearly_cap()
        except UserError as exc:
            self.state.setText(exc.message)
            self._update_buttons()
            return
        self.epsilon.setValue(float(eps))
        self.cap.setValue(int(cap))
        lines = [
            f"{line.school_year}: ε {line.spent} of {cap} "
            f"({len(line.months)} month{'s' if len(line.months) != 1 else ''})"
            for line in ledger.ledger()[:2]
        ]
        self.ledger.setText(
            "Budget spent — " + ("; ".join(lines) if lines else f"none yet (yearly cap {cap})")
        )
        period = self._period()
        if period is None:
            self.state.clear()
        else:
            s = contribution_status(ledger, period)
            if s.frozen:
                text = f"{period} is contributed (ε {s.epsilon}): the same file again, for free."
            elif s.allowed:
                text = f"Exporting {period} spends ε {s.epsilon} of {s.school_year}."
            else:
                text = (
                    f"{s.school_year} has ε {s.cap - s.spent} left and {period} needs "
                    f"{s.epsilon}: no more contributions this school year."
                )
            self.state.setText(text)
        self._update_buttons()

    def clear(self) -> None:
        # The window finishes the session's runner before it locks; nothing runs here now.
        self._busy = False
        for label in (self.state, self.ledger, self.message):
            label.clear()

    def _update_buttons(self) -> None:
        ok = self._open() and self._period() is not None and not self._busy
        for b in self.export_buttons.values():
            b.setEnabled(ok)
        self.apply_epsilon.setEnabled(ok)

    # -- ε -------------------------------------------------------------------------------------
    def ask_epsilon(self) -> None:
        """Change ε per month and the yearly cap, after a confirmation that says what changes."""
        if not self._open():
            return
        ledger = self._ledger()
        eps = Decimal(str(round(self.epsilon.value(), 2)))
        cap = Decimal(self.cap.value())
        changes = []
        if eps != ledger.epsilon():
            changes.append(f"ε = {eps} for the months you contribute from now on")
        if cap != ledger.yearly_cap():
            changes.append(f"a yearly cap of {cap}")
        if not changes:
            self.message.setText("Nothing to change.")
            return
        confirm(
            self,
            "Change the privacy budget",
            "Use " + " and ".join(changes) + "?",
            "Change",
            lambda: self._set_budget(eps, cap),
            informative=(
                "A larger ε adds less noise and protects students less; a smaller ε protects "
                "more and spends less of the yearly budget. Months already contributed keep "
                "their ε."
            ),
        )

    def _set_budget(self, eps: Decimal, cap: Decimal) -> None:
        if not self._open():
            return
        journal = self.session.journal

        def done(result: Done[None]) -> None:
            self.session.applied(result)
            self.message.setText(f"ε per month is now {eps}, the yearly cap {cap}.")
            self.refresh()

        self.session.runner.write(
            lambda: set_privacy_budget(journal, eps, cap),
            done,
            lambda exc: self.message.setText(user_message(exc)),
        )

    # -- export -------------------------------------------------------------------------------
    def choose_export_file(self, fmt: Format) -> QFileDialog | None:
        period = self._period()
        if period is None:
            return None
        start = str(Path.home() / f"sro-contribution-{period}.{fmt}")
        dlg = QFileDialog(self, f"Export contribution {fmt.upper()}", start)
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setDefaultSuffix(fmt)
        dlg.setNameFilter(f"{fmt.upper()} files (*.{fmt})")
        dlg.fileSelected.connect(lambda path: self.export(fmt, Path(path)))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        return dlg

    def export(self, fmt: Format, path: Path) -> None:
        """Ask the engine for the bytes (noise, freeze, leak check inside), then write the file."""
        period = self._period()
        if period is None or not self._open():
            return
        journal = self.session.journal
        self.message.setText("Checking and exporting…")
        self._busy = True
        self._update_buttons()

        def done(result: Done[int]) -> None:
            self._busy = False
            if not self._open():
                return
            self.session.applied(result)
            self.message.setText(f"Exported {path.name}.")
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._busy = False
            self._update_buttons()
            self.message.setText("Not exported: " + user_message(exc))

        self.session.runner.run(
            lambda: release_contribution(journal, period, fmt, path), done, failed
        )
