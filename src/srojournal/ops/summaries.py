"""Release a summary: the reporting engine freezes, audits and leak-checks it; then the file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from srojournal.ops.changes import Change, Done
from srojournal.reporting.contribution_service import export_contribution
from srojournal.reporting.service import export_summary
from srojournal.vault.budget import BudgetLedger
from srojournal.vault.errors import StorageError
from srojournal.vault.fsutil import atomic_write
from srojournal.vault.repo import Journal

Format = Literal["json", "csv", "pdf"]


def release_summary(
    journal: Journal, period: str, fmt: Format, out: Path, *, revise: bool = False
) -> Done[int]:
    """Export ``period`` (a month, quarter or school year) into ``out``; bytes written.

    The file is readable by others: it holds counts only.

    The file is written only after the engine returned checked bytes.
    """
    data = export_summary(journal, period, fmt, revise=revise)
    _write(out, data)
    return Done(len(data), Change.RELEASES)


def release_contribution(journal: Journal, period: str, fmt: Format, out: Path) -> Done[int]:
    """Export the month's program contribution into ``out``; bytes written.

    The first export spends the month's privacy budget and freezes the file; exporting again
    gives the same bytes and spends nothing (docs/contributions.md).
    """
    data = export_contribution(journal, BudgetLedger(journal), period, fmt)
    _write(out, data)
    return Done(len(data), Change.RELEASES)


def set_privacy_budget(journal: Journal, epsilon: Decimal, yearly_cap: Decimal) -> Done[None]:
    """Change ε per month and the yearly cap of contributions (months already spent keep
    theirs); each change is audited by the ledger."""
    ledger = BudgetLedger(journal)
    with journal.batch():
        if epsilon != ledger.epsilon():
            ledger.set_epsilon(epsilon)
        if yearly_cap != ledger.yearly_cap():
            ledger.set_yearly_cap(yearly_cap)
    return Done(None, Change.SETTINGS)


def _write(out: Path, data: bytes) -> None:
    """The released file: readable by others (it holds counts only), written atomically."""
    try:
        atomic_write(out, data, mode=0o644)
    except OSError as exc:
        reason = exc.strerror or "the disk refused it"
        raise StorageError(f"{out.name} could not be written ({reason}).") from None
